"""A small XML tree that remembers the line of every element, for ``file:line`` notes.

WordPress exports are foreign, often huge XML: read with expat (no DTD, no entity
declarations, so no entity expansion), names as ``prefix:local`` by namespace family.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

# Namespace URI prefixes → the prefix WXR files use, whatever their version (1.0–1.2).
_PREFIXES = (
    ("http://wordpress.org/export/", "wp"),
    ("http://purl.org/rss/1.0/modules/content/", "content"),
    ("http://purl.org/dc/elements/1.1/", "dc"),
    ("http://wellformedweb.org/CommentAPI/", "wfw"),
)


class XmlError(ValueError):
    """The document is not well-formed XML (with the line of the first problem)."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        self.message = message
        super().__init__(f"line {line}: {message}" if line else message)


@dataclass(slots=True)
class Node:
    """One element: its short name, attributes, text and children, and where it starts."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def find(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def findall(self, tag: str) -> Iterator[Node]:
        return (c for c in self.children if c.tag == tag)

    def get(self, tag: str, default: str = "") -> str:
        """The stripped text of the first child named ``tag``."""
        child = self.find(tag)
        return child.text.strip() if child is not None else default


def _short(name: str) -> str:
    if " " not in name:
        return name
    uri, local = name.split(" ", 1)
    for start, prefix in _PREFIXES:
        if uri.startswith(start):
            # the excerpt namespace lives under the wp one: http://wordpress.org/export/1.2/excerpt/
            return (
                f"excerpt:{local}" if uri.rstrip("/").endswith("excerpt") else f"{prefix}:{local}"
            )
    return f"{{{uri}}}{local}"


def parse_xml(data: bytes) -> Node:
    """The document's root element; raise XmlError on malformed XML or a DTD with entities."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Node] = []
    roots: list[Node] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        node = Node(
            _short(name), {_short(k): v for k, v in attrs.items()}, parser.CurrentLineNumber
        )
        if stack:
            stack[-1].children.append(node)
        else:
            roots.append(node)
        stack.append(node)

    def end(name: str) -> None:
        stack.pop()

    def text(data: str) -> None:
        if stack:
            stack[-1].parts.append(data)

    def entity(*args: object) -> None:
        raise XmlError(parser.CurrentLineNumber, "entity declarations are not allowed")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XmlError(exc.lineno, expat.ErrorString(exc.code)) from None
    if not roots:
        raise XmlError(None, "no root element")
    return roots[0]
