"""Template views: records projected into plain mappings for the theme.

Templates never see config objects or services, only what these functions
return; HTML that is already safe (rendered Markdown, sanitised feed content)
is marked so here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from markupsafe import Markup

from generator.config import SiteConfig
from generator.meetups import ref_path
from generator.model import Item
from generator.text import slugify
from generator.wall import Wall, upcoming

View = dict[str, Any]


class Views:
    """Projects the wall's records for templates, with lookups shared across pages."""

    def __init__(
        self,
        wall: Wall,
        config: SiteConfig,
        now: datetime,
        comments: Mapping[str, Any] | None = None,
        extra_nav: tuple[tuple[str, str], ...] = (),
        saved: Mapping[str, int] | None = None,
    ) -> None:
        self.wall = wall
        self.config = config
        self.now = now
        self.comments = comments or {}
        self.saved = saved or {}  # thread → savers, already cut at metrics.min_group_size
        self.people = {p.id: p for p in wall.people}
        self.communities = {c.id: c for c in wall.communities}
        self.extra_nav = extra_nav
        self._upcoming = upcoming(wall.items, now)[:3]
        self._upcoming_cache: list[View] | None = None
        self.meetups = {i.path: i for i in wall.by_kind.get("meetup", ())}
        self._meetup_slugs = {i.slug: i for i in wall.by_kind.get("meetup", ())}
        self._listed: dict[str, View] = {}  # list views of items, made once per build

    def site(self) -> View:
        c = self.config
        return {
            "title": c.title,
            "description": c.description,
            "base_url": c.base_url,
            "language": c.language,
            "timezone": c.timezone,
            "api_url": c.comments.api_url,
            "reactions": list(c.comments.reactions),
            "identity": c.comments.identity,
            "edit_window_minutes": c.comments.edit_window_minutes,
            "max_length": c.comments.max_length,
        }

    def save_button(self) -> View:
        """Where the Save button posts without JavaScript (trusted-header mode only)."""
        c = self.config.comments
        trusted = c.identity == "trusted-header"
        return {"action": c.api_url.rstrip("/") + "/saved" if trusted else None}

    def common(self, path: str) -> View:
        """The context every page gets: the site, the page's own path, the side boxes.

        A build adds its shared lookups on top (``RenderContext.common``).
        """
        return {
            "site": self.site(),
            "page_path": path,
            "now": self.now,
            "upcoming": self._upcoming_views(),
            "extra_nav": [{"path": p, "label": label} for p, label in self.extra_nav],
        }

    def _upcoming_views(self) -> list[View]:
        if self._upcoming_cache is None:
            self._upcoming_cache = [self.listed(i) for i in self._upcoming]
        return self._upcoming_cache

    def person(self, person_id: str | None) -> View | None:
        if person_id is None:
            return None
        p = self.people.get(person_id)
        if p is None:
            return {"id": person_id, "name": person_id, "path": None}
        return {
            "id": p.id,
            "name": p.name,
            "title": p.title,
            "site": p.site,
            "bio": p.bio,
            "expertise": list(p.expertise),
            "communities": [self.community_ref(c) for c in p.communities],
            "leads": [self.community_ref(c.id) for c in self.wall.communities if p.id in c.leaders],
            "path": f"/people/{p.id}/",
            "post_count": len(self.wall.by_author.get(p.id, ())),
        }

    def community_ref(self, community_id: str) -> View:
        c = self.communities.get(community_id)
        name = c.name if c else community_id
        return {"id": community_id, "name": name, "path": f"/communities/{slugify(community_id)}/"}

    def community(self, community_id: str) -> View:
        c = self.communities[community_id]
        members = [p for p in self.wall.people if community_id in p.communities]
        return {
            **self.community_ref(community_id),
            "description": c.description,
            "site": c.site,
            "leaders": [self.person(pid) for pid in c.leaders],
            "members": [self.person(p.id) for p in members],
            "item_count": len(self.wall.by_community.get(community_id, ())),
        }

    def tag(self, tag: str) -> View:
        return {"name": tag, "path": f"/tags/{slugify(tag)}/"}

    def tag_cloud(self, wall: Wall) -> list[View]:
        return [{**self.tag(t), "count": len(items)} for t, items in wall.by_tag.items()]

    def listed(self, item: Item) -> View:
        """An item's list view, built once per build (templates never change views)."""
        view = self._listed.get(item.path)
        if view is None:
            view = self._listed[item.path] = self.item(item)
        return view

    def item(self, item: Item, full: bool = False) -> View:
        """An item for lists (summary) or for its own page (``full``: body, thread)."""
        event = None
        if item.event is not None:
            event = {
                "start": item.event.start,
                "end": item.event.end,
                "location": item.event.location,
                "online_url": item.event.online_url,
                "past": item.event.end < self.now,
            }
        meetup = None
        if item.event_ref is not None:
            ref = item.event_ref
            target = self.meetups.get(ref_path(ref)) if "/" in ref else self._meetup_slugs.get(ref)
            if target is not None:
                meetup = {"title": target.title, "path": target.path}
        thread = self.comments.get(item.path, {})
        view: View = {
            "kind": item.kind.value,
            "path": item.path,
            "title": item.title,
            "date": item.date,
            "summary_html": Markup(item.summary_html),  # noqa: S704 - escaped or sanitised upstream
            "author": self.person(item.author),
            "contributors": [self.person(c) for c in item.contributors],
            "tags": [self.tag(t) for t in item.tags],
            "community": self.community_ref(item.community) if item.community else None,
            "pinned": item.pinned,
            "event": event,
            "meetup": meetup,
            "external_url": item.external_url,
            "source_title": item.source_title,
            "note_html": Markup(item.note_html),  # noqa: S704 - rendered and sanitised upstream
            "thumbnail": item.thumbnail,
            "comment_count": thread.get("count", 0),
            "reaction_count": thread.get("reactions", 0),
            "saved_count": self.saved.get(item.path, 0),
            "save": self.save_button(),
        }
        if full:
            view["body_html"] = Markup(item.body_html)  # noqa: S704 - trusted or sanitised
            view["comments"] = thread.get("comments", [])
        return view
