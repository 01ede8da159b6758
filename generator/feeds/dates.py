"""Feed dates → timezone-aware UTC, strictly: an impossible or implausible date is missing.

feedparser turns ``2024-13-45`` into a valid date and ``0000-00-00`` into year -1, so
RFC 822 and ISO 8601 strings are parsed here and validated; feedparser's own result is
used only for the rarer formats that match neither grammar.
"""

from __future__ import annotations

import calendar
import email.utils
import re
import time
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

# Web feeds did not exist before this; earlier dates (the Unix epoch, year zero) are
# placeholders written by broken software.
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
_ISO = re.compile(
    r"^(\d{4})-?(\d{1,2})-?(\d{1,2})"
    r"(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$"
)
_ISO_LIKE = re.compile(r"^\s*-?\d{4}-\d{1,2}-\d{1,2}")
_RFC822_LIKE = re.compile(r"^\s*(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3,}\s+\d{2,4}")


def parse_date(value: Any, fetched_at: datetime) -> datetime | None:
    """A plausible UTC date from a raw value, clamped to ``fetched_at``; None when missing.

    ``value`` is a string, a ``datetime``, or feedparser's ``(text, struct_time)`` pair.
    """
    text: str | None = None
    struct: time.struct_time | None = None
    if isinstance(value, tuple):
        text, struct = value[0], value[1]
    elif isinstance(value, str):
        text = value
    elif isinstance(value, datetime):
        return _plausible(value if value.tzinfo else value.replace(tzinfo=UTC), fetched_at)
    parsed: datetime | None = None
    if isinstance(text, str) and text.strip():
        parsed = parse_date_text(text)
        if parsed is None and (_ISO_LIKE.match(text) or _RFC822_LIKE.match(text)):
            return None  # a standard format with impossible values: not feedparser's guess
    if parsed is None and struct is not None:
        parsed = parse_struct(struct)
    return _plausible(parsed, fetched_at) if parsed is not None else None


def parse_date_text(text: str) -> datetime | None:
    """Strict ISO 8601 / RFC 3339 or RFC 822 / 2822 text → UTC, else None."""
    text = text.strip()
    match = _ISO.match(text)
    if match:
        return _from_iso(match)
    if _RFC822_LIKE.match(text):
        return _from_rfc822(text)
    return None


def _from_iso(match: re.Match[str]) -> datetime | None:
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        naive = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            micro,
        )
        return naive.replace(tzinfo=_zone(zone)).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _zone(text: str | None) -> timezone:
    if not text or text.upper() in {"Z", "UTC", "GMT"}:
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError("impossible offset")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _from_rfc822(text: str) -> datetime | None:
    fields = email.utils.parsedate_tz(text)
    if fields is None:
        return None
    year, month, day, hour, minute, second = fields[:6]
    offset = fields[9] or 0
    try:
        naive = datetime(year, month, day, hour, minute, second)
        return (naive - timedelta(seconds=offset)).replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def parse_struct(struct: time.struct_time) -> datetime | None:
    """feedparser's UTC ``struct_time`` → datetime, or None when out of range."""
    try:
        if not 1 <= struct.tm_year <= 9999:
            return None
        return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
    except (ValueError, OverflowError, OSError, TypeError):
        return None


def _plausible(value: datetime, fetched_at: datetime) -> datetime | None:
    value = value.astimezone(UTC)
    if value < EARLIEST:
        return None
    return min(value, fetched_at)
