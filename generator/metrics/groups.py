"""Metrics, the breakdowns: weekly series, communities and sites (small groups merged), meetups.

Pure functions over the ``Facts`` of ``generator.metrics.indicators``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from generator.meetups import Phase, phase_of, refers_to
from generator.metrics.indicators import (
    Facts,
    Window,
    activated_people,
    contributions,
    engaged,
)
from generator.model import Site

WEEKS = 26
_KINDS = ("posts", "links", "comments", "reactions")
OTHER = "other"


@dataclass(frozen=True, slots=True)
class Week:
    """Activity of one ISO week (in the site's time zone) up to now."""

    week: str
    start: str
    posts: int
    links: int
    comments: int
    reactions: int
    engaged_people: int


def _week_key(moment: datetime, tz: tzinfo) -> str:
    year, week, _ = moment.astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


def weekly_series(facts: Facts, now: datetime, tz: tzinfo, weeks: int = WEEKS) -> tuple[Week, ...]:
    """Posts (meetups included), links, approved comments, reactions and engaged people per week."""
    local = now.astimezone(tz).date()
    monday = local - timedelta(days=local.weekday())
    mondays = [monday - timedelta(weeks=n) for n in reversed(range(weeks))]
    keys = [_week_key(datetime(m.year, m.month, m.day, 12, tzinfo=tz), tz) for m in mondays]
    tally: dict[str, dict[str, int]] = {k: dict.fromkeys(_KINDS, 0) for k in keys}
    people: dict[str, set[str]] = {k: set() for k in keys}
    directory = set(facts.people)

    def add(kind: str, moment: datetime, person: str | None) -> None:
        key = _week_key(moment, tz)
        if moment <= now and key in tally:
            tally[key][kind] += 1
            if person in directory:
                people[key].add(person)

    for item in facts.items:
        add("links" if item.kind == "link" else "posts", item.date, item.author)
    for comment in facts.comments:
        if comment.counted:
            add("comments", comment.created, comment.person)
    for reaction in facts.reactions:
        add("reactions", reaction.created, reaction.person)
    return tuple(
        Week(key, m.isoformat(), **tally[key], engaged_people=len(people[key]))
        for key, m in zip(keys, mondays, strict=True)
    )


@dataclass(frozen=True, slots=True)
class GroupRow:
    """The indicators of one group of people; ``suppressed`` rows show no figure at all."""

    key: str
    label: str
    people: int | None
    activation_rate: float | None
    contribution_rate: float | None
    engaged_people: int | None
    posts: int | None
    comments: int | None
    suppressed: bool = False


def _row(facts: Facts, window: Window, key: str, label: str, members: frozenset[str]) -> GroupRow:
    activated = activated_people(facts, window.end) & members
    counts = contributions(facts, window)
    size = len(members)
    return GroupRow(
        key=key,
        label=label,
        people=size,
        activation_rate=len(activated) / size,
        contribution_rate=sum(1 for p in members if counts[p]) / size,
        engaged_people=len(engaged(facts, window) & members),
        posts=sum(1 for a in facts.posts if a.person in members and window.contains(a.created)),
        comments=sum(
            1
            for c in facts.comments
            if c.counted and c.person in members and window.contains(c.created)
        ),
    )


def group_rows(
    facts: Facts,
    window: Window,
    groups: Mapping[str, tuple[str, frozenset[str]]],
    min_size: int,
    ungrouped: Iterable[str] = (),
) -> tuple[GroupRow, ...]:
    """One row per group of at least ``min_size`` people; the rest merged into ``other``.

    ``groups`` maps a key to its label and members. When ``other`` is itself
    smaller than ``min_size`` its figures are suppressed.
    """
    rows: list[GroupRow] = []
    other: set[str] = set(ungrouped)
    for key in sorted(groups):
        label, members = groups[key]
        if len(members) >= min_size and key != OTHER:
            rows.append(_row(facts, window, key, label, members))
        else:
            other.update(members)
    if other:
        if len(other) >= min_size:
            rows.append(_row(facts, window, OTHER, OTHER, frozenset(other)))
        else:
            rows.append(GroupRow(OTHER, OTHER, None, None, None, None, None, None, True))
    return tuple(rows)


def community_groups(site: Site) -> dict[str, tuple[str, frozenset[str]]]:
    """Communities with their members: people listing them, and their leaders."""
    ids = {p.id for p in site.people}
    members: dict[str, set[str]] = {}
    labels = {c.id: c.name for c in site.communities}
    for person in site.people:
        for key in person.communities:
            members.setdefault(key, set()).add(person.id)
    for community in site.communities:
        members.setdefault(community.id, set()).update(p for p in community.leaders if p in ids)
    return {k: (labels.get(k, k), frozenset(v)) for k, v in members.items()}


def site_groups(site: Site) -> dict[str, tuple[str, frozenset[str]]]:
    """Sites with their people (people without a site go to ``other``)."""
    members: dict[str, set[str]] = {}
    for person in site.people:
        if person.site:
            members.setdefault(person.site, set()).add(person.id)
    return {k: (k, frozenset(v)) for k, v in members.items()}


@dataclass(frozen=True, slots=True)
class MeetupRow:
    """A meetup and the posts and comments linked to it, before, during and after it."""

    title: str
    path: str
    start: datetime
    end: datetime
    posts: Mapping[str, int]
    comments: Mapping[str, int]


def meetup_rows(site: Site, facts: Facts, window: Window) -> tuple[MeetupRow, ...]:
    """Meetups ending after the window started; linked posts (``event_ref``) and their comments."""
    rows = []
    posts = [p for p in site.posts if not p.draft]
    events = [(p, p.event) for p in posts if p.event is not None and p.event.end > window.start]
    for meetup, event in sorted(events, key=lambda pair: (pair[1].start, pair[0].path)):
        linked = [meetup, *(p for p in posts if refers_to(p, meetup))]
        threads = {p.path for p in linked}
        post_counts = dict.fromkeys((phase.value for phase in Phase), 0)
        comment_counts = dict(post_counts)
        for post in linked:
            if post.date <= window.end:
                post_counts[phase_of(post.date, event).value] += 1
        for comment in facts.comments:
            if comment.counted and comment.thread in threads and comment.created <= window.end:
                comment_counts[phase_of(comment.created, event).value] += 1
        rows.append(
            MeetupRow(
                meetup.title,
                meetup.path,
                event.start,
                event.end,
                post_counts,
                comment_counts,
            )
        )
    return tuple(rows)
