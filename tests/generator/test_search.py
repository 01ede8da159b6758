"""Search and the people directory in real headless Chromium, over a loopback server."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.build import build
from generator.config import load_config
from tests.conftest import REPO, _QuietHandler

pytestmark = pytest.mark.browser
EPOCH = "1796000000"  # 2026-11-29: between the two sample meetups


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample site built once, served on a loopback port for the whole module."""
    root = tmp_path_factory.mktemp("search")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content", root / "content")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        build(load_config(root / "site.yaml"), root / "public")
    handler = functools.partial(_QuietHandler, directory=str(root / "public"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    tab = context.new_page()
    yield tab
    context.close()


def result_titles(page: Any) -> list[str]:
    page.wait_for_selector(".search-result-title", timeout=30000)
    return [str(t) for t in page.locator(".search-result-title").all_inner_texts()]


def test_typing_in_the_header_box_finds_items_and_experts(page: Any, site_url: str) -> None:
    page.goto(site_url + "/")
    page.fill("#site-search", "kubernetes")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/search/?q=kubernetes")
    titles = result_titles(page)
    assert any("Platform Night #4" in t for t in titles)
    # a person who lists Kubernetes as expertise is found too
    people = page.locator(".search-result-title[href*='/people/']")
    people.first.wait_for(timeout=15000)
    assert people.count() >= 1


def test_query_string_prefills_and_runs_the_search(page: Any, site_url: str) -> None:
    page.goto(site_url + "/search/?q=passkeys")
    titles = result_titles(page)
    assert any("asskey" in t for t in titles)
    assert page.input_value("#search-input") == "passkeys"
    page.fill("#search-input", "cilium")
    page.wait_for_url("**/search/?q=cilium")
    assert any("ilium" in t for t in result_titles(page))


def test_english_stemming_matches_other_word_forms(page: Any, site_url: str) -> None:
    page.goto(site_url + "/search/?q=upgrading")
    titles = result_titles(page)
    assert any("upgrade" in t.lower() for t in titles)


def test_search_filters_by_kind(page: Any, site_url: str) -> None:
    page.goto(site_url + "/search/?q=kubernetes")
    result_titles(page)
    page.check(".search-facet input[name=kind][value=Person]")
    page.wait_for_function(
        "[...document.querySelectorAll('.search-result-title')]"
        ".every(a => a.href.includes('/people/'))"
    )
    links = page.locator(".search-result-title")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs and all("/people/" in (h or "") for h in hrefs)


def test_people_directory_filters_with_javascript(page: Any, site_url: str) -> None:
    page.goto(site_url + "/people/")
    cards = page.locator(".person-card")
    total = cards.count()
    page.select_option("#filter-expertise", "kubernetes")
    visible = page.locator(".person-card:visible")
    assert 0 < visible.count() < total
    for text in visible.all_inner_texts():
        assert "kubernetes" in text.lower()
    assert "shown" in page.inner_text("#people-count")
    page.select_option("#filter-site", "Nantes")
    for text in page.locator(".person-card:visible").all_inner_texts():
        assert "Nantes" in text
    page.click("button[type=reset]")
    page.wait_for_function(
        f"document.querySelectorAll('.person-card:not([hidden])').length === {total}"
    )


def test_people_directory_is_complete_without_javascript(browser: Any, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(site_url + "/people/")
        assert tab.locator(".person-card:visible").count() == tab.locator(".person-card").count()
        assert tab.locator(".person-card").count() >= 10
        assert not tab.locator("#people-filters").is_visible()
        tab.goto(site_url + "/search/")
        assert "Search needs JavaScript" in tab.inner_text("main")
    finally:
        context.close()


def test_a_word_added_by_an_edit_is_found_when_the_build_returns(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Several shards; one post edited; the next `veille build` makes it searchable."""
    import generator.search.shards

    monkeypatch.setattr(generator.search.shards, "SHARD_PAGES", 8)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    shutil.copy(REPO / "site.yaml", tmp_path / "site.yaml")
    shutil.copytree(REPO / "content", tmp_path / "content")
    build(load_config(tmp_path / "site.yaml"), tmp_path / "public")
    assert len(list((tmp_path / "public" / "pagefind").glob("shard-*"))) >= 3
    post = tmp_path / "content/posts/2026/accessibility-audit-what-we-found.md"
    post.write_text(
        post.read_text(encoding="utf-8") + "\nWe call it zorblaxification.\n", encoding="utf-8"
    )
    build(load_config(tmp_path / "site.yaml"), tmp_path / "public")
    handler = functools.partial(_QuietHandler, directory=str(tmp_path / "public"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context()
    try:
        tab = context.new_page()
        tab.goto(f"http://127.0.0.1:{server.server_address[1]}/search/?q=zorblaxification")
        assert result_titles(tab) == ["Our accessibility audit: 41 issues, 5 patterns"]
        assert "1 result" in tab.inner_text(".search-status")
    finally:
        context.close()
        server.shutdown()
        server.server_close()
