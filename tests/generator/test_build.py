"""The built wall, read as a user would: pages, links, pagination, feeds, determinism."""

from __future__ import annotations

import json
import logging
import os
import resource
import shutil
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import feedparser
import pytest

from generator.build import build
from generator.config import load_config
from generator.errors import ContentError
from tests.conftest import SiteFactory, post_text
from tests.htmlcheck import local_target, parse_page

EPOCH = "1764400000"  # 2025-11-29: fixed "now" for reproducible output
COLLECTIONS = {"/collections/kubernetes-upgrades/"}  # the sample collection's own thread


@pytest.fixture
def built(sample_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "public"
    build(load_config(sample_site), out)
    return out


def test_every_local_link_resolves_to_a_file(built: Path) -> None:
    pages = sorted(built.rglob("*.html"))
    assert len(pages) > 40
    broken = []
    for page in pages:
        parsed = parse_page(page)
        for href in parsed.links + parsed.sources:
            target = local_target(built, href)
            if target is not None and not target.is_file():
                broken.append(f"{page.relative_to(built)} → {href}")
    assert broken == []


def test_every_item_has_a_page_and_a_thread(built: Path, sample_site: Path) -> None:
    threads = json.loads((built / "threads.json").read_text())
    posts = [p for p in (sample_site.parent / "content" / "posts").rglob("*.md")]
    drafts = [p for p in posts if "draft: true" in p.read_text()]
    assert len([t for t in threads if t.startswith("/posts/")]) == len(posts) - len(drafts)
    for thread in threads:
        page = parse_page(built / thread.strip("/") / "index.html")
        assert [level for level, _ in page.headings].count(1) == 1, thread
        assert page.has("section", id="comments")


def test_wall_pagination_is_complete_and_ordered(built: Path, sample_site: Path) -> None:
    per_page = load_config(sample_site).per_page
    threads = set(json.loads((built / "threads.json").read_text())) - COLLECTIONS
    seen: list[str] = []
    page_file = built / "index.html"
    number = 1
    while True:
        page = parse_page(page_file)
        cards = [a["data-thread"] for t, a in page.tags if t == "article" and a.get("data-thread")]
        assert 0 < len(cards) <= per_page
        seen += [str(c) for c in cards]
        nexts = [a["href"] for t, a in page.tags if t == "a" and a.get("rel") == "next"]
        if not nexts:
            break
        number += 1
        assert nexts[0] == f"/page/{number}/"
        page_file = built / "page" / str(number) / "index.html"
    assert sorted(seen) == sorted(threads)
    assert len(seen) == len(set(seen))


def _wall_cards(built: Path) -> list[tuple[bool, datetime]]:
    """Every card of the wall, all pages in order: (pinned, the date its card shows)."""
    cards: list[tuple[bool, datetime]] = []
    page_file, number = built / "index.html", 1
    while page_file.is_file():
        article: str | None = None
        for tag, attrs in parse_page(page_file).tags:
            if tag == "article":
                article = attrs.get("class") or ""
            elif tag == "time" and article is not None:  # a card's first <time> is its date
                cards.append(
                    ("is-pinned" in article, datetime.fromisoformat(attrs["datetime"] or ""))
                )
                article = None
        number += 1
        page_file = built / "page" / str(number) / "index.html"
    return cards


def test_pinned_items_come_first_then_newest(built: Path) -> None:
    cards = _wall_cards(built)
    pinned = [date for is_pinned, date in cards if is_pinned]
    rest = [date for is_pinned, date in cards if not is_pinned]
    assert pinned and rest
    assert cards[: len(pinned)] == [(True, date) for date in pinned]  # all pinned ones first
    assert pinned == sorted(pinned, reverse=True)
    assert rest == sorted(rest, reverse=True)


def test_atom_feed_round_trips(built: Path, sample_site: Path) -> None:
    parsed = feedparser.parse((built / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    threads = json.loads((built / "threads.json").read_text())
    base = load_config(sample_site).base_url
    assert parsed.feed.title == load_config(sample_site).title
    items = set(threads) - COLLECTIONS  # a collection has a thread but is not a feed entry
    assert {e.link for e in parsed.entries} == {base + t.lstrip("/") for t in items}
    assert all(e.published_parsed for e in parsed.entries)


def test_sitemap_and_404(built: Path) -> None:
    sitemap = (built / "sitemap.xml").read_text()
    assert "<loc>http://127.0.0.1:8000/people/</loc>" in sitemap
    assert parse_page(built / "404.html").headings[0] == (1, "Page not found")


def test_people_directory_shows_expertise_and_posts(built: Path, sample_site: Path) -> None:
    people = parse_page(built / "people" / "index.html")
    directory = (sample_site.parent / "content" / "people.yaml").read_text()
    assert people.text.count("·") >= 1
    import yaml

    first = yaml.safe_load(directory)[0]
    assert first["name"] in people.text
    person = parse_page(built / "people" / first["id"] / "index.html")
    for skill in first["expertise"]:
        assert skill in person.text


def test_same_inputs_give_identical_bytes(
    sample_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    config = load_config(sample_site)
    build(config, tmp_path / "a")
    build(config, tmp_path / "b")
    files_a = sorted(
        p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file()
    )
    files_b = sorted(
        p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file()
    )
    assert files_a == files_b
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_drafts_flag_publishes_drafts(make_site: SiteFactory, tmp_path: Path) -> None:
    site = make_site(
        posts={"2026/wip.md": post_text({"title": "WIP", "date": "2026-11-01", "draft": True})}
    )
    config = load_config(site)
    build(config, tmp_path / "out")
    assert not (tmp_path / "out" / "posts" / "2026" / "wip" / "index.html").exists()
    build(config, tmp_path / "out", drafts=True)
    assert (tmp_path / "out" / "posts" / "2026" / "wip" / "index.html").exists()


def test_french_site_translates_ui_and_dates(make_site: SiteFactory, tmp_path: Path) -> None:
    site = make_site(language="fr")
    build(load_config(site), tmp_path / "out")
    home = parse_page(tmp_path / "out" / "index.html")
    assert home.lang == "fr"
    assert "Aller au contenu" in home.text
    assert "2 nov. 2026" in home.text
    item = parse_page(tmp_path / "out" / "posts" / "2026" / "first" / "index.html")
    assert "2 novembre 2026" in item.text


def test_bad_content_refuses_to_publish_and_keeps_the_old_site(
    make_site: SiteFactory, tmp_path: Path
) -> None:
    site = make_site()
    config = load_config(site)
    out = tmp_path / "out"
    build(config, out)
    before = (out / "index.html").read_bytes()
    (site.parent / "content" / "posts" / "2026" / "bad.md").write_text("---\ntitle: x\n---\n")
    with pytest.raises(ContentError, match=r"bad\.md:2: date: required"):
        build(config, out)
    assert (out / "index.html").read_bytes() == before


@contextmanager
def _file_size_limit(size: int) -> Iterator[None]:
    """Files of this process cannot grow past ``size`` bytes: writes fail with EFBIG, for real."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an error, not a killed process
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, handler)


def test_a_failure_while_writing_leaves_the_old_site(
    make_site: SiteFactory, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    site = make_site()
    config = load_config(site)
    out = tmp_path / "out"
    build(config, out)
    build(config, out)  # leaves the site before last beside ``out``, to reuse as staging
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (site.parent / "content" / "posts" / "2026" / "first.md").write_text(
        post_text({"title": "Changed", "date": "2026-11-02"})
    )
    with (
        caplog.at_level(logging.WARNING, logger="generator.writer"),
        _file_size_limit(1024),
        pytest.raises(OSError, match="File too large") as failure,
    ):
        build(config, out)
    # It failed while the writer wrote a page, first in the reused staging tree, then
    # again in the fresh one it falls back to.
    assert [entry.name for entry in failure.traceback][-1] == "_fill"
    assert "could not reuse" in caplog.text
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())
    build(config, out)  # and the next build publishes the change
    assert "Changed" in (out / "index.html").read_text()


def test_site_theme_overrides_one_template(make_site: SiteFactory, tmp_path: Path) -> None:
    site = make_site(theme="mytheme")
    templates = site.parent / "mytheme" / "templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text(
        '{% extends "default:404.html" %}{% block title %}Lost! · {{ site.title }}{% endblock %}'
    )
    build(load_config(site), tmp_path / "out")
    assert "<title>Lost! · Test wall</title>" in (tmp_path / "out" / "404.html").read_text()
    assert "Page not found" in (tmp_path / "out" / "404.html").read_text()
    shutil.rmtree(site.parent / "mytheme")
    os.sync()


def test_items_json_lists_every_published_item_with_meetup_phases(built: Path) -> None:
    items = json.loads((built / "items.json").read_text("utf-8"))["items"]
    threads = json.loads((built / "threads.json").read_text("utf-8"))
    assert sorted(i["path"] for i in items) == sorted(set(threads) - COLLECTIONS)
    for item in items:
        assert (built / item["path"].strip("/") / "index.html").is_file(), item["path"]
        assert datetime.fromisoformat(item["date"]).tzinfo is not None
    night = next(i for i in items if i["path"].endswith("/platform-night-4-kubernetes-upgrades/"))
    assert night["kind"] == "meetup"
    assert datetime.fromisoformat(night["start"]) < datetime.fromisoformat(night["end"])
    assert night["before"] == ["/posts/2026/preparing-platform-night-4-upgrade-checklist/"]
    assert night["during"] == ["/posts/2026/platform-night-4-live-notes/"]
    assert night["after"] == ["/posts/2026/platform-night-4-recap/"]
    post = next(i for i in items if i["path"].endswith("/platform-night-4-recap/"))
    assert post["kind"] == "post" and "start" not in post
    assert post["author"] and post["community"] == "platform"
