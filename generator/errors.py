"""Errors of the generator: facts (file, line, key), formatted only by ``__str__``.

Each error class says which exit code it means (``exit_code``); only the CLI
(``generator.commands.console.report_errors``) turns them into exits and messages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class VeilleError(Exception):
    """Base of every error the generator reports to a user.

    ``exit_code`` is the process exit status the CLI uses for it: 1 for a problem in
    the site's config or content (or an interrupted run), 2 for wrong usage, 3 for
    newsletter recipients not delivered.
    """

    exit_code: int = 1


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in one input file: where it is and what is wrong."""

    path: Path | str
    line: int | None
    message: str
    key: str = ""

    def __str__(self) -> str:
        where = display(self.path)
        if self.line is not None:
            where += f":{self.line}"
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {self.message}"


def display(path: Path | str) -> str:
    """A path relative to the working directory when it is below it, as users typed it."""
    if isinstance(path, Path) and path.is_absolute():
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)
    return str(path)


class ContentError(VeilleError):
    """One or more problems in config or content; the build must not publish."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class ConfigError(ContentError):
    """Problems in ``site.yaml``."""


class FeedError(VeilleError):
    """A feed could not be fetched or read; the feed's last good items are kept."""

    def __init__(self, feed_id: str, message: str) -> None:
        self.feed_id = feed_id
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"feed {self.feed_id}: {self.message}"


class UsageError(VeilleError):
    """The command was called wrongly (exit code 2)."""

    exit_code = 2


class TemplateError(VeilleError):
    """A theme template failed to compile or render; nothing is published.

    ``path`` and ``line`` point into the template where Jinja2 stopped (the user's
    own override when the failing code is there), ``message`` says what was wrong.
    """

    def __init__(self, path: Path | str, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return str(Problem(self.path, self.line, self.message))
