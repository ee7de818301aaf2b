"""The circuit breaker and the Redis cache that degrades to misses (config.resilience, config.cache)."""

import logging
import socket
import threading
import time
import uuid

import pytest
import redis.connection
from django.core.cache import caches
from django.test import Client

from config import cache as resilient
from config.resilience import CircuitBreaker
from qa import cache as archive_cache
from tests.factories import PublishedQuestionFactory


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def dead_redis_url() -> str:
    """A port nothing listens on (bound and released: connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def connects(monkeypatch):
    """Count connection attempts redis-py makes."""
    attempts = []
    original = redis.connection.AbstractConnection.connect

    def counting(self, *args, **kwargs):
        attempts.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "connect", counting)
    return attempts


@pytest.fixture
def dead_cache(settings):
    """The default cache on a Redis that is not there, with a breaker of its own."""
    url = dead_redis_url()
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "t",
            "OPTIONS": {"pool_class": "core.redis_pool.SharedConnectionPool"},
        }
    }
    backend = caches["default"]
    yield backend
    resilient._breakers.pop(url, None)


# --- The breaker ------------------------------------------------------------------------------------


def test_breaker_opens_on_failure_skips_then_lets_one_trial_through(caplog):
    clock = FakeClock()
    breaker = CircuitBreaker("Test service", open_seconds=5, clock=clock)
    assert breaker.allow()

    with caplog.at_level(logging.INFO, logger="config.resilience"):
        breaker.failure(ConnectionError("refused"))
        assert breaker.is_open
        assert not breaker.allow()
        clock.now += 4.9
        assert not breaker.allow()
        clock.now += 0.2
        assert breaker.allow()  # the trial
        assert not breaker.allow()  # only one at a time
        breaker.failure(ConnectionError("still refused"))  # the trial failed: open for another period
        assert not breaker.allow()
        clock.now += 5.1
        assert breaker.allow()
        breaker.success()
    assert breaker.allow() and not breaker.is_open
    messages = [r.getMessage() for r in caplog.records]
    # Logged once per change of state, not per failure.
    assert len(messages) == 2
    assert "Test service is unavailable (refused)" in messages[0]
    assert caplog.records[0].levelno == logging.WARNING
    assert "Test service is available again" in messages[1]
    assert (breaker.failures, breaker.opened) == (2, 1)


def test_a_hung_trial_does_not_keep_the_breaker_shut_for_ever():
    clock = FakeClock()
    breaker = CircuitBreaker("Test service", open_seconds=5, clock=clock)
    breaker.failure(ConnectionError())
    clock.now += 5
    assert breaker.allow()  # a trial that never reports back
    clock.now += 4
    assert not breaker.allow()
    clock.now += 1
    assert breaker.allow()  # another trial after a whole period


def test_recovery_hook_runs_once_and_its_failure_is_contained():
    calls = []
    breaker = CircuitBreaker("Test service", open_seconds=0, on_recover=lambda: calls.append(1) or 1 / 0)
    breaker.success()  # closed already: nothing to recover from
    breaker.failure(ConnectionError())
    breaker.success()
    breaker.success()
    assert calls == [1]


def test_only_one_of_many_threads_tries_while_open():
    breaker = CircuitBreaker("Test service", open_seconds=0.05)
    breaker.failure(ConnectionError())
    time.sleep(0.06)
    allowed = []
    barrier = threading.Barrier(8)

    def ask():
        barrier.wait()
        allowed.append(breaker.allow())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(allowed) == [False] * 7 + [True]


# --- The cache ------------------------------------------------------------------------------------------


def test_a_dead_redis_reads_as_misses_quickly_and_is_then_skipped(dead_cache, connects):
    started = time.monotonic()
    assert dead_cache.get("k", "default") == "default"
    first = time.monotonic() - started
    assert first < 1.0  # not redis-py's default ~9 s of back-off
    assert len(connects) == 1  # one request paid (connect retries once inside, at once)
    assert dead_cache.breaker.is_open

    connects.clear()
    assert dead_cache.get_many(["a", "b"]) == {}
    assert dead_cache.add("k", 1) is False
    assert dead_cache.set("k", 1) is None
    assert dead_cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert dead_cache.has_key("k") is False
    assert dead_cache.delete("k") is False
    assert dead_cache.touch("k") is False
    dead_cache.delete_many(["a"])
    dead_cache.clear()
    with pytest.raises(ValueError, match="cache unavailable"):  # what incr raises for a missing key
        dead_cache.incr("k")
    assert isinstance(resilient.CacheUnavailable("x"), ValueError)
    assert connects == []  # the breaker is open: Redis was not tried again


def test_every_backend_object_of_a_process_shares_one_breaker(dead_cache):
    other = resilient.ResilientRedisCache(dead_cache._servers[0], {"OPTIONS": {}})
    assert other.breaker is dead_cache.breaker


def test_options_keep_the_callers_and_add_short_timeouts():
    backend = resilient.ResilientRedisCache(
        dead_redis_url(), {"OPTIONS": {"socket_timeout": 0.5, "BREAKER_SECONDS": 2}}
    )
    assert backend._options["socket_timeout"] == 0.5
    assert backend._options["socket_connect_timeout"] == 1.0
    assert backend._options["retry"].get_retries() == 1
    assert backend.breaker.open_seconds == 2
    resilient._breakers.pop(backend._servers[0], None)


@pytest.mark.redis
def test_on_a_live_redis_it_is_the_ordinary_cache(settings, redis_url):
    prefix = f"test-resilient-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": redis_url, "KEY_PREFIX": prefix}
    }
    backend = caches["default"]
    try:
        assert backend.add("n", 1) is True
        assert backend.incr("n") == 2
        assert backend.get_many(["n", "missing"]) == {"n": 2}
        with pytest.raises(ValueError):
            backend.incr("missing")  # a real missing key is still a ValueError
        assert not backend.breaker.is_open
    finally:
        backend.delete_many(["n"])


def test_backend_objects_of_a_process_share_one_client_and_it_works(settings, redis_url):
    # Django's cache built a redis.Redis per call (about 0.1 ms, as much as a GET); backend objects are per request.
    prefix = f"test-client-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": [redis_url],
            "KEY_PREFIX": prefix,
            "OPTIONS": {"pool_class": "core.redis_pool.SharedConnectionPool"},
        }
    }
    first, second = caches.create_connection("default"), caches.create_connection("default")
    assert first is not second
    client = first._cache.get_client(write=True)
    assert client is first._cache.get_client(write=False) is second._cache.get_client(write=True)
    try:
        first.set("k", "một", 30)
        assert second.get("k") == "một"
        assert first.add("n", 1) is True and second.incr("n") == 2
    finally:
        first.delete_many(["k", "n"])


def test_a_pool_that_is_not_shared_goes_with_its_backend_and_its_client(settings, redis_url):
    # Without the shared pool class each backend (one per request) has its own pool: nothing may keep it alive.
    import gc
    import weakref

    settings.CACHES = {
        "default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": redis_url, "KEY_PREFIX": "t-own"}
    }
    backend = caches.create_connection("default")
    backend.get("k")
    pool = weakref.ref(backend._cache._get_connection_pool(False))
    assert pool()._shared_client is backend._cache.get_client()
    del backend
    gc.collect()
    assert pool() is None


def test_recovery_bumps_the_archive_generation(monkeypatch):
    bumped = []
    monkeypatch.setattr(archive_cache, "bump_generation", lambda: bumped.append(1))
    url = dead_redis_url()
    breaker = resilient.breaker_for(url)
    try:
        breaker.failure(ConnectionError())
        breaker.success()
    finally:
        resilient._breakers.pop(url, None)
    # Invalidations sent while Redis was unreachable were lost: every page stored before is stale now.
    assert bumped == [1]


@pytest.mark.django_db
def test_archive_pages_render_without_the_cache(dead_cache, monkeypatch, settings):
    settings.QA_ARCHIVE_CACHE_SECONDS = 30
    monkeypatch.setattr(archive_cache._ProcessCache, "_backend", dead_cache)
    question = PublishedQuestionFactory()
    client = Client()
    for path in ("/", "/questions/", f"/questions/{question.reference}/", "/api/v1/questions/"):
        response = client.get(path)
        assert response.status_code == 200, path
    assert question.title in client.get("/questions/").content.decode()
