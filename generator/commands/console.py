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
from rich.text import Text

from generator.config import SiteConfig, load_config
from generator.errors import ContentError, UsageError, VeilleError
from generator.text import counted

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
    """Turn Veille's errors into one line per problem and the error's own exit code.

    The one place errors become exits: every command, ``fetch`` and ``comments`` included.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except VeilleError as exc:
            show_error(exc)
            if verbose() and not isinstance(exc, UsageError):
                raise
            sys.exit(exc.exit_code)

    return wrapper  # type: ignore[return-value]  # functools.wraps loses F's signature


def show_error(exc: VeilleError) -> None:
    """One ``error`` line per problem; content errors end with how many were found."""
    lines = exc.problems if isinstance(exc, ContentError) else (exc,)
    for line in lines:
        err_console.print(Text.assemble(("error", "red"), " ", str(line)))
    if isinstance(exc, ContentError):
        count = len(exc.problems)
        err_console.print(f"{counted(count, 'problem')} found; nothing written.")


def verbose() -> bool:
    """Whether ``veille --verbose`` was given (show tracebacks)."""
    ctx = click.get_current_context(silent=True)
    root = ctx.find_root() if ctx else None
    return bool(root and root.obj and root.obj.get("verbose"))


def get_config(site: Path | None) -> SiteConfig:
    """Load ``site.yaml`` (or ``--site``) for a command."""
    return load_config(site)
