"""The Jekyll reader: dated file names, drafts, permalinks, post_url/link, Liquid."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from generator.importers import jekyll
from generator.importers.records import Author, ImportedPost, ImportedSource

from .conftest import SITES, by_id, notes_of

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(scope="module")
def source() -> ImportedSource:
    return jekyll.read(SITES / "jekyll")


@pytest.fixture(scope="module")
def posts(source: ImportedSource) -> dict[str, ImportedPost]:
    return by_id(source)


def test_site_root_or_posts_folder(source: ImportedSource) -> None:
    assert jekyll.read(SITES / "jekyll" / "_posts") == source
    assert source.base_url == "https://design.example.org/journal/"
    assert [str(n) for n in source.notes] == [
        "_posts/2024-04-01-bad.md:3: invalid YAML: did not find expected ',' or ']': "
        "file not imported"
    ]


def test_bundle_post_with_data_author(posts: dict[str, ImportedPost]) -> None:
    post = posts["jekyll:_posts/2024-03-05-design-review/2024-03-05-design-review.md"]
    assert (post.title, post.slug) == ("Design review", "design-review")
    assert post.date == datetime(2024, 3, 5, tzinfo=NEW_YORK)
    assert post.tags == ("design", "ux")
    assert post.sections == ("Product",)
    assert post.authors == (Author(name="Ada Lovelace", id="ada", email="ada@example.org"),)
    assert [a.name for a in post.attachments] == ["assets/mockup.png", "flow.svg"]
    assert post.old_urls == ("/product/2024/03/05/design-review.html",)


def test_links_highlight_and_raw(posts: dict[str, ImportedPost]) -> None:
    post = posts["jekyll:_posts/2024-02-01-hello-world.md"]
    assert post.old_urls == ("/2024/02/01/hello-world.html",)
    assert "[the review](/product/2024/03/05/design-review.html)" in post.body
    assert "[about](/about.html)" in post.body
    assert "{% post_url 2020-01-01-lost %}" in post.body
    assert '```python\nprint("hi")\n```' in post.body
    assert "Use {{ page.title }} in templates." in post.body
    assert "raw %}" not in post.body
    assert notes_of(post) == [
        "_posts/2024-02-01-hello-world.md:8: post_url 2020-01-01-lost: post not found, left as is",
        "_posts/2024-02-01-hello-world.md:16: image /assets/img/lost.png: "
        "not found in the site folder, left as is",
    ]


def test_site_files_go_into_the_bundle(posts: dict[str, ImportedPost]) -> None:
    post = posts["jekyll:_posts/2024-02-01-hello-world.md"]
    palette = SITES / "jekyll" / "assets" / "img" / "palette.png"
    assert [(a.name, a.local) for a in post.attachments] == [
        ("assets/img/palette.png", palette.resolve())
    ]
    assert "![Palette](assets/img/palette.png)" in post.body
    assert '<img src="/assets/img/lost.png" alt="lost">' in post.body


def test_unpublished_category_and_liquid_include(posts: dict[str, ImportedPost]) -> None:
    post = posts["jekyll:_posts/2024-01-20-widgets.md"]
    assert post.draft is True
    assert post.date == datetime(2024, 1, 21, 9, 15, tzinfo=ZoneInfo("America/New_York"))
    assert post.sections == ("Frontend",)
    assert post.old_urls == ("/frontend/2024/01/21/widgets.html",)
    assert notes_of(post) == ["_posts/2024-01-20-widgets.md:8: liquid tag include: left as text"]


def test_drafts_and_collection_folders(posts: dict[str, ImportedPost]) -> None:
    draft = posts["jekyll:_drafts/someday.md"]
    assert (draft.draft, draft.date, draft.old_urls) == (True, None, ())
    news = posts["jekyll:news/_posts/2023-12-24-holidays.markdown"]
    assert news.sections == ("news",)
    assert news.old_urls == ("/holidays/",)
    assert news.date == datetime(2023, 12, 24, 8, 0, tzinfo=ZoneInfo("Europe/Paris"))
