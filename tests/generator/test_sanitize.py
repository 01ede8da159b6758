"""The shared allowlist sanitiser: nothing executable survives, useful markup does."""

from __future__ import annotations

import re

import pytest

from generator.sanitize import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    COMMENT,
    EMAIL,
    WALL,
    Profile,
    narrow,
    safe_url,
    sanitize_html,
)

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '<a href=" JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<a href="vbscript:msgbox(1)">x</a>',
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)><circle/></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<iframe src="https://evil.example/"></iframe>',
    '<object data="x.swf"></object><embed src="x.swf">',
    '<form action="https://evil.example/"><input name=password><button>Go</button></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<link rel=stylesheet href="https://evil.example/x.css">',
    '<div onmouseover="alert(1)">hover</div>',
    "<details open ontoggle=alert(1)>x</details>",
    "<template><script>alert(1)</script></template>",
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<a href="https://ok.example/" target="_blank" id="comments">x</a>',
    "<!--<script>alert(1)</script>-->",
    '<img src="https://ok.example/a.png" srcset="javascript:alert(1) 1x">',
]
EXECUTABLE = re.compile(
    r"<\s*(script|style|iframe|object|embed|svg|math|form|input|button|meta|base|link|template)"
    r"|\son[a-z]+\s*=|javascript:|vbscript:|data:|\sstyle\s*=|\sid\s*=|\starget\s*=",
    re.IGNORECASE,
)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_nothing_executable_survives(hostile: str) -> None:
    cleaned = sanitize_html(hostile, "https://feed.example/")
    assert not EXECUTABLE.search(cleaned), cleaned


REL = ' rel="noopener noreferrer"'
BLOG = "https://feed.example/blog/"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello <strong>world</strong></p>", "<p>Hello <strong>world</strong></p>"),
        ('<a href="/a">x</a>', f'<a href="https://feed.example/a"{REL}>x</a>'),
        ('<a href="b">x</a>', f'<a href="{BLOG}b"{REL}>x</a>'),
        ('<img src="i.png" alt="A">', f'<img src="{BLOG}i.png" alt="A">'),
        ('<a href="mailto:a@example.org">m</a>', f'<a href="mailto:a@example.org"{REL}>m</a>'),
        ('<a href="#s">s</a>', f'<a href="#s"{REL}>s</a>'),
        (
            '<pre><code class="language-python evil-class">x</code></pre>',
            '<pre><code class="language-python">x</code></pre>',
        ),
        (
            "<table><tr><td colspan=2>x</td></tr></table>",
            '<table><tbody><tr><td colspan="2">x</td></tr></tbody></table>',
        ),
        ("a\x00b\x07c\x1bd", "abcd"),
    ],
)
def test_useful_markup_is_kept_and_urls_resolved(source: str, expected: str) -> None:
    assert sanitize_html(source, "https://feed.example/blog/feed.xml") == expected


def test_without_a_base_relative_urls_stay_relative() -> None:
    cleaned = sanitize_html('<a href="/posts/2026/x/">x</a>')
    assert cleaned == '<a href="/posts/2026/x/" rel="noopener noreferrer">x</a>'


def test_empty_input() -> None:
    assert sanitize_html("") == ""


@pytest.mark.parametrize(
    ("url", "base", "expected"),
    [
        ("https://a.example/x", None, "https://a.example/x"),
        ("/x", "http://b.example/feed", "http://b.example/x"),
        ("urn:uuid:1234", None, None),
        ("javascript:alert(1)", "https://b.example/", None),
        ("data:text/html,x", None, None),
        ("ftp://a.example/x", None, None),
        ("https://", None, None),
        ("", None, None),
        (None, None, None),
        ("http://[bad", None, None),
    ],
)
def test_safe_url(url: str | None, base: str | None, expected: str | None) -> None:
    assert safe_url(url, base) == expected


@pytest.mark.parametrize("profile", [WALL, EMAIL, COMMENT], ids=lambda p: p.name)
def test_a_profile_narrows_the_one_allowlist(profile: Profile) -> None:
    assert profile.tags <= ALLOWED_TAGS
    for tag, names in profile.attributes:
        assert names <= ALLOWED_ATTRIBUTES.get(tag, set())
    assert narrow("x", {"script", "p"}, {"p": {"onclick"}}, None).tags == {"p"}


@pytest.mark.parametrize("profile", [WALL, EMAIL, COMMENT], ids=lambda p: p.name)
@pytest.mark.parametrize("source", HOSTILE)
def test_no_profile_lets_hostile_markup_through(profile: Profile, source: str) -> None:
    cleaned = sanitize_html(source, "https://veille.example.org/", profile)
    assert not EXECUTABLE.search(cleaned), cleaned


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            '<p><a href="/posts/x/">l\'été</a></p>',
            '<p><a href="https://v.example/posts/x/">l\'été</a></p>',
        ),
        ('<a href="#s">s</a>', '<a href="https://v.example/#s">s</a>'),
        ('<a href="mailto:a@example.org">m</a>', '<a href="mailto:a@example.org">m</a>'),
        ('<h2>Titre</h2><img src="/i.png"><table><tr><td>x</td></tr></table>', "Titrex"),
        ('<a href="ftp://x.example/">f</a>', "<a>f</a>"),
    ],
)
def test_email_profile_keeps_inline_text_with_absolute_links(source: str, expected: str) -> None:
    assert sanitize_html(source, "https://v.example/", EMAIL) == expected


def test_comment_profile_marks_links_as_user_generated() -> None:
    cleaned = sanitize_html('<p><a href="https://x.example/" class="btn">x</a></p>', None, COMMENT)
    assert (
        cleaned
        == '<p><a href="https://x.example/" rel="nofollow noopener noreferrer ugc">x</a></p>'
    )
