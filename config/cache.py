"""Django's Redis cache, degraded to "always a miss" while Redis cannot be reached.

Everything the project keeps in the cache can be rebuilt or skipped: archive
pages (rendered again), view counts (a few lost), login blocks and rate-limit
counters (accounts.ratelimit falls back to per-process counters). So a cache
call that cannot reach Redis answers as if the key were missing, instead of
raising into the request:

- get → the default, get_many → {}, has_key → False; add, set, touch, delete
  → nothing stored (False / every key of set_many reported as failed);
- incr/decr → CacheUnavailable, a ValueError: what incr raises for a missing
  key, which every caller already handles.

A per-process circuit breaker (config.resilience) skips Redis for a few seconds
after a failure, so only one request per period waits for a dead server, and
redis-py's own retries (about 9 s of back-off by default) are cut to one
immediate retry with short socket timeouts. When Redis answers again the archive
generation is bumped once (qa.cache), since invalidations made during the outage
were lost.
"""

import logging
import threading
from collections.abc import Callable
from typing import Any, TypeVar

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.redis_pool import client_for_pool

from .resilience import CircuitBreaker

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Errors that mean "Redis cannot be reached now" (BusyLoadingError, a restarting server, is a ConnectionError).
UNAVAILABLE = (redis.ConnectionError, redis.TimeoutError)
# One immediate retry: a pooled connection that died with a restarted server is replaced at once.
FAST_RETRY = Retry(NoBackoff(), 1)
DEFAULT_OPTIONS = {"socket_connect_timeout": 1.0, "socket_timeout": 2.0, "retry": FAST_RETRY}
BREAKER_SECONDS = 5.0


class CacheUnavailable(ValueError):
    """incr/decr could not reach the cache (a ValueError: callers treat it as a missing key)."""


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def _archive_changed_meanwhile() -> None:
    from qa.cache import bump_generation

    bump_generation()


def breaker_for(location: str, open_seconds: float = BREAKER_SECONDS) -> CircuitBreaker:
    """One breaker per Redis location and process, shared by every backend object (one per request under ASGI)."""
    with _breakers_lock:
        breaker = _breakers.get(location)
        if breaker is None:
            breaker = _breakers[location] = CircuitBreaker(
                f"Redis cache ({location.rsplit('@', 1)[-1]})",
                open_seconds=open_seconds,
                on_recover=_archive_changed_meanwhile,
            )
        return breaker


class SharedClientRedisCacheClient(RedisCacheClient):
    """Django's cache client without a new redis.Redis per call: one per (shared) pool and process."""

    def get_client(self, key=None, *, write=False) -> redis.Redis:
        return client_for_pool(self._get_connection_pool(write), self._client)


class ResilientRedisCache(RedisCache):
    """RedisCache whose calls fail soft (see the module docstring). OPTIONS as for RedisCache, plus
    BREAKER_SECONDS (how long to skip Redis after a failure)."""

    def __init__(self, server, params) -> None:
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        open_seconds = float(options.pop("BREAKER_SECONDS", BREAKER_SECONDS))
        params["OPTIONS"] = {**DEFAULT_OPTIONS, **options}
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
        self.breaker = breaker_for(",".join(self._servers), open_seconds)

    def guarded(self, call: Callable[[], T], fallback: Callable[[], T]) -> T:
        """`call()` unless Redis is known to be down or fails now; then `fallback()`."""
        if not self.breaker.allow():
            return fallback()
        try:
            result = call()
        except UNAVAILABLE as exc:
            self.breaker.failure(exc)
            return fallback()
        self.breaker.success()
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self.guarded(lambda: super(ResilientRedisCache, self).add(key, value, timeout, version), _false)

    def get(self, key, default=None, version=None) -> Any:
        return self.guarded(lambda: super(ResilientRedisCache, self).get(key, default, version), lambda: default)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        self.guarded(lambda: super(ResilientRedisCache, self).set(key, value, timeout, version), _none)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        return self.guarded(lambda: super(ResilientRedisCache, self).touch(key, timeout, version), _false)

    def delete(self, key, version=None) -> bool:
        return self.guarded(lambda: super(ResilientRedisCache, self).delete(key, version), _false)

    def get_many(self, keys, version=None) -> dict:
        return self.guarded(lambda: super(ResilientRedisCache, self).get_many(keys, version), dict)

    def has_key(self, key, version=None) -> bool:
        return self.guarded(lambda: super(ResilientRedisCache, self).has_key(key, version), _false)

    def incr(self, key, delta=1, version=None) -> int:
        def unavailable() -> int:
            raise CacheUnavailable(f"cache unavailable: {key!r} not incremented")

        return self.guarded(lambda: super(ResilientRedisCache, self).incr(key, delta, version), unavailable)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        return self.guarded(
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version), lambda: list(data)
        )

    def delete_many(self, keys, version=None) -> None:
        self.guarded(lambda: super(ResilientRedisCache, self).delete_many(keys, version), _none)

    def clear(self) -> None:
        self.guarded(lambda: super(ResilientRedisCache, self).clear(), _none)


def _false() -> bool:
    return False


def _none() -> None:
    return None
