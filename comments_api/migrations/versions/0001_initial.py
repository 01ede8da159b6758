"""Initial schema: threads, comments, reactions, accounts, suppressions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels = None
depends_on = None

_TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "threads",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("comment_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("created", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_threads"),
        sa.UniqueConstraint("path", name="uq_threads_path"),
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("depth", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("person_id", sa.String(200), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created", _TZ, nullable=False),
        sa.Column("edited", _TZ, nullable=True),
        sa.Column("edit_token_hash", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_comments"),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["threads.id"], name="fk_comments_thread_id_threads", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comments.id"], name="fk_comments_parent_id_comments"
        ),
        sa.CheckConstraint(
            "status IN ('approved', 'pending', 'rejected', 'deleted')", name="ck_comments_status"
        ),
    )
    op.create_index("ix_comments_thread_id_status_id", "comments", ["thread_id", "status", "id"])
    op.create_index("ix_comments_parent_id", "comments", ["parent_id"])
    op.create_index("ix_comments_status_id", "comments", ["status", "id"])
    op.create_table(
        "reactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(400), nullable=False),
        sa.Column("email", sa.String(320), nullable=True),
        sa.Column("person_id", sa.String(200), nullable=True),
        sa.Column("created", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reactions"),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name="fk_reactions_comment_id_comments",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint(
            "comment_id", "kind", "actor", name="uq_reactions_comment_id_kind_actor"
        ),
    )
    op.create_table(
        "accounts",
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("person_id", sa.String(200), nullable=True),
        sa.Column("first_seen", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("email", name="pk_accounts"),
    )
    op.create_table(
        "suppressions",
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("created", _TZ, nullable=False),
        sa.PrimaryKeyConstraint("email", name="pk_suppressions"),
    )


def downgrade() -> None:
    for table in ("suppressions", "accounts", "reactions", "comments", "threads"):
        op.drop_table(table)
