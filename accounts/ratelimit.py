"""Fixed-window rate limits kept in the cache (Redis in production, atomic INCR)."""

import time
from collections.abc import Iterable

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches
from django.core.cache.backends.redis import RedisCache

from .errors import RateLimited

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
    if isinstance(backend, RedisCache):
        counts = _count_on_redis(backend, counters)
    else:
        counts = [
            1 if cache.add(cache_key, 1, timeout=period + 5) else cache.incr(cache_key)
            for cache_key, _limit, period, _window in counters
        ]
    retry_after = [
        (window + 1) * period - now
        for count, (_key, limit, period, window) in zip(counts, counters, strict=True)
        if count > limit
    ]
    if retry_after:
        raise RateLimited(retry_after=max(retry_after))


def _count_on_redis(backend: RedisCache, counters: list[tuple[str, int, int, int]]) -> list[int]:
    """SET NX (with the expiry) then INCR, for each counter, in one pipeline: one round trip in all.

    The keys are the cache's own (prefix, version), and the values plain integers as
    Django's Redis cache stores them, so cache.get/delete see the same counters.
    """
    keys = [backend.make_and_validate_key(cache_key) for cache_key, *_ in counters]
    # Django's RedisCache has no pipeline of its own; its client (writes go to the first server) has.
    client = backend._cache.get_client(keys[0], write=True)
    pipe = client.pipeline(transaction=False)
    for key, (_cache_key, _limit, period, _window) in zip(keys, counters, strict=True):
        pipe.set(key, 0, ex=period + 5, nx=True)
        pipe.incr(key)
    results = pipe.execute()
    return [int(count) for count in results[1::2]]
