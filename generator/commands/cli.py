"""The ``veille`` command: parse and dispatch (errors → exit codes: ``console.report_errors``).

Exit codes: 0 success; 1 a problem in config or content (each line names the
file and, where known, the line); 2 wrong usage.
"""

from __future__ import annotations

import importlib
import logging
from pathlib import Path
from typing import Any

import click

from generator import clock
from generator.commands.console import console, err_console, get_config, report_errors, site_option
from generator.errors import UsageError
from generator.text import counted

# Subcommand groups that pull heavy libraries (FastAPI, SQLAlchemy, httpx) are
# imported only when used, so ``veille build`` starts in a fraction of a second.
LAZY_COMMANDS: dict[str, str] = {
    "comments": "generator.commands.comments:comments",
    "fetch": "generator.commands.fetch:fetch",
    "import": "generator.commands.importing:import_command",
    "newsletter": "generator.commands.newsletter:newsletter",
    "notify": "generator.commands.notify:notify",
}


class LazyGroup(click.Group):
    """A click group whose ``lazy`` subcommands are imported on first use."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            module_name, attr = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attr)
            if not isinstance(command, click.Command):  # pragma: no cover - a wiring mistake
                raise TypeError(f"{self.lazy[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy=LAZY_COMMANDS)
@click.option("--verbose", "-v", is_flag=True, help="Show debug logs and tracebacks.")
@click.version_option(package_name="veille")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Veille: a static tech-watch wall with comments, a newsletter and metrics."""
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@main.command()
@site_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.option("--drafts", is_flag=True, help="Include posts marked draft.")
@click.option(
    "--offline",
    "_offline",
    is_flag=True,
    help="No effect, kept for scripts that pass it: builds never touch the network "
    "(they read the feed cache that `veille fetch` fills).",
)
@report_errors
def build(site: Path | None, out: Path | None, drafts: bool, _offline: bool) -> None:
    """Build the whole site into public/ (or --out), atomically."""
    from generator.build import build as run_build

    config = get_config(site)
    with err_console.status("Building…") as status:
        result = run_build(config, out, drafts, progress=lambda s: status.update(f"Building: {s}…"))
    console.print(
        f"Built {counted(result.items, 'item')} from {counted(result.feeds, 'feed')}: "
        f"{counted(result.written, 'file')} written, {result.unchanged} unchanged, "
        f"in {result.seconds:.2f} s → {result.out}"
    )


@main.command()
@site_option
@report_errors
def check(site: Path | None) -> None:
    """Validate config and content without writing anything."""
    from generator.commands.check import check_site

    config = get_config(site)
    report = check_site(config)
    for warning in report.warnings:
        err_console.print(f"[yellow]warning[/yellow] {warning}", highlight=False)
    console.print(f"OK: {report.summary}")


@main.group()
def new() -> None:
    """Scaffold new content."""


@new.command("post")
@click.argument("title")
@site_option
@click.option("--author", default=None, help="A person id from people.yaml.")
@report_errors
def new_post(title: str, site: Path | None, author: str | None) -> None:
    """Create content/posts/YEAR/SLUG.md with valid front matter."""
    from generator.sources.content import scaffold_post
    from generator.text import slugify

    config = get_config(site)
    when = clock.now().astimezone(config.tz).replace(second=0, microsecond=0)
    folder = config.content_path / "posts" / str(when.year)
    path = folder / f"{slugify(title)}.md"
    if path.exists():
        raise UsageError(f"{path} already exists; choose another title")
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(scaffold_post(title, when, author), encoding="utf-8")
    console.print(f"Created {path}")


@main.command()
@site_option
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--drafts", is_flag=True, help="Include posts marked draft.")
@report_errors
def serve(site: Path | None, port: int, host: str, drafts: bool) -> None:
    """Build, serve with live reload, and mount the comments API at /api."""
    from generator.commands.serve import run_server

    config = get_config(site)
    run_server(config, host=host, port=port, drafts=drafts, console=err_console)


if __name__ == "__main__":  # pragma: no cover
    main()
