"""Rate limits while Redis is down: counted in the process at 1/N of each rate, logged once each way."""

import logging
import socket
import uuid

import pytest
from django.core.cache import caches

from accounts import ratelimit
from config import cache as resilient
from core.errors import RateLimited


@pytest.fixture(autouse=True)
def _fresh_fallback():
    ratelimit.local_counters.clear()
    ratelimit._fallback_state["on"] = False
    yield
    ratelimit.local_counters.clear()
    ratelimit._fallback_state["on"] = False


@pytest.fixture
def redis_down(settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    settings.CACHES = {"default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": url}}
    yield caches["default"]
    resilient._breakers.pop(url, None)


def test_without_redis_requests_pass_up_to_the_limit_then_are_refused(redis_down, settings, caplog):
    settings.RATELIMIT_FALLBACK_PROCESSES = 1
    with caplog.at_level(logging.INFO, logger="accounts.ratelimit"):
        for _ in range(3):
            ratelimit.hit_many([("ask-email", "a@example.vn", "3/h"), ("ask-ip", "192.0.2.1", "10/h")])
        with pytest.raises(RateLimited) as exc:
            ratelimit.hit_many([("ask-email", "a@example.vn", "3/h"), ("ask-ip", "192.0.2.1", "10/h")])
        ratelimit.hit("ask-email", "b@example.vn", "3/h")  # another key counts on its own
    assert 0 < exc.value.retry_after <= 3600
    switches = [r for r in caplog.records if r.name == "accounts.ratelimit"]
    assert len(switches) == 1  # logged once, not per request
    assert switches[0].levelno == logging.WARNING
    assert "counted in this process" in switches[0].getMessage()
    assert redis_down.breaker.is_open  # the later calls did not try Redis again


def test_each_process_takes_its_share_of_the_limit(redis_down, settings):
    settings.RATELIMIT_FALLBACK_PROCESSES = 4
    for _ in range(2):  # 10/h shared by 4 processes: 2 each
        ratelimit.hit("ask-ip", "192.0.2.9", "10/h")
    with pytest.raises(RateLimited):
        ratelimit.hit("ask-ip", "192.0.2.9", "10/h")


def test_a_share_is_never_zero(settings):
    settings.RATELIMIT_FALLBACK_PROCESSES = 8
    assert ratelimit.fallback_limit(3) == 1
    assert ratelimit.fallback_limit(80) == 10
    settings.RATELIMIT_FALLBACK_PROCESSES = 0  # misconfigured: treated as one process
    assert ratelimit.fallback_limit(5) == 5


@pytest.mark.redis
def test_back_on_redis_the_switch_back_is_logged_once(settings, redis_url, caplog):
    prefix = f"test-rl-fallback-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": redis_url, "KEY_PREFIX": prefix}
    }
    ratelimit._fallback_state["on"] = True  # as after an outage
    with caplog.at_level(logging.INFO, logger="accounts.ratelimit"):
        ratelimit.hit("fallback-test", "x", "100/h")
        ratelimit.hit("fallback-test", "x", "100/h")
    assert [r.getMessage() for r in caplog.records if r.name == "accounts.ratelimit"] == [
        "Rate limits are counted in Redis again."
    ]
    client = caches["default"]._cache.get_client(write=True)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_local_counters_forget_closed_windows():
    counters = ratelimit.LocalCounters()
    key = [("rl:t:k:1", 5, 60, 1)]  # window 1 of 60 s: ends at 120
    assert counters.count(key, now=100) == [1]
    assert counters.count(key, now=110) == [2]
    counters._next_prune = 0
    assert counters.count([("rl:t:k:2", 5, 60, 2)], now=130) == [1]
    assert "rl:t:k:1" not in counters._counts


def test_local_counters_stay_bounded(monkeypatch):
    monkeypatch.setattr(ratelimit.LocalCounters, "MAX_KEYS", 10)
    counters = ratelimit.LocalCounters()
    for n in range(25):
        counters.count([(f"rl:t:{n}:1", 5, 3600, 1)], now=100)
    assert len(counters._counts) <= 10
