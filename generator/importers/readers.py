"""Which reader reads which ``veille import KIND``: kind → ``read(source, options)``.

Readers are imported on first use, so ``veille --help`` stays fast. A reader never
writes: it returns an ImportedSource for ``writer.py``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
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
    community_map: Mapping[str, str] = field(default_factory=dict)  # section → community id
    timezone: tzinfo | None = None  # the site's zone, for naive dates the source does not place


Reader = Callable[[Path | str, ReadOptions], "ImportedSource"]


def _lazy(module: str) -> Reader:
    def read(source: Path | str, options: ReadOptions) -> ImportedSource:
        reader: Reader = importlib.import_module(module).read
        return reader(source, options)

    return read


def _static_site(module: str) -> Reader:
    """A Hugo/Zola/Jekyll/Pelican reader: a local folder, the section map and the site's zone."""

    reader = _lazy(module)

    def read(source: Path | str, options: ReadOptions) -> ImportedSource:
        if isinstance(source, str) and source.startswith(("http://", "https://")):
            raise UsageError(f"{source}: {module.rsplit('.', 1)[-1]} imports a local folder")
        return reader(Path(source), options)

    return read


READERS: dict[str, Reader] = {
    "feed": _lazy("generator.importers.feed"),
    "wordpress": _lazy("generator.importers.wordpress"),
    "hugo": _static_site("generator.importers.hugo"),
    "zola": _static_site("generator.importers.zola"),
    "jekyll": _static_site("generator.importers.jekyll"),
    "pelican": _static_site("generator.importers.pelican"),
}


def read_source(kind: str, source: Path | str, options: ReadOptions) -> ImportedSource:
    """Read ``source`` with the reader of ``kind``; raise UsageError for an unknown kind."""
    reader = READERS.get(kind)
    if reader is None:
        raise UsageError(f"unknown kind '{kind}' (expected one of: {', '.join(sorted(READERS))})")
    return reader(source, options)
