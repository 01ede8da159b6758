"""Stage 3, render: the wall → output files (pages, Atom feed, sitemap, threads list).

Renders to bytes and never writes; templates receive plain view data built by
``generator.views``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from markupsafe import Markup

from generator.bundles import absolute_urls
from generator.config import SiteConfig
from generator.context import RenderContext
from generator.meetups import Phase, phase_of, refers_to
from generator.model import Item, Kind, OutputFile
from generator.pagecache import Uncacheable, canonical
from generator.text import slugify
from generator.views import View
from generator.wall import paginate

log = logging.getLogger(__name__)
ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
FEED_SIZE = 50


def page_file(path: str) -> str:
    """``/posts/2026/x/`` → ``posts/2026/x/index.html``."""
    return path.strip("/") + "/index.html" if path.strip("/") else "index.html"


class Pages:
    """Renders one build's pages from views, reusing unchanged pages from the render cache.

    It owns the build's card memo: each item's card is rendered at most once, and only
    for a page that is actually rendered (a page reused from the cache needs none).
    """

    def __init__(self, ctx: RenderContext) -> None:
        self.ctx = ctx
        self.env = ctx.env
        self.views = ctx.views
        self.cache = ctx.cache
        self._cards: dict[str, View] = {}
        self._shared: bytes | None = None

    def shared(self) -> bytes:
        """The digest of the context every page shares (all but its path), made once."""
        if self._shared is None:
            common = self.ctx.common("/")
            del common["page_path"]
            if not self.ctx.reads_now:  # time-dependent views (upcoming, past events) stay
                del common["now"]
            self._shared = hashlib.sha256(canonical(common)).digest()
        return self._shared

    def render(self, template: str, path: str, **context: Any) -> OutputFile:
        """The page at URL ``path``; a list of ``items`` is shown as cards."""
        file = page_file(path)
        key = None
        if self.cache is not None:
            try:
                key = self.cache.key(
                    template.encode(), file.encode(), self.shared(), canonical(context)
                )
            except Uncacheable as error:
                log.debug("page %s not cached: %s", file, error)
            if key is not None:
                data = self.cache.reuse(file, key)
                if data is not None:
                    return OutputFile(file, data)
        if "items" in context:
            context["items"] = [self.card(v) for v in context["items"]]
        html = self.env.get_template(template).render(**self.ctx.common(path), **context)
        data = html.encode()
        if self.cache is not None and key is not None:
            self.cache.remember(file, key, data)
        return OutputFile(file, data)

    def card(self, view: View) -> View:
        """An item view with its ``card`` HTML, rendered once per build for every list."""
        carded = self._cards.get(view["path"])
        if carded is None:
            card = self.env.get_template("_card.html").render(item=view)
            carded = {**view, "card": Markup(card)}  # noqa: S704 - autoescaped template
            self._cards[view["path"]] = carded
        return carded


def render_listing(
    pages: Pages,
    template: str,
    base_path: str,
    items: Sequence[Item],
    per_page: int,
    **context: Any,
) -> list[OutputFile]:
    """A paginated list at ``base_path``, ``base_path/page/N/`` after the first page."""
    out = []

    def page_path(number: int) -> str:
        return base_path if number == 1 else f"{base_path}page/{number}/"

    for page in paginate(items, per_page):
        out.append(
            pages.render(
                template,
                page_path(page.number),
                items=[pages.views.listed(i) for i in page.items],
                pagination={
                    "number": page.number,
                    "count": page.count,
                    "prev": page_path(page.number - 1) if page.number > 1 else None,
                    "next": page_path(page.number + 1) if page.number < page.count else None,
                },
                **context,
            )
        )
    return out


def render_pages(ctx: RenderContext) -> list[OutputFile]:
    """Every HTML page of the wall."""
    wall, pages, views = ctx.wall, Pages(ctx), ctx.views
    per = ctx.config.per_page
    files = render_listing(pages, "index.html", "/", wall.items, per, heading=None)
    for item in wall.items:
        files.append(pages.render("item.html", item.path, item=views.item(item, full=True)))
    files += _taxonomy(pages, per, "tag", "/tags/", wall.by_tag, lambda t: t)
    names = {c.id: c.name for c in wall.communities}
    files += _taxonomy(pages, per, "community", "/communities/", wall.by_community, names.get)
    files += _taxonomy(pages, per, "site", "/sites/", wall.by_site, lambda s: s)
    kinds = {"post": "/posts/", "link": "/links/", "meetup": "/meetups/"}
    for kind, base in kinds.items():
        files += render_listing(
            pages,
            "list.html",
            base,
            wall.by_kind.get(kind, ()),
            per,
            heading={"kind": "kind", "name": kind, "key": kind},
        )
    files.append(pages.render("tags.html", "/tags/", tags=views.tag_cloud(wall)))
    communities = [views.community(c.id) for c in wall.communities]
    files.append(pages.render("communities.html", "/communities/", communities=communities))
    people = [views.person(p.id) for p in wall.people]
    files.append(pages.render("people.html", "/people/", people=people))
    for person in wall.people:
        files.append(
            pages.render(
                "person.html",
                f"/people/{person.id}/",
                person=views.person(person.id),
                items=[views.listed(i) for i in wall.by_author.get(person.id, ())],
            )
        )
    not_found = ctx.env.get_template("404.html").render(**ctx.common("/404.html"))
    files.append(OutputFile("404.html", not_found.encode()))
    return files


def _taxonomy(
    pages: Pages,
    per_page: int,
    kind: str,
    base: str,
    groups: Mapping[str, Sequence[Item]],
    name_of: Callable[[str], str | None],
) -> list[OutputFile]:
    files = []
    for key, items in groups.items():
        files += render_listing(
            pages,
            "list.html",
            f"{base}{slugify(key)}/",
            items,
            per_page,
            heading={"kind": kind, "name": name_of(key) or key, "key": key},
        )
    return files


def render_feeds(ctx: RenderContext) -> list[OutputFile]:
    """The Atom feed, the threads the comments API accepts, and the items index."""
    items = ctx.wall.items
    collections = tuple(c.path for c in ctx.site.collections)  # each has its own thread
    return [
        render_atom(items, ctx.config, ctx.now),
        render_threads(items, collections),
        render_items(items),
    ]


def render_static(ctx: RenderContext) -> list[OutputFile]:
    """The themes' static files."""
    return static_files(ctx.config.theme_paths)


def render_atom(items: Iterable[Item], config: SiteConfig, now: datetime) -> OutputFile:
    """``feed.xml``: the newest items as Atom 1.0, with absolute links."""
    base = config.base_url
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = config.title
    ET.SubElement(feed, f"{{{ATOM}}}id").text = base
    ET.SubElement(feed, f"{{{ATOM}}}link", href=base)
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=base + "feed.xml")
    newest = sorted(items, key=lambda i: (i.date, i.path), reverse=True)[:FEED_SIZE]
    updated = max((i.updated or i.date for i in newest), default=now)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated.isoformat()
    for item in newest:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        url = base + item.path.lstrip("/")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = item.title
        ET.SubElement(entry, f"{{{ATOM}}}id").text = url
        ET.SubElement(entry, f"{{{ATOM}}}link", href=url)
        if item.external_url:
            ET.SubElement(entry, f"{{{ATOM}}}link", rel="related", href=item.external_url)
        ET.SubElement(entry, f"{{{ATOM}}}published").text = item.date.isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = (item.updated or item.date).isoformat()
        if item.author:
            author = ET.SubElement(entry, f"{{{ATOM}}}author")
            ET.SubElement(author, f"{{{ATOM}}}name").text = item.author
        for tag in item.tags:
            ET.SubElement(entry, f"{{{ATOM}}}category", term=tag)
        summary = ET.SubElement(entry, f"{{{ATOM}}}summary", type="html")
        summary.text = item.note_html + item.summary_html
        if item.kind is not Kind.LINK and item.body_html:
            # The whole post, its bundle's images and links absolute for feed readers.
            content = ET.SubElement(entry, f"{{{ATOM}}}content", type="html")
            content.text = absolute_urls(item.body_html, base, item.path)
    data = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return OutputFile("feed.xml", data + b"\n")


def render_sitemap(paths: Iterable[str], config: SiteConfig) -> OutputFile:
    """``sitemap.xml`` of every HTML page."""
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")
    for path in sorted(set(paths)):
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = config.base_url + path.lstrip("/")
    data = ET.tostring(urlset, encoding="utf-8", xml_declaration=True)
    return OutputFile("sitemap.xml", data + b"\n")


def render_threads(items: Iterable[Item], extra: Iterable[str] = ()) -> OutputFile:
    """``threads.json``: every thread id the comments API may accept (items, then ``extra``)."""
    paths = sorted({*(i.path for i in items), *extra})
    return OutputFile("threads.json", (json.dumps(paths, indent=0) + "\n").encode())


def render_items(items: Sequence[Item]) -> OutputFile:
    """``items.json``: every published item, for the desk, ``/me/`` and scripts.

    Each has path, kind, title, date, author, community and tags; a meetup adds its
    start, end and the paths of the posts linked to it before, during and after.
    """
    entries = []
    for item in sorted(items, key=lambda i: i.path):
        entry: dict[str, object] = {
            "path": item.path,
            "kind": item.kind.value,
            "title": item.title,
            "date": item.date.isoformat(),
            "author": item.author,
            "community": item.community,
            "tags": list(item.tags),
        }
        if item.event is not None:
            phases: dict[str, list[str]] = {phase.value: [] for phase in Phase}
            for other in items:
                if other.event is None and refers_to(other, item):
                    phases[phase_of(other.date, item.event).value].append(other.path)
            entry["start"] = item.event.start.isoformat()
            entry["end"] = item.event.end.isoformat()
            entry.update({phase: sorted(paths) for phase, paths in phases.items()})
        entries.append(entry)
    data = json.dumps({"items": entries}, ensure_ascii=False, indent=1, sort_keys=True)
    return OutputFile("items.json", (data + "\n").encode())


def static_files(theme_paths: Sequence[Path]) -> list[OutputFile]:
    """The themes' ``static/`` files under ``static/``; the site theme wins per file."""
    found: dict[str, Path] = {}
    for theme in reversed(theme_paths):
        root = theme / "static"
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file():
                found[path.relative_to(root).as_posix()] = path
    return [OutputFile(f"static/{rel}", found[rel].read_bytes()) for rel in sorted(found)]


def html_paths(files: Iterable[OutputFile]) -> list[str]:
    """The URL paths of the HTML pages among ``files`` (for the sitemap)."""
    paths = []
    for file in files:
        if file.path.endswith("index.html"):
            paths.append("/" + file.path[: -len("index.html")])
    return paths
