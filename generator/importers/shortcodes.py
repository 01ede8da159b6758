"""WordPress shortcodes in post bodies → HTML where the meaning is obvious, else reported.

``[caption]`` becomes a ``<figure>``, ``[gallery]`` the images of its attachments,
``[embed]`` a link. Any other shortcode stays visible in the text and is reported.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

_CAPTION = re.compile(r"\[(caption|wp_caption)([^\]]*)\](.*?)\[/\1\]", re.S | re.I)
_IMAGE_PART = re.compile(r"^\s*((?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?)(.*)$", re.S | re.I)
_GALLERY = re.compile(r"\[gallery([^\]]*)\]", re.I)
_EMBED = re.compile(r"\[embed([^\]]*)\]\s*(.*?)\s*\[/embed\]", re.S | re.I)
_ATTR = re.compile(r"""([\w-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s\]]+))""")
# A shortcode: [name attr=...], [name]...[/name], or a bare [name] of a known family.
_OPEN = re.compile(r"\[([a-zA-Z][\w-]*)(\s+[^\]\[]*?)?\s*/?\]")
_KNOWN_BARE = frozenset(
    {"audio", "video", "playlist", "code", "sourcecode", "contact-form", "toc", "more"}
)


@dataclass(frozen=True, slots=True)
class GalleryImage:
    """One image of a gallery: its URL and its title (for ``alt``)."""

    url: str
    title: str


@dataclass(frozen=True, slots=True)
class Converted:
    """A body after conversion, with the shortcodes left as they were (name, line offset)."""

    body: str
    left: tuple[tuple[str, int], ...]


def attributes(text: str) -> dict[str, str]:
    """``id="x" width=300`` → {"id": "x", "width": "300"}."""
    return {m[1].lower(): m[2] or m[3] or m[4] or "" for m in _ATTR.finditer(text)}


def _caption(match: re.Match[str]) -> str:
    attrs = attributes(match[2])
    inner = match[3]
    found = _IMAGE_PART.match(inner)
    if found is None:
        return match[0]  # no image inside: not a caption we understand, left visible
    image, text = found[1], found[2].strip() or html.escape(attrs.get("caption", ""))
    caption = f"<figcaption>{text}</figcaption>" if text else ""
    return f"<figure>{image}{caption}</figure>"


def convert(
    body: str,
    gallery: Callable[[list[str]], list[GalleryImage]],
) -> Converted:
    """Convert the shortcodes we understand; ``gallery`` maps attachment ids (or [] for
    "this post's attachments") to images."""
    body = _CAPTION.sub(_caption, body)

    def gallery_html(match: re.Match[str]) -> str:
        ids = [i.strip() for i in attributes(match[1]).get("ids", "").split(",") if i.strip()]
        images = gallery(ids)
        if not images:
            return match[0]
        tags = "\n".join(
            f'<img src="{html.escape(i.url)}" alt="{html.escape(i.title)}" />' for i in images
        )
        return f"<figure>\n{tags}\n</figure>"

    body = _GALLERY.sub(gallery_html, body)

    def embed(match: re.Match[str]) -> str:
        url = match[2].strip() or attributes(match[1]).get("src", "")
        if not url.startswith(("http://", "https://")):
            return match[0]
        safe = html.escape(url)
        return f'<p><a href="{safe}">{safe}</a></p>'

    body = _EMBED.sub(embed, body)
    return Converted(body, tuple(leftovers(body)))


def leftovers(body: str) -> list[tuple[str, int]]:
    """Shortcodes still in ``body``: (the opening tag, its line within the body, from 0)."""
    found = []
    for match in _OPEN.finditer(body):
        name = match[1].lower()
        closed = f"[/{name}]" in body.lower()
        if (match[2] and "=" in match[2]) or closed or name in _KNOWN_BARE:
            if body[match.end() : match.end() + 1] == "(":
                continue  # a Markdown link, not a shortcode
            found.append((match[0], body.count("\n", 0, match.start())))
    return found


def gallery_from(
    attachments: Mapping[str, GalleryImage], children: list[str]
) -> Callable[[list[str]], list[GalleryImage]]:
    """A gallery resolver: ids → images; no ids → the post's own attachments."""

    def resolve(ids: list[str]) -> list[GalleryImage]:
        wanted = ids or children
        return [attachments[i] for i in wanted if i in attachments]

    return resolve
