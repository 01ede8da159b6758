"""Kernel, page bundles: the files beside a post, its images made ready, its URLs made absolute.

A post ``posts/<year>/<slug>/index.md`` carries the files of its folder, published
next to its page. ``prepare_body`` checks every local reference of a body (a missing
file is a ``file:line`` problem at the Markdown line that names it) and gives every
local image its size, lazy loading and, when too wide, a resized copy in ``srcset``.
``absolute_urls`` is for HTML read away from the page (Atom entries, emails).
"""

from __future__ import annotations

import hashlib
import html
import os
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from generator.errors import Problem
from generator.images import IMAGE_SUFFIXES, RASTER, THUMB_WIDTH, Size, copy_name, measure, scaled

INDEX = "index.md"
MEDIA = "media"
_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_TAG = re.compile(r"<(img|a|source)\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_NAME = re.compile(r"[^\s/>]+")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
_URL_ATTRS = ("src", "href", "srcset")
_PAGES = frozenset({"", ".html", ".htm"})


def bundle_files(folder: Path) -> tuple[str, ...]:
    """Every file of a bundle folder but its ``index.md``, as sorted relative POSIX paths."""
    cut = len(str(folder)) + 1
    found = []
    for top, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in names:
            if name.startswith("."):
                continue
            rel = os.path.join(top, name)[cut:].replace(os.sep, "/")
            if rel != INDEX:
                found.append(rel)
    return tuple(sorted(found))


def bundle_digest(folder: Path, files: tuple[str, ...]) -> bytes:
    """What a bundle's files are (names and bytes), part of its post's cache key."""
    digest = hashlib.sha256()
    for rel in files:
        digest.update(rel.encode() + b"\0")
        try:
            digest.update(hashlib.sha256((folder / rel).read_bytes()).digest())
        except OSError:
            digest.update(b"unreadable")
    return digest.digest()


@dataclass(frozen=True, slots=True)
class Where:
    """How a post's local references are found: its folder (if a bundle), the site's media."""

    source: Path
    bundle: Path | None
    media: Path
    body: str  # the Markdown body, to give each problem its line
    first_line: int
    max_width: int


@dataclass(slots=True)
class Prepared:
    """A body with its images ready, the problems found, the copies to publish, its first image."""

    html: str
    problems: list[Problem] = field(default_factory=list)
    resized: list[tuple[str, int]] = field(default_factory=list)
    first_image: str | None = None


def local_target(url: str, where: Where) -> tuple[Path | None, str] | None:
    """The file a local URL names (None if it can be nowhere) and its bundle name, else None.

    Remote URLs, anchors and site pages (``/posts/…``) are not files of this post.
    """
    if not url or url.startswith(("#", "//")) or _SCHEME.match(url):
        return None
    path = unquote(urlsplit(url).path)
    if not path:
        return None
    if path.startswith(f"/{MEDIA}/"):
        return where.media / path[len(MEDIA) + 2 :], ""
    if path.startswith("/"):
        return None
    rel = posixpath.normpath(path)
    if rel.startswith("../") or rel == "..":
        return None  # another page's folder: links across posts are pages, not files
    if where.bundle is None:
        return None, rel
    return where.bundle / rel, rel


def line_of(url: str, where: Where) -> int:
    """The Markdown line that names ``url`` (the body's first line when none does)."""
    for needle in (html.unescape(url), unquote(html.unescape(url))):
        at = where.body.find(needle)
        if at >= 0:
            return where.first_line + where.body.count("\n", 0, at)
    return where.first_line


def prepare_body(body_html: str, where: Where) -> Prepared:
    """Check the body's local references and make its local images ready (see module doc)."""
    out = Prepared(body_html)
    for match in _TAG.finditer(body_html):
        tag, attrs = match.group(1).lower(), _attrs(match.group(0))
        for name in ("src", "href"):
            url = attrs.get(name)
            if url is None:
                continue
            if tag == "a" and posixpath.splitext(urlsplit(url).path)[1].lower() in _PAGES:
                continue  # a page, checked (if ever) as a page
            found = local_target(url, where)
            if found is not None and (found[0] is None or not found[0].is_file()):
                message = f"no such file: '{url}'"
                if found[0] is None:
                    message += " (only a bundle, <slug>/index.md, has files beside it)"
                out.problems.append(Problem(where.source, line_of(url, where), message))
    seen = 0

    def image(match: re.Match[str]) -> str:
        nonlocal seen
        attrs = _attrs(match.group(0))
        url = attrs.get("src", "")
        found = local_target(url, where)
        path = found[0] if found is not None else None
        if found is None or path is None or not path.is_file():
            return match.group(0)
        seen += 1
        if out.first_image is None:
            out.first_image = url
        rel = found[1]
        size = measure(path) if path.suffix.lower() in IMAGE_SUFFIXES else None
        return _ready(match.group(0), attrs, url, rel, size, seen == 1, where.max_width, out)

    out.html = _IMG.sub(image, body_html)
    return out


def card_image(
    value: str | None, where: Where, line: int | None, page: str
) -> tuple[str | None, list[Problem]]:
    """The ``image:`` of a post as a URL for its card, or the problem of a missing file."""
    if value is None or not value.strip():
        return None, []
    value = value.strip()
    found = local_target(value, where)
    if found is not None and (found[0] is None or not found[0].is_file()):
        return None, [Problem(where.source, line, f"no such file: '{value}'", "image")]
    return site_url(value, page), []


def thumbnail(
    image: str | None, written: str | None, where: Where, resized: list[tuple[str, int]]
) -> str | None:
    """The card's picture: a ``THUMB_WIDTH`` copy of a wide raster image of the bundle."""
    found = local_target(written, where) if image is not None and written else None
    if found is None or found[0] is None or not found[1]:
        return image
    size = measure(found[0]) if found[0].suffix.lower() in RASTER else None
    if image is None or size is None or size.animated or size.width <= THUMB_WIDTH:
        return image
    resized.append((found[1], THUMB_WIDTH))
    folder, name = posixpath.split(image)
    return posixpath.join(folder, copy_name(name, THUMB_WIDTH))


def site_url(url: str, page: str) -> str:
    """A URL of a post's body as seen from anywhere on the site (``page`` is the post's path)."""
    if url.startswith("/") or "://" in url or url.startswith("data:"):
        return url
    return posixpath.normpath(posixpath.join(page, url))


def _ready(
    tag: str,
    attrs: dict[str, str],
    url: str,
    rel: str,
    size: Size | None,
    first: bool,
    max_width: int,
    out: Prepared,
) -> str:
    """One ``<img>`` with its size, loading hints and (if too wide) resized ``srcset``."""
    add: dict[str, str] = {}
    link = None
    if size is not None and "width" not in attrs and "height" not in attrs:
        shown = size
        if size.raster and not size.animated and size.width > max_width and rel:
            shown = scaled(size, max_width)
            copy = posixpath.join(
                posixpath.dirname(url), copy_name(posixpath.basename(url), max_width)
            )
            out.resized.append((rel, max_width))
            add["src"] = copy
            add["srcset"] = f"{copy} {max_width}w, {url} {size.width}w"
            add["sizes"] = f"(max-width: {max_width}px) 100vw, {max_width}px"
            link = url
        add["width"], add["height"] = str(shown.width), str(shown.height)
    if not first:
        add.setdefault("loading", "lazy")
        add.setdefault("decoding", "async")
    merged = dict(attrs)
    for key, value in add.items():
        if key == "src" or key not in merged:
            merged[key] = value
    text = "<img" + "".join(f' {k}="{html.escape(v)}"' for k, v in merged.items()) + ">"
    if link is not None:
        text = f'<a class="full-size" href="{html.escape(link)}">{text}</a>'
    return text


def _attrs(tag: str) -> dict[str, str]:
    """The attributes of one start tag, values unescaped, in order."""
    inner = tag[1:-1].rstrip("/")
    head = _NAME.match(inner)
    found: dict[str, str] = {}
    for match in _ATTR.finditer(inner, head.end() if head else 0):
        name = match.group(1).lower()
        value = next((g for g in match.group(2, 3, 4) if g is not None), "")
        found.setdefault(name, html.unescape(value))
    return found


_URL_IN_TAG = re.compile(r"""\b(src|href|srcset)\s*=\s*("([^"]*)"|'([^']*)')""", re.IGNORECASE)


def absolute_urls(body_html: str, base_url: str, page_path: str) -> str:
    """``body_html`` with relative ``src``/``href``/``srcset`` absolute: ``/x`` from ``base_url``,
    ``x`` from the page's own URL (``base_url`` + ``page_path``)."""
    page = urljoin(base_url, page_path.lstrip("/"))

    def one(url: str) -> str:
        if not url or url.startswith("#") or url.startswith("//") or _SCHEME.match(url):
            return url
        if url.startswith("/"):
            return urljoin(base_url, url.lstrip("/"))
        return urljoin(page, url)

    def attr(match: re.Match[str]) -> str:
        name, value = match.group(1), html.unescape(match.group(3) or match.group(4) or "")
        if name.lower() == "srcset":
            parts = [p.strip().split(None, 1) for p in value.split(",") if p.strip()]
            new = ", ".join(" ".join([one(p[0]), *p[1:]]) for p in parts)
        else:
            new = one(value)
        return f'{name}="{html.escape(new)}"'

    return _URL_IN_TAG.sub(attr, body_html)
