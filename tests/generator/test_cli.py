"""The `veille` command as a user runs it: exit codes, messages, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.commands.cli import main
from tests.conftest import REPO, SiteFactory

INVALID = REPO / "tests" / "data" / "invalid"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1764400000", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "generator.commands.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_prints_one_line_per_problem_and_exits_1() -> None:
    case = INVALID / "unknown-author"
    result = run("check", cwd=case)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    expected = (case / "expected.txt").read_text().strip()
    assert f"error {expected}" in result.stderr
    assert "1 problem found" in result.stderr


def test_build_refuses_bad_content(tmp_path: Path) -> None:
    result = run("build", "--out", str(tmp_path / "out"), cwd=INVALID / "bad-date")
    assert result.returncode == 1
    assert "baddate.md:3: date:" in result.stderr
    assert not (tmp_path / "out").exists()


def test_build_and_check_succeed_on_a_valid_site(make_site: SiteFactory, tmp_path: Path) -> None:
    site = make_site()
    result = run("build", "--site", str(site), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Built 1 item from 0 feeds" in result.stdout
    assert (tmp_path / "out" / "index.html").is_file()
    assert run("check", "--site", str(site), cwd=tmp_path).returncode == 0


def test_wrong_usage_exits_2(tmp_path: Path) -> None:
    result = run("build", "--no-such-option", cwd=tmp_path)
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_missing_site_file_is_a_clear_error(tmp_path: Path) -> None:
    result = run("check", cwd=tmp_path)
    assert result.returncode == 1
    assert "site.yaml: no such file" in result.stderr


def test_new_post_scaffolds_a_valid_draft(
    make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764400000")
    runner = CliRunner()
    first = runner.invoke(main, ["new", "post", "Édition spéciale", "--site", str(site)])
    assert first.exit_code == 0, first.output
    created = site.parent / "content" / "posts" / "2025" / "edition-speciale.md"
    assert created.is_file()
    assert "draft: true" in created.read_text()
    again = runner.invoke(main, ["new", "post", "Édition spéciale", "--site", str(site)])
    assert again.exit_code == 2
    checked = runner.invoke(main, ["check", "--site", str(site)])
    assert checked.exit_code == 0, checked.output


def test_offline_is_a_documented_no_op(make_site: SiteFactory, tmp_path: Path) -> None:
    help_text = CliRunner().invoke(main, ["build", "--help"], terminal_width=200).output
    assert "--offline" in help_text and "No effect, kept for scripts" in help_text
    site = make_site()
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["build", "--site", str(site), "--out", str(out), "--offline"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file()


def test_fetch_reports_a_bad_site_file_like_every_command(tmp_path: Path) -> None:
    (tmp_path / "site.yaml").write_text("title: T\nnot_a_key: 1\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["fetch", "--site", str(tmp_path / "site.yaml")])
    assert result.exit_code == 1
    assert "site.yaml:2: not_a_key:" in result.output and "1 problem found" in result.output
