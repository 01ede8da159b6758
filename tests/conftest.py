"""Shared fixtures: site factories, a loopback static server, headless Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

DEFAULT_PEOPLE = [
    {
        "id": "ada",
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "title": "Data engineer",
        "site": "Lyon",
        "communities": ["data"],
        "expertise": ["python", "kubernetes"],
    },
    {
        "id": "alan",
        "name": "Alan Turing",
        "email": "alan@example.com",
        "title": "Security lead",
        "site": "Nantes",
        "communities": ["sec"],
        "expertise": ["cryptography"],
    },
]
DEFAULT_COMMUNITIES = [
    {"id": "data", "name": "Data & AI", "site": "Lyon", "leaders": ["ada"]},
    {"id": "sec", "name": "Security", "site": "Nantes", "leaders": ["alan"]},
]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post_text(front: dict[str, Any], body: str = "Some *body* text.") -> str:
    """A post file's text from a front-matter mapping and a Markdown body."""
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    return f"---\n{dumped}---\n{body}\n"


SiteFactory = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> SiteFactory:
    """Write a small site under tmp_path and return its site.yaml path."""

    def factory(
        posts: dict[str, str] | None = None,
        people: list[dict[str, Any]] | None = None,
        communities: list[dict[str, Any]] | None = None,
        **settings: Any,
    ) -> Path:
        root = tmp_path / "site"
        content = root / "content"
        (content / "posts").mkdir(parents=True, exist_ok=True)
        config = {"title": "Test wall", "timezone": "Europe/Paris", **settings}
        (root / "site.yaml").write_text(yaml.safe_dump(config, allow_unicode=True))
        (content / "people.yaml").write_text(
            yaml.safe_dump(DEFAULT_PEOPLE if people is None else people, allow_unicode=True)
        )
        (content / "communities.yaml").write_text(
            yaml.safe_dump(
                DEFAULT_COMMUNITIES if communities is None else communities, allow_unicode=True
            )
        )
        if posts is None:
            posts = {
                "2026/first.md": post_text(
                    {"title": "First", "date": "2026-11-02T10:00", "author": "ada", "tags": ["ai"]}
                ),
            }
        for rel, text in posts.items():
            path = content / "posts" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root / "site.yaml"

    return factory


@pytest.fixture
def sample_site(tmp_path: Path) -> Path:
    """A private copy of the repository's sample site; returns its site.yaml."""
    root = tmp_path / "sample"
    root.mkdir()
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content", root / "content")
    return root / "site.yaml"


@pytest.fixture(scope="session")
def sample_public(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site, feeds fetched from its local files, built once per session."""
    from click.testing import CliRunner

    from generator.commands.cli import main

    root = tmp_path_factory.mktemp("sample-built")
    shutil.copy(REPO / "site.yaml", root / "site.yaml")
    shutil.copytree(REPO / "content", root / "content")
    site = str(root / "site.yaml")
    out = root / "public"
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = "1764428400"  # 2025-11-29T15:00Z
    try:
        runner = CliRunner()
        fetched = runner.invoke(main, ["fetch", "--site", site])
        assert fetched.exit_code == 0, fetched.output
        built = runner.invoke(main, ["build", "--site", site, "--out", str(out)])
        assert built.exit_code == 0, built.output
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def serve_dir() -> Iterator[Callable[[Path], str]]:
    """Serve a folder over HTTP on 127.0.0.1; returns its base URL."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(root: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(root))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (never a downloaded browser).

    Module-scoped: Playwright's sync API keeps an event loop running in the main
    thread while it is open, which would break code that calls ``asyncio.run``.
    """
    executable = chromium_path()
    if executable is None:
        if IN_CI:
            pytest.fail("chromium is not installed: run `bash scripts/system-deps.sh`")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()
