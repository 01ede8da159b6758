"""Sending over real SMTP (aiosmtpd on 127.0.0.1): structure, retries, crash and resume."""

from __future__ import annotations

import email
import json
import os
import subprocess
import sys
import time
from collections import Counter
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from comments_api import migrations
from comments_api.store import Store
from comments_api.unsubscribe import make_token, read_token
from generator.commands.newsletter import newsletter, save_edition
from generator.config import SiteConfig
from generator.errors import ContentError, UsageError
from generator.newsletter.edition import build_edition, parse_period
from generator.newsletter.recipients import load_recipients, parse_recipients
from generator.newsletter.render import RenderedEdition, edition_dir, render_email
from generator.newsletter.secret import ensure_dev_secret
from generator.newsletter.send import SendError, parse_smtp_url, send_edition
from tests.generator.newsletter_fixtures import (
    NOW,
    WEEK,
    Inbox,
    make_config,
    make_env,
    make_site,
    smtp_server,
    write_recipients,
)
from tests.generator.test_newsletter_render import parse

SECRET = "test-secret-not-for-production"
ROOT = Path(__file__).resolve().parents[2]
DRY = ("--dry-run",)
FAST = "  rate_per_second: 5000\n  batch_size: 50\n"


def built(tmp_path: Path) -> tuple[SiteConfig, RenderedEdition]:
    config = make_config(tmp_path, FAST)
    edition = build_edition(make_site(), config, parse_period(WEEK, None, config, NOW), NOW)
    rendered = render_email(edition, config, make_env(config))
    save_edition(config, edition, rendered.html, rendered.text)
    return config, rendered


def token_for(address: str) -> str:
    return make_token(address, SECRET)


def received(inbox: Inbox) -> list[EmailMessage]:
    found = []
    for raw in inbox.messages:
        msg = email.message_from_bytes(raw, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        found.append(msg)
    return found


def recipients_of(inbox: Inbox) -> Counter[str]:
    return Counter(str(m["To"].addresses[0].addr_spec) for m in received(inbox))


def test_two_hundred_recipients_each_get_a_valid_personal_message(tmp_path: Path) -> None:
    config, rendered = built(tmp_path)
    people, _ = load_recipients(write_recipients(tmp_path / "r.csv", 200))
    inbox = Inbox()
    with smtp_server(inbox) as port:
        started = time.perf_counter()
        report = send_edition(
            rendered,
            config,
            people,
            parse_smtp_url(f"smtp://127.0.0.1:{port}", {}),
            edition_dir(config, WEEK) / "ledger.jsonl",
            token_for=token_for,
        )
        elapsed = time.perf_counter() - started
    assert report.sent == 200 and not report.failed and report.pending == 0
    assert elapsed < 20
    assert inbox.sessions == 4  # batches of 50, one session each
    messages = received(inbox)
    assert len({m["Message-ID"] for m in messages}) == 200
    for msg in messages:
        to = msg["To"].addresses[0].addr_spec
        assert msg.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert msg["From"] == "Veille <veille@example.org>" and msg["Subject"] and msg["Date"]
        assert msg["List-Id"] == "Veille weekly <veille.example.org>"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        unsubscribe = str(msg["List-Unsubscribe"]).strip("<>")
        token = unsubscribe.split("token=")[1]
        assert read_token(token, SECRET) == to.lower()
        html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
        doc = parse(html)
        assert all(u.startswith(("https://", "mailto:")) for u in doc.urls)
        assert "script" not in doc.tags and "javascript:" not in html
        assert unsubscribe in html
        text = msg.get_body(("plain",)).get_content()  # type: ignore[union-attr]
        assert unsubscribe in text


def test_421_midway_is_retried_and_nobody_gets_two(tmp_path: Path) -> None:
    config, rendered = built(tmp_path)
    people, _ = load_recipients(write_recipients(tmp_path / "r.csv", 120))
    inbox = Inbox(transient_after=60, transient_count=3)
    with smtp_server(inbox) as port:
        report = send_edition(
            rendered,
            config,
            people,
            parse_smtp_url(f"smtp://127.0.0.1:{port}", {}),
            edition_dir(config, WEEK) / "ledger.jsonl",
            token_for=token_for,
            backoff=0.01,
        )
    assert report.sent == 120 and report.retries == 3
    assert set(recipients_of(inbox).values()) == {1} and len(recipients_of(inbox)) == 120


def test_permanent_failures_are_recorded_and_not_retried(tmp_path: Path) -> None:
    config, rendered = built(tmp_path)
    people, _ = load_recipients(write_recipients(tmp_path / "r.csv", 10))
    inbox = Inbox(reject={"user3@example.org"})
    ledger = edition_dir(config, WEEK) / "ledger.jsonl"
    with smtp_server(inbox) as port:
        target = parse_smtp_url(f"smtp://127.0.0.1:{port}", {})
        report = send_edition(rendered, config, people, target, ledger, token_for=token_for)
        again = send_edition(rendered, config, people, target, ledger, token_for=token_for)
    assert [(f.email, f.code) for f in report.failed] == [("user3@example.org", 550)]
    assert "no such mailbox" in report.failed[0].message
    assert report.sent == 9 and again.sent == 0 and again.failed_before == 1
    assert again.already_sent == 9 and len(inbox.messages) == 9


def test_server_gone_then_back_resumes_without_duplicates(tmp_path: Path) -> None:
    config, rendered = built(tmp_path)
    people, _ = load_recipients(write_recipients(tmp_path / "r.csv", 200))
    ledger = edition_dir(config, WEEK) / "ledger.jsonl"
    inbox = Inbox(transient_after=100, transient_count=10_000)
    with smtp_server(inbox) as port:
        target = parse_smtp_url(f"smtp://127.0.0.1:{port}", {})
        with pytest.raises(SendError) as caught:
            send_edition(
                rendered,
                config,
                people,
                target,
                ledger,
                token_for=token_for,
                backoff=0.01,
                max_attempts=3,
            )
    assert caught.value.report.pending == 100
    assert "run the same command again to resume" in str(caught.value)
    inbox.transient_after = None
    with smtp_server(inbox) as port:  # the server comes back
        target = parse_smtp_url(f"smtp://127.0.0.1:{port}", {})
        report = send_edition(rendered, config, people, target, ledger, token_for=token_for)
    assert report.sent == 100 and report.already_sent == 100
    counts = recipients_of(inbox)
    assert len(counts) == 200 and set(counts.values()) == {1}


def test_killed_midway_then_run_again_reaches_everyone_once(tmp_path: Path) -> None:
    config, _ = built(tmp_path)
    csv = write_recipients(tmp_path / "r.csv", 200, "not-an-address,Bad\nuser5@example.org,Again\n")
    (tmp_path / "export.jsonl").write_text(
        '{"type": "suppression", "email": "USER7@example.org",'
        ' "created": "2026-11-01T00:00:00+00:00"}\n'
        '{"type": "comment", "id": 1}\n',
        encoding="utf-8",
    )
    env = {**os.environ, "VEILLE_NEWSLETTER_SECRET": SECRET, "PYTHONPATH": str(ROOT)}
    inbox = Inbox(kill_after=80)
    with smtp_server(inbox) as port:
        args = [
            "send",
            "--site",
            str(config.source),
            "--edition",
            WEEK,
            "--recipients",
            str(csv),
            "--smtp",
            f"smtp://127.0.0.1:{port}",
            "--suppressions",
            str(tmp_path / "export.jsonl"),
        ]
        proc = subprocess.Popen(
            [sys.executable, "-m", "generator.commands.newsletter", *args],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        inbox.kill_pid = proc.pid
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == -9, err.decode()
        assert len(inbox.messages) == 80
        result = CliRunner().invoke(newsletter, args, env={"VEILLE_NEWSLETTER_SECRET": SECRET})
    assert result.exit_code == 0, result.output
    assert "sent 119" in result.output and "already sent 80" in result.output
    assert "suppressed 1" in result.output
    assert "r.csv:202: 'not-an-address': not a valid email address" in result.output
    assert "r.csv:203: 'user5@example.org': repeats line 7" in result.output
    counts = recipients_of(inbox)
    assert len(counts) == 199 and set(counts.values()) == {1}
    assert "user7@example.org" not in counts


def test_dry_run_counts_and_sends_nothing(tmp_path: Path) -> None:
    config, _ = built(tmp_path)
    csv = write_recipients(tmp_path / "r.csv", 5)
    result = CliRunner().invoke(
        newsletter,
        [
            "send",
            "--site",
            str(config.source),
            "--edition",
            WEEK,
            "--recipients",
            str(csv),
            "--dry-run",
            "--suppressions",
            str(tmp_path / "none.jsonl"),
        ],
        env={"VEILLE_NEWSLETTER_SECRET": SECRET},
    )
    assert result.exit_code == 1  # the named export does not exist
    assert "cannot read the suppression list" in result.output
    (tmp_path / "none.jsonl").write_text("", encoding="utf-8")
    result = CliRunner().invoke(
        newsletter,
        [
            "send",
            "--site",
            str(config.source),
            "--edition",
            WEEK,
            "--recipients",
            str(csv),
            "--dry-run",
            "--suppressions",
            str(tmp_path / "none.jsonl"),
        ],
        env={"VEILLE_NEWSLETTER_SECRET": SECRET},
    )
    assert result.exit_code == 0, result.output
    assert "would send 5" in result.output
    assert not (edition_dir(config, WEEK) / "ledger.jsonl").exists()


def test_dry_run_reads_suppressions_from_the_comments_database(tmp_path: Path) -> None:
    config, _ = built(tmp_path)
    csv = write_recipients(tmp_path / "r.csv", 5)
    store = Store(config.database_url())
    migrations.upgrade(store)
    with store.write() as tx:
        tx.add_suppression("User2@Example.org", NOW)
    store.dispose()
    result = CliRunner().invoke(
        newsletter,
        ["send", "--site", str(config.source), "--edition", WEEK, "--recipients", str(csv), *DRY],
        env={"VEILLE_NEWSLETTER_SECRET": SECRET},
    )
    assert result.exit_code == 0, result.output
    assert "would send 4" in result.output and "suppressed 1" in result.output


def test_no_comments_database_yet_means_nobody_is_suppressed(tmp_path: Path) -> None:
    config, _ = built(tmp_path)
    csv = write_recipients(tmp_path / "r.csv", 3)
    result = CliRunner().invoke(
        newsletter,
        ["send", "--site", str(config.source), "--edition", WEEK, "--recipients", str(csv), *DRY],
        env={"VEILLE_NEWSLETTER_SECRET": SECRET},
    )
    assert result.exit_code == 0, result.output
    assert "nobody is suppressed" in result.output and "would send 3" in result.output


@pytest.mark.parametrize(
    ("args", "env", "code", "message"),
    [
        (["--smtp", "http://x"], {"VEILLE_NEWSLETTER_SECRET": SECRET}, 2, "expected smtp://"),
        (
            ["--smtp", "smtp://127.0.0.1:1"],
            {"VEILLE_NEWSLETTER_SECRET": ""},
            1,
            "set VEILLE_NEWSLETTER_SECRET",
        ),
        (
            ["--smtp", "smtp://u:pw@127.0.0.1:1"],
            {"VEILLE_NEWSLETTER_SECRET": SECRET},
            2,
            "VEILLE_SMTP_PASSWORD",
        ),
    ],
)
def test_send_usage_errors(
    tmp_path: Path, args: list[str], env: dict[str, str], code: int, message: str
) -> None:
    config, _ = built(tmp_path)
    csv = write_recipients(tmp_path / "r.csv", 1)
    result = CliRunner().invoke(
        newsletter,
        ["send", "--site", str(config.source), "--edition", WEEK, "--recipients", str(csv), *args],
        env=env,
    )
    assert result.exit_code == code, result.output
    assert message in result.output


def test_sending_an_edition_never_built_says_how_to_build_it(tmp_path: Path) -> None:
    config = make_config(tmp_path)
    csv = write_recipients(tmp_path / "r.csv", 1)
    result = CliRunner().invoke(
        newsletter,
        [
            "send",
            "--site",
            str(config.source),
            "--edition",
            "2026-W01",
            "--recipients",
            str(csv),
            "--smtp",
            "smtp://127.0.0.1:1",
        ],
        env={"VEILLE_NEWSLETTER_SECRET": SECRET},
    )
    assert result.exit_code == 1
    assert "run: veille newsletter build --edition 2026-W01" in result.output


def test_smtp_urls_and_credentials() -> None:
    env = {"VEILLE_SMTP_USER": "bot", "VEILLE_SMTP_PASSWORD": "pw"}
    assert parse_smtp_url("smtps://mail.example.org", env).port == 465
    target = parse_smtp_url("smtp+starttls://mail.example.org:2587", env)
    assert (target.scheme, target.port, target.username, target.password) == (
        "smtp+starttls",
        2587,
        "bot",
        "pw",
    )
    with pytest.raises(UsageError):
        parse_smtp_url("smtp://", {})


def test_recipients_csv_needs_its_header(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="expected a header 'email,name'"):
        parse_recipients("mail,name\na@b.org,A\n", tmp_path / "r.csv")
    good, bad = parse_recipients('email,name\n\na@b.org,A\n"x y"@b,B\n', tmp_path / "r.csv")
    assert [r.email for r in good] == ["a@b.org"] and [b.line for b in bad] == [4]


def send_args(config: SiteConfig, csv: Path, port: int, *extra: str) -> list[str]:
    return [
        "send",
        "--site",
        str(config.source),
        "--edition",
        WEEK,
        "--recipients",
        str(csv),
        "--smtp",
        f"smtp://127.0.0.1:{port}",
        *extra,
    ]


def ledger_lines(config: SiteConfig) -> list[dict[str, object]]:
    path = edition_dir(config, WEEK) / "ledger.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("reply", ["500 5.0.0 internal error", "554 5.6.0 message refused"])
def test_a_refused_message_stops_the_run_and_blames_no_recipient(
    tmp_path: Path, reply: str
) -> None:
    config, _ = built(tmp_path)
    csv = write_recipients(tmp_path / "r.csv", 2)
    inbox = Inbox(data_reply=reply)
    env = {"VEILLE_NEWSLETTER_SECRET": SECRET}
    with smtp_server(inbox) as port:
        result = CliRunner().invoke(newsletter, send_args(config, csv, port), env=env)
        assert result.exit_code == 3, result.output
        assert f"refused the whole message 3 times ({reply})" in result.output
        assert "2 recipient(s) not reached yet" in result.output
        assert "permanent" not in result.output
        assert inbox.data_attempts == 3  # retried, then nobody else was tried
        assert ledger_lines(config) == []  # nobody is recorded as failed
        inbox.data_reply = None  # the server is fixed: the same command reaches both
        again = CliRunner().invoke(newsletter, send_args(config, csv, port), env=env)
    assert again.exit_code == 0, again.output
    assert "sent 2" in again.output and "failed 0," in again.output
    assert recipients_of(inbox) == Counter({"user0@example.org": 1, "user1@example.org": 1})


def test_a_5xx_naming_the_recipient_is_that_recipients_refusal(tmp_path: Path) -> None:
    config, rendered = built(tmp_path)
    people, _ = load_recipients(write_recipients(tmp_path / "r.csv", 3))
    inbox = Inbox(data_reply="552 5.2.2 {rcpt}: mailbox full")
    with smtp_server(inbox) as port:
        report = send_edition(
            rendered,
            config,
            people,
            parse_smtp_url(f"smtp://127.0.0.1:{port}", {}),
            edition_dir(config, WEEK) / "ledger.jsonl",
            token_for=token_for,
        )
    assert [(f.email, f.code) for f in report.failed] == [
        (f"user{i}@example.org", 552) for i in range(3)
    ]
    assert inbox.data_attempts == 3 and report.retries == 0


def test_a_refused_recipient_exits_3_and_retry_failed_sends_once(tmp_path: Path) -> None:
    config, _ = built(tmp_path)
    csv = write_recipients(tmp_path / "r.csv", 3)
    inbox = Inbox(reject={"user1@example.org"})
    env = {"VEILLE_NEWSLETTER_SECRET": SECRET}
    with smtp_server(inbox) as port:
        first = CliRunner().invoke(newsletter, send_args(config, csv, port), env=env)
        rerun = CliRunner().invoke(newsletter, send_args(config, csv, port), env=env)
        inbox.reject.clear()  # the mailbox now exists
        retried = CliRunner().invoke(
            newsletter, send_args(config, csv, port, "--retry-failed"), env=env
        )
        again = CliRunner().invoke(
            newsletter, send_args(config, csv, port, "--retry-failed"), env=env
        )
    assert first.exit_code == 3, first.output
    assert "failed user1@example.org: 550 5.1.1 no such mailbox" in first.output
    assert "1 recipient(s) not delivered" in first.output and "--retry-failed" in first.output
    assert rerun.exit_code == 3 and "sent 0" in rerun.output and "(+1 before)" in rerun.output
    assert retried.exit_code == 0, retried.output
    assert "sent 1" in retried.output and "already sent 2" in retried.output
    assert again.exit_code == 0 and "sent 0" in again.output and "already sent 3" in again.output
    counts = recipients_of(inbox)
    assert len(counts) == 3 and set(counts.values()) == {1}


def test_the_ledger_records_the_message_id_that_was_sent(tmp_path: Path) -> None:
    config, rendered = built(tmp_path)
    people, _ = load_recipients(write_recipients(tmp_path / "r.csv", 3))
    inbox = Inbox()
    with smtp_server(inbox) as port:
        send_edition(
            rendered,
            config,
            people,
            parse_smtp_url(f"smtp://127.0.0.1:{port}", {}),
            edition_dir(config, WEEK) / "ledger.jsonl",
            token_for=token_for,
        )
    sent = {str(m["To"].addresses[0].addr_spec): str(m["Message-ID"]) for m in received(inbox)}
    recorded = {str(r["email"]): str(r["message_id"]) for r in ledger_lines(config)}
    assert recorded == sent and len(set(sent.values())) == 3


def test_send_help_documents_the_exit_codes() -> None:
    result = CliRunner().invoke(newsletter, ["send", "--help"])
    assert "3  some recipients were not delivered" in result.output
    assert "--retry-failed" in result.output


def test_without_the_variable_send_signs_with_the_dev_servers_secret(tmp_path: Path) -> None:
    config, _ = built(tmp_path)
    secret, created = ensure_dev_secret(config)  # what `veille serve` does on first start
    assert created and ensure_dev_secret(config) == (secret, False)
    csv = write_recipients(tmp_path / "r.csv", 1)
    inbox = Inbox()
    with smtp_server(inbox) as port:
        result = CliRunner().invoke(
            newsletter, send_args(config, csv, port), env={"VEILLE_NEWSLETTER_SECRET": ""}
        )
    assert result.exit_code == 0, result.output
    assert "development secret" in result.output
    (msg,) = received(inbox)
    token = str(msg["List-Unsubscribe"]).strip("<>").split("token=")[1]
    assert read_token(token, secret) == "user0@example.org"
