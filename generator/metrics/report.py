"""Metrics, the report: every indicator of the page for one window, and its JSON form.

``build_report(site, now, ...)`` → ``MetricsReport`` (frozen); ``report_to_json`` → the
deterministic bytes of ``metrics/metrics.json`` (rates as fractions, nulls when no data).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from generator.metrics import indicators as m
from generator.metrics.groups import (
    GroupRow,
    MeetupRow,
    Week,
    community_groups,
    group_rows,
    meetup_rows,
    site_groups,
    weekly_series,
)
from generator.model import Site

#: The headline tiles, compared with the previous window.
HEADLINE = ("activation_rate", "contribution_rate", "engaged_people", "items_discussed")
TOP_CONTRIBUTORS = 10


@dataclass(frozen=True, slots=True)
class MetricsReport:
    """Every figure of the metrics page for the window ending at ``now``."""

    now: datetime
    window: m.Window
    min_group_size: int
    people: int
    activated_people: int
    contributors: int
    items: int
    activation_rate: float | None
    contribution_rate: float | None
    contribution_rate_of_activated: float | None
    engaged_people: int
    engaged_people_daily_mean: float | None
    items_discussed: float | None
    comments_per_item_median: float | None
    reply_depth_median: float | None
    time_to_first_reply_median_hours: float | None
    time_to_first_reply: Mapping[str, int]
    top10_share: float | None
    saved_items_rate: float | None
    savers_rate: float | None
    tiers: Mapping[str, Mapping[str, float | int | None]]
    unmatched_activity: int
    previous: Mapping[str, float | int | None]
    weekly: tuple[Week, ...]
    communities: tuple[GroupRow, ...]
    sites: tuple[GroupRow, ...]
    meetups: tuple[MeetupRow, ...]
    top_contributors: tuple[tuple[str, int], ...] | None

    @property
    def has_data(self) -> bool:
        """False for an empty network: no people and no items yet."""
        return self.people > 0 and self.items + sum(w.comments for w in self.weekly) > 0

    def change(self, name: str) -> float | int | None:
        """This window's figure minus the previous window's, or None when either is missing."""
        now, before = getattr(self, name), self.previous.get(name)
        if now is None or before is None:
            return None
        return now - before  # type: ignore[no-any-return]


def _headline(facts: m.Facts, window: m.Window) -> dict[str, float | int | None]:
    return {
        "activation_rate": m.activation_rate(facts, window.end),
        "contribution_rate": m.contribution_rate(facts, window),
        "engaged_people": m.engaged_people(facts, window),
        "items_discussed": m.items_discussed(facts, window),
    }


def build_report(
    site: Site,
    now: datetime,
    window_days: int = 28,
    min_group_size: int = 5,
    show_top_contributors: bool = False,
    tz: tzinfo = UTC,
) -> MetricsReport:
    """Compute every indicator over the ``window_days`` days ending at ``now``."""
    facts = m.build_facts(site)
    window = m.Window.ending(now, window_days)
    counts = m.contributions(facts, window)
    top = None
    if show_top_contributors:
        names = {p.id: p.name for p in site.people}
        ranked = sorted(counts.items(), key=lambda pc: (-pc[1], names[pc[0]], pc[0]))
        top = tuple((names[p], n) for p, n in ranked[:TOP_CONTRIBUTORS])
    return MetricsReport(
        now=now,
        window=window,
        min_group_size=min_group_size,
        people=len(facts.people),
        activated_people=len(m.activated_people(facts, now)),
        contributors=len(counts),
        items=len(m.window_items(facts, window)),
        activation_rate=m.activation_rate(facts, now),
        contribution_rate=m.contribution_rate(facts, window),
        contribution_rate_of_activated=m.contribution_rate_of_activated(facts, window),
        engaged_people=m.engaged_people(facts, window),
        engaged_people_daily_mean=m.engaged_people_daily_mean(facts, window),
        items_discussed=m.items_discussed(facts, window),
        comments_per_item_median=m.comments_per_item_median(facts, window),
        reply_depth_median=m.reply_depth_median(facts, window),
        time_to_first_reply_median_hours=m.time_to_first_reply_median_hours(facts, window),
        time_to_first_reply=m.first_reply_distribution(facts, window),
        top10_share=m.top10_share(facts, window),
        saved_items_rate=m.saved_items_rate(facts, window),
        savers_rate=m.savers_rate(facts, window),
        tiers=m.tiers(facts, window),
        unmatched_activity=m.unmatched_activity(facts, window),
        previous=_headline(facts, window.previous()),
        weekly=weekly_series(facts, now, tz),
        communities=group_rows(facts, window, community_groups(site), min_group_size),
        sites=group_rows(
            facts,
            window,
            site_groups(site),
            min_group_size,
            ungrouped=(p.id for p in site.people if not p.site),
        ),
        meetups=meetup_rows(site, facts, window),
        top_contributors=top,
    )


def _clean(value: Any) -> Any:
    """Round floats (4 places) so the JSON is stable; datetimes become ISO 8601."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def report_to_dict(report: MetricsReport) -> dict[str, Any]:
    """Every figure as plain numbers, keyed by indicator name (the shape of metrics.json)."""
    data: dict[str, Any] = {
        name: getattr(report, name)
        for name in (
            "activation_rate",
            "contribution_rate",
            "contribution_rate_of_activated",
            "engaged_people",
            "engaged_people_daily_mean",
            "items_discussed",
            "comments_per_item_median",
            "reply_depth_median",
            "time_to_first_reply_median_hours",
            "time_to_first_reply",
            "top10_share",
            "saved_items_rate",
            "savers_rate",
            "tiers",
            "unmatched_activity",
            "min_group_size",
        )
    }
    data["population"] = {
        "people": report.people,
        "activated_people": report.activated_people,
        "contributors": report.contributors,
        "items": report.items,
    }
    data["previous_window"] = {
        "start": report.window.previous().start,
        "end": report.window.previous().end,
        **report.previous,
    }
    data["changes"] = {name: report.change(name) for name in HEADLINE}
    data["weekly"] = [asdict(w) for w in report.weekly]
    data["communities"] = [asdict(g) for g in report.communities]
    data["sites"] = [asdict(g) for g in report.sites]
    data["meetups"] = [asdict(r) for r in report.meetups]
    if report.top_contributors is not None:
        data["top_contributors"] = [
            {"name": n, "contributions": c} for n, c in report.top_contributors
        ]
    data["window"] = {
        "start": report.window.start,
        "end": report.window.end,
        "days": report.window.days,
    }
    data["now"] = report.now
    data["has_data"] = report.has_data
    data["definitions"] = dict(m.DEFINITIONS)
    return {k: _clean(v) for k, v in data.items()}


def report_to_json(report: MetricsReport) -> bytes:
    """The deterministic bytes of ``metrics.json``: sorted keys, rounded floats."""
    text = json.dumps(report_to_dict(report), sort_keys=True, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")
