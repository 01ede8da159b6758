"""``content/collections/<slug>.yaml`` → ``Collection`` records, checked against the site.

A collection gathers published items (``thread: PATH``) and other links (``url: URL``),
each with an optional Markdown note. Every problem of every file is collected (file,
line, key) with a "did you mean" for an unknown item path, owner or community, so an
editor fixes them all in one pass. Which paths are published is the caller's to say.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection as Known
from pathlib import Path

from pydantic import field_validator, model_validator

from generator.config import SiteConfig
from generator.errors import ContentError, Problem
from generator.markup import MarkdownRenderer
from generator.model import Collection, CollectionEntry
from generator.people import Directory, unknown_id
from generator.sanitize import safe_url
from generator.sources.content import DateLike, _parse_when, to_utc
from generator.text import slugify
from generator.yamlfile import (
    LineMap,
    StrictModel,
    YamlSyntaxError,
    dotted,
    nonempty,
    parse_yaml,
    validate,
)

COLLECTIONS_DIR = "collections"


class EntryFields(StrictModel):
    """One entry of ``items``: exactly one of ``thread`` and ``url``."""

    thread: str | None = None
    url: str | None = None
    title: str | None = None
    note: str = ""

    @field_validator("url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and safe_url(value) != value.strip():
            raise ValueError("expected an http(s) URL")
        return value.strip() if value is not None else None

    @model_validator(mode="after")
    def _one_target(self) -> EntryFields:
        if (self.thread is None) == (self.url is None):
            raise ValueError("expected exactly one of 'thread' (an item path) or 'url'")
        if self.title is not None and self.thread is not None:
            raise ValueError("'title' is for a 'url' entry; an item keeps its own title")
        return self


class CollectionFields(StrictModel):
    """The keys of a collection file."""

    title: str
    date: DateLike
    owner: str
    description: str = ""
    community: str | None = None
    items: tuple[EntryFields, ...]

    _date = field_validator("date", mode="before")(_parse_when)

    _nonempty = field_validator("title", "owner")(nonempty)

    @field_validator("items")
    @classmethod
    def _some(cls, value: tuple[EntryFields, ...]) -> tuple[EntryFields, ...]:
        if not value:
            raise ValueError("must list at least one item")
        return value


def collection_files(config: SiteConfig) -> list[Path]:
    """Every collection file of the site, in a stable order."""
    root = config.content_path / COLLECTIONS_DIR
    return sorted(root.glob("*.yaml")) if root.is_dir() else []


def load_collections(
    config: SiteConfig, directory: Directory, published: Known[str]
) -> tuple[Collection, ...]:
    """Read every collection; raise ContentError listing every problem of every file."""
    problems: list[Problem] = []
    people = {p.id for p in directory.people}
    communities = {c.id for c in directory.communities}
    render = MarkdownRenderer(use="note")
    found: dict[str, Collection] = {}
    for path in collection_files(config):
        fields, lines = _read(path, problems)
        if fields is None:
            continue
        before = len(problems)
        if fields.owner not in people:
            message = unknown_id("person", fields.owner, people)
            problems.append(Problem(path, lines.get(("owner",)), message, "owner"))
        if fields.community is not None and fields.community not in communities:
            message = unknown_id("community", fields.community, communities)
            problems.append(Problem(path, lines.get(("community",)), message, "community"))
        entries = _entries(fields, path, lines, published, render, problems)
        slug = slugify(path.stem)
        if slug in found:
            message = f"duplicate slug '{slug}' (also used by {found[slug].source.name})"
            problems.append(Problem(path, 1, message))
        if len(problems) > before:
            continue
        found[slug] = Collection(
            slug=slug,
            source=path,
            title=fields.title,
            date=to_utc(fields.date, config.tz),
            owner=fields.owner,
            description_html=render(fields.description) if fields.description.strip() else "",
            community=fields.community,
            entries=entries,
        )
    if problems:
        raise ContentError(sorted(problems, key=lambda p: (str(p.path), p.line or 0)))
    return tuple(sorted(found.values(), key=lambda c: (c.date, c.slug), reverse=True))


def _read(path: Path, problems: list[Problem]) -> tuple[CollectionFields | None, LineMap]:
    try:
        data, lines = parse_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(path, None, f"cannot read: {exc}"))
        return None, {}
    except YamlSyntaxError as exc:
        problems.append(Problem(path, exc.line, exc.message))
        return None, {}
    if not isinstance(data, dict):
        problems.append(Problem(path, 1, "expected a mapping with title, owner, date and items"))
        return None, lines
    fields, found = validate(CollectionFields, data, path, lines)
    problems.extend(found)
    return fields, lines


def _entries(
    fields: CollectionFields,
    path: Path,
    lines: LineMap,
    published: Known[str],
    render: MarkdownRenderer,
    problems: list[Problem],
) -> tuple[CollectionEntry, ...]:
    entries = []
    seen: set[str] = set()
    for index, entry in enumerate(fields.items):
        thread = _as_path(entry.thread) if entry.thread is not None else None
        key: tuple[str | int, ...] = ("items", index, "thread")
        if thread is not None and thread not in published:
            message = _unknown_item(thread, published)
            problems.append(Problem(path, lines.get(key), message, dotted(key)))
        elif thread is not None and thread in seen:
            message = f"'{thread}' is listed twice"
            problems.append(Problem(path, lines.get(key), message, dotted(key)))
        if thread is not None:
            seen.add(thread)
        note = render(entry.note) if entry.note.strip() else ""
        entries.append(CollectionEntry(thread, entry.url, (entry.title or "").strip(), note))
    return tuple(entries)


def _as_path(value: str) -> str:
    """An item path as the wall publishes it: ``posts/2026/x`` → ``/posts/2026/x/``."""
    return "/" + value.strip().strip("/") + "/"


def _unknown_item(path: str, published: Known[str]) -> str:
    guess = difflib.get_close_matches(path, sorted(published), n=1)
    hint = f" (did you mean '{guess[0]}'?)" if guess else ""
    return f"no published item at '{path}'{hint}"
