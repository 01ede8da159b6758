"""Links that unfurl: favicon, theme colour, Open Graph and Twitter tags on the built sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.htmlcheck import Page
from tests.htmlcheck import parse_page as parse

BASE = "http://127.0.0.1:8000/"


def meta(page: Page, key: str) -> str | None:
    """The content of ``<meta property=key>`` or ``<meta name=key>``."""
    for tag, attrs in page.tags:
        if tag == "meta" and key in (attrs.get("property"), attrs.get("name")):
            return attrs.get("content")
    return None


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("posts/2026/how-we-run-veille/", "article"),
        ("posts/2026/platform-night-4-kubernetes-upgrades/", "article"),
        ("people/emma-laurent/", "profile"),
        ("communities/platform/", "website"),
    ],
)
def test_shared_pages_unfurl_with_title_summary_and_picture(
    sample_public: Path, path: str, kind: str
) -> None:
    page = parse(sample_public / path / "index.html")
    assert meta(page, "og:type") == kind
    assert meta(page, "og:url") == BASE + path
    title, description = meta(page, "og:title"), meta(page, "og:description")
    assert title and description and len(description) <= 203
    assert meta(page, "twitter:card") == "summary_large_image"
    image = meta(page, "og:image")
    assert image is not None and image.startswith("http")
    assert meta(page, "twitter:image") == image
    if image == BASE + "static/social.png":
        assert (sample_public / "static" / "social.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_link_with_a_thumbnail_shares_its_thumbnail(sample_public: Path) -> None:
    for item in sorted((sample_public / "links").glob("*/*/index.html")):
        page = parse(item)
        hero = [a.get("src") for tag, a in page.tags if tag == "img" and a.get("class") == "hero"]
        if hero:
            assert meta(page, "og:image") == hero[0]
            return
    pytest.fail("no link with a thumbnail in the sample")


def test_every_page_has_a_favicon_and_theme_colours(sample_public: Path) -> None:
    for path in ("index.html", "404.html", "metrics/index.html", "tags/index.html"):
        page = parse(sample_public / path)
        assert page.has("link", rel="icon", href="/static/favicon.svg", type="image/svg+xml")
        colours = [a for t, a in page.tags if t == "meta" and a.get("name") == "theme-color"]
        assert {a.get("media") for a in colours} == {
            "(prefers-color-scheme: light)",
            "(prefers-color-scheme: dark)",
        }
    assert (sample_public / "static" / "favicon.svg").read_text().startswith("<svg")
