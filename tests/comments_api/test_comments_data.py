"""The build's view of comments: the export snapshot or the database, as model records."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.config import parse_config
from generator.errors import ContentError
from generator.model import AccountRecord, CommentRecord, ReactionRecord
from generator.sources.comments import load_comments_data, parse_export
from tests.comments_api.conftest import THREAD, ApiFactory

LINES = [
    {"type": "comment", "id": 1, "thread": THREAD, "parent": None, "author_name": "Ada",
     "email": "ada@example.com", "person_id": "ada", "body": "Hi", "status": "approved",
     "created": "2026-11-02T10:00:00+01:00", "edited": "2026-11-02T09:05:00Z"},
    {"type": "reaction", "comment_id": 1, "kind": "like", "email": None, "person_id": "alan",
     "created": "2026-11-02T10:00:00+00:00"},
    {"type": "account", "email": "ada@example.com", "person_id": "ada",
     "first_seen": "2026-11-01T08:00:00+00:00"},
    {"type": "suppression", "email": "x@example.com", "created": "2026-11-01T08:00:00+00:00"},
]  # fmt: skip


def test_parse_export_gives_utc_records() -> None:
    data = parse_export([json.dumps(line) for line in LINES], "snap.jsonl")
    assert data.comments == (
        CommentRecord(
            id=1,
            thread=THREAD,
            parent=None,
            author_name="Ada",
            body="Hi",
            status="approved",
            created=datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
            edited=datetime(2026, 11, 2, 9, 5, tzinfo=UTC),
            email="ada@example.com",
            person_id="ada",
        ),
    )
    assert data.reactions == (
        ReactionRecord(1, "like", datetime(2026, 11, 2, 10, 0, tzinfo=UTC), None, "alan"),
    )
    assert data.accounts == (
        AccountRecord("ada@example.com", "ada", datetime(2026, 11, 1, 8, 0, tzinfo=UTC)),
    )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ('{"type": "comment", "id": 1}', "snap.jsonl:1: missing 'status'"),
        ("{", "snap.jsonl:1: invalid JSON"),
        ('{"type": "account", "email": 5, "person_id": null, "first_seen": "2026-01-01T00:00Z"}',
         "snap.jsonl:1: 'email': expected a string or null"),
        ('{"type": "account", "email": null, "person_id": null, "first_seen": "yesterday"}',
         "not an ISO 8601 time"),
    ],
)  # fmt: skip
def test_parse_export_names_file_and_line(line: str, problem: str) -> None:
    with pytest.raises(ContentError) as caught:
        parse_export([line], "snap.jsonl")
    assert problem in str(caught.value)


def test_bad_status_and_thread_are_reported() -> None:
    comment = dict(LINES[0], status="published", thread="relative")
    with pytest.raises(ContentError) as caught:
        parse_export(["", json.dumps(comment)], "s")
    assert "s:2: 'status': expected one of approved, pending, rejected, deleted" in str(
        caught.value
    )
    comment = dict(LINES[0], thread="relative")
    with pytest.raises(ContentError, match="'thread': expected an absolute path"):
        parse_export([json.dumps(comment)], "s")


def test_snapshot_relative_to_site_yaml(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "c.jsonl").write_text("\n".join(json.dumps(x) for x in LINES))
    config = parse_config("title: T\ncomments:\n  snapshot: data/c.jsonl\n", tmp_path / "site.yaml")
    data = load_comments_data(config)
    assert len(data.comments) == 1 and len(data.accounts) == 1
    missing = parse_config("title: T\ncomments:\n  snapshot: nope.jsonl\n", tmp_path / "site.yaml")
    with pytest.raises(ContentError, match=r"nope\.jsonl: comments\.snapshot: no such file"):
        load_comments_data(missing)
    (tmp_path / "bin.jsonl").write_bytes(b"\xff\xfe")
    binary = parse_config("title: T\ncomments:\n  snapshot: bin.jsonl\n", tmp_path / "site.yaml")
    with pytest.raises(ContentError, match="not UTF-8"):
        load_comments_data(binary)


def test_missing_sqlite_database_is_empty_and_not_created(tmp_path: Path) -> None:
    config = parse_config("title: T\n", tmp_path / "site.yaml")
    assert load_comments_data(config).comments == ()
    assert not (tmp_path / ".veille").exists()


def test_reads_the_live_database(make_api: ApiFactory, db_url: str, tmp_path: Path) -> None:
    api = make_api()
    created = api.post("from the db", email="ada@example.com").json()
    api.client.post(f"/api/comments/{created['id']}/reactions", json={"kind": "like"})
    config = parse_config(f"title: T\ncomments:\n  database: {db_url}\n", tmp_path / "site.yaml")
    data = load_comments_data(config)
    assert [c.body for c in data.comments] == ["from the db"]
    assert data.comments[0].created.tzinfo is UTC
    assert [r.kind for r in data.reactions] == ["like"]


def test_unreadable_databases_mean_no_comments(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    config = parse_config(
        f"title: T\ncomments:\n  database: sqlite:///{empty}\n", tmp_path / "site.yaml"
    )
    assert load_comments_data(config).comments == ()
    config = parse_config(
        "title: T\ncomments:\n  database: postgresql://nobody@127.0.0.1:1/none\n",
        tmp_path / "site.yaml",
    )
    assert load_comments_data(config).comments == ()
