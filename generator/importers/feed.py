"""``veille import feed``: an RSS, Atom or JSON Feed archive (file or URL) → ImportedSource.

Reuses the wall's feed readers (``feeds.parse``/``feeds.jsonfeed``) for the raw
entries, takes the full content when the feed has it, and sanitises every body,
since a feed is foreign HTML. Images stay remote URLs unless ``--download-images``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from generator.errors import FeedError, UsageError
from generator.feeds.dates import parse_date
from generator.feeds.jsonfeed import read_json_feed
from generator.feeds.parse import read_xml_feed, sniff, text_of
from generator.feeds.raw import RawEntry, RawFeed
from generator.importers.fetch import Fetcher, FetchError
from generator.importers.readers import ReadOptions
from generator.importers.records import (
    Attachment,
    Author,
    BodyFormat,
    ImportedPost,
    ImportedSource,
    Note,
    Where,
)
from generator.sanitize import safe_url, sanitize_html
from generator.text import plain_text, slugify

_IMG = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*(["'])(.*?)\1""", re.I | re.S)


def read(source: Path | str, options: ReadOptions) -> ImportedSource:
    """Read a feed from a file or an http(s) URL; raise UsageError if it is not a feed."""
    text = str(source)
    url: str | None = None
    content_type = None
    if text.startswith(("http://", "https://")):
        with Fetcher() as fetcher:
            try:
                fetched = fetcher.get(text)
            except FetchError as exc:
                raise UsageError(f"{text}: cannot fetch the feed: {exc}") from None
        data, url, content_type = fetched.data, fetched.url, fetched.content_type
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise UsageError(f"{source}: cannot read: {exc.strerror}") from None
    raw = _parse(data, text, content_type, url)
    base = raw.home_url or url
    posts = [_post(entry, raw, data, text, base) for entry in raw.entries]
    notes = [Note(Where(text), warning, "read leniently") for warning in raw.warnings]
    del options  # images are fetched by the writer, with --download-images
    home = safe_url(raw.home_url, url) if raw.home_url else None
    return ImportedSource("feed", tuple(posts), home, tuple(notes))


def _parse(data: bytes, name: str, content_type: str | None, url: str | None) -> RawFeed:
    kind = sniff(data, content_type)
    try:
        if kind == "json":
            return read_json_feed(data, name)
        if kind == "xml":
            return read_xml_feed(data, name, content_type, url)
    except FeedError as exc:
        raise UsageError(f"{name}: not a feed: {exc.message}") from None
    raise UsageError(f"{name}: not an RSS, Atom or JSON feed ({kind})")


def _line(data: bytes, needle: str | None) -> int | None:
    """The line where an entry's id or link first appears: enough to find it by eye."""
    if not needle:
        return None
    at = data.find(needle.encode("utf-8"))
    return data.count(b"\n", 0, at) + 1 if at >= 0 else None


def _post(entry: RawEntry, raw: RawFeed, data: bytes, name: str, base: str | None) -> ImportedPost:
    link = next((safe_url(u, base) for u in entry.links if safe_url(u, base)), None)
    where = Where(name, _line(data, entry.id or link))
    notes: list[Note] = []
    body_base = entry.base or link or base
    content, is_html = (entry.content, entry.content_is_html)
    if not content:
        content, is_html = entry.summary, entry.summary_is_html
        if content:
            notes.append(Note(where, "no full content in the feed", "imported its summary"))
    body = sanitize_html(content if is_html else _paragraphs(content), body_base)
    now = datetime.now(UTC)
    date = parse_date(entry.published, now) or parse_date(entry.updated, now)
    title = text_of(entry.title, entry.title_is_html).strip()
    if not title:
        title = f"Post of {date:%Y-%m-%d}" if date else "Untitled"
        notes.append(Note(where, "empty title", f"titled '{title}'"))
    summary = None
    if entry.content and entry.summary:
        summary = plain_text(entry.summary) or None
    key = entry.id or link or hashlib.sha256(f"{title}\n{date}".encode()).hexdigest()[:16]
    return ImportedPost(
        source_id=f"feed:{key}",
        title=title,
        slug=_slug(link) or slugify(title),
        date=date,
        body=body,
        where=where,
        body_format=BodyFormat.HTML,
        authors=(Author(entry.author),) if entry.author else (),
        tags=tuple(dict.fromkeys(t.strip() for t in entry.tags if t.strip())),
        summary=summary,
        image=next(
            (safe_url(t, body_base) for t in entry.thumbnails if safe_url(t, body_base)), None
        ),
        attachments=_images(body, body_base),
        old_urls=(link,) if link else (),
        notes=tuple(notes),
    )


def _paragraphs(text: str) -> str:
    import html

    return "".join(f"<p>{html.escape(p.strip())}</p>" for p in text.split("\n\n") if p.strip())


def _slug(link: str | None) -> str:
    if not link:
        return ""
    parts = [p for p in urlsplit(link).path.split("/") if p]
    if not parts:
        return ""
    last = PurePosixPath(unquote(parts[-1]))
    stem = last.stem if last.suffix in {".html", ".htm", ".php"} else last.name
    return slugify(stem) if not stem.isdigit() else ""


def _images(body: str, base: str | None) -> tuple[Attachment, ...]:
    """Every remote image of the body, as a file the writer may download."""
    files: dict[str, Attachment] = {}
    for match in _IMG.finditer(body):
        url = safe_url(match[2].replace("&amp;", "&"), base)
        if url is None or any(a.url == url for a in files.values()):
            continue
        pure = PurePosixPath(unquote(urlsplit(url).path))
        stem, suffix = slugify(pure.stem), pure.suffix.lower()[:6] or ".img"
        name, n = f"{stem}{suffix}", 1
        while name in files:
            n += 1
            name = f"{stem}-{n}{suffix}"
        files[name] = Attachment(name, None, url)
    return tuple(files.values())
