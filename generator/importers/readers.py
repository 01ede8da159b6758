"""Which reader reads which ``veille import KIND``: kind → ``read(source, options)``.

Readers are imported on first use, so ``veille --help`` stays fast. A reader never
writes: it returns an ImportedSource for ``writer.py``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import UsageError

if TYPE_CHECKING:
    from generator.importers.records import ImportedSource


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What the command line tells a reader."""

    uploads: Path | None = None  # a local copy of wp-content/uploads (WordPress)
    download_images: bool = False


Reader = Callable[[Path | str, ReadOptions], "ImportedSource"]


def _lazy(module: str) -> Reader:
    def read(source: Path | str, options: ReadOptions) -> ImportedSource:
        reader: Reader = importlib.import_module(module).read
        return reader(source, options)

    return read


def _not_yet(kind: str) -> Reader:
    # Placeholder: the Hugo/Zola/Jekyll/Pelican readers replace these entries.
    def read(source: Path | str, options: ReadOptions) -> ImportedSource:
        raise UsageError(f"importing from {kind} is not available yet")

    return read


READERS: dict[str, Reader] = {
    "feed": _lazy("generator.importers.feed"),
    "wordpress": _lazy("generator.importers.wordpress"),
    "hugo": _not_yet("hugo"),
    "zola": _not_yet("zola"),
    "jekyll": _not_yet("jekyll"),
    "pelican": _not_yet("pelican"),
}


def read_source(kind: str, source: Path | str, options: ReadOptions) -> ImportedSource:
    """Read ``source`` with the reader of ``kind``; raise UsageError for an unknown kind."""
    reader = READERS.get(kind)
    if reader is None:
        raise UsageError(f"unknown kind '{kind}' (expected one of: {', '.join(sorted(READERS))})")
    return reader(source, options)
