"""Newsletter, the send ledger: who already got an edition, durable line by line.

One JSON Lines file per edition, appended and fsynced after every accepted or
refused message, so that a run interrupted at any point resumes without duplicates.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO

from generator import clock


class Ledger:
    """Append-only JSON Lines of outcomes, fsynced per line; the truth about who got what."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[str] | None = None

    def load(self) -> dict[str, str]:
        """Recipient (lowercased) → last outcome, ``sent`` or ``failed``."""
        outcomes: dict[str, str] = {}
        if not self.path.exists():
            return outcomes
        with self.path.open(encoding="utf-8") as handle:
            for raw in handle:
                try:
                    record = json.loads(raw)
                except json.JSONDecodeError:
                    continue  # a line torn by a crash mid-write: that message was not recorded
                outcomes[str(record["email"]).lower()] = str(record["status"])
        return outcomes

    def record(self, email: str, status: str, **detail: object) -> None:
        """Append one outcome and fsync it before the next message goes out."""
        if self._handle is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self.path.open("a", encoding="utf-8")
            if self._handle.tell() and not self.path.read_bytes().endswith(b"\n"):
                self._handle.write("\n")  # never glue a record onto a torn line
        line = {"email": email, "status": status, "at": clock.now().isoformat(), **detail}
        self._handle.write(json.dumps(line, sort_keys=True) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None
