"""Incremental builds: each kind of change, then a rebuild, gives a clean build's bytes."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import generator
import generator.search.shards
from generator.build import build
from generator.config import DEFAULT_THEME, load_config
from generator.pagecache import PageCache
from tests.conftest import REPO

EPOCH = "1764400000"  # 2025-11-29: fixed "now" for reproducible output
POST = "content/posts/2026/accessibility-audit-what-we-found.md"
CATALOGUE = "theme/translations/en/LC_MESSAGES/messages.po"
PO_HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample site with a site theme that overrides the card and one UI string."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = tmp_path / "site"
    root.mkdir()
    shutil.copytree(REPO / "content", root / "content")
    text = (REPO / "site.yaml").read_text(encoding="utf-8")
    (root / "site.yaml").write_text(text + "\ntheme: theme\n", encoding="utf-8")
    templates = root / "theme" / "templates"
    templates.mkdir(parents=True)
    shutil.copy(DEFAULT_THEME / "templates" / "_card.html", templates / "_card.html")
    catalogue = root / CATALOGUE
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text(PO_HEADER + 'msgid "Pinned"\nmsgstr "Pinned"\n', encoding="utf-8")
    return root


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, (rel, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CHANGES: dict[str, Callable[[Path, pytest.MonkeyPatch], None]] = {
    "post body": lambda root, _: edit(root, POST, "The good news", "The better news"),
    "post title": lambda root, _: edit(root, POST, "41 issues, 5 patterns", "41 issues"),
    "person name": lambda root, _: edit(
        root, "content/people.yaml", "name: Claire Dubois", "name: Claire Dubois-Roy"
    ),
    "site title": lambda root, _: edit(root, "site.yaml", "Tech watch", "Tech radar"),
    "template": lambda root, _: edit(
        root, "theme/templates/_card.html", 'class="kind', 'class="card-kind kind'
    ),
    "translation": lambda root, _: edit(root, CATALOGUE, 'msgstr "Pinned"', 'msgstr "On top"'),
    "veille version": lambda _, patch: patch.setattr(generator, "__version__", "999.0.0"),
}


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_then_a_rebuild_gives_the_clean_build(
    change: str, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(load_config(site / "site.yaml"), site / "public")
    CHANGES[change](site, monkeypatch)
    build(load_config(site / "site.yaml"), site / "public")
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".veille", "public", ".public*"))
    build(load_config(clean / "site.yaml"), clean / "public")
    incremental, fresh = tree(site / "public"), tree(clean / "public")
    assert sorted(incremental) == sorted(fresh)
    differ = [rel for rel in fresh if incremental[rel] != fresh[rel]]
    assert differ == []


def indexed_shards(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The shard folders Pagefind runs over from now on (it still runs)."""
    runs: list[str] = []
    real = generator.search.shards._index
    monkeypatch.setattr(
        generator.search.shards,
        "_index",
        lambda site, out: (runs.append(out.name), real(site, out)),
    )
    return runs


def test_pagefind_runs_only_when_the_indexed_text_changed(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(site / "site.yaml")
    build(config, site / "public")
    first = tree(site / "public" / "pagefind")
    runs = indexed_shards(monkeypatch)
    build(config, site / "public")
    assert runs == []
    assert tree(site / "public" / "pagefind") == first
    # a change to every page's chrome, not to what is indexed: no Pagefind run
    edit(site, "site.yaml", "Tech watch", "Tech radar")
    build(load_config(site / "site.yaml"), site / "public")
    assert runs == []
    edit(site, POST, "The good news", "The better news")
    build(load_config(site / "site.yaml"), site / "public")
    assert runs == ["shard-0"]


def test_an_edit_reindexes_one_shard_and_gives_the_clean_bytes(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(generator.search.shards, "SHARD_PAGES", 8)
    build(load_config(site / "site.yaml"), site / "public")
    bundle = site / "public" / "pagefind"
    shards = sorted(p.name for p in bundle.glob("shard-*"))
    assert len(shards) >= 3
    assert sorted(p.name for p in bundle.glob("*.js")) == ["pagefind.js"]  # one copy
    runs = indexed_shards(monkeypatch)
    edit(site, POST, "The good news", "The better news")
    build(load_config(site / "site.yaml"), site / "public")
    assert len(runs) == 1
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".veille", "public", ".public*"))
    build(load_config(clean / "site.yaml"), clean / "public")
    assert tree(bundle) == tree(clean / "public" / "pagefind")


def test_a_tampered_bundle_is_rebuilt(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = load_config(site / "site.yaml")
    build(config, site / "public")
    entry = site / "public" / "pagefind" / "shard-0" / "pagefind-entry.json"
    good = entry.read_bytes()
    entry.unlink()
    entry.write_bytes(b"{}")
    build(config, site / "public")
    assert entry.read_bytes() == good
    shared = site / "public" / "pagefind" / "pagefind.js"
    shared.unlink()
    build(config, site / "public")
    assert shared.is_file()


def test_a_no_change_rebuild_renders_no_cached_page(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(site / "site.yaml")
    build(config, site / "public")
    before = tree(site / "public")
    rendered: list[str] = []
    real = PageCache.remember
    monkeypatch.setattr(
        PageCache, "remember", lambda self, path, *a: (rendered.append(path), real(self, path, *a))
    )
    build(config, site / "public")
    assert rendered == []
    assert tree(site / "public") == before


def test_a_tampered_page_is_rendered_again(site: Path) -> None:
    config = load_config(site / "site.yaml")
    build(config, site / "public")
    page = site / "public" / "index.html"
    good = page.read_bytes()
    page.unlink()
    page.write_bytes(good.replace(b"<h2", b"<h3"))
    build(config, site / "public")
    assert page.read_bytes() == good


def test_a_build_into_another_folder_renders_again(site: Path, tmp_path: Path) -> None:
    config = load_config(site / "site.yaml")
    build(config, site / "public")
    build(config, tmp_path / "other")
    assert tree(tmp_path / "other") == tree(site / "public")


def test_the_dev_server_rebuilds_from_memory_and_indexes_search_late(
    site: Path, tmp_path: Path
) -> None:
    from generator.commands.serve import Rebuilder

    rebuilder = Rebuilder(site / "site.yaml", drafts=False, report=lambda _: None)
    assert rebuilder.build_now()
    edit(site, POST, "41 issues, 5 patterns", "41 issues")
    assert rebuilder.build_now()
    rebuilder.wait_for_search(120)
    clean = tmp_path / "clean"
    shutil.copytree(site, clean, ignore=shutil.ignore_patterns(".veille", "public", ".public*"))
    build(load_config(clean / "site.yaml"), clean / "public")
    assert tree(site / "public") == tree(clean / "public")
    # the late bundle is recorded: a rebuild without change reuses it
    assert rebuilder.build_now()
    assert rebuilder._indexing is not None
    before = rebuilder._indexing
    assert rebuilder.build_now()
    assert rebuilder._indexing is before
