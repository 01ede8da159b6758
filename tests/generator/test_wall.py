"""The wall: one stream (pinned, then newest first), its groupings, refused path collisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.errors import ContentError
from generator.model import Community, Curation, Event, FeedItem, Item, Person, Post, Site
from generator.wall import build_wall

DAY = datetime(2026, 11, 10, 9, tzinfo=UTC)


def post(slug: str, days_ago: int, date: datetime | None = None, **extra: object) -> Post:
    return Post(
        slug=slug,
        source=Path(f"content/posts/2026/{slug}.md"),
        title=slug,
        date=date or DAY - timedelta(days=days_ago),
        body_html="",
        summary="",
        **extra,  # type: ignore[arg-type]  # test factory: keyword fields of Post
    )


def link(slug: str, days_ago: int, **extra: object) -> FeedItem:
    return FeedItem(
        id=slug,
        feed_id="news",
        title=slug,
        published=DAY - timedelta(days=days_ago),
        link=f"https://example.org/{slug}",
        slug=slug,
        **extra,  # type: ignore[arg-type]  # test factory: keyword fields of FeedItem
    )


def site(*posts: Post, links: tuple[FeedItem, ...] = (), **extra: object) -> Site:
    return Site(posts=posts, people=(), communities=(), feed_items=links, **extra)  # type: ignore[arg-type]


def test_pinned_first_then_newest_first_with_path_breaking_ties() -> None:
    wall = build_wall(
        site(
            post("old", 9),
            post("pinned-old", 30, pinned=True),
            post("new", 1),
            post("b-same-day", 5),
            post("a-same-day", 5),
            links=(link("pinned-link", 3),),
            curation=(Curation(link="https://example.org/pinned-link", pin=True),),
        )
    )
    assert [i.slug for i in wall.items] == [
        "pinned-link",  # pinned, newest first among the pinned
        "pinned-old",
        "new",
        "a-same-day",  # same date: ordered by path, so builds are stable
        "b-same-day",
        "old",
    ]
    unpinned = [i.date for i in wall.items if not i.pinned]
    assert unpinned == sorted(unpinned, reverse=True)


def test_dates_compare_as_instants_not_wall_clock_times() -> None:
    paris = post("paris", 0, date=datetime(2026, 11, 10, 9, 30, tzinfo=ZoneInfo("Europe/Paris")))
    utc = post("utc", 0, date=datetime(2026, 11, 10, 8, 59, tzinfo=UTC))  # 09:59 in Paris
    wall = build_wall(site(paris, utc))
    assert [i.slug for i in wall.items] == ["utc", "paris"]


def test_two_items_at_one_path_are_refused() -> None:
    with pytest.raises(ContentError) as caught:
        build_wall(site(links=(link("same", 1), link("same", 2))))
    assert (
        str(caught.value) == "/links/2026/same/: two items would be published at /links/2026/same/"
    )


def test_a_hidden_link_does_not_collide() -> None:
    hidden = Curation(link="https://example.org/same", hide=True)
    wall = build_wall(site(links=(link("same", 1), link("same", 2)), curation=(hidden,)))
    assert wall.items == ()


def test_groups_by_tag_community_author_kind_and_site() -> None:
    meetup = post(
        "night", 2, community="platform", event=Event(start=DAY, end=DAY + timedelta(hours=2))
    )
    wall = build_wall(
        Site(
            posts=(
                post("a", 1, tags=("rust", "security"), author="ann", community="platform"),
                post("b", 3, tags=("rust",), author="bob"),
                meetup,
            ),
            people=(Person(id="bob", name="Bob"), Person(id="ann", name="ann")),
            communities=(
                Community(id="platform", name="Platform", site="Lyon"),
                Community(id="data", name="Data"),
            ),
            feed_items=(link("l", 4, tags=("security",)),),
        ),
        feed_communities={"news": "data"},
        feed_tags={"news": ("watch",)},
    )

    def slugs(groups: dict[str, tuple[Item, ...]]) -> dict[str, list[str]]:
        return {key: [i.slug for i in items] for key, items in groups.items()}

    # Keys sorted; items inside a group keep the wall's order (newest first).
    assert slugs(wall.by_tag) == {"rust": ["a", "b"], "security": ["a", "l"], "watch": ["l"]}
    assert slugs(wall.by_community) == {"data": ["l"], "platform": ["a", "night"]}
    assert slugs(wall.by_author) == {"ann": ["a"], "bob": ["b"]}
    assert slugs(wall.by_kind) == {"link": ["l"], "meetup": ["night"], "post": ["a", "b"]}
    assert slugs(wall.by_site) == {"Lyon": ["a", "night"]}  # "data" has no site
    assert [p.id for p in wall.people] == ["ann", "bob"]  # by name, any case
    assert set(wall.by_path) == {i.path for i in wall.items}
