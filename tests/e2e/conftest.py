"""End-to-end fixtures: a copy of the sample site served by the real `veille serve`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from tests.conftest import free_port


@dataclass(frozen=True)
class Served:
    """A running dev server over a private sample site (its own SQLite database)."""

    base: str
    root: Path
    process: subprocess.Popen[str]

    def url(self, path: str = "/") -> str:
        return self.base + path

    def threads(self) -> list[str]:
        """Every published thread id (item path), as the build wrote them."""
        data = json.loads((self.root / "public" / "threads.json").read_text(encoding="utf-8"))
        items = data["threads"] if isinstance(data, dict) else data
        return [t if isinstance(t, str) else t["path"] for t in items]

    def a_post(self) -> str:
        return next(t for t in self.threads() if t.startswith("/posts/"))


def wait_until(predicate: Callable[[], bool], seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


@pytest.fixture
def served(sample_site: Path) -> Iterator[Served]:
    """`veille serve` on a free port, as a newcomer runs it (the sample site, defaults)."""
    port = free_port()
    config = yaml.safe_load(sample_site.read_text(encoding="utf-8"))
    config["base_url"] = f"http://127.0.0.1:{port}/"
    config["comments"]["rate_limit_per_minute"] = 0  # the tests post faster than people do
    sample_site.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator.commands.cli", "serve", "--port", str(port)],
        cwd=sample_site.parent,
        env={**os.environ, "COLUMNS": "200"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(base + "/api/health", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    if not wait_until(up, 90):
        proc.kill()
        pytest.fail(f"veille serve did not start: {proc.communicate()[0]}")
    yield Served(base, sample_site.parent, proc)
    proc.terminate()
    try:
        proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
