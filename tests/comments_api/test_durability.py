"""Durability: a server killed with SIGKILL mid-load loses no acknowledged comment.

The server runs as a real subprocess (``veille comments serve``); clients post
concurrently; the process is killed; after a restart every comment that got a
201 is there, with its body.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml

from tests.comments_api.conftest import ADMIN_TOKEN
from tests.conftest import free_port

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def start_server(
    site: Path, db_url: str, port: int, log: Path, *extra: str
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "VEILLE_ADMIN_TOKEN": ADMIN_TOKEN}
    command = [sys.executable, "-c", "from generator.commands.comments import comments; comments()"]
    command += ["serve", "--site", str(site)]
    command += ["--db", db_url, "--port", str(port), *(extra or ("--no-access-log",))]
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"server did not start: {log.read_text()[-2000:]}")


def test_kill_9_mid_load_loses_no_acknowledged_comment(db_url: str, tmp_path: Path) -> None:
    site = tmp_path / "site.yaml"
    site.write_text(yaml.safe_dump({"title": "T", "comments": {"rate_limit_per_minute": 0}}))
    port = free_port()
    log = tmp_path / "server.log"
    server = start_server(site, db_url, port, log)
    acknowledged: list[tuple[int, str]] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(n: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
            i = 0
            while not stop.is_set():
                body = f"client {n} comment {i}"
                try:
                    answer = http.post(
                        "/api/comments",
                        params={"thread": f"/posts/durability-{i % 5}/"},
                        json={"body": body, "author_name": f"c{n}"},
                    )
                except httpx.HTTPError:
                    return  # the server is gone
                if answer.status_code == 201:
                    with lock:
                        acknowledged.append((answer.json()["id"], body))
                i += 1

    clients = [threading.Thread(target=client, args=(n,)) for n in range(8)]
    for thread in clients:
        thread.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 150 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(server.pid, signal.SIGKILL)  # mid-load: requests are in flight
    server.wait(10)
    stop.set()
    for thread in clients:
        thread.join(10)
    assert len(acknowledged) >= 150, log.read_text()[-2000:]

    server = start_server(site, db_url, port, log)
    try:
        export = httpx.get(
            f"http://127.0.0.1:{port}/api/export",
            headers={"authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=30,
        )
        stored = {}
        for line in export.text.splitlines():
            record = json.loads(line)
            stored[record["id"]] = record["body"]
        missing = [(cid, body) for cid, body in acknowledged if stored.get(cid) != body]
        assert missing == []
        total = sum(
            httpx.get(
                f"http://127.0.0.1:{port}/api/counts",
                params={"thread": [f"/posts/durability-{i}/" for i in range(5)]},
            )
            .json()
            .values()
        )
        assert total == len(stored) >= len(acknowledged)
    finally:
        server.terminate()
        server.wait(10)


def test_two_workers_serve_without_delayed_ack_stalls(tmp_path: Path) -> None:
    """uvicorn's own multi-process socket loses TCP_NODELAY (~40 ms per answer); ours not."""
    site = tmp_path / "site.yaml"
    site.write_text(yaml.safe_dump({"title": "T"}))
    port = free_port()
    log = tmp_path / "server.log"
    server = start_server(
        site, f"sqlite:///{tmp_path}/c.db", port, log, "--workers", "2", "--no-access-log"
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            http.post(
                "/api/comments",
                params={"thread": "/t/"},
                json={"body": "x" * 3000, "author_name": "a"},
            )
            timings = []
            for _ in range(40):
                start = time.perf_counter()
                assert http.get("/api/comments", params={"thread": "/t/"}).status_code == 200
                timings.append(time.perf_counter() - start)
        timings.sort()
        assert timings[len(timings) // 2] < 0.030, timings
    finally:
        server.terminate()
        server.wait(20)


def test_logs_never_hold_tokens_or_capability_urls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from comments_api.unsubscribe import make_token

    site = tmp_path / "site.yaml"
    site.write_text(yaml.safe_dump({"title": "T"}))
    port = free_port()
    log = tmp_path / "server.log"
    monkeypatch.setenv("VEILLE_NEWSLETTER_SECRET", "s3cret")
    server = start_server(site, f"sqlite:///{tmp_path}/c.db", port, log, "--access-log")
    unsubscribe = make_token("ada@example.com", "s3cret")
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as http:
            created = http.post(
                "/api/comments", params={"thread": "/t/"}, json={"body": "x", "author_name": "a"}
            ).json()
            token = created["edit_token"]
            bearer = {"authorization": f"Bearer {token}"}
            http.patch(f"/api/comments/{created['id']}", json={"body": "y"}, headers=bearer)
            http.get("/api/newsletter/unsubscribe", params={"token": unsubscribe})
            http.post("/api/newsletter/unsubscribe", params={"token": unsubscribe})
            http.get("/api/export", headers={"authorization": f"Bearer {ADMIN_TOKEN}"})
            http.get("/api/export", params={"token": ADMIN_TOKEN})
            http.delete(f"/api/comments/{created['id']}", headers=bearer)
    finally:
        server.terminate()
        server.wait(20)
    text = log.read_text()
    assert "/api/newsletter/unsubscribe?[redacted]" in text  # the access log is on
    for secret in (token, unsubscribe, ADMIN_TOKEN, unsubscribe.split(".")[1]):
        assert secret not in text
