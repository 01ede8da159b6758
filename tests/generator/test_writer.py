"""Atomic publishing: all or nothing, unchanged files kept as they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.model import OutputFile
from generator.writer import WriteError, publish, recover


def files(**contents: str) -> list[OutputFile]:
    return [OutputFile(name.replace("__", "/"), text.encode()) for name, text in contents.items()]


def test_publish_replaces_the_whole_tree(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish(files(index__html="a", old__html="gone"), out)
    result = publish(files(index__html="a", new__html="b"), out)
    assert sorted(p.name for p in out.iterdir()) == ["index", "new"]
    assert (result.written, result.unchanged) == (1, 1)


def test_unchanged_files_keep_their_inode_and_mtime(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish(files(page="same", other="v1"), out)
    before = (out / "page").stat()
    publish(files(page="same", other="v2"), out)
    after = (out / "page").stat()
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)
    assert (out / "other").read_text() == "v2"


def test_failure_in_finish_keeps_the_previous_site(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish(files(index="v1"), out)

    def explode(staging: Path) -> None:
        raise RuntimeError("indexer crashed")

    with pytest.raises(RuntimeError):
        publish(files(index="v2"), out, finish=explode)
    assert (out / "index").read_text() == "v1"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_kill_between_renames_is_repaired(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish(files(index="v1"), out)
    out.rename(tmp_path / ".public.previous")  # as if killed right after the first rename
    recover(out)
    assert (out / "index").read_text() == "v1"


@pytest.mark.parametrize("bad", ["../escape.html", "/etc/passwd", ""])
def test_paths_outside_the_output_are_refused(tmp_path: Path, bad: str) -> None:
    with pytest.raises(WriteError, match="outside the output folder"):
        publish([OutputFile(bad, b"x")], tmp_path / "public")
    assert not (tmp_path / "public").exists()
