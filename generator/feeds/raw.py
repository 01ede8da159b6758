"""Feeds as read, before normalisation: the records that every reader (XML, JSON) returns.

Strings here are untrusted; ``feeds.normalise_entry`` makes them safe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RawEntry:
    """One entry as read from a feed, before normalisation (strings not yet trusted)."""

    id: str | None = None
    links: tuple[str, ...] = ()
    permalink_guid: str | None = None
    title: str = ""
    title_is_html: bool = True
    summary: str = ""
    summary_is_html: bool = True
    content: str = ""
    content_is_html: bool = True
    base: str | None = None
    published: Any = None
    updated: Any = None
    author: str | None = None
    thumbnails: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RawFeed:
    """A feed as read, before normalisation: its metadata, entries and reader warnings."""

    format: str
    title: str = ""
    home_url: str | None = None
    entries: tuple[RawEntry, ...] = ()
    warnings: tuple[str, ...] = ()
