"""Draw the theme's default social picture (themes/default/static/social.png, 1200×630).

Shown by chat tools and social networks when a shared page has no picture of its own.
Drawn from an SVG in the theme's palette by Debian's Chromium, so no imaging library
is needed: .venv/bin/python scripts/social_image.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "themes" / "default" / "static" / "social.png"
SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630">
<rect width="1200" height="630" fill="#fbfbfa"/>
<rect width="1200" height="18" fill="#0b5e8f"/>
<rect x="96" y="150" width="168" height="168" rx="36" fill="#0b5e8f"/>
<path fill="#fff" d="M132 192h24l24 60 24-60h24l-37 84h-22z"/>
<text x="300" y="258" font-family="DejaVu Sans, sans-serif" font-weight="700" font-size="96"
 fill="#16191d">Veille</text>
<text x="96" y="420" font-family="DejaVu Sans, sans-serif" font-size="36" fill="#525a63">Tech watch:
 posts, curated links, meetups and people</text>
<rect x="96" y="470" width="220" height="10" rx="5" fill="#0b5e8f"/>
</svg>"""


def main() -> None:
    """Render the SVG to the PNG."""
    with sync_playwright() as play:
        browser = play.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1200, "height": 630})
        page.set_content(f"<body style='margin:0'>{SVG}</body>")
        page.screenshot(path=str(TARGET), clip={"x": 0, "y": 0, "width": 1200, "height": 630})
        browser.close()


if __name__ == "__main__":
    main()
