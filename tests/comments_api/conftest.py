"""Fixtures for the comments API: one parametrised database fixture (SQLite and PostgreSQL)
and factories for settings, apps and HTTP clients.

PostgreSQL runs use a database created for the session (``veille_test_<random>``,
dropped at the end) so that several runs can coexist; under ``CI=true`` they must run.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from comments_api.app import create_app
from comments_api.settings import Settings
from comments_api.store import Store
from tests.conftest import IN_CI

PG_ADMIN_URL = os.environ.get(
    "VEILLE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
TABLES = (
    "notification_settings, notifications, moderation_log, saved, suppressions, accounts, "
    "reactions, comments, threads"
)
ADMIN_TOKEN = "admin-secret-token-for-tests"
THREAD = "/posts/2026/llm-ops/"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A PostgreSQL database of our own for this session; its URL."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL is not reachable at {PG_ADMIN_URL}: {str(exc).splitlines()[0]}"
        if IN_CI:
            pytest.fail(message + " (run `bash scripts/system-deps.sh`)")
        pytest.skip(message)
    name = f"veille_test_{secrets.token_hex(6)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty comments database, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'comments.db'}"
    url: str = request.getfixturevalue("pg_database")
    engine = create_engine(url)
    with engine.begin() as conn:
        exists = conn.execute(text("SELECT to_regclass('public.threads')")).scalar()
        if exists:
            conn.execute(text(f"TRUNCATE {TABLES} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


class LiveServer:
    """The app served by uvicorn on a loopback port, in a thread of the test process."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.005)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, peer: str = "127.0.0.1") -> httpx.Client:
        """A client whose requests come from ``peer`` (any 127.0.0.0/8 address)."""
        transport = httpx.HTTPTransport(local_address=peer)
        return httpx.Client(base_url=self.url, transport=transport, timeout=30)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@dataclass
class Api:
    """A client on a fresh app served over HTTP, with what built it."""

    client: httpx.Client
    settings: Settings
    store: Store
    app: Any
    server: LiveServer

    def post(self, body: str = "Hello", thread: str = THREAD, **fields: Any) -> Any:
        payload = {"body": body, "author_name": "Ada", **fields}
        return self.client.post("/api/comments", params={"thread": thread}, json=payload)

    def listing(self, thread: str = THREAD) -> list[dict[str, Any]]:
        answer = self.client.get("/api/comments", params={"thread": thread})
        assert answer.status_code == 200, answer.text
        result: list[dict[str, Any]] = answer.json()
        return result


ApiFactory = Callable[..., Api]


@pytest.fixture
def make_api(db_url: str, tmp_path: Path) -> Iterator[ApiFactory]:
    """Build apps on the test database: ``make_api(moderation="all", client=("10.0.0.1", 1))``."""
    made: list[Api] = []

    def factory(
        *,
        peer: str = "127.0.0.1",
        threads: list[str] | None = None,
        **overrides: Any,
    ) -> Api:
        threads_file = None
        if threads is not None:
            threads_file = tmp_path / f"threads-{len(made)}.json"
            import json

            threads_file.write_text(json.dumps(threads))
        settings = replace(
            Settings(
                database_url=db_url,
                admin_token=ADMIN_TOKEN,
                newsletter_secret="newsletter-secret",
                threads_file=threads_file,
                rate_limit_per_minute=0,
            ),
            **overrides,
        )
        store = Store(db_url)
        app = create_app(settings, store)
        server = LiveServer(app)
        api = Api(server.client(peer), settings, store, app, server)
        made.append(api)
        return api

    yield factory
    for api in made:
        api.client.close()
        api.server.stop()
        api.store.dispose()


@pytest.fixture
def api(make_api: ApiFactory) -> Api:
    """The app with default settings (open identity, no moderation)."""
    return make_api()


def admin_headers() -> dict[str, str]:
    return {"authorization": f"Bearer {ADMIN_TOKEN}"}


def assert_error(answer: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The answer is the API's JSON error shape with this status (and code)."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    assert "Traceback" not in answer.text
    result: dict[str, Any] = body["error"]
    return result
