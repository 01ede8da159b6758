"""Storage, threads and comments: the rows the service reads and writes per thread.

A thread row carries a version (read caches key on it) and the count of its approved
comments, both kept current by the writers of that thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from comments_api.store.queries import Queries
from comments_api.store.tables import comments, reactions, threads, utc


@dataclass(frozen=True, slots=True)
class CommentRow:
    """One stored comment, as the service sees it."""

    id: int
    thread: str
    thread_id: int
    parent: int | None
    depth: int
    author_name: str
    email: str | None
    person_id: str | None
    body: str
    html: str
    status: str
    created: datetime
    edited: datetime | None
    edit_token_hash: str | None


@dataclass(frozen=True, slots=True)
class ThreadView:
    """What a thread listing needs: the visible comments and their reaction counts."""

    version: int
    comments: tuple[CommentRow, ...]
    reactions: dict[int, dict[str, int]]


_COMMENT_COLUMNS = (
    comments.c.id,
    threads.c.path,
    comments.c.thread_id,
    comments.c.parent_id,
    comments.c.depth,
    comments.c.author_name,
    comments.c.email,
    comments.c.person_id,
    comments.c.body,
    comments.c.html,
    comments.c.status,
    comments.c.created,
    comments.c.edited,
    comments.c.edit_token_hash,
)
JOINED = comments.join(threads, comments.c.thread_id == threads.c.id)


def _comment(row: Sequence[Any]) -> CommentRow:
    edited = row[12]
    return CommentRow(
        id=row[0],
        thread=row[1],
        thread_id=row[2],
        parent=row[3],
        depth=row[4],
        author_name=row[5],
        email=row[6],
        person_id=row[7],
        body=row[8],
        html=row[9],
        status=row[10],
        created=utc(row[11]),
        edited=utc(edited) if edited is not None else None,
        edit_token_hash=row[13],
    )


def _upsert(insert: Any) -> Any:
    stmt = insert(threads).values(
        path=bindparam("path"), created=bindparam("created"), version=1, comment_count=0
    )
    update_version = {"version": threads.c.version + 1}
    return stmt.on_conflict_do_update(index_elements=["path"], set_=update_version).returning(
        threads.c.id
    )


# Hot write statements, built once: building a statement costs more than running it.
_UPSERT = {"sqlite": _upsert(sqlite.insert), "postgresql": _upsert(postgresql.insert)}
_COUNT = (
    select(func.count())
    .select_from(comments)
    .where(comments.c.thread_id == bindparam("tid"), comments.c.status == "approved")
    .scalar_subquery()
)
_LOCK = select(threads.c.id).where(threads.c.id == bindparam("tid")).with_for_update(key_share=True)
_RECOUNT = update(threads).where(threads.c.id == bindparam("tid")).values(comment_count=_COUNT)
_TOUCH = (
    update(threads)
    .where(threads.c.id == bindparam("tid"))
    .values(version=threads.c.version + 1, comment_count=_COUNT)
)
_INSERT_COMMENT = comments.insert().returning(comments.c.id)


class CommentQueries(Queries):
    """Threads and their comments."""

    # threads -----------------------------------------------------------------
    def open_thread(self, path: str, now: datetime) -> int:
        """The thread's id, its row created once even under concurrent first comments.

        One upsert that also bumps the version and, on PostgreSQL, locks the row until
        commit, so that writers of one thread queue here (never in a deadlock).
        """
        stmt = _UPSERT[self.conn.dialect.name]
        return int(self.conn.execute(stmt, {"path": path, "created": now}).scalar_one())

    def recount(self, thread_id: int) -> None:
        """Recount a thread opened with ``open_thread`` in this transaction."""
        self.conn.execute(_RECOUNT, {"tid": thread_id})

    def touch_thread(self, thread_id: int) -> None:
        """Bump the thread's version (read caches key on it) and recount its comments.

        The row lock comes first, in its own statement: under READ COMMITTED the count
        then sees every comment committed by writers that held the lock before us.
        """
        self.conn.execute(_LOCK, {"tid": thread_id})
        self.conn.execute(_TOUCH, {"tid": thread_id})

    def view_thread(self, path: str) -> ThreadView:
        head = self.conn.execute(
            select(threads.c.id, threads.c.version).where(threads.c.path == path)
        ).first()
        if head is None:
            return ThreadView(0, (), {})
        thread_id, version = head
        rows = self.conn.execute(
            select(*_COMMENT_COLUMNS)
            .select_from(JOINED)
            .where(
                comments.c.thread_id == thread_id, comments.c.status.in_(("approved", "deleted"))
            )
            .order_by(comments.c.id)
        ).all()
        counts: dict[int, dict[str, int]] = {}
        for comment_id, kind, n in self.conn.execute(
            select(reactions.c.comment_id, reactions.c.kind, func.count())
            .select_from(reactions.join(comments, reactions.c.comment_id == comments.c.id))
            .where(comments.c.thread_id == thread_id)
            .group_by(reactions.c.comment_id, reactions.c.kind)
        ):
            counts.setdefault(comment_id, {})[kind] = n
        return ThreadView(int(version), tuple(_comment(r) for r in rows), counts)

    def all_thread_ids(self) -> list[int]:
        return [int(i) for i in self.conn.execute(select(threads.c.id)).scalars()]

    # comments ----------------------------------------------------------------
    def get_comment(self, comment_id: int) -> CommentRow | None:
        row = self.conn.execute(
            select(*_COMMENT_COLUMNS).select_from(JOINED).where(comments.c.id == comment_id)
        ).first()
        return None if row is None else _comment(row)

    def has_approved(self, *, email: str | None, author_name: str) -> bool:
        """Has this poster an approved comment already (for first-time moderation)?"""
        cond = (
            comments.c.email == email
            if email is not None
            else (comments.c.author_name == author_name) & comments.c.email.is_(None)
        )
        found = self.conn.execute(
            select(comments.c.id).where(cond, comments.c.status == "approved").limit(1)
        ).first()
        return found is not None

    def insert_comment(self, values: dict[str, Any]) -> int:
        return int(self.conn.execute(_INSERT_COMMENT, values).scalar_one())

    def import_comment(self, values: dict[str, Any]) -> bool:
        stmt = self._insert(comments).values(**values).on_conflict_do_nothing(index_elements=["id"])
        return self._inserted(stmt, comments.c.id)

    def update_comment(self, comment_id: int, values: dict[str, Any]) -> None:
        self.conn.execute(update(comments).where(comments.c.id == comment_id).values(**values))

    def has_children(self, comment_id: int) -> bool:
        found = self.conn.execute(
            select(comments.c.id).where(comments.c.parent_id == comment_id).limit(1)
        ).first()
        return found is not None

    def delete_comment(self, comment_id: int) -> None:
        self.conn.execute(delete(comments).where(comments.c.id == comment_id))

    def list_by_status(self, status: str, limit: int, offset: int) -> list[CommentRow]:
        rows = self.conn.execute(
            select(*_COMMENT_COLUMNS)
            .select_from(JOINED)
            .where(comments.c.status == status)
            .order_by(comments.c.id)
            .limit(limit)
            .offset(offset)
        ).all()
        return [_comment(r) for r in rows]
