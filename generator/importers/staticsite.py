"""What the Hugo, Zola, Jekyll and Pelican readers share: files, dates, bundles, body rewriting.

Pure helpers over a source folder that is only read: find the content files and
split them, parse the many date spellings, list a bundle's files, rewrite
dialect links and shortcodes in a body while recording a ``Note`` per line.
"""

from __future__ import annotations

import html
import json
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from generator.importers.frontmatter import (
    FrontMatter,
    FrontMatterError,
    split_front_matter,
    split_rst,
)
from generator.importers.readers import ReadOptions
from generator.importers.records import Attachment, Author, ImportedPost, Note, Where
from generator.text import slugify

try:  # the C loader is much faster on large configs
    _YAML_LOADER: type[yaml.SafeLoader | yaml.CSafeLoader] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _YAML_LOADER = yaml.SafeLoader

MARKDOWN = frozenset({".md", ".markdown", ".mdown", ".mkd", ".mkdn"})
_NAME_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ]\d{2}[:-]\d{2}(?:[:-]\d{2})?)?[-_](.+)$")
_PATH_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})(?:/|$)")
_ATTR = re.compile(r"""([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s,)]+))""")
_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M%z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M %z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%d/%m/%Y",
    "%d %B %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%a, %d %b %Y %H:%M:%S %z",
)


DEFAULTS = ReadOptions()  # what ``read(source)`` means: no section map, UTC for naive dates


@dataclass(frozen=True, slots=True)
class Site:
    """Where a source's content is and what its config says that every reader needs."""

    root: Path
    content: Path
    base_url: str | None
    tz: tzinfo  # the zone of naive dates


@dataclass(frozen=True, slots=True)
class Page:
    """A content file of the source, split, before it becomes a post."""

    path: Path
    rel: str  # POSIX, relative to the content folder: the key of links between files
    where: str  # relative to the site root, as messages and source ids show it
    meta: FrontMatter


def where(page: Page, line: int | None = None) -> Where:
    """A place in ``page``; line 1 when not told."""
    return Where(page.where, line or 1)


def page_title(page: Page, name: str, notes: list[Note]) -> str:
    """The ``title`` field, or one made from the file ``name`` (and a note saying so)."""
    title = str(page.meta.data.get("title") or "").strip()
    if title:
        return title
    notes.append(Note(where(page), "no title", "made one from the file name"))
    return name.replace("-", " ").replace("_", " ").strip().capitalize()


def page_date(
    page: Page,
    tz: tzinfo,
    notes: list[Note],
    fallback: date | None,
    keys: tuple[str, ...] = ("date",),
) -> datetime | None:
    """The first readable date among the fields ``keys``, else ``fallback`` at midnight.

    Each field present but unreadable is noted; ``fallback`` is the date a file
    name or URL gives, in ``tz`` like every naive date of the source.
    """
    data = page.meta.data
    for key in keys:
        if data.get(key) not in (None, ""):
            value = parse_date(data[key], tz)
            if value is not None:
                return value
            line = page.meta.line(key)
            notes.append(Note(where(page, line), f"{key} {data[key]!r}", "not understood"))
    return parse_date(fallback, tz) if fallback else None


def in_section(page: Page, notes: list[Note]) -> bool:
    """Whether ``page`` is in a section folder; one at the content root is noted, not imported."""
    if "/" in page.rel:
        return True
    notes.append(Note(where(page), "a page, not in a section", "not imported"))
    return False


def new_post(kind: str, page: Page, title: str, slug: str, date: datetime | None) -> ImportedPost:
    """The fields every reader fills the same way; each adds its own with ``replace``."""
    return ImportedPost(
        source_id=f"{kind}:{page.where}",
        title=title,
        slug=slug,
        date=date,
        body=page.meta.body,
        where=where(page),
    )


def body_line(page: Page, body: str, offset: int) -> int:
    """The file line of character ``offset`` of ``body``."""
    return page.meta.body_line + body.count("\n", 0, offset)


def load_pages(
    content: Path,
    root: Path,
    files: Iterable[Path],
    *,
    metadata_lines: bool = False,
) -> tuple[list[Page], list[Note]]:
    """Read and split each file; one that cannot be read is a note, and the others go on."""
    pages: list[Page] = []
    notes: list[Note] = []
    for path in sorted(files):
        rel = path.relative_to(content).as_posix()
        shown = _shown(path, root)
        try:
            text = path.read_text(encoding="utf-8")
            if path.suffix == ".rst":
                meta = split_rst(text)
            else:
                meta = split_front_matter(text, metadata_lines=metadata_lines)
        except FrontMatterError as exc:
            notes.append(Note(Where(shown, exc.line or 1), exc.message, "file not imported"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            notes.append(Note(Where(shown, 1), f"cannot read: {exc}", "file not imported"))
            continue
        pages.append(Page(path, rel, shown, meta))
    return pages, notes


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def markup_files(folder: Path, suffixes: frozenset[str] = MARKDOWN) -> list[Path]:
    """Every text file under ``folder`` with a markup suffix, hidden folders skipped."""
    if not folder.is_dir():
        return []
    return [
        path
        for path in folder.rglob("*")
        if path.is_file()
        and path.suffix.lower() in suffixes
        and not any(part.startswith(".") for part in path.relative_to(folder).parts)
    ]


def bundle_files(folder: Path, suffixes: frozenset[str] = MARKDOWN) -> tuple[Attachment, ...]:
    """Every non-markup file under a bundle folder (nested folders too), named relative to it."""
    found = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() in suffixes:
            continue
        found.append(Attachment(name=rel.as_posix(), local=path))
    return tuple(found)


def source_timezone(name: object, fallback: tzinfo | None) -> tuple[tzinfo, Note | None]:
    """The zone that naive dates are in: the source's own when it names one, else ``fallback``."""
    if isinstance(name, str) and name.strip():
        try:
            return ZoneInfo(name.strip()), None
        except (ZoneInfoNotFoundError, ValueError):
            return fallback or UTC, Note(Where("config"), f"unknown timezone {name!r}", "ignored")
    return fallback or UTC, None


def parse_date(value: Any, tz: tzinfo) -> datetime | None:
    """A front-matter date in any usual spelling as an aware datetime; None when unreadable."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(0, 0))
    elif isinstance(value, str):
        found = _parse_text(value.strip())
        if found is None:
            return None
        parsed = found
    else:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _parse_text(text: str) -> datetime | None:
    if not text:
        return None
    iso = text.replace("Z", "+00:00") if text.endswith("Z") else text
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def date_from_name(name: str) -> tuple[date | None, str]:
    """``2024-03-05-foo`` → (2024-03-05, "foo"); other names → (None, name)."""
    match = _NAME_DATE.match(name)
    if not match:
        return None, name
    try:
        return date.fromisoformat(match.group(1)), match.group(2)
    except ValueError:
        return None, name


def date_from_path(path: str) -> date | None:
    """The first ``YYYY/MM/DD`` of a URL path, if any."""
    match = _PATH_DATE.search(path)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def as_strings(value: Any, *, sep: str | None = None) -> tuple[str, ...]:
    """A list or a ``sep``-separated string of names, blanks dropped, order kept, no duplicates."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = value.split(sep) if sep != "" else [value]
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        items = [value]
    out: list[str] = []
    for item in items:
        text = str(item).strip()
        if text and text not in out:
            out.append(text)
    return tuple(out)


def as_authors(value: Any, *, sep: str | None = "") -> tuple[Author, ...]:
    """Authors as a name, a list of names, or mappings with ``name``/``email``."""
    found: list[Author] = []
    items = value if isinstance(value, (list, tuple)) else [value]
    for item in items:
        if isinstance(item, Mapping):
            name = str(item.get("name") or item.get("id") or "").strip()
            email = item.get("email")
            if name:
                found.append(Author(name=name, email=str(email) if email else None))
        elif item is not None:
            found.extend(Author(name=name) for name in as_strings(item, sep=sep))
    return tuple(found)


def as_bool(value: Any) -> bool:
    """A YAML/TOML boolean, or its usual spellings as text."""
    if isinstance(value, str):
        return value.strip().lower() in {"true", "yes", "1", "on"}
    return bool(value)


def page_slug(text: str) -> str:
    """A slug as our posts use them."""
    return slugify(text)


def unknown_fields(page: Page, known: frozenset[str], ignored: frozenset[str]) -> tuple[Note, ...]:
    """One note per front-matter field that is neither converted nor knowingly dropped."""
    return tuple(
        Note(where(page, page.meta.line(key)), f"field {key!r}", "not imported")
        for key in page.meta.data
        if key not in known and key not in ignored
    )


def attributes(text: str) -> dict[str, str]:
    """``src="x.png" caption='c' width=3`` → a mapping (shortcode and Liquid arguments)."""
    out: dict[str, str] = {}
    for match in _ATTR.finditer(text):
        value = match.group(2) if match.group(2) is not None else match.group(3) or match.group(4)
        out[match.group(1)] = (value or "").replace('\\"', '"')
    return out


def figure_html(src: str, alt: str = "", caption: str = "", title: str = "") -> str:
    """A ``<figure>`` on one line, so the body keeps its line numbers."""
    attrs = f'src="{html.escape(src)}" alt="{html.escape(alt or caption)}"'
    if title:
        attrs += f' title="{html.escape(title)}"'
    image = f"<img {attrs}>"
    if not caption:
        return f"<figure>{image}</figure>"
    return f"<figure>{image}<figcaption>{html.escape(caption)}</figcaption></figure>"


@dataclass(slots=True)
class BodyRewrite:
    """A body being rewritten pass by pass, with the notes of each change it could not make."""

    page: Page
    body: str
    notes: list[Note] = field(default_factory=list)

    def sub(self, pattern: re.Pattern[str], convert: Callable[[re.Match[str], int], str]) -> None:
        """Replace each match by ``convert(match, line)``; returning the match keeps it."""

        def one(match: re.Match[str]) -> str:
            return convert(match, body_line(self.page, self.body, match.start()))

        self.body = pattern.sub(one, self.body)

    def note(self, line: int, what: str, did: str) -> None:
        """Record something left as is, at ``line`` of the file."""
        self.notes.append(Note(where(self.page, line), what, did))


def resolve_file(target: str, current: str, index: Mapping[str, str]) -> str | None:
    """A content path written in a link (absolute from the content folder, or relative) → key."""
    target = target.strip().replace("\\", "/")
    if target.startswith("/"):
        candidates = [target.lstrip("/")]
    else:
        base = current.rsplit("/", 1)[0] if "/" in current else ""
        candidates = [_normalise(f"{base}/{target}" if base else target), target]
    for candidate in candidates:
        for key in (candidate, candidate.rstrip("/"), f"{candidate.rstrip('/')}/index.md"):
            if key in index:
                return key
    return None


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part in {"", "."}:
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/".join(parts)


def with_community_names(
    sections: tuple[str, ...], community_map: Mapping[str, str] | None
) -> tuple[str, ...]:
    """Sections spelled as the map spells them when they match ignoring case and accents."""
    if not community_map:
        return sections
    by_slug = {slugify(key): key for key in community_map}
    return tuple(
        name if name in community_map else by_slug.get(slugify(name), name) for name in sections
    )


def finish(post: ImportedPost, rewrite: BodyRewrite, extra: Iterable[Note] = ()) -> ImportedPost:
    """The post with its rewritten body and every note, in line order."""
    notes = sorted((*post.notes, *extra, *rewrite.notes), key=lambda n: n.where.line or 0)
    return replace(post, body=rewrite.body, notes=tuple(notes))


def url_path(url: str) -> str:
    """A URL or path as a site-absolute path: ``https://x/a/b`` → ``/a/b``."""
    match = re.match(r"^[a-z][a-z0-9+.-]*://[^/]+(/.*)?$", url, re.IGNORECASE)
    if match:
        url = match.group(1) or "/"
    return url if url.startswith("/") else f"/{url}"


def load_config(path: Path, shown: str) -> tuple[dict[str, Any], Note | None]:
    """A TOML, YAML or JSON config file as a mapping; one that cannot be read is a note."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text)
        else:
            data = yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        return {}, Note(Where(shown, 1), f"cannot read the config: {exc}", "defaults used")
    if not isinstance(data, dict):
        return {}, Note(Where(shown, 1), "the config is not a mapping", "defaults used")
    return data, None


_LINK = re.compile(r"(\]\(\s*<?|\b(?:href)\s*=\s*[\"'])([^)\s>\"']+)")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def rewrite_relative_links(
    rewrite: BodyRewrite, page_url: str, by_file: Mapping[str, str], urls: frozenset[str]
) -> None:
    """Relative links to another post (by file or by old URL) become that post's old path.

    The writer maps old paths to new ones; a relative link to a file of the bundle
    itself matches no post and stays relative.
    """

    def convert(match: re.Match[str], line: int) -> str:
        target = match.group(2)
        if target.startswith(("/", "#", "{", "@", "|")) or _SCHEME.match(target):
            return match.group(0)
        path, hash_, anchor = target.partition("#")
        key = resolve_file(path, rewrite.page.rel, by_file)
        if key is not None:
            return f"{match.group(1)}{by_file[key]}{hash_}{anchor}"
        base = page_url if page_url.endswith("/") else page_url.rsplit("/", 1)[0] + "/"
        absolute = "/" + _normalise(base + path) + ("/" if path.endswith("/") else "")
        for candidate in (absolute, absolute.rstrip("/") + "/"):
            if candidate in urls:
                return f"{match.group(1)}{candidate}{hash_}{anchor}"
        return match.group(0)

    rewrite.sub(_LINK, convert)
