"""The one HTML allowlist: whatever came from outside (feeds, Markdown, comments) passes here.

``sanitize_html`` keeps a small set of structural tags and attributes, allows only
``http``/``https``/``mailto`` URLs (relative ones resolved against ``base_url`` when
given), and drops script, style, embedded documents and every event handler. A
``Profile`` narrows the allowlist for one use (``EMAIL``, ``COMMENT``), never widens it.
Turning a fragment into plain text is ``generator.text``'s job.
"""

from __future__ import annotations

import functools
import re
import threading
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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


@dataclass(frozen=True, slots=True)
class Profile:
    """One use of the allowlist: which of its tags and attributes, and how links are kept."""

    name: str
    tags: frozenset[str]
    attributes: tuple[tuple[str, frozenset[str]], ...]
    link_rel: str | None
    absolute_links: bool = False  # every link made absolute against base_url (email)


def narrow(
    name: str,
    tags: Iterable[str],
    attributes: Mapping[str, Iterable[str]],
    link_rel: str | None,
    absolute_links: bool = False,
) -> Profile:
    """A profile keeping only ``tags`` and ``attributes`` of the one allowlist."""
    kept = frozenset(tags) & ALLOWED_TAGS
    attrs = tuple(
        (tag, frozenset(names) & frozenset(ALLOWED_ATTRIBUTES.get(tag, ())))
        for tag, names in sorted(attributes.items())
        if tag in kept
    )
    return Profile(name, kept, attrs, link_rel, absolute_links)


# Feed HTML and editors' notes on the wall: the whole allowlist.
WALL = narrow("wall", ALLOWED_TAGS, ALLOWED_ATTRIBUTES, "noopener noreferrer")
# Editors' text in an email: a few inline tags, links absolute (a mail has no base URL).
EMAIL = narrow(
    "email",
    {"a", "p", "em", "strong", "code", "ul", "ol", "li", "br", "blockquote", "b", "i"},
    {"a": {"href"}},
    None,
    absolute_links=True,
)
# Readers' comments: text structure only; their links are not endorsed by the site.
_COMMENT_TAGS = {
    "a", "p", "br", "hr", "em", "strong", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
COMMENT = narrow(
    "comment",
    _COMMENT_TAGS,
    {"a": {"href", "title"}, "ol": {"start"}},
    "nofollow noopener noreferrer ugc",
)


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


def sanitize_html(html: str, base_url: str | None = None, profile: Profile = WALL) -> str:
    """Safe HTML from untrusted HTML: allowlisted tags and attributes, http(s) links only."""
    if not html:
        return ""
    _context.base_url = base_url
    _context.absolute = profile.absolute_links
    try:
        cleaned: str = _cleaner(profile).clean(strip_controls(html))
    finally:
        _context.base_url = None
        _context.absolute = False
    return cleaned.strip()


class _Context(threading.local):
    base_url: str | None = None
    absolute: bool = False


_context = _Context()  # the base URL of the current call, read by the attribute filter


def _keep(tag: str, attribute: str, value: str) -> str | None:
    if attribute in _URL_ATTRIBUTES:
        if _context.absolute:
            return _absolute_url(value, _context.base_url)
        return _filter_url(value, _context.base_url)
    if attribute == "class":
        classes = [c for c in value.split() if _CLASS.match(c)]
        return " ".join(classes) or None
    return value


@functools.cache
def _cleaner(profile: Profile) -> Any:
    """One reusable nh3 cleaner per profile (building one costs more than most cleaning)."""
    options: dict[str, Any] = {
        "tags": set(profile.tags),
        "clean_content_tags": set(DROP_WITH_CONTENT),
        "attributes": {tag: set(names) for tag, names in profile.attributes},
        "attribute_filter": _keep,
        "url_schemes": set(URL_SCHEMES),
        "link_rel": profile.link_rel,
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


def _absolute_url(value: str, base_url: str | None) -> str | None:
    url = urljoin(base_url or "", value)
    return url if url.startswith(("http://", "https://", "mailto:")) else None
