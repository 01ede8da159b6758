"""Read a Zola site (its root or its content folder) into ``ImportedPost`` records.

Pages with colocated assets (``blog/x/index.md``) carry attachments; ``@/…md``
links become the target's old path; image shortcodes become images; any other
shortcode is left visible and noted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from generator.importers.records import ImportedPost, ImportedSource, Note, Where
from generator.importers.staticsite import (
    BodyRewrite,
    Page,
    as_authors,
    as_bool,
    as_strings,
    attributes,
    bundle_files,
    date_from_name,
    date_from_path,
    figure_html,
    finish,
    load_config,
    load_pages,
    markup_files,
    page_slug,
    parse_date,
    rewrite_relative_links,
    source_timezone,
    unknown_fields,
    url_path,
    where,
    with_community_names,
)

KIND = "zola"
_KNOWN = frozenset(
    {
        "title", "date", "draft", "slug", "path", "aliases", "taxonomies", "authors",
        "author", "description", "extra",
    }
)  # fmt: skip
_IGNORED = frozenset(
    {"updated", "weight", "template", "in_search_index", "render", "lang", "sort_by"}
)
_INTERNAL = re.compile(r"@/([^\s)\"'#>]+\.md)(#[^\s)\"'>]*)?")
_SHORTCODE = re.compile(
    r"\{\{\s*([A-Za-z_]\w*)\s*\((.*?)\)\s*\}\}|\{%\s*([A-Za-z_]\w*)\s*\((.*?)\)\s*%\}", re.DOTALL
)


@dataclass(frozen=True, slots=True)
class _Site:
    root: Path
    content: Path
    base_url: str | None
    tz: tzinfo


def read(
    source: Path,
    *,
    community_map: Mapping[str, str] | None = None,
    timezone: tzinfo | None = None,
) -> ImportedSource:
    """Every page of a Zola site; naive dates are in ``timezone`` (UTC when not given)."""
    site, notes = _locate(source, timezone)
    pages, failed = load_pages(site.content, site.root, markup_files(site.content))
    notes.extend(failed)
    bundles = {p.path.parent for p in pages if p.path.name == "index.md"}
    urls: dict[str, str] = {}
    posts: list[tuple[Page, ImportedPost]] = []
    for page in pages:
        if any(parent in bundles for parent in page.path.parents) and page.path.name != "index.md":
            continue  # Markdown beside a page's index.md is an asset, not a page
        if page.path.name == "_index.md":
            folder = page.rel.rsplit("/", 1)[0] if "/" in page.rel else ""
            urls[page.rel] = f"/{folder}/" if folder else "/"
            continue
        post = _post(page, site, community_map)
        urls[page.rel] = post.old_urls[0]
        if "/" not in page.rel:
            notes.append(Note(where(page), "a page, not in a section", "not imported"))
            continue
        posts.append((page, post))
    known = frozenset(urls.values())
    done = tuple(_rewrite(page, post, urls, known) for page, post in posts)
    return ImportedSource(KIND, done, site.base_url, tuple(notes))


def _locate(source: Path, fallback: tzinfo | None) -> tuple[_Site, list[Note]]:
    for root in (source, source.parent):
        for name in ("zola.toml", "config.toml"):
            path = root / name
            if not path.is_file():
                continue
            config, problem = load_config(path, name)
            content = root / "content" if root == source else source
            base = config.get("base_url")
            tz, _ = source_timezone(None, fallback)
            site = _Site(root, content, str(base) if base else None, tz)
            return site, [problem] if problem else []
    tz, _ = source_timezone(None, fallback)
    note = Note(Where(source.as_posix()), "no Zola config found", "read as a content folder")
    return _Site(source.parent, source, None, tz), [note]


def _post(page: Page, site: _Site, community_map: Mapping[str, str] | None) -> ImportedPost:
    data = page.meta.data
    notes: list[Note] = []
    bundle = page.path.name == "index.md"
    name = page.path.parent.name if bundle else page.path.stem
    name_date, name_rest = date_from_name(name)
    slug = page_slug(str(data.get("slug") or "").strip() or name_rest)
    folder = page.rel.rsplit("/", 1)[0] if "/" in page.rel else ""
    if bundle:
        folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
    section = page.rel.split("/", 1)[0] if "/" in page.rel else ""
    if data.get("path"):
        url = url_path(str(data["path"]).strip())
        url = url if url.endswith(("/", ".html", ".xml")) else f"{url}/"
    else:
        url = f"/{folder}/{slug}/" if folder else f"/{slug}/"
    old_urls = [url, *(url_path(alias) for alias in as_strings(data.get("aliases")))]
    title = str(data.get("title") or "").strip()
    if not title:
        title = name_rest.replace("-", " ").replace("_", " ").strip().capitalize()
        notes.append(Note(where(page), "no title", "made one from the file name"))
    taxonomies = data.get("taxonomies")
    taxonomies = taxonomies if isinstance(taxonomies, Mapping) else {}
    extra = data.get("extra")
    extra = extra if isinstance(extra, Mapping) else {}
    categories = as_strings(taxonomies.get("categories"), sep=",")
    image = extra.get("image") or extra.get("cover") or extra.get("thumbnail")
    authors = data.get("authors") or extra.get("authors") or extra.get("author")
    authors = authors or data.get("author") or taxonomies.get("authors")
    return ImportedPost(
        source_id=f"{KIND}:{page.where}",
        title=title,
        slug=slug,
        date=_date(page, site, data, url, name_date, notes),
        body=page.meta.body,
        where=where(page),
        authors=as_authors(authors),
        tags=as_strings(taxonomies.get("tags"), sep=","),
        sections=with_community_names(categories or (section,), community_map),
        summary=str(data.get("description") or "").strip() or None,
        image=str(image) if isinstance(image, str) else None,
        draft=as_bool(data.get("draft", False)),
        attachments=bundle_files(page.path.parent) if bundle else (),
        old_urls=tuple(dict.fromkeys(old_urls)),
        notes=(*notes, *unknown_fields(page, _KNOWN, _IGNORED)),
    )


def _date(
    page: Page,
    site: _Site,
    data: Mapping[str, Any],
    url: str,
    name_date: Any,
    notes: list[Note],
) -> datetime | None:
    if data.get("date") not in (None, ""):
        value = parse_date(data["date"], site.tz)
        if value is not None:
            return value
        line = page.meta.line("date")
        notes.append(Note(where(page, line), f"date {data['date']!r}", "not understood"))
    found = name_date or date_from_path(url)
    return parse_date(found, site.tz) if found else None


def _rewrite(
    page: Page, post: ImportedPost, urls: Mapping[str, str], known: frozenset[str]
) -> ImportedPost:
    rewrite = BodyRewrite(page, page.meta.body)

    def internal(match: re.Match[str], line: int) -> str:
        target = match.group(1)
        anchor = match.group(2) or ""
        if target in urls:
            return f"{urls[target]}{anchor}"
        rewrite.note(line, f"link @/{target}", "target not found, left as is")
        return match.group(0)

    def shortcode(match: re.Match[str], line: int) -> str:
        name = match.group(1) or match.group(3)
        attrs = attributes(match.group(2) or match.group(4) or "")
        src = attrs.get("path") or attrs.get("src") or attrs.get("url")
        if src and any(word in name for word in ("image", "img", "figure", "picture")):
            alt = attrs.get("alt", "")
            caption = attrs.get("caption", "")
            if caption:
                return figure_html(src, alt, caption)
            return f"![{alt}]({src})"
        rewrite.note(line, f"shortcode {name}", "left as text")
        return match.group(0)

    rewrite.sub(_INTERNAL, internal)
    rewrite.sub(_SHORTCODE, shortcode)
    rewrite_relative_links(rewrite, post.old_urls[0], urls, known)
    return finish(post, rewrite)
