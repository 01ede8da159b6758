"""Collections: a fixture site's collection is built, listed, threaded, mailed and found."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from generator.build import build, load_site
from generator.config import load_config
from generator.errors import ContentError
from generator.newsletter.edition import (
    build_edition,
    edition_from_json,
    edition_to_json,
    parse_period,
)
from generator.newsletter.render import render_email
from generator.themes import make_environment
from tests.conftest import SiteFactory, post_text
from tests.htmlcheck import parse_page

NOW = datetime(2026, 12, 1, tzinfo=UTC)
COLLECTION = """\
title: Getting started with data
date: 2026-11-10T09:00
owner: ada
community: data
description: A zygomorphic reading list, **annotated**.
items:
  - thread: /posts/2026/first/
    note: |
      Read **this first**. <script>alert(1)</script>
      [Unsafe](javascript:alert(2)) and [safe](https://example.org/doc).
  - thread: posts/2026/second
  - url: https://example.org/guide
    title: The external guide
    note: Not on the wall, still worth it.
"""


def _site(make_site: SiteFactory, collection: str = COLLECTION) -> Path:
    posts = {
        "2026/first.md": post_text(
            {
                "title": "First",
                "date": "2026-11-02T10:00",
                "author": "ada",
                "tags": ["ai"],
                "community": "data",
            }
        ),
        "2026/second.md": post_text(
            {
                "title": "Second",
                "date": "2026-11-03T10:00",
                "author": "alan",
                "tags": ["crypto"],
                "community": "sec",
            }
        ),
        "2026/third.md": post_text({"title": "Third", "date": "2026-11-04", "tags": ["ai"]}),
    }
    site = make_site(posts=posts, base_url="https://wall.example.org/")
    folder = site.parent / "content" / "collections"
    folder.mkdir()
    (folder / "reading.yaml").write_text(collection, encoding="utf-8")
    return site


@pytest.fixture
def built(make_site: SiteFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    out = tmp_path / "public"
    build(load_config(_site(make_site)), out)
    return out


def test_collection_page_shows_cards_notes_owner_and_one_thread(built: Path) -> None:
    html = (built / "collections" / "reading" / "index.html").read_text()
    page = parse_page(built / "collections" / "reading" / "index.html")
    assert (1, "Getting started with data") in page.headings
    # the items' wall cards, in the collection's order, and the external link
    assert page.has("article", **{"data-thread": "/posts/2026/first/"})
    assert page.has("article", **{"data-thread": "/posts/2026/second/"})
    assert "/posts/2026/third/" not in page.links
    assert html.index("/posts/2026/first/") < html.index("/posts/2026/second/")
    assert "https://example.org/guide" in page.links and "The external guide" in page.text
    # notes and description rendered from Markdown, sanitised
    assert "<strong>this first</strong>" in html and "<strong>annotated</strong>" in html
    assert "alert(" not in html and "javascript:" not in html
    assert "https://example.org/doc" in page.links
    # owner, community, and the collection's own comment thread, indexed like an item
    assert "/people/ada/" in page.links and "/communities/data/" in page.links
    assert page.has("section", id="comments", **{"data-thread": "/collections/reading/"})
    body = [a for t, a in page.tags if "data-pagefind-body" in a]
    assert [a.get("data-thread") for a in body] == ["/collections/reading/"]


def test_collection_is_listed_on_tag_owner_community_and_index(built: Path) -> None:
    for where in ("tags/ai", "tags/crypto", "people/ada", "communities/data", "collections"):
        page = parse_page(built / where / "index.html")
        assert "/collections/reading/" in page.links, where
    ai = parse_page(built / "tags" / "ai" / "index.html")
    assert (2, "Collections on this topic") in ai.headings
    for where in ("people/alan", "communities/sec"):
        assert "/collections/reading/" not in parse_page(built / where / "index.html").links


def test_comments_api_accepts_the_collection_thread_items_json_unchanged(built: Path) -> None:
    assert "/collections/reading/" in json.loads((built / "threads.json").read_text())
    items = json.loads((built / "items.json").read_text())["items"]
    assert {i["kind"] for i in items} == {"post"}
    assert "/collections/reading/" in (built / "sitemap.xml").read_text()


def test_new_collection_in_the_newsletter_of_its_week(make_site: SiteFactory) -> None:
    config = load_config(_site(make_site, COLLECTION + "\n"))
    site = load_site(config)
    week = build_edition(site, config, parse_period("2026-W46", None, config, NOW), NOW)
    (entry,) = week.collections
    assert (entry.title, entry.author) == ("Getting started with data", "Ada Lovelace")
    assert entry.url == "https://wall.example.org/collections/reading/"
    assert entry.excerpt == "A zygomorphic reading list, annotated."
    assert not week.is_empty
    text = render_email(week, config, make_environment(config)).text
    assert "New collections" in text and "Getting started with data" in text
    assert edition_from_json(edition_to_json(week)) == week
    later = build_edition(site, config, parse_period("2026-W47", None, config, NOW), NOW)
    assert later.collections == ()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("owner: ada", "owner: alna"),
            "reading.yaml:3: owner: unknown person id 'alna' (did you mean 'alan'?); "
            "expected one of: ada, alan",
        ),
        (
            ("community: data", "community: dat"),
            "reading.yaml:4: community: unknown community id 'dat' (did you mean 'data'?); "
            "expected one of: data, sec",
        ),
        (
            ("thread: posts/2026/second", "thread: /posts/2026/secnd/"),
            "reading.yaml:11: items[1].thread: no published item at '/posts/2026/secnd/' "
            "(did you mean '/posts/2026/second/'?)",
        ),
        (
            ("thread: posts/2026/second", "thread: /posts/2026/first/"),
            "reading.yaml:11: items[1].thread: '/posts/2026/first/' is listed twice",
        ),
        (
            ("  - url: https://example.org/guide", "  - url: ftp://example.org/guide"),
            "reading.yaml:12: items[2].url: expected an http(s) URL, got 'ftp://example.org/guide'",
        ),
        (
            ("    title: The external guide", "    thread: /posts/2026/third/"),
            "reading.yaml:12: items[2]: expected exactly one of 'thread' (an item path) or 'url'",
        ),
        (
            ("date: 2026-11-10T09:00\n", ""),
            "reading.yaml:1: date: required",
        ),
        (
            ("description:", "descripton:"),
            "reading.yaml:5: descripton: unknown key (did you mean 'description'?); "
            "expected one of: community, date, description, items, owner, title",
        ),
    ],
)
def test_broken_collection_gives_the_exact_line(
    make_site: SiteFactory, change: tuple[str, str], expected: str
) -> None:
    site = _site(make_site, COLLECTION.replace(*change, 1))
    with pytest.raises(ContentError) as caught:
        load_site(load_config(site))
    assert [f"{Path(p.path).name}:{str(p).split(':', 1)[1]}" for p in caught.value.problems] == [
        expected
    ]


@pytest.mark.browser
def test_search_finds_the_collection(built: Path, serve_dir: Any, browser: Any) -> None:
    base = serve_dir(built)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(base + "/search/?q=zygomorphic")
        page.wait_for_selector(".search-result-title", timeout=30000)
        hrefs = [a.get_attribute("href") for a in page.locator(".search-result-title").all()]
        assert any(h and h.endswith("/collections/reading/") for h in hrefs), hrefs
    finally:
        context.close()
