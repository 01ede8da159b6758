"""Comment Markdown → safe HTML, rendered once at write time (never on read).

The kernel's Markdown facade with its ``comment`` use: CommonMark with raw HTML
escaped (markdown-it), then the comment profile of the one allowlist
(``generator/sanitize.py``), so no script, event handler, ``javascript:``/``data:``
URL or style survives, and links carry ``rel="nofollow ugc"``. ``@id`` of a person of
``people.yaml`` links to their page on the wall, as in the build's snapshot.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from generator.markup import MarkdownRenderer

_COMMENT = MarkdownRenderer(use="comment")  # stateless between documents: shared safely


def render_comment(body: str) -> str:
    """Render a comment's Markdown to sanitised HTML (no mentions linked)."""
    return _COMMENT(body)


def comment_renderer(person_ids: frozenset[str], base_url: str) -> MarkdownRenderer:
    """The site's comment renderer: mentions of its people link to ``/people/<id>/``."""
    base_path = urlsplit(base_url).path.rstrip("/")
    return MarkdownRenderer(use="comment", mentions=person_ids, people_path=f"{base_path}/people/")
