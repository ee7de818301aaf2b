"""The real stack for the benchmarks: a dedicated database, Redis DB 9, servers and clients as child processes.

Every process started here is in its own process group and is killed when the
run ends (normally, on an error, or on Ctrl-C). Load stays on loopback.

Two runs on one machine never cross: every Redis key and channel a run's servers use
(hub channels, viewer counts, the cache, the channel layer, the Celery broker) starts
with the run's own prefix RUN_PREFIX; ports come from BENCH_PORTS ("18000-18100") when
set; and a run holds a lock on its database for its whole duration (bench/db.py).
"""

import atexit
import contextlib
import datetime
import json
import os
import queue
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import zoneinfo
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
NODE_DIR = ROOT / "bench" / "node"
PG_URL = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
REDIS_BASE = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
# Another DB number lets two runs share the Redis server without flushing each other's keys.
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "9"))
# Every time the harness prints or writes is Vietnam time, before and after django.setup() alike (which sets TZ).
VIETNAM = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime.datetime:
    """The time in Asia/Ho_Chi_Minh (the results' names and log lines)."""
    return datetime.datetime.now(VIETNAM)


REDIS_URL = f"{REDIS_BASE}/{REDIS_DB}"
# This run's namespace in Redis: a run never reads, flushes or receives another run's keys or messages.
RUN_ID = os.environ.get("BENCH_RUN_ID") or f"{os.getpid():x}{secrets.token_hex(3)}"
RUN_PREFIX = f"bench{REDIS_DB}:{RUN_ID}"
HUB_PREFIX = f"{RUN_PREFIX}:dlg"


def bench_env(database: str) -> dict[str, str]:
    """What a deployment would put in the environment (production settings), pointed at the bench services."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "false",
        # The harness talks plain http to the server (no TLS proxy in front): no https redirect, no HSTS.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": f"{PG_URL}/{database}",
        # A connection pool: under ASGI, CONN_MAX_AGE would leave one connection behind per request
        # and 0 opens a new one per request (docs/performance.md).
        "DATABASE_POOL": "1",
        "DATABASE_CONN_MAX_AGE": "0",
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "DIALOGUES_HUB_PREFIX": HUB_PREFIX,
        # Cache keys, channel-layer and Celery broker keys under the run's prefix too (bench/settings.py).
        "BENCH_RUN_PREFIX": RUN_PREFIX,
        "EMAIL_URL": "dummymail://",
        # The load comes from one address and a few e-mails: anti-spam limits would stop it, not the server.
        "QA_SUBMIT_RATE_PER_IP": "100000000/h",
        "QA_SUBMIT_RATE_PER_EMAIL": "100000000/h",
        "DIALOGUES_ASK_RATE": "100000000/m",
        "DIALOGUES_ASK_RATE_PER_IP": "100000000/m",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


# --- Processes ----------------------------------------------------------------------------------


class Processes:
    """Children of the harness, each in its own process group, all ended by stop_all()."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []
        atexit.register(self.stop_all)

    def start(self, name: str, argv: list[str], env: dict | None = None, **kwargs) -> subprocess.Popen:
        full_env = {**os.environ, **(env or {})}
        proc = subprocess.Popen(argv, cwd=ROOT, env=full_env, start_new_session=True, **kwargs)
        self.children.append((name, proc))
        return proc

    def stop(self, proc: subprocess.Popen, timeout: float = 8.0) -> None:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)
        else:
            # The leader exited; make sure nothing it started is left in its group.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
        self.children = [(n, p) for n, p in self.children if p is not proc]

    def stop_all(self) -> None:
        for _name, proc in list(reversed(self.children)):
            self.stop(proc)


PROCS = Processes()


def _on_signal(signum, frame):
    PROCS.stop_all()
    raise SystemExit(128 + signum)


def install_signal_handlers() -> None:
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)


def port_range(spec: str | None) -> range | None:
    """BENCH_PORTS: "18000-18100" (both ends included) or one port; empty: any free port the system gives."""
    if not spec or not spec.strip():
        return None
    low, _, high = spec.strip().partition("-")
    try:
        first, last = int(low), int(high or low)
    except ValueError:
        raise SystemExit(f"BENCH_PORTS={spec!r}: expected a range such as 18000-18100") from None
    if not 1024 <= first <= last <= 65535:
        raise SystemExit(f"BENCH_PORTS={spec!r}: expected a range within 1024-65535, low end first")
    return range(first, last + 1)


_given_ports: set[int] = set()


def free_port() -> int:
    """A loopback port nobody listens on: from BENCH_PORTS when set (so two runs given disjoint ranges never
    cross), else one the system picks. A port given once in this run is not given again."""
    ports = port_range(os.environ.get("BENCH_PORTS"))
    if ports is None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        _given_ports.add(port)
        return port
    for port in ports:
        if port in _given_ports:
            continue
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue  # in use (another run, or a server of ours still closing)
        _given_ports.add(port)
        return port
    raise RuntimeError(f"no free port left in BENCH_PORTS={os.environ['BENCH_PORTS']}")


def rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants (uvicorn --workers runs children)."""
    total = 0
    for p in [pid, *_descendants(pid)]:
        try:
            with open(f"/proc/{p}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


def _descendants(pid: int) -> list[int]:
    found = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except FileNotFoundError:
        return found
    for child in children:
        found.append(int(child))
        found.extend(_descendants(int(child)))
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its descendants."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in [pid, *_descendants(pid)]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
        except (FileNotFoundError, IndexError):
            pass
    return total


# --- Servers -------------------------------------------------------------------------------------


class Server:
    """uvicorn serving the project (bench.asgi: the deployed app plus query counting)."""

    def __init__(self, database: str, *, workers: int = 1, extra_env: dict | None = None, label: str = "") -> None:
        self.port = free_port()
        self.workers = workers
        self.base = f"http://127.0.0.1:{self.port}"
        self.label = label
        argv = [
            str(VENV_BIN / "uvicorn"),
            "bench.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--ws",
            "websockets-sansio",
            # As deployed (Dockerfile): no permessage-deflate, whatever the clients offer. BENCH_WS_DEFLATE=true
            # measures what accepting it would cost (docs/performance.md, "Frames built once").
            "--ws-per-message-deflate",
            os.environ.get("BENCH_WS_DEFLATE", "false"),
            "--no-access-log",
            "--log-level",
            "warning",
            "--backlog",
            "4096",
        ]
        if workers > 1:
            argv += ["--workers", str(workers)]
        self.proc = PROCS.start(f"uvicorn {label}", argv, env={**bench_env(database), **(extra_env or {})})
        wait_http(self.base + "/__bench/stats/", self.proc)

    def stats(self) -> dict:
        return get_json(self.base + "/__bench/stats/")

    def rss_kib(self) -> int:
        return rss_kib(self.proc.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        PROCS.stop(self.proc)


def wait_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} after {timeout} s")


def get_json(url: str, headers: dict | None = None) -> dict:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


# --- Node clients ---------------------------------------------------------------------------------


def ensure_node_modules() -> None:
    if not (NODE_DIR / "node_modules" / "ws").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=NODE_DIR, check=True)


class NodeWatchers:
    """bench/node/watchers.js: JSON lines in and out."""

    def __init__(self) -> None:
        self.proc = PROCS.start(
            "node watchers",
            ["node", "--max-old-space-size=2048", str(NODE_DIR / "watchers.js")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.lines: queue.Queue = queue.Queue()
        self.acted: queue.Queue = queue.Queue()  # the moderator socket's timed acks (arrive on their own)
        self.done: dict[int, dict] = {}
        self._done_lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message.get("ev") == "done":
                with self._done_lock:
                    self.done[message["seq"]] = message
            elif message.get("ev") == "acted":
                self.acted.put(message)
            else:
                self.lines.put(message)

    def send(self, **command) -> None:
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()

    def call(self, timeout: float = 120.0, **command) -> dict:
        self.send(**command)
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError(f"node watchers did not answer {command.get('cmd')} in {timeout} s") from None

    def wait_done(self, seqs: list[int], timeout: float) -> dict[int, dict]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._done_lock:
                if all(s in self.done for s in seqs):
                    return {s: self.done[s] for s in seqs}
            time.sleep(0.005)
        with self._done_lock:
            return {s: self.done[s] for s in seqs if s in self.done}

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.call(cmd="close", timeout=10)
        PROCS.stop(self.proc)


class NodeFleet:
    """Watchers spread over several Node processes (as real viewers are spread over many machines).

    An event is done when every process has seen it at all its measured watchers; its first
    receipt is the earliest of the processes', its last the latest.
    """

    def __init__(self, processes: int) -> None:
        self.members = [NodeWatchers() for _ in range(max(processes, 1))]

    def each(self, commands: list[dict], timeout: float = 120.0) -> list[dict]:
        """Send each member its command at once, then collect the answers (they run in parallel)."""
        for member, command in zip(self.members, commands, strict=True):
            member.send(**command)
        answers = []
        for member, command in zip(self.members, commands, strict=True):
            try:
                answers.append(member.lines.get(timeout=timeout))
            except queue.Empty:
                raise RuntimeError(f"node watchers did not answer {command.get('cmd')} in {timeout} s") from None
        return answers

    def all(self, timeout: float = 120.0, **command) -> list[dict]:
        return self.each([command] * len(self.members), timeout)

    def wait_done(self, seqs: list[int], timeout: float) -> dict[int, dict]:
        deadline = time.monotonic() + timeout
        found: dict[int, dict] = {}
        per_member = [m.wait_done(seqs, max(deadline - time.monotonic(), 0.0)) for m in self.members]
        for seq in seqs:
            parts = [done[seq] for done in per_member if seq in done]
            if len(parts) == len(self.members):
                found[seq] = {"first": min(p["first"] for p in parts), "last": max(p["last"] for p in parts)}
        return found

    def close(self) -> None:
        for member in self.members:
            member.close()


def node_load(args: dict, timeout: float) -> dict:
    """bench/node/load.js: HTTP load from one Node process; returns its JSON summary."""
    proc = PROCS.start(
        "node load",
        ["node", str(NODE_DIR / "load.js"), json.dumps(args)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        out, _ = proc.communicate(timeout=timeout)
    finally:
        PROCS.stop(proc)
    return json.loads(out.strip().splitlines()[-1])


# --- Figures --------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-p * len(ordered) // 100))))
    return ordered[rank - 1]


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


# --- Sequential HTTP, timed at the server -------------------------------------------------------


class Timed:
    """Sequential GETs over one keep-alive connection: server time (Server-Timing), client time, queries."""

    def __init__(self, base: str, headers: dict | None = None) -> None:
        import http.client
        from urllib.parse import urlparse

        parsed = urlparse(base)
        self.connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=60)
        self.headers = headers or {}

    def get(self, path: str) -> tuple[int, float | None, float, int | None, bytes]:
        started = time.perf_counter()
        self.connection.request("GET", path, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        client_ms = (time.perf_counter() - started) * 1000
        timing = response.getheader("Server-Timing") or ""
        server_ms = float(timing.split("dur=", 1)[1]) if "dur=" in timing else None
        queries = response.getheader("X-Bench-Queries")
        return response.status, server_ms, client_ms, int(queries) if queries is not None else None, body

    def run(self, paths: list[str]) -> dict:
        server, client, queries, statuses, by_path = [], [], [], {}, {}
        for path in paths:
            status, server_ms, client_ms, count, _body = self.get(path)
            by_path.setdefault(path, set()).add(count)
            statuses[status] = statuses.get(status, 0) + 1
            if server_ms is not None:
                server.append(server_ms)
            client.append(client_ms)
            if count is not None:
                queries.append(count)
        return {
            "requests": len(paths),
            "statuses": statuses,
            "server_p50": percentile(server, 50),
            "server_p95": percentile(server, 95),
            "client_p50": percentile(client, 50),
            "client_p95": percentile(client, 95),
            "queries_min": min(queries) if queries else None,
            "queries_max": max(queries) if queries else None,
            "queries_by_path": {path: sorted(c for c in counts if c is not None) for path, counts in by_path.items()},
        }

    def close(self) -> None:
        self.connection.close()
