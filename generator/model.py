"""The model: pure, frozen records that every stage passes along.

Sources (content files, the feed cache, the comments data) become these records
at the boundary; rendering reads them; nothing mutates them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path


class Kind(StrEnum):
    """What an item on the wall is."""

    POST = "post"
    LINK = "link"
    MEETUP = "meetup"


@dataclass(frozen=True, slots=True)
class Person:
    """Someone of the directory: the denominator of the activation rate."""

    id: str
    name: str
    email: str | None = None
    title: str = ""
    site: str = ""
    communities: tuple[str, ...] = ()
    expertise: tuple[str, ...] = ()
    bio: str = ""
    joined: date | None = None  # when they joined: the animator's desk welcomes newcomers


@dataclass(frozen=True, slots=True)
class Community:
    """A community of practice, local to a site, with its leaders (person ids)."""

    id: str
    name: str
    description: str = ""
    site: str = ""
    leaders: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """When and where a meetup happens; times are timezone-aware UTC."""

    start: datetime
    end: datetime
    location: str | None = None
    online_url: str | None = None


@dataclass(frozen=True, slots=True)
class Post:
    """An editor's Markdown post, validated; ``body_html`` is rendered and safe."""

    slug: str
    source: Path
    title: str
    date: datetime
    body_html: str
    summary: str
    author: str | None = None
    tags: tuple[str, ...] = ()
    community: str | None = None
    draft: bool = False
    pinned: bool = False
    event: Event | None = None
    event_ref: str | None = None
    updated: datetime | None = None
    contributors: tuple[str, ...] = ()  # further authors (person ids)
    image: str | None = None  # the card's picture: a site path or an absolute URL
    imported_from: str | None = None  # the source id of an imported post (never shown)
    files: tuple[str, ...] = ()  # a bundle's files, relative to its folder
    resized: tuple[tuple[str, int], ...] = ()  # (file, width) of each resized copy to publish

    @property
    def path(self) -> str:
        """The permalink path, which is also the comment thread id."""
        return f"/posts/{self.date.year}/{self.slug}/"


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One normalised, sanitised tech-watch item from a feed (never a FeedParserDict)."""

    id: str
    feed_id: str
    title: str
    published: datetime
    link: str | None = None
    summary_html: str = ""
    content_html: str = ""
    author: str | None = None
    thumbnail: str | None = None
    tags: tuple[str, ...] = ()
    source_title: str = ""
    source_url: str | None = None
    first_seen: datetime | None = None
    updated: datetime | None = None
    slug: str = ""

    @property
    def path(self) -> str:
        """The wall permalink of the link (also its thread id); ``slug`` is set at ingestion."""
        return f"/links/{self.published.year}/{self.slug}/"


@dataclass(frozen=True, slots=True)
class Curation:
    """An editor's annotation of a feed item, keyed by the item's link."""

    link: str
    note_html: str = ""
    hide: bool = False
    pin: bool = False
    tags: tuple[str, ...] = ()
    community: str | None = None
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of the wall (post, link or meetup), projected for rendering."""

    kind: Kind
    path: str
    slug: str
    title: str
    date: datetime
    summary_html: str
    body_html: str = ""
    author: str | None = None
    tags: tuple[str, ...] = ()
    community: str | None = None
    pinned: bool = False
    event: Event | None = None
    event_ref: str | None = None
    external_url: str | None = None
    source_title: str = ""
    note_html: str = ""
    thumbnail: str | None = None
    updated: datetime | None = None
    contributors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CollectionEntry:
    """One entry of a collection: a published item (``thread``) or any other ``url``."""

    thread: str | None = None
    url: str | None = None
    title: str = ""
    note_html: str = ""


@dataclass(frozen=True, slots=True)
class Collection:
    """An editor's or reader's curated list of items, with its own comment thread."""

    slug: str
    source: Path
    title: str
    date: datetime
    owner: str
    description_html: str = ""
    community: str | None = None
    entries: tuple[CollectionEntry, ...] = ()

    @property
    def path(self) -> str:
        """The collection's page, which is also its comment thread id."""
        return f"/collections/{self.slug}/"

    @property
    def threads(self) -> tuple[str, ...]:
        """The paths of the published items it gathers, in its order."""
        return tuple(e.thread for e in self.entries if e.thread is not None)


@dataclass(frozen=True, slots=True)
class CommentRecord:
    """A comment as the export format carries it (``body`` is Markdown)."""

    id: int
    thread: str
    parent: int | None
    author_name: str
    body: str
    status: str
    created: datetime
    edited: datetime | None = None
    email: str | None = None
    person_id: str | None = None


@dataclass(frozen=True, slots=True)
class ReactionRecord:
    """A reaction as the export format carries it."""

    comment_id: int
    kind: str
    created: datetime
    email: str | None = None
    person_id: str | None = None


@dataclass(frozen=True, slots=True)
class AccountRecord:
    """The first identified request of a person: their profile is activated."""

    email: str | None
    person_id: str | None
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class SavedRecord:
    """An item a person saved for later; the build only ever counts these per thread."""

    email: str
    person_id: str | None
    thread: str
    created: datetime


@dataclass(frozen=True, slots=True)
class CommentsData:
    """Everything the build knows about comments, read from the database or an export."""

    comments: tuple[CommentRecord, ...] = ()
    reactions: tuple[ReactionRecord, ...] = ()
    accounts: tuple[AccountRecord, ...] = ()
    saved: tuple[SavedRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Site:
    """All validated sources of one build."""

    posts: tuple[Post, ...]
    people: tuple[Person, ...]
    communities: tuple[Community, ...]
    feed_items: tuple[FeedItem, ...] = ()
    curation: tuple[Curation, ...] = ()
    comments: CommentsData = field(default_factory=CommentsData)
    collections: tuple[Collection, ...] = ()


@dataclass(frozen=True, slots=True)
class OutputFile:
    """One file of the output: a path relative to ``public/`` and its bytes."""

    path: str
    data: bytes


@dataclass(frozen=True, slots=True)
class Notice:
    """One comment someone should hear about, and why (``reply``, ``mention``, ``post``)."""

    comment_id: int
    thread: str
    reason: str
    author_name: str
    html: str  # the comment as the wall shows it (sanitised at write time)
    created: datetime


@dataclass(frozen=True, slots=True)
class Digest:
    """One notification email: everything new for one person since their last one.

    ``message_id`` is set when an earlier run recorded it as pending: the same
    message goes out again, never a second, different one.
    """

    email: str
    person_id: str
    name: str
    notices: tuple[Notice, ...]
    message_id: str | None = None
