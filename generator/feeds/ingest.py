"""The only network code: fetch every feed of site.yaml into the feed cache, politely.

Feeds are fetched concurrently (a bounded number at once) with httpx: conditional GET
from the stored ETag and Last-Modified, permanent redirects remembered, 410 Gone
honoured, failures backed off, bodies capped. A local file path is read instead.
One feed's failure never stops the others; its last good items stay in the cache.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import ssl
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urljoin, urlsplit

import httpx

from generator import clock
from generator.config import FeedConfig, SiteConfig
from generator.errors import FeedError
from generator.feeds.cache import (
    CachedFeed,
    FeedState,
    SlugRegistry,
    fresh_state,
    load_all_cached,
    merge_items,
    save_cached_feed,
)
from generator.feeds.parse import PARSER_VERSION, ParsedFeed, parse_feed
from generator.feeds.report import (
    FeedReport,
    FetchReport,
    FetchSettings,
    Outcome,
    items_label,
    next_attempt,
    parse_retry_after,
    skip_report,
)
from generator.model import FeedItem

__all__ = ["FeedReport", "FetchReport", "FetchSettings", "Outcome", "fetch_feeds", "parse_job"]

log = logging.getLogger(__name__)

ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
_PERMANENT = frozenset({301, 308})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})


class _Failure(Exception):
    """A fetch failed; ``retry_after`` is the server's own hint, if any."""

    def __init__(self, message: str, retry_after: datetime | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class _Response:
    status: int
    url: str  # where the body came from, after redirects
    moved_to: str | None  # the last URL reached by permanent redirects only
    headers: httpx.Headers
    body: bytes = b""


ReportCallback = Callable[[FeedReport], None]


def fetch_feeds(
    config: SiteConfig,
    settings: FetchSettings | None = None,
    *,
    now: datetime | None = None,
    on_report: ReportCallback | None = None,
) -> FetchReport:
    """Fetch every feed of ``config`` into the cache; ``on_report`` hears each as it ends."""
    job = functools.partial(
        asyncio.run, fetch_feeds_async(config, settings or FetchSettings(), now, on_report)
    )
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return job()
    # Called from code that already runs a loop in this thread: use a thread of our own.
    with ThreadPoolExecutor(1, thread_name_prefix="veille-fetch") as pool:
        return pool.submit(job).result()


async def fetch_feeds_async(
    config: SiteConfig,
    settings: FetchSettings,
    now: datetime | None = None,
    on_report: ReportCallback | None = None,
) -> FetchReport:
    """The async body of ``fetch_feeds``, for callers that already run an event loop."""
    started = time.perf_counter()
    fetched_at = (now or clock.now()).replace(microsecond=0)
    cached = await asyncio.to_thread(load_all_cached, config)
    registry = SlugRegistry.of(cached.values())
    gate = asyncio.Semaphore(settings.concurrency)
    user_agent = settings.user_agent
    if "+http" not in user_agent:
        user_agent = user_agent.rstrip(")") + f"; +{config.base_url})"
    async with httpx.AsyncClient(
        verify=_tls_context(),
        timeout=httpx.Timeout(settings.timeout, connect=settings.connect_timeout),
        follow_redirects=False,
        headers={"User-Agent": user_agent, "Accept": ACCEPT},
        limits=httpx.Limits(
            max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
        ),
    ) as client:
        fetcher = _Fetcher(config, settings, client, gate, registry, fetched_at, on_report)
        reports = await asyncio.gather(
            *(fetcher.run(feed, cached.get(feed.id)) for feed in config.feeds)
        )
    return FetchReport(tuple(reports), time.perf_counter() - started)


class _Fetcher:
    """One run's shared context; ``run`` handles one feed from state to report."""

    def __init__(
        self,
        config: SiteConfig,
        settings: FetchSettings,
        client: httpx.AsyncClient,
        gate: asyncio.Semaphore,
        registry: SlugRegistry,
        fetched_at: datetime,
        on_report: ReportCallback | None,
    ) -> None:
        self.config = config
        self.settings = settings
        self.client = client
        self.gate = gate
        self.registry = registry
        self.now = fetched_at
        self.on_report = on_report

    async def run(self, feed: FeedConfig, cached: CachedFeed | None) -> FeedReport:
        started = time.perf_counter()
        try:
            report = await self._run(feed, cached)
        except Exception as exc:  # one feed's surprise must not stop the others
            log.exception("feed %s: unexpected error", feed.id)
            kept = len(cached.items) if cached is not None else 0
            message = (
                f"unexpected error: {type(exc).__name__}: {_reason(exc)}; kept {items_label(kept)}"
            )
            report = FeedReport(feed.id, Outcome.FAILED, message, kept)
        report = replace(report, seconds=time.perf_counter() - started)
        log.info("%s", report.line())
        if self.on_report is not None:
            self.on_report(report)
        return report

    async def _run(self, feed: FeedConfig, cached: CachedFeed | None) -> FeedReport:
        same_url = cached is not None and cached.state.configured_url == feed.url
        state = cached.state if cached is not None and same_url else fresh_state(feed)
        items = cached.items if cached is not None else ()
        skip = skip_report(feed, state, len(items), self.now, self.settings)
        if skip is not None:
            return skip
        async with self.gate:
            try:
                if feed.is_remote:
                    response = await self._get(state)
                else:
                    response = await asyncio.to_thread(self._read_local, feed)
            except _Failure as exc:
                return await self._failed(feed, state, items, exc.message, exc.retry_after)
        digest = hashlib.sha256(response.body).hexdigest() if response.status == 200 else None
        current = state.parser_version == PARSER_VERSION
        if response.status == 304 or (current and digest is not None and digest == state.digest):
            # Costs no parsing, and no writing when nothing changed: the same bytes again
            # (a server without validators, a local file) count as not modified too.
            fresh = self._succeeded(state, response, None)
            if fresh != state:
                await self._save(CachedFeed(feed.id, fresh, items))
            how = (
                items_label(len(items))
                if response.status == 304
                else f"same bytes, {items_label(len(items))}"
            )
            return FeedReport(feed.id, Outcome.NOT_MODIFIED, how, len(items))
        if response.status == 410:
            state = replace(state, gone=True, last_failed=self.now, last_error="410 Gone")
            await self._save(CachedFeed(feed.id, state, items))
            message = (
                "HTTP 410 Gone: no longer fetched (remove it from site.yaml); "
                f"kept {items_label(len(items))}"
            )
            return FeedReport(feed.id, Outcome.GONE, message, len(items))
        if response.status != 200:
            reason = httpx.codes.get_reason_phrase(response.status)
            hint = parse_retry_after(response.headers, self.now)
            return await self._failed(
                feed, state, items, f"HTTP {response.status} {reason}".strip(), hint
            )
        url = response.url if feed.is_remote else None
        content_type = response.headers.get("content-type")
        # In a thread: feedparser is pure Python, and the loop keeps downloading meanwhile.
        parsed = await asyncio.to_thread(
            parse_job, response.body, feed, self.now, url, content_type
        )
        if isinstance(parsed, str):
            return await self._failed(feed, state, items, parsed, None)
        merged = merge_items(items, parsed.items, self.registry, self.now)
        state = self._succeeded(state, response, parsed.title)
        state = replace(
            state,
            home_url=parsed.home_url,
            format=parsed.format,
            digest=digest,
            parser_version=PARSER_VERSION,
        )
        await self._save(CachedFeed(feed.id, state, merged.items))
        message = (
            f"{len(parsed.items)} in feed, {merged.added} new, {merged.updated} updated, "
            f"{len(merged.items)} kept"
        )
        if response.moved_to:
            message += f"; moved permanently to {response.moved_to}"
        return FeedReport(
            feed.id,
            Outcome.OK,
            message,
            len(merged.items),
            merged.added,
            merged.updated,
            parsed.warnings,
        )

    def _succeeded(self, state: FeedState, response: _Response, title: str | None) -> FeedState:
        headers = response.headers
        return replace(
            state,
            url=response.moved_to or state.url,
            etag=headers.get("etag", state.etag if response.status == 304 else None),
            last_modified=headers.get(
                "last-modified", state.last_modified if response.status == 304 else None
            ),
            gone=False,
            failures=0,
            retry_after=None,
            last_error=None,
            last_fetched=self.now if response.status == 200 else state.last_fetched,
            title=state.title if title is None else title,
        )

    async def _failed(
        self,
        feed: FeedConfig,
        state: FeedState,
        items: tuple[FeedItem, ...],
        message: str,
        hint: datetime | None,
    ) -> FeedReport:
        failures = state.failures + 1
        retry_after = None
        if feed.is_remote:
            retry_after = next_attempt(self.settings, failures, self.now, hint)
        state = replace(
            state,
            failures=failures,
            retry_after=retry_after,
            last_error=message,
            last_failed=self.now,
        )
        await self._save(CachedFeed(feed.id, state, items))
        return FeedReport(
            feed.id, Outcome.FAILED, f"{message}; kept {items_label(len(items))}", len(items)
        )

    async def _save(self, cached: CachedFeed) -> None:
        await asyncio.to_thread(save_cached_feed, self.config, cached)

    async def _get(self, state: FeedState) -> _Response:
        headers = {}
        # Items read by an older Veille are fetched in full, to be read by today's rules.
        if state.parser_version == PARSER_VERSION:
            if state.etag:
                headers["If-None-Match"] = state.etag
            if state.last_modified:
                headers["If-Modified-Since"] = state.last_modified
        try:
            async with asyncio.timeout(self.settings.timeout):
                return await self._follow(state.url, headers)
        except TimeoutError:
            raise _Failure(f"timed out after {self.settings.timeout:g} s") from None
        except httpx.TimeoutException:
            raise _Failure(f"timed out after {self.settings.timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise _Failure(f"cannot connect: {_reason(exc)}") from None
        except httpx.DecodingError as exc:
            raise _Failure(f"cannot decode the response: {_reason(exc)}") from None
        except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
            raise _Failure(f"network error: {_reason(exc)}") from None
        except (OverflowError, ValueError) as exc:  # e.g. a port out of range
            raise _Failure(f"invalid URL: {_reason(exc)}") from None

    async def _follow(self, url: str, headers: dict[str, str]) -> _Response:
        moved_to: str | None = None
        permanent = True
        try:
            port = httpx.URL(url).port
        except httpx.InvalidURL as exc:
            raise _Failure(f"invalid URL: {_reason(exc)}") from None
        if port is not None and not 0 < port < 65536:
            raise _Failure(f"invalid URL: port {port} out of range")
        for _ in range(self.settings.max_redirects + 1):
            try:
                async with self.client.stream("GET", url, headers=headers) as response:
                    status = response.status_code
                    if status not in _REDIRECTS:
                        body = await self._read_body(response) if status == 200 else b""
                        return _Response(status, url, moved_to, response.headers, body)
                    target = _redirect_target(url, status, response.headers.get("location", ""))
            except httpx.InvalidURL:  # httpx parses Location even when not following it
                raise _Failure("HTTP redirect to an invalid URL") from None
            permanent = permanent and status in _PERMANENT
            moved_to = target if permanent else moved_to
            url = target
        raise _Failure(f"more than {self.settings.max_redirects} redirects")

    async def _read_body(self, response: httpx.Response) -> bytes:
        cap = self.settings.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _Failure(f"too large: {int(declared):,} bytes (the cap is {cap:,})")
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():  # decoded: a gzip bomb counts in full
            size += len(chunk)
            if size > cap:
                raise _Failure(f"too large: more than {cap:,} bytes (the cap)")
            chunks.append(chunk)
        return b"".join(chunks)

    def _read_local(self, feed: FeedConfig) -> _Response:
        path = self.config.resolve(feed.url)
        try:
            size = path.stat().st_size
            if size > self.settings.max_bytes:
                cap = self.settings.max_bytes
                raise _Failure(f"too large: {size:,} bytes (the cap is {cap:,})")
            data = path.read_bytes()
        except FileNotFoundError:
            raise _Failure(f"no such file: {path}") from None
        except OSError as exc:
            raise _Failure(f"cannot read {path}: {exc.strerror or exc}") from None
        return _Response(200, str(path), None, httpx.Headers(), data)


def parse_job(
    data: bytes, feed: FeedConfig, fetched_at: datetime, url: str | None, content_type: str | None
) -> ParsedFeed | str:
    """``parse_feed`` off the event loop: a FeedError comes back as its message."""
    try:
        return parse_feed(data, feed, fetched_at, url=url, content_type=content_type)
    except FeedError as exc:
        return exc.message


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context per process (loading CAs takes ~0.1 s); honours SSL_CERT_FILE."""
    return httpx.create_ssl_context()


def _redirect_target(url: str, status: int, location: str) -> str:
    location = location.strip()
    if not location:
        raise _Failure(f"HTTP {status} redirect without a Location")
    try:
        target = urljoin(url, location)
        scheme = urlsplit(target).scheme
    except ValueError:
        raise _Failure(f"HTTP redirect to an invalid URL: {location[:100]}") from None
    if scheme not in {"http", "https"}:
        raise _Failure(f"redirected to a non-http(s) URL: {target[:100]}")
    return target


def _reason(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
