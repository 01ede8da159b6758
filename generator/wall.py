"""Stage 2, the wall: validated records → one ordered stream of items and its views.

Posts, meetups and curated feed links become ``Item``s; the wall sorts them
(pinned first, newest first), groups them by tag, community, person, kind and
site, and refuses two items that would be published at the same path.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from generator.errors import ContentError, Problem
from generator.model import Community, Curation, FeedItem, Item, Kind, Person, Post, Site
from generator.text import excerpt


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a paginated list: items, its number (from 1) and the page count."""

    number: int
    count: int
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Wall:
    """The stream and its taxonomies, ready to render."""

    items: tuple[Item, ...]
    people: tuple[Person, ...]
    communities: tuple[Community, ...]
    by_tag: dict[str, tuple[Item, ...]]
    by_community: dict[str, tuple[Item, ...]]
    by_author: dict[str, tuple[Item, ...]]
    by_kind: dict[str, tuple[Item, ...]]
    by_site: dict[str, tuple[Item, ...]]
    by_path: dict[str, Item]


def item_from_post(post: Post) -> Item:
    """A post (or meetup) as a wall item."""
    return Item(
        kind=Kind.MEETUP if post.event is not None else Kind.POST,
        path=post.path,
        slug=post.slug,
        title=post.title,
        date=post.date,
        summary_html=f"<p>{html.escape(post.summary)}</p>",
        body_html=post.body_html,
        author=post.author,
        tags=post.tags,
        community=post.community,
        pinned=post.pinned,
        event=post.event,
        event_ref=post.event_ref,
        thumbnail=post.image,
        updated=post.updated,
        contributors=post.contributors,
    )


def item_from_feed(entry: FeedItem, curation: Curation | None, summary_words: int) -> Item:
    """A curated feed item as a wall link; its HTML was sanitised at ingestion."""
    summary = excerpt(entry.summary_html or entry.content_html, summary_words)
    tags = tuple(dict.fromkeys((*entry.tags, *(curation.tags if curation else ()))))
    return Item(
        kind=Kind.LINK,
        path=entry.path,
        slug=entry.slug,
        title=entry.title,
        date=entry.published,
        summary_html=f"<p>{html.escape(summary)}</p>" if summary else "",
        body_html=entry.content_html or entry.summary_html,
        tags=tags,
        community=curation.community if curation and curation.community else None,
        pinned=bool(curation and curation.pin),
        external_url=entry.link,
        source_title=entry.source_title,
        note_html=curation.note_html if curation else "",
        thumbnail=entry.thumbnail,
        updated=entry.updated,
    )


def sort_items(items: Iterable[Item]) -> tuple[Item, ...]:
    """Pinned first, then newest first; the path breaks ties so output is stable."""
    by_path = sorted(items, key=lambda i: i.path)
    by_date = sorted(by_path, key=lambda i: i.date, reverse=True)
    return tuple(sorted(by_date, key=lambda i: not i.pinned))


def paginate(items: Sequence[Item], per_page: int) -> list[Page]:
    """Split items into pages; an empty list still has one (empty) page."""
    count = max(1, -(-len(items) // per_page))
    return [
        Page(n + 1, count, tuple(items[n * per_page : (n + 1) * per_page])) for n in range(count)
    ]


def published_paths(site: Site) -> set[str]:
    """The item paths ``build_wall`` publishes (posts, links not hidden), without building it."""
    hidden = {c.link for c in site.curation if c.hide}
    links = {f.path for f in site.feed_items if not (f.link and f.link in hidden)}
    return {p.path for p in site.posts} | links


def build_wall(
    site: Site,
    summary_words: int = 50,
    feed_communities: dict[str, str | None] | None = None,
    feed_tags: dict[str, tuple[str, ...]] | None = None,
) -> Wall:
    """Merge posts and curated links into the wall; raise on path collisions."""
    curation = {c.link: c for c in site.curation}
    items = [item_from_post(p) for p in site.posts]
    for entry in site.feed_items:
        note = curation.get(entry.link) if entry.link else None
        if note is not None and note.hide:
            continue
        item = item_from_feed(entry, note, summary_words)
        if item.community is None and feed_communities:
            item = replace(item, community=feed_communities.get(entry.feed_id))
        if feed_tags and feed_tags.get(entry.feed_id):
            merged = tuple(dict.fromkeys((*feed_tags[entry.feed_id], *item.tags)))
            item = replace(item, tags=merged)
        items.append(item)
    by_path: dict[str, Item] = {}
    problems = []
    for item in items:
        if item.path in by_path:
            problems.append(
                Problem(item.path, None, f"two items would be published at {item.path}")
            )
        by_path[item.path] = item
    if problems:
        raise ContentError(problems)
    ordered = sort_items(items)
    site_of = {c.id: c.site for c in site.communities}
    return Wall(
        items=ordered,
        people=tuple(sorted(site.people, key=lambda p: (p.name.casefold(), p.id))),
        communities=tuple(sorted(site.communities, key=lambda c: c.name.casefold())),
        by_tag=_group(ordered, lambda i: i.tags),
        by_community=_group(ordered, lambda i: (i.community,) if i.community else ()),
        by_author=_group(ordered, lambda i: (i.author,) if i.author else ()),
        by_kind=_group(ordered, lambda i: (i.kind.value,)),
        by_site=_group(
            ordered,
            lambda i: (site_of[i.community],) if i.community and site_of.get(i.community) else (),
        ),
        by_path=by_path,
    )


def _group(
    items: Sequence[Item], keys: Callable[[Item], Iterable[str]]
) -> dict[str, tuple[Item, ...]]:
    """Items under each of their keys (in wall order), the groups sorted by key."""
    groups: dict[str, list[Item]] = defaultdict(list)
    for item in items:
        for key in keys(item):
            groups[key].append(item)
    return {k: tuple(v) for k, v in sorted(groups.items())}


def upcoming(items: Iterable[Item], now: datetime) -> tuple[Item, ...]:
    """Meetups that have not ended yet, soonest first."""
    meetups = [(i, i.event) for i in items if i.event is not None and i.event.end >= now]
    return tuple(i for i, _ in sorted(meetups, key=lambda pair: (pair[1].start, pair[0].path)))
