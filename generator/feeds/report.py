"""What a fetch run decides and reports, without touching the network (pure).

Inputs: a feed's cached ``FeedState``, the run's settings and clock; outputs: the
records ``veille fetch`` prints (``FeedReport``, ``FetchReport``) and the politeness
rules (skip a gone or backing-off feed, when to retry). ``ingest.py`` does the I/O.
"""

from __future__ import annotations

import email.utils
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from generator import __version__
from generator.config import FeedConfig
from generator.feeds.cache import FeedState


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """How politely and how hard to fetch; the defaults suit a cron job."""

    concurrency: int = 8  # feeds fetched at once
    timeout: float = 20.0  # seconds for a whole request, redirects and body included
    connect_timeout: float = 10.0
    max_bytes: int = 10 * 1024 * 1024  # a feed larger than this is refused
    max_redirects: int = 5
    backoff_base: timedelta = timedelta(minutes=30)  # after the 1st failure; doubles
    backoff_max: timedelta = timedelta(hours=24)
    force: bool = False  # ignore backoff and 410 Gone
    user_agent: str = f"Veille/{__version__} (tech-watch feed reader)"


class Outcome(StrEnum):
    """What happened to one feed in one run."""

    OK = "ok"
    NOT_MODIFIED = "not modified"
    FAILED = "failed"
    GONE = "gone"
    BACKING_OFF = "backing off"


@dataclass(frozen=True, slots=True)
class FeedReport:
    """One feed's outcome: the one line the summary shows for it."""

    feed_id: str
    outcome: Outcome
    message: str
    items: int = 0  # items kept in the cache for this feed
    added: int = 0
    updated: int = 0
    warnings: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def failed(self) -> bool:
        """Whether ``--strict`` counts this feed as a failure (its items are stale)."""
        return self.outcome in {Outcome.FAILED, Outcome.GONE, Outcome.BACKING_OFF}

    def line(self) -> str:
        """``feed-id: outcome — details``, warnings included."""
        text = f"{self.feed_id}: {self.outcome.value} — {self.message}"
        if self.warnings:
            text += "; warning: " + "; ".join(self.warnings)
        return text


@dataclass(frozen=True, slots=True)
class FetchReport:
    """The outcome of a whole run, feeds in site.yaml order."""

    feeds: tuple[FeedReport, ...]
    seconds: float

    @property
    def failures(self) -> tuple[FeedReport, ...]:
        return tuple(f for f in self.feeds if f.failed)

    def summary(self) -> str:
        """The closing line: counts per outcome, new items, time."""
        counts = {o: sum(1 for f in self.feeds if f.outcome is o) for o in Outcome}
        parts = [f"{n} {o.value}" for o, n in counts.items() if n]
        added = sum(f.added for f in self.feeds)
        updated = sum(f.updated for f in self.feeds)
        return (
            f"{len(self.feeds)} feed{'s' if len(self.feeds) != 1 else ''} in "
            f"{self.seconds:.1f} s: {', '.join(parts) or 'nothing to do'}; "
            f"{added} new item{'s' if added != 1 else ''}, {updated} updated"
        )


def skip_report(
    feed: FeedConfig, state: FeedState, kept: int, now: datetime, settings: FetchSettings
) -> FeedReport | None:
    """The report of a remote feed not to fetch now (gone, or backing off), else ``None``."""
    if not feed.is_remote or settings.force:
        return None
    if state.gone:
        message = (
            "HTTP 410 Gone earlier: not fetched (remove it from site.yaml, or --force); "
            f"kept {items_label(kept)}"
        )
        return FeedReport(feed.id, Outcome.GONE, message, kept)
    if state.retry_after is not None and now < state.retry_after:
        message = (
            f"not fetched until {state.retry_after:%Y-%m-%d %H:%M} UTC after "
            f"{state.failures} failure{'s' if state.failures != 1 else ''} "
            f"(last: {state.last_error}); kept {items_label(kept)}"
        )
        return FeedReport(feed.id, Outcome.BACKING_OFF, message, kept)
    return None


def next_attempt(
    settings: FetchSettings, failures: int, now: datetime, hint: datetime | None
) -> datetime:
    """When to try a failing feed again: exponential backoff, or later if the server says so."""
    factor: int = 2 ** min(failures - 1, 16)
    delay = min(settings.backoff_base * factor, settings.backoff_max)
    return max(now + delay, hint or now)


def parse_retry_after(headers: Mapping[str, str], now: datetime) -> datetime | None:
    """The server's ``Retry-After`` (seconds or an HTTP date), at most a week away."""
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    if value.isdigit():
        when = now + timedelta(seconds=int(value))
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
    return min(when, now + timedelta(days=7))


def items_label(count: int) -> str:
    """``1 item``, ``3 items``: how reports count a feed's kept items."""
    return f"{count} item{'s' if count != 1 else ''}"
