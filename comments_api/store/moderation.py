"""Storage, moderation: the moderation log, and the reads behind the admin page and the desk.

Every approve, reject, hide or delete done by an admin is one ``moderation_log`` row
(who, when, what); the desk reads thread counts and unanswered questions here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import aliased

from comments_api.store.comments import _COMMENT_COLUMNS, JOINED, CommentRow, _comment
from comments_api.store.queries import Queries
from comments_api.store.tables import comments, moderation_log, threads, utc


@dataclass(frozen=True, slots=True)
class ModerationEntry:
    """One recorded moderation action, with the thread of its comment."""

    comment_id: int
    thread: str
    action: str
    by: str
    at: datetime


class ModerationQueries(Queries):
    """The moderation log and the admin page's and desk's reads."""

    def log_moderation(self, comment_id: int, action: str, by: str, at: datetime) -> None:
        self.conn.execute(
            moderation_log.insert().values(comment_id=comment_id, action=action, by=by, at=at)
        )

    def import_moderation(self, comment_id: int, action: str, by: str, at: datetime) -> bool:
        """Add an imported entry unless the same one is there already (re-imports skip it)."""
        found = self.conn.execute(
            select(moderation_log.c.id).where(
                moderation_log.c.comment_id == comment_id,
                moderation_log.c.action == action,
                moderation_log.c.by == by,
                moderation_log.c.at == at,
            )
        ).first()
        if found is not None:
            return False
        self.log_moderation(comment_id, action, by, at)
        return True

    def moderation_entries(self, limit: int) -> list[ModerationEntry]:
        """The latest entries, newest first."""
        rows = self.conn.execute(
            select(
                moderation_log.c.comment_id,
                threads.c.path,
                moderation_log.c.action,
                moderation_log.c.by,
                moderation_log.c.at,
            )
            .select_from(
                moderation_log.join(comments, moderation_log.c.comment_id == comments.c.id).join(
                    threads, comments.c.thread_id == threads.c.id
                )
            )
            .order_by(moderation_log.c.at.desc(), moderation_log.c.id.desc())
            .limit(limit)
        ).all()
        return [ModerationEntry(r[0], r[1], r[2], r[3], utc(r[4])) for r in rows]

    def recent_comments(self, limit: int) -> list[CommentRow]:
        """The latest approved comments, newest first (what "hide" and "delete" act on)."""
        rows = self.conn.execute(
            select(*_COMMENT_COLUMNS)
            .select_from(JOINED)
            .where(comments.c.status == "approved")
            .order_by(comments.c.id.desc())
            .limit(limit)
        ).all()
        return [_comment(r) for r in rows]

    def thread_counts(self) -> dict[str, int]:
        """Approved comments per thread path, for every thread that has a row."""
        rows = self.conn.execute(select(threads.c.path, threads.c.comment_count)).all()
        return {str(path): int(n) for path, n in rows}

    def unanswered(self, before: datetime) -> list[CommentRow]:
        """Approved comments older than ``before`` that have a ``?`` and no approved reply.

        The "ends with a question mark" test is left to the caller (trailing space and
        newlines differ between dialects); this narrows the rows in SQL.
        """
        reply = aliased(comments)
        has_reply = exists().where(
            and_(reply.c.parent_id == comments.c.id, reply.c.status == "approved")
        )
        rows = self.conn.execute(
            select(*_COMMENT_COLUMNS)
            .select_from(JOINED)
            .where(
                comments.c.status == "approved",
                comments.c.created < before,
                comments.c.body.like("%?%"),
                ~has_reply,
            )
            .order_by(comments.c.created)
        ).all()
        return [_comment(r) for r in rows]
