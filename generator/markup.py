"""Markdown → HTML for posts.

Two engines behind one interface (``markdown_engine`` in site.yaml): Python-Markdown
(the default, with "extra") and cmark-gfm (GitHub Flavored Markdown, ~30x faster).
With either, headings are shifted so that a body never competes with the page's
own ``<h1>``, and every heading gets the same slug ``id``. Posts are trusted, so
raw HTML passes through with both engines.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from typing import Any, Literal

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import unique
from markdown.treeprocessors import Treeprocessor

from generator.text import heading_slug

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
Engine = Literal["python-markdown", "cmarkgfm"]
ENGINES: tuple[Engine, ...] = ("python-markdown", "cmarkgfm")
_CMARK_EXTENSIONS = ["table", "autolink", "strikethrough", "tasklist"]


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
    """Renders many documents with one engine instance, reset between documents."""

    def __init__(self, engine: Engine = "python-markdown") -> None:
        self.engine = engine
        self._md = make_markdown() if engine == "python-markdown" else None

    def __call__(self, text: str) -> str:
        if self._md is None:
            return render_cmarkgfm(text)
        self._md.reset()
        return self._md.convert(text)


def engine_version(engine: Engine) -> str:
    """The engine and its library version, part of every cache key of rendered Markdown."""
    if engine == "cmarkgfm":
        from importlib.metadata import version

        return f"cmarkgfm {version('cmarkgfm')}"
    return f"python-markdown {markdown.__version__}"


def render_cmarkgfm(text: str) -> str:
    """GitHub Flavored Markdown (tables, strikethrough, autolinks, footnotes), raw HTML kept."""
    import cmarkgfm  # type: ignore[import-untyped]
    from cmarkgfm.cmark import Options  # type: ignore[import-untyped]

    # Not cmark's "tagfilter": posts are trusted, as with Python-Markdown. Without
    # GITHUB_PRE_LANG, fenced code is <pre><code class="language-x">, as with "extra".
    options = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
    body: str = cmarkgfm.markdown_to_html_with_extensions(
        text, options=options, extensions=_CMARK_EXTENSIONS
    )
    return _shift_and_name_headings(body)


def _shift_and_name_headings(body: str) -> str:
    """What ``_ShiftHeadings`` and the toc extension do, on cmark's attribute-less headings."""
    levels = [int(m.group(1)) for m in _HEADING.finditer(body)]
    if not levels:
        return body
    shift = max(0, 2 - min(levels))
    used: set[str] = set()
    counters: dict[str, int] = {}

    def heading(match: re.Match[str]) -> str:
        level = min(6, int(match.group(1)) + shift)
        inner = match.group(2)
        name = html.unescape(_TAG.sub("", inner)).strip()
        ident = unique(heading_slug(name), used, counters)
        return f'<h{level} id="{html.escape(ident)}">{inner}</h{level}>'

    return _HEADING.sub(heading, body)
