"""Fixed-window rate limits kept in the cache (Redis in production, atomic INCR).

Without Redis (stopped, unreachable, or its circuit breaker open: config.cache) the
limits are counted in this process instead, each at its rate divided by
RATELIMIT_FALLBACK_PROCESSES (the number of server processes), so that together
the processes still allow no more than the shared limit would. Requests are
neither refused nor failed because the counter store is down; the switch is
logged once each way.
"""

import logging
import threading
import time
from collections.abc import Iterable

import redis
from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

from core.errors import RateLimited

logger = logging.getLogger(__name__)

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/h' → (10, 3600)."""
    count, _, period = rate.partition("/")
    period = period.strip() or "h"
    number = int(period[:-1]) if len(period) > 1 else 1
    return int(count), number * _UNITS[period[-1]]


def hit(scope: str, key: str, rate: str) -> None:
    """Count one hit for (scope, key); raise RateLimited past the rate.

    The window is fixed (aligned to the period), so the retry time is exact.
    """
    hit_many([(scope, key, rate)])


def hit_many(limits: Iterable[tuple[str, str, str]]) -> None:
    """Count one hit on every (scope, key, rate) at once; raise RateLimited if any is past its rate.

    Every counter counts the hit, even when an earlier one is already over (the request is
    refused either way), and the retry time is that of the last window to reopen. On Redis
    all counters cost one round trip (a submission checks two on every request).
    """
    now = int(time.time())
    counters = []  # (cache key, limit, period, window)
    for scope, key, rate in limits:
        limit, period = parse_rate(rate)
        window = now // period
        counters.append((f"rl:{scope}:{key}:{window}", limit, period, window))
    if not counters:
        return
    backend = caches[DEFAULT_CACHE_ALIAS]  # `cache` is a proxy: ask for the backend itself
    counts = None
    if isinstance(backend, RedisCache):
        counts = _count_on_redis(backend, counters)
    else:
        counts = [
            1 if cache.add(cache_key, 1, timeout=period + 5) else cache.incr(cache_key)
            for cache_key, _limit, period, _window in counters
        ]
    if counts is None:
        counts = local_counters.count(counters, now)
        counters = [(key, fallback_limit(limit), period, window) for key, limit, period, window in counters]
    retry_after = [
        (window + 1) * period - now
        for count, (_key, limit, period, window) in zip(counts, counters, strict=True)
        if count > limit
    ]
    if retry_after:
        raise RateLimited(retry_after=max(retry_after))


def _count_on_redis(backend: RedisCache, counters: list[tuple[str, int, int, int]]) -> list[int] | None:
    """The counts after this hit, or None when Redis cannot be reached (the caller counts locally)."""
    breaker = getattr(backend, "breaker", None)  # config.cache.ResilientRedisCache's
    if breaker is not None and not breaker.allow():
        _falling_back(True, "its circuit breaker is open")
        return None
    try:
        counts = _pipeline_counts(backend, counters)
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        if breaker is not None:
            breaker.failure(exc)
        _falling_back(True, str(exc))
        return None
    if breaker is not None:
        breaker.success()
    _falling_back(False)
    return counts


def _pipeline_counts(backend: RedisCache, counters: list[tuple[str, int, int, int]]) -> list[int]:
    """SET NX (with the expiry) then INCR, for each counter, in one pipeline: one round trip in all.

    The keys are the cache's own (prefix, version), and the values plain integers as
    Django's Redis cache stores them, so cache.get/delete see the same counters.
    """
    keys = [backend.make_and_validate_key(cache_key) for cache_key, *_ in counters]
    # Django's RedisCache has no pipeline of its own; its client (writes go to the first server) has.
    client = backend._cache.get_client(keys[0], write=True)  # type: ignore[attr-defined]  # Django internals, on purpose
    pipe = client.pipeline(transaction=False)
    for key, (_cache_key, _limit, period, _window) in zip(keys, counters, strict=True):
        pipe.set(key, 0, ex=period + 5, nx=True)
        pipe.incr(key)
    results = pipe.execute()
    return [int(count) for count in results[1::2]]


# --- Fallback: counters in this process ---------------------------------------------------------

_fallback_state = {"on": False}
_fallback_lock = threading.Lock()


def _falling_back(on: bool, reason: str = "") -> None:
    """Log the switch to (and back from) per-process counting once, not on every request."""
    if _fallback_state["on"] == on:
        return
    with _fallback_lock:
        if _fallback_state["on"] == on:
            return
        _fallback_state["on"] = on
    if on:
        logger.warning(
            "Rate limits are counted in this process (Redis unavailable: %s), at 1/%d of each rate.",
            reason,
            fallback_processes(),
        )
    else:
        logger.info("Rate limits are counted in Redis again.")


def fallback_processes() -> int:
    return max(1, int(getattr(settings, "RATELIMIT_FALLBACK_PROCESSES", 1) or 1))


def fallback_limit(limit: int) -> int:
    """This process's share of a limit while counting alone (at least 1: a limit never becomes a ban)."""
    return max(1, limit // fallback_processes())


class LocalCounters:
    """Fixed-window counters in memory, thread-safe, bounded: expired windows are dropped as time passes."""

    MAX_KEYS = 100_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, float]] = {}  # key → (count, expires at, epoch seconds)
        self._next_prune = 0.0

    def count(self, counters: list[tuple[str, int, int, int]], now: float) -> list[int]:
        with self._lock:
            if now >= self._next_prune or len(self._counts) >= self.MAX_KEYS:
                self._prune(now)
            results = []
            for key, _limit, period, window in counters:
                count, expires = self._counts.get(key, (0, (window + 1) * period))
                self._counts[key] = (count + 1, expires)
                results.append(count + 1)
            return results

    def _prune(self, now: float) -> None:
        self._counts = {key: value for key, value in self._counts.items() if value[1] > now}
        if len(self._counts) >= self.MAX_KEYS:  # a flood of distinct keys: keep the newer half
            keep = sorted(self._counts.items(), key=lambda item: item[1][1])[len(self._counts) // 2 :]
            self._counts = dict(keep)
        self._next_prune = now + 60

    def clear(self) -> None:
        with self._lock:
            self._counts.clear()


local_counters = LocalCounters()
