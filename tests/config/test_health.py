"""/healthz and /readyz: what each checks, 503 with the failing check named, and never longer than the deadline."""

import socket
import threading
import time

import pytest
from django.db import connection, connections

from config import health
from config.celery import celery_heartbeat

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _fresh_probe_state(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", False)
    monkeypatch.setattr(health, "_redis_clients", {})
    monkeypatch.setattr(health, "_running", {})


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """Accepts TCP connections and never answers: a hung dependency."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []
    stop = threading.Event()

    def serve():
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    server.close()


@pytest.mark.sqlite
def test_healthz_answers_without_database_or_host_check(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz", HTTP_HOST="10.0.3.7:8000")  # not in ALLOWED_HOSTS
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert client.post("/healthz").status_code == 404  # probes are GET/HEAD only


@pytest.mark.sqlite
def test_readyz_embedded_checks_database_and_migrations(client):
    response = client.get("/readyz", HTTP_HOST="10.0.3.7:8000")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert list(body["checks"]) == ["database", "migrations"]  # no Redis, eager Celery: nothing else applies
    for check in body["checks"].values():
        assert check["status"] == "ok" and check["ms"] >= 0


@pytest.mark.redis
def test_readyz_checks_redis_when_it_is_configured(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    body = client.get("/readyz").json()
    assert body["checks"]["redis"]["status"] == "ok"
    assert body["status"] == "ok"


def test_readyz_redis_refusing_is_503_at_once(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 1.5
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["checks"]["redis"] == {"status": "fail", "error": "ConnectionError", "ms": pytest.approx(0, abs=1500)}
    assert body["checks"]["database"]["status"] == "ok"


def test_a_hanging_redis_cannot_hang_the_probe(client, settings, silent_server):
    settings.REDIS_URL = f"redis://127.0.0.1:{silent_server}/0"
    settings.HEALTH_CHECK_TIMEOUT = 0.5
    for _probe in range(2):
        started = time.monotonic()
        response = client.get("/readyz")
        elapsed = time.monotonic() - started
        assert response.status_code == 503
        assert elapsed < 2.0, elapsed
        error = response.json()["checks"]["redis"]["error"]
        assert error.startswith("timed out") or error == "TimeoutError", error
    # Only one thread per check, whatever the number of probes.
    assert sum(t.name == "readyz-redis" for t in threading.enumerate()) <= 1


def test_readyz_database_down_is_503(client, monkeypatch):
    closed = {**connections.settings["default"], "HOST": "127.0.0.1", "PORT": str(_closed_port())}
    monkeypatch.setitem(connections.settings, "default", closed)
    response = client.get("/readyz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["status"] == "fail"
    assert checks["database"]["error"] == "OperationalError"  # no host or user names in the body
    assert checks["migrations"]["status"] == "fail"


@pytest.mark.django_db(transaction=True)
def test_readyz_fails_while_a_migration_is_unapplied(client):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, applied FROM django_migrations WHERE app = 'notifications' AND name = '0001_initial'"
        )
        row_id, applied = cursor.fetchone()
        cursor.execute("DELETE FROM django_migrations WHERE id = %s", [row_id])
    try:
        response = client.get("/readyz")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO django_migrations (id, app, name, applied) "
                "VALUES (%s, 'notifications', '0001_initial', %s)",
                [row_id, applied],
            )
    assert response.status_code == 503
    error = response.json()["checks"]["migrations"]["error"]
    assert "notifications.0001_initial" in error
    # Applied again: ready (the failure was not cached).
    assert client.get("/readyz").status_code == 200


def test_readyz_needs_a_recent_celery_heartbeat_when_tasks_are_not_eager(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_HEARTBEAT_MAX_AGE = 60
    response = client.get("/readyz")
    assert response.status_code == 503
    celery = response.json()["checks"]["celery"]
    assert (celery["status"], celery["error"]) == ("fail", "no heartbeat recorded")

    celery_heartbeat()  # what a worker does every 30 s (beat schedule "ops-celery-heartbeat")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["celery"]["status"] == "ok"

    from django.core.cache import cache

    cache.set(health.HEARTBEAT_KEY, time.time() - 61)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["celery"]["error"] == "last heartbeat 61 s ago"


def test_the_heartbeat_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["ops-celery-heartbeat"]
    assert entry["task"] == celery_heartbeat.name
    assert entry["schedule"] < settings.CELERY_HEARTBEAT_MAX_AGE
