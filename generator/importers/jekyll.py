"""Read a Jekyll site (its root, or its ``_posts`` folder) into ``ImportedPost`` records.

``_posts/YYYY-MM-DD-slug.md`` names give dates and slugs, ``_drafts/`` drafts;
``{% post_url %}`` and ``{% link %}`` become the target's old path; ``highlight``
becomes fenced code and ``raw`` is unwrapped; other Liquid is kept and noted.
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
from generator.importers.records import Author, BodyFormat, ImportedPost, ImportedSource, Note
from generator.importers.staticfiles import StaticRoots, attach_static
from generator.importers.staticsite import MARKDOWN, BodyRewrite, Page

KIND = "jekyll"
_SUFFIXES = MARKDOWN | {".html"}
_SKIP = frozenset({"_site", "vendor", "node_modules", ".jekyll-cache"})
_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
_KNOWN = frozenset(
    {
        "title", "date", "published", "slug", "permalink", "tags", "tag", "categories",
        "category", "author", "authors", "excerpt", "description", "image",
    }
)  # fmt: skip
_IGNORED = frozenset(
    {"layout", "comments", "share", "toc", "last_modified_at", "redirect_from", "sitemap"}
)
_TOKEN = re.compile(
    r":(year|month|i_month|day|i_day|short_year|y_day|hour|minute|second"
    r"|title|slug|categories|output_ext)"
)
_SITE_PREFIX = re.compile(r"\{\{-?\s*site\.(?:url|baseurl)\s*-?\}\}")
_FILTER = re.compile(r"\{\{-?\s*[\"']([^\"']*)[\"']\s*\|\s*(?:relative_url|absolute_url)\s*-?\}\}")
_POST_URL = re.compile(r"\{%-?\s*post_url\s+([^\s%]+)\s*-?%\}")
_LINK = re.compile(r"\{%-?\s*link\s+([^\s%]+)\s*-?%\}")
_HIGHLIGHT = re.compile(r"\{%-?\s*highlight\s+([\w+#.-]+)[^%]*%\}")
_END_HIGHLIGHT = re.compile(r"\{%-?\s*endhighlight\s*-?%\}")
_RAW = re.compile(r"\{%-?\s*(?:end)?raw\s*-?%\}")
_TAG = re.compile(r"\{%-?\s*(\w+)[^%]*%\}")
_OUTPUT = re.compile(r"\{\{-?\s*([^}]+?)\s*-?\}\}")


@dataclass(frozen=True, slots=True)
class _Site(staticsite.Site):  # the content folder is the root
    permalink: str
    people: Mapping[str, Any]
    statics: StaticRoots  # the site folder itself, ``_`` folders aside


def read(source: Path, options: ReadOptions = staticsite.DEFAULTS) -> ImportedSource:
    """Every post and draft of a Jekyll site; ``options.timezone`` when the site sets none."""
    site, notes = _locate(source, options.timezone)
    files = [
        path
        for path in site.root.rglob("*")
        if path.is_file()
        and path.suffix.lower() in _SUFFIXES
        and any(part in {"_posts", "_drafts"} for part in path.relative_to(site.root).parts)
        and not any(
            part in _SKIP or part.startswith(".") for part in path.relative_to(site.root).parts
        )
    ]
    pages, failed = staticsite.load_pages(site.root, site.root, files)
    notes.extend(failed)
    drafts = [_post(page, site, options.community_map) for page in pages]
    pairs = [
        (page, post.old_urls[0]) for page, post in zip(pages, drafts, strict=True) if post.old_urls
    ]
    by_file = {page.rel: url for page, url in pairs}
    by_name = {page.path.stem: url for page, url in pairs}
    known = frozenset(by_file.values())
    done = tuple(
        _rewrite(page, post, site, by_file, by_name, known)
        for page, post in zip(pages, drafts, strict=True)
    )
    return ImportedSource(KIND, done, site.base_url, tuple(notes))


def _locate(source: Path, fallback: tzinfo | None) -> tuple[_Site, list[Note]]:
    notes: list[Note] = []
    root = source
    if not (source / "_config.yml").is_file() and (source.parent / "_config.yml").is_file():
        root = source.parent
    config: dict[str, Any] = {}
    if (root / "_config.yml").is_file():
        config, problem = staticsite.load_config(root / "_config.yml", "_config.yml")
        notes.extend([problem] if problem else [])
    tz, tz_note = staticsite.source_timezone(config.get("timezone"), fallback)
    notes.extend([tz_note] if tz_note else [])
    url = str(config.get("url") or "").rstrip("/")
    base = str(config.get("baseurl") or "").strip("/")
    base_url = f"{url}/{base}/" if url and base else (f"{url}/" if url else None)
    permalink = str(config.get("permalink") or "date")
    people: Mapping[str, Any] = {}
    for name in ("authors.yml", "authors.yaml"):
        if (root / "_data" / name).is_file():
            data, problem = staticsite.load_config(root / "_data" / name, f"_data/{name}")
            people = data
            notes.extend([problem] if problem else [])
    statics = StaticRoots((root,), "the site folder", f"/{base}/", hidden=True)
    style = _STYLES.get(permalink, permalink)
    return _Site(root, root, base_url, tz, style, people, statics), notes


def _post(page: Page, site: _Site, community_map: Mapping[str, str] | None) -> ImportedPost:
    data = page.meta.data
    notes: list[Note] = []
    parts = page.rel.split("/")
    folder_kind = "_drafts" if "_drafts" in parts else "_posts"
    above = parts[: parts.index(folder_kind)]
    below = parts[parts.index(folder_kind) + 1 : -1]
    bundle = bool(below) and _single_post(page.path.parent)
    name = page.path.parent.name if bundle and page.path.stem == "index" else page.path.stem
    name_date, name_rest = staticsite.date_from_name(name)
    slug = staticsite.page_slug(str(data.get("slug") or "").strip() or name_rest)
    date = staticsite.page_date(page, site.tz, notes, name_date)
    categories = (
        *above,
        *staticsite.as_strings(data.get("categories"), sep=None),
        *staticsite.as_strings(data.get("category"), sep=""),
    )
    categories = tuple(dict.fromkeys(categories))
    title = staticsite.page_title(page, name_rest, notes)
    url = _url(str(data.get("permalink") or site.permalink), date, slug, categories, page)
    image = data.get("image")
    if isinstance(image, Mapping):
        image = image.get("path")
    draft = folder_kind == "_drafts" or not staticsite.as_bool(data.get("published", True))
    return replace(
        staticsite.new_post(KIND, page, title, slug, date),
        body_format=BodyFormat.HTML if page.path.suffix == ".html" else BodyFormat.MARKDOWN,
        authors=_authors(data.get("authors") or data.get("author"), site),
        tags=staticsite.as_strings(data.get("tags"), sep=None)
        + staticsite.as_strings(data.get("tag"), sep=""),
        sections=staticsite.with_community_names(categories, community_map),
        summary=str(data.get("excerpt") or data.get("description") or "").strip() or None,
        image=str(image) if isinstance(image, str) else None,
        draft=draft,
        attachments=staticsite.bundle_files(page.path.parent, _SUFFIXES) if bundle else (),
        old_urls=() if folder_kind == "_drafts" or ":" in url else (url,),
        notes=(*notes, *staticsite.unknown_fields(page, _KNOWN, _IGNORED)),
    )


def _single_post(folder: Path) -> bool:
    """A folder inside ``_posts`` holding one post and its files (jekyll-postfiles)."""
    return sum(1 for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES) == 1


def _authors(value: Any, site: _Site) -> tuple[Author, ...]:
    found = []
    for author in staticsite.as_authors(value):
        person = site.people.get(author.name)
        if isinstance(person, Mapping):  # a key of _data/authors.yml
            name = str(person.get("name") or author.name)
            email = person.get("email")
            found.append(Author(name=name, id=author.name, email=str(email) if email else None))
        else:
            found.append(author)
    return tuple(found)


def _url(
    pattern: str, date: datetime | None, slug: str, categories: tuple[str, ...], page: Page
) -> str:
    pattern = _STYLES.get(pattern, pattern)
    ext = ".html"

    def token(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in {"title", "slug"}:
            return slug
        if key == "categories":
            return "/".join(staticsite.page_slug(c) for c in categories)
        if key == "output_ext":
            return ext
        if date is None:
            return match.group(0)
        values = {
            "year": f"{date.year:04d}",
            "short_year": f"{date.year % 100:02d}",
            "month": f"{date.month:02d}",
            "i_month": str(date.month),
            "day": f"{date.day:02d}",
            "i_day": str(date.day),
            "y_day": f"{date.timetuple().tm_yday:03d}",
            "hour": f"{date.hour:02d}",
            "minute": f"{date.minute:02d}",
            "second": f"{date.second:02d}",
        }
        return values[key]

    path = re.sub(r"/{2,}", "/", _TOKEN.sub(token, pattern))
    return staticsite.url_path(path)


def _rewrite(
    page: Page,
    post: ImportedPost,
    site: _Site,
    by_file: Mapping[str, str],
    by_name: Mapping[str, str],
    known: frozenset[str],
) -> ImportedPost:
    rewrite = BodyRewrite(page, page.meta.body)

    def post_url(match: re.Match[str], line: int) -> str:
        name = match.group(1).rsplit("/", 1)[-1]
        if name in by_name:
            return by_name[name]
        rewrite.note(line, f"post_url {match.group(1)}", "post not found, left as is")
        return match.group(0)

    def link(match: re.Match[str], line: int) -> str:
        target = match.group(1)
        key = staticsite.resolve_file("/" + target.lstrip("/"), page.rel, by_file)
        if key is not None:
            return by_file[key]
        if (site.root / target).is_file():  # a page of the site, not a post
            return "/" + str(Path(target).with_suffix(".html").as_posix()).lstrip("/")
        rewrite.note(line, f"link {target}", "file not found, left as is")
        return match.group(0)

    rewrite.sub(_FILTER, lambda m, _line: m.group(1))
    rewrite.sub(_SITE_PREFIX, lambda m, _line: "")
    rewrite.sub(_POST_URL, post_url)
    rewrite.sub(_LINK, link)
    rewrite.sub(_HIGHLIGHT, lambda m, _line: f"```{m.group(1)}")
    rewrite.sub(_END_HIGHLIGHT, lambda m, _line: "```")
    rewrite.body = _unwrap_raw(rewrite)
    staticsite.rewrite_relative_links(rewrite, (*post.old_urls, "/")[0], by_file, known)
    attachments, image = attach_static(rewrite, site.statics, post.attachments, post.image)
    return replace(staticsite.finish(post, rewrite), attachments=attachments, image=image)


def _unwrap_raw(rewrite: BodyRewrite) -> str:
    """Report Liquid outside ``{% raw %}`` blocks, then drop the raw markers themselves."""
    pieces = _RAW.split(rewrite.body)
    offset = 0
    for index, piece in enumerate(pieces):
        if index % 2 == 0:  # outside raw: whatever Liquid is left has no equivalent
            rewrite.notes.extend(_liquid_notes(rewrite.page, piece, offset))
        offset += piece.count("\n")
    return "".join(pieces)


def _liquid_notes(page: Page, text: str, offset: int) -> list[Note]:
    shifted = replace(page, meta=replace(page.meta, body_line=page.meta.body_line + offset))
    sub = BodyRewrite(shifted, text)

    def keep(match: re.Match[str], line: int) -> str:
        name = match.group(1).strip()
        if match.re is _TAG and name in {"post_url", "link"}:
            return match.group(0)  # already reported as a link not found
        what = "liquid tag" if match.re is _TAG else "liquid"
        sub.note(line, f"{what} {name}", "left as text")
        return match.group(0)

    sub.sub(_TAG, keep)
    sub.sub(_OUTPUT, keep)
    return sub.notes
