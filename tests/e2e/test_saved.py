"""Save for later and /me/ in real headless Chromium, against the real `veille serve`.

Open mode: the toggle keeps its state in localStorage across a reload, and /me/ lists
it. Trusted-header mode (the SSO header injected as the proxy would): the toggle
without JavaScript posts the form and comes back; /me/ lists the saved item and a
reply received.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from playwright.sync_api import expect

from tests.e2e.conftest import Served

pytestmark = pytest.mark.browser
ADA = {"X-Forwarded-Email": "ada@example.com"}
BOB = {"X-Forwarded-Email": "bob@example.com"}


@pytest.fixture
def served_sso(sample_site: Path, request: pytest.FixtureRequest) -> Iterator[Served]:
    """The sample site behind a (simulated) single sign-on proxy: trusted-header identity."""
    config = yaml.safe_load(sample_site.read_text(encoding="utf-8"))
    config["comments"]["identity"] = "trusted-header"
    sample_site.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    served: Served = request.getfixturevalue("served")
    yield served


def title_of(served: Served, thread: str) -> str:
    items = httpx.get(served.url("/items.json")).json()["items"]
    title: str = next(i["title"] for i in items if i["path"] == thread)
    return title


def test_open_mode_toggle_survives_a_reload_and_shows_on_me(browser: Any, served: Served) -> None:
    thread = served.a_post()
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(served.url(thread))
    button = page.locator("article.item button.save-toggle")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("aria-pressed", "false")
    button.focus()
    page.keyboard.press("Enter")  # keyboard first
    expect(button).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("article.item button.save-toggle")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.goto(served.url("/me/"))
    expect(
        page.locator("#me-saved article.card a", has_text=title_of(served, thread))
    ).to_be_visible()
    page.locator("#me-saved button.save-toggle").click()
    expect(page.locator("#me-saved article.card")).to_have_count(0)
    context.close()


def test_trusted_header_form_post_without_js_and_me_with_a_reply(
    browser: Any, served_sso: Served
) -> None:
    served = served_sso
    thread = served.a_post()
    nojs = browser.new_context(java_script_enabled=False, extra_http_headers=ADA)
    page = nojs.new_page()
    page.goto(served.url(thread))
    page.locator("article.item button.save-toggle").click()
    page.wait_for_load_state()
    assert page.url == served.url(thread)  # 303 back to the page
    listing = httpx.get(served.url("/api/saved"), headers=ADA).json()
    assert [s["thread"] for s in listing] == [thread]
    assert httpx.get(served.url("/api/saved"), headers=BOB).json() == []
    nojs.close()

    mine = httpx.post(
        served.url("/api/comments"),
        params={"thread": thread},
        json={"body": "Ada asks"},
        headers=ADA,
    ).json()
    httpx.post(
        served.url("/api/comments"),
        params={"thread": thread},
        json={"body": "Bob answers", "parent": mine["id"]},
        headers=BOB,
    )
    context = browser.new_context(locale="en-GB", extra_http_headers=ADA)
    page = context.new_page()
    page.goto(served.url(thread))
    expect(page.locator("article.item button.save-toggle")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.goto(served.url("/me/"))
    expect(
        page.locator("#me-saved article.card a", has_text=title_of(served, thread))
    ).to_be_visible()
    expect(page.locator("#me-comments")).to_contain_text("Ada asks")
    reply = page.locator("#me-replies li", has_text="Bob answers")
    expect(reply).to_be_visible()
    assert (reply.locator("a").get_attribute("href") or "").startswith(thread + "#comment-")
    page.locator("#me-propose").click()
    assert f"thread: {thread}" in page.locator("#me-yaml").input_value()
    context.close()
