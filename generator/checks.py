"""``veille check``: validate config and every source without writing anything."""

from __future__ import annotations

from generator.build import load_site, make_wall
from generator.config import SiteConfig
from generator.curation import check_curation, curation_path
from generator.errors import ContentError


def check_site(config: SiteConfig, drafts: bool = True) -> str:
    """Load and cross-check everything a build reads; raise ContentError on any problem."""
    site = load_site(config, drafts=drafts)
    problems = check_curation(
        site.curation,
        site.feed_items,
        {c.id for c in site.communities},
        curation_path(config),
    )
    if problems:
        raise ContentError(problems)
    wall = make_wall(site, config)
    return (
        f"{len(site.posts)} posts, {len(site.people)} people, "
        f"{len(site.communities)} communities, {len(wall.items)} items on the wall"
    )
