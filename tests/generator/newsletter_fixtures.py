"""Factories for the newsletter tests: a small site, a config, an environment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from jinja2 import Environment

from generator.config import SiteConfig, parse_config
from generator.model import (
    CommentRecord,
    CommentsData,
    Community,
    Curation,
    Event,
    FeedItem,
    Person,
    Post,
    Site,
)
from generator.themes import make_environment

# Thursday of ISO week 2026-W48 (23-29 Nov 2026), noon UTC.
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
WEEK = "2026-W48"
BASE = "https://veille.example.org/"


def make_config(root: Path, extra: str = "") -> SiteConfig:
    """A site.yaml written under ``root`` and parsed for real."""
    text = (
        'title: "Veille"\n'
        f"base_url: {BASE}\n"
        "timezone: Europe/Paris\n"
        "feeds:\n"
        "  - id: cloud\n    url: feeds/cloud.xml\n    title: Cloud Digest\n"
        "    community: platform\n    tags: [cloud]\n"
        "  - id: sec\n    url: feeds/sec.xml\n    title: AppSec Weekly\n"
        "    community: security\n    tags: [security]\n"
        "newsletter:\n  title: Veille weekly\n  sender: Veille <veille@example.org>\n"
        "  list_id: veille.example.org\n" + extra
    )
    path = root / "site.yaml"
    path.write_text(text, encoding="utf-8")
    return parse_config(text, path)


def make_env(config: SiteConfig) -> Environment:
    return make_environment(config)


def make_post(slug: str, when: datetime, **kw: object) -> Post:
    values: dict[str, object] = {
        "slug": slug,
        "source": Path(f"content/posts/{slug}.md"),
        "title": f"Post {slug}",
        "date": when,
        "body_html": "<p>" + "Whole article body. " * 200 + "</p>",
        "summary": f"Summary of {slug}: what we learned this week.",
        "author": "ada",
        "community": "platform",
    }
    values.update(kw)
    return Post(**values)  # type: ignore[arg-type]


def make_link(n: int, when: datetime, feed: str = "cloud", **kw: object) -> FeedItem:
    values: dict[str, object] = {
        "id": f"{feed}-{n}",
        "feed_id": feed,
        "title": f"Link {n} from {feed}",
        "published": when,
        "link": f"https://news.example.com/{feed}/{n}",
        "summary_html": f"<p>Item {n} summary <script>alert('x')</script>"
        '<a href="javascript:alert(1)">click</a> ' + "word " * 300 + "</p>",
        "source_title": "Cloud Digest" if feed == "cloud" else "AppSec Weekly",
        "slug": f"{feed}-{n}",
        "first_seen": when,
    }
    values.update(kw)
    return FeedItem(**values)  # type: ignore[arg-type]


def make_site(links: int = 4, posts: int = 2) -> Site:
    """A week with posts, links, an upcoming meetup and some comments."""
    day = NOW - timedelta(days=2)
    post_list = [make_post(f"p{i}", day + timedelta(hours=i)) for i in range(posts)]
    meetup = make_post(
        "meetup",
        NOW - timedelta(days=20),
        title="Kubernetes meetup",
        event=Event(
            NOW + timedelta(days=5),
            NOW + timedelta(days=5, hours=2),
            "Lyon, room 3",
            "https://meet.example.com/k8s",
        ),
    )
    old = make_post("old", NOW - timedelta(days=30))
    feed_items = [
        make_link(i, day - timedelta(hours=i), "cloud" if i % 2 else "sec") for i in range(links)
    ]
    feed_items.append(make_link(99, NOW - timedelta(days=40)))  # old, not new again
    curation = (
        Curation(
            link="https://news.example.com/sec/0",
            note_html='<p>Read this <a href="/posts/2026/p0/">with our post</a>'
            '<img src="x.png"><script>bad()</script></p>',
        ),
    )
    comments = tuple(
        CommentRecord(
            i,
            post_list[0].path if i < 3 else old.path,
            None,
            "Bob",
            "hi",
            "approved",
            NOW - timedelta(days=1),
        )
        for i in range(5)
    ) + (CommentRecord(9, old.path, None, "Eve", "spam", "pending", NOW - timedelta(days=1)),)
    return Site(
        posts=(*post_list, meetup, old),
        people=(Person("ada", "Ada Lovelace", "ada@example.org"),),
        communities=(
            Community("platform", "Platform"),
            Community("security", "Security"),
        ),
        feed_items=tuple(feed_items),
        curation=curation,
        comments=CommentsData(comments=comments),
    )


def default_view(config: SiteConfig) -> dict[str, object]:
    return {"site": {"title": config.title, "base_url": config.base_url, "language": "en"}}
