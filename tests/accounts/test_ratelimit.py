"""Fixed-window rate limits: enforced in the cache, and on Redis all counters of a request in one round trip."""

import uuid

import pytest
import redis.connection
from django.core.cache import caches

from accounts import ratelimit
from core.errors import RateLimited


@pytest.fixture
def redis_cache(settings, redis_url):
    """The default cache on the real Redis (the suite otherwise uses the in-memory cache), keys of this test only."""
    prefix = f"test-rl-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        }
    }
    backend = caches["default"]
    yield backend
    # Not cache.clear(): that empties the whole Redis DB, which other runs may be using.
    client = backend._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def round_trips(monkeypatch):
    """Count what redis-py writes to its sockets: one call per command, or per pipeline."""
    sent = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    return sent


def test_parse_rate():
    assert ratelimit.parse_rate("10/h") == (10, 3600)
    assert ratelimit.parse_rate("5/2m") == (5, 120)
    assert ratelimit.parse_rate("3") == (3, 3600)


def test_limit_is_enforced_per_key_in_the_local_cache():
    for _ in range(2):
        ratelimit.hit("t", "a", "2/h")
    with pytest.raises(RateLimited) as exc:
        ratelimit.hit("t", "a", "2/h")
    assert 0 < exc.value.retry_after <= 3600
    ratelimit.hit("t", "b", "2/h")  # another key has its own count


@pytest.mark.redis
def test_two_counters_are_one_round_trip_on_redis(redis_cache, round_trips):
    redis_cache.get("warm-up")  # open the connection first: its handshake is not the limiter's
    round_trips.clear()
    ratelimit.hit_many([("ask-email", "a@example.vn", "5/h"), ("ask-ip", "192.0.2.1", "10/h")])
    assert len(round_trips) == 1
    # The counters are the cache's own keys, visible to the cache API.
    window = ratelimit.parse_rate("5/h")[1]
    keys = list(redis_cache._cache.get_client(write=False).scan_iter(f"{redis_cache.key_prefix}:*:rl:ask-*"))
    assert len(keys) == 2
    assert all(redis_cache._cache.get_client(write=False).ttl(k) <= window + 5 for k in keys)


@pytest.mark.redis
def test_limits_on_redis_count_every_hit_and_refuse_past_the_rate(redis_cache):
    for _ in range(2):
        ratelimit.hit_many([("ask-email", "a@example.vn", "2/h"), ("ask-ip", "192.0.2.1", "3/h")])
    with pytest.raises(RateLimited) as exc:
        ratelimit.hit_many([("ask-email", "a@example.vn", "2/h"), ("ask-ip", "192.0.2.1", "3/h")])
    assert 0 < exc.value.retry_after <= 3600
    # The refused request still counted on the address: the next one, from another e-mail, is over too.
    with pytest.raises(RateLimited):
        ratelimit.hit_many([("ask-email", "b@example.vn", "2/h"), ("ask-ip", "192.0.2.1", "3/h")])
    # Another address and e-mail are not affected.
    ratelimit.hit_many([("ask-email", "c@example.vn", "2/h"), ("ask-ip", "192.0.2.2", "3/h")])


@pytest.mark.redis
def test_retry_after_is_that_of_the_longest_window(redis_cache):
    ratelimit.hit_many([("m", "k", "1/m"), ("d", "k", "1/d")])
    with pytest.raises(RateLimited) as exc:
        ratelimit.hit_many([("m", "k", "1/m"), ("d", "k", "1/d")])
    assert exc.value.retry_after > 60
