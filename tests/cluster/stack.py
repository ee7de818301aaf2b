"""The cluster on loopback for `make test-cluster`: HAProxy in front of N uvicorn nodes, Celery workers and
beat, a PostgreSQL primary and its streaming replica, a Redis primary, replica and three sentinels.

Everything runs in one temporary directory on ports 17000–17999 and is stopped by `Cluster.stop()`; the
machine's own PostgreSQL and Redis are never used.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.config import outage
from tests.config.replica import make_pair
from tests.config.sentinel import SentinelSet
from tests.notifications import live

ROOT = Path(__file__).resolve().parents[2]
PORTS = (17000, 17499)


def _port_open(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


class WebNode:
    def __init__(self, name: str, port: int, env: dict, workdir: Path) -> None:
        self.name, self.port, self.env = name, port, env
        self.log = workdir / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "config.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--ws",
                    "websockets-sansio",
                    "--ws-per-message-deflate",
                    "false",
                    "--no-access-log",
                    "--timeout-graceful-shutdown",
                    "5",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not live.wait_until(lambda: self.process.poll() is None and _port_open(self.port), 60, 0.2):
            raise RuntimeError(f"{self.name} did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


class HAProxy:
    """Round robin, no stickiness; a connection refused or reset before any answer is retried on another node."""

    def __init__(self, port: int, nodes: list[WebNode], workdir: Path) -> None:
        self.port = port
        self.socket = workdir / "haproxy.sock"
        self.config = workdir / "haproxy.cfg"
        servers = "\n".join(f"    server {n.name} 127.0.0.1:{n.port} check inter 300 fall 1 rise 1" for n in nodes)
        self.config.write_text(
            f"""global
    stats socket {self.socket} mode 600 level admin
    maxconn 4000
defaults
    mode http
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout
frontend web
    bind 127.0.0.1:{port}
    default_backend nodes
backend nodes
    balance roundrobin
    option httpchk GET /healthz
{servers}
"""
        )
        self.log = workdir / "haproxy.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [shutil.which("haproxy") or "/usr/sbin/haproxy", "-db", "-f", str(self.config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not live.wait_until(lambda: _port_open(self.port), 15, 0.1):
            raise RuntimeError(f"haproxy did not start: {self.log.read_text()[-2000:]}")

    def command(self, line: str) -> str:
        with socket.socket(socket.AF_UNIX) as sock:
            sock.connect(str(self.socket))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def servers(self) -> dict[str, dict]:
        """Per node: status (UP/DOWN), current sessions (open sockets included)."""
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {r["svname"]: r for r in rows if r["pxname"] == "nodes" and r["svname"] not in ("BACKEND", "FRONTEND")}

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


class Cluster:
    def __init__(self, workdir: Path, nodes: int = 3, workers: int = 2) -> None:
        self.workdir = workdir
        self.node_count, self.worker_count = nodes, workers
        self.pg = self.replica = self.redis = self.proxy = self.smtp = None
        self.nodes: list[WebNode] = []
        self.celery: list = []
        self.timings: dict[str, float] = {}

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.proxy.port}"

    def django(self, *args: str) -> dict:
        output = outage.django_command(["-m", "tests.cluster.actions", *args], self.pg.url(), extra_env=self.hub_env)
        return json.loads(output.strip().splitlines()[-1])

    def start(self) -> None:
        began = time.monotonic()
        self.redis = SentinelSet(self.workdir)
        self.redis.start()
        self.hub_env = {"DIALOGUES_HUB_REDIS_URL": self.redis.url(), "DIALOGUES_HUB_PREFIX": "cluster"}
        self.pg, self.replica = make_pair(
            lambda url: outage.django_command(["manage.py", "migrate", "--noinput", "-v", "0"], url)
        )
        self.timings["databases"] = time.monotonic() - began
        self.smtp = live.SmtpSink(outage.free_port(*PORTS))
        self.smtp.start()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "cluster-test-secret-key-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_HSTS_SECONDS": "0",
            "DJANGO_LOG_LEVEL": "WARNING",
            "DATABASE_URL": self.pg.url(),
            "DATABASE_REPLICA_URL": self.replica.url(),
            "DATABASE_REPLICA_CHECK_INTERVAL": "0.5",
            "REDIS_URL": self.redis.url(),
            "QA_SUBMIT_RATE_PER_IP": "100000/h",
            "QA_SUBMIT_RATE_PER_EMAIL": "1000/h",
            "QA_ARCHIVE_CACHE_SECONDS": "0",
            "PYTHONPATH": str(ROOT),
            **self.hub_env,
        }
        env.pop("CELERY_BROKER_URL", None)
        env.pop("DJANGO_DEBUG", None)
        self.nodes = [
            WebNode(f"web{i + 1}", outage.free_port(*PORTS), env, self.workdir) for i in range(self.node_count)
        ]
        for node in self.nodes:
            node.start()
        self.proxy = HAProxy(outage.free_port(*PORTS), self.nodes, self.workdir)
        self.proxy.start()
        worker_env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
        worker_env.update(
            {
                "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
                "PYTHONPATH": str(ROOT),
                "DATABASE_URL": self.pg.url(),
                "NTF_BROKER_URL": self.redis.url(),
                "NTF_DATABASE_NAME": "hoidap",
                "NTF_SMTP_PORT": str(self.smtp.port),
            }
        )
        for i in range(self.worker_count):
            worker = live.worker(f"cluster{i}", worker_env, self.workdir)
            worker.log_path = self.workdir / f"worker{i}.log"
            worker.start(ready_marker=f"cluster{i}@ntf ready.")
            self.celery.append(worker)
        beat = live.beat(worker_env, self.workdir)
        beat.start(ready_marker="beat: Starting...")
        self.celery.append(beat)
        live.wait_until(lambda: all(s["status"] == "UP" for s in self.proxy.servers().values()), 15, 0.2)
        self.timings["start"] = time.monotonic() - began

    def stop(self) -> None:
        for process in self.celery:
            process.stop()
            process.kill()
        if self.proxy:
            self.proxy.stop()
        for node in self.nodes:
            node.kill()
        if self.smtp:
            self.smtp.stop()
        for cluster in (self.replica, self.pg):
            if cluster is not None:
                cluster.remove()
        if self.redis:
            self.redis.stop()
