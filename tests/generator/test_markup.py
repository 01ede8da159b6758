"""Both Markdown engines: tables, fenced code, raw HTML, headings shifted to h2 with ids."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from generator.markup import ENGINES, Engine, MarkdownRenderer, Use, engine_version

DOC = """# Title & more

Intro with *emphasis* and <span class="raw">raw HTML</span>.

## Details

| name | value |
|------|-------|
| a    | 1     |

```python
print("hi")
```

## Details

### Deeper
"""


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(fragment: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(fragment)
    return parser.tags


@pytest.fixture(params=ENGINES)
def render(request: pytest.FixtureRequest) -> MarkdownRenderer:
    engine: Engine = request.param
    return MarkdownRenderer(engine)


def test_headings_start_at_h2_with_unique_ids(render: MarkdownRenderer) -> None:
    headings = [(t, a.get("id")) for t, a in _tags(render(DOC)) if t[0] == "h" and t[1:].isdigit()]
    assert headings == [
        ("h2", "title-more"),
        ("h3", "details"),
        ("h3", "details_1"),
        ("h4", "deeper"),
    ]


def test_headings_already_below_h2_are_kept(render: MarkdownRenderer) -> None:
    tags = [t for t, _ in _tags(render("### Three\n\n#### Four\n"))]
    assert tags == ["h3", "h4"]


def test_tables_code_and_raw_html(render: MarkdownRenderer) -> None:
    out = render(DOC)
    tags = _tags(out)
    names = [t for t, _ in tags]
    assert {"table", "thead", "tbody", "th", "td"} <= set(names)
    assert ("code", {"class": "language-python"}) in tags
    assert "print(&quot;hi&quot;)" in out
    assert '<span class="raw">raw HTML</span>' in out


def test_one_document_does_not_leak_into_the_next(render: MarkdownRenderer) -> None:
    render("# Same\n\n# Same\n")
    ids = [a.get("id") for t, a in _tags(render("# Same\n")) if t == "h2"]
    assert ids == ["same"]


def test_both_engines_agree_on_plain_prose() -> None:
    text = "# Hello\n\nA paragraph with **bold** text.\n\n- one\n- two\n"
    outs = {e: [t for t in _tags(MarkdownRenderer(e)(text))] for e in ENGINES}
    assert outs["python-markdown"] == outs["cmarkgfm"]


def test_engine_version_names_the_library() -> None:
    assert engine_version("python-markdown").startswith("python-markdown ")
    assert engine_version("cmarkgfm").startswith("cmarkgfm ")


@pytest.mark.parametrize(
    ("use", "expected"),
    [
        ("post", '<p>Salut <b>gras</b><script>x()</script> <a href="/p/">l’été</a></p>'),
        ("note", '<p>Salut <b>gras</b> <a href="/p/" rel="noopener noreferrer">l’été</a></p>'),
        ("intro", '<p>Salut <b>gras</b> <a href="https://v.example/p/">l’été</a></p>'),
        (
            "comment",
            "<p>Salut &lt;b&gt;gras&lt;/b&gt;&lt;script&gt;x()&lt;/script&gt; "
            '<a href="/p/" rel="nofollow noopener noreferrer ugc">l’été</a></p>',
        ),
    ],
)
def test_one_facade_each_use_with_its_allowlist(use: Use, expected: str) -> None:
    base = "https://v.example/" if use == "intro" else None
    text = "Salut <b>gras</b><script>x()</script> [l’été](/p/)"
    assert MarkdownRenderer(use=use, base_url=base)(text) == expected


@pytest.mark.parametrize("use", ["note", "intro"])
def test_notes_and_intros_read_the_same_markdown(use: Use) -> None:
    render = MarkdownRenderer(use=use, base_url="https://v.example/")
    table = render("| Ville | Date |\n|---|---|\n| Lyon | été |")
    lists = render("1. un\n\n* deux")  # sane_lists: a bullet after a number starts a list
    if use == "note":  # the email profile keeps no tables; the wall's does
        assert "<table>" in table and "<td>Lyon</td>" in table
    assert lists.count("</ol>") == 1 and lists.count("</ul>") == 1
