"""Notification emails (rendering, language) and the ``@id`` mention step, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.config import parse_config
from generator.markup import MarkdownRenderer, link_mentions, mentioned_ids
from generator.model import Digest, Notice
from generator.notifications.render import build_message
from generator.themes import make_environment

PEOPLE = frozenset({"ana", "bo-2"})


@pytest.mark.parametrize(
    ("body", "linked"),
    [
        ("hi @ana", ("ana",)),
        ("@ana, @bo-2 and @zed", ("ana", "bo-2")),
        ("mail ana@ana.com or me@ana", ()),
        ("`@ana` in code", ()),
        ("[@ana](https://example.com)", ()),
        ("@Ana is not an id", ()),
        ("(@ana)", ("ana",)),
    ],
)
def test_only_known_ids_outside_code_and_links_become_mentions(
    body: str, linked: tuple[str, ...]
) -> None:
    html = MarkdownRenderer(use="comment", mentions=PEOPLE, people_path="/wall/people/")(body)
    assert mentioned_ids(html) == linked
    for person in linked:
        assert f'<a class="mention" href="/wall/people/{person}/">@{person}</a>' in html


def test_mentions_are_linked_after_sanitising_so_a_reader_cannot_forge_one() -> None:
    forged = '<a class="mention" href="/people/ana/">x</a>'
    html = MarkdownRenderer(use="comment", mentions=PEOPLE)(forged)
    assert mentioned_ids(html) == ()
    assert link_mentions("<p>@ana</p>", frozenset()) == "<p>@ana</p>"


@pytest.mark.parametrize(
    ("extra", "enabled", "sender"),
    [
        ("", False, "Veille <veille@example.com>"),
        ("comments:\n  identity: trusted-header\n", True, "Veille <veille@example.com>"),
        ("newsletter:\n  sender: N <n@example.com>\n", False, "N <n@example.com>"),
        (
            "comments:\n  identity: trusted-header\nnotifications:\n  enabled: false\n"
            "  sender: W <w@example.com>\n",
            False,
            "W <w@example.com>",
        ),
    ],
)
def test_notifications_config_defaults(
    tmp_path: Path, extra: str, enabled: bool, sender: str
) -> None:
    config = parse_config('title: "T"\n' + extra, tmp_path / "site.yaml")
    assert config.notifications_enabled is enabled
    assert config.notification_sender == sender


def test_a_french_site_sends_french_notifications(tmp_path: Path) -> None:
    config = parse_config(
        'title: "Mur & co"\nlanguage: fr\nbase_url: https://wall.example/sub/\n',
        tmp_path / "site.yaml",
    )
    when = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)
    notices = (
        Notice(7, "/posts/a/", "reply", "Bo", "<p>Oui, voir <a href='/x/'>ici</a></p>", when),
        Notice(9, "/posts/a/", "mention", "Cy", "<p>@ana</p>", when),
    )
    digest = Digest("ana@example.com", "ana", "Ana", notices)
    msg = build_message(
        digest, config, make_environment(config), token="t", msg_id="<m@x>", date=when
    )
    assert msg["Subject"] == "2 nouveaux commentaires pour vous sur Mur & co"
    text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Bo a répondu à votre commentaire" in text
    assert "https://wall.example/sub/posts/a/#comment-7" in text
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert 'href="https://wall.example/x/"' in html  # links made absolute for mail
    assert msg["List-Unsubscribe"] == "<https://wall.example/api/notifications/unsubscribe?token=t>"
