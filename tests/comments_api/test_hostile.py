"""Hostile bodies are stored safely (rendered harmless) or refused with a JSON error."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest

from comments_api.policy import MAX_DEPTH
from tests.comments_api.conftest import THREAD, Api, ApiFactory, admin_headers, assert_error

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg/onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![img](javascript:alert(1))",
    '![x](https://example.com/x.png" onerror="alert(1))',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="position:fixed">overlay</p>',
    "<form action=/x><input name=a></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "[a](vbscript:msgbox(1))",
    "```\n<script>alert(1)</script>\n```",
    "<<script>script>alert(1)<</script>/script>",
    '"><script>alert(1)</script>',
    "<a href='//evil.example' onclick='steal()'>x</a>",
]

SQL = [
    "'; DROP TABLE comments; --",
    "1 OR 1=1",
    "\\'; DELETE FROM threads WHERE '1'='1",
    "Robert'); DROP TABLE reactions;--",
]


class Inspector(HTMLParser):
    """Collects what would matter to a browser: tags, attributes, URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend((name, value or "") for name, value in attrs)


def assert_harmless(html: str) -> None:
    inspector = Inspector()
    inspector.feed(html)
    assert not {"script", "iframe", "img", "svg", "style", "form", "input", "math"} & set(
        inspector.tags
    ), html
    for name, value in inspector.attributes:
        assert not name.startswith("on"), html
        assert name != "style", html
        if name in ("href", "src"):
            assert value.startswith(("http://", "https://", "mailto:", "/", "#")), html
            assert not value.lower().lstrip().startswith(("javascript", "data", "vbscript"))


def test_xss_in_markdown_and_raw_html_is_neutralised(api: Api) -> None:
    for n, body in enumerate(XSS):  # one server for the whole list: cheaper than parametrize
        thread = f"/posts/xss-{n}/"
        answer = api.post(body, author_name='<b onmouseover="alert(1)">Mallory</b>', thread=thread)
        assert answer.status_code == 201, (body, answer.text)
        assert_harmless(answer.json()["html"])
        listed = api.listing(thread)[-1]
        assert_harmless(listed["html"])
        assert (
            listed["author"] == '<b onmouseover="alert(1)">Mallory</b>'
        )  # text: the widget escapes


def test_sql_shaped_strings_are_stored_as_text(api: Api) -> None:
    thread = "/posts/x';DROP%20TABLE%20threads;--/"
    for body in SQL:
        created = api.post(body, author_name=body, thread=thread).json()
        assert api.listing(thread)[-1]["id"] == created["id"]
    export = api.client.get("/api/export", headers=admin_headers()).text
    for body in SQL:
        assert json.dumps(body)[1:-1] in export
    counts = api.client.get("/api/counts", params={"thread": ["/posts/x'OR'1'='1/", thread]}).json()
    assert counts == {"/posts/x'OR'1'='1/": 0, thread: len(SQL)}


def test_control_characters_and_nul_are_dropped(api: Api) -> None:
    created = api.post("a\x00b\r\nc", author_name="Na\x00me\x1b").json()
    assert created["author"] == "Name"
    assert created["html"] == "<p>ab\nc</p>"


@pytest.mark.parametrize(
    "raw",
    [
        b'{"body": "\\ud800", "author_name": "x"}',
        b'{"body": "\xc3\x28", "author_name": "x"}',
        b'{"body": "\xff", "author_name": "x"}',
    ],
)
def test_invalid_unicode_is_refused(api: Api, raw: bytes) -> None:
    answer = api.client.post(
        "/api/comments",
        params={"thread": THREAD},
        content=raw,
        headers={"content-type": "application/json"},
    )
    assert_error(answer, answer.status_code)
    assert answer.status_code in (400, 422)
    assert api.listing() == []


def test_invalid_utf8_in_a_form_is_400(api: Api) -> None:
    answer = api.client.post(
        "/api/comments",
        params={"thread": THREAD},
        content=b"body=%ff%fe&author_name=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert_error(answer, 400, "bad_request")


def test_unicode_is_kept(api: Api) -> None:
    created = api.post("Ça marche 🎉 — 日本語 مرحبا", author_name="Zoë 🦊").json()
    assert created["html"] == "<p>Ça marche 🎉 — 日本語 مرحبا</p>"
    assert api.listing()[0]["author"] == "Zoë 🦊"


def test_deeply_nested_replies_stop_at_the_limit(api: Api) -> None:
    parent = None
    for depth in range(MAX_DEPTH + 1):
        answer = api.post(f"level {depth}", parent=parent)
        assert answer.status_code == 201, (depth, answer.text)
        parent = answer.json()["id"]
    assert_error(api.post("too deep", parent=parent), 422, "validation_error")
    assert len(api.listing()) == MAX_DEPTH + 1


def test_pathological_markdown_renders_quickly(api: Api) -> None:
    import time

    bodies = ["> " * 2000 + "x", "*" * 4000, "[" * 2000 + "]" * 2000, "- " * 1000 + "x", "`" * 4000]
    start = time.monotonic()
    for body in bodies:
        answer = api.post(body)
        assert answer.status_code == 201
        assert_harmless(answer.json()["html"])
    assert time.monotonic() - start < 20


BAD_THREADS = [
    {"thread": "relative/path"},
    {"thread": "/with space/"},
    {"thread": "/x/" + "a" * 600},
    {"thread": "/tab\there/"},
    {},
]
BAD_FIELDS = [
    {"body": 5, "author_name": "a"},
    {"body": ["x"], "author_name": "a"},
    {"body": "x", "author_name": "a" * 101},
    {"body": "x", "author_name": "a", "parent": -1},
    {"body": "x", "author_name": "a", "parent": 2**40},
    {"body": "x", "author_name": "a", "parent": "one"},
    {"body": "x", "author_name": "a", "email": "x" * 400},
    {"body": "   \n\t", "author_name": "a"},
    {"author_name": "a"},
]


def test_bad_thread_ids_are_422(api: Api) -> None:
    for params in BAD_THREADS:
        assert_error(api.client.get("/api/comments", params=params), 422, "validation_error")
        answer = api.client.post(
            "/api/comments", params=params, json={"body": "x", "author_name": "a"}
        )
        assert_error(answer, 422)


def test_invalid_fields_are_422(api: Api) -> None:
    for payload in BAD_FIELDS:
        answer = api.client.post("/api/comments", params={"thread": THREAD}, json=payload)
        assert_error(answer, 422, "validation_error")


def test_threads_limited_to_the_published_list(make_api: ApiFactory) -> None:
    api = make_api(threads=[THREAD])
    assert api.post("ok").status_code == 201
    assert_error(api.post("no", thread="/posts/unpublished/"), 404, "not_found")
    assert_error(api.client.get("/api/comments", params={"thread": "/nope/"}), 404)
