"""Factories for the metrics tests: a small hand-made network whose figures are worked out by hand.

The directory has ten people (ann … jon); "now" is 2026-03-01 00:00 UTC and the
window is the 28 days before it: (2026-02-01 00:00, 2026-03-01 00:00].
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from generator.model import (
    AccountRecord,
    CommentRecord,
    CommentsData,
    Community,
    Event,
    FeedItem,
    Person,
    Post,
    ReactionRecord,
    Site,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def at(day: int, hour: int = 0, month: int = 2, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def person(pid: str, site: str = "", communities: tuple[str, ...] = ()) -> Person:
    return Person(
        id=pid,
        name=pid.capitalize(),
        email=f"{pid}@example.org",
        site=site,
        communities=communities,
    )


def post(slug: str, date: datetime, author: str | None = None, **extra: object) -> Post:
    return Post(
        slug=slug,
        source=Path(f"content/posts/{slug}.md"),
        title=slug.replace("-", " ").title(),
        date=date,
        body_html="<p>Body.</p>",
        summary="Body.",
        author=author,
        **extra,  # type: ignore[arg-type]
    )


def link(slug: str, published: datetime) -> FeedItem:
    return FeedItem(
        id=slug,
        feed_id="feed",
        title=slug,
        published=published,
        link=f"https://example.com/{slug}",
        slug=slug,
    )


def comment(
    cid: int,
    thread: str,
    created: datetime,
    person_id: str | None = None,
    email: str | None = None,
    parent: int | None = None,
    status: str = "approved",
) -> CommentRecord:
    return CommentRecord(
        id=cid,
        thread=thread,
        parent=parent,
        author_name="someone",
        body="A comment.",
        status=status,
        created=created,
        email=email,
        person_id=person_id,
    )


def reaction(created: datetime, person_id: str | None = None, email: str | None = None):  # type: ignore[no-untyped-def]
    return ReactionRecord(
        comment_id=1, kind="like", created=created, email=email, person_id=person_id
    )


P1 = "/posts/2026/p1/"
P4 = "/posts/2026/p4/"
L1 = "/links/2026/l1/"

PEOPLE = (
    person("ann", "lyon", ("data",)),
    person("bob", "lyon", ("data",)),
    person("cat", "lyon", ("data",)),
    person("dan", "lyon", ("data",)),
    person("eve", "lyon", ("data",)),
    person("fay", "nantes", ("sec",)),
    person("gus", "nantes", ("sec",)),
    person("hal", "nantes"),
    person("ivy", "paris"),
    person("jon"),
)


def network(**changes: object) -> Site:
    """The hand-made network of the tests (see the module docstring and each comment)."""
    posts = (
        post("p1", at(10), "cat"),  # in the window
        post("p2", at(15, month=1), "dan"),  # before the window: activates dan only
        post("p3", at(1), "ann"),  # exactly at the window's start: previous window
        post("p4", NOW, "ann"),  # exactly at now: in the window
    )
    comments = (
        comment(1, P1, at(10, 1), person_id="cat"),  # the author's own comment
        comment(2, P1, at(10, 3), email="BOB@Example.org", parent=1),  # first reply: 3 h
        comment(3, P1, at(10, 2), person_id="eve", status="deleted"),  # would be 2 h
        comment(4, P1, at(11), person_id="fay", parent=3),  # reply to the deleted one
        comment(5, P1, at(12), person_id="bob", parent=4),  # depth 3
        comment(6, L1, at(20, 10), email="zed@example.org"),  # not in the directory
        comment(7, P4, NOW, person_id="gus", status="rejected"),
    )
    data = CommentsData(
        comments=comments,
        reactions=(reaction(at(15), person_id="hal"), reaction(at(20, month=1), "ivy")),
        accounts=(
            AccountRecord(None, "ann", at(10, month=1)),
            AccountRecord("Bob@EXAMPLE.org", None, at(5)),
            AccountRecord("zed@example.org", None, at(6)),
            AccountRecord(None, "jon", at(5, month=3)),  # after now
        ),
    )
    fields: dict[str, object] = {
        "posts": posts,
        "people": PEOPLE,
        "communities": (Community("data", "Data & AI"), Community("sec", "Security")),
        "feed_items": (link("l1", at(20)),),
        "comments": data,
    }
    fields.update(changes)
    return Site(**fields)  # type: ignore[arg-type]


def meetup_site() -> Site:
    """One meetup on 15 Feb 18:00–20:00 with an announcement before and a recap after."""
    event = Event(start=at(15, 18), end=at(15, 20), location="Lyon")
    posts = (
        post("meetup", at(5), "ann", event=event),
        post("announce", at(10), "ann", event_ref="meetup"),
        post("recap", at(16), "bob", event_ref="meetup"),
        post("unrelated", at(16), "bob"),
        post("old-meetup", at(1, month=1), "bob", event=Event(at(2, month=1), at(2, 2, 1))),
    )
    comments = (
        comment(1, "/posts/2026/meetup/", at(14), person_id="cat"),
        comment(2, "/posts/2026/meetup/", at(15, 19), person_id="dan"),
        comment(3, "/posts/2026/recap/", at(17), person_id="eve"),
        comment(4, "/posts/2026/unrelated/", at(17), person_id="eve"),
        comment(5, "/posts/2026/recap/", at(17), person_id="eve", status="deleted"),
    )
    return Site(
        posts=posts, people=PEOPLE, communities=(), comments=CommentsData(comments=comments)
    )
