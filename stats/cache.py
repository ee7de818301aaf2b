"""The statistics cache: one place for the page, its downloads and the API (settings.STATS_CACHE_SECONDS)."""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")


def cached(key: str, build: Callable[[], T]) -> T:
    """`build()` stored under `key` for STATS_CACHE_SECONDS (0: always built, nothing stored).

    Why a cache at all: the rows change only when the periodic refresh runs, and a spike of visitors on one
    page should cost one computation. Figures may lag the refresh by as much.
    """
    seconds = settings.STATS_CACHE_SECONDS
    if seconds <= 0:
        return build()
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, seconds)
    return value
