"""Meetups: upcoming/past split, before/during/after grouping, and iCalendar output.

Pure functions over wall items: the split and the grouping compare aware
datetimes (so time zones never shift a post to the wrong phase); calendars are
RFC 5545 bytes with the site's VTIMEZONE, stable UIDs and a DTSTAMP from "now".
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from generator.meetups import Phase, phase_of, refers_to
from generator.model import Item
from generator.text import plain_text

with warnings.catch_warnings():
    # pygal's import hook (metrics charts) turns dateutil's optional ``winreg`` probe
    # into an ImportWarning; it is harmless here.
    warnings.simplefilter("ignore", ImportWarning)
    from icalendar import Calendar, Event, Timezone

PRODID = "-//Veille//Veille meetups//EN"


@dataclass(frozen=True, slots=True)
class Timeline:
    """Meetups split around "now": upcoming soonest first, past most recent first."""

    upcoming: tuple[Item, ...]
    past: tuple[Item, ...]


def meetups(items: Iterable[Item]) -> tuple[Item, ...]:
    """The items that are meetups (they carry an ``event``)."""
    return tuple(i for i in items if i.event is not None)


def _start(item: Item) -> datetime:
    assert item.event is not None
    return item.event.start


def split_meetups(items: Iterable[Item], now: datetime) -> Timeline:
    """Upcoming (not ended at ``now``) and past meetups."""
    found = meetups(items)
    upcoming = [m for m in found if m.event is not None and m.event.end >= now]
    past = [m for m in found if m.event is not None and m.event.end < now]
    return Timeline(
        upcoming=tuple(sorted(upcoming, key=lambda m: (_start(m), m.path))),
        past=tuple(sorted(past, key=lambda m: (_start(m), m.path), reverse=True)),
    )


def linked_posts(meetup: Item, items: Iterable[Item]) -> dict[Phase, tuple[Item, ...]]:
    """Posts whose ``event_ref`` names ``meetup``, grouped by phase, oldest first."""
    assert meetup.event is not None
    groups: dict[Phase, list[Item]] = {phase: [] for phase in Phase}
    for item in items:
        if refers_to(item, meetup):
            groups[phase_of(item.date, meetup.event)].append(item)
    return {
        phase: tuple(sorted(found, key=lambda i: (i.date, i.path)))
        for phase, found in groups.items()
    }


def calendar_uid(item: Item, base_url: str) -> str:
    """A UID that stays the same across builds: ``<path>@<host of base_url>``."""
    host = urlsplit(base_url).hostname or "veille.invalid"
    return f"{item.path}@{host}"


def ics_path(item: Item) -> str:
    """Where a meetup's own calendar file is published, beside its page."""
    return item.path.strip("/") + "/event.ics"


def render_calendar(
    items: Sequence[Item],
    *,
    base_url: str,
    tz: ZoneInfo,
    now: datetime,
    name: str,
) -> bytes:
    """An RFC 5545 calendar of meetups in the site's time zone; same input, same bytes."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", tz.key)
    found = sorted(meetups(items), key=lambda m: (_start(m), m.path))
    if found:
        years = [_start(m).year for m in found]
        cal.add_component(
            Timezone.from_tzid(
                tz.key, first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1)
            )
        )
    stamp = now.replace(microsecond=0)
    for meetup in found:
        assert meetup.event is not None
        event = Event()
        event.add("uid", calendar_uid(meetup, base_url))
        event.add("dtstamp", stamp)
        event.add("dtstart", meetup.event.start.astimezone(tz))
        event.add("dtend", meetup.event.end.astimezone(tz))
        event.add("summary", meetup.title)
        url = urljoin(base_url, meetup.path.lstrip("/"))
        event.add("url", url)
        description = _plain(meetup.summary_html)
        if meetup.event.online_url:
            description = f"{description}\n\n{meetup.event.online_url}".strip()
        event.add("description", f"{description}\n\n{url}".strip())
        if meetup.event.location:
            event.add("location", meetup.event.location)
        elif meetup.event.online_url:
            event.add("location", meetup.event.online_url)
        if meetup.updated is not None:
            event.add("last-modified", meetup.updated.replace(microsecond=0))
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def _plain(html_text: str) -> str:
    return plain_text(html_text).strip()
