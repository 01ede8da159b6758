"""Source stage, post cache: parsed posts kept between builds, keyed by content hash.

A post file whose bytes, Veille version (and code), Markdown engine and parsing
settings (time zone, summary length) are unchanged is not parsed nor rendered
again: its ``Post`` fields (or its problems) come from a SQLite file under
``.veille/build/``. The cache is an accelerator only: an unreadable or corrupt
cache is ignored (and rebuilt), never fatal, and rows of deleted posts are pruned.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import generator
from generator.bundles import MEDIA, bundle_files
from generator.config import SiteConfig
from generator.errors import Problem
from generator.fingerprint import code_digest
from generator.markup import engine_version
from generator.model import Event, Post

log = logging.getLogger(__name__)

FORMAT = 3  # PRAGMA user_version of the cache file; another value resets it
CACHE_FILE = "posts.sqlite3"
# The front matter keys whose lines a parsed post keeps: those ``load_posts`` may report.
LINE_KEYS = ("author", "contributors", "community", "event_ref")


@dataclass(frozen=True, slots=True)
class Parsed:
    """What parsing one post file gave: the post, or the problems, and the lines needed later."""

    post: Post | None
    problems: tuple[Problem, ...]
    lines: dict[tuple[str | int, ...], int]


def fingerprint(config: SiteConfig) -> str:
    """Everything besides a post's own bytes that its parsed form depends on."""
    parts = {
        "format": FORMAT,
        "veille": generator.__version__,
        "code": code_digest(),
        "engine": engine_version(config.markdown_engine),
        "timezone": config.timezone,
        "summary_words": config.summary_words,
        "max_width": config.images.max_width,
        # The site's media files: a body naming one is checked and measured against them.
        "media": media_digest(config.content_path / MEDIA),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def media_digest(folder: Path) -> str:
    """Names, sizes and times of the files under ``content/media/`` (cheap: no file is read)."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for rel in bundle_files(folder):
            try:
                found = (folder / rel).stat()
            except OSError:
                continue
            digest.update(f"{rel}\0{found.st_size}\0{found.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def content_key(fingerprint_: str, data: bytes, files: bytes = b"") -> str:
    """The cache key of one post file's bytes (and its bundle's files) under one fingerprint."""
    return hashlib.sha256(fingerprint_.encode() + b"\0" + data + b"\0" + files).hexdigest()


def encode(parsed: Parsed) -> tuple[str, str]:
    """A parsed post as JSON text and its body HTML (stored apart: no JSON escaping to undo)."""
    post = parsed.post
    record: dict[str, Any] = {
        "problems": [[p.line, p.message, p.key] for p in parsed.problems],
        "lines": {k[0]: v for k, v in parsed.lines.items() if len(k) == 1 and k[0] in LINE_KEYS},
        "post": None,
    }
    if post is not None:
        event = post.event
        record["post"] = {
            "slug": post.slug,
            "title": post.title,
            "date": post.date.isoformat(),
            "summary": post.summary,
            "author": post.author,
            "tags": list(post.tags),
            "community": post.community,
            "draft": post.draft,
            "pinned": post.pinned,
            "event": None
            if event is None
            else [event.start.isoformat(), event.end.isoformat(), event.location, event.online_url],
            "event_ref": post.event_ref,
            "updated": None if post.updated is None else post.updated.isoformat(),
            "contributors": list(post.contributors),
            "image": post.image,
            "imported_from": post.imported_from,
            "files": list(post.files),
            "resized": [[rel, width] for rel, width in post.resized],
        }
    body = "" if post is None else post.body_html
    return json.dumps(record, ensure_ascii=False, sort_keys=True), body


def decode(text: str, body: str, path: Path) -> Parsed:
    """The inverse of ``encode`` for the file at ``path``; raises on any malformed record."""
    record = json.loads(text)
    problems = tuple(
        Problem(path, line, str(message), str(key)) for line, message, key in record["problems"]
    )
    lines: dict[tuple[str | int, ...], int] = {
        (str(k),): int(v) for k, v in record["lines"].items()
    }
    raw = record["post"]
    post = None
    if raw is not None:
        event = raw["event"]
        post = Post(
            slug=_text(raw["slug"]),
            source=path,
            title=_text(raw["title"]),
            date=datetime.fromisoformat(raw["date"]),
            body_html=_text(body),
            summary=_text(raw["summary"]),
            author=_optional(raw["author"]),
            tags=tuple(_text(t) for t in raw["tags"]),
            community=_optional(raw["community"]),
            draft=bool(raw["draft"]),
            pinned=bool(raw["pinned"]),
            event=None
            if event is None
            else Event(
                datetime.fromisoformat(event[0]),
                datetime.fromisoformat(event[1]),
                _optional(event[2]),
                _optional(event[3]),
            ),
            event_ref=_optional(raw["event_ref"]),
            updated=None if raw["updated"] is None else datetime.fromisoformat(raw["updated"]),
            contributors=tuple(_text(c) for c in raw["contributors"]),
            image=_optional(raw["image"]),
            imported_from=_optional(raw["imported_from"]),
            files=tuple(_text(f) for f in raw["files"]),
            resized=tuple((_text(rel), int(width)) for rel, width in raw["resized"]),
        )
    return Parsed(post, problems, lines)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _optional(value: Any) -> str | None:
    return None if value is None else _text(value)


class PostCache:
    """Parsed posts by file, in ``folder/posts.sqlite3``; every failure degrades to a miss."""

    def __init__(self, folder: Path, fingerprint_: str) -> None:
        self.fingerprint = fingerprint_
        self.path = folder / CACHE_FILE
        self.hits = self.misses = 0
        self._new: dict[str, tuple[str, str, str]] = {}
        self._keys: dict[str, str] = {}
        self._db: sqlite3.Connection | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = self._connect()
        except (OSError, sqlite3.Error) as exc:
            log.warning("post cache %s unusable (%s); rebuilding it", self.path, exc)
            self._db = self._reset()

    @classmethod
    def for_site(cls, config: SiteConfig) -> PostCache:
        """The post cache of a site, under its cache folder."""
        return cls(config.cache_path / "build", fingerprint(config))

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        db.execute("PRAGMA synchronous = OFF")
        if db.execute("PRAGMA user_version").fetchone()[0] != FORMAT:
            db.execute("DROP TABLE IF EXISTS posts")
            db.execute(f"PRAGMA user_version = {FORMAT}")
        db.execute(
            "CREATE TABLE IF NOT EXISTS posts"
            " (path TEXT PRIMARY KEY, key TEXT, record TEXT, body TEXT)"
        )
        # Keys of every row up front: a miss costs no query, a hit one.
        self._keys = dict(db.execute("SELECT path, key FROM posts").fetchall())
        return db

    def _reset(self) -> sqlite3.Connection | None:
        if self._db is not None:
            self._db.close()
        self._keys = {}
        try:
            self.path.unlink(missing_ok=True)
            return self._connect()
        except (OSError, sqlite3.Error) as exc:
            log.warning("post cache disabled: %s", exc)
            return None

    def get(self, name: str, key: str, path: Path) -> Parsed | None:
        """The parsed form of ``name`` if cached under ``key``, else None."""
        if self._db is not None and self._keys.get(name) == key:
            try:
                query = "SELECT record, body FROM posts WHERE path = ? AND key = ?"
                row = self._db.execute(query, (name, key)).fetchone()
                if row is not None:
                    parsed = decode(row[0], row[1], path)
                    self.hits += 1
                    return parsed
            except sqlite3.Error as exc:
                log.warning("post cache %s unreadable (%s); rebuilding it", self.path, exc)
                self._db = self._reset()
            except (ValueError, TypeError, KeyError, IndexError) as exc:
                log.warning("post cache: ignoring a bad record for %s (%s)", name, exc)
        self.misses += 1
        return None

    def put(self, name: str, key: str, parsed: Parsed) -> None:
        """Remember the parsed form of ``name`` (written by ``save``)."""
        self._new[name] = (key, *encode(parsed))

    def save(self, names: set[str]) -> None:
        """Write new records and drop the rows of files that no longer exist."""
        if self._db is None:
            return
        try:
            stale = sorted(set(self._keys) - names)
            if not self._new and not stale:
                return
            self._db.execute("BEGIN")
            self._db.executemany("DELETE FROM posts WHERE path = ?", [(n,) for n in stale])
            self._db.executemany(
                "INSERT OR REPLACE INTO posts (path, key, record, body) VALUES (?, ?, ?, ?)",
                [(n, k, r, b) for n, (k, r, b) in sorted(self._new.items())],
            )
            self._db.execute("COMMIT")
            for name in stale:
                del self._keys[name]
            self._keys.update((n, k) for n, (k, _, _) in self._new.items())
            self._new.clear()
        except sqlite3.Error as exc:
            log.warning("post cache %s not saved: %s", self.path, exc)
            self._db = self._reset()

    def close(self) -> None:
        """Close the database."""
        if self._db is not None:
            self._db.close()
            self._db = None
