"""content/curation.yaml: annotations by link, every problem with file:line, check_curation."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.errors import ContentError, Problem
from generator.model import Curation, FeedItem
from generator.sources.curation import check_curation, curation_path, load_curation, parse_curation
from tests.generator.conftest import FeedSite

FILE = Path("content/curation.yaml")


def parse(text: str) -> tuple[Curation, ...]:
    return parse_curation(text, FILE)


def problems(text: str) -> list[str]:
    with pytest.raises(ContentError) as caught:
        parse(text)
    return [str(p) for p in caught.value.problems]


def test_missing_file_means_no_curation(feed_site: FeedSite) -> None:
    config = feed_site()
    assert curation_path(config) == config.root / "content" / "curation.yaml"
    assert load_curation(config) == ()


def test_mapping_keyed_by_link(feed_site: FeedSite) -> None:
    config = feed_site()
    curation_path(config).write_text(
        "# editors' notes\n"
        '"https://News.Example/a?utm_source=feed":\n'
        "  note: |\n"
        "    Worth **reading** — see [our post](/posts/2026/x/).\n"
        "  tags: [rust, ' rust ', web]\n"
        "  pin: true\n"
        "  community: data\n"
        "https://news.example/b:\n"
        "  hide: true\n"
        "https://news.example/c:\n",
        "utf-8",
    )
    a, b, c = load_curation(config)
    assert a == Curation(
        link="https://news.example/a",
        note_html=(
            "<p>Worth <strong>reading</strong> — see "
            '<a href="/posts/2026/x/" rel="noopener noreferrer">our post</a>.</p>'
        ),
        pin=True,
        tags=("rust", "web"),
        community="data",
        line=2,
    )
    assert (b.link, b.hide, b.line) == ("https://news.example/b", True, 8)
    assert (c.note_html, c.hide, c.pin, c.line) == ("", False, False, 10)


def test_list_of_entries_is_read_too() -> None:
    (entry,) = parse("- link: https://news.example/a\n  note: hi\n")
    assert entry.link == "https://news.example/a" and entry.note_html == "<p>hi</p>"
    assert entry.line == 1


def test_hostile_note_is_sanitised() -> None:
    (entry,) = parse(
        "https://news.example/a:\n"
        "  note: |\n"
        "    <script>alert(1)</script><img src=x onerror=alert(1)>\n"
        "    [click](javascript:alert(1)) <a href='data:text/html,x'>d</a>\n"
    )
    html = entry.note_html.lower()
    for bad in ("<script", "onerror", "javascript:", "data:"):
        assert bad not in html


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "https://n.example/a:\n  nte: hello\n",
            [
                "content/curation.yaml:2: https://n.example/a.nte: unknown key "
                "(did you mean 'note'?); expected one of: community, hide, note, pin, tags"
            ],
        ),
        (
            "https://n.example/a:\n  hide: maybe\n",
            [
                "content/curation.yaml:2: https://n.example/a.hide: "
                "Input should be a valid boolean, unable to interpret input, got 'maybe'"
            ],
        ),
        (
            "https://n.example/a:\n  community: Not An Id\n",
            [
                "content/curation.yaml:2: https://n.example/a.community: expected an id of "
                "lowercase letters, digits, '-' or '_', got 'Not An Id'"
            ],
        ),
        (
            "javascript:alert(1):\n  pin: true\nnot-a-link: {}\n",
            [
                "content/curation.yaml:1: expected an http(s) link, got 'javascript:alert(1)'",
                "content/curation.yaml:3: expected an http(s) link, got 'not-a-link'",
            ],
        ),
        (
            "https://n.example/a:\n  pin: true\nhttps://n.example/a:\n  hide: true\n",
            [
                "content/curation.yaml:3: https://n.example/a: "
                "the same link is annotated twice (first at line 1)"
            ],
        ),
        (
            "https://n.example/a:\n  pin: true\nHTTPS://N.EXAMPLE/a#:\n  hide: true\n",
            [
                "content/curation.yaml:3: HTTPS://N.EXAMPLE/a#: "
                "the same link is annotated twice (first at line 1)"
            ],
        ),
        ("https://n.example/a: just a note\n", None),
        ("- note: no link\n", ["content/curation.yaml:1: expected a 'link:'"]),
        ("just text\n", ["content/curation.yaml:1: expected a mapping from links to annotations"]),
        ("a: [\n", None),
    ],
)
def test_problems_name_file_and_line(text: str, expected: list[str] | None) -> None:
    found = problems(text)
    if expected is None:
        assert found and all(p.startswith("content/curation.yaml:") for p in found)
    else:
        assert found == expected


def test_empty_file() -> None:
    assert parse("# nothing yet\n") == ()


def _item(link: str | None) -> FeedItem:
    when = datetime(2026, 11, 1, tzinfo=UTC)
    return FeedItem(id=link or "x", feed_id="f", title="t", published=when, link=link, slug="t-1")


def test_check_curation_reports_unmatched_links_and_unknown_communities() -> None:
    curation = parse(
        "https://News.Example/a?utm_medium=rss:\n  note: matched despite case and utm\n"
        "https://news.example/gone:\n  community: nope\n"
    )
    found = check_curation(
        curation, [_item("https://news.example/a"), _item(None)], {"data", "sec"}
    )
    assert found == [
        Problem(
            FILE,
            3,
            "https://news.example/gone matches no cached feed item "
            "(run `veille fetch`, or check the link)",
        ),
        Problem(FILE, 3, "unknown community 'nope' (known: data, sec)", "community"),
    ]
    assert check_curation(curation[:1], [_item("https://news.example/a")], set()) == []
    other = check_curation(curation[1:], [], set(), path="elsewhere.yaml")
    assert other[1] == Problem(
        "elsewhere.yaml", 3, "unknown community 'nope' (known: none defined)", "community"
    )


def test_check_curation_with_an_empty_cache_says_so_once() -> None:
    curation = parse("https://n.example/a: {}\nhttps://n.example/b: {}\n")
    assert check_curation(curation, [], set()) == [
        Problem(
            FILE,
            None,
            "no feed item is cached yet, so the 2 entries here cannot be matched: "
            "run `veille fetch` first",
        )
    ]
    assert check_curation((), [], set()) == []
