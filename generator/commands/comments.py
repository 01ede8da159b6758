"""``veille comments``: serve, migrate, export and import the comments store.

Configuration comes from site.yaml (``--site``); ``--db`` overrides its
``comments.database``. Problems are ``VeilleError``s, reported like every other
``veille`` command's (``generator.commands.console.report_errors``): exit 1 with a
message, never a traceback.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import IO, Any

import click
from fastapi import FastAPI

from comments_api import migrations
from comments_api.errors import ApiError
from comments_api.exchange import parse_lines
from comments_api.service import Service
from comments_api.settings import Settings, settings_from_config
from comments_api.store import Store
from generator.commands.console import report_errors, site_option
from generator.config import load_config
from generator.errors import ContentError, Problem, VeilleError
from generator.text import counted

_ENV_SITE = "VEILLE_COMMENTS_SITE"
_ENV_DB = "VEILLE_COMMENTS_DB"

db_option = click.option("--db", help="SQLAlchemy URL; default: comments.database of site.yaml.")


def _settings(site: Path | None, db: str | None) -> Settings:
    config = load_config(site)
    try:
        return settings_from_config(config, db)
    except ValueError as exc:  # e.g. a bad trusted_proxies entry
        raise VeilleError(f"comments: {exc}") from None


def _store(settings: Settings) -> Store:
    try:
        store = Store(settings.database_url)
        migrations.upgrade(store)
    except Exception as exc:
        raise VeilleError(f"cannot open the comments database: {_describe(exc)}") from None
    return store


def _describe(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:300]


@click.group("comments")
def comments() -> None:
    """Run, upgrade, back up and restore the comments store."""


def tune_gc() -> None:
    """Move start-up objects out of the collector's sight: full collections of the big
    start-up heap otherwise stall the event loop for milliseconds, every few hundred requests."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(7000, 20, 20)


def app_from_env() -> FastAPI:
    """Factory used by ``serve --workers N``: each worker process builds its own app."""
    from comments_api.app import create_app

    site = os.environ.get(_ENV_SITE)
    app = create_app(_settings(Path(site) if site else None, os.environ.get(_ENV_DB) or None))
    tune_gc()
    return app


@comments.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@db_option
@site_option
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option("--access-log/--no-access-log", default=True, show_default=True)
@report_errors
def serve(
    host: str, port: int, db: str | None, site: Path | None, workers: int, access_log: bool
) -> None:
    """Serve the comments API (migrating the database first)."""
    import uvicorn

    from comments_api.app import create_app

    logging.basicConfig(level=logging.INFO, format="%(levelname)s: %(name)s: %(message)s")
    settings = _settings(site, db)
    store = _store(settings)
    common = {"host": host, "port": port, "access_log": access_log, "timeout_keep_alive": 30}
    if workers == 1:
        app = create_app(settings, store)
        tune_gc()
        uvicorn.run(app, **common)  # type: ignore[arg-type]
        return
    store.dispose()
    os.environ[_ENV_SITE] = str(site.resolve()) if site else ""
    os.environ[_ENV_DB] = db or ""
    _serve_workers(
        uvicorn.Config(
            "generator.commands.comments:app_from_env",
            factory=True,
            workers=workers,
            **common,  # type: ignore[arg-type]
        )
    )


def _serve_workers(config: Any) -> None:
    """uvicorn's multi-process mode, on a listening socket made with ``IPPROTO_TCP``.

    uvicorn makes its shared socket with protocol 0, and asyncio then does not set
    ``TCP_NODELAY`` on the connections it accepts: every response waits ~40 ms on a
    delayed ACK. Naming the protocol restores ``TCP_NODELAY`` in the workers.
    """
    from uvicorn.supervisors import Multiprocess

    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((config.host, config.port))
    except OSError as exc:
        raise VeilleError(f"cannot listen on {config.host}:{config.port}: {exc}") from None
    sock.set_inheritable(True)
    logging.getLogger(__name__).info(
        "serving on http://%s:%d with %d workers", config.host, config.port, config.workers
    )
    Multiprocess(config, sockets=[sock]).run()


@comments.command()
@db_option
@site_option
@report_errors
def migrate(db: str | None, site: Path | None) -> None:
    """Bring the database schema to the newest version."""
    store = _store(_settings(site, db))
    click.echo(f"comments database at schema version {migrations.current(store)}")
    store.dispose()


@comments.command("export")
@db_option
@site_option
@click.option(
    "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout."
)
@report_errors
def export_command(db: str | None, site: Path | None, output: Path | None) -> None:
    """Write every comment, reaction, account and suppression as JSON Lines."""
    settings = _settings(site, db)
    store = _store(settings)
    service = Service(settings, store)
    if output is None:
        _write(service, sys.stdout)
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                count = _write(service, handle)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, output)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        click.echo(f"exported {counted(count, 'record')} to {output}", err=True)
    store.dispose()


def _write(service: Service, handle: IO[str]) -> int:
    count = 0
    for line in service.export():
        handle.write(line)
        count += 1
    return count


@comments.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@db_option
@site_option
@report_errors
def import_command(file: Path, db: str | None, site: Path | None) -> None:
    """Load a JSON Lines export; records already present are skipped."""
    settings = _settings(site, db)
    try:
        with file.open(encoding="utf-8") as handle:
            exported = parse_lines(handle, str(file))
    except UnicodeDecodeError:
        raise ContentError([Problem(file, None, "not UTF-8 text")]) from None
    store = _store(settings)
    try:
        summary = Service(settings, store).import_records(exported)
    except ApiError as exc:
        raise VeilleError(f"{file}: {exc.message}") from None
    finally:
        store.dispose()
    click.echo(
        f"imported {counted(summary.comments, 'comment')} ({summary.skipped} already present), "
        f"{counted(summary.reactions, 'reaction')}, {counted(summary.accounts, 'account')}, "
        f"{counted(summary.suppressions, 'suppression')}, "
        f"{counted(summary.saved, 'saved item')}"
    )
