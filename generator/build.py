"""The pipeline in one function: config → sources → wall → render → write.

Read ``build()`` to learn what a build does; each stage is timed and logged.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from urllib.parse import urlsplit

from jinja2 import Environment

from generator import clock
from generator.assets import render_assets
from generator.collection_pages import collection_lookups, render_collections
from generator.config import SiteConfig
from generator.context import PageFamily, RenderContext
from generator.discovery import discovery_context, render_discovery
from generator.feeds.cache import load_feed_items
from generator.markup import MarkdownRenderer
from generator.me import render_me
from generator.metrics.page import render_metrics
from generator.model import OutputFile, Site
from generator.newsletter.render import render_newsletter_archive
from generator.pagecache import PageCache, stack_fingerprint
from generator.render import (
    html_paths,
    render_feeds,
    render_pages,
    render_sitemap,
    render_static,
)
from generator.search import PendingIndex, SearchStep
from generator.snapshot import build_snapshot, saved_counts
from generator.sources.collections import load_collections
from generator.sources.comments import load_comments_data
from generator.sources.content import StatMemo, load_content
from generator.sources.curation import load_curation
from generator.themes import make_environment, template_errors
from generator.views import Views
from generator.wall import Wall, build_wall, published_paths
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
    search_pending: PendingIndex | None = None  # what to index later (``defer_search``)


@contextmanager
def _stage(name: str, timings: dict[str, float], progress: Progress | None) -> Iterator[None]:
    if progress is not None:
        progress(name)
    start = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - start
    log.info("stage %s: %.3f s", name, timings[name])


def load_site(config: SiteConfig, drafts: bool = False, memo: StatMemo | None = None) -> Site:
    """Every source of a build, validated; raises ContentError on any problem."""
    directory, posts = load_content(config, drafts, memo)
    curation = load_curation(config)
    feed_items = load_feed_items(config)
    site = Site(
        posts=posts,
        people=directory.people,
        communities=directory.communities,
        feed_items=feed_items,
        curation=curation,
        comments=load_comments_data(config),
    )
    collections = load_collections(config, directory, published_paths(site))
    return replace(site, collections=collections)


def make_wall(site: Site, config: SiteConfig) -> Wall:
    """The wall of a site, with each feed's community and tags applied to its links."""
    return build_wall(
        site,
        summary_words=config.summary_words,
        feed_communities={f.id: f.community for f in config.feeds},
        feed_tags={f.id: f.tags for f in config.feeds},
    )


# Each family renders its part of the site from the one render context.
PAGE_FAMILIES: tuple[PageFamily, ...] = (
    render_pages,  # the wall, item pages, taxonomies, directory, 404
    render_discovery,  # events, calendars, search page
    render_metrics,  # metrics page, its JSON, the privacy notice
    render_newsletter_archive,  # every built edition and the archive index
    render_feeds,  # Atom feed, threads list
    render_static,  # the themes' static files
    render_me,  # /me/: the reader's own page, filled in the browser
    render_assets,  # page bundles' files, their resized images, content/media/
    render_collections,  # /collections/ and each collection's page
)


def render_context(
    site: Site,
    wall: Wall,
    config: SiteConfig,
    now: datetime,
    cache: PageCache | None = None,
    reads_now: bool = True,
) -> RenderContext:
    """The frozen context every page family reads: views, discovery lookups, templates."""
    env = _environment(config, cache.fingerprint if cache is not None else None)
    people_path = urlsplit(config.base_url).path.rstrip("/") + "/people/"
    mentions = frozenset(p.id for p in site.people)  # ``@id`` links, as the API renders them
    render = MarkdownRenderer(use="comment", mentions=mentions, people_path=people_path)
    comments = build_snapshot(site.comments, render, config.comments.reactions)
    saved = saved_counts(site.comments.saved, config.metrics.min_group_size)
    views = Views(wall, config, now, comments=comments, saved=saved)
    lookups = MappingProxyType(
        {
            **discovery_context(wall, views, site.comments),
            **collection_lookups(site.collections, views),
        }
    )
    return RenderContext(site, wall, config, now, env, views, lookups, cache, reads_now)


def render_site(ctx: RenderContext) -> Iterator[OutputFile]:
    """Every output file of the site, as it is rendered; unchanged pages may come from the cache.

    Files are yielded one family at a time and only their paths are kept (for the
    sitemap), so the writer can stream them to disk.
    """
    paths: list[str] = []
    for family in PAGE_FAMILIES:
        for file in family(ctx):
            paths.extend(html_paths((file,)))
            yield file
    yield render_sitemap(paths, ctx.config)


_ENVIRONMENTS: dict[str, Environment] = {}


def _environment(config: SiteConfig, fingerprint: str | None) -> Environment:
    """The Jinja2 environment, kept (compiled templates) while the stack fingerprint holds."""
    if fingerprint is None:
        return make_environment(config)
    env = _ENVIRONMENTS.get(fingerprint)
    if env is None:
        _ENVIRONMENTS.clear()
        env = _ENVIRONMENTS[fingerprint] = make_environment(config)
    return env


def build(
    config: SiteConfig,
    out: Path | None = None,
    drafts: bool = False,
    progress: Progress | None = None,
    memo: StatMemo | None = None,
    defer_search: bool = False,
) -> BuildResult:
    """Build the whole site into ``out`` (default: the configured output folder), atomically.

    ``memo`` keeps parsed posts between builds of one process; with ``defer_search``
    a changed site keeps its previous search bundle and the result says what to index.
    """
    started = time.perf_counter()
    timings: dict[str, float] = {}
    now = clock.now()
    target = out if out is not None else config.output_path
    with _stage("load", timings, progress):
        site = load_site(config, drafts, memo)
    with _stage("wall", timings, progress):
        wall = make_wall(site, config)
    # A template that fails names its file and line; the previous site stays published.
    with template_errors(config), _stage("render and write", timings, progress):
        fingerprint, reads_now = stack_fingerprint(config)
        cache = PageCache(config.cache_path / "build" / "pages.json", target, fingerprint)
        indexer = SearchStep(target, search_record(config), defer=defer_search)

        def files() -> Iterable[OutputFile]:
            ctx = render_context(site, wall, config, now, cache, reads_now)
            return (indexer.see(file) for file in render_site(ctx))

        result = publish(files, target, finish=indexer, work=publish_work(config))
        cache.save()
    return BuildResult(
        out=target,
        items=len(wall.items),
        feeds=len(config.feeds),
        written=result.written,
        unchanged=result.unchanged,
        seconds=time.perf_counter() - started,
        stages=timings,
        search_pending=indexer.pending,
    )


def publish_work(config: SiteConfig) -> Path:
    """Where the writer keeps its staging and previous trees, out of the user's sight."""
    return config.cache_path / "publish"


def search_record(config: SiteConfig) -> Path:
    """Where the fingerprint of the live search bundle is kept."""
    return config.cache_path / "build" / "search.json"
