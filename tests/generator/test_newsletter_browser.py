"""The email HTML in headless Chromium at 600 px and 375 px (screenshots kept for review)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from generator.newsletter.edition import build_edition, parse_period
from generator.newsletter.render import render_email
from tests.generator.newsletter_fixtures import NOW, WEEK, make_config, make_env, make_site

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing (apt-get install chromium)")
        pytest.skip("chromium is not installed")
    return found


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_email_fits_desktop_and_phone_widths(tmp_path: Path, scheme: str) -> None:
    from playwright.sync_api import sync_playwright

    config = make_config(tmp_path)
    edition = build_edition(make_site(), config, parse_period(WEEK, None, config, NOW), NOW)
    page_file = tmp_path / "email.html"
    page_file.write_text(render_email(edition, config, make_env(config)).html, encoding="utf-8")
    shots = Path(os.environ.get("VEILLE_SCREENSHOTS", tmp_path))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), args=ARGS)
        try:
            for width in (600, 375):
                page = browser.new_page(
                    viewport={"width": width, "height": 900},
                    color_scheme=scheme,  # type: ignore[arg-type]
                )
                # Offline: nothing leaves the machine (thumbnails would be remote).
                page.route("http*://**", lambda route: route.abort())
                page.goto(page_file.as_uri())
                overflow = page.evaluate("document.documentElement.scrollWidth")
                card = page.evaluate("document.querySelector('table.card').offsetWidth")
                assert overflow <= width, f"horizontal scroll at {width}px"
                assert card <= 600
                assert page.is_hidden(".preheader")
                assert page.get_by_text("Unsubscribe").is_visible()
                background = page.evaluate(
                    "getComputedStyle(document.querySelector('table.card')).backgroundColor"
                )
                assert (background == "rgb(255, 255, 255)") == (scheme == "light")
                page.screenshot(path=str(shots / f"email-{scheme}-{width}.png"), full_page=True)
                page.close()
        finally:
            browser.close()
