"""The statistics' partial index on qa_question for "overdue now", kept in step with qa's status table.

Stats migration 0005 created it first (why it exists: 420 ms → 2 ms at 1,000,000 questions, docs/statistics.md).
Its condition lists the statuses whose clock runs (qa.status.RUNNING_CLOCK_STATUSES); a status added to that
table, or the `deadline` column rebuilt by qa.status_schema (which drops the indexes that depend on it), would
leave it stale or gone without a word. After every `migrate` this module compares the index in the database with
the table and (re)creates it when they differ, so a new status needs no statistics migration.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connections

INDEX = "stats_q_running_deadline_idx"


def running_clock_statuses() -> frozenset[str]:
    from qa.status import RUNNING_CLOCK_STATUSES

    return frozenset(str(status) for status in RUNNING_CLOCK_STATUSES)


def condition(statuses: frozenset[str]) -> str:
    """The WHERE clause as PostgreSQL prints it back (pg_indexes), so generate_archive's drop-and-recreate of the
    table's indexes from their printed definitions gives back exactly this index."""
    listed = ", ".join(f"'{status}'::character varying" for status in sorted(statuses))
    return f"((status)::text = ANY ((ARRAY[{listed}])::text[]))"


def indexed_statuses(using: str = "default") -> frozenset[str] | None:
    """The statuses the index in the database covers; None when it is missing (or not on PostgreSQL)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [INDEX])
        row = cursor.fetchone()
    if row is None:
        return None
    return frozenset(re.findall(r"'([a-z_]+)'::character varying", row[0]))


def ensure_overdue_index(using: str = "default", **kwargs: Any) -> bool:
    """post_migrate: (re)create the index when it is missing or covers other statuses; True when it did."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('qa_question') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
    wanted = running_clock_statuses()
    if indexed_statuses(using) == wanted:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        cursor.execute(
            f"CREATE INDEX {INDEX} ON qa_question (deadline) INCLUDE (agency_id, topic_id) WHERE {condition(wanted)}"
        )
    return True
