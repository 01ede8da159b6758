"""A comment's date reads the same in the widget (Intl, in Chromium) as on the built
page (Babel): the site's language, short format and time zone, not the browser's."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from playwright.sync_api import expect

from generator.config import load_config
from generator.themes import make_environment
from tests.e2e.conftest import Served

pytestmark = pytest.mark.browser


@pytest.fixture(params=["en", "fr"])
def language(request: pytest.FixtureRequest, sample_site: Path) -> str:
    """The sample site in this language, in Paris time (set before ``served`` starts)."""
    config = yaml.safe_load(sample_site.read_text(encoding="utf-8"))
    config["language"], config["timezone"] = request.param, "Europe/Paris"
    sample_site.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return str(request.param)


def test_widget_dates_match_the_built_page(
    browser: Any, language: str, served: Served, sample_site: Path
) -> None:
    # A reader in New York with an American-English browser: neither may leak in.
    context = browser.new_context(locale="en-US", timezone_id="America/New_York")
    page = context.new_page()
    page.goto(served.url(served.a_post()))
    expect(page.locator("section.comments.is-live")).to_be_visible()
    page.locator("form.comment-form input[name=author_name]").first.fill("Ada")
    page.locator("form.comment-form textarea").first.fill("What time is it?")
    page.locator("form.comment-form button[type=submit]").first.click()
    posted = page.locator("li.comment", has_text="What time is it?").first
    stamp = posted.locator(".comment-meta time").first
    expect(stamp).to_be_visible()
    instant = datetime.fromisoformat(str(stamp.get_attribute("datetime")).replace("Z", "+00:00"))
    env = make_environment(load_config(sample_site))
    expected = env.filters["datetime"](instant, "short")
    assert stamp.inner_text() == expected
    context.close()
