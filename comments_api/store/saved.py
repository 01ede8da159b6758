"""Storage, saved items: one row per (person, thread), the person's list newest first.

The unique constraint on (email, thread) makes saving idempotent and race-free; rows
are only ever read back for their owner (``email``), or counted per thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select

from comments_api.store.comments import JOINED
from comments_api.store.queries import Queries
from comments_api.store.tables import comments, saved, threads, utc
from generator.model import CommentRecord


@dataclass(frozen=True, slots=True)
class SavedRow:
    """One saved item of one person."""

    thread: str
    created: datetime


class SavedQueries(Queries):
    """Saved items, and what one person may read of their own comments and replies."""

    def save_item(self, email: str, person_id: str | None, thread: str, now: datetime) -> bool:
        """Save ``thread`` for this person; False when it was saved already."""
        stmt = (
            self._insert(saved)
            .values(email=email, person_id=person_id, thread=thread, created=now)
            .on_conflict_do_nothing(index_elements=["email", "thread"])
        )
        return self._inserted(stmt, saved.c.id)

    def remove_saved(self, email: str, thread: str) -> bool:
        """Forget a saved item; False when it was not saved."""
        result = self.conn.execute(
            delete(saved).where(saved.c.email == email, saved.c.thread == thread)
        )
        return bool(result.rowcount)

    def list_saved(self, email: str) -> list[SavedRow]:
        """This person's saved items, newest first."""
        rows = self.conn.execute(
            select(saved.c.thread, saved.c.created)
            .where(saved.c.email == email)
            .order_by(saved.c.created.desc(), saved.c.id.desc())
        ).all()
        return [SavedRow(thread, utc(created)) for thread, created in rows]

    def import_saved(self, values: dict[str, Any]) -> bool:
        stmt = (
            self._insert(saved)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["email", "thread"])
        )
        return self._inserted(stmt, saved.c.id)

    def own_comments(self, email: str, limit: int) -> list[CommentRecord]:
        """The comments this person wrote (not deleted), newest first."""
        rows = self.conn.execute(
            _OWN.where(comments.c.email == email, comments.c.status != "deleted")
            .order_by(comments.c.created.desc(), comments.c.id.desc())
            .limit(limit)
        ).all()
        return [_own(row) for row in rows]

    def replies_received(self, email: str, limit: int) -> list[CommentRecord]:
        """Approved replies by others to this person's comments, newest first."""
        parents = select(comments.c.id).where(comments.c.email == email).scalar_subquery()
        rows = self.conn.execute(
            _OWN.where(
                comments.c.parent_id.in_(parents),
                comments.c.status == "approved",
                (comments.c.email.is_(None)) | (comments.c.email != email),
            )
            .order_by(comments.c.created.desc(), comments.c.id.desc())
            .limit(limit)
        ).all()
        return [_own(row) for row in rows]


_OWN = select(
    comments.c.id,
    threads.c.path,
    comments.c.parent_id,
    comments.c.author_name,
    comments.c.body,
    comments.c.status,
    comments.c.created,
).select_from(JOINED)


def _own(row: Sequence[Any]) -> CommentRecord:
    """A row of ``_OWN`` as the kernel's comment record; ``/me/`` reads no email, edit or person."""
    return CommentRecord(row[0], row[1], row[2], row[3], row[4], row[5], utc(row[6]))
