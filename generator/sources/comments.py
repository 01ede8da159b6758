"""Source stage, comments: the export snapshot or the comments database → ``CommentsData``.

The build (no-JS snapshot, metrics, newsletter) reads comments from here: from
``comments.snapshot`` (a JSON Lines export) when set, else from the database,
which is never created nor migrated by a build.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from generator.config import SiteConfig
from generator.errors import ContentError, Problem
from generator.model import CommentsData

log = logging.getLogger(__name__)


def parse_export(lines: Iterable[str], source: str) -> CommentsData:
    """Records of an export; a ContentError lists every bad line as ``source:line``."""
    from comments_api.exchange import parse_lines

    return parse_lines(lines, source).data


def load_comments_data(config: SiteConfig) -> CommentsData:
    """The site's comments, reactions and accounts, or nothing when there is no store yet."""
    if config.comments.snapshot:
        return _load_snapshot(config.resolve(config.comments.snapshot))
    return _load_database(config.database_url())


def _load_snapshot(path: Path) -> CommentsData:
    try:
        with path.open(encoding="utf-8") as handle:
            return parse_export(handle, str(path))
    except FileNotFoundError:
        raise ContentError([Problem(path, None, "no such file", "comments.snapshot")]) from None
    except UnicodeDecodeError:
        raise ContentError([Problem(path, None, "not UTF-8 text", "comments.snapshot")]) from None
    except OSError as exc:
        raise ContentError(
            [Problem(path, None, f"cannot read: {exc}", "comments.snapshot")]
        ) from None


def _load_database(url: str) -> CommentsData:
    # SQLAlchemy costs ~0.4 s to import: a site without a database never imports it.
    if url.startswith("sqlite:///"):
        database = url[len("sqlite:///") :].split("?")[0]
        if database in ("", ":memory:") or not Path(database).is_file():
            return CommentsData()
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from comments_api.exchange import export_lines
    from comments_api.store import Store, normalise_url

    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or not Path(database).is_file():
            return CommentsData()
    try:
        store = Store(url, pool_size=1)
    except (SQLAlchemyError, ImportError) as exc:
        log.warning("comments database unusable, building without comments: %s", exc)
        return CommentsData()
    try:
        with store.read() as tx:
            lines = list(export_lines(tx))
    except SQLAlchemyError as exc:
        log.warning("comments database not readable, building without comments: %s", _first(exc))
        return CommentsData()
    finally:
        store.dispose()
    return parse_export(lines, f"comments database {parsed.render_as_string(hide_password=True)}")


def _first(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]
