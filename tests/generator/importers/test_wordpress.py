"""The WordPress (WXR) reader: what becomes a post, and how bodies are converted."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import UsageError
from generator.importers.readers import ReadOptions, read_source
from generator.importers.records import ImportedSource
from tests.generator.importers.helpers import DATA

WXR = DATA / "wordpress" / "export.xml"


@pytest.fixture(scope="module")
def source() -> ImportedSource:
    return read_source("wordpress", WXR, ReadOptions(DATA / "wordpress" / "uploads"))


def _post(source: ImportedSource, post_id: int):  # type: ignore[no-untyped-def]
    return next(p for p in source.posts if p.source_id == f"wordpress:{post_id}")


def test_posts_only_with_drafts_scheduled_and_private_as_drafts(source: ImportedSource) -> None:
    ids = [p.source_id for p in source.posts]
    assert ids == [f"wordpress:{n}" for n in (10, 11, 12, 13, 14, 15, 16, 17)]
    assert {p.source_id for p in source.posts if p.draft} == {
        "wordpress:13", "wordpress:14", "wordpress:16", "wordpress:17"
    }  # fmt: skip
    skipped = {str(n) for n in source.notes}
    assert f"{WXR}: 1 item(s) of type 'page': not imported" in skipped
    assert f"{WXR}: 1 item(s) of type 'nav_menu_item': not imported" in skipped
    assert "a private post: imported as a draft" in [
        n.what + ": " + n.did for n in _post(source, 16).notes
    ]


def test_dates_keep_the_blog_offset(source: ImportedSource) -> None:
    assert _post(source, 10).date.isoformat() == "2023-05-01T10:00:00+02:00"  # type: ignore[union-attr]
    # a draft without a GMT date takes the blog's usual offset
    assert _post(source, 13).date.isoformat() == "2023-12-20T10:00:00+01:00"  # type: ignore[union-attr]
    assert _post(source, 17).date is None


def test_odd_and_empty_titles(source: ImportedSource) -> None:
    assert _post(source, 12).title == "Q&A: «DevOps» — what’s next?"
    empty = _post(source, 15)
    assert empty.title == "Post of 2024-02-02"
    assert [str(n) for n in empty.notes] == [f"{WXR}:326: empty title: titled 'Post of 2024-02-02'"]


def test_authors_categories_tags(source: ImportedSource) -> None:
    post = _post(source, 10)
    assert [(a.name, a.id, a.email) for a in post.authors] == [
        ("Jane Doe", "jdoe", "jane.doe@example.com")
    ]
    assert post.sections == ("DevOps",)
    assert post.tags == ("Kubernetes", "CI")
    assert _post(source, 11).sections == ("Data & AI",)


def test_shortcodes_converted_or_reported(source: ImportedSource) -> None:
    hello = _post(source, 10).body
    assert "<figcaption>The cluster, <em>before</em> the move</figcaption></figure>" in hello
    assert "[caption" not in hello
    assert '<a href="https://www.youtube.com/watch?v=abc123">' in hello
    recap = _post(source, 11)
    assert "wp-content/uploads/2023/06/team.jpg" in recap.body
    assert "wp-content/uploads/2023/06/board.png" in recap.body
    assert "[gallery" not in recap.body
    assert '[contact-form-7 id="5" title="Contact form 1"]' in recap.body  # left visible
    assert [str(n) for n in recap.notes] == [
        f'{WXR}:262: shortcode [contact-form-7 id="5" title="Contact form 1"]: left as text'
    ]


def test_uploads_become_attachments(source: ImportedSource) -> None:
    hello = _post(source, 10)
    assert {a.name: a.local is not None for a in hello.attachments} == {
        "diagram.png": True, "diagram-300x200.png": True, "photo.jpg": True
    }  # fmt: skip
    # a root-relative uploads URL is made absolute, so it can be replaced by the file
    assert 'src="https://blog.example.com/wp-content/uploads/2023/05/photo.jpg"' in hello.body
    assert hello.image == "https://blog.example.com/wp-content/uploads/2023/05/diagram.png"
    missing = _post(source, 12).attachments
    assert [(a.name, a.local) for a in missing] == [("missing.png", None)]


def test_comments_threaded_without_spam_or_pingbacks(source: ImportedSource) -> None:
    post = _post(source, 10)
    assert [(c.id, c.parent) for c in post.comments] == [
        ("101", None), ("102", "101"), ("103", "102")
    ]  # fmt: skip
    assert post.comments[2].body == "Thanks & good luck!"
    assert any("a pingback from https://other.example.net" in str(n) for n in post.notes)


def test_not_a_wordpress_export(tmp_path: Path) -> None:
    path = tmp_path / "feed.xml"
    path.write_text("<rss version='2.0'><channel><title>x</title></channel></rss>")
    with pytest.raises(UsageError, match="not a WordPress export"):
        read_source("wordpress", path, ReadOptions())
    path.write_text("<rss><channel>&laquo;</channel></rss>")
    with pytest.raises(UsageError, match=r"feed.xml:1: not a WordPress export: undefined entity"):
        read_source("wordpress", path, ReadOptions())


def test_an_unknown_kind_is_a_usage_error_naming_the_kinds() -> None:
    with pytest.raises(UsageError, match=r"unknown kind 'blogger'.*hugo, jekyll, pelican"):
        read_source("blogger", "somewhere", ReadOptions())


def test_a_static_site_kind_refuses_a_url() -> None:
    with pytest.raises(UsageError, match="hugo imports a local folder"):
        read_source("hugo", "https://blog.example.com/", ReadOptions())
