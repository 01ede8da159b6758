"""JSON Feed 1.0 / 1.1 bytes → ``RawFeed`` (feedparser does not read JSON Feed).

Only the shape is checked here; ``feeds.normalise_entry`` applies the same link,
date, title and sanitising rules as for RSS and Atom.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from generator.errors import FeedError
from generator.feeds.raw import RawEntry, RawFeed

VERSION_PREFIX = "https://jsonfeed.org/version/"


def read_json_feed(data: bytes, feed_id: str) -> RawFeed:
    """Parse a JSON Feed document; raise FeedError when it is not one."""
    warnings: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        warnings.append("JSON Feed is not valid UTF-8; read as windows-1252")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FeedError(feed_id, f"malformed JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(doc, dict):
        raise FeedError(feed_id, "JSON, but not a JSON Feed (expected an object)")
    version = doc.get("version")
    if not isinstance(version, str) or not version.startswith(VERSION_PREFIX):
        raise FeedError(feed_id, "JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = doc.get("items")
    if not isinstance(items, list):
        raise FeedError(feed_id, "JSON Feed without an 'items' list")
    entries = tuple(_entry(item) for item in items if isinstance(item, dict))
    skipped = len(items) - len(entries)
    if skipped:
        warnings.append(f"{skipped} JSON Feed item(s) are not objects; skipped")
    return RawFeed(
        format="json" + version[len(VERSION_PREFIX) :].replace(".", ""),
        title=_str(doc.get("title")),
        home_url=_str(doc.get("home_page_url")) or None,
        entries=entries,
        warnings=tuple(warnings),
    )


def _entry(item: dict[str, Any]) -> RawEntry:
    item_id = item.get("id")
    content_html = _str(item.get("content_html"))
    content_text = _str(item.get("content_text"))
    return RawEntry(
        id=str(item_id) if isinstance(item_id, (str, int)) and str(item_id) else None,
        links=tuple(u for u in (_str(item.get("url")), _str(item.get("external_url"))) if u),
        title=_str(item.get("title")),
        title_is_html=False,
        summary=_str(item.get("summary")),
        summary_is_html=False,
        content=content_html or content_text,
        content_is_html=bool(content_html),
        published=_str(item.get("date_published")) or None,
        updated=_str(item.get("date_modified")) or None,
        author=_author(item),
        thumbnails=tuple(_images(item)),
        tags=tuple(t for t in item.get("tags") or () if isinstance(t, str)),
    )


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _author(item: dict[str, Any]) -> str | None:
    authors = item.get("authors")
    if not isinstance(authors, list):  # 1.0 has a single "author"
        authors = [item.get("author")]
    names = [_str(a.get("name")) for a in authors if isinstance(a, dict)]
    names = [n for n in names if n]
    return ", ".join(names) or None


def _images(item: dict[str, Any]) -> Iterable[str]:
    yield _str(item.get("image"))
    yield _str(item.get("banner_image"))
    for attachment in item.get("attachments") or ():
        if isinstance(attachment, dict) and _str(attachment.get("mime_type")).startswith("image/"):
            yield _str(attachment.get("url"))
