"""Reproducible Pagefind bundles: filter files rewritten in a canonical order.

Pagefind (1.5) writes filter values in hash-map order, so two builds of the same
site differ. Sorting the values of each filter file, renaming it by content and
patching the (same-length) hashes in the meta and entry files makes output stable.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)
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
