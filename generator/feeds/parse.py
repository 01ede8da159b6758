"""Feed bytes → ``FeedItem`` records: pure, no I/O (the network lives in ``ingest.py``).

RSS 0.9x/1.0/2.0 and Atom go through feedparser (its results are converted right
here, never passed on); JSON Feed 1.0/1.1 through ``jsonfeed.py``. Both end in one
normaliser that applies the rules feedparser leaves to us: http(s)-only links,
strict dates, plain-text titles, sanitised HTML, control characters removed.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser

from generator.config import FeedConfig
from generator.errors import FeedError
from generator.feeds.dates import parse_date
from generator.feeds.encoding import decode_undeclared
from generator.feeds.jsonfeed import read_json_feed
from generator.feeds.raw import RawEntry, RawFeed
from generator.model import FeedItem
from generator.sanitize import safe_url, sanitize_html
from generator.text import (
    excerpt,
    excerpt_html,
    item_slug,
    plain_text,
    strip_controls,
    truncate_chars,
)

PARSER_VERSION = 5  # bump when parsing rules change: cached feeds are then read anew
MAX_ENTRIES = 1000
TITLE_CHARS = 200
FALLBACK_TITLE_WORDS = 12
SUMMARY_WORDS = 60
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + b"\x0b\x0c" + bytes(range(0x0E, 0x20))
_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>]|head[\s>])", re.I | re.S
)
_FEED_ROOT = re.compile(rb"<(?:[\w-]+:)?(?:rss|feed|rdf|channel)[\s>/]", re.I)
FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/rdf+xml"}
)
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """The normalised result of one feed document."""

    format: str
    title: str
    home_url: str | None
    items: tuple[FeedItem, ...]
    warnings: tuple[str, ...] = field(default=())


def parse_feed(
    data: bytes,
    feed: FeedConfig,
    fetched_at: datetime,
    *,
    url: str | None = None,
    content_type: str | None = None,
) -> ParsedFeed:
    """Read RSS, Atom or JSON Feed bytes into normalised items; raise FeedError if unusable.

    ``url`` is where the document was fetched (the base for relative links; None for a
    local file, whose links resolve against the feed's home page).
    """
    kind = sniff(data, content_type)
    if kind == "empty":
        raise FeedError(feed.id, "empty document: no feed in the response")
    if kind == "html":
        raise FeedError(feed.id, html_page_message(data, url))
    if kind == "text":
        start = data[:40].decode("utf-8", "replace").split("\n")[0].strip()
        raise FeedError(feed.id, f"not a feed: neither XML nor JSON (starts with {start!r})")
    if kind == "json":
        raw = read_json_feed(data, feed.id)
    else:
        raw = read_xml_feed(data, feed.id, content_type, url)
    return normalise_feed(raw, feed, fetched_at, url)


def sniff(data: bytes, content_type: str | None = None) -> str:
    """What the bytes look like: ``empty``, ``json``, ``html``, ``xml`` or ``text``."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        return "empty"
    mime = (content_type or "").split(";")[0].strip().lower()
    if head.startswith((b"{", b"[")) or (mime.endswith("json") and not head.startswith(b"<")):
        return "json"
    if _HTML_START.match(head):
        return "html"
    if not head.startswith(b"<") and not head.startswith((b"\xfe\xff", b"\xff\xfe", b"\x00")):
        return "text"
    if mime in HTML_TYPES and not _FEED_ROOT.search(head):
        return "html"
    return "xml"


def read_xml_feed(
    data: bytes, feed_id: str, content_type: str | None = None, url: str | None = None
) -> RawFeed:
    """Parse RSS or Atom with feedparser and convert its result at once."""
    if not data.startswith((b"\xfe\xff", b"\xff\xfe", b"\x00", b"<\x00")):
        data = data.translate(None, _CONTROL_BYTES)  # ASCII-compatible: not XML, and fatal
    decoded = decode_undeclared(data, content_type)
    data = decoded.data
    headers = {"content-type": "application/xml"}
    if content_type:
        mime = content_type.split(";")[0].strip().lower()
        # text/xml without charset means us-ascii by RFC 3023, which no server means.
        if "charset" in content_type.lower() or mime not in {"text/xml", "text/plain"}:
            headers["content-type"] = content_type
    parsed = feedparser.parse(
        io.BytesIO(data),  # a stream, so feedparser never reads the bytes as a file name
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    warnings = [decoded.warning] if decoded.warning else []
    version = parsed.get("version") or ""
    entries = parsed.get("entries") or []
    if not version and not entries and re.search(rb"<(?:html|body)[\s>]", data[:65536], re.I):
        raise FeedError(feed_id, html_page_message(data, url))
    if parsed.get("bozo"):
        exc = parsed.get("bozo_exception")
        problem = _bozo_message(exc)
        kind = type(exc).__name__
        if kind == "CharacterEncodingOverride":
            warnings.append(problem)
        elif kind == "NonXMLContentType":
            pass  # a feed served as text/html or text/plain: common, harmless
        elif not entries:
            raise FeedError(feed_id, f"malformed XML: {problem}")
        else:
            warnings.append(f"malformed XML ({problem}); read leniently")
    if not version:
        if not entries:
            raise FeedError(feed_id, "not an RSS, Atom or JSON feed")
        version = "unknown"
    meta = parsed.get("feed", {})
    title = text_of(meta.get("title", ""), _is_html(meta.get("title_detail")))
    home = meta.get("link")
    return RawFeed(
        format=version,
        title=title,
        home_url=home if isinstance(home, str) else None,
        entries=tuple(_raw_entry(e) for e in entries[:MAX_ENTRIES]),
        warnings=tuple(warnings),
    )


def _bozo_message(exc: object) -> str:
    text = strip_controls(str(exc)).strip() or type(exc).__name__
    if text.startswith("<unknown>:"):  # "<unknown>:3:7: msg" from expat
        parts = text.split(":", 3)
        if len(parts) == 4:
            text = f"{parts[3].strip()} at line {parts[1]}, column {parts[2]}"
    line = getattr(exc, "getLineNumber", None)
    if callable(line) and "line" not in text:
        text += f" at line {line()}"
    return text


def _is_html(detail: Any) -> bool:
    kind = (detail or {}).get("type", "text/html") if isinstance(detail, dict) else "text/html"
    return "html" in str(kind)


def _raw_entry(entry: Any) -> RawEntry:
    links = [
        link.get("href", "")
        for link in entry.get("links", [])
        if link.get("rel", "alternate") == "alternate" and link.get("href")
    ]
    link = entry.get("link")
    guid_link = None
    if entry.get("guidislink") and link and link == entry.get("id"):
        guid_link, link = link, None  # copied from the id: a link only if already absolute
    if link:
        links.append(link)
    contents = entry.get("content") or []
    content = next((c for c in contents if "html" in c.get("type", "")), None)
    content = content or (contents[0] if contents else None)
    summary_detail = entry.get("summary_detail") or {}
    summary = entry.get("summary", "")
    if content is not None and summary == content.get("value"):
        summary = ""  # feedparser copies Atom content into summary
    return RawEntry(
        id=entry.get("id"),
        links=tuple(links),
        permalink_guid=guid_link,
        title=entry.get("title", ""),
        title_is_html=_is_html(entry.get("title_detail")),
        summary=summary,
        summary_is_html=_is_html(summary_detail),
        content=content.get("value", "") if content else "",
        content_is_html=_is_html(content) if content else True,
        base=(content or summary_detail or {}).get("base") or None,
        published=(entry.get("published"), entry.get("published_parsed")),
        updated=(entry.get("updated"), entry.get("updated_parsed")),
        author=_author(entry),
        thumbnails=tuple(_thumbnails(entry)),
        tags=tuple(t.get("label") or t.get("term") or "" for t in entry.get("tags", [])),
    )


def _author(entry: Any) -> str | None:
    detail = entry.get("author_detail") or {}
    name = detail.get("name") or entry.get("author")
    if not name or ("@" in name and " " not in name.strip()):
        return None  # an address alone: never republish it
    return str(name)


def _thumbnails(entry: Any) -> Iterable[str]:
    for thumb in entry.get("media_thumbnail", []):
        yield thumb.get("url", "")
    for media in entry.get("media_content", []):
        if media.get("medium") == "image" or str(media.get("type", "")).startswith("image/"):
            yield media.get("url", "")
    for link in entry.get("links", []):
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            yield link.get("href", "")


def html_page_message(data: bytes, url: str | None) -> str:
    """Say that an HTML page came instead of a feed, naming the feeds it advertises."""
    finder = _FeedLinkFinder()
    finder.feed(data[:262_144].decode("utf-8", errors="replace"))
    found = []
    for href in finder.hrefs:
        absolute = safe_url(href, url) if url else (safe_url(href) or href)
        if absolute and absolute not in found:
            found.append(absolute)
    if found:
        return f"an HTML page, not a feed; it advertises: {', '.join(found[:5])}"
    return "an HTML page, not a feed (it advertises no feed)"


class _FeedLinkFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {k: (v or "") for k, v in attrs}
        rels = values.get("rel", "").lower().split()
        feed_type = values.get("type", "").lower() in FEED_TYPES
        if "alternate" in rels and feed_type and values.get("href"):
            self.hrefs.append(values["href"].strip())


def normalise_feed(
    raw: RawFeed, feed: FeedConfig, fetched_at: datetime, url: str | None
) -> ParsedFeed:
    """Apply the ingestion rules to every entry; the first of two same-id entries wins."""
    home = safe_url(raw.home_url, url) if raw.home_url else None
    base = url or home
    items: dict[str, FeedItem] = {}
    for entry in raw.entries:
        item = normalise_entry(entry, feed, fetched_at, base, raw.title, home)
        items.setdefault(item.id, item)
    return ParsedFeed(raw.format, raw.title, home, tuple(items.values()), raw.warnings)


def normalise_entry(
    entry: RawEntry,
    feed: FeedConfig,
    fetched_at: datetime,
    base: str | None,
    source_title: str = "",
    source_url: str | None = None,
) -> FeedItem:
    """One entry → one FeedItem, every string made safe and every date checked."""
    entry_base = urljoin(base, entry.base) if base and entry.base else (entry.base or base)
    link = next((u for u in (safe_url(x, entry_base) for x in entry.links) if u), None)
    if link is None and entry.permalink_guid:
        link = safe_url(entry.permalink_guid)
    link = canonical_link(link) if link else None
    content_html = _html_of(entry.content, entry.content_is_html, entry_base)
    summary_html = _html_of(entry.summary, entry.summary_is_html, entry_base)
    if not summary_html and content_html:
        summary_html = excerpt_html(content_html, SUMMARY_WORDS)
    title = clean_title(entry.title, entry.title_is_html, summary_html or content_html, link)
    published = parse_date(entry.published, fetched_at)
    updated = parse_date(entry.updated, fetched_at)
    if published is None:
        published, updated = (updated, None) if updated is not None else (fetched_at, updated)
    if updated is not None and updated <= published:
        updated = None
    raw_id = strip_controls(entry.id or "").strip()[:2000]
    # An item with no id and no link is only known by its text: the feed is part of that
    # identity, or two feeds' bare "Untitled" items would become one.
    fallback = "\n".join((feed.id, title, content_html or summary_html))
    item_id = raw_id or link or "sha256:" + _digest(fallback)
    thumbnail = next((u for u in (safe_url(t, entry_base) for t in entry.thumbnails) if u), None)
    return FeedItem(
        id=item_id,
        feed_id=feed.id,
        title=title,
        published=published,
        link=link,
        summary_html=summary_html,
        content_html=content_html,
        author=(plain_text(entry.author)[:200] or None) if entry.author else None,
        thumbnail=thumbnail,
        tags=clean_tags(entry.tags),
        source_title=source_title,
        source_url=source_url,
        first_seen=fetched_at,
        updated=updated,
        slug=item_slug(title, feed.id, item_id),
    )


def _html_of(value: str, is_html: bool, base: str | None) -> str:
    if not value or not value.strip():
        return ""
    if is_html:
        return sanitize_html(value, base)
    # Plain text follows the titles' rule: entities decoded exactly once (``&nbsp;`` in
    # CDATA is meant as a space), then everything escaped.
    text = html.unescape(value) if _ENTITY.search(value) else value
    return sanitize_html(text_to_html(text), base)


def text_to_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs: text declared plain is never trusted as markup."""
    paragraphs = re.split(r"\n\s*\n", strip_controls(text).strip())
    return "".join(
        "<p>" + "<br>".join(html.escape(line.strip()) for line in p.splitlines()) + "</p>"
        for p in paragraphs
        if p.strip()
    )


def clean_title(value: str, is_html: bool, body_html: str, link: str | None) -> str:
    """Plain text, never empty (summary, then link), cut at a word boundary."""
    text = text_of(value, is_html)
    if not text:
        text = excerpt(body_html, FALLBACK_TITLE_WORDS)
    if not text and link:
        parts = urlsplit(link)
        text = (parts.hostname or "") + parts.path.rstrip("/")
    return truncate_chars(text or "Untitled", TITLE_CHARS)


def text_of(value: str, is_html: bool) -> str:
    """Plain text of a title-like value: markup dropped, entities decoded exactly once."""
    return plain_text(value) if is_html else _unescape_once(value)


def _unescape_once(value: str) -> str:
    text = " ".join(strip_controls(value).split())
    return html.unescape(text) if _ENTITY.search(text) else text


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Plain-text tags, trimmed, de-duplicated ignoring case, at most 12."""
    seen: dict[str, str] = {}
    for tag in tags:
        text = truncate_chars(_unescape_once(tag or ""), 50)
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return tuple(seen.values())[:12]


def canonical_link(url: str) -> str:
    """The form of a link used for storage, dedup and curation: host lowercased, no utm_*."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port and (parts.scheme, parts.port) not in {("http", 80), ("https", 443)}:
        host = f"{host}:{parts.port}"
    if parts.username or parts.password:
        userinfo = parts.netloc.rsplit("@", 1)[0]
        host = f"{userinfo}@{host}"
    query = parts.query
    if "utm_" in query:
        pairs = parse_qsl(query, keep_blank_values=True)
        query = urlencode([(k, v) for k, v in pairs if not k.lower().startswith("utm_")])
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", query, parts.fragment))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
