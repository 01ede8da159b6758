"""Live reload: an open page refreshes itself when its post's file changes."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Served

pytestmark = pytest.mark.browser


def test_an_open_page_reloads_after_its_post_changes(browser: Any, served: Served) -> None:
    thread = served.a_post()
    slug = thread.rstrip("/").rsplit("/", 1)[-1]
    source = next(
        p
        for p in (served.root / "content" / "posts").rglob("*.md")
        if p.stem == slug or slug in p.read_text(encoding="utf-8")
    )
    context = browser.new_context()
    page = context.new_page()
    page.goto(served.url(thread))
    title = page.locator("h1").first.inner_text()
    page.evaluate("window.__notReloaded = true")
    page.wait_for_timeout(500)  # the reload stream has sent the current build version

    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace(title, title + " (updated)", 1), encoding="utf-8")

    expect(page.locator("h1").first).to_have_text(title + " (updated)", timeout=20_000)
    assert page.evaluate("window.__notReloaded === undefined")  # a real reload, not a patch
    context.close()
