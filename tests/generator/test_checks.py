"""`veille check` on the sample site: curation is checked once feeds are cached."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from generator.commands.cli import main


def test_fresh_clone_checks_ok_with_a_warning_then_catches_a_bad_link(sample_site: Path) -> None:
    runner = CliRunner()
    fresh = runner.invoke(main, ["check", "--site", str(sample_site)])
    assert fresh.exit_code == 0, fresh.output
    assert "no feed item is cached yet" in fresh.output
    assert runner.invoke(main, ["fetch", "--site", str(sample_site)]).exit_code == 0
    fetched = runner.invoke(main, ["check", "--site", str(sample_site)])
    assert fetched.exit_code == 0, fetched.output
    assert "warning" not in fetched.output
    curation = sample_site.parent / "content" / "curation.yaml"
    text = curation.read_text()
    curation.write_text(text + "\nhttps://example.org/no-such-item:\n  note: typo\n")
    broken = runner.invoke(main, ["check", "--site", str(sample_site)])
    assert broken.exit_code == 1
    line = len(text.splitlines()) + 2
    assert (
        f"curation.yaml:{line}: https://example.org/no-such-item matches no cached feed item"
        in (broken.output)
    )
