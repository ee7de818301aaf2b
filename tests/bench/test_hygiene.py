"""Benchmark hygiene: two runs on one machine never cross (Redis namespace, ports) and one database has one run."""

import json
import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import redis

from bench import db, stack

ROOT = Path(__file__).resolve().parent.parent.parent


# --- Ports ---------------------------------------------------------------------------------------


def test_port_range_is_parsed_and_bad_ranges_are_refused():
    assert stack.port_range("18000-18002") == range(18000, 18003)
    assert stack.port_range("18005") == range(18005, 18006)
    assert stack.port_range("") is None and stack.port_range(None) is None
    for bad in ("18100-18000", "abc", "80-90", "18000-70000"):
        with pytest.raises(SystemExit, match="BENCH_PORTS"):
            stack.port_range(bad)


def test_ports_come_from_bench_ports_skip_busy_ones_and_are_never_given_twice(monkeypatch):
    import random

    monkeypatch.setattr(stack, "_given_ports", set())
    busy = socket.socket()  # another run's server on the first port of the range
    busy.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    for _ in range(100):  # a range of 4 ports whose first one we can hold (others may be taken: skipped too)
        low = random.randrange(20000, 60000, 100)
        try:
            busy.bind(("127.0.0.1", low))
            break
        except OSError:
            continue
    busy.listen()
    monkeypatch.setenv("BENCH_PORTS", f"{low}-{low + 3}")
    try:
        first, second = stack.free_port(), stack.free_port()
    finally:
        busy.close()
    assert low not in (first, second) and first != second
    assert {first, second} <= set(range(low + 1, low + 4))
    # The first port is free again once the other run's server closed; then the range is used up.
    given = {first, second}
    with pytest.raises(RuntimeError, match="no free port left"):
        for _ in range(4):
            given.add(stack.free_port())
    assert low in given and len(given) <= 4


# --- Redis namespace -------------------------------------------------------------------------------


def test_servers_of_a_run_keep_every_redis_key_under_its_prefix():
    """bench.settings as a bench server loads it: cache, channel layer, broker and hub under the run's prefix."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))}
    env.update(stack.bench_env("bench_unused"))
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.CACHES['default']['KEY_PREFIX'], s.CHANNEL_LAYERS['default']['CONFIG']['prefix'], "
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['global_keyprefix'], s.DIALOGUES_HUB_PREFIX]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    prefixes = json.loads(out.stdout.strip().splitlines()[-1])
    assert all(p.startswith(stack.RUN_PREFIX + ":") for p in prefixes), prefixes
    assert f"bench{stack.REDIS_DB}:{stack.RUN_ID}" == stack.RUN_PREFIX


@pytest.mark.redis
def test_cleaning_up_deletes_this_runs_keys_and_no_other_runs(monkeypatch):
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis")
    mine, other = f"benchT:{uuid.uuid4().hex[:8]}", f"benchT:{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(stack, "REDIS_URL", url)
    monkeypatch.setattr(stack, "RUN_PREFIX", mine)
    try:
        for i in range(700):  # more than one delete batch
            client.set(f"{mine}:cache:{i}", 1)
        client.set(f"{other}:cache:1", 1)
        client.set(f"{mine}x:not-mine", 1)  # shares the text but is not under "<prefix>:"
        assert db.flush_redis() == 700
        assert not list(client.scan_iter(match=f"{mine}:*"))
        assert client.exists(f"{other}:cache:1") and client.exists(f"{mine}x:not-mine")
    finally:
        client.delete(f"{other}:cache:1", f"{mine}x:not-mine")


# --- One run per database ---------------------------------------------------------------------------


def _postgres_or_skip() -> None:
    try:
        psycopg.connect(f"{stack.PG_URL}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        pytest.skip("no PostgreSQL")


@pytest.mark.postgres
def test_a_second_run_on_the_same_database_refuses_to_start():
    _postgres_or_skip()
    database = f"bench_hygiene_{uuid.uuid4().hex[:8]}"
    db.lock(database)  # the first run
    try:
        env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-m", "bench", "--quick", "--only", "fanout", "--database", database],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert second.returncode != 0
        assert "refusing to start" in second.stderr and database in second.stderr, second.stderr[-2000:]
        assert f"bench run {stack.RUN_ID}" in second.stderr  # it names the run holding the database
        assert time.monotonic() - started < 60  # it stopped before preparing anything
        with psycopg.connect(f"{stack.PG_URL}/postgres", autocommit=True) as conn:
            created = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        assert created is None  # nothing of the first run's database was touched
    finally:
        db.unlock(database)
    # Once the first run ends, the database is free again.
    db.lock(database)
    db.unlock(database)


@pytest.mark.postgres
def test_runs_on_different_databases_do_not_block_each_other():
    _postgres_or_skip()
    first, second = f"bench_hygiene_{uuid.uuid4().hex[:8]}", f"bench_hygiene_{uuid.uuid4().hex[:8]}"
    db.lock(first)
    try:
        with psycopg.connect(f"{stack.PG_URL}/postgres", autocommit=True) as other:
            key = f"bench-run:{second}"
            assert other.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key]).fetchone()[0]
            key = f"bench-run:{first}"
            assert not other.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key]).fetchone()[0]
    finally:
        db.unlock(first)
