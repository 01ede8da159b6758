"""site.yaml validation: every problem at once, with file, line, key and a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.config import load_config, parse_config
from generator.errors import ConfigError


def problems_of(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "site.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return [f"{p.line}: {p.key}: {p.message}" for p in caught.value.problems]


def test_valid_config_resolves_paths_against_its_folder(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: Wall\ntheme: mytheme\nbase_url: https://x.test/w\n")
    config = load_config(tmp_path / "site.yaml")
    assert config.content_path == tmp_path.resolve() / "content"
    assert config.theme_paths[0] == tmp_path.resolve() / "mytheme"
    assert config.base_url == "https://x.test/w/"
    assert config.database_url() == f"sqlite:///{tmp_path.resolve()}/.veille/comments.db"


def test_every_problem_is_reported_at_once_in_line_order(tmp_path: Path) -> None:
    found = problems_of(
        "title: T\n"
        "languag: fr\n"
        "timezone: Mars/Olympus\n"
        "feeds:\n"
        "  - id: a\n"
        "    url: ftp://example.org/feed\n"
        "comments:\n"
        "  identity: closed\n",
        tmp_path,
    )
    assert len(found) == 4
    assert found[0].startswith("2: languag: unknown key (did you mean 'language'?)")
    assert found[1].startswith("3: timezone: unknown time zone")
    assert found[2].startswith("6: feeds[0].url: expected an http(s) URL or a file path")
    assert found[3].startswith("8: comments.identity: Input should be 'open' or 'trusted-header'")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("title: T\nper_page: 0\n", "2: per_page: Input should be greater than or equal to 1"),
        ("description: no title\n", "1: title: required"),
        ("title: T\nbase_url: /relative\n", "2: base_url: expected an absolute http(s) URL"),
        ("title: [unclosed\n", "2: : invalid YAML"),
        ("- a list\n", "1: : expected a mapping of settings"),
        (
            "title: T\nfeeds:\n  - {id: a, url: a.xml}\n  - {id: a, url: b.xml}\n",
            "4: feeds[1].id: duplicate feed id 'a' (first at feeds[0])",
        ),
    ],
)
def test_bad_settings_name_their_line(text: str, expected: str, tmp_path: Path) -> None:
    assert problems_of(text, tmp_path)[0].startswith(expected)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "nope.yaml")


def test_error_message_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config("title: T\nlanguage: de\n", tmp_path / "site.yaml")
    assert str(caught.value).startswith(f"{tmp_path / 'site.yaml'}:2: language:")
