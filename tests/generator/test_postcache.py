"""The post cache never serves stale posts: after each kind of change, a cached load
(and a cached build) gives exactly what a load (or build) without a cache gives."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

import generator
from generator.build import build
from generator.config import SiteConfig, load_config
from generator.errors import ContentError
from generator.model import Post
from generator.sources import content
from generator.sources.postcache import CACHE_FILE
from tests.conftest import SiteFactory, post_text

EPOCH = "1764400000"
TABLE = "| a | b |\n|---|---|\n| 1 | 2 |\n"


def _posts(n: int) -> dict[str, str]:
    return {
        f"2026/post-{i}.md": post_text(
            {"title": f"Post {i}", "date": f"2026-11-{i + 1:02d}T10:00", "author": "ada"},
            f"# Heading {i}\n\nBody of post {i} with *emphasis*.\n\n" + TABLE,
        )
        for i in range(n)
    }


class Counter:
    """Counts the posts actually parsed (cache misses)."""

    def __init__(self) -> None:
        self.parsed = 0

    def __call__(self, config: SiteConfig, items: list[tuple[str, str]]) -> Any:
        self.parsed += len(items)
        return _PARSE(config, items)


_PARSE = content.parse_batch


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Counter:
    counter = Counter()
    monkeypatch.setattr(content, "parse_batch", counter)
    monkeypatch.setenv("VEILLE_WORKERS", "1")
    return counter


def _load(site: Path) -> tuple[Post, ...]:
    return content.load_content(load_config(site))[1]


def _clean_load(site: Path) -> tuple[Post, ...]:
    shutil.rmtree(load_config(site).cache_path / "build", ignore_errors=True)
    return _load(site)


def _set(site: Path, **settings: Any) -> None:
    data = yaml.safe_load(site.read_text())
    data.update(settings)
    site.write_text(yaml.safe_dump(data))


def test_an_unchanged_site_is_served_from_the_cache(
    make_site: SiteFactory, parsed: Counter
) -> None:
    site = make_site(posts=_posts(4))
    first = _load(site)
    assert parsed.parsed == 4
    assert _load(site) == first
    assert parsed.parsed == 4


def _edit_post(site: Path) -> None:
    path = site.parent / "content" / "posts" / "2026" / "post-1.md"
    path.write_text(path.read_text() + "\nOne more sentence.\n")


def _timezone(site: Path) -> None:
    _set(site, timezone="America/New_York")


def _summary_words(site: Path) -> None:
    _set(site, summary_words=5)


def _engine(site: Path) -> None:
    _set(site, markdown_engine="cmarkgfm")


def _rename_post(site: Path) -> None:
    posts = site.parent / "content" / "posts" / "2026"
    (posts / "post-2.md").rename(posts / "renamed.md")


@pytest.mark.parametrize(
    ("change", "misses"),
    [
        (_edit_post, 1),
        (_rename_post, 1),
        (_timezone, 4),
        (_summary_words, 4),
        (_engine, 4),
    ],
)
def test_a_change_gives_what_a_clean_load_gives(
    make_site: SiteFactory, parsed: Counter, change: Callable[[Path], None], misses: int
) -> None:
    site = make_site(posts=_posts(4))
    before = _load(site)
    change(site)
    parsed.parsed = 0
    cached = _load(site)
    assert parsed.parsed == misses
    assert cached == _clean_load(site)
    assert cached != before


def test_a_version_bump_invalidates_everything(
    make_site: SiteFactory, parsed: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(posts=_posts(3))
    first = _load(site)
    monkeypatch.setattr(generator, "__version__", "99.0.0")
    parsed.parsed = 0
    assert _load(site) == first
    assert parsed.parsed == 3


def test_a_corrupt_cache_file_is_ignored_and_rebuilt(
    make_site: SiteFactory, parsed: Counter
) -> None:
    site = make_site(posts=_posts(3))
    first = _load(site)
    cache = load_config(site).cache_path / "build" / CACHE_FILE
    cache.write_bytes(b"this is not a database" * 100)
    parsed.parsed = 0
    assert _load(site) == first
    assert parsed.parsed == 3
    parsed.parsed = 0
    assert _load(site) == first
    assert parsed.parsed == 0


def test_a_bad_record_is_a_miss(make_site: SiteFactory, parsed: Counter) -> None:
    site = make_site(posts=_posts(3))
    first = _load(site)
    cache = load_config(site).cache_path / "build" / CACHE_FILE
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE posts SET record = '{\"post\": 3}' WHERE path = '2026/post-0.md'")
    db.close()
    parsed.parsed = 0
    assert _load(site) == first
    assert parsed.parsed == 1


def test_deleted_posts_are_pruned(make_site: SiteFactory, parsed: Counter) -> None:
    site = make_site(posts=_posts(3))
    _load(site)
    (site.parent / "content" / "posts" / "2026" / "post-0.md").unlink()
    _load(site)
    cache = load_config(site).cache_path / "build" / CACHE_FILE
    with sqlite3.connect(cache) as db:
        rows = sorted(r[0] for r in db.execute("SELECT path FROM posts"))
    db.close()
    assert rows == ["2026/post-1.md", "2026/post-2.md"]


def _problems(site: Path) -> str:
    with pytest.raises(ContentError) as caught:
        _load(site)
    return str(caught.value)


def test_problems_are_the_same_from_the_cache(make_site: SiteFactory, parsed: Counter) -> None:
    posts = _posts(2)
    posts["2026/bad.md"] = post_text({"title": "", "date": "yesterday"})
    posts["2026/stranger.md"] = post_text({"title": "S", "date": "2026-11-03", "author": "bob"})
    site = make_site(posts=posts)
    first = _problems(site)
    assert "bad.md:2" in first and "stranger.md:4: author: unknown person id 'bob'" in first
    parsed.parsed = 0
    assert _problems(site) == first
    assert parsed.parsed == 0


def test_a_directory_change_is_checked_against_cached_posts(
    make_site: SiteFactory, parsed: Counter
) -> None:
    site = make_site(posts=_posts(2))
    _load(site)
    people = site.parent / "content" / "people.yaml"
    people.write_text(people.read_text().replace("id: ada", "id: adele"))
    message = _problems(site)
    assert "post-0.md:4: author: unknown person id 'ada'" in message
    assert parsed.parsed == 2


def test_a_process_pool_gives_the_same_posts(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(posts=_posts(6))
    monkeypatch.setenv("VEILLE_WORKERS", "1")
    serial = _clean_load(site)
    monkeypatch.setenv("VEILLE_WORKERS", "2")
    assert _clean_load(site) == serial


def _tree(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_an_incremental_build_equals_a_clean_build(
    sample_site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    config = load_config(sample_site)
    build(config, tmp_path / "warm")
    post = sorted((sample_site.parent / "content" / "posts").rglob("*.md"))[0]
    post.write_text(post.read_text(encoding="utf-8") + "\nAn edit.\n", encoding="utf-8")
    build(config, tmp_path / "warm")
    shutil.rmtree(config.cache_path / "build")
    build(config, tmp_path / "clean")
    assert _tree(tmp_path / "warm") == _tree(tmp_path / "clean")
