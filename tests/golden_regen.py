"""Build the sample site into a golden tree and compare trees (``make golden``).

The golden tree is the sample site built with a fixed ``SOURCE_DATE_EPOCH``
from a private copy (its sample feeds fetched from their local files), minus
Pagefind's generated bundle, whose bytes are Pagefind's, not ours.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "sample"
EPOCH = "1796083200"  # 2026-12-01T00:00:00Z
SKIPPED = ("pagefind/",)


def build_sample(workdir: Path) -> Path:
    """Copy the sample site into ``workdir``, fetch its local feeds, build; the output folder."""
    site = workdir / "site"
    site.mkdir(parents=True)
    shutil.copy2(ROOT / "site.yaml", site / "site.yaml")
    shutil.copytree(ROOT / "content", site / "content")
    if (ROOT / "theme").is_dir():
        shutil.copytree(ROOT / "theme", site / "theme")
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "TZ": "UTC"}
    veille = [sys.executable, "-m", "generator.commands.cli"]
    for args in (["fetch"], ["build", "--out", str(workdir / "public")]):
        subprocess.run([*veille, *args], cwd=site, env=env, check=True, capture_output=True)
    return workdir / "public"


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` by relative POSIX path, Pagefind's bundle left out."""
    files: dict[str, bytes] = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.is_file() and not rel.startswith(SKIPPED):
            files[rel] = path.read_bytes()
    return files


def regenerate(workdir: Path) -> int:
    """Rebuild the golden tree; the number of files written."""
    files = tree(build_sample(workdir))
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for rel, data in files.items():
        target = GOLDEN / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return len(files)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        count = regenerate(Path(tmp))
    print(f"golden tree: {count} files in {GOLDEN.relative_to(ROOT)}")
