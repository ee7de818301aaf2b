"""Fixed-window rate limits kept in the cache (Redis in production, atomic INCR)."""

import time

from django.core.cache import cache

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
    limit, period = parse_rate(rate)
    now = int(time.time())
    window = now // period
    cache_key = f"rl:{scope}:{key}:{window}"
    added = cache.add(cache_key, 1, timeout=period + 5)
    count = 1 if added else cache.incr(cache_key)
    if count > limit:
        raise RateLimited(retry_after=(window + 1) * period - now)
