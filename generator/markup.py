"""Markdown → HTML: the one facade for posts, editors' notes, newsletter intros and comments.

``MarkdownRenderer(use=...)`` decides only what must differ per use:

- ``post``: trusted authors, raw HTML kept; two engines (``markdown_engine`` in
  site.yaml): Python-Markdown (the default, with "extra") and cmark-gfm (~30x faster).
  With either, headings are shifted so that a body never competes with the page's own
  ``<h1>``, and every heading gets the same slug ``id``.
- ``note`` (curation.yaml) and ``intro`` (newsletter): editors' Markdown, then the
  wall's or the email's profile of the one allowlist (``generator.sanitize``).
- ``comment``: readers' CommonMark with raw HTML escaped (markdown-it), then the
  comment profile of the allowlist; ``@person-id`` of a known person then links to
  their page (``link_mentions``), after sanitising, so the link is ours, not the reader's.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from functools import cache
from typing import Any, Literal

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import unique
from markdown.treeprocessors import Treeprocessor

from generator.sanitize import COMMENT, EMAIL, WALL, Profile, sanitize_html
from generator.text import heading_slug

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_TAG = re.compile(r"<[^>]+>")
_HEADING = re.compile(r"<h([1-6])>(.*?)</h\1>", re.DOTALL)
Engine = Literal["python-markdown", "cmarkgfm"]
Use = Literal["post", "note", "intro", "comment"]
# Editors' text (notes and intros): the post dialect without heading ids or shifts.
_EDITOR_USES = frozenset({"note", "intro"})
_EDITOR_EXTENSIONS = ("extra", "sane_lists")
_ALLOWLIST: dict[Use, Profile | None] = {
    "post": None,  # trusted: raw HTML passes
    "note": WALL,
    "intro": EMAIL,
    "comment": COMMENT,
}
ENGINES: tuple[Engine, ...] = ("python-markdown", "cmarkgfm")
_CMARK_EXTENSIONS = ["table", "autolink", "strikethrough", "tasklist"]
# ``@id`` not glued to a word, an address or a path; ids as people.yaml allows them.
_MENTION = re.compile(r"(?<![\w@/.&])@([a-z0-9][a-z0-9_-]*[a-z0-9]|[a-z0-9])(?![\w@-])")
_SPLIT = re.compile(r"(<[^>]*>)")
_SKIP = frozenset({"a", "code", "pre"})  # a mention inside a link or code stays text
_MENTION_LINK = re.compile(r'<a class="mention" href="[^"]*/people/([a-z0-9_-]+)/">')


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
    """Renders many documents of one use, the engine reset between documents.

    ``engine`` applies to posts; editors' text always goes through Python-Markdown and
    comments through markdown-it. ``base_url`` makes an intro's links absolute. The
    comment renderer keeps no state between documents and can be shared across threads.
    """

    def __init__(
        self,
        engine: Engine = "python-markdown",
        *,
        use: Use = "post",
        base_url: str | None = None,
        mentions: frozenset[str] = frozenset(),
        people_path: str = "/people/",
    ) -> None:
        self.engine = engine
        self._mentions = mentions if use == "comment" else frozenset()
        self._people_path = people_path
        self.use = use
        self._base_url = base_url
        self._allowlist = _ALLOWLIST[use]
        self._md: markdown.Markdown | None = None
        if use in _EDITOR_USES:
            self._md = markdown.Markdown(extensions=list(_EDITOR_EXTENSIONS), output_format="html")
        elif use == "post" and engine == "python-markdown":
            self._md = make_markdown()

    def __call__(self, text: str) -> str:
        if self._md is not None:
            self._md.reset()
            body = self._md.convert(text)
        elif self.use == "comment":
            body = _commonmark().render(text)
        else:
            body = render_cmarkgfm(text)
        if self._allowlist is None:
            return body
        body = sanitize_html(body, self._base_url, self._allowlist)
        if self._mentions:
            body = link_mentions(body, self._mentions, self._people_path)
        return body


def link_mentions(body: str, people: frozenset[str], people_path: str = "/people/") -> str:
    """``@id`` of a person in ``people`` → a link to ``{people_path}{id}/``, in sanitised HTML.

    Only text outside tags, links and code changes; unknown ids stay plain text.
    """
    depth = 0
    prefix = html.escape(people_path)
    parts = _SPLIT.split(body)
    for index, part in enumerate(parts):
        if part.startswith("<"):
            name = part[1:].lstrip("/").split(None, 1)[0].rstrip(">").lower() if part[1:] else ""
            if name in _SKIP:
                depth += -1 if part.startswith("</") else 1
            continue
        if depth or "@" not in part:
            continue
        parts[index] = _MENTION.sub(
            lambda m: (
                f'<a class="mention" href="{prefix}{m.group(1)}/">@{m.group(1)}</a>'
                if m.group(1) in people
                else m.group(0)
            ),
            part,
        )
    return "".join(parts)


def mentioned_ids(body: str) -> tuple[str, ...]:
    """The person ids ``link_mentions`` linked in a comment's HTML, in order, once each."""
    return tuple(dict.fromkeys(_MENTION_LINK.findall(body)))


@cache
def _commonmark() -> Any:
    """One shared markdown-it parser: it keeps no state between ``render`` calls."""
    from markdown_it import MarkdownIt

    options = {"html": False, "linkify": False, "typographer": False}
    return MarkdownIt("commonmark", options).enable(["strikethrough", "table"])


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
