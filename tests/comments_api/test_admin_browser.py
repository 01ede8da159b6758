"""The moderation page in real Chromium with JavaScript off (SQLite and PostgreSQL):
sign in, approve a pending comment and see it on the rebuilt page; a form posted from
another site, or without the session's token, is refused; strangers get 401 or 403."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.comments_api.conftest import ADMIN_TOKEN, ApiFactory
from tests.conftest import REPO, SiteFactory

pytestmark = pytest.mark.browser


def build(site: Path) -> Path:
    """``veille build`` in its own process (Playwright's loop owns this thread)."""
    done = subprocess.run(
        [sys.executable, "-m", "generator.commands.cli", "build", "--site", str(site)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return site.parent / "public"


def test_approve_without_javascript_then_the_rebuilt_page_shows_it(
    browser: Any,
    make_site: SiteFactory,
    make_api: ApiFactory,
    db_url: str,
    serve_dir: Callable[[Path], str],
    tmp_path: Path,
) -> None:
    site = make_site(comments={"database": db_url, "moderation": "all"})
    public = build(site)
    thread = json.loads((public / "items.json").read_text())["items"][0]["path"]
    api = make_api(moderation="all")
    posted = api.post("Moderated *hello* from Ada", thread=thread)
    assert posted.json()["status"] == "pending"
    comment = posted.json()["id"]

    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 800})
    page = context.new_page()
    assert page.goto(api.server.url + "/admin/").status == 401
    page.get_by_label("Admin token").fill(ADMIN_TOKEN)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Waiting for approval (1)")).to_be_visible()
    expect(page.get_by_text("Moderated *hello* from Ada")).to_be_visible()
    shots = Path(os.environ.get("VEILLE_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "admin-375.png"), full_page=True)

    # A form on another origin, even one holding a leaked token, is refused.
    csrf = page.locator('input[name="csrf"]').first.get_attribute("value")
    attacker = tmp_path / "attacker"
    attacker.mkdir()
    (attacker / "index.html").write_text(
        f'<form method="post" action="{api.server.url}/admin/comments/{comment}/reject">'
        f'<input type="hidden" name="csrf" value="{csrf}"><button>Win a prize</button></form>'
    )
    evil = context.new_page()
    evil.goto(serve_dir(attacker) + "/")
    with evil.expect_response(lambda r: "/admin/comments/" in r.url) as refused:
        evil.get_by_role("button", name="Win a prize").click()
    assert refused.value.status == 403
    # A post with the session cookie but without the token is refused too.
    no_token = page.request.post(f"{api.server.url}/admin/comments/{comment}/reject", form={})
    assert no_token.status == 403
    assert api.listing(thread) == []

    page.get_by_role("button", name=f"Approve comment {comment} by Ada").click()
    expect(page.get_by_role("status")).to_contain_text(f"Comment {comment} approved.")
    expect(page.get_by_role("heading", name="Waiting for approval (0)")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text(f"approve comment {comment}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(shots / "admin-1280.png"), full_page=True)

    build(site)
    wall = context.new_page()
    wall.goto(serve_dir(public) + thread)
    body = wall.locator(f"#comment-{comment} .comment-body")
    expect(body).to_have_text("Moderated hello from Ada")
    expect(body.locator("em")).to_have_text("hello")
    context.close()


def test_strangers_get_401_or_403_pages(browser: Any, make_api: ApiFactory) -> None:
    api = make_api(identity="trusted-header", admins=frozenset({"ada@example.com"}))
    for headers, status, heading in (
        ({}, 401, "Sign-in needed"),
        ({"X-Forwarded-Email": "eve@example.com"}, 403, "Not allowed"),
        ({"X-Forwarded-Email": "ada@example.com"}, 200, "Moderation"),
    ):
        context = browser.new_context(java_script_enabled=False, extra_http_headers=headers)
        page = context.new_page()
        assert page.goto(api.server.url + "/admin/").status == status
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        context.close()
