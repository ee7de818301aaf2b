"""Probes, metrics and logs on a real uvicorn with two worker processes, PostgreSQL and a Redis this test stops.

- /readyz: 200 with every check; 503 naming Redis within 2 s of Redis stopping, while /healthz stays 200;
  200 again once Redis is back.
- /metrics in multiprocess mode: whichever process answers the scrape, it counts every process's requests.
- Logs: JSON lines; the request line carries the X-Request-ID the client sent, once.
"""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.dialogues.server import database_url, free_port
from tests.notifications import live

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(240),
]

ROOT = Path(__file__).resolve().parents[2]


def _get(url: str, headers: dict | None = None, timeout: float = 10) -> tuple:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback test server)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.fixture
def redis_server(tmp_path):
    server = live.RedisServer(live.free_port(6390, 6399), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def server(redis_server, tmp_path):
    port = free_port()
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PROMETHEUS_"))},
        "DJANGO_SETTINGS_MODULE": "tests.config.ops_settings",
        "DATABASE_URL": database_url(),
        "OPS_REDIS_URL": redis_server.url,
        "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
        "DJANGO_LOG_FORMAT": "json",
        "PYTHONPATH": str(ROOT),
    }
    log_path = tmp_path / "uvicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "config.asgi:application"),
                *("--host", "127.0.0.1", "--port", str(port), "--workers", "2", "--ws", "websockets-sansio"),
                *("--ws-per-message-deflate", "false"),
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return _get(f"{base}/healthz", timeout=2)[0] == 200
        except OSError:
            return False

    try:
        assert live.wait_until(up, timeout=60, interval=0.3), log_path.read_text()[-3000:]
        yield base, log_path
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _about_count(base: str) -> float:
    status, _headers, body = _get(f"{base}/metrics")
    assert status == 200
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if (
                sample.name == "hoidap_http_request_duration_seconds_count"
                and sample.labels.get("view") == "about"
                and sample.labels.get("status") == "2xx"
            ):
                return sample.value
    return 0.0


def test_probes_metrics_and_logs_on_a_real_server(server, redis_server):
    base, log_path = server

    status, _headers, body = _get(f"{base}/readyz")
    assert status == 200, body
    checks = json.loads(body)["checks"]
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "ok",
        "migrations": "ok",
        "redis": "ok",
    }

    # Two processes answer these; any scrape counts all of them.
    for _ in range(20):
        assert _get(f"{base}/about/")[0] == 200
    assert [_about_count(base) for _ in range(6)] == [20.0] * 6
    # Through a proxy uvicorn trusts (127.0.0.1 by default) the client is the forwarded address: not allowed.
    status, _headers, _body = _get(f"{base}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert status == 404

    # The request id the client sent comes back and is in the request's JSON log line, once.
    status, headers, _body = _get(f"{base}/about/", headers={"X-Request-ID": "ops-live-0001"})
    assert headers["X-Request-ID"] == "ops-live-0001"
    assert live.wait_until(lambda: "ops-live-0001" in log_path.read_text(), timeout=5)
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    request_lines = [line for line in lines if line.get("request_id") == "ops-live-0001"]
    assert [(line["event"], line["view"], line["status"]) for line in request_lines] == [("request", "about", 200)]

    redis_server.stop()
    for _ in range(2):
        started = time.monotonic()
        status, _headers, body = _get(f"{base}/readyz")
        elapsed = time.monotonic() - started
        assert status == 503, body
        assert json.loads(body)["checks"]["redis"]["status"] == "fail"
        assert elapsed < 2.0, elapsed
    started = time.monotonic()
    assert _get(f"{base}/healthz")[0] == 200
    assert time.monotonic() - started < 0.5
    print(f"/readyz with Redis stopped: 503 in {elapsed * 1000:.0f} ms")

    redis_server.start()
    assert live.wait_until(lambda: _get(f"{base}/readyz")[0] == 200, timeout=20, interval=0.5)
