"""``veille import KIND SOURCE``: bring an existing journal into the site.

Reads the source with the reader of KIND, writes posts, files and people with the
import writer, then loads the source's comments into the comments store with the
code of ``veille comments import``. Exit 1 when some posts could not be imported.
"""

from __future__ import annotations

import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import click
import yaml
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from generator.commands.console import console, err_console, get_config, report_errors, site_option
from generator.errors import UsageError
from generator.importers.readers import READERS, ReadOptions, read_source
from generator.importers.records import ImportedSource
from generator.importers.writer import ImportOptions, ImportReport, write_import

PROGRESS_FROM = 20  # posts: below this an import is instant, a bar would only flicker


def load_community_map(path: Path | None, known: set[str] | None) -> dict[str, str]:
    """The ``--community-map`` YAML: section or category name → community id."""
    if path is None:
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise UsageError(f"{path}: cannot read the community map: {exc}") from None
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise UsageError(f"{path}: expected a mapping of section name → community id")
    if known is not None:
        unknown = sorted({v for v in data.values() if v not in known})
        if unknown:
            raise UsageError(
                f"{path}: unknown community id(s) {', '.join(unknown)} "
                f"(communities.yaml has: {', '.join(sorted(known)) or 'none'})"
            )
    return data


def _communities(content: Path) -> set[str] | None:
    path = content / "communities.yaml"
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return {str(c["id"]) for c in data if isinstance(c, dict) and "id" in c}


@click.command("import")
@click.argument("kind", type=click.Choice(sorted(READERS)))
@click.argument("source")
@site_option
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The content folder to write into (default: the site's content_dir).",
)
@click.option("--dry-run", is_flag=True, help="Report what would happen; write nothing.")
@click.option("--download-images", is_flag=True, help="Download remote images and files.")
@click.option(
    "--uploads",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="A local copy of wp-content/uploads (WordPress).",
)
@click.option(
    "--community-map",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="YAML: section or category name → community id.",
)
@click.pass_context
@report_errors
def import_command(
    ctx: click.Context,
    kind: str,
    source: str,
    site: Path | None,
    into: Path | None,
    dry_run: bool,
    download_images: bool,
    uploads: Path | None,
    community_map: Path | None,
) -> None:
    """Import a journal: KIND is feed, wordpress, hugo, zola, jekyll or pelican."""
    config = get_config(site)
    content = into if into is not None else config.content_path
    if not source.startswith(("http://", "https://")) and not Path(source).exists():
        raise UsageError(f"{source}: no such file or folder")
    sections = load_community_map(community_map, _communities(content))
    options = ImportOptions(
        content_dir=content,
        state_dir=config.cache_path / "import",
        community_map=sections,
        dry_run=dry_run,
    )
    zone = ZoneInfo(config.timezone)
    read_options = ReadOptions(uploads, download_images, sections, zone)
    imported = read_source(kind, source, read_options)
    report = _write(imported, options, download_images)
    for note in report.notes:
        err_console.print(f"[yellow]warning[/yellow] {escape(str(note))}", highlight=False)
    for problem in report.errors:
        err_console.print(f"[red]error[/red] {escape(str(problem))}", highlight=False)
    if dry_run:
        for event in report.events:
            console.print(f"dry run: {escape(event)}", highlight=False)
    console.print(report.summary())
    if report.comments_file is not None:
        from generator.commands.comments import import_command as import_comments

        ctx.invoke(import_comments, file=report.comments_file, db=None, site=site)
    if report.errors:
        sys.exit(1)


def _write(imported: ImportedSource, options: ImportOptions, download: bool) -> ImportReport:
    """Run the writer with a progress bar on long imports and one HTTP client for downloads."""
    from generator.importers.fetch import Fetcher

    fetcher = Fetcher() if download else None
    try:
        fetch = (lambda url: fetcher.get(url).data) if fetcher is not None else None
        if len(imported.posts) < PROGRESS_FROM:
            return write_import(imported, options, fetch)
        columns = (TextColumn("Importing"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err_console, transient=True) as bar:
            task = bar.add_task("import", total=len(imported.posts))
            return write_import(
                imported, options, fetch, lambda done, total, _: bar.update(task, completed=done)
            )
    finally:
        if fetcher is not None:
            fetcher.close()
