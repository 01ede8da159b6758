"""``veille import wordpress``: a WordPress export (WXR) → ImportedSource.

Posts only (pages, menus and attachments are not posts); drafts, pending, scheduled
and private posts become drafts; bodies stay HTML with shortcodes converted where
obvious; files on the old uploads URL become attachments (copied from ``--uploads``
or downloaded by the writer); comments keep their ids, dates and threading.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from generator.errors import UsageError
from generator.importers.readers import ReadOptions
from generator.importers.records import (
    Attachment,
    Author,
    BodyFormat,
    Comment,
    ImportedPost,
    ImportedSource,
    Note,
    Where,
)
from generator.importers.shortcodes import GalleryImage, convert, gallery_from
from generator.importers.xmltree import Node, XmlError, parse_xml
from generator.text import plain_text, slugify, strip_controls

_NO_DATE = "0000-00-00 00:00:00"
_DRAFTS = {"draft": "a draft", "pending": "pending review", "future": "scheduled"}
_SKIPPED_STATUSES = {"trash", "auto-draft", "inherit"}
_UPLOADS = re.compile(
    r"""(?:https?://[^\s"'<>()\[\]]+?)?/wp-content/uploads/([^\s"'<>()\[\]?#]+)"""
)


@dataclass(frozen=True, slots=True)
class _Site:
    """What the channel says about the old site."""

    base: str  # the blog's own URL, without a trailing slash
    hosts: frozenset[str]
    uploads: str  # the canonical uploads URL, ending with '/'
    authors: dict[str, Author]
    offset: timedelta  # the blog's usual UTC offset, for drafts that have no GMT date


def read(source: Path | str, options: ReadOptions) -> ImportedSource:
    """Read a WXR file; raise UsageError if it is not one."""
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{source}: cannot read: {exc.strerror}") from None
    try:
        root = parse_xml(data)
    except XmlError as exc:
        raise UsageError(f"{path}:{exc.line or 1}: not a WordPress export: {exc.message}") from None
    channel = root.find("channel")
    if root.tag != "rss" or channel is None or channel.find("wp:wxr_version") is None:
        raise UsageError(f"{path}: not a WordPress export (no <wp:wxr_version> in the channel)")
    items = list(channel.findall("item"))
    site = _site(channel, items)
    name = str(path)
    attachments = {
        item.get("wp:post_id"): item for item in items if item.get("wp:post_type") == "attachment"
    }
    gallery_images = {
        key: GalleryImage(_canonical(item.get("wp:attachment_url"), site), _title_text(item))
        for key, item in attachments.items()
    }
    posts: list[ImportedPost] = []
    notes: list[Note] = []
    skipped: Counter[str] = Counter()
    for item in items:
        kind = item.get("wp:post_type")
        if kind != "post":
            if kind != "attachment":
                skipped[kind or "untyped"] += 1
            continue
        status = item.get("wp:status")
        if status in _SKIPPED_STATUSES:
            skipped[f"{status} post"] += 1
            continue
        post = _post(item, site, name, options, gallery_images, attachments)
        posts.append(post)
    for kind, count in sorted(skipped.items()):
        notes.append(Note(Where(name), f"{count} item(s) of type '{kind}'", "not imported"))
    return ImportedSource("wordpress", tuple(posts), site.base + "/", tuple(notes))


def _site(channel: Node, items: list[Node]) -> _Site:
    base = (channel.get("wp:base_blog_url") or channel.get("link")).rstrip("/")
    site_url = (channel.get("wp:base_site_url") or base).rstrip("/")
    hosts = frozenset(h for h in (urlsplit(base).hostname, urlsplit(site_url).hostname) if h)
    authors = {}
    for node in channel.findall("wp:author"):
        login = node.get("wp:author_login")
        display = html.unescape(node.get("wp:author_display_name")) or login
        authors[login] = Author(display, login, node.get("wp:author_email") or None)
    offsets: Counter[timedelta] = Counter()
    for item in items:
        local, gmt = _time(item.get("wp:post_date")), _time(item.get("wp:post_date_gmt"))
        if local and gmt:
            offsets[local - gmt] += 1
    offset = offsets.most_common(1)[0][0] if offsets else timedelta(0)
    return _Site(base, hosts, site_url + "/wp-content/uploads/", authors, offset)


def _time(text: str) -> datetime | None:
    if not text or text == _NO_DATE:
        return None
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _date(item: Node, site: _Site) -> datetime | None:
    """The post's date with the blog's offset: from the GMT date, else the local one."""
    gmt = _time(item.get("wp:post_date_gmt"))
    local = _time(item.get("wp:post_date"))
    if gmt is not None:
        offset = (local - gmt) if local is not None else site.offset
        return gmt.replace(tzinfo=UTC).astimezone(timezone(offset))
    if local is not None:
        return local.replace(tzinfo=timezone(site.offset))
    return None


def _title_text(item: Node) -> str:
    # WordPress stores titles HTML-escaped (entities, even tags): their visible text.
    return strip_controls(plain_text(item.get("title"))).strip()


def _canonical(url: str, site: _Site) -> str:
    match = _UPLOADS.fullmatch(url.strip())
    return site.uploads + match[1] if match else url.strip()


def _post(
    item: Node,
    site: _Site,
    name: str,
    options: ReadOptions,
    gallery_images: dict[str, GalleryImage],
    attachments: dict[str, Node],
) -> ImportedPost:
    post_id = item.get("wp:post_id")
    where = Where(name, item.line)
    notes: list[Note] = []
    date = _date(item, site)
    title = _title_text(item)
    if not title:
        title = f"Post of {date:%Y-%m-%d}" if date else f"Post {post_id}"
        notes.append(Note(where, "empty title", f"titled '{title}'"))
    status = item.get("wp:status")
    draft = status in _DRAFTS or status == "private"
    if status == "private":
        notes.append(Note(where, "a private post", "imported as a draft"))
    elif status not in _DRAFTS and status != "publish":
        notes.append(Note(where, f"unknown status '{status}'", "imported as published"))
    content = item.find("content:encoded")
    body_line = content.line if content is not None else item.line
    children = [k for k, a in attachments.items() if a.get("wp:post_parent") == post_id]
    converted = convert(
        content.text if content is not None else "", gallery_from(gallery_images, children)
    )
    for code, offset in converted.left:
        notes.append(Note(Where(name, body_line + offset), f"shortcode {code}", "left as text"))
    body, files = _uploads(converted.body, site, options)
    image = None
    thumb = next(
        (m.get("wp:meta_value") for m in item.findall("wp:postmeta")
         if m.get("wp:meta_key") == "_thumbnail_id"),
        None,
    )  # fmt: skip
    if thumb in attachments:
        image = _canonical(attachments[thumb].get("wp:attachment_url"), site)
    for key in children + ([thumb] if thumb in attachments else []):
        url = _canonical(attachments[key].get("wp:attachment_url"), site)
        _add_file(url, site, options, files)
    creator = item.get("dc:creator")
    author = site.authors.get(creator) or (Author(creator, creator) if creator else None)
    excerpt = plain_text(item.get("excerpt:encoded")).strip()
    sections, tags = [], []
    for category in item.findall("category"):
        label = html.unescape(category.text.strip())
        domain = category.attrs.get("domain")
        if domain == "category":
            sections.append(label)
        elif domain == "post_tag":
            tags.append(label)
    slug = slugify(unquote(item.get("wp:post_name"))) if item.get("wp:post_name") else ""
    old_urls = [u for u in (item.get("link"), item.get("guid")) if u.startswith("http")]
    old_urls.append(f"{site.base}/?p={post_id}")
    return ImportedPost(
        source_id=f"wordpress:{post_id}",
        title=title,
        slug=slug or slugify(title),
        date=date,
        body=body,
        where=where,
        body_format=BodyFormat.HTML,
        authors=(author,) if author else (),
        tags=tuple(dict.fromkeys(tags)),
        sections=tuple(dict.fromkeys(sections)),
        summary=excerpt or None,
        image=image,
        draft=draft,
        attachments=tuple(files.values()),
        old_urls=tuple(dict.fromkeys(old_urls)),
        comments=_comments(item, name, notes),
        notes=tuple(notes),
    )


def _uploads(body: str, site: _Site, options: ReadOptions) -> tuple[str, dict[str, Attachment]]:
    """Put every uploads URL of the old site in one canonical form; each one a file."""
    files: dict[str, Attachment] = {}

    def one(match: re.Match[str]) -> str:
        host = urlsplit(match[0]).hostname
        if host is not None and host not in site.hosts:
            return match[0]  # another site's uploads: not ours to copy
        url = site.uploads + match[1]
        _add_file(url, site, options, files)
        return url

    return _UPLOADS.sub(one, body), files


def _add_file(url: str, site: _Site, options: ReadOptions, files: dict[str, Attachment]) -> None:
    """One attachment per uploads URL, named after its file, unique within the post."""
    if not url.startswith(site.uploads) or any(a.url == url for a in files.values()):
        return
    rel = unquote(url[len(site.uploads) :])
    pure = PurePosixPath(rel)
    if ".." in pure.parts:
        return
    stem, suffix = slugify(pure.stem), pure.suffix.lower()
    name, n = f"{stem}{suffix}", 1
    while name in files:
        n += 1
        name = f"{stem}-{n}{suffix}"
    local = options.uploads / rel if options.uploads is not None else None
    files[name] = Attachment(name, local if local and local.is_file() else None, url)


def _comments(item: Node, name: str, notes: list[Note]) -> tuple[Comment, ...]:
    comments = []
    for node in item.findall("wp:comment"):
        approved = node.get("wp:comment_approved")
        kind = node.get("wp:comment_type")
        if approved in {"spam", "trash"}:
            continue
        if kind in {"pingback", "trackback"}:
            source = node.get("wp:comment_author_url") or node.get("wp:comment_author")
            notes.append(Note(Where(name, node.line), f"a {kind} from {source}", "not imported"))
            continue
        created = _time(node.get("wp:comment_date_gmt")) or _time(node.get("wp:comment_date"))
        if created is None:
            notes.append(Note(Where(name, node.line), "a comment without a date", "not imported"))
            continue
        parent = node.get("wp:comment_parent")
        comments.append(
            Comment(
                id=node.get("wp:comment_id"),
                parent=parent if parent not in {"", "0"} else None,
                author_name=html.unescape(node.get("wp:comment_author")) or "Anonymous",
                email=node.get("wp:comment_author_email") or None,
                body=html.unescape(node.get("wp:comment_content")),
                created=created.replace(tzinfo=UTC),
                approved=approved == "1",
            )
        )
    return tuple(comments)
