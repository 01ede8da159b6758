"""The one HTML allowlist: whatever came from outside (feeds, Markdown) passes through here.

``sanitize_html`` keeps a small set of structural tags and attributes, allows only
``http``/``https``/``mailto`` URLs (relative ones resolved against ``base_url`` when
given), and drops script, style, embedded documents and every event handler.
``plain_text`` turns a fragment into its visible text, for titles and excerpts.
"""

from __future__ import annotations

import functools
import re
import threading
import types
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del",
        "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2",
        "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
        "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
        "wbr",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "blockquote": {"cite"},
    "code": {"class"},
    "del": {"cite", "datetime"},
    "div": {"class"},
    "img": {"src", "alt", "title", "width", "height"},
    "ins": {"cite", "datetime"},
    "li": {"value"},
    "ol": {"start", "reversed"},
    "pre": {"class"},
    "q": {"cite"},
    "span": {"class"},
    "td": {"colspan", "rowspan", "headers"},
    "th": {"colspan", "rowspan", "headers", "scope"},
    "time": {"datetime"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed together with their content: executable, styling or embedded documents,
# and form controls whose text would read as part of the page.
DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "template", "noscript", "iframe", "frame", "frameset",
        "object", "embed", "applet", "svg", "math", "select", "textarea", "button",
        "title", "head", "audio", "video", "canvas", "map",
    }
)  # fmt: skip
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
# Syntax-highlighting classes only (Pygments' short tokens, language-*): a feed must
# not borrow the wall's own classes to pass as part of the interface.
_CLASS = re.compile(r"^(?:language-[\w+#.-]{1,30}|highlight|codehilite|hll|[a-z]{1,3}\d?)$")
# C0 and C1 controls except tab and newlines, lone surrogates, noncharacters.
CONTROL_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
_SPACE = re.compile(r"\s+")
_BLOCK = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details",
        "div", "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4",
        "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
        "summary", "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip


def strip_controls(text: str) -> str:
    """``text`` without control characters (tab and newlines are kept)."""
    return CONTROL_CHARS.sub("", text)


def safe_url(url: str | None, base_url: str | None = None) -> str | None:
    """``url`` made absolute against ``base_url`` if it is http(s) with a host, else None."""
    if not url:
        return None
    url = strip_controls(url).strip()
    if base_url:
        url = urljoin(base_url, url)
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return url


def sanitize_html(html: str, base_url: str | None = None) -> str:
    """Safe HTML from untrusted HTML: allowlisted tags and attributes, http(s) links only."""
    if not html:
        return ""
    _context.base_url = base_url
    try:
        cleaned: str = _cleaner().clean(strip_controls(html))
    finally:
        _context.base_url = None
    return cleaned.strip()


class _Context(threading.local):
    base_url: str | None = None


_context = _Context()  # the base URL of the current call, read by the attribute filter


def _keep(tag: str, attribute: str, value: str) -> str | None:
    if attribute in _URL_ATTRIBUTES:
        return _filter_url(value, _context.base_url)
    if attribute == "class":
        classes = [c for c in value.split() if _CLASS.match(c)]
        return " ".join(classes) or None
    return value


@functools.cache
def _cleaner() -> Any:
    """One reusable nh3 cleaner (building the allowlist costs more than most cleaning)."""
    options: dict[str, Any] = {
        "tags": set(ALLOWED_TAGS),
        "clean_content_tags": set(DROP_WITH_CONTENT),
        "attributes": {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        "attribute_filter": _keep,
        "url_schemes": set(URL_SCHEMES),
        "link_rel": "noopener noreferrer",
        "strip_comments": True,
    }
    if hasattr(nh3, "Cleaner"):
        return nh3.Cleaner(**options)
    return types.SimpleNamespace(clean=functools.partial(nh3.clean, **options))  # nh3 < 0.2.22


def _filter_url(value: str, base_url: str | None) -> str | None:
    value = value.strip()
    if value[:8].lower().startswith(("https://", "http://")):
        return value  # absolute and allowed: the common case, kept cheap
    if base_url and not value.startswith("#"):
        value = urljoin(base_url, value)
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        return None
    if scheme and scheme not in URL_SCHEMES:
        return None
    return value


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROP_WITH_CONTENT:
            self._skip += 1
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROP_WITH_CONTENT:
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def plain_text(html: str) -> str:
    """The visible text of an HTML fragment: tags dropped, entities decoded once, spaces folded."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return _SPACE.sub(" ", strip_controls(html)).strip()
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return _SPACE.sub(" ", strip_controls("".join(parser.parts))).strip()
