"""Front matter of static-site sources: YAML ``---``, TOML ``+++``, Pelican metadata lines.

Pure text → ``FrontMatter``: the fields, the line of each top-level key, and the
body with the line it starts on, so that every later note can name ``file:line``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.yamlfile import YamlSyntaxError, parse_yaml

_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]+\")\s*=")
_TOML_TABLE = re.compile(r"^\s*\[+\s*([A-Za-z0-9_.-]+)\s*\]+")
_META_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s*:\s?(.*)$")
_RST_FIELD = re.compile(r"^:([A-Za-z][A-Za-z0-9_ -]*):\s*(.*)$")
_RST_UNDERLINE = re.compile(r"^([=\-~`#\"^+*:.'_])\1{2,}\s*$")


class FrontMatterError(Exception):
    """The front matter cannot be read; ``line`` is 1-based in the file."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class FrontMatter:
    """A file split into fields and body; ``lines`` maps each top-level key to its line."""

    data: Mapping[str, Any]
    body: str
    body_line: int  # the 1-based line of the body's first line in the file
    syntax: str  # "yaml", "toml", "metadata", "rst" or "none"
    lines: Mapping[str, int] = field(default_factory=dict)

    def line(self, key: str) -> int:
        """The line of ``key``, or of the first line when the key is absent."""
        return self.lines.get(key, 1)


def split_front_matter(text: str, *, metadata_lines: bool = False) -> FrontMatter:
    """Split ``text``; with ``metadata_lines``, Pelican ``Key: value`` headers are read too."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    first = text.split("\n", 1)[0].rstrip()
    if first == "---":
        return _fenced(text, "---", "yaml")
    if first == "+++":
        return _fenced(text, "+++", "toml")
    if metadata_lines:
        return _metadata(text)
    return FrontMatter({}, text, 1, "none")


def split_rst(text: str) -> FrontMatter:
    """A reST document: its title (underlined) and ``:key: value`` fields, as Pelican reads."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    rows = text.split("\n")
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    index = 0
    while index < len(rows) and not rows[index].strip():
        index += 1
    if index < len(rows) and _RST_UNDERLINE.match(rows[index]):
        index += 1  # an overline
    if index + 1 < len(rows) and rows[index].strip() and _RST_UNDERLINE.match(rows[index + 1]):
        data["title"] = rows[index].strip()
        lines["title"] = index + 1
        index += 2
        if index < len(rows) and _RST_UNDERLINE.match(rows[index]):
            index += 1
    while index < len(rows) and not rows[index].strip():
        index += 1
    while index < len(rows):
        match = _RST_FIELD.match(rows[index])
        if not match:
            break
        key = match.group(1).strip().lower()
        data[key] = match.group(2).strip()
        lines[key] = index + 1
        index += 1
    return FrontMatter(data, "\n".join(rows[index:]), index + 1, "rst", lines)


def _fenced(text: str, fence: str, syntax: str) -> FrontMatter:
    rows = text.split("\n")
    end = next((i for i in range(1, len(rows)) if rows[i].rstrip() == fence), None)
    if end is None:
        raise FrontMatterError(1, f"front matter opened with '{fence}' is never closed")
    inner = "\n".join(rows[1:end])
    body = "\n".join(rows[end + 1 :])
    if syntax == "yaml":
        data, lines = _yaml(inner)
    else:
        data, lines = _toml(inner)
    return FrontMatter(data, body, end + 2, syntax, lines)


def _yaml(inner: str) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        data, linemap = parse_yaml(inner, line_offset=1)
    except YamlSyntaxError as exc:
        raise FrontMatterError(exc.line, exc.message) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise FrontMatterError(2, "front matter must be a mapping of keys to values")
    lines = {str(path[0]): line for path, line in linemap.items() if len(path) == 1}
    return {str(key): value for key, value in data.items()}, lines


def _toml(inner: str) -> tuple[dict[str, Any], dict[str, int]]:
    try:
        data = tomllib.loads(inner + "\n")
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_LINE.search(message)
        line = int(match.group(1)) + 1 if match else None
        message = f"invalid TOML: {_TOML_LINE.sub('', message).strip()}"
        raise FrontMatterError(line, message) from None
    lines: dict[str, int] = {}
    table: str | None = None
    for number, row in enumerate(inner.split("\n"), start=2):
        header = _TOML_TABLE.match(row)
        if header:
            table = header.group(1)
            lines.setdefault(table.split(".")[0], number)
            continue
        key = _TOML_KEY.match(row)
        if key and table is None:
            lines.setdefault(key.group(1).strip('"'), number)
    return data, lines


def _metadata(text: str) -> FrontMatter:
    """Pelican Markdown metadata: ``Key: value`` lines up to the first blank line."""
    rows = text.split("\n")
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    index = 0
    last: str | None = None
    while index < len(rows):
        row = rows[index]
        if not row.strip():
            break
        match = _META_LINE.match(row)
        if match:
            last = match.group(1).lower()
            data[last] = match.group(2).strip()
            lines[last] = index + 1
        elif last is not None and row.startswith((" ", "\t")):
            data[last] = f"{data[last]} {row.strip()}".strip()  # a continued value
        else:
            break
        index += 1
    if not data:
        return FrontMatter({}, text, 1, "none")
    while index < len(rows) and not rows[index].strip():
        index += 1
    return FrontMatter(data, "\n".join(rows[index:]), index + 1, "metadata", lines)
