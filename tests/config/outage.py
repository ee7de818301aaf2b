"""Real services for the fault-injection tests: a private PostgreSQL cluster the test may stop and start again.

The machine's own PostgreSQL (5432) and Redis (6379) are never touched: the
cluster here lives in a temporary directory, on a free port, and is removed
afterwards. PostgreSQL refuses to run as root, so when the tests run as root the
cluster's commands run as the `postgres` user (the directory is given to it).
"""

import contextlib
import json
import os
import pwd
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from tests.notifications.live import wait_until

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port(low: int, high: int) -> int:
    """A port nobody listens on, probed in random order (parallel runs do not all try the first one)."""
    ports = list(range(low, high + 1))
    random.shuffle(ports)
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


class PostgresCluster:
    """initdb in a temporary directory; start, stop (as a crash: immediate), start again on the same port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.workdir = Path(tempfile.mkdtemp(prefix="hoidap-pg-"))
        self.data = self.workdir / "data"
        self.log = self.workdir / "server.log"
        self.as_user: str | None = None
        if os.geteuid() == 0:
            self.as_user = "postgres"
            account = pwd.getpwnam(self.as_user)
            os.chown(self.workdir, account.pw_uid, account.pw_gid)

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if self.as_user:
            command = ["runuser", "-u", self.as_user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)

    def url(self, database: str = "hoidap") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        # Right after an immediate stop the old server's backends may still hold its shared memory for a moment,
        # and the new postmaster then refuses to start ("pre-existing shared memory block is still in use"): try
        # again for a few seconds, and say what the server logged if it never starts.
        for attempt in range(10):
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o", options, "start")
                return
            except subprocess.CalledProcessError as error:
                if attempt == 9:
                    log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
                    raise RuntimeError(f"PostgreSQL did not start: {error.stderr}\n{log}") from error
                time.sleep(0.5)

    def stop(self) -> None:
        """Like a crash: connections are cut at once, no checkpoint."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def running(self) -> bool:
        try:
            with psycopg.connect(self.url("postgres"), connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def createdb(self, name: str = "hoidap") -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def scalar(self, sql: str, database: str = "hoidap"):
        with psycopg.connect(self.url(database)) as conn:
            return conn.execute(sql).fetchone()[0]

    def remove(self) -> None:
        if self.running():
            try:
                self.stop()
            except subprocess.CalledProcessError:
                pass
        shutil.rmtree(self.workdir, ignore_errors=True)


def django_command(args: list[str], database_url: str, timeout: float = 180, extra_env: dict | None = None) -> str:
    """Run `python <args>` with the test settings on `database_url` (migrate, the seed script)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url,
            "PYTHONPATH": str(ROOT),
            **(extra_env or {}),
        }
    )
    result = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"{args} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout


def seed(database_url: str) -> dict:
    """A published question, its agency and topic, and a citizen account, in the cluster's database."""
    output = django_command(["-m", "tests.config.outage_seed"], database_url)
    return json.loads(output.strip().splitlines()[-1])


def production_password(user, password: str) -> None:
    """Give `user` a password the production settings can check (the test settings hash with MD5, which
    production does not accept); few iterations, since the hash says how many to use."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])


@contextlib.contextmanager
def celery_worker_and_beat(name: str, broker_url: str, smtp_port: int, tmp_path: Path):
    """A worker and beat (sweep every 2 s) on `broker_url` (plain or redis+sentinel://), e-mailing the SMTP sink."""
    from django.db import connection

    from tests.notifications import live

    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "PYTHONPATH": str(live.BASE_DIR),
            "NTF_BROKER_URL": broker_url,
            "NTF_DATABASE_NAME": connection.settings_dict["NAME"],
            "NTF_SMTP_PORT": str(smtp_port),
        }
    )
    worker = live.worker(name, env, tmp_path)
    beat = live.beat(env, tmp_path)
    try:
        worker.start(ready_marker=f"{name}@ntf ready.")
        beat.start(ready_marker="beat: Starting...")
        yield worker, beat
    finally:
        for process in (beat, worker):
            process.stop()
            process.kill()


def timed_until(predicate, timeout: float, interval: float = 0.1, since: float | None = None) -> float | None:
    """Seconds from `since` (default: now) until `predicate()` held, or None if it never did within `timeout`."""
    started = time.monotonic() if since is None else since
    if wait_until(predicate, timeout, interval):
        return time.monotonic() - started
    return None
