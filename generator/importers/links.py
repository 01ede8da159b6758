"""Links in imported bodies → the new URLs: old post URLs become ``/posts/<year>/<slug>/``.

Links to pages of the old site that were not imported become absolute on its base
URL when known; anything left unresolved is reported, never silently dropped.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from generator.importers.records import Note, Where

# href/src attributes in HTML, inline Markdown links/images, reference definitions.
_HTML = re.compile(r"""(\b(?:href|src)\s*=\s*)(["'])(.*?)\2""", re.I | re.S)
_MD = re.compile(r"(\]\(\s*<?)([^()\s<>]+)")
_REF = re.compile(r"^(\s{0,3}\[[^\]]+\]:\s*<?)(\S+?)(>?)(?=\s|$)", re.M)
# A link whose target is still in the source's own syntax: its reader could not resolve
# it (already reported). It is no URL, so it stays visible as text for an editor to fix.
_UNRESOLVED = re.compile(
    r"(!?)\[([^\]]*)\]\(\s*((?:\{\{|\{%|@/|\{filename\}|\|filename\||\{static\}|\{attach\}|\{tag\})"
    r"[^)\n]*)\)"
)


def url_key(url: str) -> str:
    """A comparable form of a path on the old site: path without trailing slash, plus query."""
    parts = urlsplit(url)
    path = parts.path.rstrip("/") or "/"
    for index in ("/index.html", "/index.htm", "/index.php"):
        if path.endswith(index):
            path = path[: -len(index)] or "/"
    return path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True, slots=True)
class LinkMap:
    """Where every old URL of the imported posts now lives, and the old site's address."""

    new_urls: Mapping[str, str]  # url_key(old) → /posts/<year>/<slug>/
    base_url: str | None
    hosts: frozenset[str]

    @classmethod
    def build(cls, olds: Mapping[str, tuple[str, ...]], base_url: str | None) -> LinkMap:
        """``olds``: new URL → the old URLs of that post."""
        new_urls: dict[str, str] = {}
        hosts = {urlsplit(base_url).hostname} if base_url else set()
        for new, old_urls in olds.items():
            for old in old_urls:
                new_urls.setdefault(url_key(old), new)
                host = urlsplit(old).hostname
                if host and not base_url:
                    hosts.add(host)
        return cls(new_urls, base_url, frozenset(h for h in hosts if h))


def rewrite_links(
    body: str, links: LinkMap, post_urls: tuple[str, ...], files: frozenset[str], where: Where
) -> tuple[str, list[Note]]:
    """The body with its internal links rewritten; notes for those we could not place."""
    notes: list[Note] = []

    def fix(url: str) -> str:
        new = _resolve(url.replace("&amp;", "&"), links, post_urls, files, where, notes)
        return url if new is None else new

    body = _UNRESOLVED.sub(_as_text, body)
    body = _HTML.sub(lambda m: m[1] + m[2] + fix(m[3]) + m[2], body)
    body = _MD.sub(lambda m: m[1] + fix(m[2]), body)
    body = _REF.sub(lambda m: m[1] + fix(m[2]) + m[3], body)
    return body, notes


def _as_text(match: re.Match[str]) -> str:
    """``[text](unresolved)`` → ``text (broken link in the source: `unresolved`)``."""
    text, target = match[2], match[3].strip().replace("`", "'")
    return f"{text} (broken link in the source: `{target}`)"


def _resolve(
    url: str,
    links: LinkMap,
    post_urls: tuple[str, ...],
    files: frozenset[str],
    where: Where,
    notes: list[Note],
) -> str | None:
    if not url or url.startswith(("#", "mailto:", "tel:", "data:")) or url in files:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    if parts.scheme or parts.netloc:
        if parts.scheme not in {"http", "https", ""} or parts.hostname not in links.hosts:
            return None  # another site: not ours to change
        found = links.new_urls.get(url_key(url))
        return found + fragment if found else None  # the old site's page, already absolute
    if not url.startswith("/"):  # relative to the post's old address (../other-post/)
        for old in post_urls:
            found = links.new_urls.get(url_key(urljoin(old, url)))
            if found:
                return found + fragment
        if not post_urls:
            notes.append(Note(where, f"relative link {url} to nothing imported", "left as it was"))
            return None
        absolute = urljoin(post_urls[0], url)
        if urlsplit(absolute).hostname in links.hosts:
            notes.append(Note(where, f"link to {url}, not imported", f"pointed at {absolute}"))
            return absolute
        url = absolute
    found = links.new_urls.get(url_key(url))
    if found:
        return found + fragment
    if links.base_url:
        absolute = urljoin(links.base_url, url)
        notes.append(Note(where, f"link to {url}, not imported", f"pointed at {absolute}"))
        return absolute
    notes.append(Note(where, f"link to {url}, not imported", "left as it was"))
    return None
