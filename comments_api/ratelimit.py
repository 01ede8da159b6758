"""Rate limits: fixed one-minute windows per key, in memory or shared through Redis.

``hit`` counts one event and answers how many seconds to wait when over the limit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

log = logging.getLogger(__name__)


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window: int = 60) -> int | None:
        """Count an event for ``key``; None if allowed, else seconds until it would be."""


class MemoryRateLimiter:
    """Per-process counters: right for one server process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._now = clock
        self._counts: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()
        self._pruned = 0

    def hit(self, key: str, limit: int, window: int = 60) -> int | None:
        now = self._now()
        slot = int(now // window)
        with self._lock:
            if slot != self._pruned:
                self._counts = {k: v for k, v in self._counts.items() if v[0] >= slot}
                self._pruned = slot
            seen_slot, count = self._counts.get(key, (slot, 0))
            count = count + 1 if seen_slot == slot else 1
            self._counts[key] = (slot, count)
        if count > limit:
            return max(1, int((slot + 1) * window - now + 0.999))
        return None


class RedisRateLimiter:
    """Counters in Redis, shared by every worker; fails open (with a warning) if Redis is down."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._redis_error = redis.RedisError

    def hit(self, key: str, limit: int, window: int = 60) -> int | None:
        now = time.time()
        slot = int(now // window)
        name = f"veille:rl:{key}:{slot}"
        try:
            pipe = self._redis.pipeline()
            pipe.incr(name)
            pipe.expire(name, window + 1)
            count = int(pipe.execute()[0])
        except self._redis_error as exc:
            log.warning("rate limiter: Redis unavailable, not limiting: %s", exc)
            return None
        if count > limit:
            return max(1, int((slot + 1) * window - now + 0.999))
        return None


def make_rate_limiter(redis_url: str | None) -> RateLimiter:
    return RedisRateLimiter(redis_url) if redis_url else MemoryRateLimiter()
