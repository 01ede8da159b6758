"""Search index in shards: one Pagefind bundle per slice of the indexed pages.

One Pagefind index over every page cannot be updated incrementally and costs
gigabytes at 10,000 posts. Pages go instead to ``K`` shards by a stable hash of
their URL (``K`` grows so that a shard holds at most ``SHARD_PAGES`` pages; a new
``K`` re-indexes everything, which is rare). Each shard is a Pagefind bundle at
``pagefind/shard-<i>/``, built by the CLI over a folder of hard links to that
shard's pages, so its URLs are the site's. A shard is re-indexed only when what
Pagefind reads of one of its pages changed (``extract.index_key``) or Pagefind
changed; otherwise the live bundle's files are linked, byte for byte. Changed
shards index concurrently, on both cores. Pagefind's JavaScript and WebAssembly
are published once, in ``pagefind/``, beside ``shards.json`` that lists the shards
for the search page's loader.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import subprocess
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import __version__
from generator.atomicfile import write_atomic
from generator.errors import VeilleError
from generator.search.stable import stabilise_filters

log = logging.getLogger(__name__)
BUNDLE = "pagefind"
MANIFEST = "shards.json"
SHARD_PAGES = 600
TIMEOUT_SECONDS = 300
WORKERS = 2
# What the browser needs once, whatever the number of shards (our loader, not the stock UI).
SHARED = ("pagefind.js",)
SHARED_PREFIX = "wasm."


class SearchIndexError(VeilleError):
    """Pagefind could not index the site; the previous site stays published."""


def pagefind_executable() -> Path:
    """The Pagefind binary shipped by the ``pagefind[bin]`` wheel."""
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]
    except ImportError as error:  # pragma: no cover - a packaging problem
        raise SearchIndexError("Pagefind is not installed: pip install 'pagefind[bin]'") from error
    return Path(get_executable())


def tool_fingerprint() -> str:
    """Pagefind (binary identity) and the code that post-processes its bundles."""
    digest = hashlib.sha256(f"veille {__version__}\n".encode())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(hashlib.sha256(module.read_bytes()).digest())
    executable = pagefind_executable()
    status = executable.stat()
    digest.update(f"{executable} {status.st_size} {status.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class Shard:
    """One bundle: its folder name, the pages it indexes and the key of what it read."""

    name: str
    pages: tuple[str, ...]
    key: str


def shard_count(pages: int) -> int:
    """K: the fewest shards that hold at most ``SHARD_PAGES`` pages each."""
    return max(1, math.ceil(pages / SHARD_PAGES))


def shard_of(path: str, count: int) -> int:
    """A page's shard: a stable hash of its path (never its date: a small shard of
    recent pages would rank them apart from the rest)."""
    return int.from_bytes(hashlib.sha256(path.encode()).digest()[:8], "big") % count


def plan_shards(keys: Mapping[str, str], tools: str) -> list[Shard]:
    """Split the indexed pages (path → index key) into shards, each with its own key."""
    count = shard_count(len(keys))
    members: list[list[str]] = [[] for _ in range(count)]
    for path in sorted(keys):
        members[shard_of(path, count)].append(path)
    shards = []
    for number, pages in enumerate(members):
        digest = hashlib.sha256(f"{tools} {count} {number}\n".encode())
        for path in pages:
            digest.update(f"{path}\0{keys[path]}\n".encode())
        shards.append(Shard(f"shard-{number}", tuple(pages), digest.hexdigest()))
    return shards


def identity(folder: Path) -> list[list[Any]]:
    """Each file under ``folder`` as [relative path, inode, size, mtime], sorted by path."""
    rows: list[list[Any]] = []
    root = str(folder)
    for top, _, names in os.walk(root):
        for name in names:
            path = os.path.join(top, name)
            status = os.lstat(path)
            rows.append(
                [os.path.relpath(path, root), status.st_ino, status.st_size, status.st_mtime_ns]
            )
    rows.sort()
    return rows


def _top_identity(folder: Path) -> list[list[Any]]:
    """Like ``identity``, for the files directly in ``folder`` (the shared ones)."""
    rows = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_file(follow_symlinks=False):
                status = entry.stat(follow_symlinks=False)
                rows.append([entry.name, status.st_ino, status.st_size, status.st_mtime_ns])
    rows.sort()
    return rows


def link_tree(source: Path, target: Path, names: list[str] | None = None) -> None:
    """Hard-link the files under ``source`` (or just ``names``) into ``target``."""
    for rel in names if names is not None else [row[0] for row in identity(source)]:
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.link(source / rel, destination)


def load_record(record: Path) -> dict[str, Any]:
    try:
        saved = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return saved if isinstance(saved, dict) else {}


class BundleJob:
    """Build ``bundle`` for ``site``'s pages: link what the live bundle still has, index the rest.

    ``prepare`` links reused shards and stages the pages of the others (quick:
    links only), ``run`` calls Pagefind and saves the record. ``veille serve``
    runs the two apart, with only ``prepare`` under its build lock.
    """

    def __init__(
        self, site: Path, keys: Mapping[str, str], live: Path, record: Path, stage: str
    ) -> None:
        self.site = site
        self.live = live
        self.record = record
        self.work = record.parent / stage  # one per kind of job: a late index runs beside a build
        self.shards = plan_shards(keys, tool_fingerprint())
        self.stale: list[Shard] = []
        self.bundle: Path | None = None

    def prepare(self, bundle: Path) -> None:
        saved = load_record(self.record)
        kept: dict[str, Any] = (
            saved.get("shards", {}) if isinstance(saved.get("shards"), dict) else {}
        )
        if bundle.exists():
            shutil.rmtree(bundle)
        bundle.mkdir(parents=True)
        self.bundle = bundle
        self.stale = []
        for shard in self.shards:
            live = self.live / shard.name
            before = kept.get(shard.name, {})
            if (
                before.get("key") == shard.key
                and live.is_dir()
                and before.get("files") == identity(live)
            ):
                link_tree(live, bundle / shard.name)
            else:
                self.stale.append(shard)
        shared = [row[0] for row in saved.get("shared", [])]
        live_shared = _top_identity(self.live) if self.live.is_dir() else []
        if (
            not self.stale
            and shared
            and [r for r in live_shared if r[0] in shared] == saved.get("shared")
        ):
            link_tree(self.live, bundle, shared)
        elif not self.stale and self.shards:
            self.stale.append(
                self.shards[0]
            )  # the shared files are gone: rebuild them from one shard
            shutil.rmtree(bundle / self.shards[0].name, ignore_errors=True)
        if self.work.exists():
            shutil.rmtree(self.work)
        for shard in self.stale:
            link_tree(self.site, self.work / shard.name, [page for page in shard.pages])

    def run(self) -> None:
        assert self.bundle is not None, "prepare() first"
        bundle = self.bundle
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            done = list(pool.map(lambda s: _index(self.work / s.name, bundle / s.name), self.stale))
        if done and not (bundle / SHARED[0]).exists():
            first = bundle / self.stale[0].name
            for path in sorted(first.iterdir()):
                if path.name in SHARED or path.name.startswith(SHARED_PREFIX):
                    os.link(path, bundle / path.name)
        for shard in self.stale:
            _strip(bundle / shard.name)
        shutil.rmtree(self.work, ignore_errors=True)
        manifest = {
            "shards": [
                {"path": f"{s.name}/", "pages": len(s.pages)} for s in self.shards if s.pages
            ]
        }
        (bundle / MANIFEST).write_text(
            json.dumps(manifest, sort_keys=True) + "\n", encoding="utf-8"
        )
        if self.stale:
            log.info(
                "search: %d of %d shards indexed in %.2f s",
                len(self.stale),
                len(self.shards),
                time.perf_counter() - started,
            )
        self._save(bundle)

    def _save(self, bundle: Path) -> None:
        shards = {s.name: {"key": s.key, "files": identity(bundle / s.name)} for s in self.shards}
        shared = [r for r in _top_identity(bundle) if r[0] != MANIFEST]
        data = {"count": len(self.shards), "shards": shards, "shared": shared}
        try:
            self.record.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.record, json.dumps(data))
        except OSError as error:  # a missing record only costs the next build a re-index
            log.warning("could not save the search index record %s: %s", self.record, error)


def _index(site: Path, output: Path) -> None:
    """Run the Pagefind CLI over ``site`` into ``output``, then make its filters stable."""
    if not site.is_dir():  # a shard with no page: an empty bundle folder
        output.mkdir(parents=True, exist_ok=True)
        return
    command = [
        str(pagefind_executable()),
        "--site",
        str(site),
        "--output-path",
        str(output),
        "--silent",
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SearchIndexError(f"Pagefind failed to run: {error}") from error
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip()
        raise SearchIndexError(f"Pagefind failed (exit {done.returncode}): {detail}")
    stabilise_filters(output)


def _strip(shard: Path) -> None:
    """Keep only the shard's index: entry, meta, index, fragment and filter files."""
    for path in shard.iterdir():
        if path.is_file() and not (path.name == "pagefind-entry.json" or path.suffix == ".pf_meta"):
            path.unlink()
