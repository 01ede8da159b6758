"""Discovery pages: events, calendars, search page, and the lookups behind experts and communities.

``discovery_context`` projects the wall, the directory and the comments snapshot
into plain lookups that shared templates read (experts per tag, community and
site details, items a person commented on, directory facets, meetup timelines);
``render_discovery`` renders the extra pages as output files.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from generator.context import RenderContext
from generator.events import ics_path, linked_posts, render_calendar, split_meetups
from generator.model import CommentsData, Item, OutputFile, Person
from generator.text import slugify
from generator.views import View, Views
from generator.wall import Wall

APPROVED = "approved"
EXPERTS_PER_TAG = 8


def _key(text: str) -> str:
    return slugify(text) or text.casefold()


def tag_experts(people: Iterable[Person], tags: Iterable[str]) -> dict[str, list[str]]:
    """Person ids whose expertise matches each tag, compared as slugs (any case)."""
    by_skill: dict[str, list[str]] = {}
    for person in people:
        for skill in person.expertise:
            ids = by_skill.setdefault(_key(skill), [])
            if person.id not in ids:
                ids.append(person.id)
    return {tag: by_skill[_key(tag)][:EXPERTS_PER_TAG] for tag in tags if _key(tag) in by_skill}


def commented_items(comments: CommentsData, wall: Wall) -> dict[str, tuple[Item, ...]]:
    """Per person id, the published items they commented on (approved), latest comment first."""
    latest: dict[str, dict[str, datetime]] = {}
    for comment in comments.comments:
        if comment.status != APPROVED or not comment.person_id:
            continue
        if comment.thread not in wall.by_path:
            continue
        seen = latest.setdefault(comment.person_id, {})
        if comment.thread not in seen or comment.created > seen[comment.thread]:
            seen[comment.thread] = comment.created
    return {
        person: tuple(
            wall.by_path[path]
            for path, _ in sorted(threads.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        )
        for person, threads in latest.items()
    }


def meetup_view(views: Views, meetup: Item, items: Iterable[Item]) -> View:
    """A meetup's linked posts by phase and its calendar link."""
    groups = linked_posts(meetup, items)
    return {
        "ics": "/" + ics_path(meetup),
        "phases": [
            {"phase": phase.value, "items": [views.item(i) for i in found]}
            for phase, found in groups.items()
        ],
        "linked_count": sum(len(found) for found in groups.values()),
    }


def discovery_context(wall: Wall, views: Views, comments: CommentsData) -> dict[str, Any]:
    """Lookups for shared templates; every key is optional there (``is defined``)."""
    timeline = split_meetups(wall.items, views.now)
    experts = tag_experts(wall.people, wall.by_tag)
    commented = commented_items(comments, wall)
    communities: dict[str, View] = {}
    for community in wall.communities:
        own = [m for m in wall.by_kind.get("meetup", ()) if m.community == community.id]
        split = split_meetups(own, views.now)
        communities[community.id] = {
            **views.community(community.id),
            "site_path": f"/sites/{slugify(community.site)}/" if community.site else None,
            "upcoming": [views.item(m) for m in split.upcoming],
            "past": [views.item(m) for m in split.past],
        }
    sites: dict[str, View] = {}
    for name in sorted({p.site for p in wall.people if p.site} | set(wall.by_site)):
        sites[name] = {
            "name": name,
            "communities": [views.community_ref(c.id) for c in wall.communities if c.site == name],
            "people": [views.person(p.id) for p in wall.people if p.site == name],
        }
    return {
        "tag_experts": {tag: [views.person(pid) for pid in ids] for tag, ids in experts.items()},
        "community_details": communities,
        "site_details": sites,
        "commented_by": {pid: [views.item(i) for i in found] for pid, found in commented.items()},
        "directory": {
            "expertise": sorted(
                {e for p in wall.people for e in p.expertise}, key=lambda e: e.casefold()
            ),
            "sites": sorted({p.site for p in wall.people if p.site}, key=str.casefold),
        },
        "meetup_pages": {
            m.path: meetup_view(views, m, wall.items) for m in (*timeline.upcoming, *timeline.past)
        },
        "events_nav": True,
    }


def render_discovery(ctx: RenderContext) -> list[OutputFile]:
    """The events page, calendars (all and per meetup) and the search page."""
    wall, config, env, views, now = ctx.wall, ctx.config, ctx.env, ctx.views, ctx.now
    timeline = split_meetups(wall.items, now)
    files: list[OutputFile] = []
    html = env.get_template("events.html").render(
        **ctx.common("/events/"),
        upcoming_events=[_event_entry(views, m, wall) for m in timeline.upcoming],
        past_events=[_event_entry(views, m, wall) for m in timeline.past],
    )
    files.append(OutputFile("events/index.html", html.encode()))
    every = (*timeline.upcoming, *timeline.past)
    files.append(
        OutputFile(
            "events.ics",
            render_calendar(
                every, base_url=config.base_url, tz=config.tz, now=now, name=config.title
            ),
        )
    )
    for meetup in every:
        files.append(
            OutputFile(
                ics_path(meetup),
                render_calendar(
                    (meetup,),
                    base_url=config.base_url,
                    tz=config.tz,
                    now=now,
                    name=meetup.title,
                ),
            )
        )
    search = env.get_template("search.html").render(**ctx.common("/search/"))
    files.append(OutputFile("search/index.html", search.encode()))
    return files


def _event_entry(views: Views, meetup: Item, wall: Wall) -> View:
    return {**views.item(meetup), **meetup_view(views, meetup, wall.items)}
