"""A template broken under `veille serve`: an overlay on the open page, gone after the fix."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from tests.e2e.conftest import Served

pytestmark = pytest.mark.browser
GOOD = '{% extends "default:item.html" %}\n'
BROKEN = '{% extends "default:item.html" %}{% block main %}{{ item.nope }}{% endblock %}\n'


@pytest.fixture
def sample_site(sample_site: Path) -> Path:
    """The sample site with a site theme overriding the item page (unchanged for now)."""
    config = yaml.safe_load(sample_site.read_text(encoding="utf-8"))
    config["theme"] = "theme"
    sample_site.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    templates = sample_site.parent / "theme" / "templates"
    templates.mkdir(parents=True)
    (templates / "item.html").write_text(GOOD, encoding="utf-8")
    return sample_site


def test_a_broken_template_shows_an_overlay_until_the_fix(browser: Any, served: Served) -> None:
    template = served.root / "theme" / "templates" / "item.html"
    context = browser.new_context()
    page = context.new_page()
    page.goto(served.url(served.a_post()))
    title = page.locator("h1").first.inner_text()
    page.evaluate("window.__notReloaded = true")
    page.wait_for_timeout(500)  # the reload stream has sent the current build state

    template.write_text(BROKEN, encoding="utf-8")
    overlay = page.get_by_role("alert")
    expect(overlay).to_contain_text(
        "theme/templates/item.html:1: 'item' has no attribute 'nope'", timeout=20_000
    )
    expect(page.locator("h1").first).to_have_text(title)  # the last good page stays
    page.screenshot(path=str(served.root / "overlay.png"))

    template.write_text(GOOD, encoding="utf-8")
    expect(overlay).to_have_count(0, timeout=20_000)
    assert page.evaluate("window.__notReloaded === undefined")  # reloaded by the good build
    expect(page.locator("h1").first).to_have_text(title)
    context.close()
