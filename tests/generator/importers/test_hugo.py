"""The Hugo reader on a small site: bundles, both front matters, refs, shortcodes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.importers import hugo
from generator.importers.readers import ReadOptions
from generator.importers.records import ImportedPost, ImportedSource

from .conftest import SITES, by_id, notes_of

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture(scope="module")
def source() -> ImportedSource:
    return hugo.read(SITES / "hugo")


@pytest.fixture(scope="module")
def posts(source: ImportedSource) -> dict[str, ImportedPost]:
    return by_id(source)


def test_root_or_content_folder_give_the_same_posts(source: ImportedSource) -> None:
    assert hugo.read(SITES / "hugo" / "content") == source
    assert source.base_url == "https://blog.example.org/"


def test_posts_sections_and_pages(source: ImportedSource, posts: dict[str, ImportedPost]) -> None:
    assert sorted(posts) == [
        "hugo:content/notes/first-note.md",
        "hugo:content/posts/2024-03-05-rust-meetup/index.md",
        "hugo:content/posts/draft.md",
        "hugo:content/posts/old-news.md",
        "hugo:content/posts/single.md",
        "hugo:content/posts/undated.md",
        "hugo:content/posts/video.md",
    ]
    assert [str(n) for n in source.notes] == [
        "content/posts/broken.md:2: invalid TOML: Illegal character '\\n': file not imported",
        "content/about.md:1: a page, not in a section: not imported",
    ]


def test_bundle_with_toml_front_matter(posts: dict[str, ImportedPost]) -> None:
    post = posts["hugo:content/posts/2024-03-05-rust-meetup/index.md"]
    assert post.title == "Rust meetup recap"
    assert post.slug == "rust-meetup"
    assert post.date == datetime(2024, 3, 5, 19, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert post.tags == ("rust", "meetup")
    assert post.sections == ("Backend",)
    assert [a.name for a in post.authors] == ["Ada Lovelace"]
    assert [a.name for a in post.attachments] == ["diagrams/arch.svg", "slide.png"]
    assert all(a.local is not None and a.local.is_file() for a in post.attachments)
    assert post.old_urls == ("/posts/2024-03-05-rust-meetup/", "/2024/rust-meetup.html")
    assert (
        '<figure><img src="diagrams/arch.svg" alt="Our architecture">'
        "<figcaption>Our architecture</figcaption></figure>"
    ) in post.body


def test_yaml_post_refs_become_old_paths(posts: dict[str, ImportedPost]) -> None:
    post = posts["hugo:content/posts/single.md"]
    assert post.slug == "single-post"
    assert post.date == datetime(2024, 2, 1, 10, 0, tzinfo=PARIS)
    assert post.old_urls == ("/posts/single-post/",)
    assert [a.name for a in post.authors] == ["Grace Hopper", "Ada Lovelace"]
    assert "[Rust recap](/posts/2024-03-05-rust-meetup/)" in post.body
    assert "[about page](/about/)" in post.body
    assert '{{< ref "nowhere.md" >}}' in post.body
    assert notes_of(post) == [
        "content/posts/single.md:12: ref 'nowhere.md': target not found, left as is",
        "content/posts/single.md:14: image /images/missing.png: not found in static/, left as is",
    ]


def test_files_from_static_go_into_the_bundle(posts: dict[str, ImportedPost]) -> None:
    post = posts["hugo:content/posts/single.md"]
    assert [(a.name, a.local) for a in post.attachments] == [
        ("images/diagram.png", (SITES / "hugo" / "static" / "images" / "diagram.png").resolve())
    ]
    assert '![The diagram](images/diagram.png "Our stack")' in post.body
    assert "![gone](/images/missing.png)" in post.body  # not found: left as is, and noted


def test_static_dir_and_theme_static_from_the_config(tmp_path: Path) -> None:
    (tmp_path / "hugo.toml").write_text('staticDir = ["files"]\ntheme = "ink"\n')
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "report.pdf").write_bytes(b"%PDF-1.4")
    logo = tmp_path / "themes" / "ink" / "static" / "img" / "logo.png"
    logo.parent.mkdir(parents=True)
    logo.write_bytes((SITES / "hugo" / "static" / "images" / "diagram.png").read_bytes())
    (tmp_path / "content" / "posts").mkdir(parents=True)
    (tmp_path / "content" / "posts" / "a.md").write_text(
        "---\ntitle: A\nimage: /img/logo.png\n---\n\n"
        "[Report](/report.pdf#page=2), [about](/about/) and "
        '<img src="/img/logo.png"> and <a href="/../hugo.toml.png">escape</a>.\n'
    )
    post = hugo.read(tmp_path).posts[0]
    assert [a.name for a in post.attachments] == ["report.pdf", "img/logo.png"]
    assert post.image == "img/logo.png"
    assert "[Report](report.pdf#page=2), [about](/about/)" in post.body
    assert '<img src="img/logo.png">' in post.body
    assert notes_of(post) == [
        "content/posts/a.md:6: image /../hugo.toml.png: not found in files/, left as is"
    ]


def test_relative_links_and_permalinks(posts: dict[str, ImportedPost]) -> None:
    post = posts["hugo:content/notes/first-note.md"]
    assert post.old_urls == ("/notes/2023/first-note/",)
    assert "[the single post](/posts/single-post/)" in post.body
    assert "[the video](/posts/video/)" in post.body


def test_shortcodes_left_visible_and_noted(posts: dict[str, ImportedPost]) -> None:
    post = posts["hugo:content/posts/video.md"]
    assert "{{< youtube dQw4w9WgXcQ >}}" in post.body
    assert '```go\nfmt.Println("hi")\n```' in post.body
    assert notes_of(post) == [
        "content/posts/video.md:4: field 'mood': not imported",
        "content/posts/video.md:9: shortcode youtube: left as text",
    ]


def test_dates_drafts_and_urls(posts: dict[str, ImportedPost]) -> None:
    assert posts["hugo:content/posts/draft.md"].draft is True
    assert posts["hugo:content/posts/single.md"].draft is False
    old = posts["hugo:content/posts/old-news.md"]
    assert old.date == datetime(2019, 6, 30, tzinfo=PARIS)
    assert old.old_urls == ("/2019/06/30/old-news/",)
    assert posts["hugo:content/posts/undated.md"].date is None
    assert posts["hugo:content/posts/video.md"].sections == ("posts",)


def test_sections_take_the_community_map_spelling() -> None:
    source = hugo.read(SITES / "hugo", ReadOptions(community_map={"backend": "platform"}))
    post = by_id(source)["hugo:content/posts/2024-03-05-rust-meetup/index.md"]
    assert post.sections == ("backend",)
