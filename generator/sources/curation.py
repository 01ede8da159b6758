"""``content/curation.yaml`` → ``Curation`` records: editors' notes, hide, pin, tags, community.

The file maps an item's link to its annotations (a list of entries with a ``link`` key
is read too). Links are compared in the same canonical form as feed items' links.
``check_curation`` reports entries that match no cached item (for ``veille check``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict

from generator.config import Ident, SiteConfig
from generator.errors import ContentError, Problem
from generator.feeds.parse import canonical_link
from generator.markup import MarkdownRenderer
from generator.model import Curation, FeedItem
from generator.sanitize import safe_url
from generator.yamlfile import LineMap, YamlSyntaxError, dotted, line_of, parse_yaml, validate

CURATION_FILE = "curation.yaml"


class CurationFields(BaseModel):
    """One entry of curation.yaml; every field optional."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    note: str = ""
    hide: bool = False
    pin: bool = False
    tags: tuple[str, ...] = ()
    community: Ident | None = None


class _ListedFields(CurationFields):
    link: str


def curation_path(config: SiteConfig) -> Path:
    """Where the site's curation file lives."""
    return config.content_path / CURATION_FILE


def load_curation(config: SiteConfig) -> tuple[Curation, ...]:
    """Read the site's curation file (missing → ``()``); raise ContentError on any problem."""
    path = curation_path(config)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(path, None, f"cannot read: {exc}")]) from None
    return parse_curation(text, path)


def parse_curation(text: str, path: Path | str) -> tuple[Curation, ...]:
    """Validate the text of a curation file; every problem names file, line and key."""
    try:
        data, lines = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise ContentError([Problem(path, exc.line, exc.message)]) from None
    problems: list[Problem] = []
    entries: list[tuple[str, Any, tuple[str | int, ...]]] = []
    if data is None:
        return ()
    if isinstance(data, dict):
        problems.extend(_duplicate_keys(text, path))
        entries = [(str(link), fields, (str(link),)) for link, fields in data.items()]
    elif isinstance(data, list):
        for index, entry in enumerate(data):
            if isinstance(entry, dict) and "link" in entry:
                fields = {k: v for k, v in entry.items() if k != "link"}
                entries.append((str(entry["link"]), fields, (index,)))
            else:
                problems.append(Problem(path, line_of(lines, (index,)), "expected a 'link:'"))
    else:
        raise ContentError([Problem(path, 1, "expected a mapping from links to annotations")])
    records: list[Curation] = []
    seen: dict[str, int | None] = {}
    for link, fields, where in entries:
        record = _entry(link, fields, where, path, lines, problems)
        if record is None:
            continue
        if record.link in seen:
            first = seen[record.link]
            message = f"the same link is annotated twice (first at line {first})"
            problems.append(Problem(path, record.line, message, dotted(where)))
            continue
        seen[record.link] = record.line
        records.append(record)
    if problems:
        raise ContentError(sorted(problems, key=lambda p: p.line or 0))
    return tuple(records)


def _entry(
    link: str,
    fields: Any,
    where: tuple[str | int, ...],
    path: Path | str,
    lines: LineMap,
    problems: list[Problem],
) -> Curation | None:
    line = line_of(lines, where)
    safe = safe_url(link)
    if safe is None:
        problems.append(Problem(path, line, f"expected an http(s) link, got {link!r}"))
        return None
    if fields is None:
        fields = {}
    if not isinstance(fields, dict):
        problems.append(Problem(path, line, "expected a mapping of annotations", dotted(where)))
        return None
    parsed, found = validate(CurationFields, fields, path, lines, prefix=where)
    problems.extend(found)
    if parsed is None:
        return None
    return Curation(
        link=canonical_link(safe),
        note_html=render_note(parsed.note),
        hide=parsed.hide,
        pin=parsed.pin,
        tags=tuple(dict.fromkeys(t.strip() for t in parsed.tags if t.strip())),
        community=parsed.community,
        line=line,
    )


def _duplicate_keys(text: str, path: Path | str) -> list[Problem]:
    """PyYAML keeps the last of two equal keys silently; an editor must hear of it."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:  # pragma: no cover - parse_yaml already accepted the text
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    problems = []
    first: dict[str, int] = {}
    for key, _value in node.value:
        line = key.start_mark.line + 1
        if key.value in first:
            message = f"the same link is annotated twice (first at line {first[key.value]})"
            problems.append(Problem(path, line, message, str(key.value)))
        first.setdefault(key.value, line)
    return problems


def render_note(note: str) -> str:
    """An editor's Markdown note as sanitised HTML."""
    if not note.strip():
        return ""
    return MarkdownRenderer(use="note")(note)


def check_curation(
    curation: Iterable[Curation],
    items: Iterable[FeedItem],
    community_ids: set[str],
    path: Path | str = Path("content") / CURATION_FILE,
) -> list[Problem]:
    """Entries that match no cached item, or name an unknown community."""
    entries = tuple(curation)
    links = {item.link for item in items if item.link}
    problems = []
    if entries and not links:
        count = len(entries)
        message = (
            f"no feed item is cached yet, so the {count} entr{'ies' if count != 1 else 'y'} "
            "here cannot be matched: run `veille fetch` first"
        )
        problems.append(Problem(path, None, message))
    for entry in entries:
        if links and entry.link not in links:
            message = (
                f"{entry.link} matches no cached feed item (run `veille fetch`, or check the link)"
            )
            problems.append(Problem(path, entry.line, message))
        if entry.community is not None and entry.community not in community_ids:
            known = ", ".join(sorted(community_ids)) or "none defined"
            message = f"unknown community '{entry.community}' (known: {known})"
            problems.append(Problem(path, entry.line, message, "community"))
    return problems
