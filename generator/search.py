"""Search index: run Pagefind over the staged site, before it is published.

``index_site`` is the ``finish`` step of ``writer.publish``: Pagefind reads the
rendered HTML (only elements marked ``data-pagefind-body``; filters and
metadata from ``data-pagefind-filter``/``-meta``; stemming from ``<html lang>``)
and writes ``pagefind/`` into the staging folder. When the HTML Pagefind reads
is byte for byte the HTML of the live site's bundle, the bundle is linked from
the live site instead (Pagefind costs minutes and gigabytes at 10,000 pages).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import shutil
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from generator import __version__
from generator.atomicfile import write_atomic
from generator.errors import VeilleError
from generator.model import OutputFile

log = logging.getLogger(__name__)
BUNDLE = "pagefind"
TIMEOUT_SECONDS = 300


class SearchIndexError(VeilleError):
    """Pagefind could not index the site; the previous site stays published."""


def pagefind_executable() -> Path:
    """The Pagefind binary shipped by the ``pagefind[bin]`` wheel."""
    try:
        from pagefind_bin import get_executable  # type: ignore[import-untyped]
    except ImportError as error:  # pragma: no cover - a packaging problem
        raise SearchIndexError("Pagefind is not installed: pip install 'pagefind[bin]'") from error
    return Path(get_executable())


def html_fingerprint(files: Iterable[OutputFile]) -> str:
    """SHA-256 of what Pagefind reads and how: every HTML file (path, bytes), Pagefind, Veille."""
    digest = hashlib.sha256()
    digest.update(f"veille {__version__}\n".encode())
    digest.update(hashlib.sha256(Path(__file__).read_bytes()).digest())  # stabilise_filters
    executable = pagefind_executable()
    status = executable.stat()
    digest.update(f"{executable} {status.st_size} {status.st_mtime_ns}\n".encode())
    for file in sorted((f for f in files if f.path.endswith(".html")), key=lambda f: f.path):
        digest.update(file.path.encode() + b"\0" + hashlib.sha256(file.data).digest())
    return digest.hexdigest()


class SearchStep:
    """The ``finish`` step of a publish: reuse ``live``'s bundle when its HTML had ``fingerprint``.

    ``record`` (in the cache folder) holds the fingerprint of the last bundle built
    and the identity (inode, size, mtime) of each of its files: a bundle is reused
    only if the live one is still exactly those files, so it can never be stale.
    With ``defer`` (``veille serve``), a changed site keeps the live bundle for now
    and ``deferred`` tells the caller to run ``refresh_index`` after publishing.
    """

    def __init__(self, fingerprint: str, live: Path, record: Path, defer: bool = False) -> None:
        self.fingerprint = fingerprint
        self.live = live.resolve() / BUNDLE
        self.record = record
        self.defer = defer
        self.deferred = False

    def __call__(self, folder: Path) -> None:
        target = folder / BUNDLE
        if _reuse_bundle(self.fingerprint, self.live, target, self.record):
            log.info("search index unchanged: bundle linked from the live site")
            return
        if self.defer and self.live.is_dir():
            _link_tree(self.live, target)
            self.deferred = True
            log.info("search index deferred: the previous bundle is kept meanwhile")
            return
        index_site(folder)
        _save_record(self.record, self.fingerprint, target)


def snapshot_html(live: Path, snapshot: Path) -> None:
    """Hard-link the live site's HTML into ``snapshot`` for indexing in the background."""
    if snapshot.exists():
        shutil.rmtree(snapshot)
    root = str(live.resolve())
    for top, dirs, names in os.walk(root):
        if top == root and BUNDLE in dirs:
            dirs.remove(BUNDLE)
        for name in names:
            if name.endswith(".html"):
                source = os.path.join(top, name)
                target = snapshot / os.path.relpath(source, root)
                target.parent.mkdir(parents=True, exist_ok=True)
                os.link(source, target)


def record_bundle(record: Path, fingerprint: str, bundle: Path) -> None:
    """Remember that ``bundle`` indexes HTML with ``fingerprint`` (after a late index)."""
    _save_record(record, fingerprint, bundle)


def _link_tree(source: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    for rel, *_ in _bundle_identity(source):
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.link(source / rel, destination)


def _bundle_identity(bundle: Path) -> list[list[Any]]:
    """Each file of a bundle as [relative path, inode, size, mtime], sorted by path."""
    rows: list[list[Any]] = []
    root = str(bundle)
    for top, _, names in os.walk(root):
        for name in names:
            path = os.path.join(top, name)
            status = os.lstat(path)
            rel = os.path.relpath(path, root)
            rows.append([rel, status.st_ino, status.st_size, status.st_mtime_ns])
    rows.sort()
    return rows


def _reuse_bundle(fingerprint: str, live: Path, target: Path, record: Path) -> bool:
    try:
        saved = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(saved, dict) or saved.get("fingerprint") != fingerprint:
        return False
    if not live.is_dir() or saved.get("files") != _bundle_identity(live):
        return False
    _link_tree(live, target)
    return True


def _save_record(record: Path, fingerprint: str, bundle: Path) -> None:
    data = {"fingerprint": fingerprint, "files": _bundle_identity(bundle)}
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(record, json.dumps(data))
    except OSError as error:  # a missing record only costs the next build a Pagefind run
        log.warning("could not save the search index record %s: %s", record, error)


def index_site(folder: Path) -> None:
    """Index the HTML under ``folder`` into ``folder/pagefind``."""
    started = time.perf_counter()
    command = [
        str(pagefind_executable()),
        "--site",
        str(folder),
        "--output-subdir",
        BUNDLE,
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
    stabilise_filters(folder / BUNDLE)
    log.info("search index built in %.2f s", time.perf_counter() - started)


# Pagefind (1.5) writes filter values in hash-map order, so two builds of the same
# site differ. Sorting the values of each filter file, renaming it by content and
# patching the (same-length) hashes in the meta and entry files makes output stable.
SIGNATURE = b"pagefind_dcd"


def stabilise_filters(bundle: Path) -> None:
    """Rewrite Pagefind's filter files in a canonical order, with content-derived names."""
    renames: dict[str, str] = {}
    for path in sorted((bundle / "filter").glob("*.pf_filter")):
        raw = gzip.decompress(path.read_bytes())
        if not raw.startswith(SIGNATURE):
            continue
        try:
            value, end = _decode(raw, len(SIGNATURE))
        except ValueError:
            log.warning("unexpected Pagefind filter format in %s; left as is", path.name)
            continue
        if end != len(raw) or not _is_filter(value):
            continue
        name, entries = value
        data = SIGNATURE + _encode([name, sorted(entries, key=lambda e: e[0])])
        old = path.stem
        language, _, digest = old.partition("_")
        new = f"{language}_{hashlib.sha256(data).hexdigest()[: len(digest)]}"
        path.unlink()
        (path.parent / f"{new}.pf_filter").write_bytes(gzip.compress(data, mtime=0))
        renames[old] = new
    if not renames:
        return
    entry_path = bundle / "pagefind-entry.json"
    entry = entry_path.read_text(encoding="utf-8")
    for meta in sorted(bundle.glob("pagefind.*.pf_meta")):
        raw = gzip.decompress(meta.read_bytes())
        for old, new in renames.items():
            raw = raw.replace(old.encode(), new.encode())
        try:
            decoded, end = _decode(raw, len(SIGNATURE))
        except ValueError:
            decoded, end = None, -1
        if end == len(raw):
            raw = SIGNATURE + _encode(_sort_filter_lists(decoded, set(renames.values())))
        old_hash = meta.name[len("pagefind.") : -len(".pf_meta")]
        language, _, digest = old_hash.partition("_")
        new_hash = f"{language}_{hashlib.sha256(raw).hexdigest()[: len(digest)]}"
        meta.unlink()
        (bundle / f"pagefind.{new_hash}.pf_meta").write_bytes(gzip.compress(raw, mtime=0))
        entry = entry.replace(f'"{old_hash}"', f'"{new_hash}"')
    entry_path.write_text(entry, encoding="utf-8")


def _sort_filter_lists(value: Any, hashes: set[str]) -> Any:
    """Sort the meta file's ``[[filter name, filter file hash], ...]`` list by name."""
    if not isinstance(value, list):
        return value
    pairs = value and all(
        isinstance(v, list) and len(v) == 2 and isinstance(v[1], str) and v[1] in hashes
        for v in value
    )
    if pairs:
        return sorted(value, key=lambda v: str(v[0]))
    return [_sort_filter_lists(v, hashes) for v in value]


def _is_filter(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], list)
        and all(isinstance(e, list) and e and isinstance(e[0], str) for e in value[1])
    )


def _decode(data: bytes, at: int) -> tuple[Any, int]:
    """The CBOR subset Pagefind filters use: unsigned ints, text strings, arrays."""
    major, info = data[at] >> 5, data[at] & 0x1F
    at += 1
    if info < 24:
        size = info
    elif info in (24, 25, 26, 27):
        width = 1 << (info - 24)
        size = int.from_bytes(data[at : at + width], "big")
        at += width
    else:
        raise ValueError(f"unsupported CBOR length {info}")
    if major == 0:
        return size, at
    if major == 3:
        return data[at : at + size].decode("utf-8"), at + size
    if major == 4:
        items = []
        for _ in range(size):
            item, at = _decode(data, at)
            items.append(item)
        return items, at
    raise ValueError(f"unsupported CBOR major type {major}")


def _head(major: int, size: int) -> bytes:
    if size < 24:
        return bytes([major << 5 | size])
    for info, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if size < 1 << (8 * width):
            return bytes([major << 5 | info]) + size.to_bytes(width, "big")
    raise ValueError("CBOR value too large")


def _encode(value: Any) -> bytes:
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    parts = [_encode(v) for v in value]
    return _head(4, len(value)) + b"".join(parts)
