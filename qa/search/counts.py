"""Counts that stop early, and the planner's estimate beyond them (PostgreSQL's EXPLAIN).

Why (bench/results/2026-11-30-2101.md, rows 14 and 15: the archive list at 1,000,000 rows, p95 14.7 ms on the
page and 9.2 ms on the API; docs/performance.md, "Archive search", Counts): every list page's paginator counts,
and an exact count(*) of a million published questions, or of a common search, cost seconds. So count() is
exact up to COUNT_CAP and the planner's estimate above it (EXPLAIN plans without reading the rows, under a
millisecond). The staff queue shows the same estimate for a tab above its cap (rows 19–21: queue page p95
40.5 ms at 100,000 questions in one agency, the same number of queries for 1,000 and 100,000).
"""

import json

from django.db import connection, connections
from django.db.models import QuerySet

# Counts are exact up to this many rows; beyond it the planner's estimate (a million-row count(*) costs seconds).
COUNT_CAP = 1000


class CappedCountQuerySet(QuerySet):
    """A queryset whose count() is exact up to COUNT_CAP and the planner's estimate beyond it (PostgreSQL).

    Paginators call count() on every list page; with a million published
    questions an exact count(*) of a common search cost seconds (measured in
    bench/). Pages past the estimate come out empty, which paginators handle.
    A selector that already knows the count (the ranked candidates) sets
    `known_count`; it is kept by clones, so filter such a queryset no further.
    """

    known_count: int | None = None

    def _clone(self):
        clone = super()._clone()
        clone.known_count = self.known_count
        return clone

    def count(self) -> int:
        if self.known_count is not None and not self.query.is_sliced:
            return self.known_count
        if self._result_cache is not None or connection.vendor != "postgresql" or self.query.is_sliced:
            return super().count()
        capped = QuerySet.count(self.order_by().values("pk")[: COUNT_CAP + 1])
        if capped <= COUNT_CAP:
            return capped
        return max(_explain_rows(connection, *self.order_by().values("pk").query.sql_with_params()), capped)


def capped(queryset: QuerySet) -> QuerySet:
    """The same queryset with a capped count().

    Technique: the queryset's class is swapped on a clone made with Django's private QuerySet._chain(), so every
    filter, annotation and ordering already applied is kept (a new CappedCountQuerySet(model) would lose them).
    """
    capped = queryset._chain()
    capped.__class__ = CappedCountQuerySet
    return capped


# When the planner expects this many times the cap, its estimate is shown without counting up to the cap first:
# reading 1,001 rows of a million-row archive cost 21 ms under load (a whole page's budget), the plan under 1 ms.
ESTIMATE_FIRST_ABOVE = 5


def capped_count(queryset: QuerySet) -> tuple[int, bool]:
    """(count, estimated): exact up to COUNT_CAP, beyond it the planner's estimate, flagged so pages say "about".

    The estimate is asked first: far above the cap it is the answer (the planner knows single columns well:
    agency, topic, dates); near or below it, the capped count decides.
    """
    if connection.vendor != "postgresql":
        return queryset.count(), False
    estimate = estimated_rows(queryset)
    if estimate > ESTIMATE_FIRST_ABOVE * COUNT_CAP:
        return estimate, True
    count = capped(queryset).count()
    return count, count > COUNT_CAP


def rounded_estimate(count: int) -> int:
    """An estimate shown to two significant digits ("khoảng 67.000", not a precise-looking 66,842)."""
    if count < 100:
        return count
    scale = 10 ** (len(str(count)) - 2)
    return round(count / scale) * scale


def estimated_rows(queryset: QuerySet) -> int:
    """The planner's estimate of the rows a queryset returns (PostgreSQL: EXPLAIN's top "Plan Rows"); elsewhere exact.

    Migration 0006 gives the planner statistics on (agency, queue_tab) together (qa.search.planner), so the
    estimate of a staff tab follows its agency's own mix of states.
    """
    queryset = queryset.order_by().values("pk")
    db = connections[queryset.db]
    if db.vendor != "postgresql":
        return queryset.count()
    return _explain_rows(db, *queryset.query.sql_with_params())


def _explain_rows(db, sql: str, params) -> int:
    with db.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return int(plan[0]["Plan"]["Plan Rows"])
