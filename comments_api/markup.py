"""Comment Markdown → safe HTML, rendered once at write time (never on read).

The kernel's Markdown facade with its ``comment`` use: CommonMark with raw HTML
escaped (markdown-it), then the comment profile of the one allowlist
(``generator/sanitize.py``), so no script, event handler, ``javascript:``/``data:``
URL or style survives, and links carry ``rel="nofollow ugc"``.
"""

from __future__ import annotations

from generator.markup import MarkdownRenderer

_COMMENT = MarkdownRenderer(use="comment")  # stateless between documents: shared safely


def render_comment(body: str) -> str:
    """Render a comment's Markdown to sanitised HTML."""
    return _COMMENT(body)
