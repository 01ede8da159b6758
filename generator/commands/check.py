"""``veille check``: validate config, every source and every template without writing anything."""

from __future__ import annotations

from dataclasses import dataclass, replace

from generator import clock
from generator.build import load_site, make_wall, render_context, render_site
from generator.config import SiteConfig
from generator.errors import ContentError
from generator.model import Site
from generator.pagecache import PageCache, stack_fingerprint
from generator.sources.curation import check_curation, curation_path
from generator.text import counted
from generator.themes import template_errors
from generator.wall import Wall


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What a successful check found: a summary line and advisory warnings."""

    summary: str
    warnings: tuple[str, ...] = ()


def check_site(config: SiteConfig, drafts: bool = True) -> CheckReport:
    """Load, cross-check and render everything a build reads; raise on any problem.

    Drafts are validated (``drafts``) but the site is rendered and counted as
    ``veille build`` publishes it, so the summary matches the build's.
    """
    site = load_site(config, drafts=drafts)
    communities = {c.id for c in site.communities}
    path = curation_path(config)
    warnings: list[str] = []
    if site.feed_items:
        problems = check_curation(site.curation, site.feed_items, communities, path)
    else:
        # Before the first `veille fetch` nothing can match; that is not a content error.
        problems = [
            p for p in check_curation(site.curation, (), communities, path) if p.key == "community"
        ]
        if site.curation:
            warnings.append(
                f"{path}: no feed item is cached yet, so curation links were not checked "
                "(run `veille fetch`)"
            )
    if problems:
        raise ContentError(problems)
    published = replace(site, posts=tuple(p for p in site.posts if not p.draft))
    wall = make_wall(published, config)
    render_in_memory(published, wall, config)
    draft_count = len(site.posts) - len(published.posts)
    summary = (
        f"{counted(len(published.posts), 'post')}, "
        f"{counted(len(site.people), 'person', 'people')}, "
        f"{counted(len(site.communities), 'community', 'communities')}, "
        f"{counted(len(wall.items), 'item')} on the wall"
    )
    if draft_count:
        summary += f", {counted(draft_count, 'draft')}"
    return CheckReport(summary, tuple(warnings))


def render_in_memory(site: Site, wall: Wall, config: SiteConfig) -> None:
    """Render every page of the site without writing, so that template errors surface now.

    The render cache is read, never saved: pages whose template stack and context
    are unchanged since the last build rendered fine then and are not rendered again.
    """
    with template_errors(config):
        fingerprint, reads_now = stack_fingerprint(config)
        cache = PageCache(
            config.cache_path / "build" / "pages.json", config.output_path, fingerprint
        )
        for _ in render_site(render_context(site, wall, config, clock.now(), cache, reads_now)):
            pass  # rendering is the check; the files are not kept
