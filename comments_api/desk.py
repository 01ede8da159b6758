"""The animator's desk: what to relaunch, prepare or welcome, from ``items.json`` and the comments.

``load_items`` reads the published ``items.json``; ``build_desk`` is a pure function of
those items, the comment facts, the directory and "now". It lists only what the wall
already shows to everyone, in date or name order: nobody is ranked by activity.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from comments_api.store import CommentRow, utc
from generator.model import Community, Person

RELAUNCH = timedelta(days=14)  # items this recent with no comment yet
UNANSWERED = timedelta(days=2)  # a question with no reply after this long
MEETUP_WEEK = timedelta(days=7)  # the week before a start, the week after an end
RECAP_WATCH = timedelta(days=28)  # a missing recap is listed this long after the end
QUIET = timedelta(weeks=4)  # a community with no post for this long
NEWCOMER = timedelta(days=30)  # people who joined this recently
WRITTEN_KINDS = frozenset({"post", "meetup"})  # what people write (links come from feeds)


class ItemsError(ValueError):
    """``items.json`` is missing or not what the build writes."""


@dataclass(frozen=True, slots=True)
class PublishedItem:
    """One entry of ``items.json``; a meetup adds its times and its linked posts."""

    path: str
    kind: str
    title: str
    date: datetime
    community: str | None
    start: datetime | None = None
    end: datetime | None = None
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Question:
    comment_id: int
    thread: str
    title: str
    author: str
    excerpt: str
    created: datetime


@dataclass(frozen=True, slots=True)
class MeetupGap:
    """A meetup whose "before" (preparation) or "after" (recap) post is missing."""

    item: PublishedItem
    missing: str  # "before" or "after"


@dataclass(frozen=True, slots=True)
class QuietCommunity:
    id: str
    name: str
    last_post: datetime | None


@dataclass(frozen=True, slots=True)
class Desk:
    """Everything the desk page lists, each list in date (or name) order."""

    now: datetime
    uncommented: tuple[PublishedItem, ...]
    questions: tuple[Question, ...]
    meetups: tuple[MeetupGap, ...]
    quiet: tuple[QuietCommunity, ...]
    newcomers: tuple[Person, ...]


def _time(value: Any, key: str) -> datetime:
    if not isinstance(value, str):
        raise ItemsError(f"'{key}': expected an ISO 8601 time")
    try:
        return utc(datetime.fromisoformat(value))
    except ValueError:
        raise ItemsError(f"'{key}': not an ISO 8601 time: {value!r}") from None


def parse_items(text: str) -> tuple[PublishedItem, ...]:
    """``items.json`` text → items; a malformed file is one ItemsError."""
    try:
        entries = json.loads(text)["items"]
        items = []
        for e in entries:
            meetup = e["kind"] == "meetup"
            items.append(
                PublishedItem(
                    path=str(e["path"]),
                    kind=str(e["kind"]),
                    title=str(e["title"]),
                    date=_time(e["date"], "date"),
                    community=e.get("community"),
                    start=_time(e["start"], "start") if meetup else None,
                    end=_time(e["end"], "end") if meetup else None,
                    before=tuple(e.get("before", ())),
                    after=tuple(e.get("after", ())),
                )
            )
    except (ValueError, KeyError, TypeError) as exc:
        raise ItemsError(f"not the items.json a build writes: {exc}") from None
    return tuple(items)


def load_items(path: Path | None) -> tuple[PublishedItem, ...]:
    """The published items, read from the site's output folder."""
    if path is None:
        raise ItemsError("no items.json is configured for this server")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ItemsError(f"cannot read {path}: {exc.strerror}; build the site first") from None
    return parse_items(text)


def is_question(body: str) -> bool:
    return body.rstrip().endswith("?")


def build_desk(
    items: Sequence[PublishedItem],
    counts: Mapping[str, int],
    unanswered: Iterable[CommentRow],
    communities: Iterable[Community],
    people: Iterable[Person],
    now: datetime,
) -> Desk:
    """The desk's lists at ``now``.

    ``counts`` is approved comments per thread; ``unanswered`` the approved comments
    older than two days with no approved reply (``ModerationQueries.unanswered``).
    """
    by_path = {i.path: i for i in items}
    uncommented = sorted(
        (i for i in items if now - RELAUNCH <= i.date <= now and counts.get(i.path, 0) == 0),
        key=lambda i: (i.date, i.path),
        reverse=True,
    )
    questions = [
        Question(
            comment_id=c.id,
            thread=c.thread,
            title=by_path[c.thread].title if c.thread in by_path else c.thread,
            author=c.author_name,
            excerpt=_excerpt(c.body),
            created=c.created,
        )
        for c in unanswered
        if is_question(c.body) and c.created <= now - UNANSWERED
    ]
    meetups = [gap for i in items if i.kind == "meetup" for gap in _gaps(i, by_path, now)]
    last_post: dict[str, datetime] = {}
    for i in items:
        if i.kind in WRITTEN_KINDS and i.community and i.date <= now:
            last_post[i.community] = max(i.date, last_post.get(i.community, i.date))
    quiet = [
        QuietCommunity(c.id, c.name, last_post.get(c.id))
        for c in sorted(communities, key=lambda c: c.name.casefold())
        if c.id not in last_post or last_post[c.id] < now - QUIET
    ]
    today = now.date()
    newcomers = sorted(
        (p for p in people if p.joined is not None and _joined_recently(p.joined, today)),
        key=lambda p: (p.joined or today, p.name.casefold()),
    )
    return Desk(
        now=now,
        uncommented=tuple(uncommented),
        questions=tuple(sorted(questions, key=lambda q: (q.created, q.comment_id))),
        meetups=tuple(sorted(meetups, key=lambda g: (g.item.start or now, g.item.path))),
        quiet=tuple(quiet),
        newcomers=tuple(newcomers),
    )


def _gaps(
    meetup: PublishedItem, by_path: Mapping[str, PublishedItem], now: datetime
) -> list[MeetupGap]:
    """ "before": in the week before the start, no post linked before it in that week.
    "after": from the end and for four weeks, no post linked after it yet."""
    assert meetup.start is not None and meetup.end is not None
    gaps = []
    week_before = meetup.start - MEETUP_WEEK
    if week_before <= now < meetup.start:
        prepared = any(p in by_path and by_path[p].date >= week_before for p in meetup.before)
        if not prepared:
            gaps.append(MeetupGap(meetup, "before"))
    if meetup.end <= now < meetup.end + RECAP_WATCH and not meetup.after:
        gaps.append(MeetupGap(meetup, "after"))
    return gaps


def _joined_recently(joined: date, today: date) -> bool:
    return today - timedelta(days=NEWCOMER.days) <= joined <= today


def _excerpt(body: str, limit: int = 160) -> str:
    text = " ".join(body.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
