"""The comments widget in real headless Chromium, against the real `veille serve`.

With JavaScript: post, reply, react, edit, delete, reload and see it all; the
wall's counts come from one /api/counts call. Without JavaScript: the plain
form posts and the page shows the comment after the redirect. Hostile bodies
never run script.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Served

pytestmark = pytest.mark.browser

HOSTILE = (
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    "<script>alert(1)</script> <svg onload=alert(1)>",
)


def open_page(browser: Any, url: str, javascript: bool = True) -> tuple[Page, list[str]]:
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB")
    page = context.new_page()
    dialogs: list[str] = []

    # Record every dialog; only the widget's own "delete?" confirmation is accepted.
    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{dialog.type}: {dialog.message}")
        if dialog.type == "confirm":
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url)
    return page, dialogs


def comment(page: Page, text: str) -> Any:
    return page.locator("li.comment", has=page.locator(".comment-body", has_text=text)).first


def test_with_javascript_a_reader_posts_replies_reacts_edits_and_deletes(
    browser: Any, served: Served, tmp_path: Path
) -> None:
    thread = served.a_post()
    page, dialogs = open_page(browser, served.url(thread))
    expect(page.locator("section.comments.is-live")).to_be_visible()

    page.get_by_label("Your name").first.fill("Ada")
    page.get_by_label("Comment", exact=True).fill("Hello **world**")
    page.get_by_role("button", name="Post comment").click()
    first = comment(page, "Hello world")
    expect(first.locator(".comment-body strong")).to_have_text("world")
    expect(page.locator("[data-live]")).to_have_text("Your comment was posted.")
    expect(first.locator(":scope > article")).to_be_focused()
    expect(page.locator("#comments-heading")).to_have_text("1 comment")
    first = page.locator(f"#comment-{first.get_attribute('data-id')}")

    first.get_by_role("button", name="Reply to Ada").click()
    reply_box = first.get_by_label("Your reply")
    expect(reply_box).to_be_focused()  # focus moves into the form it opened
    reply_box.fill("A reply, in a *thread*")
    first.get_by_role("button", name="Post reply").click()
    reply = first.locator(".comment-replies li.comment").first
    expect(reply.locator(".comment-body")).to_contain_text("A reply, in a thread")
    expect(page.locator("[data-live]")).to_have_text("Your reply was posted.")

    like = first.locator(":scope > article").get_by_role("button", name=re.compile("^Like"))
    like.click()
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".reaction-count")).to_have_text("1")

    first.locator(":scope > article").get_by_role("button", name="Edit").click()
    edit_box = first.get_by_label("Edit your comment")
    expect(edit_box).to_have_value("Hello **world**")  # the Markdown typed, not the HTML
    edit_box.fill("Hello *edited* world")
    first.get_by_role("button", name="Save").click()
    expect(first.locator(":scope > article .comment-body em")).to_have_text("edited")
    expect(first.locator(":scope > article .comment-edited")).to_be_visible()

    page.reload()
    first = comment(page, "Hello edited world")
    expect(first.locator(":scope > article .comment-body")).to_have_text("Hello edited world")
    expect(first.locator(".comment-replies .comment-body")).to_contain_text("A reply")
    like = first.locator(":scope > article").get_by_role("button", name=re.compile("^Like"))
    expect(like).to_have_attribute("aria-pressed", "true")
    expect(like.locator(".reaction-count")).to_have_text("1")
    expect(page.locator("#comments-heading")).to_have_text("2 comments")

    shots = Path(os.environ.get("VEILLE_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.locator("#comments").screenshot(path=str(shots / f"comments-{scheme}.png"))
        assert (shots / f"comments-{scheme}.png").stat().st_size > 5_000

    reply = first.locator(".comment-replies li.comment").first
    reply.get_by_role("button", name="Delete").click()
    expect(first.locator(".comment-replies")).to_have_count(0)
    expect(page.locator("[data-live]")).to_have_text("Your comment was deleted.")
    expect(page.locator("#comments-heading")).to_have_text("1 comment")
    assert dialogs == ["confirm: Delete this comment? This cannot be undone."]

    counts: list[str] = []
    page.on("request", lambda r: counts.append(r.url) if "/api/counts" in r.url else None)
    page.goto(served.url("/"))
    expect(page.locator(f'[data-count-for="{thread}"]').first).to_have_text("1 comment")
    page.wait_for_load_state("networkidle")
    assert len(counts) == 1
    page.context.close()


def test_without_javascript_the_form_posts_and_the_page_shows_the_comment(
    browser: Any, served: Served
) -> None:
    thread = served.a_post()
    page, _ = open_page(browser, served.url(thread), javascript=False)
    page.get_by_label("Your name").first.fill("Grace")
    page.get_by_label("Comment", exact=True).fill("Posted **without** JavaScript")
    page.get_by_role("button", name="Post comment").click()
    page.wait_for_url(re.compile(re.escape(thread) + r"#comment-\d+$"))
    posted = comment(page, "Posted without JavaScript")
    expect(posted.locator(".comment-author")).to_have_text("Grace")
    expect(posted.locator(".comment-body strong")).to_have_text("without")
    expect(page.locator("#comments-heading")).to_have_text("1 comment")

    # A reply through the plain form that each comment carries.
    posted.locator("summary", has_text="Reply").click()
    posted.get_by_label("Your name").fill("Alan")
    posted.get_by_label("Your reply").fill("And a reply without it")
    posted.get_by_role("button", name="Post reply").click()
    page.wait_for_load_state()
    reply = comment(page, "Posted without JavaScript").locator(".comment-replies .comment")
    expect(reply.locator(".comment-body")).to_have_text("And a reply without it")

    page.goto(served.url("/"))
    expect(page.locator(f'[data-count-for="{thread}"]').first).to_have_text("2 comments")
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_hostile_comments_run_nothing(browser: Any, served: Served, javascript: bool) -> None:
    thread = served.a_post()
    origin = {"origin": served.base}
    for body in HOSTILE:
        answer = httpx.post(
            served.url(f"/api/comments?thread={thread}"),
            json={"body": body, "author_name": "Mallory <b onmouseover=alert(1)>"},
            headers=origin,
        )
        assert answer.status_code == 201, answer.text
    # A form post makes the dev server rebuild, so the static snapshot has them too.
    form = httpx.post(
        served.url(f"/api/comments?thread={thread}"),
        data={"body": "<img src=x onerror=alert(1)>", "author_name": "Eve"},
        headers=origin,
    )
    assert form.status_code == 303

    page, dialogs = open_page(browser, served.url(thread), javascript)
    if javascript:
        expect(page.locator("section.comments.is-live")).to_be_visible()
    expect(page.locator("li.comment")).to_have_count(len(HOSTILE) + 1)
    link = page.get_by_text("click me")
    if link.count():
        link.first.click()
    page.locator("li.comment .comment-author").first.hover()
    page.wait_for_timeout(300)
    assert dialogs == []
    assert page.locator(".comment-body img, .comment-body svg, .comment-body script").count() == 0
    assert page.locator('a[href^="javascript:"]').count() == 0
    expect(page.locator("li.comment .comment-author").first).to_contain_text("Mallory <b")
    expect(page.locator(".comment-body").first).to_contain_text("<img src=x onerror=alert(1)>")
    page.context.close()
