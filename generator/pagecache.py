"""Render cache: a page whose template stack and view context are unchanged is not rendered.

A page's key is the SHA-256 of a fingerprint of everything that turns a context
into HTML (every theme file, translation catalogue, Veille's version and source,
Jinja2 and Babel versions, the site settings) and of the canonical JSON of the
page's context. ``.veille/build/pages.json`` maps each output path to the key and
the SHA-256 of the bytes published for it; on a match, the live file's bytes are
reused once they are checked against that hash, so the cache never serves stale
or tampered output.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Iterable
from datetime import date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import generator
from generator.atomicfile import write_atomic
from generator.config import DEFAULT_THEME, SiteConfig
from generator.fingerprint import code_digest

log = logging.getLogger(__name__)
FORMAT = 1
NOW = re.compile(rb"\bnow\b")


class Uncacheable(TypeError):
    """A context holds a value without a canonical JSON form; the page is rendered."""


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise Uncacheable(f"no canonical form for {type(value).__name__}")


def canonical(value: Any) -> bytes:
    """The canonical JSON of a view context (sorted keys, ISO dates)."""
    # ASCII escapes: the C encoder is about twice as fast with them.
    return json.dumps(
        value, sort_keys=True, default=_plain, ensure_ascii=True, separators=(",", ":")
    ).encode("ascii")


def _files(roots: Iterable[Path]) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        if root.is_dir():
            found += sorted(p for p in root.rglob("*") if p.is_file())
    return found


def stack_fingerprint(config: SiteConfig) -> tuple[str, bool]:
    """The fingerprint of what renders a context, and whether a template reads ``now``."""
    digest = hashlib.sha256(f"format {FORMAT} veille {generator.__version__}\n".encode())
    for package in ("jinja2", "babel", "markupsafe"):
        digest.update(f"{package} {version(package)}\n".encode())
    digest.update(repr(config).encode())
    reads_now = False
    themes = dict.fromkeys((*config.theme_paths, DEFAULT_THEME))
    digest.update(f"code {code_digest()}\n".encode())
    for path in _files(themes):
        data = path.read_bytes()
        if path.suffix == ".html" and NOW.search(data):
            reads_now = True
        digest.update(str(path).encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest(), reads_now


class PageCache:
    """Keys and output hashes of the pages published in ``out`` by the last build."""

    def __init__(self, record: Path, out: Path, fingerprint: str) -> None:
        self.record = record
        self.out = out.resolve()
        self.fingerprint = fingerprint
        self.previous: dict[str, list[str]] = self._load()
        self.current: dict[str, list[str]] = {}
        self.hits = 0
        self.misses = 0

    def _load(self) -> dict[str, list[str]]:
        try:
            saved = json.loads(self.record.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as error:
            log.warning("render cache %s unreadable, ignored: %s", self.record, error)
            return {}
        if not isinstance(saved, dict) or saved.get("out") != str(self.out):
            return {}
        pages = saved.get("pages")
        return pages if isinstance(pages, dict) else {}

    def key(self, *parts: bytes) -> str:
        """The key of a page from its template name and context parts."""
        digest = hashlib.sha256(self.fingerprint.encode())
        for part in parts:
            digest.update(len(part).to_bytes(8, "big") + part)
        return digest.hexdigest()

    def reuse(self, path: str, key: str) -> bytes | None:
        """The live bytes of ``path`` if its last build had ``key`` and they are intact."""
        entry = self.previous.get(path)
        if entry is None or entry[0] != key:
            self.misses += 1
            return None
        try:
            data = (self.out / path).read_bytes()
        except OSError:
            self.misses += 1
            return None
        if hashlib.sha256(data).hexdigest() != entry[1]:
            self.misses += 1
            return None
        self.hits += 1
        self.current[path] = entry
        return data

    def remember(self, path: str, key: str, data: bytes) -> None:
        self.current[path] = [key, hashlib.sha256(data).hexdigest()]

    def save(self) -> None:
        """Record this build's pages; call only once they are published in ``out``."""
        data = {"out": str(self.out), "pages": self.current}
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.record, json.dumps(data, sort_keys=True))
        except OSError as error:  # a missing record only costs the next build its renders
            log.warning("could not save the render cache %s: %s", self.record, error)
        log.info("render cache: %d pages reused, %d rendered", self.hits, self.misses)
