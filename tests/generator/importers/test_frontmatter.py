"""Front matter of the static-site dialects, with the lines a user must edit."""

from __future__ import annotations

import pytest

from generator.importers.frontmatter import FrontMatterError, split_front_matter


@pytest.mark.parametrize(
    ("text", "syntax", "title_line", "body_line"),
    [
        ("---\nx: 1\ntitle: A\n---\nbody", "yaml", 3, 5),
        ("+++\nx = 1\ntitle = 'A'\n+++\nbody", "toml", 3, 5),
        ("Date: 2024\nTitle: A\n\nbody", "metadata", 2, 4),
    ],
)
def test_fields_lines_and_body(text: str, syntax: str, title_line: int, body_line: int) -> None:
    meta = split_front_matter(text, metadata_lines=True)
    assert (meta.syntax, meta.data["title"], meta.body) == (syntax, "A", "body")
    assert (meta.line("title"), meta.body_line) == (title_line, body_line)


@pytest.mark.parametrize(
    ("text", "line"),
    [("---\ntitle: A\n---", None), ("+++\na = 1\nb = \n+++\n", 3), ("---\ntitle: A\n", 1)],
)
def test_errors_name_the_line(text: str, line: int | None) -> None:
    if line is None:
        assert split_front_matter(text).data == {"title": "A"}
        return
    with pytest.raises(FrontMatterError) as caught:
        split_front_matter(text)
    assert caught.value.line == line
