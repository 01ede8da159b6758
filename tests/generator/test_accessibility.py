"""WCAG 2.2 A/AA checks (axe-core) on the built sample site, light and dark, desktop and phone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.generator.test_layout import first_link

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/page/2/",
    "/posts/2026/how-we-run-veille/",
    "/posts/2026/platform-night-4-kubernetes-upgrades/",
    "/links/",
    "/posts/2026/postgresql-19-what-matters-for-us/",
    "/tags/kubernetes/",
    "/sites/lyon/",
    "/people/",
    "/people/emma-laurent/",
    "/tags/",
    "/communities/",
    "/communities/platform/",
    "/events/",
    "/search/",
    "/metrics/",
    "/metrics/notice/",
    "/newsletter/",
    "/404.html",
]
RULES = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    }
}


def violations(page: Any) -> list[str]:
    result = Axe().run(page, options=RULES)
    return [
        f"{v['id']} ({v['impact']}): {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in result.response["violations"]
    ]


@pytest.mark.parametrize(
    ("scheme", "width"), [("light", 1280), ("dark", 1280), ("light", 375), ("dark", 375)]
)
def test_pages_have_no_accessibility_violations(
    sample_public: Path,
    serve_dir: Callable[[Path], str],
    browser: Any,
    scheme: str,
    width: int,
) -> None:
    base = serve_dir(sample_public)
    page = browser.new_page(color_scheme=scheme, viewport={"width": width, "height": 800})
    found = {}
    for path in [*PAGES, first_link(sample_public)]:
        response = page.goto(base + path)
        assert response is not None and response.status in (200, 404), path
        problems = violations(page)
        if problems:
            found[path] = problems
    page.close()
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_keyboard_user_can_skip_to_content_and_see_focus(
    sample_public: Path, serve_dir: Callable[[Path], str], browser: Any
) -> None:
    page = browser.new_page()
    page.goto(serve_dir(sample_public) + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.close()
