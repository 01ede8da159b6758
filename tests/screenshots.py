"""Screenshots of every page type (``make screenshots``): 1280 and 375 px, light and dark.

The sample site is built from a private copy with the golden tests' fixed
``SOURCE_DATE_EPOCH`` and served on 127.0.0.1; Debian's Chromium draws it with
the fonts Debian ships (``fonts-dejavu-core``), so the same sources give the same
pictures. They land in ``docs/screenshots/`` as ``<page>-<width>-<scheme>.png``.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.golden_regen import ROOT, build_sample

OUT = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--font-render-hinting=none",
]
# One page of every type: (name, path).
PAGES: tuple[tuple[str, str], ...] = (
    ("wall", "/"),
    ("post", "/posts/2026/how-we-run-veille/"),
    ("link", "/links/2026/karpenter-or-cluster-autoscaler-a-six-month-cost-e7f045/"),
    ("meetup", "/posts/2026/platform-night-4-kubernetes-upgrades/"),
    ("kind", "/links/"),
    ("tags", "/tags/"),
    ("tag", "/tags/kubernetes/"),
    ("communities", "/communities/"),
    ("community", "/communities/platform/"),
    ("site", "/sites/lyon/"),
    ("people", "/people/"),
    ("person", "/people/emma-laurent/"),
    ("events", "/events/"),
    ("search", "/search/?q=kubernetes"),
    ("metrics", "/metrics/"),
    ("newsletter", "/newsletter/"),
    ("404", "/404.html"),
)
WIDTHS = (1280, 375)
# Lazy images load before the picture is taken, so that a failing one has hidden itself.
LOAD_IMAGES = (
    "document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })"
)
IMAGES_SETTLED = "[...document.images].every(i => i.complete)"
SCHEMES = ("light", "dark")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """Keep the terminal for the list of written files."""


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free loopback port; yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def shoot(public: Path, out: Path, pages: tuple[tuple[str, str], ...] = PAGES) -> list[Path]:
    """Full-page PNGs of ``pages`` at every width and scheme; the files written."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with serve(public) as base, sync_playwright() as play:
        browser = play.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for scheme in SCHEMES:
            for width in WIDTHS:
                page = browser.new_page(
                    viewport={"width": width, "height": 800},
                    color_scheme=scheme,  # type: ignore[arg-type]  # Literal in playwright's stubs
                    reduced_motion="reduce",
                )
                # Offline and deterministic: pictures hosted elsewhere fail at once (and hide).
                page.route(
                    lambda url: not url.startswith(base),
                    lambda route: route.abort(),
                )
                for name, path in pages:
                    page.goto(base + path, wait_until="networkidle")
                    page.evaluate(LOAD_IMAGES)
                    page.wait_for_function(IMAGES_SETTLED)
                    target = out / f"{name}-{width}-{scheme}.png"
                    page.screenshot(path=str(target), full_page=True, animations="disabled")
                    written.append(target)
                page.close()
        browser.close()
    return written


def main(argv: list[str]) -> int:
    """Build the sample site, shoot it; ``argv`` may name pages to shoot (default: all)."""
    wanted = set(argv)
    pages = tuple(p for p in PAGES if not wanted or p[0] in wanted)
    with tempfile.TemporaryDirectory() as tmp:
        public = build_sample(Path(tmp))
        for path in shoot(public, OUT, pages):
            sys.stdout.write(f"{path.relative_to(ROOT)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
