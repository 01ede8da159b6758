"""The servers under test: Veille (SQLite, PostgreSQL, one or two workers), Isso, the yardstick.

Each target knows how to start on a loopback port, seed the same data, and
build the raw requests of each scenario. Servers run as subprocesses in their
own session and are always stopped.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.comments.load import request

ROOT = Path(__file__).resolve().parents[2]
LIST_THREAD = "/bench/list-50/"
COUNT_THREADS = tuple(f"/bench/count-{i}/" for i in range(20))
POST_THREADS = 100
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def body(i: int) -> str:
    return f"Comment {i}: a **useful** remark with a [link](https://example.com/{i}) and `code`."


@dataclass
class Target:
    """One server: how to start it and what its requests look like."""

    name: str
    command: list[str]
    port: int
    kind: str  # "veille", "isso" or "baseline"
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    cleanup: list[Callable[[], None]] = field(default_factory=list)

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def start(self, log: Path, health: str, timeout: float = 60) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {log.read_text()[-800:]}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + health, timeout=1).status_code < 500:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not start in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        for step in reversed(self.cleanup):
            step()
        self.cleanup.clear()

    # requests -------------------------------------------------------------------
    def list_request(self) -> bytes:
        if self.kind == "isso":
            return request("GET", f"/?uri={LIST_THREAD}", self.host)
        return request("GET", f"/api/comments?thread={LIST_THREAD}", self.host)

    def counts_request(self) -> bytes:
        if self.kind == "isso":
            data = json.dumps(list(COUNT_THREADS)).encode()
            return request("POST", "/count", self.host, data, "application/json")
        query = "&".join(f"thread={t}" for t in COUNT_THREADS)
        return request("GET", f"/api/counts?{query}", self.host)

    def post_request(self, run: str) -> Callable[[int], bytes]:
        """Posts spread over fresh threads: each run creates its own first comments."""

        def make(i: int) -> bytes:
            thread = f"/bench/post-{run}-{i % POST_THREADS}/"
            if self.kind == "isso":
                payload = {"text": body(i), "author": "Bench", "title": "Bench thread"}
                data = json.dumps(payload).encode()
                return request("POST", f"/new?uri={thread}", self.host, data, "application/json")
            data = json.dumps({"body": body(i), "author_name": "Bench"}).encode()
            return request(
                "POST", f"/api/comments?thread={thread}", self.host, data, "application/json"
            )

        return make

    # data -----------------------------------------------------------------------
    def seed(self) -> None:
        """A 50-comment thread to list and 20 threads to count (a few comments each)."""
        with httpx.Client(base_url=self.url, timeout=30) as http:
            for i in range(50):
                self._post(http, LIST_THREAD, body(i))
            for n, thread in enumerate(COUNT_THREADS):
                for i in range(1 + n % 3):
                    self._post(http, thread, body(i))

    def _post(self, http: httpx.Client, thread: str, text: str) -> None:
        if self.kind == "isso":
            answer = http.post(
                "/new",
                params={"uri": thread},
                json={"text": text, "author": "Seed", "title": "Seed"},
            )
        else:
            answer = http.post(
                "/api/comments",
                params={"thread": thread},
                json={"body": text, "author_name": "Seed"},
            )
        answer.raise_for_status()


def veille(work: Path, db: str, workers: int = 1) -> Target:
    """``veille comments serve`` on SQLite (a fresh file) or PostgreSQL (a fresh database)."""
    site = work / "site" / "site.yaml"
    site.parent.mkdir(parents=True, exist_ok=True)
    site.write_text("title: Bench\ncomments:\n  rate_limit_per_minute: 0\n")
    port = free_port()
    cleanup: list[Callable[[], None]] = []
    if db == "sqlite":
        path = work / f"veille-{port}.db"
        url = f"sqlite:///{path}"
        cleanup.append(
            lambda: [p.unlink(missing_ok=True) for p in path.parent.glob(path.name + "*")]
        )
    else:
        url, drop = create_pg_database()
        cleanup.append(drop)
    command = [
        sys.executable,
        "-c",
        "from generator.commands.comments import comments; comments()",
        "serve",
    ]
    command += ["--site", str(site), "--db", url, "--port", str(port), "--no-access-log"]
    command += ["--workers", str(workers)]
    name = f"veille-{db}" + (f"-{workers}w" if workers > 1 else "")
    return Target(name, command, port, "veille", cleanup=cleanup)


def baseline(work: Path, listing: bytes, counts: bytes) -> Target:
    source = work / "baseline-list.json"
    source.write_bytes(listing)
    Path(str(source) + ".counts").write_bytes(counts)
    port = free_port()
    command = [sys.executable, "-m", "bench.comments.baseline", str(source), str(port)]
    return Target("fastapi-bare", command, port, "baseline")


def isso(work: Path) -> Target | None:
    """Isso from PyPI on its own server (``isso run``), with its guard off; None if absent."""
    executable = shutil.which("isso", path=str(Path(sys.executable).parent))
    if executable is None:
        return None
    port = free_port()
    db = work / f"isso-{port}.db"
    config = work / "isso.cfg"
    config.write_text(
        "[general]\n"
        f"dbpath = {db}\n"
        f"host = http://127.0.0.1:{port}/\n"
        "[server]\n"
        f"listen = http://127.0.0.1:{port}/\n"
        "[moderation]\nenabled = false\n"
        "[guard]\nenabled = false\n"
        "[markup]\nrenderer = mistune\n"
    )
    target = Target("isso", [executable, "-c", str(config), "run"], port, "isso")
    target.cleanup.append(lambda: [p.unlink(missing_ok=True) for p in work.glob(db.name + "*")])
    return target


def create_pg_database() -> tuple[str, Callable[[], None]]:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    name = f"veille_bench_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, drop
