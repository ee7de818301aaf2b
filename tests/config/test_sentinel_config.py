"""Sentinel configuration (core/redis_pool.py): each Redis consumer gets what its library needs from one URL,
and a Sentinel list with no reachable sentinel is reported by /readyz in words, at once."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.cache.backends.redis import RedisCache
from redis.sentinel import SentinelConnectionPool

from config import health
from core.redis_pool import (
    SharedConnectionPool,
    celery_broker,
    channel_layer_host,
    describe,
    parse_sentinel,
    sentinel_url,
    sync_client,
)

ROOT = Path(__file__).resolve().parents[2]
URL = "redis+sentinel://:s%40cret@10.0.0.1:26379,10.0.0.2:26380/hoidap/3"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _fresh_probe_state(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health, "_redis_clients", {})
    monkeypatch.setattr(health, "_running", {})


def test_the_url_names_sentinels_master_database_and_password():
    target = parse_sentinel(URL)
    assert target.sentinels == (("10.0.0.1", 26379), ("10.0.0.2", 26380))
    assert (target.master, target.db, target.password) == ("hoidap", 3, "s@cret")
    assert parse_sentinel("redis://127.0.0.1:6379/0") is None
    assert sentinel_url(["10.0.0.1:26379", " 10.0.0.2:26380"], "hoidap", 3, "s@cret") == URL
    assert describe(URL) == "master 'hoidap' through sentinels 10.0.0.1:26379, 10.0.0.2:26380"
    assert "s@cret" not in describe(URL) and "cret" not in describe("redis://:s3cret@10.0.0.9:6380/0")


@pytest.mark.parametrize(
    "bad", ["redis+sentinel://10.0.0.1:26379", "redis+sentinel://10.0.0.1/hoidap/0", "redis+sentinel://:x@/m/0"]
)
def test_a_malformed_sentinel_url_is_refused_in_words(bad):
    with pytest.raises(ValueError, match=r"master's name|host:port"):
        parse_sentinel(bad)


def test_celery_gets_kombus_sentinel_form_and_the_master_name():
    broker, options = celery_broker(URL)
    assert broker == "sentinel://:s%40cret@10.0.0.1:26379/3;sentinel://:s%40cret@10.0.0.2:26380/3"
    assert options["master_name"] == "hoidap"
    assert celery_broker("redis://127.0.0.1:6379/1") == ("redis://127.0.0.1:6379/1", {})


def test_the_channel_layer_gets_a_sentinel_host_entry():
    host = channel_layer_host(URL)
    assert host["sentinels"] == [("10.0.0.1", 26379), ("10.0.0.2", 26380)]
    assert (host["master_name"], host["db"], host["password"]) == ("hoidap", 3, "s@cret")
    assert host["socket_connect_timeout"] == 1
    assert channel_layer_host("redis://127.0.0.1:6379/1")["address"] == "redis://127.0.0.1:6379/1"


def test_the_cache_and_the_hub_get_a_master_through_the_sentinels():
    cache = RedisCache([URL], {"OPTIONS": {"pool_class": "core.redis_pool.SharedConnectionPool"}})
    pool = cache._cache._get_connection_pool(write=True)
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "hoidap" and pool.connection_kwargs["db"] == 3
    assert SharedConnectionPool.from_url(URL) is SharedConnectionPool.from_url(URL)  # one per process
    client = sync_client(URL, socket_timeout=5)
    assert isinstance(client.connection_pool, SentinelConnectionPool)
    assert client.connection_pool.connection_kwargs["socket_timeout"] == 5


def test_settings_build_every_redis_setting_from_redis_sentinels():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "REDIS_URL": "",
        "REDIS_SENTINELS": "10.0.0.1:26379,10.0.0.2:26380",
        "REDIS_SENTINEL_MASTER": "hoidap",
        "REDIS_SENTINEL_DB": "2",
    }
    env.pop("CELERY_BROKER_URL", None)
    script = (
        "from django.conf import settings as s; "
        "print(s.REDIS_URL); print(s.CACHES['default']['LOCATION']); print(s.CELERY_BROKER_URL); "
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['master_name']); "
        "print(s.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0]['master_name']); print(s.CELERY_TASK_ALWAYS_EAGER)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\n")
    assert out[0] == "redis+sentinel://10.0.0.1:26379,10.0.0.2:26380/hoidap/2"
    assert out[1] == f"['{out[0]}']"
    assert out[2] == "sentinel://10.0.0.1:26379/2;sentinel://10.0.0.2:26380/2"
    assert out[3:6] == ["hoidap", "hoidap", "False"]


@pytest.mark.django_db
def test_readyz_says_no_sentinel_is_reachable(client, settings):
    settings.REDIS_URL = f"redis+sentinel://127.0.0.1:{_closed_port()},127.0.0.1:{_closed_port()}/hoidap/0"
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < settings.HEALTH_CHECK_TIMEOUT + 1  # refused at once, never hangs
    assert response.status_code == 503
    check = response.json()["checks"]["redis"]
    assert check["status"] == "fail"
    assert check["error"].startswith("no reachable sentinel among 127.0.0.1:")


@pytest.mark.redis
@pytest.mark.django_db
def test_readyz_says_a_plain_redis_is_not_a_sentinel(client, settings, redis_url):
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    settings.REDIS_URL = f"redis+sentinel://127.0.0.1:{port}/hoidap/0"
    check = client.get("/readyz").json()["checks"]["redis"]
    assert check["status"] == "fail"
    assert check["error"] == f"not a sentinel (a plain Redis?): 127.0.0.1:{port}"
