"""What Pagefind reads of a page, hashed: the key that decides whether a shard is re-indexed.

Pagefind indexes only the element marked ``data-pagefind-body`` (its text, and
the ``data-pagefind-filter``/``-meta``/``-sort`` elements inside it) in the
language of ``<html lang>``. Hashing just those bytes, rather than the whole
page, means a change to the header, sidebar or "recent posts" of every page
does not re-index every shard.
"""

from __future__ import annotations

import hashlib
import re

BODY_ATTRIBUTE = b"data-pagefind-body"
_LANG = re.compile(rb"<html[^>]*\slang=\"([^\"]*)\"", re.IGNORECASE)
_TAG = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)")


def indexed_part(data: bytes) -> bytes | None:
    """The bytes of the element Pagefind indexes, or None if the page is not indexed."""
    at = data.find(BODY_ATTRIBUTE)
    if at < 0:
        return None
    start = data.rfind(b"<", 0, at)
    opening = _TAG.match(data, start)
    if opening is None:
        return data[start:]
    name = re.escape(opening.group(1))
    depth = 0
    for tag in re.finditer(rb"<(/?)" + name + rb"[\s>/]", data[start:]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            return data[start : start + tag.end()]
    return data[start:]  # unbalanced: hash everything from the body on


def index_key(data: bytes) -> str | None:
    """SHA-256 of the page's language and indexed element; None for pages not indexed."""
    part = indexed_part(data)
    if part is None:
        return None
    lang = _LANG.search(data[:2048])
    digest = hashlib.sha256(lang.group(1) if lang else b"")
    digest.update(b"\0" + part)
    return digest.hexdigest()
