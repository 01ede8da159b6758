"""Rate limits: per person and per address, 429 with Retry-After; in memory or in Redis."""

from __future__ import annotations

import os
import secrets

import pytest

from comments_api.ratelimit import MemoryRateLimiter, RedisRateLimiter, make_rate_limiter
from tests.comments_api.conftest import THREAD, ApiFactory, assert_error

REDIS_URL = os.environ.get("VEILLE_TEST_REDIS", "redis://127.0.0.1:6379/15")


def test_posts_over_the_limit_are_429_with_retry_after(make_api: ApiFactory) -> None:
    api = make_api(rate_limit_per_minute=2)
    assert api.post("1").status_code == 201
    assert api.post("2").status_code == 201
    answer = api.post("3")
    assert_error(answer, 429, "rate_limited")
    assert 1 <= int(answer.headers["retry-after"]) <= 60


def test_per_person_limit_holds_across_addresses(make_api: ApiFactory) -> None:
    api = make_api(rate_limit_per_minute=1)
    assert api.post("1", email="ada@example.com").status_code == 201
    other = make_api(rate_limit_per_minute=1, peer="127.0.0.7")
    other.app.state.service.limiter = api.app.state.service.limiter  # one shared limiter
    assert_error(other.post("2", email="ada@example.com"), 429)
    assert other.post("3", author_name="Bob").status_code == 201  # a new person, a new address
    assert_error(other.post("4", author_name="Eve"), 429)  # the address is over its limit


def test_zero_turns_the_limit_off(make_api: ApiFactory) -> None:
    api = make_api(rate_limit_per_minute=0)
    assert all(api.post(str(i)).status_code == 201 for i in range(15))


def test_reactions_have_their_own_larger_budget(make_api: ApiFactory) -> None:
    api = make_api(rate_limit_per_minute=1)
    created = api.post("x").json()
    url = f"/api/comments/{created['id']}/reactions"
    statuses = [api.client.post(url, json={"kind": "like"}).status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]


def test_memory_limiter_windows() -> None:
    now = [120.0]
    limiter = MemoryRateLimiter(clock=lambda: now[0])
    assert limiter.hit("k", 2) is None
    assert limiter.hit("k", 2) is None
    assert limiter.hit("k", 2) == 60
    now[0] = 150.5
    assert limiter.hit("k", 2) == 30
    now[0] = 180.0  # next window
    assert limiter.hit("k", 2) is None
    assert limiter.hit("other", 2) is None


@pytest.fixture
def redis_url() -> str:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"Redis is not reachable at {REDIS_URL}: run `bash scripts/system-deps.sh`")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return REDIS_URL


def test_redis_limiter_is_shared_between_instances(redis_url: str) -> None:
    key = f"test:{secrets.token_hex(8)}"
    one, two = RedisRateLimiter(redis_url), RedisRateLimiter(redis_url)
    assert one.hit(key, 2) is None
    assert two.hit(key, 2) is None
    wait = one.hit(key, 2)
    assert wait is not None and 1 <= wait <= 60


def test_redis_limiter_fails_open_when_redis_is_down(caplog: pytest.LogCaptureFixture) -> None:
    limiter = RedisRateLimiter("redis://127.0.0.1:1/0")
    assert limiter.hit("k", 0) is None
    assert "Redis unavailable" in caplog.text


def test_api_with_redis_configured(make_api: ApiFactory, redis_url: str) -> None:
    api = make_api(rate_limit_per_minute=1, redis_url=redis_url)
    assert isinstance(api.app.state.service.limiter, RedisRateLimiter)
    name = f"Person {secrets.token_hex(6)}"
    api.app.state.service.limiter._redis.delete(
        *api.app.state.service.limiter._redis.keys("veille:rl:*127.0.0.1*") or ["none"]
    )
    assert api.post("1", author_name=name).status_code == 201
    assert_error(api.post("2", author_name=name), 429)


def test_factory_picks_memory_without_redis() -> None:
    assert isinstance(make_rate_limiter(None), MemoryRateLimiter)
    assert THREAD
