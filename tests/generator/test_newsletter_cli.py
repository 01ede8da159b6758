"""``veille newsletter build`` on a copy of the sample site, and the archive in the full build."""

from __future__ import annotations

import email
import os
import shutil
import stat
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.build import make_wall, render_context
from generator.commands.newsletter import load_newsletter_site, newsletter
from generator.config import load_config
from generator.newsletter.render import render_newsletter_archive

# pygal (imported by the site layout's views) installs a legacy import hook.
pytestmark = pytest.mark.filterwarnings("ignore:PluginImportFixer:ImportWarning")

ROOT = Path(__file__).resolve().parents[2]
WEDNESDAY_W48 = "1795608000"  # 2026-11-25T12:00:00Z, a Wednesday


@pytest.fixture
def sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copy(ROOT / "site.yaml", tmp_path / "site.yaml")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", WEDNESDAY_W48)
    return tmp_path / "site.yaml"


def test_build_writes_the_edition_and_its_archive(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    args = ["build", "--site", str(sample), "--edition", "2026-W48", "--out", str(out)]
    result = CliRunner().invoke(newsletter, args)
    assert result.exit_code == 0, result.output
    assert "Edition 2026-W48: 2 posts, 0 links, 1 meetup, 0 discussed;" in result.output
    folder = out / "newsletter" / "2026-W48"
    assert sorted(p.name for p in folder.iterdir()) == [
        "email.html",
        "email.txt",
        "index.html",
        "message.eml",
    ]
    msg = email.message_from_bytes((folder / "message.eml").read_bytes(), policy=policy.default)
    assert msg.get_content_type() == "multipart/alternative" and msg["To"] is None
    assert "quieter week on the wall" in (folder / "email.txt").read_text(encoding="utf-8")
    assert "2026-W48" in (out / "newsletter" / "index.html").read_text(encoding="utf-8")
    first = (folder / "message.eml").read_bytes()
    assert CliRunner().invoke(newsletter, args).exit_code == 0
    assert (folder / "message.eml").read_bytes() == first  # same inputs, same bytes

    # The full build keeps every edition's pages.
    config = load_config(sample)
    site = load_newsletter_site(config)
    ctx = render_context(site, make_wall(site, config), config, site.posts[0].date)
    files = render_newsletter_archive(ctx)
    assert {f.path for f in files} >= {
        "newsletter/index.html",
        "newsletter/2026-W48/index.html",
        "newsletter/2026-W48/message.eml",
    }


def test_an_empty_period_says_so_and_writes_nothing(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = CliRunner().invoke(
        newsletter, ["build", "--site", str(sample), "--edition", "2020-W01", "--out", str(out)]
    )
    assert result.exit_code == 0
    assert (
        "Nothing new for edition 2020-W01" in result.output and "No email written" in result.output
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--edition", "W48"], 2, "expected an ISO week like 2026-W48"),
        (["--since", "yesterday"], 2, "expected a date like 2026-11-20"),
    ],
)
def test_build_usage_errors(sample: Path, args: list[str], code: int, message: str) -> None:
    result = CliRunner().invoke(newsletter, ["build", "--site", str(sample), *args])
    assert result.exit_code == code
    assert message in result.output


def test_a_bad_intro_is_a_content_error_with_its_line(sample: Path) -> None:
    intro = sample.parent / "content" / "newsletter" / "2026-W48.md"
    intro.write_text("---\nsubject: ok\nauthor: emma\n---\nHello\n", encoding="utf-8")
    result = CliRunner().invoke(
        newsletter, ["build", "--site", str(sample), "--edition", "2026-W48"]
    )
    assert result.exit_code == 1
    assert "2026-W48.md:3: unknown key" in result.output


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o027, 0o640)])
def test_build_writes_files_readable_like_the_rest_of_the_site(
    sample: Path, tmp_path: Path, umask: int, expected: int
) -> None:
    out = tmp_path / "public"
    previous = os.umask(umask)
    try:
        args = ["build", "--site", str(sample), "--edition", "2026-W48", "--out", str(out)]
        result = CliRunner().invoke(newsletter, args)
        site_file = tmp_path / "written-by-open.txt"
        site_file.write_text("x", encoding="utf-8")  # what the site's writer gets
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    files = [p for p in (out / "newsletter").rglob("*") if p.is_file()]
    assert len(files) >= 5
    assert {oct(stat.S_IMODE(p.stat().st_mode)) for p in files} == {oct(expected)}
    assert stat.S_IMODE(site_file.stat().st_mode) == expected
