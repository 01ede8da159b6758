"""Storage, schema: the SQLAlchemy Core tables, their constraints and naming convention.

Alembic (``comments_api/migrations``) versions this schema; integrity lives here in
constraints (foreign keys, unique thread paths and reactions, status check).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

STATUSES = ("approved", "pending", "rejected", "deleted")

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

threads = Table(
    "threads",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("path", String(512), nullable=False, unique=True),
    Column("version", BigInteger, nullable=False, server_default="0"),
    Column("comment_count", Integer, nullable=False, server_default="0"),
    Column("created", DateTime(timezone=True), nullable=False),
)

comments = Table(
    "comments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("thread_id", ForeignKey("threads.id", ondelete="CASCADE"), nullable=False),
    Column("parent_id", ForeignKey("comments.id"), nullable=True),
    Column("depth", Integer, nullable=False, server_default="0"),
    Column("author_name", String(200), nullable=False),
    Column("email", String(320), nullable=True),
    Column("person_id", String(200), nullable=True),
    Column("body", Text, nullable=False),
    Column("html", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created", DateTime(timezone=True), nullable=False),
    Column("edited", DateTime(timezone=True), nullable=True),
    Column("edit_token_hash", String(64), nullable=True),
    CheckConstraint("status IN ('approved', 'pending', 'rejected', 'deleted')", name="status"),
    Index(None, "thread_id", "status", "id"),
    Index(None, "parent_id"),
    Index(None, "status", "id"),
)

reactions = Table(
    "reactions",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("comment_id", ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("actor", String(400), nullable=False),
    Column("email", String(320), nullable=True),
    Column("person_id", String(200), nullable=True),
    Column("created", DateTime(timezone=True), nullable=False),
    UniqueConstraint("comment_id", "kind", "actor"),
)

accounts = Table(
    "accounts",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("person_id", String(200), nullable=True),
    Column("first_seen", DateTime(timezone=True), nullable=False),
)

suppressions = Table(
    "suppressions",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("created", DateTime(timezone=True), nullable=False),
)


def utc(value: datetime) -> datetime:
    """Datetimes come back naive from SQLite: they were stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Added by migration 0002: saved items, notifications and the moderation log.

saved = Table(
    "saved",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False),  # the owner: an identity, never shown to others
    Column("person_id", String(200), nullable=True),
    Column("thread", String(512), nullable=False),  # a published item's path
    Column("created", DateTime(timezone=True), nullable=False),
    UniqueConstraint("email", "thread"),
    Index(None, "email", "created"),
    Index(None, "thread"),
)

notification_settings = Table(
    "notification_settings",
    metadata,
    Column("email", String(320), primary_key=True),
    Column("person_id", String(200), nullable=True),
    Column("enabled", Boolean, nullable=False),
    Column("updated", DateTime(timezone=True), nullable=False),
)

NOTIFICATION_REASONS = ("reply", "mention", "post")
NOTIFICATION_STATUSES = ("pending", "sent", "failed")

notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(320), nullable=False),  # the recipient
    Column("person_id", String(200), nullable=True),
    Column("comment_id", ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("message_id", String(255), nullable=True),  # the Message-ID of the email that carried it
    Column("created", DateTime(timezone=True), nullable=False),
    Column("sent", DateTime(timezone=True), nullable=True),
    UniqueConstraint("email", "comment_id"),  # a comment is notified to a person at most once
    Index(None, "status", "email"),
    CheckConstraint("reason IN ('reply', 'mention', 'post')", name="reason"),
    CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
)

MODERATION_ACTIONS = ("approve", "reject", "hide", "delete")

moderation_log = Table(
    "moderation_log",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("comment_id", ForeignKey("comments.id", ondelete="CASCADE"), nullable=False),
    Column("action", String(16), nullable=False),
    Column("by", String(320), nullable=False),  # the admin's email, or "token" in open mode
    Column("at", DateTime(timezone=True), nullable=False),
    Index(None, "at"),
    CheckConstraint("action IN ('approve', 'reject', 'hide', 'delete')", name="action"),
)
