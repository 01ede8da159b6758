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
    comments = (
        *tuple(
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
        ),
        CommentRecord(9, old.path, None, "Eve", "spam", "pending", NOW - timedelta(days=1)),
    )
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


# --- a real SMTP server on the loopback interface -------------------------------------

import asyncio  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any  # noqa: E402

from aiosmtpd.controller import Controller  # noqa: E402


@dataclass
class Inbox:
    """An aiosmtpd handler that stores accepted messages and misbehaves on demand."""

    messages: list[bytes] = field(default_factory=list)
    reject: set[str] = field(default_factory=set)
    transient_after: int | None = None  # answer 421 once this many messages were accepted...
    transient_count: int = 0  # ...this many times
    kill_after: int | None = None  # SIGKILL the sender when it starts message N+1
    kill_pid: int | None = None
    sessions: int = 0
    data_reply: str | None = None  # answer this to every DATA (e.g. "554 5.6.0 ..."), if set
    data_attempts: int = 0

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        self.sessions += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if self.kill_after is not None and len(self.messages) >= self.kill_after and self.kill_pid:
            os.kill(self.kill_pid, signal.SIGKILL)
            self.kill_pid = None
            await asyncio.sleep(0.2)
            return "421 4.3.0 going away"
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.reject:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_attempts += 1
        if self.data_reply is not None:
            return self.data_reply.format(rcpt=",".join(envelope.rcpt_tos))
        if (
            self.transient_after is not None
            and len(self.messages) >= self.transient_after
            and self.transient_count > 0
        ):
            self.transient_count -= 1
            return "421 4.3.2 system busy, try later"
        self.messages.append(envelope.content)
        return "250 2.0.0 queued"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server(inbox: Inbox, port: int | None = None) -> Iterator[int]:
    """Run ``inbox`` as an SMTP server on 127.0.0.1; yields the port."""
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()


def write_recipients(path: Path, count: int, extra: str = "") -> Path:
    lines = ["email,name", *(f"user{i}@example.org,User {i}" for i in range(count))]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path
