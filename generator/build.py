"""The pipeline in one function: config → sources → wall → render → write.

Read ``build()`` to learn what a build does; each stage is timed and logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from comments_api.markup import render_comment
from generator import clock
from generator.comments_data import load_comments_data
from generator.config import SiteConfig
from generator.content import load_content
from generator.curation import load_curation
from generator.discovery import discovery_context, render_discovery
from generator.feedcache import load_feed_items
from generator.metrics_page import render_metrics
from generator.model import OutputFile, Site
from generator.newsletter_render import render_newsletter_archive
from generator.render import (
    html_paths,
    render_atom,
    render_pages,
    render_sitemap,
    render_threads,
    static_files,
)
from generator.search import html_fingerprint, search_indexer
from generator.snapshot import build_snapshot
from generator.themes import make_environment
from generator.views import Views
from generator.wall import Wall, build_wall
from generator.writer import publish

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What one build produced, for the CLI's summary line."""

    out: Path
    items: int
    feeds: int
    written: int
    unchanged: int
    seconds: float
    stages: dict[str, float] = field(default_factory=dict)


@contextmanager
def _stage(name: str, timings: dict[str, float], progress: Progress | None) -> Iterator[None]:
    if progress is not None:
        progress(name)
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start
    log.info("stage %s: %.3f s", name, timings[name])


def load_site(config: SiteConfig, drafts: bool = False) -> Site:
    """Every source of a build, validated; raises ContentError on any problem."""
    directory, posts = load_content(config, drafts)
    curation = load_curation(config)
    feed_items = load_feed_items(config)
    return Site(
        posts=posts,
        people=directory.people,
        communities=directory.communities,
        feed_items=feed_items,
        curation=curation,
        comments=load_comments_data(config),
    )


def make_wall(site: Site, config: SiteConfig) -> Wall:
    """The wall of a site, with each feed's community and tags applied to its links."""
    return build_wall(
        site,
        summary_words=config.summary_words,
        feed_communities={f.id: f.community for f in config.feeds},
        feed_tags={f.id: f.tags for f in config.feeds},
    )


def render_site(site: Site, wall: Wall, config: SiteConfig, now: datetime) -> list[OutputFile]:
    """Every output file of the site, as bytes."""
    env = make_environment(config)
    comments = build_snapshot(site.comments, render_comment, config.comments.reactions)
    views = Views(wall, config, now, comments=comments)
    views.extras.update(discovery_context(wall, views, site.comments))
    files = render_pages(wall, config, env, views)
    files += render_discovery(wall, config, env, views, now)
    files += render_metrics(site, config, now, env, views.common("/metrics/"))
    files += render_newsletter_archive(site, config, env, views.common("/newsletter/"))
    files.append(render_atom(wall.items, config, now))
    files.append(render_threads(wall.items))
    files.append(render_sitemap(html_paths(files), config))
    files += static_files(config.theme_paths)
    return files


def build(
    config: SiteConfig,
    out: Path | None = None,
    drafts: bool = False,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the whole site into ``out`` (default: the configured output folder), atomically."""
    started = time.perf_counter()
    timings: dict[str, float] = {}
    now = clock.now()
    target = out if out is not None else config.output_path
    with _stage("load", timings, progress):
        site = load_site(config, drafts)
    with _stage("wall", timings, progress):
        wall = make_wall(site, config)
    with _stage("render", timings, progress):
        files = render_site(site, wall, config, now)
    with _stage("write", timings, progress):
        indexer = search_indexer(
            html_fingerprint(files), target, config.cache_path / "build" / "search.json"
        )
        result = publish(files, target, finish=indexer)
    return BuildResult(
        out=target,
        items=len(wall.items),
        feeds=len(config.feeds),
        written=result.written,
        unchanged=result.unchanged,
        seconds=time.perf_counter() - started,
        stages=timings,
    )
