"""Comment Markdown → safe HTML, rendered once at write time (never on read).

markdown-it-py (CommonMark, raw HTML disabled) renders; nh3 then keeps only a
small allow-list of tags, attributes and URL schemes, so no script, event
handler, ``javascript:``/``data:`` URL or style survives.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
_SCHEMES = {"http", "https", "mailto"}

# One shared parser: markdown-it keeps no state between ``render`` calls.
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["strikethrough", "table"]
)


def sanitise_html(html: str) -> str:
    """Keep only the allow-listed tags, attributes and URL schemes."""
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes=_SCHEMES,
        link_rel="nofollow noopener noreferrer ugc",
        strip_comments=True,
    )


def render_comment(body: str) -> str:
    """Render a comment's Markdown to sanitised HTML (also used by the build's no-JS snapshot)."""
    return sanitise_html(_MD.render(body)).strip()
