"""People and communities: ``people.yaml`` and ``communities.yaml`` → a validated Directory.

The one loader of the directory, for the build and for the comments API alike: every
problem (file, line, key) is collected, never raised, so a caller decides whether it
is fatal. The accepted keys are the fields of ``model.Person`` and ``model.Community``.
"""

from __future__ import annotations

import dataclasses
import difflib
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, create_model, field_validator

from generator.config import SiteConfig
from generator.errors import Problem
from generator.model import Community, Person
from generator.yamlfile import LineMap, StrictModel, YamlSyntaxError, nonempty, parse_yaml, validate


@dataclass(frozen=True, slots=True)
class Directory:
    """People and communities, validated against each other."""

    people: tuple[Person, ...]
    communities: tuple[Community, ...]

    def by_email(self) -> dict[str, Person]:
        """Lower-cased email → person, for the people who gave one."""
        return {p.email.strip().lower(): p for p in self.people if p.email}


def _schema(record: type[Any]) -> type[BaseModel]:
    """A strict pydantic model with the fields of a model record: its keys defined once."""
    hints = typing.get_type_hints(record)
    fields: dict[str, Any] = {
        f.name: (hints[f.name], ... if f.default is dataclasses.MISSING else f.default)
        for f in dataclasses.fields(record)
    }
    validators: dict[str, Any] = {"_names": field_validator("name", "id")(nonempty)}
    model: type[BaseModel] = create_model(
        f"{record.__name__}Fields", __base__=StrictModel, __validators__=validators, **fields
    )
    return model


_PERSON = _schema(Person)
_COMMUNITY = _schema(Community)


def load_directory(config: SiteConfig, problems: list[Problem]) -> Directory:
    """Read ``people.yaml`` and ``communities.yaml``; record every problem."""
    people_path = config.content_path / "people.yaml"
    communities_path = config.content_path / "communities.yaml"
    raw_people, people_lines = _load_list(people_path, problems)
    raw_comms, comm_lines = _load_list(communities_path, problems)
    communities = [
        (i, Community(**c.model_dump()))
        for i, c in _validate_all(_COMMUNITY, raw_comms, communities_path, comm_lines, problems)
    ]
    people = [
        (i, Person(**p.model_dump()))
        for i, p in _validate_all(_PERSON, raw_people, people_path, people_lines, problems)
    ]
    person_ids = _unique(people, people_path, people_lines, problems)
    community_ids = _unique(communities, communities_path, comm_lines, problems)
    for index, person in people:
        key = (index, "communities")
        for ref in _unknown_refs(person.communities, community_ids, "community"):
            problems.append(_at(people_path, people_lines, key, ref))
    for index, community in communities:
        key = (index, "leaders")
        for ref in _unknown_refs(community.leaders, person_ids, "person"):
            problems.append(_at(communities_path, comm_lines, key, ref))
    return Directory(
        people=tuple(p for _, p in people), communities=tuple(c for _, c in communities)
    )


SHORT_LIST = 10  # up to this many valid ids are listed in full after an unknown one


def unknown_id(kind: str, value: str, known: Iterable[str]) -> str:
    """The message for a reference to no known id: a "did you mean", and the ids when few."""
    ids = sorted(known)
    guess = difflib.get_close_matches(value, ids, n=1)
    hint = f" (did you mean '{guess[0]}'?)" if guess else ""
    if not ids:
        listed = f"; no {kind} id is defined"
    elif len(ids) <= SHORT_LIST:
        listed = f"; expected one of: {', '.join(ids)}"
    else:
        listed = ""
    return f"unknown {kind} id '{value}'{hint}{listed}"


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


def _validate_all(
    model: type[BaseModel], raws: list[Any], path: Path, lines: LineMap, problems: list[Problem]
) -> list[tuple[int, BaseModel]]:
    """Validate every entry of a YAML list, keeping each valid one with its index."""
    valid = []
    for index, raw in enumerate(raws):
        parsed, found = validate(model, raw, path, lines, (index,))
        problems.extend(found)
        if parsed is not None:
            valid.append((index, parsed))
    return valid


def _unknown_refs(ids: tuple[str, ...], known: set[str], kind: str) -> list[tuple[int, str]]:
    """(position, message) of every id in ``ids`` that is not ``known``."""
    return [
        (pos, unknown_id(kind, value, known)) for pos, value in enumerate(ids) if value not in known
    ]


def _at(path: Path, lines: LineMap, key: tuple[int, str], ref: tuple[int, str]) -> Problem:
    """A problem at the line of one entry of a list-valued key (``[3].leaders``)."""
    pos, message = ref
    return Problem(path, lines.get((*key, pos)), message, f"[{key[0]}].{key[1]}")


def _unique(
    records: Iterable[tuple[int, Person | Community]],
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
