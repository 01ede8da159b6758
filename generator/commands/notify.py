"""``veille notify``: email people about replies, mentions and comments on their posts.

Run from cron every few minutes. Exit codes: 0 done (or notifications disabled),
1 a config/content problem, 2 wrong usage, 3 some people were not reached this run
(their email stays pending; the next run sends it, exactly once).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import click

from generator import clock
from generator.commands.console import console, err_console, get_config, report_errors, site_option
from generator.config import SiteConfig
from generator.errors import ContentError, Problem, UsageError, VeilleError
from generator.model import Person
from generator.newsletter.send import parse_smtp_url
from generator.notifications.send import send_digests
from generator.people import load_directory
from generator.themes import make_environment

SECRET_ENV = "VEILLE_NEWSLETTER_SECRET"  # noqa: S105 - the variable's name, not a secret
UNDELIVERED = 3


def load_post_authors(config: SiteConfig) -> dict[str, str]:
    """Thread path → author's person id, from the built site's ``items.json``."""
    path = config.output_path / "items.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        err_console.print(
            f"[yellow]warning[/yellow] no {path} (run `veille build`): "
            "post authors are not notified this time"
        )
        return {}
    except (OSError, ValueError) as exc:
        raise ContentError([Problem(path, None, f"cannot read: {exc}")]) from None
    return {
        str(item["path"]): str(item["author"])
        for item in data.get("items", [])
        if isinstance(item, dict) and item.get("author") and item.get("path")
    }


def load_people(config: SiteConfig) -> tuple[Person, ...]:
    """The people directory; its problems are warnings here (``veille build`` refuses them)."""
    problems: list[Problem] = []
    directory = load_directory(config, problems)
    for problem in problems:
        err_console.print(f"[yellow]warning[/yellow] {problem}")
    return directory.people


def token_maker(dry_run: bool) -> Callable[[str], str]:
    """Signs each person's one-click "turn notifications off" link."""
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        if dry_run:
            return lambda _email: "dry-run"
        raise VeilleError(
            f"set {SECRET_ENV} (the same secret as the comments API) to sign unsubscribe links"
        )
    from comments_api.unsubscribe import NOTIFICATIONS, make_token

    return lambda email: make_token(email, secret, NOTIFICATIONS)


@click.command("notify")
@site_option
@click.option("--smtp", default=None, help="smtp://, smtp+starttls:// or smtps://host:port")
@click.option(
    "--dry-run", is_flag=True, help="Count who would get an email; send and record nothing."
)
@report_errors
def notify(site: Path | None, smtp: str | None, dry_run: bool) -> None:
    """Email replies, mentions and comments on people's posts: one email per person per run."""
    config = get_config(site)
    if not config.notifications_enabled:
        console.print(
            "Notifications are disabled (notifications.enabled in site.yaml; "
            "on by default only with comments.identity: trusted-header). Nothing sent."
        )
        return
    if smtp is None and not dry_run:
        raise UsageError("--smtp is required (or use --dry-run)")
    target = parse_smtp_url(smtp or "smtp://localhost")
    token_for = token_maker(dry_run)
    people = load_people(config)
    authors = load_post_authors(config)
    url = config.database_url()
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        console.print(f"No comments database at {url}: nothing to notify.")
        return
    from sqlalchemy.exc import SQLAlchemyError

    from comments_api import migrations
    from comments_api.notify import StoreLedger, select_digests
    from comments_api.store import Store

    store = Store(url, pool_size=1)
    try:
        if not dry_run:
            migrations.upgrade(store)
        with store.read() as tx:
            digests = select_digests(tx, people, authors, clock.now())
        report = send_digests(
            digests,
            config,
            make_environment(config),
            target,
            StoreLedger(store),
            token_for=token_for,
            dry_run=dry_run,
        )
    except SQLAlchemyError as exc:
        problem = Problem(
            config.source, None, f"cannot use the comments database: {exc}", "comments.database"
        )
        raise ContentError([problem]) from None
    finally:
        store.dispose()
    notices = sum(len(d.notices) for d in digests)
    if report.dry_run:
        console.print(
            f"Dry run: would email {report.total} people about {notices} comments "
            f"({report.resumed} resumed from an interrupted run). Nothing sent or recorded."
        )
        return
    console.print(
        f"Notifications: sent {report.sent} of {report.total} emails ({notices} comments), "
        f"refused {len(report.refused)}, left for the next run {len(report.undelivered)}."
    )
    if report.undelivered or report.refused:
        raise SystemExit(UNDELIVERED)
