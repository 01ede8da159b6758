"""Stage 1, content: posts, people and communities files → validated records.

Every problem in every file is collected (file, line, key) before failing, so an
editor fixes all of them in one pass. Nothing here writes or renders pages.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from generator.config import SiteConfig
from generator.errors import ContentError, Problem, display
from generator.markup import MarkdownRenderer
from generator.model import Community, Event, Person, Post
from generator.sources.postcache import Parsed, PostCache, content_key
from generator.text import excerpt, slugify
from generator.yamlfile import LineMap, YamlSyntaxError, parse_yaml, validate

log = logging.getLogger(__name__)
_LINE_KEYS = ("author", "community", "event_ref")  # the lines load_posts may report
F = TypeVar("F", bound=BaseModel)
_FENCE = "---"


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _nonempty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _parse_when(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("expected an ISO 8601 date such as 2026-11-24T09:30") from None
    return value


DateLike = datetime | date


class EventFields(_Strict):
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


class FrontMatter(_Strict):
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

    _title = field_validator("title")(_nonempty)

    _date = field_validator("date", mode="before")(_parse_when)

    @field_validator("tags", mode="before")
    @classmethod
    def _tags(cls, value: Any) -> Any:
        if isinstance(value, str):
            return (value,)
        return value


class PersonFields(_Strict):
    id: str
    name: str
    email: str | None = None
    title: str = ""
    site: str = ""
    communities: tuple[str, ...] = ()
    expertise: tuple[str, ...] = ()
    bio: str = ""

    _name = field_validator("name", "id")(_nonempty)


class CommunityFields(_Strict):
    id: str
    name: str
    description: str = ""
    site: str = ""
    leaders: tuple[str, ...] = Field(default=())

    _name = field_validator("name", "id")(_nonempty)


@dataclass(frozen=True, slots=True)
class Directory:
    """People and communities, validated against each other."""

    people: tuple[Person, ...]
    communities: tuple[Community, ...]


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


def _read(path: Path, problems: list[Problem]) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(path, None, f"not UTF-8 text (byte {exc.start})"))
    except OSError as exc:
        problems.append(Problem(path, None, f"cannot read: {exc.strerror}"))
    return None


def _load_list(path: Path, problems: list[Problem]) -> tuple[list[Any], LineMap]:
    if not path.is_file():
        return [], {}
    text = _read(path, problems)
    if text is None:
        return [], {}
    try:
        data, lines = parse_yaml(text)
    except YamlSyntaxError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return [], {}
    if data is None:
        return [], lines
    if not isinstance(data, list):
        problems.append(Problem(path, 1, "expected a YAML list"))
        return [], lines
    return data, lines


def load_directory(config: SiteConfig, problems: list[Problem]) -> Directory:
    """Read ``people.yaml`` and ``communities.yaml``; record every problem."""
    people_path = config.content_path / "people.yaml"
    communities_path = config.content_path / "communities.yaml"
    raw_people, people_lines = _load_list(people_path, problems)
    raw_comms, comm_lines = _load_list(communities_path, problems)
    communities = _validate_all(CommunityFields, raw_comms, communities_path, comm_lines, problems)
    people = _validate_all(PersonFields, raw_people, people_path, people_lines, problems)
    person_ids = _unique(people, people_path, people_lines, problems)
    community_ids = _unique(communities, communities_path, comm_lines, problems)
    for index, person in people:
        _check_refs(
            person.communities,
            community_ids,
            "community",
            people_path,
            people_lines,
            (index, "communities"),
            problems,
        )
    for index, comm in communities:
        _check_refs(
            comm.leaders,
            person_ids,
            "person",
            communities_path,
            comm_lines,
            (index, "leaders"),
            problems,
        )
    return Directory(
        people=tuple(Person(**p.model_dump()) for _, p in people),
        communities=tuple(Community(**c.model_dump()) for _, c in communities),
    )


def _validate_all(
    model: type[F],
    raws: list[Any],
    path: Path,
    lines: LineMap,
    problems: list[Problem],
) -> list[tuple[int, F]]:
    """Validate every entry of a YAML list, keeping each valid one with its index."""
    valid = []
    for index, raw in enumerate(raws):
        parsed, found = validate(model, raw, path, lines, (index,))
        problems.extend(found)
        if parsed is not None:
            valid.append((index, parsed))
    return valid


def _check_refs(
    ids: tuple[str, ...],
    known: set[str],
    kind: str,
    path: Path,
    lines: LineMap,
    key: tuple[int, str],
    problems: list[Problem],
) -> None:
    """Report every id in ``ids`` that is not ``known``, at its own line."""
    for pos, value in enumerate(ids):
        if value not in known:
            line = lines.get((*key, pos))
            message = _unknown(kind, value, known)
            problems.append(Problem(path, line, message, f"[{key[0]}].{key[1]}"))


def _unique(
    records: Iterable[tuple[int, PersonFields | CommunityFields]],
    path: Path,
    lines: LineMap,
    problems: list[Problem],
) -> set[str]:
    seen: set[str] = set()
    for index, record in records:
        if record.id in seen:
            problems.append(
                Problem(path, lines.get((index, "id")), f"duplicate id '{record.id}'", "id")
            )
        seen.add(record.id)
    return seen


def _unknown(kind: str, value: str, known: set[str]) -> str:
    import difflib

    guess = difflib.get_close_matches(value, sorted(known), n=1)
    hint = f" (did you mean '{guess[0]}'?)" if guess else ""
    return f"unknown {kind} id '{value}'{hint}"


def post_files(config: SiteConfig) -> list[Path]:
    """Every post file, in a stable order."""
    root = config.content_path / "posts"
    return sorted(root.rglob("*.md")) if root.is_dir() else []


def parse_post(
    text: str,
    path: Path,
    config: SiteConfig,
    render: MarkdownRenderer,
) -> tuple[Post | None, list[Problem], LineMap]:
    """Front matter + Markdown → a Post, or the problems that prevent it."""
    try:
        raw_yaml, body, body_line = split_front_matter(text)
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
    body_html = render(body)
    summary = fields.summary.strip() if fields.summary else ""
    if not summary:
        summary = excerpt(body_html, config.summary_words)
    post = Post(
        slug=slugify(path.stem),
        source=path,
        title=fields.title,
        date=to_utc(fields.date, tz),
        body_html=body_html,
        summary=summary,
        author=fields.author,
        tags=tuple(dict.fromkeys(t.strip().lower() for t in fields.tags if t.strip())),
        community=fields.community,
        draft=fields.draft,
        pinned=fields.pinned,
        event=event,
        event_ref=fields.event_ref,
    )
    del body_line
    return post, [], lines


# What a long-lived process (``veille serve``) remembers of each post file between
# builds: path → (post cache fingerprint, (mtime, size, inode, ctime), parsed form).
StatMemo = dict[str, tuple[str, tuple[int, int, int, int], "Parsed"]]


def load_posts(
    config: SiteConfig,
    directory: Directory,
    problems: list[Problem],
    drafts: bool = False,
    memo: StatMemo | None = None,
) -> tuple[Post, ...]:
    """Read every post (from the post cache when unchanged); check references between posts."""
    person_ids = {p.id for p in directory.people}
    community_ids = {c.id for c in directory.communities}
    posts: list[tuple[Post, LineMap]] = []
    for path, parsed in _parse_files(config, post_files(config), memo):
        problems.extend(parsed.problems)
        post, lines = parsed.post, parsed.lines
        if post is None:
            continue
        if post.author is not None and post.author not in person_ids:
            problems.append(
                Problem(
                    path,
                    lines.get(("author",)),
                    _unknown("person", post.author, person_ids),
                    "author",
                )
            )
        if post.community is not None and post.community not in community_ids:
            problems.append(
                Problem(
                    path,
                    lines.get(("community",)),
                    _unknown("community", post.community, community_ids),
                    "community",
                )
            )
        posts.append((post, lines))
    by_slug: dict[str, Post] = {}
    for post, _ in posts:
        if post.slug in by_slug:
            first = by_slug[post.slug].source
            problems.append(
                Problem(
                    post.source, 1, f"duplicate slug '{post.slug}' (also used by {display(first)})"
                )
            )
        by_slug.setdefault(post.slug, post)
    meetups = {p.slug for p, _ in posts if p.event is not None}
    for post, lines in posts:
        if post.event_ref is not None and post.event_ref not in meetups:
            problems.append(
                Problem(
                    post.source,
                    lines.get(("event_ref",)),
                    _unknown("meetup", post.event_ref, meetups),
                    "event_ref",
                )
            )
    return tuple(p for p, _ in posts if drafts or not p.draft)


def _parse_files(
    config: SiteConfig, paths: list[Path], memo: StatMemo | None = None
) -> list[tuple[Path, Parsed]]:
    """Each file parsed, in order: from ``memo`` if its status is unchanged, else from
    the post cache, else parsed (in parallel if many)."""
    cache = PostCache.for_site(config)
    root = config.content_path / "posts"
    # Names relative to the posts folder, by string: pathlib is slow at 10,000 files.
    names = [path.relative_to(root).as_posix() for path in paths[:1]]
    prefix = str(paths[0])[: -len(names[0])] if names else ""
    names = [str(path)[len(prefix) :].replace(os.sep, "/") for path in paths]
    results: list[Parsed | None] = []
    todo: list[tuple[int, str, str, str]] = []  # (index, name, key, text)
    status: dict[int, tuple[int, int, int, int]] = {}
    for index, path in enumerate(paths):
        name = names[index]
        if memo is not None:
            try:
                found = os.stat(path)
            except OSError:
                found = None
            if found is not None:
                status[index] = (found.st_mtime_ns, found.st_size, found.st_ino, found.st_ctime_ns)
                known = memo.get(name)
                if known is not None and known[:2] == (cache.fingerprint, status[index]):
                    results.append(known[2])
                    continue
        data, text, problem = _read_post(path)
        if text is None:
            results.append(Parsed(None, (problem,) if problem else (), {}))
            continue
        key = content_key(cache.fingerprint, data)
        parsed = cache.get(name, key, path)
        results.append(parsed)
        if parsed is None:
            todo.append((index, name, key, text))
        elif memo is not None and index in status:
            memo[name] = (cache.fingerprint, status[index], parsed)
    fresh = _parse_many(config, [(text, str(paths[i])) for i, _, _, text in todo])
    for (index, name, key, _), parsed in zip(todo, fresh, strict=True):
        results[index] = parsed
        cache.put(name, key, parsed)
        if memo is not None and index in status:
            memo[name] = (cache.fingerprint, status[index], parsed)
    cache.save(set(names))
    cache.close()
    if memo is not None:
        for gone in set(memo) - set(names):
            del memo[gone]
    log.info("posts: %d from the cache, %d parsed", cache.hits, len(todo))
    return [(path, parsed) for path, parsed in zip(paths, results, strict=True) if parsed]


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
        kept: LineMap = {k: v for k, v in lines.items() if len(k) == 1 and k[0] in _LINE_KEYS}
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
