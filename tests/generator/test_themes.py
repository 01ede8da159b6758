"""A site theme's broken template: one line naming the file and line, nothing published."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.commands.cli import main
from tests.conftest import SiteFactory, post_text

BROKEN = {
    "undefined": (
        '{% extends "default:item.html" %}{% block main %}{{ item.nope }}{% endblock %}\n',
        "theme/templates/item.html:1: 'item' has no attribute 'nope'",
    ),
    "undefined-deeper": (
        '{% extends "default:item.html" %}\n{% block main %}\n<p>{{ item["nope"] }}</p>\n'
        "{% endblock %}\n",
        "theme/templates/item.html:3: 'item' has no attribute 'nope'",
    ),
    "syntax": (
        '{% extends "default:item.html" %}\n{% block main %}{% if %}{% endif %}{% endblock %}\n',
        "theme/templates/item.html:2: Expected an expression, got 'end of statement block'",
    ),
    "missing-parent": (
        '{% extends "default:no-such.html" %}\n',
        "theme/templates/item.html:1: template not found: default:no-such.html",
    ),
}


def _themed_site(make_site: SiteFactory) -> Path:
    site = make_site(theme="theme")
    (site.parent / "theme" / "templates").mkdir(parents=True)
    return site


def _tree(folder: Path) -> dict[str, bytes]:
    """Every file a user sees (the parsed-post cache under ``.veille/`` aside)."""
    files = (p for p in folder.rglob("*") if p.is_file())
    return {str(p.relative_to(folder)): p.read_bytes() for p in files if ".veille" not in p.parts}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_build_names_the_template_line_and_keeps_the_previous_site(
    make_site: SiteFactory, case: str
) -> None:
    site = _themed_site(make_site)
    runner = CliRunner()
    good = runner.invoke(main, ["build", "--site", str(site)])
    assert good.exit_code == 0, good.output
    before = _tree(site.parent / "public")
    template, expected = BROKEN[case]
    (site.parent / "theme" / "templates" / "item.html").write_text(template)

    result = runner.invoke(main, ["build", "--site", str(site)])

    assert result.exit_code == 1
    assert result.output.splitlines() == [f"error {expected}"]
    assert _tree(site.parent / "public") == before


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_check_renders_every_template_and_writes_nothing(make_site: SiteFactory, case: str) -> None:
    site = _themed_site(make_site)
    template, expected = BROKEN[case]
    (site.parent / "theme" / "templates" / "item.html").write_text(template)
    before = _tree(site.parent)

    result = CliRunner().invoke(main, ["check", "--site", str(site)])

    assert result.exit_code == 1
    assert result.output.splitlines() == [f"error {expected}"]
    assert _tree(site.parent) == before


def test_a_template_error_in_the_default_theme_names_it(make_site: SiteFactory) -> None:
    site = _themed_site(make_site)
    (site.parent / "theme" / "templates" / "_card.html").write_text("{{ item.title|nope }}\n")
    result = CliRunner().invoke(main, ["build", "--site", str(site)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "error theme/templates/_card.html:1: No filter named 'nope'."
    ]


def test_check_counts_the_wall_as_the_build_publishes_it(make_site: SiteFactory) -> None:
    draft = {"title": "Later", "date": "2026-11-03T10:00", "author": "ada", "draft": True}
    site = make_site(
        posts={
            "2026/first.md": post_text(
                {"title": "First", "date": "2026-11-02T10:00", "author": "ada"}
            ),
            "2026/later.md": post_text(draft),
        }
    )
    runner = CliRunner()
    check = runner.invoke(main, ["check", "--site", str(site)])
    build = runner.invoke(main, ["build", "--site", str(site)])
    assert check.exit_code == 0, check.output
    assert "OK: 1 post, 2 people, 2 communities, 1 item on the wall, 1 draft" in check.output
    assert build.output.startswith("Built 1 item from 0 feeds:")
