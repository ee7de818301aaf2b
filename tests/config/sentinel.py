"""A private Redis primary, its replica and three Sentinels (ports 17500–17999, a temporary directory).

The machine's Redis (6379) is never touched. `kill_primary()` SIGKILLs the
primary and `wait_failover()` returns once a majority of the sentinels name the
replica as the new master.
"""

import os
import signal
import subprocess
import time
from pathlib import Path

import redis

from tests.notifications.live import wait_until

from .outage import free_port
from .replica import PORTS as PG_PORTS

PORTS = (17500, 17999)
MASTER = "hoidap"
assert PORTS[0] > PG_PORTS[1]


class RedisNode:
    def __init__(self, workdir: Path, name: str, args: list[str], port: int) -> None:
        self.port, self.name, self.workdir = port, name, workdir
        self.args = args
        self.process: subprocess.Popen | None = None
        self.log = workdir / f"{name}.log"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=1)

    def pings(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                ["redis-server", *self.args],
                cwd=self.workdir,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_until(lambda: self.process.poll() is None and self.pings(), 15):
            self.kill()
            raise RuntimeError(f"{self.name} on port {self.port} did not start: {self.log.read_text()[-1000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)


class SentinelSet:
    def __init__(self, workdir: Path, replicas: int = 1, sentinels: int = 3, down_after_ms: int = 1000) -> None:
        self.workdir = workdir
        self.promoted_at: float | None = None
        data = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        primary_port = free_port(*PORTS)
        self.primary = RedisNode(workdir, "redis-primary", ["--port", str(primary_port), *data], primary_port)
        self.replicas = []
        for n in range(replicas):
            port = free_port(*PORTS)
            args = ["--port", str(port), *data, "--replicaof", "127.0.0.1", str(primary_port)]
            self.replicas.append(RedisNode(workdir, f"redis-replica{n}", args, port))
        self.sentinels = []
        for n in range(sentinels):
            port = free_port(*PORTS)
            conf = workdir / f"sentinel{n}.conf"
            conf.write_text(
                f"port {port}\nbind 127.0.0.1\ndir {workdir}\n"
                f"sentinel monitor {MASTER} 127.0.0.1 {primary_port} {sentinels // 2 + 1}\n"
                f"sentinel down-after-milliseconds {MASTER} {down_after_ms}\n"
                f"sentinel failover-timeout {MASTER} 10000\n"
                f"sentinel parallel-syncs {MASTER} 1\n"
            )
            self.sentinels.append(RedisNode(workdir, f"sentinel{n}", [str(conf), "--sentinel"], port))

    @property
    def nodes(self) -> list[RedisNode]:
        return [self.primary, *self.replicas, *self.sentinels]

    def url(self, db: int = 0) -> str:
        hosts = ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)
        return f"redis+sentinel://{hosts}/{MASTER}/{db}"

    def start(self) -> None:
        try:
            for node in self.nodes:
                node.start()
            # Every sentinel knows the replicas and the other sentinels (hello messages, every 2 s).
            ready = wait_until(lambda: all(self._sees_everyone(s) for s in self.sentinels), 30, 0.2)
            if not ready:
                raise RuntimeError("the sentinels did not discover each other in 30 s")
        except BaseException:
            self.stop()
            raise

    def _sees_everyone(self, sentinel: RedisNode) -> bool:
        try:
            client = sentinel.client()
            replicas = client.execute_command("SENTINEL", "REPLICAS", MASTER)
            others = client.execute_command("SENTINEL", "SENTINELS", MASTER)
        except redis.RedisError:
            return False
        return len(replicas) == len(self.replicas) and len(others) == len(self.sentinels) - 1

    def master_port(self) -> int | None:
        """The master's port as most sentinels see it."""
        votes: dict[int, int] = {}
        for sentinel in self.sentinels:
            try:
                answer = sentinel.client().execute_command("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER)
            except redis.RedisError:
                continue
            if answer:
                port = int(answer[1])
                votes[port] = votes.get(port, 0) + 1
        best = max(votes.items(), key=lambda item: item[1], default=(None, 0))
        return best[0] if best[1] > len(self.sentinels) // 2 else None

    def kill_primary(self) -> float:
        """SIGKILL the current master; returns time.monotonic() of the kill."""
        port = self.master_port()
        node = next(n for n in [self.primary, *self.replicas] if n.port == port)
        node.kill()
        return time.monotonic()

    def wait_failover(self, old_port: int, timeout: float = 30) -> float | None:
        """Seconds until a majority of sentinels name a new master that answers as one."""
        started = time.monotonic()

        def promoted() -> bool:
            port = self.master_port()
            if port is None or port == old_port:
                return False
            try:
                role = redis.Redis(port=port, socket_timeout=1).execute_command("ROLE")[0]
            except redis.RedisError:
                return False
            return role == b"master"

        if not wait_until(promoted, timeout, 0.1):
            return None
        self.promoted_at = time.monotonic()
        return self.promoted_at - started

    def stop(self) -> None:
        for node in self.nodes:
            node.kill()
