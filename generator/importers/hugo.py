"""Read a Hugo site (its root or its content folder) into ``ImportedPost`` records.

Leaf bundles (``posts/x/index.md`` and the files beside it) carry attachments;
``ref``/``relref`` become the target's old path; ``figure`` and ``highlight``
are converted; any other shortcode is left visible and noted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from generator.importers import staticsite
from generator.importers.readers import ReadOptions
from generator.importers.records import ImportedPost, ImportedSource, Note, Where
from generator.importers.staticfiles import StaticRoots, attach_static
from generator.importers.staticsite import BodyRewrite, Page

KIND = "hugo"
_CONFIGS = (
    "hugo.toml",
    "hugo.yaml",
    "hugo.yml",
    "hugo.json",
    "config.toml",
    "config.yaml",
    "config.yml",
    "config.json",
    "config/_default/hugo.toml",
    "config/_default/hugo.yaml",
    "config/_default/config.toml",
    "config/_default/config.yaml",
)
_KNOWN = frozenset(
    {
        "title", "date", "publishdate", "publishDate", "pubdate", "draft", "slug", "url",
        "aliases", "tags", "categories", "author", "authors", "summary", "description",
        "image", "images", "cover",
    }
)  # fmt: skip
_IGNORED = frozenset(
    {
        "lastmod", "lastMod", "modified", "weight", "layout", "type", "toc", "menu", "keywords",
        "expirydate", "expiryDate", "showToc", "TocOpen", "comments", "math", "markup",
        "linkTitle", "series", "headless", "build", "outputs", "resources", "params",
        "translationKey", "isCJKLanguage", "sitemap", "_build", "cascade", "featured",
    }
)  # fmt: skip
_REF = re.compile(r"\{\{([<%])\s*(?:rel)?ref\s+(?:\"([^\"]*)\"|'([^']*)'|([^\s>%]+))\s*[>%]\}\}")
_FIGURE = re.compile(r"\{\{[<%]\s*figure\s+(.*?)\s*/?[>%]\}\}", re.DOTALL)
_HIGHLIGHT = re.compile(
    r"\{\{[<%]\s*highlight\s+([\w+#.-]+)[^>%]*[>%]\}\}\n?(.*?)\n?\{\{[<%]\s*/highlight\s*[>%]\}\}",
    re.DOTALL,
)
_SHORTCODE = re.compile(r"\{\{[<%]\s*([\w./-]+)[^}]*?[>%]\}\}")
_TOKEN = re.compile(
    r":(year|month|monthname|day|slug|title|filename|section|sections|contentbasename|slugorfilename|slugorcontentbasename)"
)


_DATES = ("date", "publishDate", "publishdate", "pubdate")


@dataclass(frozen=True, slots=True)
class _Site(staticsite.Site):
    permalinks: Mapping[str, str]
    statics: StaticRoots  # static/ (or staticDir) and the theme's static/


def read(source: Path, options: ReadOptions = staticsite.DEFAULTS) -> ImportedSource:
    """Every post of a Hugo site; naive dates in the site's zone, else ``options.timezone``."""
    site, notes = _locate(source, options.timezone)
    pages, failed = staticsite.load_pages(
        site.content, site.root, staticsite.markup_files(site.content)
    )
    notes.extend(failed)
    bundles = {p.path.parent for p in pages if p.path.name in {"index.md", "index.markdown"}}
    urls: dict[str, str] = {}
    posts: list[tuple[Page, ImportedPost]] = []
    for page in pages:
        in_bundle = any(parent in bundles for parent in page.path.parents)
        if (page.path.parent in bundles and page.path.stem != "index") or (
            in_bundle and page.path.parent not in bundles
        ):
            continue  # a Markdown resource of a leaf bundle, not a page
        post = _post(page, site, options.community_map)
        urls[page.rel] = post.old_urls[0]
        if page.path.stem == "_index":
            continue
        if staticsite.in_section(page, notes):
            posts.append((page, post))
    known = frozenset(urls.values())
    done = tuple(_rewrite(page, post, urls, known, site.statics) for page, post in posts)
    return ImportedSource(KIND, done, site.base_url, tuple(notes))


def _locate(source: Path, fallback: tzinfo | None) -> tuple[_Site, list[Note]]:
    notes: list[Note] = []
    for root in (source, source.parent):
        for name in _CONFIGS:
            path = root / name
            if not path.is_file():
                continue
            config, problem = staticsite.load_config(path, name)
            if problem:
                notes.append(problem)
            lowered = {str(k).lower(): v for k, v in config.items()}
            content = root / str(lowered.get("contentdir") or "content")
            if root != source:
                content = source
            tz, tz_note = staticsite.source_timezone(lowered.get("timezone"), fallback)
            notes.extend([tz_note] if tz_note else [])
            base = lowered.get("baseurl")
            statics = _statics(root, lowered)
            return _Site(
                root, content, str(base) if base else None, tz, _permalinks(lowered), statics
            ), notes
    tz = staticsite.source_timezone(None, fallback)[0]
    statics = _statics(source.parent, {})
    return _Site(source.parent, source, None, tz, {}, statics), [
        Note(Where(source.as_posix()), "no Hugo config found", "read as a content folder")
    ]


def _statics(root: Path, config: Mapping[str, Any]) -> StaticRoots:
    """Hugo publishes ``staticDir`` (a name or a list, ``static`` by default), then the theme's."""
    names = staticsite.as_strings(config.get("staticdir")) or ("static",)
    themes = staticsite.as_strings(config.get("theme"), sep=",")
    folders = [root / name for name in names]
    folders += [root / "themes" / theme / "static" for theme in themes]
    return StaticRoots(tuple(folders), "/, ".join(names) + "/")


def _permalinks(config: Mapping[str, Any]) -> dict[str, str]:
    raw = config.get("permalinks")
    if not isinstance(raw, Mapping):
        return {}
    if isinstance(raw.get("page"), Mapping):  # Hugo ≥ 0.120 nests them by kind
        raw = raw["page"]
    return {str(k): str(v) for k, v in raw.items() if isinstance(v, str)}


def _post(page: Page, site: _Site, community_map: Mapping[str, str] | None) -> ImportedPost:
    data = page.meta.data
    notes: list[Note] = []
    bundle = page.path.stem == "index"
    name = page.path.parent.name if bundle else page.path.stem
    name_date, name_rest = staticsite.date_from_name(name)
    slug = str(data.get("slug") or "").strip() or staticsite.page_slug(name_rest)
    section = page.rel.split("/", 1)[0] if "/" in page.rel else ""
    title = staticsite.page_title(page, name_rest, notes)
    url = _url(page, site, data, slug, name, section)
    old_urls = [url]
    for alias in staticsite.as_strings(data.get("aliases"), sep=","):
        aliased = (
            staticsite.url_path(alias) if alias.startswith("/") or "://" in alias else f"/{alias}"
        )
        old_urls.append(aliased)
    date = staticsite.page_date(
        page, site.tz, notes, staticsite.date_from_path(url) or name_date, _DATES
    )
    categories = staticsite.as_strings(data.get("categories"), sep=",")
    sections = categories or ((section,) if section else ())
    image = data.get("image") or data.get("cover")
    images = staticsite.as_strings(data.get("images"))
    return replace(
        staticsite.new_post(KIND, page, title, staticsite.page_slug(slug), date),
        authors=staticsite.as_authors(data.get("authors") or data.get("author")),
        tags=staticsite.as_strings(data.get("tags"), sep=","),
        sections=staticsite.with_community_names(sections, community_map),
        summary=str(data.get("summary") or data.get("description") or "").strip() or None,
        image=str(image) if isinstance(image, str) else (images[0] if images else None),
        draft=staticsite.as_bool(data.get("draft", False)),
        attachments=staticsite.bundle_files(page.path.parent) if bundle else (),
        old_urls=tuple(dict.fromkeys(old_urls)),
        notes=(*notes, *staticsite.unknown_fields(page, _KNOWN, _IGNORED)),
    )


def _url(
    page: Page, site: _Site, data: Mapping[str, Any], slug: str, name: str, section: str
) -> str:
    if data.get("url"):
        path = staticsite.url_path(str(data["url"]))
        return path
    folder = page.rel.rsplit("/", 1)[0] if "/" in page.rel else ""
    if page.path.stem == "_index":
        return f"/{folder.lower()}/" if folder else "/"
    if page.path.stem == "index":
        folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
    pattern = site.permalinks.get(section)
    if pattern:
        value = staticsite.parse_date(data.get("date"), site.tz)
        return _expand(pattern, value, slug, name, section, folder, str(data.get("title") or ""))
    prefix = f"/{folder.lower()}" if folder else ""
    return f"{prefix}/{(str(data.get('slug') or '') or name).lower()}/"


def _expand(
    pattern: str,
    date: datetime | None,
    slug: str,
    name: str,
    section: str,
    folder: str,
    title: str,
) -> str:
    def token(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in {"year", "month", "day", "monthname"}:
            if date is None:
                return match.group(0)
            return {
                "year": f"{date.year:04d}",
                "month": f"{date.month:02d}",
                "day": f"{date.day:02d}",
                "monthname": date.strftime("%B").lower(),
            }[key]
        if key in {"slug", "slugorfilename", "slugorcontentbasename"}:
            return slug or name
        if key == "title":
            return staticsite.page_slug(title) if title else name
        if key in {"filename", "contentbasename"}:
            return name
        return section if key == "section" else folder

    path = _TOKEN.sub(token, pattern)
    return staticsite.url_path(path if path.endswith(("/", ".html")) else f"{path}/")


def _lookup(target: str, page: Page, urls: Mapping[str, str]) -> str | None:
    """Hugo resolves a ref by path (absolute or relative) and then by unique base name."""
    path = target.strip()
    candidates = [path]
    if not path.endswith((".md", ".markdown")):
        candidates += [f"{path.rstrip('/')}.md", f"{path.rstrip('/')}/index.md"]
        candidates += [f"{path.rstrip('/')}/_index.md"]
    for candidate in candidates:
        key = staticsite.resolve_file(candidate, page.rel, urls)
        if key is not None:
            return urls[key]
    base = path.rstrip("/").rsplit("/", 1)[-1]
    matches = [
        key
        for key in urls
        if key.rsplit("/", 1)[-1] in {base, f"{base}.md"}
        or key.endswith((f"/{base}/index.md", f"/{base.removesuffix('.md')}/index.md"))
    ]
    return urls[matches[0]] if len(matches) == 1 else None


def _rewrite(
    page: Page,
    post: ImportedPost,
    urls: Mapping[str, str],
    known: frozenset[str],
    statics: StaticRoots,
) -> ImportedPost:
    rewrite = BodyRewrite(page, page.meta.body)

    def ref(match: re.Match[str], line: int) -> str:
        target = match.group(2) or match.group(3) or match.group(4) or ""
        path, hash_, anchor = target.partition("#")
        if not path:
            return f"{hash_}{anchor}"
        found = _lookup(path, page, urls)
        if found is None:
            rewrite.note(line, f"ref {target!r}", "target not found, left as is")
            return match.group(0)
        return f"{found}{hash_}{anchor}"

    def figure(match: re.Match[str], line: int) -> str:
        attrs = staticsite.attributes(match.group(1))
        if "src" not in attrs:
            rewrite.note(line, "shortcode figure without src", "left as text")
            return match.group(0)
        return staticsite.figure_html(
            attrs["src"], attrs.get("alt", ""), attrs.get("caption", ""), attrs.get("title", "")
        )

    def highlight(match: re.Match[str], line: int) -> str:
        return f"```{match.group(1)}\n{match.group(2)}\n```"

    def other(match: re.Match[str], line: int) -> str:
        name = match.group(1)
        if not name.startswith("/") and name not in {"ref", "relref"}:
            rewrite.note(line, f"shortcode {name}", "left as text")
        return match.group(0)

    rewrite.sub(_REF, ref)
    rewrite.sub(_FIGURE, figure)
    rewrite.sub(_HIGHLIGHT, highlight)
    rewrite.sub(_SHORTCODE, other)
    staticsite.rewrite_relative_links(rewrite, post.old_urls[0], urls, known)
    attachments, image = attach_static(rewrite, statics, post.attachments, post.image)
    return replace(staticsite.finish(post, rewrite), attachments=attachments, image=image)
