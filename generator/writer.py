"""Stage 4, write: the only module that writes the output folder, atomically.

Files go to a staging folder beside the output; unchanged files are hard-linked
from the previous build (same bytes, same mtime), then the staging folder
replaces the output in two renames. A build that fails or is killed before the
swap leaves the previous site untouched; a kill between the two renames is
repaired by the next build.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from generator.errors import VeilleError
from generator.model import OutputFile

log = logging.getLogger(__name__)


class WriteError(VeilleError):
    """The output could not be written; the previous site is left in place."""


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What a publish did."""

    written: int
    unchanged: int


def _siblings(out: Path) -> tuple[Path, Path]:
    return out.with_name(f".{out.name}.staging"), out.with_name(f".{out.name}.previous")


def recover(out: Path) -> None:
    """Put back the previous site if a build was killed between its two renames."""
    _, previous = _siblings(out)
    if not out.exists() and previous.exists():
        previous.rename(out)
        log.warning("restored %s from an interrupted publish", out)


def _safe(path: str) -> PurePosixPath:
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise WriteError(f"refusing to write outside the output folder: {path!r}")
    return rel


def publish(
    files: Iterable[OutputFile],
    out: Path,
    finish: Callable[[Path], None] | None = None,
) -> WriteResult:
    """Write every file into ``out`` atomically; ``finish`` may add files to the staging tree."""
    out = out.resolve()
    staging, previous = _siblings(out)
    recover(out)
    if staging.exists():
        shutil.rmtree(staging)
    if previous.exists():
        shutil.rmtree(previous)
    staging.mkdir(parents=True)
    written = unchanged = 0
    made: set[Path] = set()
    try:
        for file in files:
            rel = _safe(file.path)
            target = staging.joinpath(*rel.parts)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            old = out.joinpath(*rel.parts)
            if _same(old, file.data):
                os.link(old, target)
                unchanged += 1
            else:
                target.write_bytes(file.data)
                written += 1
        if finish is not None:
            finish(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, out, previous)
    return WriteResult(written, unchanged)


def _same(old: Path, data: bytes) -> bool:
    try:
        if old.stat().st_size != len(data):
            return False
        return old.read_bytes() == data
    except OSError:
        return False


def _swap(staging: Path, out: Path, previous: Path) -> None:
    if out.exists():
        out.rename(previous)
    staging.rename(out)
    shutil.rmtree(previous, ignore_errors=True)
