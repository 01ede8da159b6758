"""Parse built HTML pages for behaviour checks (links, headings, landmarks, scripts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit


@dataclass
class Page:
    """What a test needs to know about one HTML page."""

    links: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    headings: list[tuple[int, str]] = field(default_factory=list)
    tags: list[tuple[str, dict[str, str | None]]] = field(default_factory=list)
    text: str = ""
    lang: str | None = None

    def has(self, tag: str, **attrs: str) -> bool:
        return any(t == tag and all(a.get(k) == v for k, v in attrs.items()) for t, a in self.tags)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._heading: int | None = None
        self._heading_text: list[str] = []
        self._text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        mapping = dict(attrs)
        self.page.tags.append((tag, mapping))
        if tag == "html":
            self.page.lang = mapping.get("lang")
        if tag == "a" and mapping.get("href"):
            self.page.links.append(str(mapping["href"]))
        if tag in {"img", "script", "link"}:
            ref = mapping.get("src") or mapping.get("href")
            if ref:
                self.page.sources.append(ref)
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._heading = int(tag[1])
            self._heading_text = []
        if tag in {"script", "style"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None and tag == f"h{self._heading}":
            self.page.headings.append(
                (self._heading, " ".join("".join(self._heading_text).split()))
            )
            self._heading = None
        if tag in {"script", "style"}:
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading_text.append(data)
        if not self._skip:
            self._text.append(data)


def parse_page(path: Path) -> Page:
    return parse_html(path.read_text(encoding="utf-8"))


def parse_html(html: str) -> Page:
    """The same facts from HTML text (a page answered by a server)."""
    parser = _Parser()
    parser.feed(html)
    parser.close()
    parser.page.text = " ".join(" ".join(parser._text).split())
    return parser.page


def local_target(root: Path, href: str) -> Path | None:
    """The file a site-relative link points to, or None for external links and anchors."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    target = root / parts.path.lstrip("/")
    if parts.path.endswith("/"):
        target = target / "index.html"
    return target
