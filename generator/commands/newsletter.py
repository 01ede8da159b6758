"""``veille newsletter build | send``: parse options, call the newsletter stages, show progress.

Exit codes: 0 ok, 1 a content/config problem (file:line), 2 wrong usage, and for
``send`` 3 when any recipient was not delivered (refused, or the run stopped).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from generator import clock
from generator.atomicfile import write_atomic
from generator.commands.console import console, err_console, get_config, report_errors, site_option
from generator.config import SiteConfig
from generator.errors import ContentError, Problem, UsageError, VeilleError, display
from generator.model import OutputFile, Site
from generator.newsletter.edition import (
    Edition,
    build_edition,
    current_week,
    edition_to_json,
    load_intro,
    parse_period,
)
from generator.newsletter.recipients import load_recipients, load_suppression_export
from generator.newsletter.render import (
    edition_dir,
    edition_files,
    load_editions,
    load_rendered,
    period_label,
    render_archive_index,
    render_email,
)
from generator.newsletter.secret import SECRET_ENV, dev_secret_path, env_secret, read_dev_secret
from generator.newsletter.send import NotDelivered, parse_smtp_url, send_edition
from generator.text import counted
from generator.themes import make_environment


@click.group()
def newsletter() -> None:
    """Build and send the email newsletter."""


def load_newsletter_site(config: SiteConfig) -> Site:
    """The site's sources as the full build sees them (posts, people, links, comments)."""
    from generator.build import load_site

    return load_site(config)


def page_view(site: Site, config: SiteConfig, now: datetime) -> Mapping[str, Any]:
    """The common page context of the site's layout, as the full build makes it."""
    from generator.build import make_wall
    from generator.views import Views

    return Views(make_wall(site, config), config, now).common("/newsletter/")


def write_files(files: list[OutputFile], out: Path) -> None:
    """Write a few files into the published site, each replaced atomically."""
    for file in files:
        target = out / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, file.data)


def save_edition(config: SiteConfig, edition: Edition, html: str, text: str) -> Path:
    """Keep the edition under ``.veille/newsletter/ID/`` so later builds keep its archive."""
    folder = edition_dir(config, edition.id)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in (
        ("edition.json", edition_to_json(edition)),
        ("email.html", html),
        ("email.txt", text),
    ):
        write_atomic(folder / name, data)
    return folder


@newsletter.command("build")
@site_option
@click.option("--edition", default=None, help="ISO week, e.g. 2026-W48 (default: this week).")
@click.option("--since", default=None, help="From this date (YYYY-MM-DD) to now.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None)
@report_errors
def build_command(
    site: Path | None, edition: str | None, since: str | None, out: Path | None
) -> None:
    """Render an edition: email HTML (CSS inlined), plain text, .eml and its archive page."""
    config = get_config(site)
    now = clock.now()
    if edition is None and since is None:
        edition = current_week(config, now)
    period = parse_period(edition, since, config, now)
    data = load_newsletter_site(config)
    selected = build_edition(data, config, period, now, load_intro(config, period.id))
    env = make_environment(config)
    if selected.is_empty:
        console.print(
            f"Nothing new for edition {period.id} ({period_label(selected, env)}): no post, "
            "link, meetup, discussion or intro. No email written."
        )
        return
    rendered = render_email(selected, config, env)
    save_edition(config, selected, rendered.html, rendered.text)
    view = page_view(data, config, now)
    files = edition_files(rendered, config, env, view)
    files.append(
        OutputFile(
            "newsletter/index.html",
            render_archive_index(load_editions(config), env, view).encode("utf-8"),
        )
    )
    target = out if out is not None else config.output_path
    write_files(files, target)
    console.print(
        f"Edition {selected.id}: {counted(len(selected.posts), 'post')}, "
        f"{counted(selected.link_count, 'link')}, {counted(len(selected.meetups), 'meetup')}, "
        f"{len(selected.discussed)} discussed"
        + (f", {selected.omitted} more on the wall" if selected.omitted else "")
        + f"; {rendered.html_bytes:,} bytes of HTML → {target / 'newsletter' / selected.id}"
    )


def _token_maker(config: SiteConfig) -> Callable[[str], str]:
    secret = env_secret()
    if secret is None and (secret := read_dev_secret(config)) is not None:
        err_console.print(
            f"[yellow]warning[/yellow] {SECRET_ENV} is not set: signing unsubscribe links "
            f"with the development secret of veille serve ({display(dev_secret_path(config))})"
        )
    if not secret:
        raise VeilleError(
            f"set {SECRET_ENV} (the same secret as the comments API) to sign unsubscribe links"
        )
    from comments_api.unsubscribe import make_token

    return lambda email: make_token(email, secret)


def load_suppressions(config: SiteConfig, export: Path | None = None) -> frozenset[str]:
    """Suppressed addresses from an export (``export`` or ``comments.snapshot``) or the database.

    The sender only ever sees the resulting frozenset: the newsletter package does not
    know the comments store exists.
    """
    snapshot = config.comments.snapshot
    source = export or (config.resolve(snapshot) if snapshot else None)
    if source is not None:
        return load_suppression_export(source)
    from sqlalchemy.exc import SQLAlchemyError

    from comments_api.store import Store

    url = config.database_url()
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///") :]).exists():
        err_console.print(
            f"[yellow]warning[/yellow] no comments database at {url}: nobody is suppressed"
        )
        return frozenset()
    store = Store(url, pool_size=1)
    try:
        with store.read() as tx:
            return tx.suppressed_emails()
    except SQLAlchemyError as exc:
        problem = Problem(
            config.source,
            None,
            f"cannot read suppressions: {exc.__class__.__name__}",
            "comments.database",
        )
        raise ContentError([problem]) from None
    finally:
        store.dispose()


@newsletter.command("send")
@site_option
@click.option("--edition", required=True, help="The edition to send, e.g. 2026-W48.")
@click.option(
    "--recipients",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with a header 'email,name'.",
)
@click.option("--smtp", default=None, help="smtp://, smtp+starttls:// or smtps://host:port")
@click.option(
    "--suppressions",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="A comments export (JSON Lines) to read the suppression list from.",
)
@click.option("--dry-run", is_flag=True, help="Check and count; send nothing.")
@click.option(
    "--retry-failed",
    is_flag=True,
    help="Also send to recipients an earlier run recorded as refused (never to those sent).",
)
@report_errors
def send_command(
    site: Path | None,
    edition: str,
    recipients: Path,
    smtp: str | None,
    suppressions: Path | None,
    dry_run: bool,
    retry_failed: bool,
) -> None:
    """Send an edition over SMTP, resumable: nobody gets the same edition twice.

    \b
    Exit codes:
      0  every recipient got the edition (now or before), or is unsubscribed
      1  a problem in the config or content
      2  wrong usage
      3  some recipients were not delivered: refused (see --retry-failed), or the
         run stopped (the server kept failing); run the same command again
    """
    config = get_config(site)
    if smtp is None and not dry_run:
        raise UsageError("--smtp is required (or use --dry-run)")
    target = parse_smtp_url(smtp or "smtp://localhost")
    rendered = load_rendered(config, edition)
    people, invalid = load_recipients(recipients)
    for row in invalid:
        err_console.print(
            f"[yellow]skipped[/yellow] {recipients}:{row.line}: {row.value!r}: {row.reason}"
        )
    token_for = _token_maker(config)
    suppressed = load_suppressions(config, suppressions)
    ledger = edition_dir(config, edition) / "ledger.jsonl"
    columns = (TextColumn("sending"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err_console, transient=True, disable=dry_run) as bar:
        task = bar.add_task("send", total=len(people))
        report = send_edition(
            rendered,
            config,
            people,
            target,
            ledger,
            token_for=token_for,
            suppressed=suppressed,
            dry_run=dry_run,
            retry_failed=retry_failed,
            progress=lambda done, total: bar.update(task, completed=done, total=total),
        )
    for failure in report.failed:
        err_console.print(f"[red]failed[/red] {failure.email}: {failure.code} {failure.message}")
    if dry_run:
        console.print(
            f"Dry run, edition {edition}: would send {report.pending}; already sent "
            f"{report.already_sent}; suppressed {report.suppressed}; failed before "
            f"{report.failed_before}; invalid {len(invalid)}."
        )
        return
    rate = report.sent / report.seconds if report.seconds else 0.0
    console.print(
        f"Edition {edition}: sent {report.sent} ({rate:.0f}/s), already sent "
        f"{report.already_sent}, suppressed {report.suppressed}, failed {len(report.failed)}"
        f"{f' (+{report.failed_before} before)' if report.failed_before else ''}, "
        f"invalid {len(invalid)}, retries {report.retries}."
    )
    if report.failed or report.failed_before:
        raise NotDelivered(report)


if __name__ == "__main__":  # pragma: no cover - lets tests run the command in a subprocess
    newsletter()
