"""Markdown → HTML for posts, and plain-text summaries.

One Markdown instance per document (reset between uses) so that state such as
footnotes never leaks from one post to the next. Headings are shifted so that a
body never competes with the page's own ``<h1>``.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


class _ShiftHeadings(Treeprocessor):
    """Make the body's top heading level ``<h2>``, keeping the order of levels."""

    def run(self, root: ET.Element) -> None:
        found = [el for el in root.iter() if el.tag in _HEADINGS]
        if not found:
            return
        top = min(int(el.tag[1]) for el in found)
        shift = max(0, 2 - top)
        for el in found:
            el.tag = f"h{min(6, int(el.tag[1]) + shift)}"


class _HeadingsExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_ShiftHeadings(md), "veille_headings", 5)


def make_markdown() -> markdown.Markdown:
    """A configured Python-Markdown instance (tables, fenced code, footnotes, heading ids)."""
    extensions: list[Any] = [
        "extra",
        "sane_lists",
        "toc",
        _HeadingsExtension(),
    ]
    return markdown.Markdown(
        extensions=extensions,
        extension_configs={"toc": {"permalink": False}},
        output_format="html",
    )


class MarkdownRenderer:
    """Renders many documents with one instance, reset between documents."""

    def __init__(self) -> None:
        self._md = make_markdown()

    def __call__(self, text: str) -> str:
        self._md.reset()
        return self._md.convert(text)


def plain_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace folded."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip()


def truncate_words(text: str, words: int) -> str:
    """The first ``words`` words of ``text``, with an ellipsis when cut."""
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(".,;:") + "…"
