"""The sample site's output, byte for byte, against the reviewed golden tree.

A difference means the output changed: if on purpose, run ``make golden`` and
review the diff of ``tests/golden/`` like code.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.golden_regen import GOLDEN, build_sample, tree


@pytest.mark.slow
def test_the_sample_site_builds_exactly_the_golden_tree(tmp_path: Path) -> None:
    built = tree(build_sample(tmp_path))
    golden = tree(GOLDEN)
    assert golden, "no golden tree: run `make golden`"
    missing = sorted(golden.keys() - built.keys())
    extra = sorted(built.keys() - golden.keys())
    changed = sorted(rel for rel in golden.keys() & built.keys() if golden[rel] != built[rel])
    report = [f"missing: {rel}" for rel in missing] + [f"new: {rel}" for rel in extra]
    for rel in changed[:3]:
        diff = difflib.unified_diff(
            golden[rel].decode("utf-8", "replace").splitlines(),
            built[rel].decode("utf-8", "replace").splitlines(),
            f"golden/{rel}",
            f"built/{rel}",
            lineterm="",
            n=1,
        )
        report.append("\n".join(list(diff)[:40]))
    report += [f"changed: {rel}" for rel in changed[3:]]
    assert not report, "output differs from tests/golden (make golden):\n" + "\n".join(report)
