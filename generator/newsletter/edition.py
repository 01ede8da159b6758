"""Newsletter, selection stage: an edition id → a period → a frozen ``Edition``.

Pure: takes the validated ``Site``, the config, "now" and the optional intro, and
returns plain records with absolute URLs and plain-text excerpts (never whole
articles, never feed HTML). ``load_intro`` is the one reader of
``content/newsletter/ID.md``.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import yaml

from generator.config import SiteConfig
from generator.errors import ContentError, Problem, UsageError
from generator.markup import MarkdownRenderer
from generator.model import Collection, FeedItem, Post, Site
from generator.sanitize import EMAIL, sanitize_html
from generator.text import excerpt, plain_paragraphs, truncate_words

EXCERPT_WORDS = 40
MAX_DISCUSSED = 5
MAX_MEETUPS = 5
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_SINCE = re.compile(r"^since-(\d{4}-\d{2}-\d{2})$")
_INTRO_KEYS = ("subject", "preheader")


@dataclass(frozen=True, slots=True)
class Period:
    """The edition id and its half-open interval [start, end) in UTC."""

    id: str
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Intro:
    """The editor's intro of one edition (``content/newsletter/ID.md``)."""

    html: str
    text: str
    subject: str | None = None
    preheader: str | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of an edition, projected for email: absolute URLs, plain excerpt."""

    kind: str
    title: str
    path: str
    url: str
    date: datetime
    excerpt: str = ""
    note_html: str = ""
    note_text: str = ""
    external_url: str | None = None
    source_title: str = ""
    author: str = ""
    image_url: str | None = None
    image_alt: str = ""
    comments: int = 0
    event_start: datetime | None = None
    event_end: datetime | None = None
    location: str | None = None
    online_url: str | None = None


@dataclass(frozen=True, slots=True)
class LinkGroup:
    """Tech-watch links of one community or tag."""

    key: str
    name: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True, slots=True)
class Edition:
    """Everything one edition shows, ready for the email and archive templates."""

    id: str
    title: str
    subject: str
    preheader: str
    start: datetime
    end: datetime
    built: datetime
    wall_url: str
    archive_url: str
    intro_html: str = ""
    intro_text: str = ""
    posts: tuple[Entry, ...] = ()
    groups: tuple[LinkGroup, ...] = ()
    meetups: tuple[Entry, ...] = ()
    discussed: tuple[Entry, ...] = ()
    omitted: int = 0
    collections: tuple[Entry, ...] = ()  # collections added during the period

    @property
    def is_empty(self) -> bool:
        """True when the period brought nothing new (upcoming meetups alone are not news)."""
        return not (
            self.intro_html or self.posts or self.groups or self.discussed or self.collections
        )

    @property
    def link_count(self) -> int:
        return sum(len(g.entries) for g in self.groups)


def parse_period(
    edition: str | None, since: str | None, config: SiteConfig, now: datetime
) -> Period:
    """``2026-W48`` → that ISO week in the site's timezone; ``--since DATE`` → DATE to now."""
    tz = config.tz
    if (edition is None) == (since is None):
        raise UsageError("give exactly one of --edition ID or --since DATE")
    if since is not None:
        try:
            day = date.fromisoformat(since)
        except ValueError:
            raise UsageError(f"--since: expected a date like 2026-11-20, got {since!r}") from None
        start = datetime.combine(day, time(), tz)
        if start >= now:
            raise UsageError(f"--since {since} is not in the past")
        return Period(f"since-{day.isoformat()}", _utc(start), now)
    assert edition is not None
    week = _WEEK.match(edition)
    if week:
        try:
            monday = date.fromisocalendar(int(week[1]), int(week[2]), 1)
        except ValueError:
            raise UsageError(f"--edition: no such ISO week {edition!r}") from None
        start = datetime.combine(monday, time(), tz)
        end = datetime.combine(monday + timedelta(days=7), time(), tz)
        return Period(edition, _utc(start), _utc(end))
    since_id = _SINCE.match(edition)
    if since_id:
        return parse_period(None, since_id[1], config, now)
    raise UsageError(f"--edition: expected an ISO week like 2026-W48, got {edition!r}")


def current_week(config: SiteConfig, now: datetime) -> str:
    """The ISO week id of ``now`` in the site's timezone (e.g. for a weekly cron)."""
    year, week, _ = now.astimezone(config.tz).isocalendar()
    return f"{year}-W{week:02d}"


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def intro_path(config: SiteConfig, edition_id: str) -> Path:
    """Where the editor writes the intro of an edition."""
    return config.content_path / "newsletter" / f"{edition_id}.md"


def load_intro(config: SiteConfig, edition_id: str) -> Intro | None:
    """Read ``content/newsletter/ID.md`` (optional front matter: subject, preheader)."""
    path = intro_path(config, edition_id)
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(path, None, f"cannot read: {exc}")]) from None
    return parse_intro(text, path, config.base_url)


def parse_intro(text: str, path: Path, base_url: str) -> Intro:
    """Split optional YAML front matter from the Markdown body of an intro."""
    meta: dict[str, Any] = {}
    body = text
    offset = 0
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end < 0:
            raise ContentError([Problem(path, 1, "front matter is not closed by '---'")])
        try:
            loaded = yaml.safe_load(text[4:end]) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else 1
            raise ContentError([Problem(path, line, "invalid YAML front matter")]) from None
        if not isinstance(loaded, dict):
            raise ContentError([Problem(path, 2, "front matter must be a mapping")])
        meta = loaded
        offset = text.count("\n", 0, end) + 1
        body = text[end + 4 :].lstrip("-").lstrip("\n")
    problems = []
    lines = text.splitlines()
    for key, value in meta.items():
        line = next((i + 1 for i, t in enumerate(lines[:offset]) if t.startswith(f"{key}:")), None)
        if key not in _INTRO_KEYS:
            problems.append(Problem(path, line, f"unknown key (expected one of {_INTRO_KEYS})"))
        elif not isinstance(value, str):
            problems.append(Problem(path, line, "expected text", str(key)))
    if problems:
        raise ContentError(problems)
    html = MarkdownRenderer(use="intro", base_url=base_url)(body)
    return Intro(html, plain_paragraphs(html), meta.get("subject"), meta.get("preheader"))


def build_edition(
    site: Site,
    config: SiteConfig,
    period: Period,
    now: datetime,
    intro: Intro | None = None,
) -> Edition:
    """Select posts, links, meetups and discussions of the period into an ``Edition``."""
    nl = config.newsletter
    base = config.base_url
    people = {p.id: p.name for p in site.people}
    posts = sorted(
        (p for p in site.posts if not p.draft and period.start <= p.date < period.end),
        key=lambda p: (p.date, p.slug),
        reverse=True,
    )
    links = _new_links(site, config, period)
    budget = nl.max_items
    shown_posts = posts[:budget]
    shown_links = links[: max(0, budget - len(shown_posts))]
    omitted = len(posts) + len(links) - len(shown_posts) - len(shown_links)
    meetups = sorted(
        (p for p in site.posts if not p.draft and p.event is not None and p.event.start > now),
        key=lambda p: (p.event.start if p.event else p.date, p.slug),
    )[:MAX_MEETUPS]
    title = nl.title or config.title
    post_entries = tuple(_post_entry(p, base, people) for p in shown_posts)
    groups = _group(shown_links, site, config)
    discussed = _discussed(site, config, period)
    collections = tuple(
        _collection_entry(c, base, people)
        for c in site.collections
        if period.start <= c.date < period.end
    )
    subject = (intro.subject if intro and intro.subject else None) or f"{title} — {period.id}"
    counts = (len(post_entries), sum(len(g.entries) for g in groups), len(meetups))
    preheader = (intro.preheader if intro and intro.preheader else None) or _preheader(*counts)
    return Edition(
        id=period.id,
        title=title,
        subject=subject,
        preheader=preheader,
        start=period.start,
        end=period.end,
        built=now,
        wall_url=base,
        archive_url=urljoin(base, f"newsletter/{period.id}/"),
        intro_html=intro.html if intro else "",
        intro_text=intro.text if intro else "",
        posts=post_entries,
        groups=groups,
        meetups=tuple(_post_entry(p, base, people) for p in meetups),
        discussed=discussed,
        omitted=omitted,
        collections=collections,
    )


def _preheader(posts: int, links: int, meetups: int) -> str:
    parts = []
    if posts:
        parts.append(f"{posts} new post{'s' if posts > 1 else ''}")
    if links:
        parts.append(f"{links} link{'s' if links > 1 else ''} from the tech watch")
    if meetups:
        parts.append(f"{meetups} upcoming meetup{'s' if meetups > 1 else ''}")
    return ", ".join(parts) or "This week on the wall"


def _new_links(site: Site, config: SiteConfig, period: Period) -> list[FeedItem]:
    hidden = {c.link for c in site.curation if c.hide}
    pinned = {c.link for c in site.curation if c.pin}
    found = []
    for item in site.feed_items:
        if item.link in hidden:
            continue
        seen = min(item.published, item.first_seen or item.published)
        if period.start <= seen < period.end:
            found.append(item)
    return sorted(found, key=lambda i: (i.link in pinned, i.published, i.id), reverse=True)


def _group(items: list[FeedItem], site: Site, config: SiteConfig) -> tuple[LinkGroup, ...]:
    curation = {c.link: c for c in site.curation}
    feeds = {f.id: f for f in config.feeds}
    names = {c.id: c.name for c in site.communities}
    by_key: dict[str, list[Entry]] = {}
    for item in items:
        cur = curation.get(item.link or "")
        feed = feeds.get(item.feed_id)
        if config.newsletter.group_by == "community":
            key = (cur.community if cur else None) or (feed.community if feed else None) or ""
        else:
            tags = (
                (cur.tags if cur and cur.tags else ()) or item.tags or (feed.tags if feed else ())
            )
            key = tags[0] if tags else ""
        note = sanitize_html(cur.note_html, config.base_url, EMAIL) if cur else ""
        by_key.setdefault(key, []).append(
            Entry(
                kind="link",
                title=item.title,
                path=item.path,
                url=urljoin(config.base_url, item.path.lstrip("/")),
                date=item.published,
                excerpt=excerpt(item.summary_html or item.content_html, EXCERPT_WORDS),
                note_html=note,
                note_text=plain_paragraphs(note),
                external_url=item.link if _is_http(item.link) else None,
                source_title=item.source_title or (feed.title or "" if feed else ""),
                author=item.author or "",
                image_url=item.thumbnail if _is_http(item.thumbnail) else None,
                image_alt=item.title,
            )
        )
    ordered = sorted(by_key, key=lambda k: (k == "", str(names.get(k, k)).lower()))
    return tuple(LinkGroup(k, names.get(k, k) if k else "", tuple(by_key[k])) for k in ordered)


def _post_entry(post: Post, base: str, people: dict[str, str], comments: int = 0) -> Entry:
    ev = post.event
    return Entry(
        kind="meetup" if ev else "post",
        title=post.title,
        path=post.path,
        url=urljoin(base, post.path.lstrip("/")),
        date=post.date,
        excerpt=truncate_words(post.summary, EXCERPT_WORDS),
        author=people.get(post.author or "", post.author or ""),
        comments=comments,
        event_start=ev.start if ev else None,
        event_end=ev.end if ev else None,
        location=ev.location if ev else None,
        online_url=ev.online_url if ev and _is_http(ev.online_url) else None,
        image_url=urljoin(base, post.image.lstrip("/")) if post.image else None,
    )


def _collection_entry(collection: Collection, base: str, people: dict[str, str]) -> Entry:
    """A new collection: its description as the excerpt, its owner as the author."""
    return Entry(
        kind="collection",
        title=collection.title,
        path=collection.path,
        url=urljoin(base, collection.path.lstrip("/")),
        date=collection.date,
        excerpt=truncate_words(plain_paragraphs(collection.description_html), EXCERPT_WORDS),
        author=people.get(collection.owner, collection.owner),
    )


def _discussed(site: Site, config: SiteConfig, period: Period) -> tuple[Entry, ...]:
    counts = Counter(
        c.thread
        for c in site.comments.comments
        if c.status == "approved" and period.start <= c.created < period.end
    )
    base = config.base_url
    people = {p.id: p.name for p in site.people}
    by_path: dict[str, Entry] = {
        p.path: _post_entry(p, base, people) for p in site.posts if not p.draft
    }
    for collection in site.collections:
        by_path[collection.path] = _collection_entry(collection, base, people)
    for item in site.feed_items:
        by_path.setdefault(
            item.path,
            Entry(
                "link",
                item.title,
                item.path,
                urljoin(base, item.path.lstrip("/")),
                item.published,
                external_url=item.link if _is_http(item.link) else None,
                source_title=item.source_title,
            ),
        )
    ranked = sorted(
        ((n, path) for path, n in counts.items() if path in by_path),
        key=lambda t: (-t[0], by_path[t[1]].title.lower()),
    )
    return tuple(_with_comments(by_path[path], n) for n, path in ranked[:MAX_DISCUSSED])


def _with_comments(entry: Entry, count: int) -> Entry:
    values = {f.name: getattr(entry, f.name) for f in fields(Entry)}
    values["comments"] = count
    return Entry(**values)


def _is_http(url: str | None) -> bool:
    return bool(url) and str(url).startswith(("https://", "http://"))


def edition_to_json(edition: Edition) -> str:
    """Serialise an edition (persisted so that ``veille build`` can re-render its archive)."""
    return json.dumps(asdict(edition), default=_iso, ensure_ascii=False, indent=1, sort_keys=True)


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def edition_from_json(text: str) -> Edition:
    """Read back what ``edition_to_json`` wrote."""
    data = json.loads(text)
    data["posts"] = tuple(_entry(e) for e in data["posts"])
    data["meetups"] = tuple(_entry(e) for e in data["meetups"])
    data["discussed"] = tuple(_entry(e) for e in data["discussed"])
    data["collections"] = tuple(_entry(e) for e in data.get("collections", ()))
    data["groups"] = tuple(
        LinkGroup(g["key"], g["name"], tuple(_entry(e) for e in g["entries"]))
        for g in data["groups"]
    )
    for key in ("start", "end", "built"):
        data[key] = datetime.fromisoformat(data[key])
    return Edition(**data)


def _entry(data: dict[str, Any]) -> Entry:
    for key in ("date", "event_start", "event_end"):
        if data.get(key):
            data[key] = datetime.fromisoformat(data[key])
    return Entry(**data)
