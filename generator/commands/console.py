"""How the CLI talks to people: consoles, the ``--site`` option, errors → exit codes.

Shared by every command group so that each reports problems the same way:
one line per problem (file:line), then exit 1; wrong usage exits 2.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from generator.config import SiteConfig, load_config
from generator.errors import ContentError, UsageError, VeilleError

F = TypeVar("F", bound=Callable[..., Any])
err_console = Console(stderr=True, highlight=False, soft_wrap=True)
console = Console(highlight=False, soft_wrap=True)

site_option = click.option(
    "--site",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The site's configuration file (default: ./site.yaml).",
)


def report_errors(func: F) -> F:
    """Turn Veille's errors into one line per problem and the right exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ContentError as exc:
            for problem in exc.problems:
                err_console.print(f"[red]error[/red] {problem}", markup=True, highlight=False)
            count = len(exc.problems)
            err_console.print(f"{count} problem{'s' if count != 1 else ''} found; nothing written.")
            if verbose():
                raise
            sys.exit(1)
        except UsageError as exc:
            err_console.print(f"[red]error[/red] {exc}")
            sys.exit(2)
        except VeilleError as exc:
            err_console.print(f"[red]error[/red] {exc}")
            if verbose():
                raise
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def verbose() -> bool:
    """Whether ``veille --verbose`` was given (show tracebacks)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    return bool(root and root.obj and root.obj.get("verbose"))


def get_config(site: Path | None) -> SiteConfig:
    """Load ``site.yaml`` (or ``--site``) for a command."""
    return load_config(site)
