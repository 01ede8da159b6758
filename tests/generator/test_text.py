"""The text rules every stage shares: plain text, excerpts, truncation, slugs."""

from __future__ import annotations

import re

import pytest

from generator.text import (
    counted,
    excerpt,
    excerpt_html,
    heading_slug,
    item_slug,
    plain_paragraphs,
    plain_text,
    slugify,
    strip_controls,
    truncate_chars,
    truncate_words,
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("", ""),
        ("<p>AT&amp;T <b>rocks</b></p>", "AT&T rocks"),
        ("<p>one</p><p>two</p>", "one two"),
        ("a<br>b", "a b"),
        ("x<script>alert(1)</script>y", "xy"),
        ("<p>a<style>p{}</style><iframe>frame</iframe>b</p>", "ab"),
        ("  spaced \n\t out  ", "spaced out"),
        ("Caf&eacute; &#233;t&eacute;", "Café été"),
        ("&amp;lt;b&amp;gt;", "&lt;b&gt;"),  # decoded once, never twice
        ("ctrl\x01\x02chars", "ctrlchars"),
        ("<p>Caf<em>é</em> <a href='/x'>l'<strong>été</strong></a></p>", "Café l'été"),
        ("<table><tr><td>un</td><td>deux</td></tr></table>", "un deux"),
        ("<ul><li><p>L'été</p><ul><li>à Lyon</li></ul></li></ul>", "L'été à Lyon"),
        ("<p>東京で<b>会議</b>があります</p>", "東京で会議があります"),
    ],
)
def test_plain_text(source: str, expected: str) -> None:
    assert plain_text(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("", ""),
        (
            "<p>Bonjour à tous,\nvoici l'été.</p><p>Deuxième</p>",
            "Bonjour à tous, voici l'été.\n\nDeuxième",
        ),
        ("<ul>\n<li>un</li>\n<li><em>deux</em></li>\n</ul>", "un\n\ndeux"),
        ("<blockquote><p>cité</p></blockquote>après", "cité\n\naprès"),
        ("ligne<br>suivante", "ligne\n\nsuivante"),
        ("<p>a<script>alert(1)</script>b &amp; c</p>", "ab & c"),
        ("<h2>東京</h2><p>会議</p>", "東京\n\n会議"),
    ],
)
def test_plain_paragraphs_keeps_one_paragraph_per_block(source: str, expected: str) -> None:
    assert plain_paragraphs(source) == expected


def test_strip_controls_keeps_newlines_and_tabs() -> None:
    assert strip_controls("a\tb\nc\r\x0bd\x85e\ufffe") == "a\tb\nc\rde"


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("x" * 50, 10, "x" * 9 + "…"),
        ("Les rencontres de l'été à Lyon", 20, "Les rencontres de…"),
        ("Un titre, suivi d'une virgule", 11, "Un titre…"),
        ("東京で会議があります東京で会議があります", 8, "東京で会議があ…"),
    ],
)
def test_truncate_chars_cuts_at_a_word_boundary(text: str, limit: int, expected: str) -> None:
    assert truncate_chars(text, limit) == expected
    assert len(truncate_chars(text, limit)) <= limit


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("", 3, ""),
        ("un deux trois", 3, "un deux trois"),
        ("  un\n deux  ", 3, "un deux"),
        ("un deux trois quatre", 3, "un deux trois…"),
        ("Bonjour, le monde", 1, "Bonjour…"),
        ("un deux; trois", 2, "un deux…"),
        ("Fin de phrase. Suite", 3, "Fin de phrase…"),
        ("quoi ?! encore", 2, "quoi ?!…"),  # only .,;: give way to the ellipsis
        ("東京 で 会議", 2, "東京 で…"),
    ],
)
def test_truncate_words_is_the_one_excerpt_rule(text: str, words: int, expected: str) -> None:
    assert truncate_words(text, words) == expected


@pytest.mark.parametrize(
    ("source", "words", "expected"),
    [
        ("<p>L&rsquo;été, <em>enfin</em>, arrive.</p>", 2, "L’été, enfin…"),
        ("<p>L&rsquo;été, <em>enfin</em>, arrive.</p>", 9, "L’été, enfin, arrive."),
        ("<div><p>un</p><p>deux,</p></div><p>trois</p>", 2, "un deux…"),
        ("<p>x<style>p{}</style></p>", 5, "x"),
    ],
)
def test_excerpt(source: str, words: int, expected: str) -> None:
    assert excerpt(source, words) == expected


@pytest.mark.parametrize(
    ("source", "words", "expected"),
    [
        ("", 5, ""),
        ("<p>   </p>", 5, ""),
        ("<p>Un deux trois</p>", 5, "<p>Un deux trois</p>"),
        ("<p>Un <em>deux</em></p><p>trois quatre</p>", 3, "<p>Un deux trois…</p>"),
        ("<p>Un deux, trois</p>", 2, "<p>Un deux…</p>"),
        ("<p>A &lt;b&gt; &amp; C</p>", 5, "<p>A &lt;b&gt; &amp; C</p>"),
        ("<p>L'été « chaud »</p>", 5, "<p>L'été « chaud »</p>"),
    ],
)
def test_excerpt_html_is_one_escaped_paragraph(source: str, words: int, expected: str) -> None:
    assert excerpt_html(source, words) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ça, c'est l'été ! Déjà 2026", "ca-c-est-l-ete-deja-2026"),
        ("  Hello,   World  ", "hello-world"),
        ("Python & Rust", "python-rust"),
        ("日本語", "item"),
        ("!!!", "item"),
        ("Œuvre", "uvre"),  # NFKD has no ASCII decomposition for Œ
    ],
)
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected


@pytest.mark.parametrize(
    ("text", "max_chars", "expected"),
    [
        ("les rencontres de l'été", 14, "les-rencontres"),
        ("a" * 80, 50, "a" * 50),
        ("日本語", 50, "item"),
    ],
)
def test_slugify_keeps_whole_words_within_a_length(
    text: str, max_chars: int, expected: str
) -> None:
    assert slugify(text, max_chars) == expected


def test_item_slug_is_ascii_stable_and_salted() -> None:
    slug = item_slug("Ça, c'est l'été ! Déjà 2026", "f", "id-1")
    assert re.fullmatch(r"ca-c-est-l-ete-deja-2026-[0-9a-f]{6}", slug)
    assert item_slug("Ça, c'est l'été ! Déjà 2026", "f", "id-1") == slug
    assert item_slug("Ça, c'est l'été ! Déjà 2026", "f", "id-2") != slug
    assert len(item_slug("x", "f", "id-1", salt=1).split("-")[-1]) == 8
    assert item_slug("!!!", "f", "1").startswith("link-")
    assert item_slug("日本語", "f", "1").startswith("link-")
    assert len(item_slug("a" * 80, "f", "1")) == 50 + 7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Les cafés de l'été", "les-cafes-de-lete"),
        ("Python & Rust: 2026", "python-rust-2026"),
    ],
)
def test_heading_slug_matches_python_markdown(text: str, expected: str) -> None:
    assert heading_slug(text) == expected


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "0 meetups"), (1, "1 meetup"), (2, "2 meetups"), (21, "21 meetups")],
)
def test_counts_take_the_english_plural_form(count: int, expected: str) -> None:
    assert counted(count, "meetup") == expected


def test_an_irregular_plural_is_given() -> None:
    assert (counted(1, "person", "people"), counted(3, "person", "people")) == (
        "1 person",
        "3 people",
    )


@pytest.mark.parametrize("words", [1, 3, 50, 51, 52, 400])
def test_excerpt_reads_only_what_it_needs_yet_equals_the_whole_text_rule(words: int) -> None:
    body = "".join(
        f"<h2>Part {i}</h2><p>Caf<em>é</em> &amp; th&eacute; n°{i}, then more words.</p>"
        "<script>never shown</script><pre>code  block</pre>"
        for i in range(300)
    )
    assert excerpt(body, words) == truncate_words(plain_text(body), words)
