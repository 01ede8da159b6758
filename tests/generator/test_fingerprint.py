"""The code digest that keys the post and page caches."""

from __future__ import annotations

from pathlib import Path

from generator.fingerprint import PACKAGE, code_digest


def test_a_change_in_a_subpackage_changes_the_code_digest(tmp_path: Path) -> None:
    (tmp_path / "feeds").mkdir()
    module = tmp_path / "feeds" / "ingest.py"
    module.write_text("X = 1\n")
    before = code_digest(tmp_path)
    module.write_text("X = 2\n")
    code_digest.cache_clear()
    assert code_digest(tmp_path) != before


def test_moving_a_module_changes_the_code_digest(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("X = 1\n")
    before = code_digest(tmp_path)
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.py").rename(tmp_path / "sub" / "a.py")
    code_digest.cache_clear()
    assert code_digest(tmp_path) != before


def test_the_digest_covers_the_generator_package() -> None:
    assert PACKAGE.name == "generator"
    assert code_digest() == code_digest(PACKAGE)
