"""Storage: SQLAlchemy Core tables and queries, one code path for SQLite and PostgreSQL.

The only module that talks to the database. Integrity lives in constraints
(foreign keys, unique thread paths and reactions, status check); the service
opens transactions with ``read()``/``write()`` and calls the ``Tx`` queries.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, RowMapping, make_url

log = logging.getLogger(__name__)

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


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (psycopg2 is not a dependency)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


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
_JOINED = comments.join(threads, comments.c.thread_id == threads.c.id)


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


@dataclass(frozen=True, slots=True)
class ThreadView:
    """What a thread listing needs: the visible comments and their reaction counts."""

    version: int
    comments: tuple[CommentRow, ...]
    reactions: dict[int, dict[str, int]]


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


class Tx:
    """Queries bound to one open transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert

    def _inserted(self, stmt: Any, key: Any) -> bool:
        """Did an INSERT ... ON CONFLICT DO NOTHING insert? (rowcount is unreliable there)"""
        return self.conn.execute(stmt.returning(key)).first() is not None

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
            .select_from(_JOINED)
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

    # comments ----------------------------------------------------------------
    def get_comment(self, comment_id: int) -> CommentRow | None:
        row = self.conn.execute(
            select(*_COMMENT_COLUMNS).select_from(_JOINED).where(comments.c.id == comment_id)
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
            .select_from(_JOINED)
            .where(comments.c.status == status)
            .order_by(comments.c.id)
            .limit(limit)
            .offset(offset)
        ).all()
        return [_comment(r) for r in rows]

    # reactions ---------------------------------------------------------------
    def toggle_reaction(self, values: dict[str, Any]) -> bool:
        """Add the reaction, or remove it when this actor already gave it; True if now present."""
        stmt = (
            self._insert(reactions)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["comment_id", "kind", "actor"])
        )
        if self._inserted(stmt, reactions.c.id):
            return True
        self.conn.execute(
            delete(reactions).where(
                reactions.c.comment_id == values["comment_id"],
                reactions.c.kind == values["kind"],
                reactions.c.actor == values["actor"],
            )
        )
        return False

    def reaction_counts(self, comment_id: int) -> dict[str, int]:
        rows = self.conn.execute(
            select(reactions.c.kind, func.count())
            .where(reactions.c.comment_id == comment_id)
            .group_by(reactions.c.kind)
        ).all()
        return {kind: int(n) for kind, n in rows}

    # accounts and suppressions -----------------------------------------------
    def record_account(self, email: str, person_id: str | None, now: datetime) -> None:
        stmt = self._insert(accounts).values(email=email, person_id=person_id, first_seen=now)
        self.conn.execute(stmt.on_conflict_do_nothing(index_elements=["email"]))

    def add_suppression(self, email: str, now: datetime) -> None:
        stmt = self._insert(suppressions).values(email=email, created=now)
        self.conn.execute(stmt.on_conflict_do_nothing(index_elements=["email"]))

    def suppressed_emails(self) -> frozenset[str]:
        """Every unsubscribed address, lowercased: the newsletter must skip them all."""
        rows = self.conn.execute(select(suppressions.c.email)).scalars()
        return frozenset(str(email).strip().lower() for email in rows)

    # export and import -------------------------------------------------------
    def iter_table(self, name: str) -> Iterator[RowMapping]:
        table = metadata.tables[name]
        order = table.c.id if "id" in table.c else table.c.email
        query = select(table).order_by(order)
        if name == "comments":
            query = select(comments, threads.c.path).select_from(_JOINED).order_by(comments.c.id)
        elif name == "reactions":
            query = query.order_by(None).order_by(reactions.c.id)
        yield from self.conn.execution_options(yield_per=500).execute(query).mappings()

    def import_comment(self, values: dict[str, Any]) -> bool:
        stmt = self._insert(comments).values(**values).on_conflict_do_nothing(index_elements=["id"])
        return self._inserted(stmt, comments.c.id)

    def import_reaction(self, values: dict[str, Any]) -> bool:
        stmt = (
            self._insert(reactions)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["comment_id", "kind", "actor"])
        )
        return self._inserted(stmt, reactions.c.id)

    def reset_sequences(self) -> None:
        """After explicit ids were imported, PostgreSQL's sequences must move past them."""
        if self.conn.dialect.name != "postgresql":
            return
        for name in ("threads", "comments", "reactions"):
            self.conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - fixed names
                f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
            )

    def all_thread_ids(self) -> list[int]:
        return [int(i) for i in self.conn.execute(select(threads.c.id)).scalars()]


class Store:
    """The comments database: an engine configured for its dialect, opening transactions."""

    def __init__(self, url: str, *, pool_size: int = 16, pool_timeout: float = 5.0) -> None:
        self.url = normalise_url(url)
        self.dialect = make_url(self.url).get_backend_name()
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(self.url, pool_size, pool_timeout)
        else:
            self.engine = create_engine(
                self.url,
                pool_size=pool_size,
                max_overflow=pool_size,
                pool_timeout=pool_timeout,
                pool_recycle=1800,
            )
        self._mark = "?" if self.engine.dialect.paramstyle == "qmark" else "%s"
        self._version_sql = f"SELECT version FROM threads WHERE path = {self._mark}"  # noqa: S608
        # SQLite reads in WAL mode never wait for writers: cheap enough to run inline
        # on the event loop, sparing a thread hop per request.
        self.inline_reads = self.dialect == "sqlite"
        self._local = threading.local()
        self._detached: list[Any] = []
        self._write_lock: threading.Lock | nullcontext[None] = (
            threading.Lock() if self.dialect == "sqlite" else nullcontext()
        )

    def thread_version(self, path: str) -> int | None:
        """The hot path of every listing: one indexed lookup on a pooled driver connection."""
        rows = self._raw(self._version_sql, (path,))
        return int(rows[0][0]) if rows else None

    def counts(self, paths: Sequence[str]) -> dict[str, int]:
        """Comment counts kept on the thread rows, read straight from the driver."""
        marks = ", ".join([self._mark] * len(paths))
        sql = f"SELECT path, comment_count FROM threads WHERE path IN ({marks})"  # noqa: S608
        return {str(p): int(n) for p, n in self._raw(sql, tuple(paths))} if paths else {}

    def _raw(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        if self.inline_reads:
            # One long-lived autocommit connection per thread: no pool round trip, and
            # in WAL mode each statement reads the latest commit.
            local: Any = getattr(self._local, "conn", None)
            if local is None:
                proxied = self.engine.raw_connection()
                local = self._local.conn = proxied.driver_connection
                proxied.detach()
                self._detached.append(local)
            cursor = local.cursor()
            try:
                cursor.execute(sql, params)
                return list(cursor.fetchall())
            finally:
                cursor.close()
        conn = self.engine.raw_connection()
        try:
            cursor = conn.cursor()
            cursor.execute(sql, params)
            rows = list(cursor.fetchall())
            cursor.close()
        finally:
            conn.close()  # back to the pool, which ends the transaction
        return rows

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self.engine.connect() as conn, conn.begin():
            yield Tx(conn)

    @contextmanager
    def write(self) -> Iterator[Tx]:
        # SQLite has one writer at a time: queueing our own threads on a lock is fair and
        # fast, where SQLite's busy handler sleeps in growing steps (long tail latencies).
        with (
            self._write_lock,
            self.engine.connect().execution_options(veille_write=True) as conn,
            conn.begin(),
        ):
            yield Tx(conn)

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def dispose(self) -> None:
        for conn in self._detached:
            conn.close()
        self._detached.clear()
        self._local = threading.local()
        self.engine.dispose()


def _sqlite_engine(url: str, pool_size: int, pool_timeout: float) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout,
        connect_args={"check_same_thread": False, "timeout": 10},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # We issue BEGIN ourselves, so that writers take the lock up front (BEGIN
        # IMMEDIATE) and wait on busy_timeout instead of failing on lock upgrade.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        # WAL + synchronous=NORMAL: a committed transaction survives the process being
        # killed (only an OS crash may lose the last commits); readers never block writers.
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=10000",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        write = conn.get_execution_options().get("veille_write", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine
