"""No sideways scrolling: one page of every type, 320–1440 px, light and dark, English and French.

A page wider than the screen is the first thing a phone user notices; wide
tables must scroll inside their own box instead (and say so with a shadow).
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO

pytestmark = pytest.mark.browser

PAGES = {
    "wall": "/",
    "post": "/posts/2026/how-we-run-veille/",
    "meetup": "/posts/2026/platform-night-4-kubernetes-upgrades/",
    "post with a table": "/posts/2026/postgresql-19-what-matters-for-us/",
    "tag": "/tags/kubernetes/",
    "community": "/communities/platform/",
    "site": "/sites/lyon/",
    "kind": "/links/",
    "people": "/people/",
    "person": "/people/emma-laurent/",
    "events": "/events/",
    "search": "/search/",
    "metrics": "/metrics/",
    "newsletter": "/newsletter/",
    "404": "/404.html",
}
WIDTHS = (320, 375, 768, 1280, 1440)
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def french_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built with ``language: fr``."""
    from click.testing import CliRunner

    from generator.commands.cli import main

    root = tmp_path_factory.mktemp("sample-fr")
    settings = yaml.safe_load((REPO / "site.yaml").read_text("utf-8"))
    settings["language"] = "fr"
    (root / "site.yaml").write_text(yaml.safe_dump(settings, allow_unicode=True), "utf-8")
    shutil.copytree(REPO / "content", root / "content")
    site, out = str(root / "site.yaml"), root / "public"
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1764428400"
    try:
        runner = CliRunner()
        assert runner.invoke(main, ["fetch", "--site", site]).exit_code == 0
        built = runner.invoke(main, ["build", "--site", site, "--out", str(out)])
        assert built.exit_code == 0, built.output
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return out


def first_link(public: Path) -> str:
    """The path of a link item (its slug ends with a hash of its address)."""
    items = json.loads((public / "items.json").read_text("utf-8"))["items"]
    return str(next(i["path"] for i in items if i["kind"] == "link"))


def overflowing(browser: Any, base: str, scheme: str, public: Path) -> list[str]:
    """Every page and width where the document is wider than the screen, with the excess."""
    found = []
    pages = {**PAGES, "link": first_link(public)}
    for width in WIDTHS:
        page = browser.new_page(color_scheme=scheme, viewport={"width": width, "height": 800})
        for name, path in pages.items():
            response = page.goto(base + path)
            assert response is not None and response.status in (
                (200, 404) if name == "404" else (200,)
            ), path
            excess = page.evaluate(OVERFLOW)
            if excess > 0:
                found.append(f"{name} ({path}) at {width} px: {excess} px too wide")
        page.close()
    return found


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_page_scrolls_sideways(
    sample_public: Path,
    french_public: Path,
    serve_dir: Callable[[Path], str],
    browser: Any,
    scheme: str,
    language: str,
) -> None:
    public = sample_public if language == "en" else french_public
    assert overflowing(browser, serve_dir(public), scheme, public) == []


def test_a_wide_table_scrolls_in_its_own_box_with_a_cue(
    sample_public: Path, serve_dir: Callable[[Path], str], browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 320, "height": 800})
    page.goto(serve_dir(sample_public) + "/metrics/")
    boxes = page.evaluate(
        """[...document.querySelectorAll('.metrics-table-wrap')]
            .filter(el => el.scrollWidth > el.clientWidth)
            .map(el => [getComputedStyle(el).overflowX, getComputedStyle(el).backgroundImage])"""
    )
    assert boxes, "no table wider than a 320-px screen: the test shows nothing"
    for overflow, background in boxes:
        assert overflow == "auto"
        assert "radial-gradient" in background  # the shadow at the edge with more to see
    page.close()


def test_a_failing_thumbnail_leaves_no_empty_frame(
    sample_public: Path, serve_dir: Callable[[Path], str], browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 800})
    page.goto(serve_dir(sample_public) + "/")
    card = page.locator("article.card").first
    card.evaluate(
        """card => {
            const img = document.createElement('img');
            img.className = 'thumb'; img.alt = ''; img.width = 96; img.height = 96;
            img.src = '/no-such-picture.png';
            card.querySelector('.card-title').after(img);
        }"""
    )
    page.wait_for_function("document.querySelector('article.card .thumb').hidden === true")
    assert page.locator("article.card .thumb").first.bounding_box() is None
    page.close()


def test_phone_nav_stays_on_one_line(
    sample_public: Path, french_public: Path, serve_dir: Callable[[Path], str], browser: Any
) -> None:
    for public in (sample_public, french_public):
        page = browser.new_page(viewport={"width": 320, "height": 800})
        page.goto(serve_dir(public) + "/")
        tops = page.evaluate("[...document.querySelectorAll('.nav li')].map(li => li.offsetTop)")
        assert len(set(tops)) == 1, tops
        page.close()


@pytest.mark.parametrize(
    ("language", "none", "one"),
    [
        ("en", "0 people shown", "1 person shown"),
        ("fr", "0 personne affichée", "1 personne affichée"),
    ],
)
def test_the_people_count_uses_the_languages_plural_rule(
    sample_public: Path,
    french_public: Path,
    serve_dir: Callable[[Path], str],
    browser: Any,
    language: str,
    none: str,
    one: str,
) -> None:
    public = sample_public if language == "en" else french_public
    page = browser.new_page()
    page.goto(serve_dir(public) + "/people/")
    options = page.eval_on_selector_all(
        "#filter-expertise option, #filter-site option",
        "os => os.map(o => [o.parentElement.id, o.value]).filter(([, v]) => v)",
    )
    expertise = [v for k, v in options if k == "filter-expertise"]
    sites = [v for k, v in options if k == "filter-site"]
    texts: dict[int, str] = {}
    for value in expertise:
        page.select_option("#filter-expertise", value)
        for site in sites:
            page.select_option("#filter-site", site)
            shown = page.locator(".person-card:visible").count()
            texts.setdefault(shown, page.inner_text("#people-count"))
        if 0 in texts and 1 in texts:
            break
    page.close()
    assert texts[0] == none
    assert texts[1] == one
