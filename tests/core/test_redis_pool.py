"""Django's Redis cache objects share one connection pool per process (not one per request)."""

from django.core.cache.backends.redis import RedisCache

from core.redis_pool import SharedConnectionPool

OPTIONS = {"pool_class": "core.redis_pool.SharedConnectionPool"}


def test_cache_objects_of_different_requests_share_the_pool():
    first = RedisCache("redis://127.0.0.1:6379/15", {"OPTIONS": OPTIONS})
    second = RedisCache("redis://127.0.0.1:6379/15", {"OPTIONS": OPTIONS})
    pool = first._cache._get_connection_pool(write=True)
    assert isinstance(pool, SharedConnectionPool)
    assert second._cache._get_connection_pool(write=True) is pool


def test_another_server_or_options_get_another_pool():
    pool = SharedConnectionPool.from_url("redis://127.0.0.1:6379/15")
    assert SharedConnectionPool.from_url("redis://127.0.0.1:6379/14") is not pool
    assert SharedConnectionPool.from_url("redis://127.0.0.1:6379/15", socket_timeout=3) is not pool
    assert SharedConnectionPool.from_url("redis://127.0.0.1:6379/15") is pool
