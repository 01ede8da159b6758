"""Atomic publishing: all or nothing, unchanged files kept as they were."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.commands.cli import main
from generator.model import OutputFile
from generator.writer import WriteError, publish, recover, scratch
from tests.conftest import SiteFactory


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


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text() for p in folder.rglob("*") if p.is_file()
    }


def test_recycled_staging_tree_holds_exactly_the_new_files(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish(files(a__index="1", b__index="2", c__d__index="3", page="p"), out)
    publish(files(a__index="1", b__index="2x", c__d__index="3", page="p"), out)
    # a folder becomes a file, a file becomes a folder, one page goes, one comes
    result = publish(files(a__index="1", b="now a file", page__index="p", e__index="5"), out)
    assert _tree(out) == {"a/index": "1", "b": "now a file", "page/index": "p", "e/index": "5"}
    assert (result.written, result.unchanged) == (3, 1)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public.previous", "public"]


def test_a_recycled_tree_never_writes_through_to_the_live_site(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish(files(page="same"), out)
    publish(files(page="same"), out)  # previous/page and public/page are one inode
    publish(files(page="changed"), out)
    assert (out / "page").read_text() == "changed"
    assert (tmp_path / ".public.previous" / "page").read_text() == "same"


def test_finish_output_is_not_kept_from_two_builds_ago(tmp_path: Path) -> None:
    out = tmp_path / "public"

    def index(name: str) -> Callable[[Path], None]:
        def finish(staging: Path) -> None:
            (staging / "search").mkdir()
            (staging / "search" / name).write_text(name)

        return finish

    publish(files(page="x"), out, finish=index("one"))
    publish(files(page="x"), out, finish=index("two"))
    publish(files(page="x"), out, finish=index("three"))
    assert sorted(p.name for p in (out / "search").iterdir()) == ["three"]


def test_staging_and_previous_trees_stay_in_the_cache_folder(tmp_path: Path) -> None:
    out, work = tmp_path / "public", tmp_path / ".veille" / "publish"
    for version in ("v1", "v2", "v3"):
        publish(files(index=version, same="s"), out, work=work)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".veille", "public"]
    assert (out / "index").read_text() == "v3"
    previous = scratch(out, work, "previous")
    assert previous.is_relative_to(work)
    assert (previous / "index").read_text() == "v2"
    assert (previous / "same").stat().st_ino == (out / "same").stat().st_ino  # still linked


def test_an_interrupted_build_is_cleaned_up_by_the_next(tmp_path: Path) -> None:
    out, work = tmp_path / "public", tmp_path / ".veille" / "publish"
    publish(files(index="v1"), out, work=work)
    publish(files(index="v2"), out, work=work)
    # killed between the two renames, with a half-written staging tree and trees
    # left beside the output by an older Veille
    staging, previous = scratch(out, work, "staging"), scratch(out, work, "previous")
    previous.rename(staging)  # recycled as the staging tree, then half filled
    (staging / "half").write_text("x")
    out.rename(previous)
    (tmp_path / ".public.previous" / "old").mkdir(parents=True)
    (tmp_path / ".public.staging").mkdir()

    publish(files(index="v3"), out, work=work)

    assert sorted(p.name for p in tmp_path.iterdir()) == [".veille", "public"]
    assert (out / "index").read_text() == "v3"
    assert not staging.exists()


def test_a_build_twice_leaves_nothing_beside_the_site(make_site: SiteFactory) -> None:
    site = make_site()
    for _ in range(2):
        result = CliRunner().invoke(main, ["build", "--site", str(site)])
        assert result.exit_code == 0, result.output
    assert sorted(p.name for p in site.parent.iterdir()) == [
        ".veille",
        "content",
        "public",
        "site.yaml",
    ]
