"""The one HTML allowlist: whatever came from outside (feeds, Markdown) passes through here.

``sanitize_html`` keeps a small set of structural tags and attributes, allows only
``http``/``https``/``mailto`` URLs (relative ones resolved against ``base_url`` when
given), and drops script, style, embedded documents and every event handler.
Turning a fragment into plain text is ``generator.text``'s job.
"""

from __future__ import annotations

import functools
import re
import threading
import types
from typing import Any
from urllib.parse import urljoin, urlsplit

import nh3

from generator.text import INVISIBLE_TAGS, strip_controls

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
DROP_WITH_CONTENT = INVISIBLE_TAGS  # removed together with their content
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
# Syntax-highlighting classes only (Pygments' short tokens, language-*): a feed must
# not borrow the wall's own classes to pass as part of the interface.
_CLASS = re.compile(r"^(?:language-[\w+#.-]{1,30}|highlight|codehilite|hll|[a-z]{1,3}\d?)$")


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
