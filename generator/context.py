"""The render context: what every page family reads, built once per build and frozen.

``build.py`` makes it after the wall and the discovery lookups; each page family is
a function ``(RenderContext) -> Iterable[OutputFile]`` and no family writes into
another's state. Objects inside that keep per-build memos (``Views``' list views,
the ``PageCache``'s hits) own them; the context itself never changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import Environment

from generator.config import SiteConfig
from generator.model import OutputFile, Site
from generator.pagecache import PageCache
from generator.views import View, Views
from generator.wall import Wall


@dataclass(frozen=True, slots=True)
class RenderContext:
    """One build's inputs to rendering: sources, wall, settings, clock, templates, caches."""

    site: Site
    wall: Wall
    config: SiteConfig
    now: datetime
    env: Environment
    views: Views
    lookups: Mapping[str, Any]  # shared-template lookups (discovery: experts, meetups...)
    cache: PageCache | None = None  # pages whose key is unchanged are reused, not rendered
    reads_now: bool = True  # whether a template reads ``now`` (then it is in every page's key)

    def common(self, path: str) -> View:
        """The context every page gets: site, page path, side boxes and the shared lookups."""
        return {**self.views.common(path), **self.lookups}


PageFamily = Callable[[RenderContext], Iterable[OutputFile]]
