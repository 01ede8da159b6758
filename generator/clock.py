"""The one source of "now": ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else the clock."""

from __future__ import annotations

import os
from datetime import UTC, datetime


def now() -> datetime:
    """The current time as timezone-aware UTC, pinned by ``SOURCE_DATE_EPOCH`` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=UTC)
        except ValueError:
            raise ValueError(f"SOURCE_DATE_EPOCH must be whole seconds, got {epoch!r}") from None
    return datetime.now(tz=UTC)
