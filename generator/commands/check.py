"""``veille check``: validate config and every source without writing anything."""

from __future__ import annotations

from dataclasses import dataclass

from generator.build import load_site, make_wall
from generator.config import SiteConfig
from generator.errors import ContentError
from generator.sources.curation import check_curation, curation_path


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What a successful check found: a summary line and advisory warnings."""

    summary: str
    warnings: tuple[str, ...] = ()


def check_site(config: SiteConfig, drafts: bool = True) -> CheckReport:
    """Load and cross-check everything a build reads; raise ContentError on any problem."""
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
    wall = make_wall(site, config)
    summary = (
        f"{len(site.posts)} posts, {len(site.people)} people, "
        f"{len(site.communities)} communities, {len(wall.items)} items on the wall"
    )
    return CheckReport(summary, tuple(warnings))
