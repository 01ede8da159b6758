"""Collection pages: ``/collections/`` and one page per collection, plus their lookups.

``collection_lookups`` gives shared templates the collections of each tag, owner and
community (tag, person and community pages read them); ``render_collections`` renders
each collection as the wall's cards of its items with the owner's notes and the
collection's own comment thread, and the index of all collections.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from generator.context import RenderContext
from generator.model import Collection, OutputFile
from generator.render import Pages
from generator.views import View, Views
from generator.wall import Wall


def collection_tags(collection: Collection, wall: Wall) -> tuple[str, ...]:
    """The tags of a collection's published items, first seen first."""
    tags = (
        t for path in collection.threads if path in wall.by_path for t in wall.by_path[path].tags
    )
    return tuple(dict.fromkeys(tags))


def summary(collection: Collection, views: Views) -> View:
    """A collection for lists: title, owner, community, size, tags."""
    return {
        "slug": collection.slug,
        "path": collection.path,
        "title": collection.title,
        "date": collection.date,
        "owner": views.person(collection.owner),
        "community": (views.community_ref(collection.community) if collection.community else None),
        "description_html": Markup(collection.description_html),  # noqa: S704 - sanitised note
        "count": len(collection.entries),
        "tags": [views.tag(t) for t in collection_tags(collection, views.wall)],
    }


def collection_lookups(collections: tuple[Collection, ...], views: Views) -> dict[str, Any]:
    """Per tag, owner and community, the collections to list there (newest first)."""
    by_tag: dict[str, list[View]] = {}
    by_owner: dict[str, list[View]] = {}
    by_community: dict[str, list[View]] = {}
    for collection in collections:
        view = summary(collection, views)
        for tag in collection_tags(collection, views.wall):
            by_tag.setdefault(tag, []).append(view)
        by_owner.setdefault(collection.owner, []).append(view)
        if collection.community:
            by_community.setdefault(collection.community, []).append(view)
    return {
        "collections_by_tag": by_tag,
        "collections_by_owner": by_owner,
        "collections_by_community": by_community,
    }


def render_collections(ctx: RenderContext) -> list[OutputFile]:
    """``/collections/`` and every ``/collections/<slug>/`` page."""
    pages, views, wall = Pages(ctx), ctx.views, ctx.wall
    files = []
    for collection in ctx.site.collections:
        items = [wall.by_path[p] for p in collection.threads if p in wall.by_path]
        position = {item.path: index for index, item in enumerate(items)}
        entries = [
            {
                "card": position.get(entry.thread) if entry.thread else None,
                "url": entry.url,
                "title": entry.title or entry.url,
                "note_html": Markup(entry.note_html),  # noqa: S704 - rendered and sanitised
            }
            for entry in collection.entries
        ]
        thread = views.comments.get(collection.path, {})
        view = {
            **summary(collection, views),
            "comments": thread.get("comments", []),
            "comment_count": thread.get("count", 0),
        }
        files.append(
            pages.render(
                "collection.html",
                collection.path,
                collection=view,
                entries=entries,
                items=[views.listed(i) for i in items],
            )
        )
    listed = [summary(c, views) for c in ctx.site.collections]
    files.append(pages.render("collections.html", "/collections/", collections=listed))
    return files
