"""The benchmark's own PostgreSQL database (never the test or postgres databases) and Redis DB 9.

One run per database at a time: a run takes a session-level advisory lock for its database
(pg_try_advisory_lock in the `postgres` database, so dropping and re-creating the bench
database does not release it) before touching anything, and holds it until it exits. A
second run on the same database stops at once with a message naming the holder.
"""

import os

import psycopg
import redis

from . import stack


def prepare(database: str, *, keep: bool) -> bool:
    """Create the database (dropping an old one unless `keep`); then point Django at it and migrate.

    Returns True when the database was created afresh.
    """
    if not database.startswith("bench"):
        raise SystemExit(f"refusing to use database {database!r}: benchmark databases are named bench*")
    created = False
    with psycopg.connect(f"{stack.PG_URL}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{database}"')
            created = True
    os.environ.update(stack.bench_env(database))
    # The harness is a client, not a server: plain connections (its worker threads come and go, and a pooled
    # connection is only returned when its thread closes it).
    os.environ["DATABASE_POOL"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return created


class BenchBusy(SystemExit):
    """Another run holds the database's lock."""


_lock_connections: dict[str, psycopg.Connection] = {}


def lock(database: str) -> None:
    """Take the run's lock on `database` for the life of this process, or stop with a clear message."""
    if database in _lock_connections:
        return
    conn = psycopg.connect(f"{stack.PG_URL}/postgres", autocommit=True, application_name=_holder_name())
    key = f"bench-run:{database}"
    taken = conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [key]).fetchone()[0]
    if not taken:
        holder = conn.execute(
            """
            SELECT a.application_name, a.backend_start
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.objid::bigint = (hashtext(%s)::bigint & 4294967295)
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """,
            [key],
        ).fetchone()
        conn.close()
        who = f"{holder[0]} (since {holder[1]:%H:%M:%S})" if holder else "another run"
        raise BenchBusy(
            f"refusing to start: {who} is using the database {database!r}. Wait for it to finish, or give this run "
            "another database (--database bench_<name>) and Redis DB (BENCH_REDIS_DB)."
        )
    _lock_connections[database] = conn  # closed when the process exits: the lock goes with it


def unlock(database: str) -> None:
    conn = _lock_connections.pop(database, None)
    if conn is not None:
        conn.close()


def _holder_name() -> str:
    return f"bench run {stack.RUN_ID} pid {os.getpid()}"[:63]


def flush_redis() -> int:
    """Delete this run's keys (cache, channel layer, broker queues, viewer counts), none of another run's."""
    client = redis.Redis.from_url(stack.REDIS_URL)
    deleted = 0
    batch: list[bytes] = []
    for key in client.scan_iter(match=f"{stack.RUN_PREFIX}:*", count=1000):
        batch.append(key)
        if len(batch) >= 500:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    return deleted


def drop(database: str) -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{stack.PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
