"""The Zola reader on a small site: colocated assets, TOML and YAML, @/ links, shortcodes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from generator.importers import zola
from generator.importers.records import ImportedPost, ImportedSource

from .conftest import SITES, by_id, notes_of


@pytest.fixture(scope="module")
def source() -> ImportedSource:
    return zola.read(SITES / "zola")


@pytest.fixture(scope="module")
def posts(source: ImportedSource) -> dict[str, ImportedPost]:
    return by_id(source)


def test_root_or_content_folder(source: ImportedSource) -> None:
    assert zola.read(SITES / "zola" / "content") == source
    assert source.base_url == "https://zola.example.org"
    assert len(source.posts) == 6


def test_page_with_colocated_assets(posts: dict[str, ImportedPost]) -> None:
    post = posts["zola:content/blog/2024-03-05-kubernetes-day/index.md"]
    assert (post.title, post.slug) == ("Kubernetes day", "kubernetes-day")
    assert post.date == datetime(2024, 3, 5, tzinfo=UTC)  # from the folder name
    assert post.tags == ("kubernetes", "ops")
    assert post.sections == ("Infrastructure",)
    assert post.summary == "What we learnt"
    assert [a.name for a in post.authors] == ["Linus"]
    assert [a.name for a in post.attachments] == ["cluster.svg", "img/nodes.png"]
    assert post.old_urls == ("/blog/kubernetes-day/",)
    assert "![Nodes](img/nodes.png)" in post.body


def test_yaml_front_matter_and_internal_links(posts: dict[str, ImportedPost]) -> None:
    post = posts["zola:content/blog/yaml-post.md"]
    assert post.slug == "yaml-front-matter"
    assert post.date == datetime(2024, 2, 10, 8, 30, tzinfo=UTC)
    assert post.old_urls == ("/blog/yaml-front-matter/",)
    assert "[Kubernetes day](/blog/kubernetes-day/#what)" in post.body
    assert "[gone](@/blog/gone.md)" in post.body
    assert "![Racks](images/racks.png)" in post.body  # from static/, now in the bundle
    assert [(a.name, a.local) for a in post.attachments] == [
        ("images/racks.png", (SITES / "zola" / "static" / "images" / "racks.png").resolve())
    ]
    assert notes_of(post) == [
        "content/blog/yaml-post.md:10: link @/blog/gone.md: target not found, left as is"
    ]


def test_path_aliases_and_date_from_path(posts: dict[str, ImportedPost]) -> None:
    post = posts["zola:content/blog/archive/legacy.md"]
    assert post.old_urls == ("/2018/09/12/legacy-post/", "/old/legacy.html")
    assert post.date == datetime(2018, 9, 12, tzinfo=UTC)


def test_drafts_shortcodes_and_missing_dates(posts: dict[str, ImportedPost]) -> None:
    assert posts["zola:content/blog/draft.md"].draft is True
    embed = posts["zola:content/blog/embed.md"]
    assert embed.date == datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
    assert '{{ youtube(id="dQw4w9WgXcQ", autoplay=true) }}' in embed.body
    assert notes_of(embed) == ["content/blog/embed.md:6: shortcode youtube: left as text"]
    assert posts["zola:content/blog/undated.md"].date is None
    assert posts["zola:content/blog/undated.md"].sections == ("blog",)
