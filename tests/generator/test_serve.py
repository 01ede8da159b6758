"""The dev server as a user meets it: pages, /api on the same origin, rebuild on save."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from comments_api.unsubscribe import make_token
from tests.conftest import SiteFactory, free_port, post_text


@pytest.fixture
def server(make_site: SiteFactory) -> Iterator[tuple[str, Path]]:
    site = make_site()
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator.commands.cli",
            "serve",
            "--site",
            str(site),
            "--port",
            str(port),
        ],
        cwd=site.parent,
        env={
            **{
                k: v
                for k, v in os.environ.items()
                if k not in ("VEILLE_NEWSLETTER_SECRET", "VEILLE_ADMIN_TOKEN")
            },
            "COLUMNS": "200",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail(f"veille serve did not start: {proc.communicate()[0]}")
    yield base, site
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def wait_for(predicate: object, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_pages_api_and_404_on_one_origin(server: tuple[str, Path]) -> None:
    base, _ = server
    page = httpx.get(base + "/posts/2026/first/")
    assert page.status_code == 200
    assert "/__veille/reload" in page.text
    assert httpx.get(base + "/posts/2026/first", follow_redirects=True).status_code == 200
    missing = httpx.get(base + "/nope/")
    assert missing.status_code == 404
    assert "Page not found" in missing.text
    assert httpx.get(base + "/api/health").json()["status"] == "ok"
    assert httpx.get(base + "/../../etc/passwd").status_code == 404


def test_saving_a_post_rebuilds_and_signals_reload(server: tuple[str, Path]) -> None:
    base, site = server
    post = site.parent / "content" / "posts" / "2026" / "first.md"
    with httpx.stream("GET", base + "/__veille/reload", timeout=30) as events:
        lines = events.iter_lines()
        first = next(line for line in lines if line.startswith("data:"))
        post.write_text(post_text({"title": "Renamed", "date": "2026-11-02T10:00"}))
        second = next(line for line in lines if line.startswith("data:"))
    assert first != second
    assert wait_for(lambda: "Renamed" in httpx.get(base + "/posts/2026/first/").text)


def test_a_broken_save_keeps_serving_the_last_good_site(server: tuple[str, Path]) -> None:
    base, site = server
    post = site.parent / "content" / "posts" / "2026" / "first.md"
    post.write_text("---\ntitle: [broken\n---\n")
    time.sleep(1.0)
    page = httpx.get(base + "/posts/2026/first/")
    assert page.status_code == 200
    assert "First" in page.text
    post.write_text(post_text({"title": "Fixed", "date": "2026-11-02T10:00"}))
    assert wait_for(lambda: "Fixed" in httpx.get(base + "/posts/2026/first/").text)


def test_unsubscribe_links_work_under_the_dev_server(server: tuple[str, Path]) -> None:
    base, site = server
    secret_file = site.parent / ".veille" / "newsletter-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    secret = secret_file.read_text(encoding="utf-8").strip()
    url = base + "/api/newsletter/unsubscribe"
    browser = {"accept": "text/html"}
    token = make_token("ada@example.com", secret)
    page = httpx.get(url, params={"token": token}, headers=browser)
    assert page.status_code == 200 and '<form method="post">' in page.text
    done = httpx.post(url, params={"token": token}, headers=browser)
    assert done.status_code == 200 and "will receive no more newsletters" in done.text
    forged = httpx.get(url, params={"token": make_token("ada@example.com", "x")}, headers=browser)
    assert forged.status_code == 400 and forged.headers["content-type"].startswith("text/html")


def test_the_reload_stream_carries_the_build_error_until_a_good_build(
    server: tuple[str, Path],
) -> None:
    base, site = server
    post = site.parent / "content" / "posts" / "2026" / "first.md"
    with httpx.stream("GET", base + "/__veille/reload", timeout=30) as events:
        states = (json.loads(line[5:]) for line in events.iter_lines() if line.startswith("data:"))
        first = next(states)
        assert first["error"] is None
        post.write_text("---\ntitle: [broken\n---\n")
        failed = next(states)
        assert failed["version"] == first["version"]
        assert failed["error"].startswith("content/posts/2026/first.md:3: invalid YAML")
        post.write_text(post_text({"title": "Fixed", "date": "2026-11-02T10:00"}))
        fixed = next(states)
    assert fixed == {"version": first["version"] + 1, "error": None}


def test_the_moderation_page_signs_in_with_the_dev_token_under_the_dev_server(
    server: tuple[str, Path],
) -> None:
    base, site = server
    token_file = site.parent / ".veille" / "admin-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    token = token_file.read_text(encoding="utf-8").strip()
    origin = {"origin": base, "sec-fetch-site": "same-origin"}
    with httpx.Client(base_url=base) as client:
        assert client.get("/admin/").status_code == 401
        wrong = client.post("/admin/signin", data={"token": "nope"}, headers=origin)
        assert wrong.status_code == 403
        signed = client.post("/admin/signin", data={"token": token}, headers=origin)
        assert signed.status_code == 303
        page = client.get("/admin/")
    assert page.status_code == 200 and "Moderation log" in page.text
