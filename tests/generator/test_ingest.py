"""Fetching from a real HTTP server on 127.0.0.1: conditional GET, redirects, 410,
timeouts, backoff, size cap, local files, isolation of failures, and the CLI."""

from __future__ import annotations

import gzip
import re
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

import generator.feeds.ingest as ingest
from generator.commands.fetch import fetch
from generator.config import SiteConfig
from generator.feeds.cache import load_cached_feed, load_feed_items
from generator.feeds.ingest import fetch_feeds
from generator.feeds.report import (
    FetchReport,
    FetchSettings,
    Outcome,
    next_attempt,
    parse_retry_after,
)
from tests.generator.conftest import FeedSite
from tests.generator.feeds_conftest import LocalServer, Route, Seen, atom, http_date, rss20

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FAST = FetchSettings(timeout=0.5, connect_timeout=0.5)
RSS = "application/rss+xml; charset=utf-8"


def feed_doc(*numbers: int, title: str = "Item") -> bytes:
    return rss20(
        [
            {
                "title": f"{title} {n}",
                "guid": f"g{n}",
                "link": f"https://news.example/{n}",
                "date": f"Tue, {n:02d} Nov 2026 09:00:00 GMT",
            }
            for n in numbers
        ]
    )


def run(config: SiteConfig, now: datetime = NOW, **settings: Any) -> FetchReport:
    return fetch_feeds(config, replace(FAST, **settings), now=now)


def only(report: FetchReport) -> ingest.FeedReport:
    (feed,) = report.feeds
    return feed


@pytest.fixture
def count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = ingest.parse_feed

    def counting(data: bytes, feed: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(feed.id)
        return real(data, feed, *args, **kwargs)

    monkeypatch.setattr(ingest, "parse_feed", counting)
    return calls


# -- conditional GET -------------------------------------------------------------------------


def test_second_fetch_is_a_304_without_parsing(
    http_server: LocalServer, feed_site: FeedSite, count_parses: list[str]
) -> None:
    url = http_server.route("/feed", body=feed_doc(1, 2), etag='"v1"', content_type=RSS)
    config = feed_site({"id": "news", "url": url})
    first = only(run(config))
    assert first.outcome is Outcome.OK and (first.added, first.items) == (2, 2)
    path = config.cache_path / "feeds" / "news.json"
    written = (path.read_bytes(), path.stat().st_mtime_ns)
    second = only(run(config, NOW + timedelta(hours=1)))
    assert second.outcome is Outcome.NOT_MODIFIED
    assert (path.read_bytes(), path.stat().st_mtime_ns) == written  # nor any writing
    assert second.line() == "news: not modified — 2 items"
    assert count_parses == ["news"]
    assert http_server.hits("/feed")[1].headers["if-none-match"] == '"v1"'
    assert len(load_feed_items(config)) == 2


def test_last_modified_alone_gives_a_304(http_server: LocalServer, feed_site: FeedSite) -> None:
    stamp = http_date(time.time() - 3600)
    url = http_server.route("/feed", body=feed_doc(1), last_modified=stamp, content_type=RSS)
    config = feed_site({"id": "news", "url": url})
    run(config)
    assert only(run(config)).outcome is Outcome.NOT_MODIFIED
    seen = http_server.hits("/feed")[1].headers
    assert seen["if-modified-since"] == stamp and "if-none-match" not in seen


def test_validators_of_an_unusable_response_are_not_stored(
    http_server: LocalServer, feed_site: FeedSite
) -> None:
    url = http_server.route("/feed", body=b"<html><body>oops</body></html>", etag='"html"')
    config = feed_site({"id": "news", "url": url})
    assert only(run(config)).outcome is Outcome.FAILED
    run(config, NOW + timedelta(days=2))
    assert "if-none-match" not in http_server.hits("/feed")[1].headers


def test_a_new_url_in_site_yaml_starts_afresh(
    http_server: LocalServer, feed_site: FeedSite
) -> None:
    one = http_server.route("/one", body=feed_doc(1), etag='"1"', content_type=RSS)
    two = http_server.route("/two", body=feed_doc(2), etag='"1"', content_type=RSS)
    run(feed_site({"id": "news", "url": one}))
    report = only(run(feed_site({"id": "news", "url": two})))
    assert report.outcome is Outcome.OK and report.items == 2  # old items kept, one new
    assert "if-none-match" not in http_server.hits("/two")[0].headers


def test_polite_request_headers(http_server: LocalServer, feed_site: FeedSite) -> None:
    url = http_server.route("/feed", body=feed_doc(1), content_type=RSS)
    run(feed_site({"id": "news", "url": url}, base_url="https://veille.example.com/"))
    headers = http_server.hits("/feed")[0].headers
    assert re.fullmatch(
        r"Veille/\S+ \(tech-watch feed reader; \+https://veille\.example\.com/\)",
        headers["user-agent"],
    )
    assert "application/atom+xml" in headers["accept"]
    assert "gzip" in headers["accept-encoding"]


# -- redirects, 410 -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("chain", "stored"),
    [
        ([301], "/new"),
        ([308], "/new"),
        ([302], "/old"),
        ([307], "/old"),
        ([301, 302], "/hop1"),
        ([302, 301], "/old"),
    ],
)
def test_redirects(
    http_server: LocalServer, feed_site: FeedSite, chain: list[int], stored: str
) -> None:
    paths = ["/old"] + [f"/hop{i}" for i in range(1, len(chain))] + ["/new"]
    for status, here, there in zip(chain, paths, paths[1:], strict=False):
        http_server.route(
            here, status=status, headers={"Location": there}, content_type="text/plain"
        )
    http_server.route("/new", body=feed_doc(1), content_type=RSS)
    config = feed_site({"id": "news", "url": http_server.url("/old")})
    report = only(run(config))
    assert report.outcome is Outcome.OK
    cached = load_cached_feed(config, "news")
    assert cached is not None and cached.state.url == http_server.url(stored)
    assert ("moved permanently" in report.message) == (stored != "/old")
    before = len(http_server.hits("/old"))
    run(config, NOW + timedelta(hours=1))
    assert len(http_server.hits("/old")) == before + (stored == "/old")


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("/loop", "more than 5 redirects"),
        ("javascript:alert(1)", "HTTP redirect to an invalid URL"),
        ("ftp://files.example/feed", "redirected to a non-http(s) URL: ftp://files.example/feed"),
        ("http://[bad", "HTTP redirect to an invalid URL: http://[bad"),
        ("", "HTTP 301 redirect without a Location"),
    ],
)
def test_bad_redirects(
    http_server: LocalServer, feed_site: FeedSite, location: str, message: str
) -> None:
    headers = {"Location": location} if location else {}
    url = http_server.route("/loop", status=301, headers=headers, content_type="text/plain")
    report = only(run(feed_site({"id": "news", "url": url})))
    assert report.outcome is Outcome.FAILED
    assert report.message == f"{message}; kept 0 items"


def test_410_gone_stops_fetching(http_server: LocalServer, feed_site: FeedSite) -> None:
    url = http_server.route("/feed", body=feed_doc(1, 2), content_type=RSS)
    config = feed_site({"id": "news", "url": url})
    run(config)
    http_server.route("/feed", status=410, body=b"gone", content_type="text/plain")
    gone = only(run(config, NOW + timedelta(hours=1)))
    assert gone.outcome is Outcome.GONE and gone.failed
    assert gone.message.startswith("HTTP 410 Gone: no longer fetched")
    later = only(run(config, NOW + timedelta(days=30)))
    assert later.outcome is Outcome.GONE and "not fetched" in later.message
    assert len(http_server.hits("/feed")) == 2
    assert len(load_feed_items(config)) == 2  # the last good items stay
    http_server.route("/feed", body=feed_doc(1, 2, 3), content_type=RSS)
    forced = only(run(config, NOW + timedelta(days=31), force=True))
    assert forced.outcome is Outcome.OK and forced.added == 1


# -- failures, backoff -----------------------------------------------------------------------


def test_timeout_keeps_items_and_backs_off(http_server: LocalServer, feed_site: FeedSite) -> None:
    url = http_server.route("/feed", body=feed_doc(1, 2), content_type=RSS)
    config = feed_site({"id": "news", "url": url})
    run(config)
    http_server.route("/feed", body=feed_doc(1, 2), content_type=RSS, delay=5)
    started = time.perf_counter()
    failed = only(run(config, NOW + timedelta(hours=1)))
    assert time.perf_counter() - started < 4  # the server would take 5 s
    assert failed.outcome is Outcome.FAILED
    assert failed.message == "timed out after 0.5 s; kept 2 items"
    cached = load_cached_feed(config, "news")
    assert cached is not None and cached.state.failures == 1
    assert cached.state.retry_after == NOW + timedelta(hours=1, minutes=30)
    hits = len(http_server.hits("/feed"))
    skipped = only(run(config, NOW + timedelta(hours=1, minutes=10)))
    assert skipped.outcome is Outcome.BACKING_OFF and skipped.failed
    assert skipped.message == (
        "not fetched until 2026-11-20 13:30 UTC after 1 failure "
        "(last: timed out after 0.5 s); kept 2 items"
    )
    assert len(http_server.hits("/feed")) == hits
    again = only(run(config, NOW + timedelta(hours=2)))  # backoff over: tried, fails again
    assert again.outcome is Outcome.FAILED
    cached = load_cached_feed(config, "news")
    assert cached is not None and cached.state.failures == 2
    assert cached.state.retry_after == NOW + timedelta(hours=3)  # doubled
    http_server.route("/feed", body=feed_doc(1, 2), content_type=RSS)
    healed = only(run(config, NOW + timedelta(hours=4)))
    assert healed.outcome is Outcome.NOT_MODIFIED  # the same bytes as the last good fetch
    assert healed.message == "same bytes, 2 items"
    cached = load_cached_feed(config, "news")
    assert cached is not None and (cached.state.failures, cached.state.last_error) == (0, None)


def test_a_slow_drip_body_hits_the_whole_request_timeout(
    http_server: LocalServer, feed_site: FeedSite
) -> None:
    url = http_server.route("/feed", body=feed_doc(1), content_type=RSS, drip=0.05)
    started = time.perf_counter()
    report = only(run(feed_site({"id": "news", "url": url})))
    assert report.message.startswith("timed out after 0.5 s")
    assert time.perf_counter() - started < 4  # the body would take 20 s


@pytest.mark.parametrize(
    ("route", "message"),
    [
        (Route(status=500, content_type="text/plain"), "HTTP 500 Internal Server Error"),
        (Route(status=404, content_type="text/plain"), "HTTP 404 Not Found"),
        (Route(status=200, body=b""), "empty document: no feed in the response"),
        (
            Route(body=b"<!doctype html><link rel=alternate type=application/atom+xml href=/a>"),
            "an HTML page, not a feed; it advertises: {base}/a",
        ),
        (
            Route(body=b'<?xml version="1.0"?>\n<rss><chan'),
            "malformed XML: unclosed token at line 2, column 5",
        ),
    ],
)
def test_failures_are_one_clear_line(
    http_server: LocalServer, feed_site: FeedSite, route: Route, message: str
) -> None:
    url = http_server.route("/feed", route)
    report = only(run(feed_site({"id": "news", "url": url})))
    assert report.outcome is Outcome.FAILED
    assert (
        report.line() == f"news: failed — {message.format(base=http_server.base_url)}; kept 0 items"
    )


def test_retry_after_is_honoured(http_server: LocalServer, feed_site: FeedSite) -> None:
    url = http_server.route(
        "/feed", status=503, headers={"Retry-After": "7200"}, content_type="text/plain"
    )
    config = feed_site({"id": "news", "url": url})
    run(config)
    cached = load_cached_feed(config, "news")
    assert cached is not None and cached.state.retry_after == NOW + timedelta(hours=2)
    http_server.route(
        "/feed", status=429, headers={"Retry-After": http_date(NOW.timestamp() + 86400 * 30)}
    )
    run(config, NOW + timedelta(hours=3))
    cached = load_cached_feed(config, "news")
    assert cached is not None  # a month asked, a week at most
    assert cached.state.retry_after == NOW + timedelta(hours=3, days=7)


def test_connection_refused(feed_site: FeedSite) -> None:
    from tests.conftest import free_port

    report = only(run(feed_site({"id": "news", "url": f"http://127.0.0.1:{free_port()}/feed"})))
    assert report.outcome is Outcome.FAILED
    assert report.message.startswith("cannot connect: ")


def test_size_cap(http_server: LocalServer, feed_site: FeedSite) -> None:
    url = http_server.route("/big", body=feed_doc(1) + b" " * 5000, content_type=RSS)
    config = feed_site({"id": "news", "url": url})
    report = only(run(config, max_bytes=2000))
    assert report.message.startswith("too large: 5,")
    bomb = gzip.compress(feed_doc(1) + b" " * 1_000_000)
    http_server.route("/big", body=bomb, content_type=RSS, headers={"Content-Encoding": "gzip"})
    report = only(run(config, NOW + timedelta(days=3), max_bytes=100_000))
    assert report.message == "too large: more than 100,000 bytes (the cap); kept 0 items"


def test_concurrency_is_bounded(http_server: LocalServer, feed_site: FeedSite) -> None:
    lock = threading.Lock()
    active = [0, 0]  # now, peak

    def slow(seen: Seen) -> Route:
        with lock:
            active[0] += 1
            active[1] = max(active[1], active[0])
        time.sleep(0.1)
        with lock:
            active[0] -= 1
        return Route(body=feed_doc(1), content_type=RSS)

    feeds = [{"id": f"f{n}", "url": http_server.route(f"/f{n}", slow)} for n in range(6)]
    report = run(feed_site(*feeds), concurrency=2)
    assert all(f.outcome is Outcome.OK for f in report.feeds)
    assert 1 <= active[1] <= 2


# -- isolation, local files, updates ---------------------------------------------------------


def test_one_bad_feed_never_stops_the_others(
    http_server: LocalServer, feed_site: FeedSite, tmp_path: Path
) -> None:
    good = http_server.route("/good", body=feed_doc(1, 2), content_type=RSS)
    slow = http_server.route("/slow", body=feed_doc(3), content_type=RSS, delay=2)
    broken = http_server.route("/broken", body=b"\x00\x01garbage", content_type=RSS)
    html = http_server.route(
        "/html", body=b"<html><body>hi</body></html>", content_type="text/html"
    )
    error = http_server.route("/error", status=500, content_type="text/plain")
    feeds = [
        {"id": "good", "url": good},
        {"id": "slow", "url": slow},
        {"id": "broken", "url": broken},
        {"id": "html", "url": html},
        {"id": "error", "url": error},
        {"id": "missing", "url": "content/feeds/missing.xml"},
    ]
    report = run(feed_site(*feeds))
    outcomes = {f.feed_id: f.outcome for f in report.feeds}
    assert outcomes == {
        "good": Outcome.OK,
        "slow": Outcome.FAILED,
        "broken": Outcome.FAILED,
        "html": Outcome.FAILED,
        "error": Outcome.FAILED,
        "missing": Outcome.FAILED,
    }
    assert [f.feed_id for f in report.feeds] == [f["id"] for f in feeds]  # site.yaml order
    assert len(report.failures) == 5
    assert report.summary().startswith("6 feeds in ")
    assert report.summary().endswith(": 1 ok, 5 failed; 2 new items, 0 updated")


def test_local_file_feeds(feed_site: FeedSite, tmp_path: Path) -> None:
    folder = tmp_path / "site" / "content" / "feeds"
    folder.mkdir(parents=True)
    (folder / "local.xml").write_bytes(atom([{"id": "urn:1", "title": "Local", "link": "/x"}]))
    config = feed_site(
        {"id": "local", "url": "content/feeds/local.xml"},
        {"id": "gone", "url": "content/feeds/nope.xml"},
    )
    first, missing = run(config).feeds
    assert first.outcome is Outcome.OK and first.added == 1
    assert missing.message == f"no such file: {folder / 'nope.xml'}; kept 0 items"
    again = run(config, NOW + timedelta(minutes=1)).feeds
    assert again[0].outcome is Outcome.NOT_MODIFIED  # same bytes: not parsed again
    (folder / "local.xml").write_bytes(atom([{"id": "urn:1", "title": "Local!", "link": "/x"}]))
    edited = run(config, NOW + timedelta(minutes=2)).feeds
    assert edited[0].outcome is Outcome.OK and edited[0].updated == 1
    assert again[1].outcome is Outcome.FAILED  # no backoff for files
    (item,) = load_feed_items(config)
    assert item.link == "https://atom.example.org/x"  # relative to the feed's home page
    (folder / "big.xml").write_bytes(b" " * 3000)
    big = run(feed_site({"id": "big", "url": "content/feeds/big.xml"}), max_bytes=1000)
    assert only(big).message == "too large: 3,000 bytes (the cap is 1,000); kept 0 items"


def test_an_edited_item_keeps_its_page_and_is_not_new(
    http_server: LocalServer, feed_site: FeedSite
) -> None:
    url = http_server.route("/feed", body=feed_doc(1, 2), content_type=RSS)
    config = feed_site({"id": "news", "url": url})
    run(config)
    before = {i.id: i for i in load_feed_items(config)}
    http_server.route("/feed", body=feed_doc(1, 2, title="Fixed"), content_type=RSS)
    report = only(run(config, NOW + timedelta(days=1)))
    assert (report.added, report.updated) == (0, 2)
    for after in load_feed_items(config):
        assert after.title.startswith("Fixed")
        assert after.path == before[after.id].path
        assert after.first_seen == before[after.id].first_seen == NOW
        assert after.updated == NOW + timedelta(days=1)


def test_french_accents_over_http(http_server: LocalServer, feed_site: FeedSite) -> None:
    body = rss20([{"title": "Sécurité : l'été des 0-days", "guid": "1"}], encoding="iso-8859-1")
    url = http_server.route("/feed", body=body, content_type="text/xml; charset=ISO-8859-1")
    config = feed_site({"id": "fr", "url": url})
    assert only(run(config)).outcome is Outcome.OK
    assert load_feed_items(config)[0].title == "Sécurité : l'été des 0-days"


# -- the command ------------------------------------------------------------------------------


def test_cli_exit_codes_and_lines(http_server: LocalServer, feed_site: FeedSite) -> None:
    good = http_server.route("/good", body=feed_doc(1), content_type=RSS)
    bad = http_server.route("/bad", status=500, content_type="text/plain")
    config = feed_site({"id": "good", "url": good}, {"id": "bad-feed", "url": bad})
    site = str(config.source)
    runner = CliRunner()
    result = runner.invoke(fetch, ["--site", site])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok      good      1 in feed, 1 new")
    assert lines[1] == "FAILED  bad-feed  HTTP 500 Internal Server Error; kept 0 items"
    assert re.fullmatch(r"2 feeds in \d+\.\d s: 1 ok, 1 failed; 1 new item, 0 updated", lines[2])
    strict = runner.invoke(fetch, ["--site", site, "--strict", "--force"])
    assert strict.exit_code == 1
    assert "--strict: 1 feed not refreshed" in strict.stderr
    http_server.route("/bad", body=feed_doc(2), content_type=RSS)
    healed = runner.invoke(fetch, ["--site", site, "--strict"])
    assert healed.exit_code == 1  # still backing off: the cache is stale
    forced = runner.invoke(fetch, ["--site", site, "--strict", "--force"])
    assert forced.exit_code == 0, forced.output


def test_cli_config_errors_and_usage(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(fetch, ["--site", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    (tmp_path / "site.yaml").write_text("title: t\nfeeds:\n  - id: x\n    url: ftp://x\n")
    bad = runner.invoke(fetch, ["--site", str(tmp_path / "site.yaml")])
    assert bad.exit_code == 1 and "site.yaml:4" in bad.stderr
    assert runner.invoke(fetch, ["--nope"]).exit_code == 2
    (tmp_path / "site.yaml").write_text("title: t\n")
    empty = runner.invoke(fetch, ["--site", str(tmp_path / "site.yaml")])
    assert empty.exit_code == 0 and "nothing to fetch" in empty.stdout


def test_cli_never_reads_feed_text_as_markup(http_server: LocalServer, feed_site: FeedSite) -> None:
    body = b"<html><head><link rel=alternate type=application/rss+xml href='/[red]x[/red]'></head>"
    url = http_server.route("/feed", body=body, content_type="text/html")
    result = CliRunner().invoke(fetch, ["--site", str(feed_site({"id": "f", "url": url}).source)])
    assert "[red]x[/red]" in result.stdout


def test_invalid_url_in_site_yaml(feed_site: FeedSite) -> None:
    report = only(run(feed_site({"id": "news", "url": "http://127.0.0.1:99999/feed"})))
    assert report.outcome is Outcome.FAILED and report.message.startswith("invalid URL: ")


# -- hostile feeds, rendered --------------------------------------------------------------

PWN = "alert('pwned')"
HOSTILE = (
    f'<p onclick="{PWN}">Hello<script>{PWN}</script><style>body{{x:"pwned"}}</style>'
    f'<a href="javascript:{PWN}">j</a><a href=" JAVASCRIPT:{PWN}">k</a>'
    f'<img src="x" onerror="{PWN}"><img src="data:image/svg+xml,pwned">'
    f'<svg onload="{PWN}"><script>{PWN}</script></svg>'
    f'<iframe src="https://evil.example/pwned"></iframe>'
    f'<form action="https://evil.example/pwned"><input name="pwned"></form>'
    f'<object data="https://evil.example/pwned.swf"></object></p>'
)


class _Executable(HTMLParser):
    """Collects anything from the hostile feed that a browser could run."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._raw: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            url_like = name in {"href", "src", "action", "formaction", "srcset", "poster", "data"}
            if url_like and value and re.match(r"\s*(javascript|data|vbscript):", value, re.I):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in {"iframe", "object", "embed", "frame", "applet"}:
            self.found.append(f"<{tag}>")
        if tag in {"script", "style"}:
            self._raw = tag

    def handle_endtag(self, tag: str) -> None:
        self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw and "pwned" in data:
            self.found.append(f"<{self._raw}>{data}")


def executable_markup(text: str) -> list[str]:
    parser = _Executable()
    parser.feed(text)
    parser.close()
    return parser.found


def test_hostile_feeds_render_no_executable_markup(
    http_server: LocalServer, make_site: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.build import load_site, make_wall, render_context, render_site
    from generator.config import load_config
    from generator.sources.curation import load_curation
    from tests.generator.feeds_conftest import json_feed

    rss = rss20(
        [
            {
                "title": f'<script>{PWN}</script>Breaking &lt;b onmouseover="{PWN}"&gt;',
                "guid": "hostile-1",
                "link": f"javascript:{PWN}",
                "description": HOSTILE,
                "content": HOSTILE,
                "date": "Tue, 10 Nov 2026 09:00:00 GMT",
                "raw": f'<media:thumbnail url="javascript:{PWN}"/>'
                '<enclosure url="data:image/png;base64,pwned" type="image/png" length="1"/>',
            }
        ]
    )
    atom_doc = atom(
        [
            {
                "id": "urn:uuid:pwned",
                "title": f'<img src=x onerror="{PWN}">',
                "title_type": "html",
                "content": f"<script>{PWN}</script>",
                "content_type": "text",
                "updated": "2026-11-09T09:00:00Z",
            }
        ]
    )
    json_doc = json_feed(
        [
            {
                "id": "j1",
                "url": f"javascript:{PWN}",
                "title": f"<script>{PWN}</script>",
                "content_html": HOSTILE,
                "image": f"javascript:{PWN}",
                "date_published": "2026-11-08T09:00:00Z",
            }
        ]
    )
    feeds = [
        {"id": "rss", "url": http_server.route("/rss", body=rss, content_type=RSS)},
        {"id": "atom", "url": http_server.route("/atom", body=atom_doc)},
        {"id": "json", "url": http_server.route("/json", body=json_doc)},
    ]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    config = load_config(make_site(feeds=feeds))
    assert all(f.outcome is Outcome.OK for f in run(config).feeds)
    items = load_feed_items(config)
    assert len(items) == 3
    site = replace(load_site(config), feed_items=items, curation=load_curation(config))
    files = render_site(render_context(site, make_wall(site, config), config, NOW))
    pages = [f for f in files if f.path.endswith((".html", ".xml", ".json"))]
    link_pages = [f for f in pages if f.path.startswith("links/")]
    assert len(link_pages) >= 3  # each link has its own page
    for file in pages:
        text = file.data.decode("utf-8")
        if file.path.endswith(".html"):
            assert executable_markup(text) == [], file.path
        if file.path == "feed.xml":  # Atom out: its HTML content must be as safe once unescaped
            root = ElementTree.fromstring(file.data)
            for element in root.iter():
                if element.get("type") in {"html", "xhtml"}:
                    assert executable_markup(element.text or "") == [], element.tag
                href = element.get("href") or ""
                assert not re.match(r"\s*(javascript|data):", href, re.I), href


def test_a_new_parser_version_reads_feeds_anew(
    http_server: LocalServer, feed_site: FeedSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = http_server.route("/feed", body=feed_doc(1), etag='"v1"', content_type=RSS)
    config = feed_site({"id": "news", "url": url})
    run(config)
    assert only(run(config)).outcome is Outcome.NOT_MODIFIED
    monkeypatch.setattr(ingest, "PARSER_VERSION", ingest.PARSER_VERSION + 1)
    upgraded = only(run(config, NOW + timedelta(hours=1)))
    assert upgraded.outcome is Outcome.OK and upgraded.added == 0
    assert "if-none-match" not in http_server.hits("/feed")[2].headers
    assert only(run(config, NOW + timedelta(hours=2))).outcome is Outcome.NOT_MODIFIED


def test_fetch_from_a_thread_that_runs_a_loop(
    http_server: LocalServer, feed_site: FeedSite
) -> None:
    import asyncio

    url = http_server.route("/feed", body=feed_doc(1), content_type=RSS)
    config = feed_site({"id": "news", "url": url})

    async def inside() -> FetchReport:
        return run(config)  # e.g. under Playwright's sync API, which keeps a loop running

    assert only(asyncio.run(inside())).outcome is Outcome.OK


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", None),
        ("120", datetime(2026, 1, 1, 0, 2, tzinfo=UTC)),
        ("Thu, 01 Jan 2026 01:00:00 GMT", datetime(2026, 1, 1, 1, 0, tzinfo=UTC)),
        ("next tuesday", None),
        ("99999999", datetime(2026, 1, 8, tzinfo=UTC)),  # never more than a week away
    ],
)
def test_retry_after_header(value: str, expected: datetime | None) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after({"retry-after": value}, now) == expected


def test_backoff_doubles_up_to_its_cap_unless_the_server_asks_for_later() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    settings = FetchSettings()
    waits = [next_attempt(settings, n, now, None) - now for n in (1, 2, 3, 10)]
    assert waits == [timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2), timedelta(1)]
    later = now + timedelta(days=2)
    assert next_attempt(settings, 1, now, later) == later
