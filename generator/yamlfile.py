"""YAML with line numbers: parse text into data plus a map from key paths to lines.

Every YAML input (site.yaml, front matter, people, communities, curation) goes
through here so that each problem can name the file and line a user must edit.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from generator.errors import Problem

try:  # the C loader reads front matter about 9x faster
    _Base: type[yaml.SafeLoader | yaml.CSafeLoader] = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Base = yaml.SafeLoader


class _Loader(_Base):  # type: ignore[valid-type,misc]
    """Safe loading, with dates left as text so that a bad date is reported, not raised."""

    yaml_implicit_resolvers = {  # noqa: RUF012 - PyYAML's class-level table
        first: [(tag, regexp) for tag, regexp in resolvers if not tag.endswith(":timestamp")]
        for first, resolvers in _Base.yaml_implicit_resolvers.items()
    }


KeyPath = tuple[str | int, ...]
LineMap = dict[KeyPath, int]
M = TypeVar("M", bound=BaseModel)


class YamlSyntaxError(Exception):
    """The text is not valid YAML; carries the 1-based line of the fault."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


def parse_yaml(text: str, line_offset: int = 0) -> tuple[Any, LineMap]:
    """Parse YAML safely; return the data and the 1-based line of every key path."""
    try:
        node = yaml.compose(text, Loader=_Loader)
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + line_offset if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        if problem.startswith("mapping values are not allowed") and mark is not None:
            source = text.splitlines()[mark.line : mark.line + 1]
            problem += _quote_hint(source[0] if source else "")
        raise YamlSyntaxError(line, f"invalid YAML: {problem}") from None
    except (yaml.YAMLError, ValueError, TypeError) as exc:
        raise YamlSyntaxError(None, f"invalid YAML: {exc}") from None
    lines: LineMap = {}
    if node is not None:
        _walk(node, (), lines, line_offset)
    return data, lines


_KEY_VALUE = re.compile(r"^\s*(?:-\s+)?(?P<key>[\w-]+):\s+(?P<value>.*?)\s*$")


def _quote_hint(source: str) -> str:
    """How to write a value holding ``: `` (which YAML reads as a nested mapping)."""
    found = _KEY_VALUE.match(source)
    if found is None:
        return "; quote a value that contains ': '"
    value = found["value"].replace("\\", "\\\\").replace('"', '\\"')
    return f"; quote a value that contains ': ', as in {found['key']}: \"{value}\""


def _walk(node: yaml.Node, path: KeyPath, lines: LineMap, offset: int) -> None:
    lines.setdefault(path, node.start_mark.line + 1 + offset)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node)
            _walk(value_node, (*path, key), lines, offset)
            lines[(*path, key)] = key_node.start_mark.line + 1 + offset
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, offset)


def line_of(lines: LineMap, path: Sequence[str | int]) -> int | None:
    """The line of the deepest known prefix of ``path``."""
    key = tuple(path)
    while key:
        if key in lines:
            return lines[key]
        key = key[:-1]
    return lines.get(())


def dotted(path: Sequence[str | int]) -> str:
    """``("feeds", 2, "url")`` → ``feeds[2].url``, as a user reads it."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def validate(
    model: type[M],
    data: Any,
    source: Path | str,
    lines: LineMap,
    prefix: KeyPath = (),
    context: Mapping[str, Any] | None = None,
) -> tuple[M | None, list[Problem]]:
    """Validate ``data`` against a pydantic model; every problem names file, line and key."""
    try:
        return model.model_validate(data, context=dict(context or {})), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = (*prefix, *(p for p in err["loc"] if isinstance(p, (str, int))))
            message = _message(err, model, loc[len(prefix) :])
            problems.append(Problem(source, line_of(lines, loc), message, dotted(loc)))
        problems.sort(key=lambda p: p.line or 0)
        return None, problems


def _message(err: Any, model: type[BaseModel], loc: KeyPath) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        known = _known_fields(model, loc[:-1])
        guess = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f" (did you mean '{guess[0]}'?)" if guess else ""
        return f"unknown key{hint}; expected one of: {', '.join(sorted(known))}"
    if kind == "missing":
        return "required"
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    value = err.get("input")
    if kind not in {"missing"} and isinstance(value, (str, int, float)) and len(str(value)) < 60:
        return f"{msg}, got {value!r}"
    return msg


def _known_fields(model: type[BaseModel], loc: KeyPath) -> list[str]:
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        current = _inner_model(field.annotation)
    fields = getattr(current, "model_fields", {})
    return [f.alias or name for name, f in fields.items() if not f.exclude]


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


class StrictModel(BaseModel):
    """The base of every content schema: frozen, and an unknown key is an error."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def nonempty(value: str) -> str:
    """A pydantic validator: the value stripped, and an error if nothing is left."""
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()
