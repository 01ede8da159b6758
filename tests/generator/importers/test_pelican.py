"""The Pelican reader: settings read without running them, metadata lines, {filename} links."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from generator.importers import pelican
from generator.importers.records import ImportedPost, ImportedSource

from .conftest import SITES, by_id, notes_of

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def source() -> ImportedSource:
    return pelican.read(SITES / "pelican")


@pytest.fixture(scope="module")
def posts(source: ImportedSource) -> dict[str, ImportedPost]:
    return by_id(source)


def test_settings_and_pages(source: ImportedSource, posts: dict[str, ImportedPost]) -> None:
    assert pelican.read(SITES / "pelican" / "content") == source
    assert source.base_url == "https://notes.example.org/"  # publishconf.py wins
    assert "pelican:content/pages/about.md" not in posts
    assert len(posts) == 6


def test_settings_are_parsed_not_run() -> None:
    settings = pelican.settings_of('import os\nSITEURL = "x"\nTHEME = os.getcwd()\n')
    assert settings == {"SITEURL": "x"}


def test_bundle_with_attach(posts: dict[str, ImportedPost]) -> None:
    post = posts["pelican:content/python/2024-03-05-pycon-recap/article.md"]
    assert (post.title, post.slug) == ("PyCon recap", "pycon-recap")
    assert post.date == datetime(2024, 3, 5, tzinfo=BERLIN)  # from the folder name
    assert post.tags == ("python", "conferences")
    assert post.sections == ("python",)
    assert [a.name for a in post.authors] == ["Ada Lovelace", "Grace Hopper"]
    assert post.summary == "Three days of talks."
    assert [a.name for a in post.attachments] == ["schedule.svg", "stage.png"]
    assert "![Stage](stage.png)" in post.body
    assert post.old_urls == ("/2024/pycon-recap.html",)


def test_filename_and_static_links(posts: dict[str, ImportedPost]) -> None:
    post = posts["pelican:content/python/typing.md"]
    assert post.slug == "typing-tips"
    assert post.sections == ("Backend",)
    assert post.date == datetime(2024, 2, 12, 14, 30, tzinfo=BERLIN)
    assert "[the recap](/2024/pycon-recap.html)" in post.body
    assert "![logo](logo.png)" in post.body
    assert [a.name for a in post.attachments] == ["logo.png"]
    assert notes_of(post) == [
        "content/python/typing.md:8: link {filename}nowhere.md: file not found, left as is",
        "content/python/typing.md:9: link {tag}python: left as is",
    ]


def test_status_rst_yaml_and_dates(posts: dict[str, ImportedPost]) -> None:
    assert posts["pelican:content/ops/draft.md"].draft is True
    rst = posts["pelican:content/ops/2023-11-02-oncall.rst"]
    assert (rst.title, rst.date) == ("On-call handbook", datetime(2023, 11, 2, tzinfo=BERLIN))
    assert rst.tags == ("ops", "oncall")
    assert notes_of(rst) == [
        "content/ops/2023-11-02-oncall.rst:1: reStructuredText body: kept as text"
    ]
    yaml_post = posts["pelican:content/ops/yaml-post.md"]
    assert yaml_post.date == datetime(2024, 1, 5, 9, 0, tzinfo=UTC)
    undated = posts["pelican:content/ops/undated.md"]
    assert (undated.date, undated.old_urls) == (None, ())
