"""Pure pieces: markup, policy rules, the threads list, settings from site.yaml."""

from __future__ import annotations

import json
import logging
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from comments_api import policy
from comments_api.app import RedactQuery, settings_from_config
from comments_api.markup import render_comment
from comments_api.settings import load_people
from comments_api.threads import ThreadRegistry
from generator.config import parse_config


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("**bold** _it_ `code`", "<p><strong>bold</strong> <em>it</em> <code>code</code></p>"),
        ("~~gone~~", "<p><s>gone</s></p>"),
        ("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>"),
        ("1. one\n2. two", "<ol>\n<li>one</li>\n<li>two</li>\n</ol>"),
        (
            "[site](https://example.com)",
            '<p><a href="https://example.com" rel="nofollow noopener noreferrer ugc">site</a></p>',
        ),
        ("<b>raw</b>", "<p>&lt;b&gt;raw&lt;/b&gt;</p>"),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
    ],
)
def test_render_comment(body: str, html: str) -> None:
    assert render_comment(body) == html


def test_policy_rules() -> None:
    assert policy.initial_status("none", has_approved=False) == "approved"
    assert policy.initial_status("all", has_approved=True) == "pending"
    assert policy.initial_status("first-time", has_approved=False) == "pending"
    assert policy.initial_status("first-time", has_approved=True) == "approved"
    created = datetime(2026, 1, 1, tzinfo=UTC)
    window = timedelta(minutes=15)
    assert policy.within_window(created, created + window, window)
    assert not policy.within_window(created, created + window + timedelta(seconds=1), window)
    token, digest = policy.new_token()
    assert policy.token_matches(token, digest)
    assert not policy.token_matches(token + "x", digest)
    assert not policy.token_matches(token, None)
    assert token not in digest
    who = policy.Identity("10.0.0.1")
    assert policy.actor_key(who, " Bob ") == policy.actor_key(who, "bob")
    assert policy.actor_key(who, None).startswith("addr:")
    assert "10.0.0.1" not in policy.actor_key(who, None)
    assert policy.actor_key(policy.Identity("x", email="a@b.c"), "Bob") == "email:a@b.c"
    assert policy.is_admin(policy.Identity("x", email="a@b.c", person_id="Ada"), frozenset({"ada"}))
    assert not policy.is_admin(policy.Identity("x"), frozenset({"ada"}))


def test_thread_registry_reloads_on_change(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "threads.json"
    registry = ThreadRegistry(path, recheck_seconds=0)
    with caplog.at_level(logging.WARNING):
        assert registry.allows("/anything/") and not registry.allows("relative")
        registry.allows("/again/")
    assert caplog.text.count("accepting any absolute path") == 1
    path.write_text(json.dumps(["/a/"]))
    assert registry.allows("/a/") and not registry.allows("/b/")
    time.sleep(0.01)
    path.write_text(json.dumps(["/a/", "/b/"]))
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10_000_000))
    assert registry.allows("/b/")
    path.write_text("{broken")
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 20_000_000))
    assert registry.allows("/b/")  # keeps the previous list
    assert ThreadRegistry(None).allows("/x/")


def test_settings_from_site_yaml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "people.yaml").write_text(
        "- {id: ada, name: Ada Lovelace, email: Ada@Example.com}\n- {id: nomail, name: X}\n- 3\n"
    )
    config = parse_config(
        "title: T\nbase_url: https://wall.example.com/veille/\ncomments:\n"
        "  identity: trusted-header\n  edit_window_minutes: 5\n  trusted_proxies: [10.0.0.0/8]\n"
        "  admins: [Ada]\n  database: sqlite:///db/c.db\n",
        tmp_path / "site.yaml",
    )
    monkeypatch.setenv("VEILLE_ADMIN_TOKEN", "tok")
    monkeypatch.delenv("VEILLE_NEWSLETTER_SECRET", raising=False)
    settings = settings_from_config(config)
    assert settings.site_origin == "https://wall.example.com"
    assert settings.identity == "trusted-header"
    assert settings.edit_window == timedelta(minutes=5)
    assert settings.admins == frozenset({"ada"})
    assert settings.people["ada@example.com"].id == "ada"
    assert settings.admin_token == "tok" and settings.newsletter_secret is None
    assert settings.database_url == f"sqlite:///{tmp_path.resolve()}/db/c.db"
    assert settings.threads_file == tmp_path / "public" / "threads.json"
    assert settings_from_config(config, "sqlite:///other.db").database_url == "sqlite:///other.db"


def test_people_directory_problems_are_logged_with_their_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = parse_config("title: T\nbase_url: https://wall.example.com/\n", tmp_path / "site.yaml")
    assert load_people(config) == {}  # no people.yaml: nobody known
    (tmp_path / "content").mkdir()
    people = tmp_path / "content" / "people.yaml"
    people.write_text("- [unclosed")
    with caplog.at_level(logging.WARNING, logger="comments_api.settings"):
        assert load_people(config) == {}
    assert "content/people.yaml:2: invalid YAML" in caplog.text
    caplog.clear()
    people.write_text(
        "- {id: ada, name: Ada, email: ada@example.com}\n"
        "- {id: bob, name: Bob, email: bob@example.com, emial: typo}\n"
    )
    with caplog.at_level(logging.WARNING, logger="comments_api.settings"):
        assert [p.id for p in load_people(config).values()] == ["ada"]
    assert "content/people.yaml:2: [1].emial: unknown key (did you mean 'email'?)" in caplog.text


def test_access_logs_never_keep_query_strings() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:1", "GET", "/api/newsletter/unsubscribe?token=SECRET", "1.1", 200), None,
    )  # fmt: skip
    assert RedactQuery().filter(record)
    assert "SECRET" not in record.getMessage()
    assert "/api/newsletter/unsubscribe?[redacted]" in record.getMessage()
