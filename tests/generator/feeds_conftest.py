"""Helpers for the feed tests: a real threaded HTTP server and feed document builders."""

from __future__ import annotations

import email.utils
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape


@dataclass
class Route:
    """What the server answers on one path; ``etag``/``last_modified`` enable 304s."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0  # seconds before answering (timeouts)
    drip: float = 0.0  # seconds between body chunks of 1 byte (slow bodies)


@dataclass(frozen=True)
class Seen:
    """A request the server received."""

    method: str
    path: str
    headers: Mapping[str, str]


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 answering from a table of routes."""

    def __init__(self) -> None:
        self.routes: dict[str, Route | Callable[[Seen], Route]] = {}
        self.requests: list[Seen] = []
        self._lock = threading.Lock()
        handler = _handler_for(self)
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(
        self, path: str, route: Route | Callable[[Seen], Route] | None = None, **kw: Any
    ) -> str:
        """Set what ``path`` answers; returns its absolute URL."""
        self.routes[path] = route if route is not None else Route(**kw)
        return self.url(path)

    def hits(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> LocalServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _record(self, seen: Seen) -> None:
        with self._lock:
            self.requests.append(seen)


def _handler_for(server: LocalServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            seen = Seen("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
            server._record(seen)
            found = server.routes.get(self.path)
            if found is None:
                self._send(Route(b"not here", 404, "text/plain"))
                return
            route = found(seen) if callable(found) else found
            if route.delay:
                time.sleep(route.delay)
            if route.status == 200 and _not_modified(route, seen.headers):
                self.send_response(304)
                self._validators(route)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._send(route)

        def _validators(self, route: Route) -> None:
            if route.etag:
                self.send_header("ETag", route.etag)
            if route.last_modified:
                self.send_header("Last-Modified", route.last_modified)

        def _send(self, route: Route) -> None:
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self._validators(route)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if "Content-Length" not in route.headers:
                self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                if route.drip:
                    for index in range(len(route.body)):
                        self.wfile.write(route.body[index : index + 1])
                        self.wfile.flush()
                        time.sleep(route.drip)
                else:
                    self.wfile.write(route.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


def _not_modified(route: Route, headers: Mapping[str, str]) -> bool:
    if route.etag and headers.get("if-none-match"):
        return route.etag in [t.strip() for t in headers["if-none-match"].split(",")]
    if route.last_modified and headers.get("if-modified-since"):
        return headers["if-modified-since"] == route.last_modified
    return False


def http_date(epoch: float) -> str:
    return email.utils.formatdate(epoch, usegmt=True)


# -- feed documents ----------------------------------------------------------------------


def _x(value: str) -> str:
    return escape(value)


def rss20(
    items: Iterable[Mapping[str, Any]],
    title: str = "Test feed",
    link: str = "https://example.org/",
    encoding: str = "utf-8",
    declare: str | None = None,
    extra_ns: str = "",
) -> bytes:
    """An RSS 2.0 document; item keys: title, link, guid, description, content, date, raw."""
    parts = []
    for item in items:
        fields = []
        if "title" in item:
            fields.append(f"<title>{_x(item['title'])}</title>")
        if "link" in item:
            fields.append(f"<link>{_x(item['link'])}</link>")
        if "guid" in item:
            fields.append(f'<guid isPermaLink="false">{_x(item["guid"])}</guid>')
        if "description" in item:
            fields.append(f"<description>{_x(item['description'])}</description>")
        if "content" in item:
            fields.append(f"<content:encoded><![CDATA[{item['content']}]]></content:encoded>")
        if "date" in item:
            fields.append(f"<pubDate>{_x(item['date'])}</pubDate>")
        fields.append(item.get("raw", ""))
        parts.append("<item>" + "".join(fields) + "</item>")
    declared = declare if declare is not None else encoding
    text = (
        f'<?xml version="1.0" encoding="{declared}"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        f'xmlns:media="http://search.yahoo.com/mrss/" {extra_ns}>'
        f"<channel><title>{_x(title)}</title><link>{_x(link)}</link>"
        "<description>d</description>" + "".join(parts) + "</channel></rss>"
    )
    return text.encode(encoding)


def rss091(items: Iterable[Mapping[str, str]], title: str = "Old feed") -> bytes:
    body = "".join(
        f"<item><title>{_x(i['title'])}</title><link>{_x(i['link'])}</link>"
        f"<description>{_x(i.get('description', ''))}</description></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        '<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n'
        f'<rss version="0.91"><channel><title>{_x(title)}</title>'
        "<link>https://old.example.org/</link><description>d</description>"
        f"<language>fr</language>{body}</channel></rss>"
    ).encode("iso-8859-1")


def rss10(items: Iterable[Mapping[str, str]], title: str = "RDF feed") -> bytes:
    body = "".join(
        f'<item rdf:about="{_x(i["link"])}"><title>{_x(i["title"])}</title>'
        f"<link>{_x(i['link'])}</link><dc:date>{_x(i.get('date', ''))}</dc:date></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f'<channel rdf:about="https://rdf.example.org/"><title>{_x(title)}</title>'
        "<link>https://rdf.example.org/</link><description>d</description></channel>"
        f"{body}</rdf:RDF>"
    ).encode()


def atom(
    entries: Iterable[Mapping[str, Any]],
    title: str = "Atom feed",
    base: str | None = None,
) -> bytes:
    """An Atom 1.0 document; entry keys: id, title, title_type, link, updated, published,
    content, content_type, summary, raw."""
    parts = []
    for entry in entries:
        fields = [f"<id>{_x(entry.get('id', 'urn:uuid:0'))}</id>"]
        if "title" in entry:
            kind = entry.get("title_type", "text")
            fields.append(f'<title type="{kind}">{_x(entry["title"])}</title>')
        if "link" in entry:
            fields.append(f'<link rel="alternate" href="{_x(entry["link"])}"/>')
        for key in ("updated", "published"):
            if key in entry:
                fields.append(f"<{key}>{_x(entry[key])}</{key}>")
        if "summary" in entry:
            fields.append(f'<summary type="html">{_x(entry["summary"])}</summary>')
        if "content" in entry:
            kind = entry.get("content_type", "html")
            fields.append(f'<content type="{kind}">{_x(entry["content"])}</content>')
        fields.append(entry.get("raw", ""))
        parts.append("<entry>" + "".join(fields) + "</entry>")
    base_attr = f' xml:base="{_x(base)}"' if base else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom"{base_attr}><title>{_x(title)}</title>'
        "<id>urn:uuid:feed</id><updated>2026-11-01T00:00:00Z</updated>"
        '<link rel="alternate" href="https://atom.example.org/"/>' + "".join(parts) + "</feed>"
    ).encode()


def json_feed(items: list[dict[str, Any]], title: str = "JSON feed", **extra: Any) -> bytes:
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": "https://json.example.org/",
        "items": items,
        **extra,
    }
    return json.dumps(doc, ensure_ascii=False).encode()
