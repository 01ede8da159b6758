"""A build leaves the working tree clean: what it writes beside the site is ignored by git."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize(
    "path",
    [
        "public/index.html",
        ".public.previous/index.html",  # the writer keeps the replaced site beside the output
        ".public.staging/index.html",  # and builds the next one there
        ".veille/comments.db",
    ],
)
def test_build_output_is_ignored(path: str) -> None:
    result = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", "--no-index", "-q", path], check=False
    )
    assert result.returncode == 0, f"git status would list {path} after `make serve`"
