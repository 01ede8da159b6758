"""``veille fetch``: refresh the feed cache, show progress, one line per feed, an exit code.

Exit codes: 0 when the run completed, even if some feeds failed (their last good
items are kept); with ``--strict`` 1 when any feed failed, backed off or is gone;
1 for a problem in site.yaml; 2 for wrong usage.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.text import Text

from generator.commands.console import console, err_console, get_config, report_errors, site_option
from generator.errors import VeilleError
from generator.feeds.ingest import fetch_feeds
from generator.feeds.report import FeedReport, FetchSettings, Outcome
from generator.text import counted

_STYLE = {
    Outcome.OK: ("ok", "green"),
    Outcome.NOT_MODIFIED: ("same", "cyan"),
    Outcome.FAILED: ("FAILED", "bold red"),
    Outcome.GONE: ("GONE", "bold red"),
    Outcome.BACKING_OFF: ("backoff", "yellow"),
}


@click.command("fetch")
@site_option
@click.option("--strict", is_flag=True, help="Exit 1 if any feed failed (for cron jobs).")
@click.option("--force", is_flag=True, help="Fetch even feeds that are backing off or gone.")
@report_errors
def fetch(site: Path | None, strict: bool, force: bool) -> None:
    """Refresh the tech-watch feeds into the local cache (builds read only the cache)."""
    config = get_config(site)
    if not config.feeds:
        console.print("No feeds in site.yaml: nothing to fetch.")
        return
    settings = FetchSettings(force=force)
    with Progress(
        TextColumn("Fetching feeds"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(config.feeds))

        def advance(report: FeedReport) -> None:
            progress.update(task, advance=1, description=report.feed_id)

        result = fetch_feeds(config, settings, on_report=advance)
    width = max(len(r.feed_id) for r in result.feeds)
    for report in result.feeds:
        console.print(format_report(report, width))
    console.print(result.summary())
    if strict and result.failures:
        count = len(result.failures)
        raise VeilleError(f"--strict: {counted(count, 'feed')} not refreshed")


def format_report(report: FeedReport, width: int = 0) -> Text:
    """One feed's line, styled by outcome; feed text is never read as markup."""
    label, style = _STYLE[report.outcome]
    text = Text.assemble((f"{label:<7} ", style), (report.feed_id.ljust(width), "bold"), "  ")
    text.append(report.message)
    if report.warnings:
        text.append("; warning: " + "; ".join(report.warnings), style="yellow")
    return text
