"""Page bundles and images, as a reader of the built site sees them."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PIL import Image

from generator.build import build
from generator.config import load_config
from generator.errors import ContentError
from generator.sources.content import StatMemo
from tests.conftest import SiteFactory, post_text
from tests.htmlcheck import parse_page

FRONT = {"title": "Diagrams", "date": "2026-11-02T10:00", "author": "ada"}
BODY = """First: ![small](small.png)

Wide: ![wide](wide.png)

A vector: ![vector](shapes/box.svg) and a [deck](slides.pdf), a shared ![logo](/media/logo.png).
"""
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150">'
    '<rect width="9" height="9"/></svg>'
)


def _png(path: Path, width: int, height: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (width, height), (30, 120, 200)).save(path)


@pytest.fixture
def site(make_site: SiteFactory) -> Path:
    path = make_site(posts={"2026/diagrams/index.md": post_text(FRONT, BODY)})
    folder = path.parent / "content/posts/2026/diagrams"
    _png(folder / "small.png", 40, 30)
    _png(folder / "wide.png", 2000, 500)
    (folder / "shapes").mkdir()
    (folder / "shapes/box.svg").write_text(SVG, encoding="utf-8")
    (folder / "slides.pdf").write_bytes(b"%PDF-1.4 slides")
    _png(path.parent / "content/media/logo.png", 64, 64)
    return path


def _images(out: Path) -> dict[str, dict[str, str | None]]:
    page = parse_page(out / "posts/2026/diagrams/index.html")
    return {str(a.get("alt")): a for tag, a in page.tags if tag == "img" and a.get("alt")}


def test_files_beside_the_post_are_published_beside_its_page(site: Path) -> None:
    out = build(load_config(site)).out
    page = out / "posts/2026/diagrams"
    assert (page / "slides.pdf").read_bytes() == b"%PDF-1.4 slides"
    assert (page / "shapes/box.svg").is_file()
    assert (out / "media/logo.png").is_file()
    images = _images(out)
    assert images["small"]["width"] == "40" and images["small"]["height"] == "30"
    assert "loading" not in images["small"]  # the first image of the page loads at once
    assert images["vector"]["width"] == "300" and images["vector"]["height"] == "150"
    assert images["vector"]["loading"] == "lazy" and images["vector"]["decoding"] == "async"
    assert images["logo"]["width"] == "64"


def test_a_wide_image_gets_a_resized_copy_encoded_once(site: Path) -> None:
    config = load_config(site)
    out = build(config).out
    wide = _images(out)["wide"]
    assert (wide["width"], wide["height"]) == ("1600", "400")
    assert wide["src"] == "wide.1600w.png"
    assert wide["srcset"] == "wide.1600w.png 1600w, wide.png 2000w"
    with Image.open(out / "posts/2026/diagrams/wide.1600w.png") as copy:
        assert copy.size == (1600, 400)
    html = (out / "posts/2026/diagrams/index.html").read_text(encoding="utf-8")
    assert '<a class="full-size" href="wide.png">' in html
    cached = sorted((config.cache_path / "images").iterdir())
    stamps = [p.stat().st_mtime_ns for p in cached]
    (config.content_path / "posts/2026/diagrams/index.md").write_text(
        post_text({**FRONT, "title": "Diagrams, again"}, BODY), encoding="utf-8"
    )
    build(config)
    assert [p.stat().st_mtime_ns for p in sorted((config.cache_path / "images").iterdir())] == (
        stamps
    )


def test_the_card_shows_a_thumbnail_of_the_first_image(site: Path) -> None:
    out = build(load_config(site)).out
    cards = parse_page(out / "index.html")
    thumbs = [a["src"] for tag, a in cards.tags if tag == "img" and a.get("class") == "thumb"]
    assert thumbs == ["/posts/2026/diagrams/small.png"]  # 40 px wide: no smaller copy needed


def test_a_changed_image_in_a_bundle_is_seen_by_the_next_build(site: Path) -> None:
    config = load_config(site)
    memo: StatMemo = {}
    build(config, memo=memo)
    _png(config.content_path / "posts/2026/diagrams/small.png", 80, 60)
    out = build(config, memo=memo).out
    assert _images(out)["small"]["width"] == "80"
    assert build(load_config(site)).out == out
    assert _images(out)["small"]["width"] == "80"


def test_the_atom_entry_carries_the_body_with_absolute_urls(site: Path) -> None:
    out = build(load_config(site)).out
    atom = "{http://www.w3.org/2005/Atom}"
    entry = ET.parse(out / "feed.xml").getroot().find(f"{atom}entry")
    assert entry is not None
    content = entry.find(f"{atom}content")
    assert content is not None and content.get("type") == "html"
    body = content.text or ""
    assert 'src="http://127.0.0.1:8000/posts/2026/diagrams/small.png"' in body
    assert 'srcset="http://127.0.0.1:8000/posts/2026/diagrams/wide.1600w.png 1600w,' in body
    assert 'src="http://127.0.0.1:8000/media/logo.png"' in body


def test_contributors_are_people_shown_on_the_page(make_site: SiteFactory) -> None:
    front = {**FRONT, "contributors": ["alan"], "imported_from": "wordpress:12"}
    site = make_site(posts={"2026/duo.md": post_text(front)})
    out = build(load_config(site)).out
    page = parse_page(out / "posts/2026/duo/index.html")
    assert "/people/alan/" in page.links
    assert "wordpress:12" not in (out / "posts/2026/duo/index.html").read_text(encoding="utf-8")
    bad = make_site(posts={"2026/duo.md": post_text({**FRONT, "contributors": ["nobody"]})})
    with pytest.raises(ContentError) as caught:
        build(load_config(bad))
    assert "contributors: unknown person id 'nobody'" in str(caught.value)


def test_same_slug_in_two_years_and_refs_by_year(make_site: SiteFactory) -> None:
    meetup = {"start": "2025-06-10T18:00", "end": "2025-06-10T20:00"}
    site = make_site(
        posts={
            "2025/all-hands.md": post_text(
                {"title": "AH 2025", "date": "2025-06-10", "event": meetup}
            ),
            "2026/all-hands/index.md": post_text({"title": "Plain", "date": "2026-06-10"}),
            "2026/recap.md": post_text(
                {"title": "Recap", "date": "2026-06-11", "event_ref": "all-hands"}
            ),
        }
    )
    out = build(load_config(site)).out
    assert (out / "posts/2025/all-hands/index.html").is_file()
    assert (out / "posts/2026/all-hands/index.html").is_file()
    recap = parse_page(out / "posts/2026/recap/index.html")
    assert "/posts/2025/all-hands/" in recap.links


def test_a_file_over_max_bytes_is_a_warning(site: Path, caplog: pytest.LogCaptureFixture) -> None:
    text = site.read_text(encoding="utf-8") + "images:\n  max_bytes: 100\n"
    site.write_text(text, encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        build(load_config(site))
    assert any(
        "wide.png" in r.getMessage() and "max_bytes" in r.getMessage() for r in caplog.records
    )
