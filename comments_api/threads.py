"""The published threads: ``threads.json`` written by the build, reloaded when it changes.

Without the file, any absolute path is a thread (and the log says so once).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)


class ThreadRegistry:
    """Answers whether a thread id is an item the site published."""

    def __init__(self, path: Path | None, *, recheck_seconds: float = 1.0) -> None:
        self.path = path
        self._recheck = recheck_seconds
        self._checked = -1e9
        self._mtime: float | None = None
        self._threads: frozenset[str] | None = None
        self._warned = False
        self._lock = threading.Lock()

    def allows(self, thread: str) -> bool:
        if time.monotonic() - self._checked > self._recheck:
            self._refresh()
        threads = self._threads
        return thread.startswith("/") if threads is None else thread in threads

    def _refresh(self) -> None:
        with self._lock:
            self._checked = time.monotonic()
            try:
                mtime = self.path.stat().st_mtime_ns if self.path else None
            except OSError:
                mtime = None
            if mtime is None:
                if not self._warned:
                    log.warning(
                        "no published threads.json%s: accepting any absolute path as a thread",
                        f" at {self.path}" if self.path else "",
                    )
                    self._warned = True
                self._threads, self._mtime = None, None
                return
            if mtime == self._mtime:
                return
            assert self.path is not None
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if not isinstance(data, list) or not all(isinstance(t, str) for t in data):
                    raise ValueError("expected a JSON list of thread paths")
            except (OSError, ValueError) as exc:
                log.error("cannot read %s (keeping the previous list): %s", self.path, exc)
                return
            self._threads, self._mtime, self._warned = frozenset(data), mtime, False
            log.info("loaded %d published threads from %s", len(data), self.path)
