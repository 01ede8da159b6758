"""Read a Zola site (its root or its content folder) into ``ImportedPost`` records.

Pages with colocated assets (``blog/x/index.md``) carry attachments; ``@/…md``
links become the target's old path; image shortcodes become images; any other
shortcode is left visible and noted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import tzinfo
from pathlib import Path

from generator.importers import staticsite
from generator.importers.readers import ReadOptions
from generator.importers.records import ImportedPost, ImportedSource, Note, Where
from generator.importers.staticfiles import StaticRoots, attach_static
from generator.importers.staticsite import BodyRewrite, Page, Site

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


def read(source: Path, options: ReadOptions = staticsite.DEFAULTS) -> ImportedSource:
    """Every page of a Zola site; naive dates are in ``options.timezone`` (UTC when not given)."""
    site, notes, statics = _locate(source, options.timezone)
    pages, failed = staticsite.load_pages(
        site.content, site.root, staticsite.markup_files(site.content)
    )
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
        post = _post(page, site, options.community_map)
        urls[page.rel] = post.old_urls[0]
        if staticsite.in_section(page, notes):
            posts.append((page, post))
    known = frozenset(urls.values())
    done = tuple(_rewrite(page, post, urls, known, statics) for page, post in posts)
    return ImportedSource(KIND, done, site.base_url, tuple(notes))


def _locate(source: Path, fallback: tzinfo | None) -> tuple[Site, list[Note], StaticRoots]:
    for root in (source, source.parent):
        for name in ("zola.toml", "config.toml"):
            path = root / name
            if not path.is_file():
                continue
            config, problem = staticsite.load_config(path, name)
            content = root / "content" if root == source else source
            base = config.get("base_url")
            tz, _ = staticsite.source_timezone(None, fallback)
            site = Site(root, content, str(base) if base else None, tz)
            return site, [problem] if problem else [], _statics(root, config.get("theme"))
    tz, _ = staticsite.source_timezone(None, fallback)
    note = Note(Where(source.as_posix()), "no Zola config found", "read as a content folder")
    return Site(source.parent, source, None, tz), [note], _statics(source.parent, None)


def _statics(root: Path, theme: object) -> StaticRoots:
    """Zola publishes ``static/`` at the site root, then the theme's ``static/``."""
    folders = [root / "static"]
    if isinstance(theme, str) and theme.strip():
        folders.append(root / "themes" / theme.strip() / "static")
    return StaticRoots(tuple(folders), "static/")


def _post(page: Page, site: Site, community_map: Mapping[str, str] | None) -> ImportedPost:
    data = page.meta.data
    notes: list[Note] = []
    bundle = page.path.name == "index.md"
    name = page.path.parent.name if bundle else page.path.stem
    name_date, name_rest = staticsite.date_from_name(name)
    slug = staticsite.page_slug(str(data.get("slug") or "").strip() or name_rest)
    folder = page.rel.rsplit("/", 1)[0] if "/" in page.rel else ""
    if bundle:
        folder = folder.rsplit("/", 1)[0] if "/" in folder else ""
    section = page.rel.split("/", 1)[0] if "/" in page.rel else ""
    if data.get("path"):
        url = staticsite.url_path(str(data["path"]).strip())
        url = url if url.endswith(("/", ".html", ".xml")) else f"{url}/"
    else:
        url = f"/{folder}/{slug}/" if folder else f"/{slug}/"
    old_urls = [
        url,
        *(staticsite.url_path(alias) for alias in staticsite.as_strings(data.get("aliases"))),
    ]
    title = staticsite.page_title(page, name_rest, notes)
    taxonomies = data.get("taxonomies")
    taxonomies = taxonomies if isinstance(taxonomies, Mapping) else {}
    extra = data.get("extra")
    extra = extra if isinstance(extra, Mapping) else {}
    categories = staticsite.as_strings(taxonomies.get("categories"), sep=",")
    image = extra.get("image") or extra.get("cover") or extra.get("thumbnail")
    authors = data.get("authors") or extra.get("authors") or extra.get("author")
    authors = authors or data.get("author") or taxonomies.get("authors")
    date = staticsite.page_date(page, site.tz, notes, name_date or staticsite.date_from_path(url))
    return replace(
        staticsite.new_post(KIND, page, title, slug, date),
        authors=staticsite.as_authors(authors),
        tags=staticsite.as_strings(taxonomies.get("tags"), sep=","),
        sections=staticsite.with_community_names(categories or (section,), community_map),
        summary=str(data.get("description") or "").strip() or None,
        image=str(image) if isinstance(image, str) else None,
        draft=staticsite.as_bool(data.get("draft", False)),
        attachments=staticsite.bundle_files(page.path.parent) if bundle else (),
        old_urls=tuple(dict.fromkeys(old_urls)),
        notes=(*notes, *staticsite.unknown_fields(page, _KNOWN, _IGNORED)),
    )


def _rewrite(
    page: Page,
    post: ImportedPost,
    urls: Mapping[str, str],
    known: frozenset[str],
    statics: StaticRoots,
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
        attrs = staticsite.attributes(match.group(2) or match.group(4) or "")
        src = attrs.get("path") or attrs.get("src") or attrs.get("url")
        if src and any(word in name for word in ("image", "img", "figure", "picture")):
            alt = attrs.get("alt", "")
            caption = attrs.get("caption", "")
            if caption:
                return staticsite.figure_html(src, alt, caption)
            return f"![{alt}]({src})"
        rewrite.note(line, f"shortcode {name}", "left as text")
        return match.group(0)

    rewrite.sub(_INTERNAL, internal)
    rewrite.sub(_SHORTCODE, shortcode)
    staticsite.rewrite_relative_links(rewrite, post.old_urls[0], urls, known)
    attachments, image = attach_static(rewrite, statics, post.attachments, post.image)
    return replace(staticsite.finish(post, rewrite), attachments=attachments, image=image)
