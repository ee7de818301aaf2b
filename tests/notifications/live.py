"""Real processes for the end-to-end delivery tests: a private redis-server, Celery workers and beat, an SMTP sink.

Everything started here is bounded by timeouts and stopped by the fixtures'
finalizers, whatever the test's outcome. Ports come from ranges no other part
of the suite uses (Redis 6390–6399, SMTP 2525–2535); the machine's own Redis on
6379 is never touched.
"""

import asyncio
import email
import email.policy
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import redis
from aiosmtpd.controller import Controller

BASE_DIR = Path(__file__).resolve().parents[2]
CELERY = str(BASE_DIR / ".venv" / "bin" / "celery")


def _my_share(low: int, high: int) -> range:
    """Under pytest-xdist each worker probes its own slice of the range, so two workers never race for a port."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    size = (high - low + 1) // count
    if not worker.startswith("gw") or count < 2 or size < 1:
        return range(low, high + 1)
    index = int(worker[2:]) % count
    return range(low + index * size, low + (index + 1) * size)


def free_port(low: int, high: int) -> int:
    for port in _my_share(low, high):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {low}–{high}")


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


class RedisServer:
    """A throw-away redis-server (no persistence) that a test may stop and start again on the same port."""

    def __init__(self, port: int, workdir: Path):
        self.port = port
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _pings(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Alive and answering: a server that lost the port race exits, and a ping would reach the winner.
        if not wait_until(lambda: self.process.poll() is None and self._pings(), 15) or self.process.poll() is not None:
            self.stop()
            raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=15)
        self.process = None
        wait_until(lambda: not self._pings(), 5)


class CeleryProcess:
    """`celery -A config worker|beat` in its own process group, logging to a file we can read."""

    def __init__(self, args: list[str], env: dict, log_path: Path):
        self.args = args
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self, ready_marker: str | None, timeout: float = 90) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [CELERY, "-A", "config", *self.args],
            cwd=BASE_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        if ready_marker and not wait_until(lambda: ready_marker in self.log(), timeout, 0.3):
            self.stop()
            raise RuntimeError(f"celery {self.args[0]} did not get ready:\n{self.log()[-3000:]}")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def kill(self) -> None:
        """SIGKILL the whole process group: no shutdown handlers, no acks."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()


def worker(name: str, env: dict, workdir: Path, queues: str = "default,email") -> CeleryProcess:
    return CeleryProcess(
        [
            "worker",
            "-n",
            f"{name}@ntf",
            "-Q",
            queues,
            "-P",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        env,
        workdir / f"{name}.log",
    )


def beat(env: dict, workdir: Path) -> CeleryProcess:
    return CeleryProcess(
        ["beat", "-s", str(workdir / "beat-schedule"), "--pidfile", str(workdir / "beat.pid"), "-l", "info"],
        env,
        workdir / "beat.log",
    )


class SmtpSink:
    """An aiosmtpd server that keeps what it accepts; it can hold the first message or slow every one."""

    def __init__(self, port: int):
        self.port = port
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()
        self.hold_first_seconds = 0.0
        self.delay_seconds = 0.0
        self.first_seen = threading.Event()
        self._held = False
        # address → how many more times to answer "451 try again later" (-1: always).
        self.temporary_failures: dict[str, int] = {}
        self.controller = Controller(self, hostname="127.0.0.1", port=port, ready_timeout=10)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        # Holding before DATA means a worker killed meanwhile never handed the message over.
        if self.hold_first_seconds and not self._held:
            self._held = True
            self.first_seen.set()
            await asyncio.sleep(self.hold_first_seconds)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        with self._lock:
            for address in envelope.rcpt_tos:
                remaining = self.temporary_failures.get(address, 0)
                if remaining:
                    self.temporary_failures[address] = remaining - 1 if remaining > 0 else -1
                    return "451 4.3.0 Mailbox busy, try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def received(self, kind: str | None = None) -> list:
        with self._lock:
            return [m for m in self.messages if kind is None or m["X-Notification-Kind"] == kind]

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
