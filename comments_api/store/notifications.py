"""Storage, notifications: per-person settings and the ledger of reply and mention emails.

The ledger has one row per (recipient, comment), unique: a comment is notified to a
person at most once. Rows are written ``pending`` with the Message-ID *before* the
email goes out and marked ``sent`` after, so an interrupted run is resumed exactly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from comments_api.store.comments import _COMMENT_COLUMNS, JOINED, CommentRow, _comment
from comments_api.store.queries import Queries
from comments_api.store.tables import comments, notification_settings, notifications


@dataclass(frozen=True, slots=True)
class PendingRow:
    """A ledger row recorded before sending and not yet confirmed."""

    email: str
    person_id: str | None
    comment_id: int
    reason: str
    message_id: str


class NotificationQueries(Queries):
    """Who wants notifications, which comments were notified to whom, and pending emails."""

    def set_notifications(
        self, email: str, person_id: str | None, enabled: bool, now: datetime
    ) -> None:
        """Turn one person's notifications on or off (an upsert: the latest choice wins)."""
        stmt = self._insert(notification_settings).values(
            email=email.lower(), person_id=person_id, enabled=enabled, updated=now
        )
        self.conn.execute(
            stmt.on_conflict_do_update(
                index_elements=["email"],
                set_={"enabled": enabled, "updated": now, "person_id": person_id},
            )
        )

    def notifications_enabled(self, email: str) -> bool | None:
        """The person's choice, or None if they never made one."""
        query = select(notification_settings.c.enabled).where(
            notification_settings.c.email == email.lower()
        )
        value = self.conn.execute(query).scalar()
        return None if value is None else bool(value)

    def notifications_off(self) -> frozenset[str]:
        """Every address that turned notifications off, lower-cased."""
        query = select(notification_settings.c.email).where(
            notification_settings.c.enabled.is_(False)
        )
        return frozenset(e.lower() for e in self.conn.execute(query).scalars())

    def approved_since(self, since: datetime) -> list[CommentRow]:
        """Approved comments written at or after ``since``, oldest first."""
        query = (
            select(*_COMMENT_COLUMNS)
            .select_from(JOINED)
            .where(comments.c.status == "approved", comments.c.created >= since)
            .order_by(comments.c.created, comments.c.id)
        )
        return [_comment(row) for row in self.conn.execute(query)]

    def comments_by_id(self, ids: Iterable[int]) -> dict[int, CommentRow]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        query = select(*_COMMENT_COLUMNS).select_from(JOINED).where(comments.c.id.in_(wanted))
        return {row[0]: _comment(row) for row in self.conn.execute(query)}

    def notified(self, comment_ids: Iterable[int]) -> frozenset[tuple[str, int]]:
        """(recipient, comment) pairs already in the ledger, whatever their status."""
        wanted = sorted(set(comment_ids))
        if not wanted:
            return frozenset()
        query = select(notifications.c.email, notifications.c.comment_id).where(
            notifications.c.comment_id.in_(wanted)
        )
        return frozenset((e.lower(), int(c)) for e, c in self.conn.execute(query))

    def pending_notifications(self) -> list[PendingRow]:
        """Rows recorded before a send that was never confirmed: to send again, as they were."""
        query = (
            select(
                notifications.c.email,
                notifications.c.person_id,
                notifications.c.comment_id,
                notifications.c.reason,
                notifications.c.message_id,
            )
            .where(notifications.c.status == "pending")
            .order_by(notifications.c.email, notifications.c.comment_id)
        )
        return [PendingRow(e, p, int(c), r, m or "") for e, p, c, r, m in self.conn.execute(query)]

    def record_pending(
        self,
        email: str,
        person_id: str | None,
        items: Sequence[tuple[int, str]],
        message_id: str,
        now: datetime,
    ) -> None:
        """Write one email's (comment, reason) rows as ``pending`` with its Message-ID."""
        for comment_id, reason in items:
            stmt = self._insert(notifications).values(
                email=email.lower(),
                person_id=person_id,
                comment_id=comment_id,
                reason=reason,
                status="pending",
                message_id=message_id,
                created=now,
            )
            self.conn.execute(stmt.on_conflict_do_nothing(index_elements=["email", "comment_id"]))

    def finish_notification(
        self, email: str, message_id: str, status: str, now: datetime | None
    ) -> int:
        """Mark every pending row of one email ``sent`` or ``failed``; how many rows."""
        stmt = (
            update(notifications)
            .where(
                notifications.c.email == email.lower(),
                notifications.c.message_id == message_id,
                notifications.c.status == "pending",
            )
            .values(status=status, sent=now)
        )
        return int(self.conn.execute(stmt).rowcount)
