"""Text rules shared by every stage: HTML → plain text, excerpts, truncation, slugs.

Kernel, pure, and importing nothing of Veille, so that the wall, the feeds, the
newsletter and the pages agree on one excerpt and one slug for the same input.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from html.parser import HTMLParser

from babel import Locale
from markdown.extensions.toc import slugify as _toc_slugify

# C0 and C1 controls except tab and newlines, lone surrogates, noncharacters.
CONTROL_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
# Elements whose content is never visible text of a fragment: executable, styling or
# embedded documents, and form controls whose text would read as part of the page.
INVISIBLE_TAGS = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "frame", "frameset",
        "object", "embed", "applet", "svg", "math", "select", "textarea", "button",
        "title", "head", "audio", "video", "canvas", "map",
    }
)  # fmt: skip
# Elements that separate words: their boundaries become spaces in plain text.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details",
        "div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
        "summary", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
_SPACE = re.compile(r"\s+")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def strip_controls(text: str) -> str:
    """``text`` without control characters (tab and newlines are kept)."""
    return CONTROL_CHARS.sub("", text)


_BREAK = "\x00"  # a block boundary; a control character, so never in extracted text


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in INVISIBLE_TAGS:
            self._skip += 1
        elif tag in BLOCK_TAGS:
            self.parts.append(_BREAK)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append(_BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag in INVISIBLE_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append(_BREAK)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(strip_controls(data))


def _blocks(fragment: str) -> list[str]:
    """The visible text of each block of ``fragment``, whitespace folded, empty ones dropped."""
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    blocks = (_SPACE.sub(" ", block).strip() for block in "".join(parser.parts).split(_BREAK))
    return [block for block in blocks if block]


def plain_text(fragment: str) -> str:
    """The visible text of an HTML fragment on one line: tags dropped, entities decoded once."""
    if "<" not in fragment and "&" not in fragment:
        return _SPACE.sub(" ", strip_controls(fragment)).strip()
    return " ".join(_blocks(fragment))


def plain_paragraphs(fragment: str) -> str:
    """The visible text of an HTML fragment, one paragraph per block (for email text parts)."""
    # A newline inside text is a soft break (a space in HTML); only blocks make paragraphs.
    return "\n\n".join(_blocks(fragment))


def truncate_words(text: str, words: int) -> str:
    """The first ``words`` words of ``text``; when cut, trailing ``.,;:`` give way to "…".

    The one excerpt rule: the wall, the feeds and the newsletter cut the same way.
    """
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(".,;:") + "…"


_CHUNK = 2048  # characters of HTML read at a time by ``excerpt``


def excerpt(fragment: str, words: int) -> str:
    """The first ``words`` words of an HTML fragment's visible text, as plain text.

    The same as ``truncate_words(plain_text(fragment), words)``, but it stops reading a
    long body once two words more than needed are out: the first ``words`` are then
    complete, and one more shows the text was cut.
    """
    if "<" not in fragment and "&" not in fragment:
        return truncate_words(plain_text(fragment), words)
    parser = _TextExtractor()
    for start in range(0, len(fragment), _CHUNK):
        parser.feed(fragment[start : start + _CHUNK])
        if len("".join(parser.parts).replace(_BREAK, " ").split()) > words + 1:
            break
    else:
        parser.close()
    text = "".join(parser.parts).replace(_BREAK, " ")
    return truncate_words(text, words)


def truncate_chars(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters at a word boundary, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" .,;:-–—") + "…"


def excerpt_html(fragment: str, words: int) -> str:
    """``excerpt`` as one escaped HTML paragraph ("" when there is no text)."""
    text = excerpt(fragment, words)
    return f"<p>{html.escape(text, quote=False)}</p>" if text else ""


def slugify(text: str, max_chars: int | None = None, fallback: str = "item") -> str:
    """Lowercase ASCII words joined by '-' (accents dropped), whole words within ``max_chars``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = _NOT_SLUG.sub(" ", ascii_text.lower()).split()
    if max_chars is None or not words:
        return "-".join(words) or fallback
    stem = ""
    for word in words:
        if len(stem) + len(word) + 1 > max_chars:
            break
        stem = f"{stem}-{word}" if stem else word
    return stem or words[0][:max_chars]


def item_slug(title: str, feed_id: str, item_id: str, salt: int = 0) -> str:
    """``words-of-the-title-3fa2c1``: the title's slug and a short hash of the item's identity.

    ``salt`` lengthens the hash when two items of the wall would otherwise collide.
    """
    stem = slugify(title, 50, fallback="link")
    identity = f"{feed_id}\n{item_id}" + (f"\n{salt}" if salt else "")
    digest = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{stem}-{digest[: 6 + 2 * salt]}"


def heading_slug(text: str) -> str:
    """The ``id`` Python-Markdown's toc gives a heading, so that cmark's headings get the same."""
    slug: str = _toc_slugify(text, "-")
    return slug


_ENGLISH = Locale.parse("en")


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """A count and its noun for the CLI, in the plural form Babel's English rules pick.

    "1 meetup", "0 meetups", "2 people" (``plural`` when not just ``singular + "s"``).
    """
    form = _ENGLISH.plural_form(count)
    return f"{count} {singular if form == 'one' else (plural or singular + 's')}"
