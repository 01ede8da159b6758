"""The digest of Veille's own code, so caches built by other code are never reused.

Covers every module of the ``generator`` package, subpackages included.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


@cache
def code_digest(root: Path = PACKAGE) -> str:
    """SHA-256 over the relative path and bytes of every ``*.py`` under ``root``, recursively."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
