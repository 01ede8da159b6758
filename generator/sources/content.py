"""Stage 1, content: post files (and, through ``generator.people``, the directory) → records.

Every problem in every file is collected (file, line, key) before failing, so an
editor fixes all of them in one pass. ``PostSource`` parses each post file once across
builds (memo, post cache). Nothing here writes or renders pages.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import field_validator

from generator.bundles import (
    INDEX,
    MEDIA,
    Where,
    bundle_digest,
    bundle_files,
    card_image,
    prepare_body,
    site_url,
    thumbnail,
)
from generator.config import SiteConfig
from generator.errors import ContentError, Problem, display
from generator.markup import MarkdownRenderer
from generator.model import Event, Post
from generator.people import Directory, load_directory, unknown_id
from generator.sources.postcache import LINE_KEYS, Parsed, PostCache, content_key
from generator.text import excerpt, slugify
from generator.yamlfile import LineMap, StrictModel, YamlSyntaxError, nonempty, parse_yaml, validate

log = logging.getLogger(__name__)
_FENCE = "---"


def _parse_when(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("expected an ISO 8601 date such as 2026-11-24T09:30") from None
    return value


DateLike = datetime | date


class EventFields(StrictModel):
    start: DateLike
    end: DateLike
    location: str | None = None
    online_url: str | None = None

    _when = field_validator("start", "end", mode="before")(_parse_when)

    @field_validator("online_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL")
        return value


class FrontMatter(StrictModel):
    title: str
    date: DateLike
    author: str | None = None
    tags: tuple[str, ...] = ()
    community: str | None = None
    summary: str | None = None
    draft: bool = False
    pinned: bool = False
    event: EventFields | None = None
    event_ref: str | None = None
    image: str | None = None
    contributors: tuple[str, ...] = ()
    imported_from: str | None = None

    _title = field_validator("title")(nonempty)

    _date = field_validator("date", mode="before")(_parse_when)

    @field_validator("tags", "contributors", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        if isinstance(value, str):
            return (value,)
        return value


def to_utc(value: date | datetime, tz: ZoneInfo) -> datetime:
    """A date or datetime from front matter as aware UTC; naive values take the site zone."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(0, 0))
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Split ``---`` front matter from the body; return (yaml, body, body's first line)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != _FENCE:
        raise YamlSyntaxError(1, "missing front matter: the file must start with a '---' line")
    for index in range(1, len(lines)):
        if lines[index].strip() == _FENCE:
            return "".join(lines[1:index]), "".join(lines[index + 1 :]), index + 2
    raise YamlSyntaxError(1, "unclosed front matter: no closing '---' line")


def post_files(config: SiteConfig) -> list[tuple[str, Path]]:
    """Every post file with its name below the posts folder (``2026/a.md``), in a stable order.

    A folder holding an ``index.md`` is a page bundle: that file is the post and
    everything else below it (Markdown included) is one of its files. Names are cut
    from the path's text: ``Path.relative_to`` is slow at 10,000 files.
    """
    root = config.content_path / "posts"
    if not root.is_dir():
        return []
    cut = len(str(root)) + 1
    found = []
    for top, dirs, names in os.walk(root):
        if top != str(root) and INDEX in names:
            dirs[:] = []
            found.append(os.path.join(top, INDEX))
            continue
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found.extend(os.path.join(top, n) for n in names if n.endswith(".md"))
    return [(path[cut:].replace(os.sep, "/"), Path(path)) for path in sorted(found)]


def is_bundle(path: Path) -> bool:
    """Whether the post at ``path`` is a page bundle (``<slug>/index.md``)."""
    return path.name == INDEX


def parse_post(
    text: str,
    path: Path,
    config: SiteConfig,
    render: MarkdownRenderer,
) -> tuple[Post | None, list[Problem], LineMap]:
    """Front matter + Markdown → a Post, or the problems that prevent it."""
    try:
        raw_yaml, body, first_line = split_front_matter(text)
        data, lines = parse_yaml(raw_yaml, line_offset=1)
    except YamlSyntaxError as exc:
        return None, [Problem(path, exc.line, exc.message)], {}
    if not isinstance(data, dict):
        return None, [Problem(path, 1, "front matter must be a YAML mapping")], lines
    fields, problems = validate(FrontMatter, data, path, lines)
    if fields is None:
        return None, problems, lines
    tz = config.tz
    event = None
    if fields.event is not None:
        start = to_utc(fields.event.start, tz)
        end = to_utc(fields.event.end, tz)
        if end < start:
            line = lines.get(("event", "end"))
            return None, [Problem(path, line, "the event ends before it starts", "event.end")], {}
        event = Event(start, end, fields.event.location, fields.event.online_url)
    bundle = path.parent if is_bundle(path) else None
    slug = slugify(bundle.name if bundle is not None else path.stem)
    when = to_utc(fields.date, tz)
    where = Where(
        path, bundle, config.content_path / MEDIA, body, first_line, config.images.max_width
    )
    prepared = prepare_body(render(body), where)
    body_html = prepared.html
    image, problems = card_image(
        fields.image, where, lines.get(("image",)), f"/posts/{when.year}/{slug}/"
    )
    problems = sorted(prepared.problems + problems, key=lambda p: p.line or 0)
    if problems:
        return None, problems, lines
    if image is None and prepared.first_image is not None:
        image = site_url(prepared.first_image, f"/posts/{when.year}/{slug}/")
    resized = list(prepared.resized)
    image = thumbnail(image, fields.image or prepared.first_image, where, resized)
    summary = fields.summary.strip() if fields.summary else ""
    if not summary:
        summary = excerpt(body_html, config.summary_words)
    post = Post(
        slug=slug,
        source=path,
        title=fields.title,
        date=when,
        body_html=body_html,
        summary=summary,
        author=fields.author,
        tags=tuple(dict.fromkeys(t.strip().lower() for t in fields.tags if t.strip())),
        community=fields.community,
        draft=fields.draft,
        pinned=fields.pinned,
        event=event,
        event_ref=fields.event_ref,
        contributors=tuple(dict.fromkeys(fields.contributors)),
        image=image,
        imported_from=fields.imported_from,
        files=bundle_files(bundle) if bundle is not None else (),
        resized=tuple(dict.fromkeys(resized)),
    )
    return post, [], lines


# What a long-lived process (``veille serve``) remembers of each post file between
# builds: name → (post cache fingerprint, (mtime, size, inode, ctime), parsed form).
Status = tuple[int, int, int, int, int]
StatMemo = dict[str, tuple[str, Status, Parsed]]


def load_posts(
    config: SiteConfig,
    directory: Directory,
    problems: list[Problem],
    drafts: bool = False,
    memo: StatMemo | None = None,
) -> tuple[Post, ...]:
    """Read every post (from the post cache when unchanged); check references between posts."""
    people = {p.id for p in directory.people}
    communities = {c.id for c in directory.communities}
    posts: list[tuple[Post, LineMap]] = []
    for parsed in PostSource(config, memo).load():
        problems.extend(parsed.problems)
        post, lines = parsed.post, parsed.lines
        if post is None:
            continue
        problems.extend(_unknown_ref(post, lines, "author", "person", post.author, people))
        for contributor in post.contributors:
            problems.extend(
                _unknown_ref(post, lines, "contributors", "person", contributor, people)
            )
        problems.extend(
            _unknown_ref(post, lines, "community", "community", post.community, communities)
        )
        posts.append((post, lines))
    by_url: dict[str, Post] = {}
    for post, _ in posts:
        first = by_url.setdefault(post.path, post)
        if first is not post:
            where = display(first.source)
            message = f"duplicate slug '{post.slug}' in {post.date.year} (also used by {where})"
            problems.append(Problem(post.source, 1, message))
    meetups: dict[str, list[str]] = {}
    for post, _ in posts:
        if post.event is not None:
            meetups.setdefault(post.slug, []).append(f"{post.date.year}/{post.slug}")
    resolved = []
    for post, lines in posts:
        if post.event_ref is not None:
            ref, problem = resolve_ref(post.event_ref, meetups)
            if problem is not None:
                problems.append(
                    Problem(post.source, lines.get(("event_ref",)), problem, "event_ref")
                )
            elif ref != post.event_ref:
                post = replace(post, event_ref=ref)
        resolved.append((post, lines))
    posts = resolved
    return tuple(p for p, _ in posts if drafts or not p.draft)


def resolve_ref(value: str, meetups: dict[str, list[str]]) -> tuple[str, str | None]:
    """A meetup reference as ``<year>/<slug>``, or the problem: unknown, or ambiguous.

    ``<year>/<slug>`` always names one meetup; a bare ``<slug>`` only when a single
    year has a meetup of that slug (``meetups``: slug → its ``<year>/<slug>`` forms).
    """
    value = value.strip().strip("/")
    year, _, slug = value.rpartition("/")
    candidates = meetups.get(slug, [])
    if year:
        if value in candidates:
            return value, None
        known = {c for forms in meetups.values() for c in forms}
        return value, unknown_id("meetup", value, known)
    if not candidates:
        return value, unknown_id("meetup", value, set(meetups))
    if len(candidates) > 1:
        listed = ", ".join(sorted(candidates))
        return value, f"ambiguous meetup id '{value}': write one of {listed}"
    return candidates[0], None


def _unknown_ref(
    post: Post, lines: LineMap, key: str, kind: str, value: str | None, known: set[str]
) -> list[Problem]:
    """The problem of a front matter key naming no known id, at the key's line."""
    if value is None or value in known:
        return []
    return [Problem(post.source, lines.get((key,)), unknown_id(kind, value, known), key)]


@dataclass(frozen=True, slots=True)
class Missing:
    """A post file that neither the memo nor the post cache knows: what parsing it needs."""

    name: str
    path: Path
    key: str
    text: str


class PostSource:
    """The post files of a site, each parsed once across builds.

    ``lookup`` finds a file's parsed form in the memo of a long-lived process (when its
    status is unchanged) or in the post cache (when its bytes are); ``parse_missing``
    parses the rest; both ``remember`` what they found for the next build.
    """

    def __init__(self, config: SiteConfig, memo: StatMemo | None = None) -> None:
        self.config = config
        self.memo = memo
        self.cache = PostCache.for_site(config)
        self._status: dict[str, Status] = {}

    def load(self) -> list[Parsed]:
        """Every post file parsed, in ``post_files`` order; the cache saved and closed."""
        files = post_files(self.config)
        found = [self.lookup(name, path) for name, path in files]
        missing = [f for f in found if isinstance(f, Missing)]
        fresh = iter(self.parse_missing(missing))
        parsed = [next(fresh) if isinstance(f, Missing) else f for f in found]
        self.close({name for name, _ in files})
        log.info("posts: %d from the cache, %d parsed", self.cache.hits, len(missing))
        return parsed

    def lookup(self, name: str, path: Path) -> Parsed | Missing:
        """The known parsed form of a file (or its read problem), else what parsing needs."""
        if self.memo is not None:
            status = _status(path)
            if status is not None:
                self._status[name] = status
                known = self.memo.get(name)
                if known is not None and known[:2] == (self.cache.fingerprint, status):
                    return known[2]
        data, text, problem = _read_post(path)
        if text is None:
            return Parsed(None, (problem,) if problem else (), {})
        files = b""
        if is_bundle(path):
            files = bundle_digest(path.parent, bundle_files(path.parent))
        key = content_key(self.cache.fingerprint, data, files)
        parsed = self.cache.get(name, key, path)
        if parsed is None:
            return Missing(name, path, key, text)
        self.remember(name, parsed)
        return parsed

    def parse_missing(self, missing: list[Missing]) -> list[Parsed]:
        """Parse the files ``lookup`` could not find, in order, into the cache and the memo."""
        fresh = _parse_many(self.config, [(m.text, str(m.path)) for m in missing])
        for item, parsed in zip(missing, fresh, strict=True):
            self.cache.put(item.name, item.key, parsed)
            self.remember(item.name, parsed)
        return fresh

    def remember(self, name: str, parsed: Parsed) -> None:
        """Keep a parsed form in the memo, under the file status ``lookup`` saw."""
        status = self._status.get(name)
        if self.memo is not None and status is not None:
            self.memo[name] = (self.cache.fingerprint, status, parsed)

    def close(self, names: set[str]) -> None:
        """Save the post cache and forget the files that are gone (``names`` are all there are)."""
        self.cache.save(names)
        self.cache.close()
        if self.memo is not None:
            for gone in set(self.memo) - names:
                del self.memo[gone]


def _status(path: Path) -> Status | None:
    """What tells a file changed without reading it: mtime, size, inode and ctime.

    For a bundle, the same of every file beside its ``index.md`` is folded in.
    """
    try:
        found = os.stat(path)
        files = 0
        if is_bundle(path):
            folder = path.parent
            stats = [(rel, os.stat(folder / rel)) for rel in bundle_files(folder)]
            files = hash(tuple((r, s.st_mtime_ns, s.st_size, s.st_ino) for r, s in stats))
    except OSError:
        return None
    return (found.st_mtime_ns, found.st_size, found.st_ino, found.st_ctime_ns, files)


def _read_post(path: Path) -> tuple[bytes, str | None, Problem | None]:
    """A post's bytes and text (newlines as ``read_text`` gives them), or the problem."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return b"", None, Problem(path, None, f"cannot read: {exc.strerror}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return data, None, Problem(path, None, f"not UTF-8 text (byte {exc.start})")
    return data, text.replace("\r\n", "\n").replace("\r", "\n"), None


def _workers() -> int:
    """Processes to parse posts with: ``VEILLE_WORKERS`` (default 1).

    Opt-in: on the shared 2-core reference machine a pool did not beat one process
    (docs/performance.md), and forking a threaded ``veille serve`` is unsafe.
    """
    forced = os.environ.get("VEILLE_WORKERS", "")
    return max(1, int(forced)) if forced.isdigit() else 1


def _parse_many(config: SiteConfig, items: list[tuple[str, str]]) -> list[Parsed]:
    """Parse (text, path) pairs, in order; in a process pool if ``VEILLE_WORKERS`` > 1."""
    workers = _workers()
    if workers == 1 or len(items) < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return parse_batch(config, items)
    size = -(-len(items) // (workers * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    # fork: no re-import of the caller's __main__, and workers start in milliseconds.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        done = pool.map(parse_batch, [config] * len(chunks), chunks)
        return [parsed for chunk in done for parsed in chunk]


def parse_batch(config: SiteConfig, items: list[tuple[str, str]]) -> list[Parsed]:
    """Parse (text, path) pairs with one Markdown renderer (a process pool's unit of work)."""
    render = MarkdownRenderer(config.markdown_engine)
    out = []
    for text, name in items:
        post, found, lines = parse_post(text, Path(name), config, render)
        kept: LineMap = {k: v for k, v in lines.items() if len(k) == 1 and k[0] in LINE_KEYS}
        out.append(Parsed(post, tuple(found), kept))
    return out


def load_content(
    config: SiteConfig, drafts: bool = False, memo: StatMemo | None = None
) -> tuple[Directory, tuple[Post, ...]]:
    """People, communities and posts; raise ContentError listing every problem."""
    problems: list[Problem] = []
    directory = load_directory(config, problems)
    posts = load_posts(config, directory, problems, drafts, memo)
    if problems:
        raise ContentError(problems)
    return directory, posts


def scaffold_post(title: str, when: datetime, author: str | None = None) -> str:
    """The text of a new post with valid front matter."""
    import yaml

    front: dict[str, Any] = {"title": title, "date": when.isoformat(timespec="minutes")}
    if author:
        front["author"] = author
    front.update({"tags": [], "draft": True})
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    return f"---\n{dumped}---\n\nWrite your post here, in Markdown.\n"
