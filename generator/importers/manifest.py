"""What earlier imports wrote: ``.veille/import/manifest.json``, source id → path and hash.

The hash is of the bytes we wrote, so a re-import can tell a post we may update
(unchanged since) from one someone edited (never overwritten).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from generator.atomicfile import write_atomic
from generator.errors import UsageError

VERSION = 1
FILE = "manifest.json"


@dataclass(frozen=True, slots=True)
class Entry:
    """One post an import wrote: its path under the content folder and the hash written."""

    path: str  # POSIX, relative to the content folder: posts/2024/x.md or posts/2024/x/index.md
    sha256: str


def digest(data: bytes) -> str:
    """The hash kept in the manifest."""
    return hashlib.sha256(data).hexdigest()


def load_manifest(state_dir: Path) -> dict[str, Entry]:
    """The entries of earlier imports (none when there was none)."""
    path = state_dir / FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path}: unreadable import manifest ({exc}); move it away") from None
    posts = raw.get("posts", {}) if isinstance(raw, dict) else {}
    return {
        key: Entry(str(value["path"]), str(value["sha256"]))
        for key, value in posts.items()
        if isinstance(value, dict) and "path" in value and "sha256" in value
    }


def manifest_bytes(entries: dict[str, Entry]) -> bytes:
    """The manifest file's bytes, sorted so that an unchanged import rewrites nothing."""
    posts = {k: {"path": e.path, "sha256": e.sha256} for k, e in sorted(entries.items())}
    text = json.dumps({"version": VERSION, "posts": posts}, indent=1, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


def write_if_changed(path: Path, data: bytes) -> bool:
    """Write ``data`` atomically unless the file already holds it; whether it wrote."""
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
    return True
