"""The feed cache under ``.veille/feeds/``: one JSON file per feed, its HTTP state and items.

``veille fetch`` merges fresh items in (``merge_items``: an item keeps its slug, first
date and wall page for life); ``veille build`` reads it (``load_feed_items``) and never
touches the network. Files are written atomically, as deterministic JSON.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from generator.atomicfile import write_atomic
from generator.config import FeedConfig, SiteConfig
from generator.errors import ContentError, Problem
from generator.model import FeedItem
from generator.text import item_slug

log = logging.getLogger(__name__)

CACHE_FORMAT = 1
RETAIN_ITEMS = 1000  # per feed, newest first: bounds the file, well above any max_items
_DATES = frozenset({"published", "first_seen", "updated"})
_ITEM_FIELDS = tuple(f.name for f in fields(FeedItem))
_GLOBAL_ID = re.compile(r"(?:https?://|urn:|tag:)\S", re.I)


class CacheError(ValueError):
    """A cache file cannot be read back (corrupt, or written by an unknown version)."""


@dataclass(frozen=True, slots=True)
class FeedState:
    """What the fetcher remembers about a feed between runs."""

    url: str  # where to fetch next: the configured URL, or where it moved permanently
    configured_url: str  # the site.yaml ``url`` this state belongs to
    etag: str | None = None
    last_modified: str | None = None
    gone: bool = False
    failures: int = 0
    retry_after: datetime | None = None
    last_error: str | None = None
    last_fetched: datetime | None = None  # the last 200 whose body was read as a feed
    last_failed: datetime | None = None
    title: str = ""
    home_url: str | None = None
    format: str = ""
    digest: str | None = None  # sha256 of the last body read, to skip parsing the same bytes
    parser_version: int = 0  # feeds.PARSER_VERSION of the reader that produced the items


@dataclass(frozen=True, slots=True)
class CachedFeed:
    """One feed's cache file: its state and every item kept (newest first)."""

    feed_id: str
    state: FeedState
    items: tuple[FeedItem, ...] = ()


def fresh_state(feed: FeedConfig) -> FeedState:
    """The state of a feed never fetched (or whose ``url`` changed in site.yaml)."""
    return FeedState(url=feed.url, configured_url=feed.url)


def feeds_dir(config: SiteConfig) -> Path:
    """The folder of the feed cache."""
    return config.cache_path / "feeds"


def cache_file(config: SiteConfig, feed_id: str) -> Path:
    """The cache file of one feed."""
    return feeds_dir(config) / f"{feed_id}.json"


# -- reading and writing -----------------------------------------------------------


def read_cached_feed(path: Path) -> CachedFeed:
    """Read one cache file; raise CacheError when it is not one we wrote."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CacheError(f"unreadable feed cache ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != CACHE_FORMAT:
        raise CacheError(f"not a feed cache of format {CACHE_FORMAT}")
    try:
        # Keys a different version of Veille wrote (and this one does not know) are dropped,
        # so that upgrading never turns a good cache, and its stable item URLs, into an error.
        known = {f.name for f in fields(FeedState)}
        values: dict[str, Any] = {k: v for k, v in dict(doc["state"]).items() if k in known}
        for name in ("retry_after", "last_fetched", "last_failed"):
            values[name] = _date_in(values.get(name))
        state = FeedState(**values)
        items = tuple(_item_in(entry) for entry in doc["items"])
        return CachedFeed(feed_id=str(doc["feed_id"]), state=state, items=items)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise CacheError(f"corrupt feed cache ({type(exc).__name__}: {exc})") from None


def load_cached_feed(config: SiteConfig, feed_id: str) -> CachedFeed | None:
    """A feed's cache for the fetcher: None when absent or unreadable (it is then rebuilt)."""
    path = cache_file(config, feed_id)
    if not path.exists():
        return None
    try:
        return read_cached_feed(path)
    except CacheError as exc:
        log.warning("%s: %s; starting this feed afresh", path, exc)
        return None


def load_all_cached(config: SiteConfig) -> dict[str, CachedFeed]:
    """Every readable cache file, configured or not (their slugs stay reserved)."""
    found: dict[str, CachedFeed] = {}
    folder = feeds_dir(config)
    if not folder.is_dir():
        return found
    for path in sorted(folder.glob("*.json")):
        cached = load_cached_feed(config, path.stem)
        if cached is not None:
            found[path.stem] = cached
    return found


def save_cached_feed(config: SiteConfig, cached: CachedFeed) -> Path:
    """Write one feed's cache atomically (a reader never sees half a file)."""
    path = cache_file(config, cached.feed_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, dump_cached_feed(cached))
    return path


def dump_cached_feed(cached: CachedFeed) -> str:
    """Deterministic JSON: sorted keys, items newest first, UTC ISO dates."""
    state = {f.name: _date_out(getattr(cached.state, f.name)) for f in fields(FeedState)}
    doc = {
        "format": CACHE_FORMAT,
        "feed_id": cached.feed_id,
        "state": state,
        "items": [_item_out(item) for item in sort_newest(cached.items)],
    }
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def _date_out(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _date_in(value: Any) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"naive date {value!r}")
    return parsed


def _item_out(item: FeedItem) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _ITEM_FIELDS:
        value = getattr(item, name)
        out[name] = list(value) if isinstance(value, tuple) else _date_out(value)
    return out


def _item_in(data: Mapping[str, Any]) -> FeedItem:
    values = {k: v for k, v in data.items() if k in _ITEM_FIELDS}
    for name in _DATES:
        if name in values:
            values[name] = _date_in(values[name])
    values["tags"] = tuple(str(t) for t in values.get("tags", ()))
    item = FeedItem(**values)
    if not isinstance(item.published, datetime) or not item.slug:
        raise ValueError(f"item {item.id!r} has no date or no slug")
    return item


# -- merging fresh items into the cache ---------------------------------------------


def merge_key(item: FeedItem) -> tuple[str, ...]:
    """What makes two items the same article across feeds: the link, else an id that is
    a real URI (http(s), urn, tag); any other id means something only within its feed."""
    if item.link:
        return ("link", item.link)
    if _GLOBAL_ID.match(item.id):
        return ("id", item.id)
    return ("feed", item.feed_id, item.id)


@dataclass(slots=True)
class SlugRegistry:
    """The slugs of the whole cache, so that a new item's slug is unique and, when
    another feed already carries the same article, the same as there."""

    slugs: set[str] = field(default_factory=set)
    known: dict[tuple[str, ...], FeedItem] = field(default_factory=dict)

    @classmethod
    def of(cls, feeds: Iterable[CachedFeed]) -> SlugRegistry:
        registry = cls()
        for cached in feeds:
            for item in cached.items:
                registry.add(item)
        return registry

    def add(self, item: FeedItem) -> None:
        self.slugs.add(item.slug)
        self.known.setdefault(merge_key(item), item)

    def claim(self, item: FeedItem) -> FeedItem:
        """A new item with its lifelong slug and first dates; registers it."""
        twin = self.known.get(merge_key(item))
        if twin is not None:
            item = replace(
                item, slug=twin.slug, published=twin.published, first_seen=twin.first_seen
            )
        else:
            salt = 0
            while item.slug in self.slugs:
                salt += 1
                item = replace(item, slug=item_slug(item.title, item.feed_id, item.id, salt))
        self.add(item)
        return item


@dataclass(frozen=True, slots=True)
class MergeResult:
    """The items of a feed after a fetch, and how many were new or changed."""

    items: tuple[FeedItem, ...]
    added: int = 0
    updated: int = 0


_COMPARED = ("title", "link", "summary_html", "content_html", "author", "thumbnail", "tags")


def merge_items(
    old: Iterable[FeedItem],
    fresh: Iterable[FeedItem],
    registry: SlugRegistry,
    fetched_at: datetime,
    retain: int = RETAIN_ITEMS,
) -> MergeResult:
    """Merge a fetch into a feed's cached items; old items not in the feed are kept.

    An item seen before (same id, else same link) is updated in place: its slug,
    ``published`` and ``first_seen`` never change, so its wall page, comments and
    newsletter edition stay the same; ``updated`` records the change.
    """
    kept = {item.id: item for item in old}
    by_link = {item.link: item.id for item in kept.values() if item.link}
    added = updated = 0
    matched: set[str] = set()  # two entries sharing a link must not take turns
    for item in fresh:
        previous_id = item.id if item.id in kept else by_link.get(item.link or "")
        if previous_id in matched and previous_id != item.id:
            previous_id = None
        if previous_id is None:
            kept[item.id] = registry.claim(item)
            matched.add(item.id)
            if item.link:
                by_link.setdefault(item.link, item.id)
            added += 1
            continue
        matched.add(item.id)
        before = kept[previous_id]
        if all(getattr(before, name) == getattr(item, name) for name in _COMPARED):
            continue
        changed_at = item.updated if item.updated and item.updated > before.published else None
        del kept[previous_id]
        kept[item.id] = replace(
            item,
            slug=before.slug,
            published=before.published,
            first_seen=before.first_seen,
            updated=changed_at or fetched_at,
        )
        if item.link:
            by_link[item.link] = item.id
        updated += 1
    items = sort_newest(kept.values())[:retain]
    return MergeResult(items=items, added=added, updated=updated)


def sort_newest(items: Iterable[FeedItem]) -> tuple[FeedItem, ...]:
    """Newest first; the id breaks ties so that the order is stable."""
    return tuple(sorted(items, key=lambda i: (-i.published.timestamp(), i.id)))


# -- what the build reads -----------------------------------------------------------


def load_feed_items(config: SiteConfig) -> tuple[FeedItem, ...]:
    """The cached items of the feeds in site.yaml: ``max_items`` each, merged, newest first.

    Never touches the network; raises ContentError naming an unreadable cache file.
    """
    chosen: list[FeedItem] = []
    problems: list[Problem] = []
    for feed in config.feeds:
        path = cache_file(config, feed.id)
        if not path.exists():
            continue
        try:
            cached = read_cached_feed(path)
        except CacheError as exc:
            problems.append(Problem(path, None, f"{exc}; delete it and run `veille fetch`"))
            continue
        title = feed.title or cached.state.title or feed.id
        for item in sort_newest(cached.items)[: feed.max_items]:
            tags = tuple(dict.fromkeys((*feed.tags, *item.tags)))
            chosen.append(replace(item, feed_id=feed.id, source_title=title, tags=tags))
    if problems:
        raise ContentError(problems)
    order = {feed.id: index for index, feed in enumerate(config.feeds)}
    return merge_duplicates(chosen, order)


def merge_duplicates(
    items: Iterable[FeedItem], feed_order: Mapping[str, int] | None = None
) -> tuple[FeedItem, ...]:
    """One item per article: the first seen (then the first feed in site.yaml) wins,
    with the tags of all its copies; result newest first, every path unique."""
    order = feed_order or {}

    def rank(item: FeedItem) -> tuple[Any, ...]:
        first = item.first_seen or item.published
        return (first.timestamp(), order.get(item.feed_id, len(order)), item.feed_id, item.id)

    winners: dict[tuple[str, ...], FeedItem] = {}
    for item in sorted(items, key=rank):
        key = merge_key(item)
        winner = winners.get(key)
        if winner is None:
            winners[key] = item
        elif item.tags:
            tags = tuple(dict.fromkeys((*winner.tags, *item.tags)))
            winners[key] = replace(winner, tags=tags)
    paths: set[str] = set()
    unique = []
    for item in sorted(winners.values(), key=rank):
        salt = 0
        while item.path in paths:  # only a hand-edited cache gets here
            salt += 1
            item = replace(item, slug=item_slug(item.title, item.feed_id, item.id, salt))
        paths.add(item.path)
        unique.append(item)
    return tuple(sorted(unique, key=lambda i: (-i.published.timestamp(), i.path)))
