"""The dev server: build, serve the output, rebuild on change, reload open pages.

One origin serves the static site, the comments API under ``/api``, its
moderation page and animator's desk under ``/admin``, and a
server-sent-events stream that tells open pages to reload after each good
build. A failed rebuild keeps serving the last good site and says why.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.config import SiteConfig, load_config
from generator.errors import VeilleError, display
from generator.newsletter.secret import (
    ADMIN_TOKEN_ENV,
    DEV_ADMIN_TOKEN_FILE,
    SECRET_ENV,
    dev_secret_path,
    ensure_dev_secret,
    env_secret,
)
from generator.sources.content import StatMemo
from generator.text import counted

if TYPE_CHECKING:
    from generator.search import PendingIndex

log = logging.getLogger(__name__)
RELOAD_PATH = "/__veille/reload"
# Each event is the build state as JSON: a new good build reloads the page; a failed
# one shows its message over the page (the last good site stays underneath).
RELOAD_SCRIPT = (
    "<script>(function(){var v=null;var s=new EventSource('" + RELOAD_PATH + "');"
    "s.onmessage=function(e){var d=JSON.parse(e.data);"
    "if(v!==null&&d.version!==v){location.reload();return;}v=d.version;"
    "var o=document.getElementById('veille-build-error');"
    "if(!d.error){if(o){o.remove();}return;}"
    "if(!o){o=document.createElement('div');o.id='veille-build-error';o.setAttribute('role','alert');"
    "o.style.cssText='position:fixed;inset:auto 0 0 0;z-index:2147483647;max-height:60vh;"
    "overflow:auto;margin:0;padding:1rem 1.25rem;background:#7f1d1d;color:#fff;"
    "font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;box-shadow:0 -4px 16px rgba(0,0,0,.4)';"
    "var h=document.createElement('strong');"
    "h.textContent='Build failed; showing the last good site';"
    "var p=document.createElement('pre');p.style.cssText='margin:.5rem 0 0;white-space:pre-wrap';"
    "o.append(h,p);document.body.append(o);}"
    "o.querySelector('pre').textContent=d.error;};})();"
    "</script>"
)
DEBOUNCE_SECONDS = 0.15
FORM_MEDIA = b"application/x-www-form-urlencoded"


class Rebuilder:
    """Rebuilds on demand in one background thread; counts good builds.

    Parsed posts stay in memory between builds (a file is read again only when its
    status changes) and a changed search index is built after the pages are served.
    """

    def __init__(
        self,
        site_file: Path,
        drafts: bool,
        report: Callable[[str], None],
        out: Path | None = None,
    ) -> None:
        self.site_file = site_file
        self.drafts = drafts
        self.report = report
        self.version = 0
        self.last_error: str | None = None
        self.config: SiteConfig = load_config(site_file)
        self.out = out if out is not None else self.config.output_path
        self._pending = threading.Event()
        self._stop = threading.Event()
        self._lock = threading.Lock()  # the watcher and a no-JS comment post may both build
        self._memo: StatMemo = {}
        self._indexing: threading.Thread | None = None
        self._thread = threading.Thread(target=self._loop, name="veille-rebuild", daemon=True)

    def build_now(self) -> bool:
        """Build once, synchronously; keep the last good output on failure.

        Never raises: whatever a build throws is reported (and shown over open
        pages) so that watching goes on and the next save retries.
        """
        from generator.build import build

        try:
            with self._lock:
                self.config = load_config(self.site_file)
                result = build(
                    self.config, self.out, self.drafts, memo=self._memo, defer_search=True
                )
        except VeilleError as exc:
            return self._failed(str(exc))
        except Exception as exc:  # a bug must not stop the dev server; --verbose shows where
            log.debug("build failed", exc_info=True)
            return self._failed(f"{type(exc).__name__}: {exc}")
        self.last_error = None
        self.version += 1
        self.report(
            f"built {counted(result.items, 'item')}: "
            f"{counted(result.written, 'file')} written in {result.seconds:.2f} s"
        )
        if result.search_pending is not None:
            self._index_later(result.search_pending, self.version)
        return True

    def _failed(self, message: str) -> bool:
        self.last_error = message
        self.report(f"[red]build failed[/red], still serving the last good site:\n{message}")
        return False

    def state(self) -> str:
        """What open pages are told: the last good build's number and the current error."""
        return json.dumps({"version": self.version, "error": self.last_error})

    def _index_later(self, pending: PendingIndex, version: int) -> None:
        """Index search in the background; install the bundle if no build came since."""
        # One Pagefind run at a time: wait for the last.
        self._indexing = threading.Thread(
            target=self._index,
            args=(pending, version, self._indexing),
            name="veille-search",
            daemon=True,
        )
        self._indexing.start()

    def _index(self, pending: PendingIndex, version: int, before: threading.Thread | None) -> None:
        from generator.build import publish_work
        from generator.search import BUNDLE
        from generator.writer import replace_folder, scratch

        if before is not None:
            before.join()
        out = self.out.resolve()
        work = publish_work(self.config)
        bundle = scratch(out, work, "search")
        try:
            with self._lock:
                if self.version != version:
                    return  # a newer build indexes its own site
                pending.prepare(out, bundle)
            pending.run()
            with self._lock:
                if self.version != version:
                    return
                replace_folder(out, BUNDLE, bundle, work)
            self.report("search index updated")
        except (VeilleError, OSError) as exc:
            self.report(f"[red]search index failed[/red], the previous one is kept: {exc}")
        finally:
            shutil.rmtree(bundle, ignore_errors=True)

    def wait_for_search(self, timeout: float | None = None) -> None:
        """Wait for a background search index (tests, shutdown)."""
        if self._indexing is not None:
            self._indexing.join(timeout)

    def request(self) -> None:
        """Ask for a rebuild; bursts of file events collapse into one build."""
        self._pending.set()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._pending.set()

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._pending.wait()
            if self._stop.is_set():
                return
            time.sleep(DEBOUNCE_SECONDS)
            self._pending.clear()
            try:
                self.build_now()
            except Exception:  # pragma: no cover - build_now reports its own failures
                log.exception("rebuild failed; still watching")


class _Changes(FileSystemEventHandler):
    def __init__(self, rebuilder: Rebuilder, ignore: tuple[Path, ...]) -> None:
        self.rebuilder = rebuilder
        self.ignore = ignore

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's own mtime (e.g. the output swapped in); its files report changes
        path = Path(str(event.src_path))
        if any(part.startswith(".") and part not in (".", "..") for part in path.parts[-1:]):
            return
        if any(path.is_relative_to(p) for p in self.ignore):
            return
        if path.name.endswith((".db", ".db-wal", ".db-shm", ".db-journal", ".tmp")):
            return
        self.rebuilder.request()


def watch_paths(config: SiteConfig) -> list[Path]:
    """What a change to rebuilds: content, themes, the config file, the feed cache."""
    paths = [config.content_path, *config.theme_paths, config.source.resolve().parent]
    return [p for p in dict.fromkeys(p.resolve() for p in paths) if p.exists()]


def start_watching(rebuilder: Rebuilder) -> Any:
    """A watchdog observer that asks ``rebuilder`` for a build on every relevant change."""
    from generator.build import publish_work
    from generator.writer import scratch

    config = rebuilder.config
    observer = Observer()
    root = config.source.resolve().parent
    ignore = (
        rebuilder.out.resolve(),
        scratch(rebuilder.out, publish_work(config), "staging"),
        root / ".venv",
        root / ".git",
    )
    handler = _Changes(rebuilder, ignore)
    for path in watch_paths(config):
        recursive = path != root
        observer.schedule(handler, str(path), recursive=recursive)
    observer.start()
    return observer


def static_app(rebuilder: Rebuilder) -> Callable[[Request], Any]:
    """Serve the output folder; HTML pages get the live-reload script."""

    async def handle(request: Request) -> Response:
        out = rebuilder.out.resolve()
        rel = request.url.path.lstrip("/")
        target = (out / rel).resolve()
        if not target.is_relative_to(out):
            return _not_found(out)
        if target.is_dir():
            if not request.url.path.endswith("/"):
                return Response(status_code=301, headers={"location": request.url.path + "/"})
            target = target / "index.html"
        if not target.is_file():
            return _not_found(out)
        if target.suffix == ".html":
            return HTMLResponse(_inject(target.read_text(encoding="utf-8")))
        return FileResponse(target)

    return handle


def _not_found(out: Path) -> Response:
    page = out / "404.html"
    body = page.read_text(encoding="utf-8") if page.is_file() else "<h1>Not found</h1>"
    return HTMLResponse(_inject(body), status_code=404)


def _inject(html: str) -> str:
    marker = "</body>"
    index = html.rfind(marker)
    if index < 0:
        return html + RELOAD_SCRIPT
    return html[:index] + RELOAD_SCRIPT + html[index:]


def reload_stream(rebuilder: Rebuilder) -> Callable[[Request], Any]:
    """Server-sent events: the current build state, then each change (a build, an error)."""

    async def handle(request: Request) -> Response:
        async def events() -> AsyncIterator[str]:
            sent = ""
            while not await request.is_disconnected():
                state = rebuilder.state()
                if state != sent:
                    sent = state
                    yield f"data: {state}\n\n"
                await asyncio.sleep(0.1)

        headers = {"cache-control": "no-store"}
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

    return handle


class RebuildAfterFormPost:
    """A comment posted by the no-JS form shows on the page the 303 leads back to.

    The static pages only change when the site is rebuilt, so the answer waits
    for a rebuild that reads the new comment from the database.
    """

    def __init__(self, app: ASGIApp, rebuilder: Rebuilder) -> None:
        self.app = app
        self.rebuilder = rebuilder

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", ()))
        media = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if scope["type"] != "http" or scope["method"] != "POST" or media != FORM_MEDIA:
            await self.app(scope, receive, send)
            return

        async def send_after_rebuild(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 303:
                await run_in_threadpool(self.rebuilder.build_now)
            await send(message)

        await self.app(scope, receive, send_after_rebuild)


def make_app(rebuilder: Rebuilder, api: ASGIApp | None) -> Starlette:
    """The dev server's ASGI app: reload stream, ``/api``, ``/admin`` and the static site."""
    routes: list[Any] = [Route(RELOAD_PATH, reload_stream(rebuilder))]
    if api is not None:
        routes.append(Mount("/api", app=RebuildAfterFormPost(api, rebuilder)))
        # A comment approved on the moderation page shows on the rebuilt page.
        routes.append(Mount("/admin", app=RebuildAfterFormPost(api, rebuilder)))
    routes.append(Route("/{path:path}", static_app(rebuilder)))
    return Starlette(routes=routes)


def comments_app(
    config: SiteConfig,
    threads_file: Path,
    origin: str,
    newsletter_secret: str | None = None,
    admin_token: str | None = None,
) -> ASGIApp:
    """The comments API for this site on its configured database (SQLite by default).

    Browsers send the dev server's own origin, which may differ from ``base_url``
    (another port), so the API trusts the origin actually served.
    """
    from dataclasses import replace

    from comments_api.app import create_app
    from comments_api.settings import settings_from_config

    settings = replace(settings_from_config(config), base_url=origin)
    if newsletter_secret and not settings.newsletter_secret:
        settings = replace(settings, newsletter_secret=newsletter_secret)
    if admin_token and not settings.admin_token:
        settings = replace(settings, admin_token=admin_token)
    return create_app(settings, threads_file=threads_file)


def run_server(
    config: SiteConfig,
    host: str = "127.0.0.1",
    port: int = 8000,
    drafts: bool = False,
    console: Console | None = None,
) -> None:
    """Build, then serve until interrupted, rebuilding on every change."""
    import uvicorn

    out = console or Console(stderr=True)
    rebuilder = Rebuilder(config.source, drafts, lambda msg: out.print(msg))
    rebuilder.build_now()
    rebuilder.start()
    observer = start_watching(rebuilder)
    secret = env_secret()
    if secret is None:  # development only: production refuses without the variable
        secret, created = ensure_dev_secret(config)
        out.print(
            f"[yellow]warning[/yellow] {SECRET_ENV} is not set: unsubscribe links use a "
            f"development secret ({'made in' if created else 'from'} "
            f"{display(dev_secret_path(config))}); set the variable in production"
        )
    admin_token = os.environ.get(ADMIN_TOKEN_ENV) or None
    if admin_token is None and config.comments.identity == "open":
        # development only: the moderation page's sign-in needs a token to compare with
        admin_token, _ = ensure_dev_secret(config, DEV_ADMIN_TOKEN_FILE)
        out.print(
            f"moderation at /admin/: sign in with the token in "
            f"{display(dev_secret_path(config, DEV_ADMIN_TOKEN_FILE))} (or set {ADMIN_TOKEN_ENV})"
        )
    origin = f"http://{host}:{port}/"
    api = comments_app(config, rebuilder.out / "threads.json", origin, secret, admin_token)
    app = make_app(rebuilder, api)
    address = f"http://{host}:{port}/"
    out.print(f"Serving {config.title} on {address} (comments API at /api, moderation at /admin/)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        observer.stop()
        rebuilder.stop()
