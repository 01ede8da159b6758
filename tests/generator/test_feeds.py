"""Feed bytes → FeedItems: formats, ids, links, dates, titles, encodings, hostile input."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime

import pytest

from generator.config import FeedConfig
from generator.errors import FeedError
from generator.feeds.parse import canonical_link, parse_feed, sniff
from generator.model import FeedItem
from tests.generator.feeds_conftest import atom, json_feed, rss091, rss10, rss20

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
FEED = FeedConfig(id="test", url="https://feed.example/blog/feed.xml")
URL = FEED.url
EXECUTABLE = re.compile(
    r"<\s*(script|style|iframe|svg|math|form|input|object|embed)|\son[a-z]+\s*=|javascript:|data:",
    re.IGNORECASE,
)


def one(data: bytes, content_type: str | None = None) -> FeedItem:
    parsed = parse_feed(data, FEED, NOW, url=URL, content_type=content_type)
    assert len(parsed.items) == 1
    return parsed.items[0]


# -- formats -------------------------------------------------------------------------


def test_rss20_item_fields() -> None:
    media = (
        '<media:thumbnail url="/img/t.jpg"/>'
        "<category>Rust</category><category>rust</category><category>Web</category>"
        "<author>jane@example.org (Jane Doe)</author>"
    )
    data = rss20(
        [
            {
                "title": "Hello",
                "link": "https://feed.example/blog/hello?utm_source=rss&id=3",
                "guid": "post-1",
                "description": "<p>Short <b>summary</b></p>",
                "content": "<p>Full <em>text</em> <a href='/about'>about</a></p>",
                "date": "Tue, 10 Nov 2026 09:30:00 +0100",
                "raw": media,
            }
        ],
        title="Blog &amp; co",
        link="https://feed.example/blog/",
    )
    parsed = parse_feed(data, FEED, NOW, url=URL)
    assert parsed.format == "rss20"
    assert parsed.title == "Blog & co"
    assert parsed.home_url == "https://feed.example/blog/"
    item = parsed.items[0]
    assert item.id == "post-1"
    assert item.feed_id == "test"
    assert item.title == "Hello"
    assert item.link == "https://feed.example/blog/hello?id=3"
    assert item.published == datetime(2026, 11, 10, 8, 30, tzinfo=UTC)
    assert item.summary_html == "<p>Short <b>summary</b></p>"
    assert item.content_html == (
        '<p>Full <em>text</em> <a href="https://feed.example/about" '
        'rel="noopener noreferrer">about</a></p>'
    )
    assert item.author == "Jane Doe"
    assert item.tags == ("Rust", "Web")
    assert item.thumbnail == "https://feed.example/img/t.jpg"
    assert item.source_title == "Blog & co"
    assert item.source_url == "https://feed.example/blog/"
    assert item.first_seen == NOW
    assert item.updated is None
    assert re.fullmatch(r"hello-[0-9a-f]{6}", item.slug)


def test_rss091_latin1_with_french_accents() -> None:
    data = rss091([{"title": "Été à Paris : café", "link": "https://old.example.org/été"}])
    item = one(data)
    assert item.title == "Été à Paris : café"
    assert item.link == "https://old.example.org/%C3%A9t%C3%A9" or item.link.endswith("été")


def test_rss10_rdf_with_offset_date() -> None:
    data = rss10(
        [
            {
                "title": "RDF item",
                "link": "https://rdf.example.org/1",
                "date": "2026-02-03T04:05:06+01:00",
            }
        ]
    )
    parsed = parse_feed(data, FEED, NOW, url=URL)
    assert parsed.format == "rss10"
    item = parsed.items[0]
    assert item.id == "https://rdf.example.org/1"
    assert item.published == datetime(2026, 2, 3, 3, 5, 6, tzinfo=UTC)


def test_atom_urn_id_is_never_a_link_and_xml_base_resolves() -> None:
    data = atom(
        [
            {"id": "urn:uuid:1", "title": "No link", "updated": "2026-11-01T10:00:00Z"},
            {
                "id": "tag:atom.example.org,2026:2",
                "title": "Relative",
                "link": "posts/2",
                "updated": "2026-11-02T10:00:00Z",
                "content": '<p><img src="img/x.png" alt="x"></p>',
            },
        ],
        base="https://atom.example.org/blog/",
    )
    parsed = parse_feed(data, FEED, NOW, url=URL)
    first, second = parsed.items
    assert first.id == "urn:uuid:1"
    assert first.link is None
    assert second.link == "https://atom.example.org/blog/posts/2"
    assert 'src="https://atom.example.org/blog/img/x.png"' in second.content_html


def test_atom_plain_text_content_is_escaped_not_trusted() -> None:
    data = atom(
        [
            {
                "id": "urn:uuid:1",
                "title": "a <b> title",
                "content": "<script>alert(1)</script>\n\nsecond paragraph",
                "content_type": "text",
                "updated": "2026-11-01T10:00:00Z",
            }
        ]
    )
    item = one(data)
    assert item.title == "a <b> title"
    assert item.content_html == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>second paragraph</p>"
    )


def test_atom_html_title_is_plain_text() -> None:
    data = atom([{"id": "urn:1", "title": "<b>Bold</b> &amp; brave", "title_type": "html"}])
    assert one(data).title == "Bold & brave"


def test_json_feed_11() -> None:
    data = json_feed(
        [
            {
                "id": "1",
                "url": "https://json.example.org/1",
                "title": "Tom &amp; Jerry",
                "content_html": "<p>Hi<script>x</script></p>",
                "summary": "A <summary>",
                "date_published": "2026-11-01T10:00:00+02:00",
                "date_modified": "2026-11-02T10:00:00Z",
                "authors": [{"name": "Ann"}, {"name": "Bob"}],
                "tags": ["Python", 3],
                "image": "https://json.example.org/1.png",
            },
            {"id": 2, "content_text": "<b>not bold</b>", "external_url": "/ext"},
            "not an object",
        ]
    )
    parsed = parse_feed(data, FEED, NOW, url=URL)
    assert parsed.format == "json11"
    assert parsed.warnings == ("1 JSON Feed item(s) are not objects; skipped",)
    first, second = parsed.items
    assert first.title == "Tom & Jerry"
    assert first.content_html == "<p>Hi</p>"
    assert first.summary_html == "<p>A &lt;summary&gt;</p>"
    assert first.published == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    assert first.updated == datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    assert first.author == "Ann, Bob"
    assert first.tags == ("Python",)
    assert first.thumbnail == "https://json.example.org/1.png"
    assert second.id == "2"
    assert second.link == "https://feed.example/ext"
    assert second.content_html == "<p>&lt;b&gt;not bold&lt;/b&gt;</p>"
    assert second.title == "<b>not bold</b>"


def test_json_feed_10_author_and_attachments() -> None:
    data = json_feed(
        [
            {
                "id": "a",
                "url": "https://json.example.org/a",
                "title": "A",
                "author": {"name": "Solo"},
                "attachments": [
                    {"url": "https://json.example.org/a.jpg", "mime_type": "image/jpeg"}
                ],
            }
        ],
        version="https://jsonfeed.org/version/1",
    )
    item = one(data)
    assert item.author == "Solo"
    assert item.thumbnail == "https://json.example.org/a.jpg"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"items": []}', "JSON, but not a JSON Feed (no jsonfeed.org version)"),
        (b"[1, 2]", "JSON, but not a JSON Feed (expected an object)"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}',
            "JSON Feed without an 'items' list",
        ),
        (b'{"version": ', "malformed JSON: Expecting value at line 1"),
    ],
)
def test_json_errors(data: bytes, message: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(data, FEED, NOW, url=URL)
    assert caught.value.message == message


def test_json_feed_in_windows_1252_is_read_with_a_warning() -> None:
    doc = '{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", "title": "Café"}]}'
    parsed = parse_feed(doc.encode("cp1252"), FEED, NOW, url=URL)
    assert parsed.items[0].title == "Café"
    assert parsed.warnings == ("JSON Feed is not valid UTF-8; read as windows-1252",)


# -- ids and duplicates ----------------------------------------------------------------


def test_id_is_guid_else_link_else_hash_and_first_duplicate_wins() -> None:
    data = rss20(
        [
            {"title": "A", "guid": "g1", "link": "https://x.example/a"},
            {"title": "B", "link": "https://x.example/b"},
            {"title": "C", "description": "body"},
            {"title": "A again", "guid": "g1"},
        ]
    )
    items = parse_feed(data, FEED, NOW, url=URL).items
    assert [i.id for i in items[:2]] == ["g1", "https://x.example/b"]
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", items[2].id)
    assert len(items) == 3 and items[0].title == "A"
    again = parse_feed(data, FEED, NOW, url=URL).items
    assert again[2].id == items[2].id  # the hash is stable


# -- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        ("javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("urn:isbn:123", None),
        ("ftp://x.example/file", None),
        ("/relative/path", "https://feed.example/relative/path"),
        ("sibling", "https://feed.example/blog/sibling"),
        ("HTTPS://X.Example:443/Path?utm_medium=feed&q=1#frag", "https://x.example/Path?q=1#frag"),
    ],
)
def test_links_are_http_only_and_resolved(link: str, expected: str | None) -> None:
    item = one(rss20([{"title": "t", "guid": "1", "link": link}]))
    assert item.link == expected


def test_guid_permalink_is_a_link_only_when_absolute() -> None:
    data = rss20(
        [
            {"title": "a", "raw": "<guid>https://g.example/1</guid>"},
            {"title": "b", "raw": "<guid>relative-guid</guid>"},
        ]
    )
    first, second = parse_feed(data, FEED, NOW, url=URL).items
    assert first.link == "https://g.example/1"
    assert second.link is None


def test_unsafe_enclosure_and_thumbnail_are_dropped() -> None:
    raw = (
        '<enclosure url="javascript:alert(1)" type="image/png" length="1"/>'
        '<media:thumbnail url="data:image/png;base64,AAAA"/>'
        '<enclosure url="https://cdn.example/ok.png" type="image/png" length="1"/>'
    )
    item = one(rss20([{"title": "t", "guid": "1", "raw": raw}]))
    assert item.thumbnail == "https://cdn.example/ok.png"


def test_non_image_enclosure_is_not_a_thumbnail() -> None:
    raw = '<enclosure url="https://cdn.example/a.mp3" type="audio/mpeg" length="1"/>'
    assert one(rss20([{"title": "t", "guid": "1", "raw": raw}])).thumbnail is None


def test_relative_links_of_a_local_feed_resolve_against_its_home_page() -> None:
    data = rss20([{"title": "t", "link": "/a"}], link="https://home.example/blog/")
    parsed = parse_feed(data, FEED, NOW, url=None)
    assert parsed.items[0].link == "https://home.example/a"


# -- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Tue, 10 Nov 2026 09:30:00 GMT", datetime(2026, 11, 10, 9, 30, tzinfo=UTC)),
        ("10 Nov 2026 09:30 EST", datetime(2026, 11, 10, 14, 30, tzinfo=UTC)),
        ("2026-11-10T09:30:00+01:00", datetime(2026, 11, 10, 8, 30, tzinfo=UTC)),
        ("2026-11-10T09:30:00.123456Z", datetime(2026, 11, 10, 9, 30, 0, 123456, tzinfo=UTC)),
        ("2026-11-10", datetime(2026, 11, 10, tzinfo=UTC)),
        ("2026-11-10 09:30", datetime(2026, 11, 10, 9, 30, tzinfo=UTC)),
        ("2024-13-45", NOW),  # impossible: missing, so the first time seen
        ("0000-00-00", NOW),
        ("Mon, 45 Jan 2024 10:00:00 GMT", NOW),
        ("Thu, 01 Jan 1970 00:00:00 GMT", NOW),  # implausible placeholder
        ("1970-01-01T00:00:00Z", NOW),
        ("1994-06-01", NOW),
        ("2026-11-10T09:30:00+25:00", NOW),
        ("2030-01-01T00:00:00Z", NOW),  # future: clamped to the fetch time
        ("next tuesday", NOW),
        ("", NOW),
    ],
)
def test_dates(raw: str, expected: datetime) -> None:
    item = one(rss20([{"title": "t", "guid": "1", "date": raw}]))
    assert item.published == expected
    assert item.published.tzinfo == UTC


def test_missing_date_is_the_first_time_seen_and_updated_used_when_alone() -> None:
    data = atom(
        [
            {"id": "urn:1", "title": "only updated", "updated": "2026-11-01T10:00:00Z"},
            {"id": "urn:2", "title": "nothing"},
            {
                "id": "urn:3",
                "title": "both",
                "published": "2026-10-01T10:00:00Z",
                "updated": "2026-10-05T10:00:00Z",
            },
        ]
    )
    first, second, third = parse_feed(data, FEED, NOW, url=URL).items
    assert first.published == datetime(2026, 11, 1, 10, 0, tzinfo=UTC) and first.updated is None
    assert second.published == NOW
    assert third.published == datetime(2026, 10, 1, 10, 0, tzinfo=UTC)
    assert third.updated == datetime(2026, 10, 5, 10, 0, tzinfo=UTC)


def test_rare_date_formats_fall_back_to_feedparser() -> None:
    item = one(rss20([{"title": "t", "guid": "1", "date": "Tuesday, 10 November 2026"}]))
    assert item.published.date().isoformat() in {"2026-11-10", "2026-11-20"}


# -- titles ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw_title", "expected"),
    [
        ("AT&amp;T", "AT&T"),
        ("AT&amp;amp;T", "AT&T"),  # double-escaped by the publisher
        ("&lt;b&gt;bold&lt;/b&gt; move", "bold move"),
        ("Caf&#233; cr&egrave;me", "Café crème"),
        ("Tab\tand\x07bell", "Tab andbell"),
        ("  spaced   out ", "spaced out"),
    ],
)
def test_rss_titles_are_plain_text_escaped_once(raw_title: str, expected: str) -> None:
    data = rss20([{"title": "X", "guid": "1"}]).replace(
        b"<title>X</title>", f"<title>{raw_title}</title>".encode()
    )
    assert one(data).title == expected


def test_empty_title_falls_back_to_summary_then_link() -> None:
    data = rss20(
        [
            {
                "title": "",
                "guid": "1",
                "description": "<p>" + " ".join(f"w{i}" for i in range(30)) + "</p>",
            },
            {"guid": "2", "link": "https://x.example/path/page/"},
            {"guid": "3"},
        ]
    )
    first, second, third = parse_feed(data, FEED, NOW, url=URL).items
    assert first.title == " ".join(f"w{i}" for i in range(12)) + "…"
    assert second.title == "x.example/path/page"
    assert third.title == "Untitled"


def test_long_title_is_capped_at_a_word_boundary() -> None:
    long = "word " * 80
    title = one(rss20([{"title": long, "guid": "1"}])).title
    assert len(title) <= 200 and title.endswith("word…")


# -- encodings -------------------------------------------------------------------------------


def test_declared_utf8_but_windows_1252_bytes() -> None:
    data = rss20([{"title": "Été – déjà vu", "guid": "1"}], encoding="cp1252", declare="utf-8")
    parsed = parse_feed(data, FEED, NOW, url=URL)
    assert parsed.items[0].title == "Été – déjà vu"
    assert parsed.warnings == ("document declared as utf-8, but parsed as windows-1252",)


def test_declared_latin1_but_utf8_bytes() -> None:
    data = rss20([{"title": "Crème brûlée", "guid": "1"}], encoding="utf-8", declare="iso-8859-1")
    assert one(data).title in {"Crème brûlée"}


def test_http_charset_wins_over_a_wrong_declaration() -> None:
    data = rss20([{"title": "Noël", "guid": "1"}], encoding="iso-8859-1", declare="utf-8")
    item = one(data, content_type="application/rss+xml; charset=iso-8859-1")
    assert item.title == "Noël"


def test_text_xml_without_charset_uses_the_declaration() -> None:
    data = rss20([{"title": "Noël", "guid": "1"}])
    parsed = parse_feed(data, FEED, NOW, url=URL, content_type="text/xml")
    assert parsed.items[0].title == "Noël" and parsed.warnings == ()


def test_utf16_with_bom() -> None:
    text = (
        rss20([{"title": "Ça marche", "guid": "1"}])
        .decode()
        .replace('encoding="utf-8"', 'encoding="utf-16"')
    )
    assert one(text.encode("utf-16")).title == "Ça marche"


def test_control_characters_are_removed_and_parsing_stays_strict() -> None:
    data = rss20([{"title": "a\x01b", "guid": "1", "description": "x\x0by"}])
    parsed = parse_feed(data, FEED, NOW, url=URL)
    assert parsed.items[0].title == "ab"
    assert parsed.items[0].summary_html == "xy"
    assert parsed.warnings == ()


# -- unusable documents ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type", "message"),
    [
        (b"", None, "empty document: no feed in the response"),
        (b" \r\n\t", None, "empty document: no feed in the response"),
        (
            b"<!DOCTYPE html><html><head><link rel='alternate' type='application/rss+xml' "
            b"href='/feed.xml'><link rel='alternate' type='application/atom+xml' "
            b"href='https://other.example/atom'></head><body>Blog</body></html>",
            "text/html",
            "an HTML page, not a feed; it advertises: https://feed.example/feed.xml, "
            "https://other.example/atom",
        ),
        (
            b"<html><body>Not found</body></html>",
            None,
            "an HTML page, not a feed (it advertises no feed)",
        ),
        (
            b"<div>oops</div>",
            "text/html; charset=utf-8",
            "an HTML page, not a feed (it advertises no feed)",
        ),
        (
            b"<!-- c --><body><p>x</p></body>",
            None,
            "an HTML page, not a feed (it advertises no feed)",
        ),
        (b"/etc/passwd", None, "not a feed: neither XML nor JSON (starts with '/etc/passwd')"),
        (b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</ti', None, None),
        (b'<?xml version="1.0"?><note><to>x</to></note>', None, "not an RSS, Atom or JSON feed"),
    ],
)
def test_unusable_documents(data: bytes, content_type: str | None, message: str | None) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(data, FEED, NOW, url=URL, content_type=content_type)
    if message is None:
        assert caught.value.message.startswith("malformed XML: ")
        assert "line 1" in caught.value.message
    else:
        assert caught.value.message == message
    assert str(caught.value).startswith("feed test: ")


def test_malformed_xml_with_entries_is_read_leniently_with_a_warning() -> None:
    data = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title>'
        b"<item><title>a & b</title><guid>1</guid></item></channel></rss>"
    )
    parsed = parse_feed(data, FEED, NOW, url=URL)
    assert [i.title for i in parsed.items] == ["a & b"]
    assert parsed.warnings[0].startswith("malformed XML (not well-formed (invalid token) at line 1")


def test_an_empty_but_valid_feed_has_no_items() -> None:
    assert parse_feed(rss20([]), FEED, NOW, url=URL).items == ()


@pytest.mark.parametrize(
    ("data", "content_type", "kind"),
    [
        (b'\xef\xbb\xbf  {"a": 1}', None, "json"),
        (b"[]", "application/feed+json", "json"),
        (b"<rss/>", "text/html", "xml"),
        (b"<?xml version='1.0'?><feed/>", "application/json", "xml"),
        (b"\xff\xfe<\x00", None, "xml"),
    ],
)
def test_sniff(data: bytes, content_type: str | None, kind: str) -> None:
    assert sniff(data, content_type) == kind


# -- hostile content -----------------------------------------------------------------------


HOSTILE_HTML = (
    '<p onclick="alert(1)">hi<script>alert(1)</script><style>*{}</style>'
    '<a href="javascript:alert(1)">j</a><img src="x" onerror="alert(1)">'
    '<img src="data:image/svg+xml;base64,PHN2Zz4=">'
    '<svg onload="alert(1)"><a href="x">s</a></svg><form><input value=1></form>'
    '<iframe src="https://evil.example/"></iframe></p>'
)


def test_hostile_rss_content_is_neutralised() -> None:
    data = rss20(
        [
            {
                "title": "<script>alert('t')</script>Title",
                "guid": "1",
                "link": "javascript:alert(1)",
                "description": HOSTILE_HTML,
                "content": HOSTILE_HTML,
                "raw": '<media:thumbnail url="javascript:alert(1)"/>',
            }
        ]
    )
    item = one(data)
    for value in (item.summary_html, item.content_html):
        assert not EXECUTABLE.search(value), value
    # Declared as plain text: kept as text, which templates escape exactly once.
    assert item.title == "<script>alert('t')</script>Title"
    assert item.link is None and item.thumbnail is None


def test_hostile_json_feed_is_neutralised() -> None:
    data = json_feed(
        [
            {
                "id": "1",
                "url": "javascript:alert(1)",
                "title": "<img src=x onerror=alert(1)>",
                "content_html": HOSTILE_HTML,
                "image": "data:image/png;base64,AAAA",
            }
        ]
    )
    item = one(data)
    assert not EXECUTABLE.search(item.content_html)
    assert item.link is None and item.thumbnail is None
    assert item.title == "<img src=x onerror=alert(1)>"  # plain text: escaped by templates


def test_summary_is_derived_from_content_when_absent() -> None:
    body = "<p>" + " ".join(["word"] * 100) + "</p>"
    item = one(atom([{"id": "urn:1", "title": "t", "content": body}]))
    assert item.summary_html == "<p>" + " ".join(["word"] * 60) + "…</p>"


# -- helpers ---------------------------------------------------------------------------------


def test_canonical_link() -> None:
    assert canonical_link("HTTP://Example.ORG:80") == "http://example.org/"
    assert canonical_link("https://example.org:8443/a?utm_source=x") == "https://example.org:8443/a"
    assert canonical_link("https://u:p@example.org/a") == "https://u:p@example.org/a"
    assert (
        json.dumps(canonical_link("https://example.org/a?b=1&utm_x=2&c=3"))
        == '"https://example.org/a?b=1&c=3"'
    )


# -- text summaries --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cdata", "shown"),
    [
        ("Ready&nbsp;to ship &amp; tested", "Ready\xa0to ship & tested"),
        ("a &amp;lt;b&amp;gt; tag, decoded once", "a &lt;b&gt; tag, decoded once"),
        ("no entity <here>", "no entity <here>"),
    ],
)
def test_text_summary_in_cdata_decodes_entities_once(cdata: str, shown: str) -> None:
    raw = f'<summary type="text"><![CDATA[{cdata}]]></summary>'
    item = one(atom([{"id": "urn:x:1", "title": "T", "raw": raw}]))
    assert "&amp;nbsp;" not in item.summary_html
    assert html.unescape(re.sub(r"<[^>]+>", "", item.summary_html)) == shown
