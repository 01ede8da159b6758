"""The records every importer reader produces and the import writer consumes.

A reader knows one source dialect; it never writes. Anything it cannot convert
is kept visible in the body and reported as a ``Note`` with file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from pathlib import Path


class BodyFormat(Enum):
    """How the body text is written; HTML is converted or kept as raw HTML in Markdown."""

    MARKDOWN = "markdown"
    HTML = "html"


@dataclass(frozen=True, slots=True)
class Where:
    """A place in the source, for messages: ``path:line``."""

    path: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Note:
    """Something not converted as is: ``file:line: what: what we did``."""

    where: Where
    what: str
    did: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: {self.did}"


@dataclass(frozen=True, slots=True)
class Author:
    """An author as the source names them; merged into people.yaml by id or email."""

    name: str
    id: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file that goes beside the post in its bundle, at ``name`` (POSIX, relative)."""

    name: str
    local: Path | None = None  # a file to copy
    url: str | None = None  # or a remote file, fetched only with --download-images


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment of the source (WordPress), threaded by ``parent`` (a source comment id)."""

    id: str
    parent: str | None
    author_name: str
    email: str | None
    body: str
    created: datetime
    approved: bool = True


@dataclass(frozen=True, slots=True)
class ImportedPost:
    """One post of the source, before slugs, links and people are settled by the writer."""

    source_id: str  # stable across runs: "wordpress:123", "hugo:content/posts/x/index.md"
    title: str
    slug: str
    date: datetime | None  # timezone-aware; None only when the source has no date at all
    body: str
    where: Where
    body_format: BodyFormat = BodyFormat.MARKDOWN
    authors: tuple[Author, ...] = ()
    tags: tuple[str, ...] = ()
    sections: tuple[
        str, ...
    ] = ()  # categories or sections, mapped to a community by --community-map
    summary: str | None = None
    image: str | None = None
    draft: bool = False
    attachments: tuple[Attachment, ...] = ()
    old_urls: tuple[str, ...] = ()  # the paths/URLs this post had in the source, for link rewriting
    comments: tuple[Comment, ...] = ()
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportedSource:
    """Everything a reader found: posts, the source's own base URL when known, and notes."""

    kind: str
    posts: tuple[ImportedPost, ...]
    base_url: str | None = None
    notes: tuple[Note, ...] = field(default=())
