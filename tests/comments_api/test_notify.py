"""``veille notify`` end to end: trusted-header comments on the real API over HTTP (SQLite
and PostgreSQL), the real command, and aiosmtpd on 127.0.0.1 as the mail server."""

from __future__ import annotations

import email
import json
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from comments_api.settings import load_everyone
from comments_api.store.tables import notification_settings, notifications
from generator.commands.cli import main
from generator.config import load_config
from tests.comments_api.conftest import THREAD, Api, ApiFactory
from tests.generator.newsletter_fixtures import Inbox, smtp_server

PEOPLE = """\
- id: ana
  name: Ana Martin
  email: ana@example.com
- id: bo
  name: Bo Petit
  email: bo@example.com
- id: cy
  name: Cy Durand
  email: cy@example.com
"""
SECRET = "newsletter-secret"


@dataclass
class Wall:
    """A site whose comments live in the test database, and its API served over HTTP."""

    site: Path
    api: Api
    inbox: Inbox
    port: int

    def comment(self, who: str, body: str, parent: int | None = None) -> int:
        answer = self.api.client.post(
            "/api/comments",
            params={"thread": THREAD},
            json={"body": body, **({"parent": parent} if parent else {})},
            headers={"x-forwarded-email": f"{who}@example.com"},
        )
        assert answer.status_code == 201, answer.text
        return int(answer.json()["id"])

    def notify(self, *args: str) -> Any:
        smtp = f"smtp://127.0.0.1:{self.port}"
        return CliRunner().invoke(
            main, ["notify", "--site", str(self.site / "site.yaml"), "--smtp", smtp, *args]
        )

    def mail_to(self, person: str) -> list[EmailMessage]:
        found = []
        for raw in self.inbox.messages:
            msg = email.message_from_bytes(raw, policy=default)
            assert isinstance(msg, EmailMessage)
            if f"{person}@example.com" in str(msg["To"]):
                found.append(msg)
        return found

    def ledger(self) -> list[tuple[str, int, str, str]]:
        query = select(
            notifications.c.email,
            notifications.c.comment_id,
            notifications.c.reason,
            notifications.c.status,
        ).order_by(notifications.c.email, notifications.c.comment_id)
        with self.api.store.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(query)]  # type: ignore[misc]


@pytest.fixture
def wall(make_api: ApiFactory, db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "content" / "people.yaml").write_text(PEOPLE, encoding="utf-8")
    (site / "content" / "communities.yaml").write_text("[]\n", encoding="utf-8")
    (site / "public").mkdir()
    items = {"items": [{"path": THREAD, "kind": "post", "title": "LLM ops", "author": "ana"}]}
    (site / "public" / "items.json").write_text(json.dumps(items), encoding="utf-8")
    inbox = Inbox()
    with smtp_server(inbox) as port:
        config_text = (
            "title: Team wall\nlanguage: en\nbase_url: https://wall.example/\n"
            f"comments:\n  identity: trusted-header\n  database: '{db_url}'\n"
            "  api_url: API_URL\n"
            "newsletter:\n  sender: 'Wall <wall@example.com>'\n"
        )
        (site / "site.yaml").write_text(config_text, encoding="utf-8")
        people = load_everyone(load_config(site / "site.yaml"))
        api = make_api(
            identity="trusted-header",
            threads=[THREAD],
            people={p.email: p for p in people if p.email},
            person_ids=frozenset(p.id for p in people),
        )
        (site / "site.yaml").write_text(
            config_text.replace("API_URL", f"{api.server.url}/api"), encoding="utf-8"
        )
        monkeypatch.setenv("VEILLE_NEWSLETTER_SECRET", SECRET)
        yield Wall(site, api, inbox, port)


def _body(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body((subtype,))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def test_a_reply_with_a_mention_emails_the_replied_and_the_mentioned_once(wall: Wall) -> None:
    first = wall.comment("ana", "Who has run vLLM in production?")
    reply = wall.comment("bo", "We did, and @cy wrote the runbook. Not @nobody.", parent=first)

    result = wall.notify()

    assert result.exit_code == 0, result.output
    assert [len(wall.mail_to(p)) for p in ("ana", "bo", "cy")] == [1, 0, 1]
    to_ana, to_cy = wall.mail_to("ana")[0], wall.mail_to("cy")[0]
    anchor = f"https://wall.example{THREAD}#comment-{reply}"
    assert anchor in _body(to_ana, "plain") and anchor in _body(to_ana, "html")
    assert "Bo Petit replied to your comment" in _body(to_ana, "plain")
    assert "Bo Petit mentioned you" in _body(to_cy, "plain")
    assert to_ana["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert to_ana["From"] == "Wall <wall@example.com>"
    # The mention links to the person's page on the wall; an unknown id stays text.
    html = _body(to_cy, "html")
    assert 'href="https://wall.example/people/cy/"' in html and "/people/nobody/" not in html
    listed = wall.api.client.get(
        "/api/comments", params={"thread": THREAD}, headers={"x-forwarded-email": "cy@example.com"}
    ).json()
    assert '<a class="mention" href="/people/cy/">@cy</a>' in listed[1]["html"]
    assert wall.ledger() == [
        ("ana@example.com", reply, "reply", "sent"),
        ("cy@example.com", reply, "mention", "sent"),
    ]

    again = wall.notify()
    assert again.exit_code == 0, again.output
    assert len(wall.inbox.messages) == 2  # a rerun sends nothing


def test_one_email_per_person_groups_everything_new(wall: Wall) -> None:
    first = wall.comment("ana", "A question")
    wall.comment("bo", "One answer", parent=first)
    wall.comment("cy", "Another answer, cc @ana", parent=first)
    wall.comment("ana", "Thanks both, @ana talking to myself")  # own action: nothing

    assert wall.notify().exit_code == 0
    (to_ana,) = wall.mail_to("ana")
    assert to_ana["Subject"] == "2 new comments for you on Team wall"
    assert wall.mail_to("bo") == [] and wall.mail_to("cy") == []


def test_a_421_midway_then_a_rerun_delivers_each_exactly_once(wall: Wall) -> None:
    first = wall.comment("ana", "Anyone tried pgvector?")
    wall.comment("bo", "Yes, ask @cy", parent=first)
    wall.inbox.transient_after, wall.inbox.transient_count = 1, 1

    broken = wall.notify()

    assert broken.exit_code == 3, broken.output
    assert len(wall.inbox.messages) == 1
    statuses = sorted(status for *_rest, status in wall.ledger())
    assert statuses == ["pending", "sent"]  # recorded before sending, marked after

    resumed = wall.notify()
    assert resumed.exit_code == 0, resumed.output
    assert [len(wall.mail_to(p)) for p in ("ana", "bo", "cy")] == [1, 0, 1]
    assert wall.notify().exit_code == 0
    assert len(wall.inbox.messages) == 2


def test_dry_run_sends_and_records_nothing(wall: Wall) -> None:
    first = wall.comment("ana", "Hello")
    wall.comment("bo", "Hi @cy", parent=first)

    result = wall.notify("--dry-run")

    assert result.exit_code == 0, result.output
    assert "would email 2 people about 2 comments" in result.output
    assert wall.inbox.messages == [] and wall.ledger() == []


def test_one_click_unsubscribe_stops_the_next_email_and_turning_back_on_works(
    wall: Wall,
) -> None:
    first = wall.comment("ana", "Hello")
    wall.comment("bo", "Hi", parent=first)
    assert wall.notify().exit_code == 0
    link = str(wall.mail_to("ana")[0]["List-Unsubscribe"]).strip("<>")

    page = wall.api.client.get(link)  # a mail scanner following the link changes nothing
    assert page.status_code == 200 and "<form" in page.text
    off = wall.api.client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert off.status_code == 200 and "Turn them back on" in off.text
    wall.comment("bo", "Still there?", parent=first)
    assert wall.notify().exit_code == 0
    assert len(wall.mail_to("ana")) == 1  # nothing new for ana

    me = {"x-forwarded-email": "ana@example.com"}
    assert wall.api.client.get("/api/me/notifications", headers=me).json() == {"enabled": False}
    back = wall.api.client.put("/api/me/notifications", json={"enabled": True}, headers=me)
    assert back.status_code == 200 and back.json() == {"enabled": True}
    wall.comment("cy", "Welcome back", parent=first)
    assert wall.notify().exit_code == 0
    assert len(wall.mail_to("ana")) == 2
    assert "Welcome back" in _body(wall.mail_to("ana")[1], "plain")


def test_a_forged_or_newsletter_token_cannot_turn_notifications_off(wall: Wall) -> None:
    from comments_api.unsubscribe import make_token

    newsletter_token = make_token("ana@example.com", SECRET)
    answer = wall.api.client.post(
        "/api/notifications/unsubscribe", params={"token": newsletter_token}
    )
    assert answer.status_code == 400
    with wall.api.store.read() as tx:
        assert tx.notifications_enabled("ana@example.com") is None


def test_notify_with_notifications_disabled_says_so(wall: Wall) -> None:
    config = wall.site / "site.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "notifications:\n  enabled: false\n",
        encoding="utf-8",
    )
    first = wall.comment("ana", "Hello")
    wall.comment("bo", "Hi", parent=first)

    result = wall.notify()

    assert result.exit_code == 0
    assert "Notifications are disabled" in result.output
    assert wall.inbox.messages == []


def test_settings_travel_in_the_export(wall: Wall) -> None:
    me = {"x-forwarded-email": "cy@example.com"}
    wall.api.client.put("/api/me/notifications", json={"enabled": False}, headers=me)
    from comments_api.exchange import export_lines, parse_lines

    with wall.api.store.read() as tx:
        lines = list(export_lines(tx))
    records = [json.loads(line) for line in lines]
    (setting,) = [r for r in records if r["type"] == "notification_setting"]
    assert setting["email"] == "cy@example.com" and setting["person_id"] == "cy"
    assert setting["enabled"] is False
    parsed = parse_lines(lines, "export.jsonl")
    assert [(s.email, s.enabled) for s in parsed.notification_settings] == [
        ("cy@example.com", False)
    ]
    with wall.api.store.read() as tx:
        count = tx.conn.execute(select(func.count()).select_from(notification_settings))
        assert count.scalar() == 1
