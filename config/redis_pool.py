"""One Redis connection pool per process for Django's cache (CACHES OPTIONS pool_class).

Django keeps a cache backend object per request context under ASGI (caches is a
context-local), and each RedisCache object opens its own connection pool, so every
request that touched the cache (rate limits, the archive cache) opened a new TCP
connection to Redis and left it to the garbage collector. With this pool class all
those backend objects share one pool per server and options, and connections are
reused across requests. redis-py pools are thread-safe and reset themselves in a
forked child.
"""

import threading

import redis


class SharedConnectionPool(redis.ConnectionPool):
    """redis.ConnectionPool whose from_url returns the process's pool for the same URL and options."""

    _shared: dict = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs) -> "SharedConnectionPool":
        key = (cls, url, repr(sorted(kwargs.items())))
        with cls._lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = cls._shared[key] = super().from_url(url, **kwargs)
            return pool
