"""Storage, engine: the database connection for either dialect, and its transactions.

The only code that talks to the database is this package; one code path serves SQLite
and PostgreSQL. The service opens transactions with ``read()``/``write()`` and calls
the ``Tx`` queries, grouped by table in the sibling modules.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url

from comments_api.store.accounts import AccountQueries
from comments_api.store.comments import CommentQueries
from comments_api.store.moderation import ModerationQueries
from comments_api.store.notifications import NotificationQueries
from comments_api.store.reactions import ReactionQueries
from comments_api.store.saved import SavedQueries
from comments_api.store.transfer import TransferQueries

log = logging.getLogger(__name__)


def normalise_url(url: str) -> str:
    """``postgresql://`` means psycopg 3 here (psycopg2 is not a dependency)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Tx(
    CommentQueries,
    ReactionQueries,
    AccountQueries,
    NotificationQueries,
    TransferQueries,
    SavedQueries,
    ModerationQueries,
):
    """Queries bound to one open transaction: every table's, on one connection."""


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
