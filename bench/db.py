"""The benchmark's own PostgreSQL database (never the test or postgres databases) and Redis DB 9."""

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


def flush_redis() -> None:
    """Empty the bench's Redis DB (9): channel layer, cache, broker queues of earlier runs."""
    redis.Redis.from_url(stack.REDIS_URL).flushdb()


def drop(database: str) -> None:
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{stack.PG_URL}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
