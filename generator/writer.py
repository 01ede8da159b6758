"""Stage 4, write: the only module that writes the output folder, atomically.

Files go to a staging folder; unchanged files are hard-linked from the previous
build (same bytes, same mtime), then the staging folder replaces the output in
two renames. The replaced site is kept and recycled as the next staging folder,
so a rebuild touches only what changed. Both trees live in the cache folder
(``.veille/publish/``) when it is on the output's file system (renames must stay
atomic), else hidden beside the output. A build that fails or is killed before
the swap leaves the previous site untouched; a kill between the two renames is
repaired, and leftovers of an interrupted build removed, by the next build.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
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


def scratch(out: Path, work: Path | None, name: str) -> Path:
    """Where the writer keeps its ``name`` tree for ``out`` (staging, previous...).

    Under ``work`` (the cache folder), one folder per output, when it is on the
    output's file system; otherwise hidden beside the output (``.public.name``).
    """
    out = out.resolve()
    if work is not None:
        try:
            work.mkdir(parents=True, exist_ok=True)
            out.parent.mkdir(parents=True, exist_ok=True)
            if os.stat(work).st_dev == os.stat(out.parent).st_dev:
                key = hashlib.sha256(str(out).encode()).hexdigest()[:12]
                return work.resolve() / f"{out.name}-{key}" / name
        except OSError:
            log.warning("cannot use %s; keeping %s's %s tree beside it", work, out, name)
    return out.with_name(f".{out.name}.{name}")


def _siblings(out: Path, work: Path | None = None) -> tuple[Path, Path]:
    return scratch(out, work, "staging"), scratch(out, work, "previous")


def recover(out: Path, work: Path | None = None) -> None:
    """Put back the previous site if a build was killed between its two renames.

    Also removes what an interrupted build left: its staging tree, and the trees
    older versions kept beside the output when they now live under ``work``.
    """
    out = out.resolve()
    staging, previous = _siblings(out, work)
    legacy = (out.with_name(f".{out.name}.staging"), out.with_name(f".{out.name}.previous"))
    for kept in (previous, legacy[1]):
        if not out.exists() and kept.exists():
            kept.rename(out)
            log.warning("restored %s from an interrupted publish", out)
    for leftover in {staging, *legacy} - {previous}:
        if leftover.exists():
            shutil.rmtree(leftover)


def _safe(path: str) -> PurePosixPath:
    rel = PurePosixPath(path)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise WriteError(f"refusing to write outside the output folder: {path!r}")
    return rel


Files = Iterable[OutputFile] | Callable[[], Iterable[OutputFile]]


def publish(
    files: Files,
    out: Path,
    finish: Callable[[Path], None] | None = None,
    work: Path | None = None,
) -> WriteResult:
    """Write every file into ``out`` atomically; ``finish`` may add files to the staging tree.

    ``work`` is the folder for the staging and previous trees (the cache folder).
    ``files`` is written as it is produced, never held whole: pass a generator,
    or a function returning one (called again if the recycled staging tree must
    be given up half way), so memory stays flat as the site grows.
    """
    out = out.resolve()
    staging, previous = _siblings(out, work)
    recover(out, work)
    staging.parent.mkdir(parents=True, exist_ok=True)
    if staging.exists():
        shutil.rmtree(staging)
    produce = files if callable(files) else (lambda: files)
    repeatable = callable(files) or isinstance(files, Sequence)
    # The site before last becomes the staging tree: its folders already exist, and
    # most of its files are links to the current site's. Creating and removing some
    # ten thousand folders per build costs more than everything else the writer does.
    reuse = previous.is_dir() and out.is_dir()
    if reuse:
        previous.rename(staging)
    elif previous.exists():
        shutil.rmtree(previous)
    try:
        try:
            staging.mkdir(parents=True, exist_ok=True)
            result = _fill(produce(), staging, out, reuse)
        except OSError:
            if not reuse or not repeatable:
                raise
            log.warning("could not reuse %s; writing a fresh staging tree", staging, exc_info=True)
            shutil.rmtree(staging)
            staging.mkdir(parents=True)
            result = _fill(produce(), staging, out, reuse=False)
        if finish is not None:
            finish(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap(staging, out, previous)
    return result


def _fill(files: Iterable[OutputFile], staging: Path, out: Path, reuse: bool) -> WriteResult:
    """Make ``staging`` hold exactly ``files``, linking the unchanged ones from ``out``."""
    # Plain strings and os calls: pathlib costs more than the I/O at 10,000 pages.
    written = unchanged = 0
    made: set[str] = set()
    wanted: set[str] = set()
    stage, live = str(staging), str(out)
    for file in files:
        rel = str(_safe(file.path))
        target = os.path.join(stage, rel)
        wanted.add(target)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        old = os.path.join(live, rel)
        kept = _unchanged(old, file.data)
        if reuse:
            if kept is not None and _is_link_to(target, kept):
                unchanged += 1
                continue
            _remove(target)  # never write through a link shared with the live site
        if kept is not None:
            os.link(old, target)
            unchanged += 1
        else:
            with open(target, "wb") as handle:
                handle.write(file.data)
            written += 1
    if reuse:
        _prune(stage, wanted, made)
    return WriteResult(written, unchanged)


def _unchanged(old: str, data: bytes) -> os.stat_result | None:
    """The status of ``old`` if it holds exactly ``data``, else None."""
    try:
        status = os.stat(old)
        if status.st_size != len(data):
            return None
        with open(old, "rb") as handle:
            return status if handle.read() == data else None
    except OSError:
        return None


def _is_link_to(target: str, status: os.stat_result) -> bool:
    try:
        mine = os.lstat(target)
    except OSError:
        return False
    return (mine.st_ino, mine.st_dev) == (status.st_ino, status.st_dev)


def _remove(target: str) -> None:
    if os.path.isdir(target) and not os.path.islink(target):
        shutil.rmtree(target)
    else:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target)


def _prune(staging: str, wanted: set[str], made: set[str]) -> None:
    """Remove what the reused tree holds beyond ``wanted`` files and their folders."""
    needed = {staging}
    for folder in made:
        while folder not in needed:
            needed.add(folder)
            folder = os.path.dirname(folder)
    for top, dirs, names in os.walk(staging, topdown=False):
        for name in names:
            path = os.path.join(top, name)
            if path not in wanted:
                os.unlink(path)
        for name in dirs:
            path = os.path.join(top, name)
            if os.path.islink(path):
                os.unlink(path)
            elif path not in needed:
                os.rmdir(path)


def _swap(staging: Path, out: Path, previous: Path) -> None:
    # The replaced site stays as ``previous``: the next build reuses it as staging.
    if out.exists():
        out.rename(previous)
    staging.rename(out)


def replace_folder(out: Path, name: str, folder: Path, work: Path | None = None) -> None:
    """Put ``folder`` (same file system) in place of ``out/name`` in the live site.

    For what is made after publishing (``veille serve`` indexes search late): two
    renames, so readers see the old folder or the new one, never a partial one.
    """
    out = out.resolve()
    target = out / _safe(name)
    old = scratch(out, work, f"{name}.old")
    if old.exists():
        shutil.rmtree(old)
    if target.exists():
        target.rename(old)
    folder.rename(target)
    shutil.rmtree(old, ignore_errors=True)
