"""Metrics, the page: ``MetricsReport`` → ``metrics/index.html``, ``metrics.json`` and the notice.

Renders to bytes and never writes. Figures are formatted for the site's locale
here, so templates only lay them out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any, Protocol

from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment
from markupsafe import Markup

from generator.config import SiteConfig
from generator.metrics.charts import Chart, bar_chart, line_chart
from generator.metrics.groups import GroupRow
from generator.metrics.indicators import DEFINITIONS, REPLY_BUCKETS
from generator.metrics.report import HEADLINE, MetricsReport, build_report, report_to_json
from generator.model import OutputFile, Site
from generator.themes import load_translations

log = logging.getLogger(__name__)

Gettext = Callable[[str], str]
RATES = frozenset(
    {
        "activation_rate",
        "contribution_rate",
        "contribution_rate_of_activated",
        "items_discussed",
        "top10_share",
        "saved_items_rate",
        "savers_rate",
    }
)
LABELS: dict[str, str] = {
    "activation_rate": "Profile activation rate",
    "contribution_rate": "Contribution rate",
    "contribution_rate_of_activated": "Contribution rate of activated people",
    "engaged_people": "Engaged people",
    "engaged_people_daily_mean": "Engaged people per day",
    "items_discussed": "Items discussed",
    "comments_per_item_median": "Comments per item (median)",
    "reply_depth_median": "Reply depth (median)",
    "time_to_first_reply_median_hours": "Time to first reply (median, hours)",
    "top10_share": "Share of the top 10% of contributors",
    "saved_items_rate": "Items saved for later",
    "savers_rate": "People who save items",
    "posts": "Posts",
    "links": "Links",
    "comments": "Comments",
    "reactions": "Reactions",
    "silent": "Silent",
    "occasional": "Occasional",
    "heavy": "Heavy",
    "under_1h": "Under 1 hour",
    "1h_to_6h": "1 to 6 hours",
    "6h_to_24h": "6 to 24 hours",
    "1d_to_3d": "1 to 3 days",
    "3d_to_7d": "3 to 7 days",
    "over_7d": "Over 7 days",
    "no_reply": "No reply yet",
    "before": "Before",
    "during": "During",
    "after": "After",
    "other": "Other",
    "found": "This network",
    "expected": "90-9-1 pattern",
}
DETAILS = (
    "contribution_rate_of_activated",
    "engaged_people_daily_mean",
    "comments_per_item_median",
    "reply_depth_median",
    "time_to_first_reply_median_hours",
    "top10_share",
    "saved_items_rate",
    "savers_rate",
)


def _translator(config: SiteConfig) -> Gettext:
    """The site language's gettext, falling back on the themes' ``metrics.po`` catalogue."""
    main = load_translations(config.theme_paths, config.language)
    extra: dict[str, str] = {}
    for theme in reversed(config.theme_paths):
        po = theme / "translations" / config.language / "LC_MESSAGES" / "metrics.po"
        if po.is_file():
            with po.open("rb") as handle:
                catalog = read_po(handle)
            extra.update({str(m.id): str(m.string) for m in catalog if m.id and m.string})

    def gettext(message: str) -> str:
        found = main.gettext(message)
        return extra.get(message, found) if found == message else found

    return gettext


class _Format:
    """Locale-aware formatting of figures; ``None`` becomes an em dash."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        # The locale's own percent pattern (e.g. "#,##0 %" in French), with one decimal.
        self.percent = Locale.parse(locale).percent_formats[None].pattern.replace("0", "0.#", 1)

    def value(self, name: str, value: float | int | None) -> str:
        if value is None:
            return "—"
        if name in RATES:
            return format_percent(value, self.percent, locale=self.locale)
        return format_decimal(value, "#,##0.#", locale=self.locale)

    def change(self, name: str, value: float | int | None) -> str:
        if value is None:
            return ""
        if name in RATES:
            points = format_decimal(abs(value) * 100, "#,##0.#", locale=self.locale)
            text = f"{points} pt"
        else:
            text = format_decimal(abs(value), "#,##0.#", locale=self.locale)
        return ("+" if value > 0 else "−" if value < 0 else "±") + text


def _group_view(rows: tuple[GroupRow, ...], fmt: _Format, _: Gettext) -> list[dict[str, Any]]:
    return [
        {
            "label": _(LABELS["other"]) if row.key == "other" else row.label,
            "suppressed": row.suppressed,
            "people": fmt.value("people", row.people),
            "activation_rate": fmt.value("activation_rate", row.activation_rate),
            "contribution_rate": fmt.value("contribution_rate", row.contribution_rate),
            "engaged_people": fmt.value("engaged_people", row.engaged_people),
            "posts": fmt.value("posts", row.posts),
            "comments": fmt.value("comments", row.comments),
        }
        for row in rows
    ]


def _charts(report: MetricsReport, _: Gettext) -> dict[str, Chart]:
    weeks = [w.week for w in report.weekly]
    weekly = line_chart(
        "metrics-weekly",
        _("Weekly activity"),
        _(DEFINITIONS["weekly"]),
        weeks,
        {
            _(LABELS["posts"]): [w.posts for w in report.weekly],
            _(LABELS["links"]): [w.links for w in report.weekly],
            _(LABELS["comments"]): [w.comments for w in report.weekly],
            _(LABELS["reactions"]): [w.reactions for w in report.weekly],
            _(LABELS["engaged_people"]): [w.engaged_people for w in report.weekly],
        },
    )
    names = ("silent", "occasional", "heavy")
    tiers = bar_chart(
        "metrics-tiers",
        _("Participation tiers"),
        _(DEFINITIONS["tiers"]),
        [_(LABELS[n]) for n in names],
        {
            _(LABELS["found"]): [_share(report.tiers[n]["share"]) for n in names],
            _(LABELS["expected"]): [_share(report.tiers[n]["expected_share"]) for n in names],
        },
        percent=True,
    )
    buckets = [n for n, _bound in REPLY_BUCKETS] + ["no_reply"]
    replies = bar_chart(
        "metrics-first-reply",
        _("Time to first reply"),
        _(DEFINITIONS["time_to_first_reply_median_hours"]),
        [_(LABELS[b]) for b in buckets],
        {_(LABELS["items_discussed"]): [report.time_to_first_reply[b] for b in buckets]},
    )
    return {c.id: c for c in (weekly, tiers, replies)}


def _share(value: float | int | None) -> float | None:
    return None if value is None else float(value)


def metrics_view(report: MetricsReport, config: SiteConfig, _: Gettext) -> dict[str, Any]:
    """The plain view data of the metrics page (formatted figures, charts as markup)."""
    fmt = _Format(config.language)
    tiles = [
        {
            "name": name,
            "label": _(LABELS[name]),
            "value": fmt.value(name, getattr(report, name)),
            "change": fmt.change(name, report.change(name)),
            "definition": _(DEFINITIONS[name]),
        }
        for name in HEADLINE
    ]
    details = [
        {
            "name": name,
            "label": _(LABELS[name]),
            "value": fmt.value(name, getattr(report, name)),
            "definition": _(DEFINITIONS[name]),
        }
        for name in DETAILS
    ]
    charts = {
        key: {
            "id": c.id,
            "title": c.title,
            "description": c.description,
            "svg": Markup(c.svg),  # noqa: S704 - made here
            "svg_narrow": Markup(c.svg_narrow),  # noqa: S704 - made here
        }
        for key, c in _charts(report, _).items()
    }
    return {
        "has_data": report.has_data,
        "window": {
            "start": report.window.start,
            "end": report.window.end,
            "days": report.window.days,
        },
        "now": report.now,
        "people": report.people,
        "min_group_size": report.min_group_size,
        "unmatched_activity": report.unmatched_activity,
        "tiles": tiles,
        "details": details,
        "charts": charts,
        "definitions": {k: _(v) for k, v in DEFINITIONS.items()},
        "weekly": [asdict(w) for w in report.weekly],
        "tiers": [
            {
                "label": _(LABELS[name]),
                "people": report.tiers[name]["people"],
                "share": fmt.value("top10_share", report.tiers[name]["share"]),
                "expected": fmt.value("top10_share", report.tiers[name]["expected_share"]),
            }
            for name in ("silent", "occasional", "heavy")
        ],
        "first_reply": [
            {"label": _(LABELS[name]), "count": count}
            for name, count in report.time_to_first_reply.items()
        ],
        "communities": _group_view(report.communities, fmt, _),
        "sites": _group_view(report.sites, fmt, _),
        "meetups": [
            {
                "title": row.title,
                "path": row.path,
                "start": row.start,
                "posts": [row.posts[p] for p in ("before", "during", "after")],
                "comments": [row.comments[p] for p in ("before", "during", "after")],
            }
            for row in report.meetups
        ],
        "top_contributors": report.top_contributors,
    }


class MetricsContext(Protocol):
    """What the metrics page reads of a build's render context (``generator.context``).

    A protocol, so the metrics package depends on the kernel only, not on site modules.
    """

    @property
    def site(self) -> Site: ...
    @property
    def config(self) -> SiteConfig: ...
    @property
    def now(self) -> datetime: ...
    @property
    def env(self) -> Environment: ...
    def common(self, path: str) -> dict[str, Any]: ...


def render_metrics(ctx: MetricsContext) -> list[OutputFile]:
    """The metrics page, its JSON figures and the privacy notice, as output files."""
    site, config, now, env = ctx.site, ctx.config, ctx.now, ctx.env
    view = ctx.common("/metrics/")
    settings = config.metrics
    report = build_report(
        site,
        now,
        window_days=settings.window_days,
        min_group_size=settings.min_group_size,
        show_top_contributors=settings.show_top_contributors,
        tz=config.tz,
    )
    _ = _translator(config)
    metrics = metrics_view(report, config, _)
    notice = {
        "window_days": settings.window_days,
        "min_group_size": settings.min_group_size,
        "show_top_contributors": settings.show_top_contributors,
    }
    page = env.get_template("metrics.html").render(
        {**view, "page_path": "/metrics/", "metrics": metrics, "notice": notice}
    )
    notice_page = env.get_template("metrics_notice.html").render(
        {**view, "page_path": "/metrics/notice/", "notice": notice}
    )
    log.info("metrics: %d people, %d items in the window", report.people, report.items)
    return [
        OutputFile("metrics/index.html", page.encode("utf-8")),
        OutputFile("metrics/metrics.json", report_to_json(report)),
        OutputFile("metrics/notice/index.html", notice_page.encode("utf-8")),
    ]
