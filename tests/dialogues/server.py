"""A real ASGI server (uvicorn, websockets-sansio) in a subprocess, on the test database and the Redis hub.

pytest-django's live_server speaks WSGI and has no WebSockets, so the socket and
browser tests start uvicorn themselves: on a free port in 127.0.0.1:8100–8199,
with the test database's name and a private hub prefix in the environment, and
stop it at the end.
"""

import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
PORTS = range(8100, 8200)


def free_port() -> int:
    # Random order: two xdist workers starting servers at once should not both pick the first free port.
    for port in random.sample(PORTS, len(PORTS)):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 127.0.0.1:8100-8199")


def database_url() -> str:
    """The URL of the database this test run really uses (its test name, per xdist worker)."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    # Persistent connections, as in production: a fresh PostgreSQL connection per socket handshake is slow.
    return f"postgres://{user}@{host}:{port}/{db['NAME']}?conn_max_age=60"


@contextmanager
def asgi_server(
    *,
    hub_url: str,
    hub_prefix: str,
    extra_env: dict | None = None,
    app: str = "tests.dialogues.asgi_static:application",
    log_path: Path | None = None,
):
    """Yield the base URL of a running server; stop it (and only it) afterwards.

    `app`: the ASGI application to serve (the fault tests serve config.asgi:application itself);
    `log_path`: keep the server's log there for the test to read (otherwise a temporary file).
    """
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database_url(),
        "DIALOGUES_HUB_REDIS_URL": hub_url,
        "DIALOGUES_HUB_PREFIX": hub_prefix,
        "PYTHONPATH": str(ROOT),
        **(extra_env or {}),
    }
    if log_path is not None:
        log = log_path.open("wb")  # closed in the finally below
    else:
        log = tempfile.NamedTemporaryFile(prefix="dlg-uvicorn-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws",
            "websockets-sansio",
            "--ws-per-message-deflate",
            "false",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited: {Path(log.name).read_text()[-3000:]}")
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start in 30 s")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        log.close()
        server_log = Path(log.name).read_text()
        if log_path is None:
            Path(log.name).unlink(missing_ok=True)
        if "Traceback" in server_log:
            print(f"--- server log ---\n{server_log[-5000:]}")


def allowed_origin(base_url: str) -> str:
    assert "127.0.0.1" in settings.ALLOWED_HOSTS
    return base_url
