"""Read a Pelican site (its root or its content folder) into ``ImportedPost`` records.

``pelicanconf.py`` is parsed, never run: only literal top-level assignments are
read. Metadata lines (Markdown) and fields (reST) give the post; ``{filename}``
links become the target's old path; ``{static}``/``{attach}`` files are attached.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any

from generator.importers import staticsite
from generator.importers.readers import ReadOptions
from generator.importers.records import Attachment, ImportedPost, ImportedSource, Note, Where
from generator.importers.staticsite import MARKDOWN, BodyRewrite, Page, where

KIND = "pelican"
_SUFFIXES = MARKDOWN | {".rst"}
_KNOWN = frozenset(
    {
        "title", "date", "status", "slug", "url", "save_as", "tags", "category", "author",
        "authors", "summary", "image", "cover",
    }
)  # fmt: skip
_IGNORED = frozenset({"modified", "lang", "translation", "template", "keywords", "og_image"})
_FILENAME = re.compile(r"(?:\{filename\}|\|filename\|)([^\s)\"'#>]+)(#[^\s)\"'>]*)?")
_STATIC = re.compile(r"(?:\{(static|attach)\}|\|(static|attach)\|)([^\s)\"'#>]+)")
_OTHER = re.compile(r"\{(tag|category|author|index)\}([\w/.-]*[\w/])?")
_FIELD = re.compile(r"\{(\w+)(?::([^}]*))?\}")


@dataclass(frozen=True, slots=True)
class _Site(staticsite.Site):
    settings: Mapping[str, Any]  # the literal ones of pelicanconf.py and publishconf.py


def read(source: Path, options: ReadOptions = staticsite.DEFAULTS) -> ImportedSource:
    """Every article of a Pelican site (pages are not posts); naive dates in TIMEZONE."""
    site, notes = _locate(source, options.timezone)
    page_paths = tuple(str(p).strip("/") for p in site.settings.get("PAGE_PATHS", ["pages"]))
    files = [
        path
        for path in staticsite.markup_files(site.content, _SUFFIXES)
        if not any(
            path.relative_to(site.content).as_posix().startswith(f"{p}/") for p in page_paths if p
        )
    ]
    pages, failed = staticsite.load_pages(site.content, site.root, files, metadata_lines=True)
    notes.extend(failed)
    drafts = [_post(page, site, options.community_map) for page in pages]
    by_file = {
        page.rel: post.old_urls[0]
        for page, post in zip(pages, drafts, strict=True)
        if post.old_urls
    }
    known = frozenset(by_file.values())
    done = tuple(
        _rewrite(page, post, site, by_file, known) for page, post in zip(pages, drafts, strict=True)
    )
    return ImportedSource(KIND, done, site.base_url, tuple(notes))


def settings_of(text: str) -> dict[str, Any]:
    """The literal top-level assignments of a Pelican settings file, without running it."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    found: dict[str, Any] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    found[target.id] = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
                    continue  # computed values are not read
    return found


def _locate(source: Path, fallback: tzinfo | None) -> tuple[_Site, list[Note]]:
    notes: list[Note] = []
    root = source
    if not (source / "pelicanconf.py").is_file() and (source.parent / "pelicanconf.py").is_file():
        root = source.parent
    settings: dict[str, Any] = {}
    if (root / "pelicanconf.py").is_file():
        settings = settings_of((root / "pelicanconf.py").read_text(encoding="utf-8"))
    else:
        notes.append(Note(Where(source.as_posix()), "no pelicanconf.py", "defaults used"))
    if (root / "publishconf.py").is_file():  # the production SITEURL lives there
        published = settings_of((root / "publishconf.py").read_text(encoding="utf-8"))
        settings.update({k: v for k, v in published.items() if v})
    content = source if root != source else root / str(settings.get("PATH") or "content")
    tz, tz_note = staticsite.source_timezone(settings.get("TIMEZONE"), fallback)
    notes.extend([tz_note] if tz_note else [])
    base = str(settings.get("SITEURL") or "").strip()
    base_url = f"{base.rstrip('/')}/" if base else None
    return _Site(root, content, base_url, tz, settings), notes


def _bundle_folder(page: Page) -> Path | None:
    """An article alone in its own folder, with files beside it, is a bundle."""
    if "/" not in page.rel:
        return None
    folder = page.path.parent
    if len(staticsite.markup_files(folder, _SUFFIXES)) != 1:
        return None
    others = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() not in _SUFFIXES]
    return folder if others else None


def _post(page: Page, site: _Site, community_map: Mapping[str, str] | None) -> ImportedPost:
    data = page.meta.data
    notes: list[Note] = []
    bundle = _bundle_folder(page)
    name_date, name_rest = staticsite.date_from_name(page.path.stem)
    if bundle is not None and name_date is None:
        name_date, _ = staticsite.date_from_name(bundle.name)
    title = staticsite.page_title(page, name_rest, notes)
    slug = staticsite.page_slug(str(data.get("slug") or "").strip() or title)
    date = staticsite.page_date(page, site.tz, notes, name_date)
    folders = page.rel.split("/")[:-1]
    if bundle is not None:
        folders = folders[:-1]
    category = str(data.get("category") or "").strip()
    if not category and folders and site.settings.get("USE_FOLDER_AS_CATEGORY", True):
        category = folders[-1]
    status = str(data.get("status") or "published").strip().lower()
    if status == "hidden":
        notes.append(Note(where(page, page.meta.line("status")), "status hidden", "published"))
    authors = staticsite.as_authors(data.get("authors"), sep=",") or staticsite.as_authors(
        data.get("author"), sep=""
    )
    url = _url(page, site, data, slug, date, category, authors)
    if page.meta.syntax == "rst":
        notes.append(Note(where(page), "reStructuredText body", "kept as text"))
    image = data.get("image") or data.get("cover")
    return replace(
        staticsite.new_post(KIND, page, title, slug, date),
        authors=authors,
        tags=staticsite.as_strings(data.get("tags"), sep=","),
        sections=staticsite.with_community_names((category,) if category else (), community_map),
        summary=str(data.get("summary") or "").strip() or None,
        image=str(image) if isinstance(image, str) else None,
        draft=status == "draft",
        attachments=staticsite.bundle_files(bundle, _SUFFIXES) if bundle is not None else (),
        old_urls=() if "{" in url else (url,),
        notes=(*notes, *staticsite.unknown_fields(page, _KNOWN, _IGNORED)),
    )


def _url(
    page: Page,
    site: _Site,
    data: Mapping[str, Any],
    slug: str,
    date: datetime | None,
    category: str,
    authors: tuple[Any, ...],
) -> str:
    if data.get("url"):
        return staticsite.url_path(str(data["url"]))
    if data.get("save_as"):
        return staticsite.url_path(str(data["save_as"]))
    pattern = str(site.settings.get("ARTICLE_URL") or "{slug}.html")
    values: dict[str, Any] = {
        "slug": slug,
        "category": staticsite.page_slug(
            category or str(site.settings.get("DEFAULT_CATEGORY", "misc"))
        ),
        "lang": str(data.get("lang") or site.settings.get("DEFAULT_LANG", "en")),
        "author": staticsite.page_slug(authors[0].name) if authors else "",
        "date": date,
    }

    def field(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        if isinstance(value, datetime):
            return value.strftime(match.group(2) or "%Y-%m-%d")
        return str(value) if value is not None else match.group(0)

    return staticsite.url_path(_FIELD.sub(field, pattern))


def _rewrite(
    page: Page,
    post: ImportedPost,
    site: _Site,
    by_file: Mapping[str, str],
    known: frozenset[str],
) -> ImportedPost:
    rewrite = BodyRewrite(page, page.meta.body)
    attached: list[Attachment] = list(post.attachments)
    bundle = _bundle_folder(page)

    def filename(match: re.Match[str], line: int) -> str:
        key = staticsite.resolve_file(match.group(1), page.rel, by_file)
        if key is not None:
            return f"{by_file[key]}{match.group(2) or ''}"
        rewrite.note(line, f"link {match.group(0)}", "file not found, left as is")
        return match.group(0)

    def static(match: re.Match[str], line: int) -> str:
        target = match.group(3)
        base = site.content if target.startswith("/") else page.path.parent
        path = (base / target.lstrip("/")).resolve()
        if not path.is_file():
            rewrite.note(line, f"link {match.group(0)}", "file not found, left as is")
            return match.group(0)
        if bundle is not None and path.is_relative_to(bundle.resolve()):
            return path.relative_to(bundle.resolve()).as_posix()
        name = path.name
        if not any(a.local == path for a in attached):
            taken = {a.name for a in attached}
            stem, counter = path.stem, 2
            while name in taken:
                name, counter = f"{stem}-{counter}{path.suffix}", counter + 1
            attached.append(Attachment(name=name, local=path))
        else:
            name = next(a.name for a in attached if a.local == path)
        return name

    def other(match: re.Match[str], line: int) -> str:
        rewrite.note(line, f"link {{{match.group(1)}}}{match.group(2) or ''}", "left as is")
        return match.group(0)

    rewrite.sub(_FILENAME, filename)
    rewrite.sub(_STATIC, static)
    rewrite.sub(_OTHER, other)
    staticsite.rewrite_relative_links(rewrite, (*post.old_urls, "/")[0], by_file, known)
    done = staticsite.finish(post, rewrite)
    if len(attached) == len(post.attachments):
        return done
    return replace(done, attachments=tuple(attached))
