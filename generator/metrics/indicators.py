"""Metrics, the indicators: ``Site`` (content, directory, comments data) + now → ``MetricsReport``.

Each indicator is a small pure function whose docstring is its definition. Only
people of the directory count in rates; comments count when approved.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from generator.model import CommentRecord, Kind, Site

#: A person needs this many posts and comments in the window to be a "heavy" contributor.
HEAVY_CONTRIBUTIONS = 5
COUNTED_STATUS = "approved"

#: Plain-word definitions, shown on the page (translated) and named in metrics.json.
DEFINITIONS: dict[str, str] = {
    "activation_rate": "People of the directory whose profile is activated (the comments "
    "service has seen them at least once, or they wrote a post), divided by the people "
    "of the directory.",
    "contribution_rate": "People of the directory who wrote a post or a comment in the "
    "window, divided by the people of the directory.",
    "contribution_rate_of_activated": "People who wrote a post or a comment in the window, "
    "divided by the activated people.",
    "engaged_people": "People of the directory with any post, comment or reaction in the window.",
    "engaged_people_daily_mean": "Mean, over the days of the window, of the people of the "
    "directory with any post, comment or reaction that day.",
    "items_discussed": "Share of the items published in the window (posts, meetups, links) "
    "with at least one comment.",
    "comments_per_item_median": "Median number of comments on the items published in the window.",
    "reply_depth_median": "Median depth of the discussed items of the window: 1 when all "
    "comments answer the item, 2 when someone replied to a comment, and so on.",
    "time_to_first_reply_median_hours": "Median time, in hours, from an item's publication "
    "to its first comment by someone other than its author, over the items of the window "
    "that got one.",
    "top10_share": "Share of the window's posts and comments written by the most active "
    "tenth of the contributors.",
    "tiers": "People of the directory by posts and comments in the window: silent (none), "
    "occasional (1 to 4), heavy (5 or more), against the 90-9-1 pattern.",
    "weekly": "Posts, links, comments, reactions and engaged people per ISO week, over the "
    "last 26 weeks.",
    "communities": "The same indicators for the members of each community; groups smaller "
    "than the minimum group size are merged into 'other'.",
    "sites": "The same indicators for the people of each site; groups smaller than the "
    "minimum group size are merged into 'other'.",
    "meetups": "Posts and comments linked to each meetup, before, during and after it.",
    "saved_items_rate": "Capitalisation: share of the items published in the window that at "
    "least one person saved for later (by the end of the window).",
    "savers_rate": "Capitalisation: people of the directory who saved at least one item in "
    "the window, divided by the people of the directory.",
}


@dataclass(frozen=True, slots=True)
class Window:
    """The period ``(start, end]``: a time exactly at ``start`` belongs to the previous window."""

    start: datetime
    end: datetime

    @classmethod
    def ending(cls, end: datetime, days: int) -> Window:
        """The ``days`` days ending at ``end``."""
        return cls(end - timedelta(days=days), end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, moment: datetime) -> bool:
        return self.start < moment <= self.end

    def previous(self) -> Window:
        """The window of the same length just before this one."""
        return Window(self.start - (self.end - self.start), self.start)


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment with its author resolved to a person id of the directory (or None)."""

    id: int
    thread: str
    parent: int | None
    person: str | None
    created: datetime
    counted: bool


@dataclass(frozen=True, slots=True)
class Action:
    """A dated act of one person (a post or a reaction), author resolved or None."""

    person: str | None
    created: datetime


@dataclass(frozen=True, slots=True)
class Save:
    """An item saved for later, its saver resolved to a person id of the directory (or None)."""

    thread: str
    person: str | None
    created: datetime


@dataclass(frozen=True, slots=True)
class Entry:
    """A published item: a post, a meetup or a (not hidden) feed item."""

    path: str
    kind: Kind
    date: datetime
    author: str | None
    community: str | None = None


@dataclass(frozen=True, slots=True)
class Facts:
    """The sources of one build reduced to what the indicators need (built once)."""

    people: tuple[str, ...]
    items: tuple[Entry, ...]
    posts: tuple[Action, ...]
    comments: tuple[Comment, ...]
    reactions: tuple[Action, ...]
    accounts: tuple[Action, ...]
    depths: Mapping[int, int]
    saves: tuple[Save, ...] = ()


def _resolver(site: Site) -> Mapping[str, str]:
    emails = {p.email.casefold(): p.id for p in site.people if p.email}
    return emails


def resolve_person(
    person_id: str | None, email: str | None, ids: frozenset[str], emails: Mapping[str, str]
) -> str | None:
    """The directory id of an actor: by ``person_id`` if known, else by e-mail (any case)."""
    if person_id is not None and person_id in ids:
        return person_id
    if email:
        return emails.get(email.strip().casefold())
    return None


def build_facts(site: Site) -> Facts:
    """Resolve every actor against the directory and list the published items."""
    ids = frozenset(p.id for p in site.people)
    emails = _resolver(site)
    hidden = {c.link for c in site.curation if c.hide}
    posts = [p for p in site.posts if not p.draft]
    items = [
        Entry(p.path, Kind.MEETUP if p.event else Kind.POST, p.date, p.author, p.community)
        for p in posts
    ]
    items += [
        Entry(f.path, Kind.LINK, f.published, None) for f in site.feed_items if f.link not in hidden
    ]
    data = site.comments
    comments = tuple(
        Comment(
            c.id,
            c.thread,
            c.parent,
            resolve_person(c.person_id, c.email, ids, emails),
            c.created,
            c.status == COUNTED_STATUS,
        )
        for c in sorted(data.comments, key=lambda c: (c.created, c.id))
    )
    return Facts(
        people=tuple(sorted(ids)),
        items=tuple(sorted(items, key=lambda i: (i.date, i.path))),
        posts=tuple(Action(p.author if p.author in ids else None, p.date) for p in posts),
        comments=comments,
        reactions=tuple(
            Action(resolve_person(r.person_id, r.email, ids, emails), r.created)
            for r in data.reactions
        ),
        accounts=tuple(
            Action(resolve_person(a.person_id, a.email, ids, emails), a.first_seen)
            for a in data.accounts
        ),
        depths=_depths(data.comments),
        saves=tuple(
            Save(s.thread, resolve_person(s.person_id, s.email, ids, emails), s.created)
            for s in data.saved
        ),
    )


def _depths(comments: Iterable[CommentRecord]) -> dict[int, int]:
    """Depth of each comment (1 = answers the item), following parents through deleted ones."""
    parents: dict[int, int | None] = {c.id: c.parent for c in comments}
    depths: dict[int, int] = {}
    for start in parents:
        chain: list[int] = []
        node: int | None = start
        while node is not None and node not in depths and node not in chain:
            chain.append(node)
            node = parents.get(node)
        base = depths.get(node, 0) if node is not None else 0
        for offset, comment_id in enumerate(reversed(chain), start=1):
            depths[comment_id] = base + offset
    return depths


def _rate(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def counted_comments(facts: Facts, until: datetime) -> list[Comment]:
    """Approved comments written up to ``until``."""
    return [c for c in facts.comments if c.counted and c.created <= until]


def activated_people(facts: Facts, at: datetime) -> frozenset[str]:
    """People seen by the comments service (account, comment, reaction) or who posted, by ``at``."""
    acts = [*facts.accounts, *facts.posts, *facts.reactions]
    acts += [Action(c.person, c.created) for c in facts.comments]
    return frozenset(a.person for a in acts if a.person is not None and a.created <= at)


def activation_rate(facts: Facts, at: datetime) -> float | None:
    """Activated people of the directory ÷ people of the directory."""
    return _rate(len(activated_people(facts, at)), len(facts.people))


def contributions(facts: Facts, window: Window) -> Counter[str]:
    """Posts and approved comments written in the window, per person of the directory."""
    acts = [a.person for a in facts.posts if window.contains(a.created)]
    acts += [c.person for c in facts.comments if c.counted and window.contains(c.created)]
    return Counter(p for p in acts if p is not None)


def contribution_rate(facts: Facts, window: Window) -> float | None:
    """People who posted or commented in the window ÷ people of the directory."""
    return _rate(len(contributions(facts, window)), len(facts.people))


def contribution_rate_of_activated(facts: Facts, window: Window) -> float | None:
    """People who posted or commented in the window ÷ activated people."""
    activated = activated_people(facts, window.end)
    contributors = set(contributions(facts, window)) & activated
    return _rate(len(contributors), len(activated))


def engaged(facts: Facts, window: Window) -> frozenset[str]:
    """People of the directory with any post, approved comment or reaction in the window."""
    people = set(contributions(facts, window))
    people.update(r.person for r in facts.reactions if window.contains(r.created) and r.person)
    return frozenset(people)


def engaged_people(facts: Facts, window: Window) -> int:
    """How many people of the directory posted, commented or reacted in the window."""
    return len(engaged(facts, window))


def engaged_people_daily_mean(facts: Facts, window: Window) -> float | None:
    """Mean over the window's days of the people engaged that day."""
    if window.days <= 0 or not facts.people:
        return None
    day = timedelta(days=1)
    days = [Window(window.end - (d + 1) * day, window.end - d * day) for d in range(window.days)]
    return sum(engaged_people(facts, day) for day in days) / len(days)


def window_items(facts: Facts, window: Window) -> list[Entry]:
    """Items published in the window."""
    return [i for i in facts.items if window.contains(i.date)]


def _threads(facts: Facts, until: datetime) -> dict[str, list[Comment]]:
    threads: dict[str, list[Comment]] = {}
    for comment in counted_comments(facts, until):
        threads.setdefault(comment.thread, []).append(comment)
    return threads


def items_discussed(facts: Facts, window: Window) -> float | None:
    """Items of the window with at least one approved comment ÷ items of the window."""
    items = window_items(facts, window)
    threads = _threads(facts, window.end)
    return _rate(sum(1 for i in items if threads.get(i.path)), len(items))


def comments_per_item_median(facts: Facts, window: Window) -> float | None:
    """Median count of approved comments over the items of the window (zeros included)."""
    threads = _threads(facts, window.end)
    return _median([len(threads.get(i.path, [])) for i in window_items(facts, window)])


def reply_depth_median(facts: Facts, window: Window) -> float | None:
    """Median over the window's discussed items of the deepest approved comment (1 = top level)."""
    threads = _threads(facts, window.end)
    depths = [
        max(facts.depths.get(c.id, 1) for c in threads[i.path])
        for i in window_items(facts, window)
        if threads.get(i.path)
    ]
    return _median([float(d) for d in depths])


def first_reply_hours(facts: Facts, window: Window) -> list[float | None]:
    """Per item of the window: hours to its first approved comment not by its author, or None."""
    threads = _threads(facts, window.end)
    delays: list[float | None] = []
    for item in window_items(facts, window):
        replies = [
            c for c in threads.get(item.path, []) if item.author is None or c.person != item.author
        ]
        if replies:
            seconds = (replies[0].created - item.date).total_seconds()
            delays.append(round(max(seconds, 0.0) / 3600, 4))
        else:
            delays.append(None)
    return delays


def time_to_first_reply_median_hours(facts: Facts, window: Window) -> float | None:
    """Median hours to the first reply by someone else, over the window's items that got one."""
    return _median([d for d in first_reply_hours(facts, window) if d is not None])


#: Upper bounds (hours) of the time-to-first-reply buckets; the last bucket is unbounded.
REPLY_BUCKETS: tuple[tuple[str, float], ...] = (
    ("under_1h", 1),
    ("1h_to_6h", 6),
    ("6h_to_24h", 24),
    ("1d_to_3d", 72),
    ("3d_to_7d", 168),
    ("over_7d", math.inf),
)


def first_reply_distribution(facts: Facts, window: Window) -> dict[str, int]:
    """Items of the window per time-to-first-reply bucket, plus ``no_reply`` for the rest."""
    counts = {name: 0 for name, _ in REPLY_BUCKETS} | {"no_reply": 0}
    for delay in first_reply_hours(facts, window):
        if delay is None:
            counts["no_reply"] += 1
            continue
        name = next(n for n, bound in REPLY_BUCKETS if delay < bound)
        counts[name] += 1
    return counts


def top10_share(facts: Facts, window: Window) -> float | None:
    """Share of the window's posts and comments made by the top 10% of contributors (rounded up)."""
    counts = sorted(contributions(facts, window).values(), reverse=True)
    if not counts:
        return None
    top = math.ceil(len(counts) / 10)
    return sum(counts[:top]) / sum(counts)


def tiers(facts: Facts, window: Window) -> dict[str, dict[str, float | int | None]]:
    """People of the directory as silent (0), occasional (1–4) or heavy (5+), with 90-9-1."""
    counts = contributions(facts, window)
    heavy = sum(1 for n in counts.values() if n >= HEAVY_CONTRIBUTIONS)
    occasional = len(counts) - heavy
    silent = len(facts.people) - len(counts)
    total = len(facts.people)
    found = {"silent": silent, "occasional": occasional, "heavy": heavy}
    expected = {"silent": 0.90, "occasional": 0.09, "heavy": 0.01}
    return {
        name: {"people": n, "share": _rate(n, total), "expected_share": expected[name]}
        for name, n in found.items()
    }


def unmatched_activity(facts: Facts, window: Window) -> int:
    """Approved comments and reactions in the window by people missing from the directory."""
    comments = sum(
        1 for c in facts.comments if c.counted and c.person is None and window.contains(c.created)
    )
    return comments + sum(
        1 for r in facts.reactions if r.person is None and window.contains(r.created)
    )


def saved_items_rate(facts: Facts, window: Window) -> float | None:
    """Items of the window saved by someone before the window's end ÷ items of the window."""
    items = window_items(facts, window)
    saved = {s.thread for s in facts.saves if s.created <= window.end}
    return _rate(sum(1 for i in items if i.path in saved), len(items))


def savers_rate(facts: Facts, window: Window) -> float | None:
    """People of the directory who saved an item in the window ÷ people of the directory."""
    savers = {s.person for s in facts.saves if s.person is not None and window.contains(s.created)}
    return _rate(len(savers), len(facts.people))
