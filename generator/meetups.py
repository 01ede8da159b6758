"""The meetup rule shared by the site and the metrics: which post belongs to a meetup, and when.

Kernel: pure functions over model records (``Post`` and wall ``Item`` alike), so
``generator.events`` (pages, calendars) and ``generator.metrics`` (counts per
phase) apply one rule without the metrics importing a site module.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Protocol

from generator.model import Event


class Phase(StrEnum):
    """Where a post linked to a meetup falls in the meetup's life."""

    BEFORE = "before"
    DURING = "during"
    AFTER = "after"


class Linkable(Protocol):
    """What the rule reads of a post or an item (both records have these fields)."""

    @property
    def slug(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def event_ref(self) -> str | None: ...


def refers_to(post: Linkable, meetup: Linkable) -> bool:
    """Whether ``post`` is linked to ``meetup``: its ``event_ref`` names the meetup.

    Content validation resolves every ``event_ref`` to ``<year>/<slug>`` (slugs are
    unique per year only); records made in code may still name a bare slug. A meetup
    is not its own post.
    """
    ref = post.event_ref
    if ref is None or post.path == meetup.path:
        return False
    return ref_path(ref) == meetup.path if "/" in ref else ref == meetup.slug


def ref_path(ref: str) -> str:
    """The page path a resolved ``<year>/<slug>`` reference names."""
    return f"/posts/{ref.strip('/')}/"


def phase_of(moment: datetime, event: Event) -> Phase:
    """Before the start, during [start, end], or after the end of ``event``.

    Aware datetimes compare as instants, so a time zone never shifts a post's phase.
    """
    if moment < event.start:
        return Phase.BEFORE
    if moment <= event.end:
        return Phase.DURING
    return Phase.AFTER
