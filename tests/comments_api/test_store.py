"""Storage: migrations match the tables, constraints hold, concurrent first comments."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import insert, inspect, select
from sqlalchemy.exc import IntegrityError

from comments_api import migrations
from comments_api.store import Store, metadata, normalise_url
from comments_api.store.tables import comments, reactions, threads
from tests.comments_api.conftest import THREAD, ApiFactory

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Store:
    store = Store(db_url)
    migrations.upgrade(store)
    yield store  # type: ignore[misc]
    store.dispose()


def test_migrations_create_exactly_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    assert migrations.current(store) == migrations.head() == "0002"
    migrations.upgrade(store)  # idempotent
    names = set(inspect(store.engine).get_table_names())
    assert {"threads", "comments", "reactions", "accounts", "suppressions"} <= names


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    store = Store(f"sqlite:///{tmp_path}/nested/dir/c.db")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    store.dispose()


def test_suppressed_emails_are_read_back_lower_cased_once(store: Store) -> None:
    with store.read() as tx:
        assert tx.suppressed_emails() == frozenset()
    with store.write() as tx:
        tx.add_suppression("ada@example.com", NOW)
        tx.add_suppression("ada@example.com", NOW)  # a second unsubscribe is a no-op
        tx.add_suppression("Bob@Example.com", NOW)  # as an import may have kept it
    with store.read() as tx:
        assert tx.suppressed_emails() == {"ada@example.com", "bob@example.com"}


def _comment(thread_id: int, **values: object) -> dict[str, object]:
    return {
        "thread_id": thread_id,
        "author_name": "a",
        "body": "b",
        "html": "<p>b</p>",
        "status": "approved",
        "created": NOW,
        **values,
    }


def test_constraints_are_enforced_by_the_database(store: Store) -> None:
    with store.write() as tx:
        thread_id = tx.open_thread("/t/", NOW)
        comment_id = tx.insert_comment(_comment(thread_id))
    bad = [
        insert(comments).values(**_comment(thread_id, status="published")),
        insert(comments).values(**_comment(99999)),
        insert(comments).values(**_comment(thread_id, parent_id=99999)),
        insert(threads).values(path="/t/", created=NOW),
        insert(reactions).values(comment_id=99999, kind="like", actor="x", created=NOW),
    ]
    for statement in bad:
        with pytest.raises(IntegrityError), store.write() as tx:
            tx.conn.execute(statement)
    reaction = {"comment_id": comment_id, "kind": "like", "actor": "x", "created": NOW}
    with store.write() as tx:
        tx.conn.execute(insert(reactions).values(**reaction))
    with pytest.raises(IntegrityError), store.write() as tx:
        tx.conn.execute(insert(reactions).values(**reaction))
    with pytest.raises(IntegrityError), store.write() as tx:  # a parent with replies stays
        child = tx.insert_comment(_comment(thread_id, parent_id=comment_id))
        assert child
        tx.delete_comment(comment_id)


def test_reactions_go_with_their_comment(store: Store) -> None:
    with store.write() as tx:
        thread_id = tx.open_thread("/t/", NOW)
        comment_id = tx.insert_comment(_comment(thread_id))
        tx.toggle_reaction({"comment_id": comment_id, "kind": "like", "actor": "x", "created": NOW})
        tx.delete_comment(comment_id)
    with store.read() as tx:
        assert tx.conn.execute(select(reactions)).all() == []


def test_upsert_thread_returns_one_id(store: Store) -> None:
    with store.write() as tx:
        first = tx.open_thread("/t/", NOW)
        assert tx.open_thread("/t/", NOW) == first


def test_concurrent_first_comments_on_a_new_thread_all_succeed(make_api: ApiFactory) -> None:
    api = make_api()
    service = api.app.state.service
    barrier = threading.Barrier(12)
    results: list[int] = []
    errors: list[BaseException] = []

    def post(n: int) -> None:
        from comments_api.policy import Identity
        from comments_api.schemas import CommentIn

        try:
            barrier.wait()
            created = service.post(
                "/posts/brand-new/", CommentIn(body=f"c{n}", author_name=f"p{n}"), Identity("x")
            )
            results.append(created.id)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    workers = [threading.Thread(target=post, args=(n,)) for n in range(12)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert len(results) == 12
    with api.store.read() as tx:
        rows = tx.conn.execute(select(threads).where(threads.c.path == "/posts/brand-new/")).all()
    assert len(rows) == 1
    assert rows[0].comment_count == 12
    counts = api.client.get("/api/counts", params={"thread": "/posts/brand-new/"}).json()
    assert counts == {"/posts/brand-new/": 12}
    assert THREAD


def test_postgres_urls_mean_psycopg3() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"
