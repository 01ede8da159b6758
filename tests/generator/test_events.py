"""Meetups: upcoming/past, before/during/after across time zones, and calendars that parse back."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from generator.events import linked_posts, render_calendar, split_meetups
from generator.meetups import Phase, phase_of
from generator.model import Event, Item, Kind

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 29, tzinfo=UTC)


def meetup(slug: str, start: datetime, hours: int = 2, **extra: object) -> Item:
    return Item(
        kind=Kind.MEETUP,
        path=f"/posts/{start.year}/{slug}/",
        slug=slug,
        title=slug.replace("-", " ").title(),
        date=start - timedelta(days=20),
        summary_html="<p>An evening of talks.</p>",
        event=Event(start=start, end=start + timedelta(hours=hours), **extra),  # type: ignore[arg-type]
    )


def post(slug: str, date: datetime, ref: str | None) -> Item:
    return Item(
        kind=Kind.POST,
        path=f"/posts/{date.year}/{slug}/",
        slug=slug,
        title=slug,
        date=date,
        summary_html="",
        event_ref=ref,
    )


NIGHT = meetup("night", datetime(2026, 11, 19, 18, tzinfo=PARIS), location="Lyon office")


def test_upcoming_soonest_first_and_past_latest_first() -> None:
    a = meetup("a", datetime(2026, 10, 1, 18, tzinfo=PARIS))
    b = meetup("b", datetime(2026, 12, 10, 18, tzinfo=PARIS))
    c = meetup("c", datetime(2027, 1, 5, 18, tzinfo=PARIS))
    running = meetup("running", NOW - timedelta(hours=1))
    timeline = split_meetups([c, a, post("x", NOW, None), running, b, NIGHT], NOW)
    assert [m.slug for m in timeline.upcoming] == ["running", "b", "c"]
    assert [m.slug for m in timeline.past] == ["night", "a"]


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # 17:59 in Paris is before the 18:00 start, even written in UTC or New York time
        (datetime(2026, 11, 19, 16, 59, tzinfo=UTC), Phase.BEFORE),
        (datetime(2026, 11, 19, 11, 59, tzinfo=ZoneInfo("America/New_York")), Phase.BEFORE),
        # the start instant itself, seen from UTC+01:00 and from Tokyo
        (datetime(2026, 11, 19, 18, 0, tzinfo=timezone(timedelta(hours=1))), Phase.DURING),
        (datetime(2026, 11, 20, 2, 0, tzinfo=ZoneInfo("Asia/Tokyo")), Phase.DURING),
        # 20:00 Paris is the end, still during; 19:01 UTC is 20:01 Paris, after
        (datetime(2026, 11, 19, 19, 0, tzinfo=UTC), Phase.DURING),
        (datetime(2026, 11, 19, 19, 1, tzinfo=UTC), Phase.AFTER),
        # next day in Paris, still the 19th in Los Angeles
        (datetime(2026, 11, 19, 16, 0, tzinfo=ZoneInfo("America/Los_Angeles")), Phase.AFTER),
    ],
)
def test_phase_compares_instants_not_wall_clock_times(moment: datetime, expected: Phase) -> None:
    assert NIGHT.event is not None
    assert phase_of(moment, NIGHT.event) is expected


def test_linked_posts_are_grouped_and_ordered() -> None:
    posts = [
        post("recap", datetime(2026, 11, 21, 10, tzinfo=PARIS), "night"),
        post("live", datetime(2026, 11, 19, 18, 45, tzinfo=PARIS), "night"),
        post("checklist", datetime(2026, 11, 5, 8, tzinfo=PARIS), "night"),
        post("teaser", datetime(2026, 11, 1, 8, tzinfo=PARIS), "night"),
        post("other", datetime(2026, 11, 19, 19, tzinfo=PARIS), "another-meetup"),
    ]
    groups = linked_posts(NIGHT, [*posts, NIGHT])
    assert [p.slug for p in groups[Phase.BEFORE]] == ["teaser", "checklist"]
    assert [p.slug for p in groups[Phase.DURING]] == ["live"]
    assert [p.slug for p in groups[Phase.AFTER]] == ["recap"]


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def test_calendar_parses_back_with_local_times_and_timezone() -> None:
    summer = meetup(
        "summer",
        datetime(2026, 7, 2, 17, 30, tzinfo=PARIS),
        online_url="https://meet.example.com/x",
    )
    data = render_calendar(
        [NIGHT, summer],
        base_url="https://veille.example.com/wall/",
        tz=PARIS,
        now=NOW,
        name="Veille",
    )
    cal = parse(data)
    assert str(cal["version"]) == "2.0"
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "Europe/Paris"
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    night = events["/posts/2026/night/@veille.example.com"]
    start = night.decoded("dtstart")
    assert start == datetime(2026, 11, 19, 18, tzinfo=PARIS)
    assert (start.hour, start.utcoffset()) == (18, timedelta(hours=1))
    assert night["dtstart"].params["TZID"] == "Europe/Paris"
    assert night.decoded("dtend") - start == timedelta(hours=2)
    assert str(night["location"]) == "Lyon office"
    assert str(night["url"]) == "https://veille.example.com/wall/posts/2026/night/"
    assert night.decoded("dtstamp") == NOW
    summer_start = events["/posts/2026/summer/@veille.example.com"].decoded("dtstart")
    assert (summer_start.hour, summer_start.minute) == (17, 30)
    assert summer_start.utcoffset() == timedelta(hours=2)  # daylight saving time
    assert b"\r\n" in data and all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_calendar_bytes_are_stable_and_uids_survive_a_rename() -> None:
    first = render_calendar([NIGHT], base_url="https://x.example/", tz=PARIS, now=NOW, name="V")
    again = render_calendar([NIGHT], base_url="https://x.example/", tz=PARIS, now=NOW, name="V")
    assert first == again
    renamed = dataclasses.replace(NIGHT, title="New title")
    other = parse(
        render_calendar([renamed], base_url="https://x.example/", tz=PARIS, now=NOW, name="V")
    )
    assert [str(e["uid"]) for e in other.walk("VEVENT")] == ["/posts/2026/night/@x.example"]


def test_empty_calendar_is_still_valid() -> None:
    cal = parse(render_calendar([], base_url="https://x.example/", tz=PARIS, now=NOW, name="V"))
    assert cal.walk("VEVENT") == []
