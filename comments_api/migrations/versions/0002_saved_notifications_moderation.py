"""Saved items (issue 18), notification settings and ledger, moderation log (issue 17).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "saved",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("person_id", sa.String(200), nullable=True),
        sa.Column("thread", sa.String(512), nullable=False),
        sa.Column("created", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_saved"),
        sa.UniqueConstraint("email", "thread", name="uq_saved_email_thread"),
    )
    op.create_index("ix_saved_email_created", "saved", ["email", "created"])
    op.create_index("ix_saved_thread", "saved", ["thread"])
    op.create_table(
        "notification_settings",
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("person_id", sa.String(200), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("updated", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("email", name="pk_notification_settings"),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("person_id", sa.String(200), nullable=True),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=True),
        sa.Column("created", _TZ, nullable=False),
        sa.Column("sent", _TZ, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notifications"),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name="fk_notifications_comment_id_comments",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("email", "comment_id", name="uq_notifications_email_comment_id"),
        sa.CheckConstraint(
            "reason IN ('reply', 'mention', 'post')", name="ck_notifications_reason"
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name="ck_notifications_status"
        ),
    )
    op.create_index("ix_notifications_status_email", "notifications", ["status", "email"])
    op.create_table(
        "moderation_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("by", sa.String(320), nullable=False),
        sa.Column("at", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_moderation_log"),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name="fk_moderation_log_comment_id_comments",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "action IN ('approve', 'reject', 'hide', 'delete')", name="ck_moderation_log_action"
        ),
    )
    op.create_index("ix_moderation_log_at", "moderation_log", ["at"])


def downgrade() -> None:
    for table in ("moderation_log", "notifications", "notification_settings", "saved"):
        op.drop_table(table)
