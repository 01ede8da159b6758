"""Helpers for the import tests: run the command, read what it wrote."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner, Result

from generator.commands.cli import main
from generator.sources.content import FrontMatter, split_front_matter

DATA = Path(__file__).resolve().parents[2] / "data" / "import"
NEW_FIELDS = ("image", "contributors", "imported_from")  # accepted by the build with issue 13


def run_import(site: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["import", *args, "--site", str(site)])


def front_matter(path: Path) -> tuple[dict[str, Any], str]:
    raw, body, _ = split_front_matter(path.read_text(encoding="utf-8"))
    return yaml.safe_load(raw), body


def check_front_matter(front: dict[str, Any]) -> None:
    """Valid for today's build apart from the fields issue 13 adds."""
    FrontMatter.model_validate({k: v for k, v in front.items() if k not in NEW_FIELDS})


def post_files(content: Path) -> list[Path]:
    return sorted((content / "posts").rglob("*.md"))


def snapshot(root: Path) -> dict[str, tuple[int, bytes]]:
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file() and "comments.db" not in p.name
    }


_URLS = re.compile(r"""(?:href|src)="([^"]+)\"""")


def local_targets(content: Path) -> list[tuple[Path, str, bool]]:
    """Every local link or image of every post: (post, url, whether it resolves on disk)."""
    found = []
    for post in post_files(content):
        _, body = front_matter(post)
        for url in _URLS.findall(body):
            if url.startswith(("http://", "https://", "mailto:", "#")):
                continue
            if url.startswith("/posts/"):
                year, slug = url.strip("/").split("/")[1:3]
                base = content / "posts" / year
                ok = (base / f"{slug}.md").is_file() or (base / slug / "index.md").is_file()
            else:
                ok = post.name == "index.md" and (post.parent / url.split("#")[0]).is_file()
            found.append((post, url, ok))
    return found
