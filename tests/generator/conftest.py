"""Fixtures for the generator tests; generic ones first, add yours below."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.config import SiteConfig, load_config
from tests.generator.feeds_conftest import LocalServer


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    """A real threaded HTTP server on 127.0.0.1; set answers with ``.route(path, ...)``."""
    server = LocalServer().start()
    yield server
    server.stop()


FeedSite = Callable[..., SiteConfig]


@pytest.fixture
def feed_site(tmp_path: Path) -> FeedSite:
    """A minimal site whose ``feeds:`` are the given mappings; returns its SiteConfig.

    Call it again to rewrite site.yaml (same folder, same cache).
    """

    def factory(*feeds: dict[str, Any], **settings: Any) -> SiteConfig:
        root = tmp_path / "site"
        (root / "content").mkdir(parents=True, exist_ok=True)
        config = {"title": "Feeds test", "feeds": list(feeds), **settings}
        (root / "site.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
        return load_config(root / "site.yaml")

    return factory
