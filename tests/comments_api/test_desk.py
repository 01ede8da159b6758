"""The animator's desk: its rules as a pure function, and the page over HTTP on a built site
with comments imported from a JSON Lines fixture (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from comments_api.desk import PublishedItem, build_desk
from comments_api.settings import settings_from_config
from comments_api.store import CommentRow
from generator.commands.cli import main
from generator.config import load_config
from generator.model import Community, Person
from tests.comments_api.conftest import ApiFactory
from tests.conftest import DEFAULT_PEOPLE, SiteFactory, post_text
from tests.htmlcheck import parse_html

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
ADA = {"x-forwarded-email": "ada@example.com"}


def item(
    path: str, days_ago: float, kind: str = "post", community: str = "data", **extra: Any
) -> PublishedItem:
    return PublishedItem(
        path, kind, path.strip("/"), NOW - timedelta(days=days_ago), community, **extra
    )


def comment(cid: int, thread: str, body: str, days_ago: float) -> CommentRow:
    return CommentRow(
        cid,
        thread,
        1,
        None,
        0,
        "Ada",
        None,
        None,
        body,
        "",
        "approved",
        NOW - timedelta(days=days_ago),
        None,
        None,
    )


def test_desk_rules() -> None:
    meetup = dict(kind="meetup")
    items = [
        item("/fresh/", 3),
        item("/commented/", 3),
        item("/old/", 20),
        item("/future/", -1),
        item("/link/", 1, kind="link", community="ops"),
        item(
            "/soon/",
            30,
            start=NOW + timedelta(days=3),
            end=NOW + timedelta(days=3, hours=2),
            **meetup,
        ),
        item(
            "/prepared/",
            30,
            start=NOW + timedelta(days=3),
            end=NOW + timedelta(days=3, hours=2),
            before=("/fresh/",),
            **meetup,
        ),
        item(
            "/far/",
            30,
            start=NOW + timedelta(days=10),
            end=NOW + timedelta(days=10, hours=2),
            **meetup,
        ),
        item(
            "/ended/",
            30,
            start=NOW - timedelta(days=4),
            end=NOW - timedelta(days=4) + timedelta(hours=2),
            **meetup,
        ),
        item(
            "/recapped/",
            30,
            start=NOW - timedelta(days=4),
            end=NOW - timedelta(days=4) + timedelta(hours=2),
            after=("/commented/",),
            **meetup,
        ),
        item(
            "/long-ago/",
            90,
            start=NOW - timedelta(days=60),
            end=NOW - timedelta(days=60) + timedelta(hours=2),
            **meetup,
        ),
    ]
    questions = [
        comment(1, "/old/", "Did anyone try this?\n", 3),
        comment(2, "/old/", "Anyone? (still waiting)", 3),
        comment(3, "/fresh/", "Too recent to chase?", 1),
    ]
    people = [
        Person("new", "Newcomer", joined=date(2026, 11, 1)),
        Person("veteran", "Veteran", joined=date(2026, 9, 1)),
        Person("unknown", "Never dated"),
    ]
    communities = [Community("data", "Data"), Community("ops", "Ops"), Community("sec", "Security")]
    desk = build_desk(items, {"/commented/": 2}, questions, communities, people, NOW)
    assert [i.path for i in desk.uncommented] == ["/link/", "/fresh/"]
    assert [q.comment_id for q in desk.questions] == [1]
    assert [(g.item.path, g.missing) for g in desk.meetups] == [
        ("/ended/", "after"),
        ("/soon/", "before"),
    ]
    assert [(c.id, c.last_post) for c in desk.quiet] == [("ops", None), ("sec", None)]
    assert [p.id for p in desk.newcomers] == ["new"]


@pytest.fixture
def built_site(
    make_site: SiteFactory, db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Path:
    """A small site built at NOW: a meetup that ended four days ago without a recap."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(NOW.timestamp())))
    people = [{**DEFAULT_PEOPLE[0], "joined": "2026-11-10"}, DEFAULT_PEOPLE[1]]
    posts = {
        "2026/forecasting.md": post_text(
            {
                "title": "Forecasting at scale",
                "date": "2026-11-15T10:00",
                "author": "ada",
                "community": "data",
            }
        ),
        "2026/data-meetup.md": post_text(
            {
                "title": "Data meetup",
                "date": "2026-11-01T10:00",
                "author": "ada",
                "community": "data",
                "event": {"start": "2026-11-20T18:00:00+01:00", "end": "2026-11-20T20:00:00+01:00"},
            }
        ),
    }
    site = make_site(posts=posts, people=people, comments={"database": db_url})
    result = CliRunner().invoke(main, ["build", "--site", str(site)])
    assert result.exit_code == 0, result.output
    return site


def test_the_desk_lists_an_imported_unanswered_question_and_a_missing_recap(
    built_site: Path, db_url: str, make_api: ApiFactory, tmp_path: Path
) -> None:
    config = load_config(built_site)
    items = json.loads((config.output_path / "items.json").read_text())["items"]
    thread = next(i["path"] for i in items if i["title"] == "Forecasting at scale")
    fixture = tmp_path / "comments.jsonl"
    lines = [
        {
            "type": "comment",
            "id": 1,
            "thread": thread,
            "parent": None,
            "author_name": "Alan",
            "email": None,
            "person_id": "alan",
            "body": "How do you reconcile store and region forecasts?",
            "status": "approved",
            "created": "2026-11-20T09:00:00+00:00",
            "edited": None,
        },
        {
            "type": "comment",
            "id": 2,
            "thread": thread,
            "parent": None,
            "author_name": "Ada",
            "email": None,
            "person_id": "ada",
            "body": "Why not hierarchical models?",
            "status": "approved",
            "created": "2026-11-18T09:00:00+00:00",
            "edited": None,
        },
        {
            "type": "comment",
            "id": 3,
            "thread": thread,
            "parent": 2,
            "author_name": "Alan",
            "email": None,
            "person_id": "alan",
            "body": "We tried them.",
            "status": "approved",
            "created": "2026-11-19T09:00:00+00:00",
            "edited": None,
        },
        {
            "type": "comment",
            "id": 4,
            "thread": thread,
            "parent": None,
            "author_name": "Ada",
            "email": None,
            "person_id": "ada",
            "body": "Slides anywhere?",
            "status": "approved",
            "created": "2026-11-23T20:00:00+00:00",
            "edited": None,
        },
    ]
    fixture.write_text("".join(json.dumps(line) + "\n" for line in lines))
    imported = CliRunner().invoke(
        main, ["comments", "import", str(fixture), "--site", str(built_site), "--db", db_url]
    )
    assert imported.exit_code == 0, imported.output

    base = settings_from_config(config, db_url)
    api = make_api(
        identity="trusted-header",
        admins=frozenset({"ada@example.com"}),
        items_file=base.items_file,
        communities=base.communities,
        people=base.people,
    )
    answer = api.client.get("/admin/desk", headers=ADA)
    assert answer.status_code == 200, answer.text
    desk = parse_html(answer.text)
    text = desk.text
    assert "As of 2026-11-24 12:00 UTC" in text
    assert "How do you reconcile store and region forecasts?" in text  # 4 days, no reply
    assert "Why not hierarchical models?" not in text  # answered
    assert "Slides anywhere?" not in text  # less than two days old
    assert f"{thread}#comment-1" in " ".join(desk.links)
    assert "No “after” post (recap) since it ended." in text
    assert "Data meetup" in text
    assert "Ada Lovelace · joined 2026-11-10" in text  # joined 14 days ago
    assert "Alan Turing" not in text  # no joined date: never listed
    assert "Security · no post yet" in text
