"""The staff queue's counting SQL: capped counts, and a text search's walk-or-trigram statement (PostgreSQL).

Why (bench/results/2026-11-30-2101.md, rows 19–21: the queue page p95 40.5 ms and the queue API p95 29.0 ms at
100,000 questions in one agency, the same 11 / 7 queries for 1,000 and 100,000; docs/performance.md, "Staff
queue"): every tab's count stops at cap + 1 index entries, all in one statement; a text search's counts walk
the scope's newest rows first and fall back to the trigram index only when the walk cannot settle it (the index
alone read 176,853 entries for "giấy chứng nhận", 100–220 ms; the walk settles it in 2–33 ms).

qa.staff.selectors builds the querysets (scope, filters, tabs) and calls these two functions with them.
"""

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet


def capped_count_sql(queryset: QuerySet, limit: int) -> tuple[str, list]:
    sql, params = queryset.values("queue_tab")[:limit].query.sql_with_params()
    return f"(SELECT COUNT(*) FROM ({sql}) AS capped)", list(params)  # noqa: S608 (Django-compiled SQL)


# A text search's counts on PostgreSQL: the trigram index reads every entry of the search's trigrams in the
# whole table (the archive too), ~100 ms for common words whatever the agency, but it is the right tool for
# rare ones. So the statement first walks the scope's newest rows (the (agency, [queue_tab,] -created_at, -id)
# index, the row's text checked on the heap): a probe of cap + 1 rows, then, if the scope ended there or the
# probe's matches promise cap + 1 matches within _WALK_CAPS * (cap + 1) rows, the walk goes on until cap + 1
# matches or that many rows. The walk decides when it found more than the cap or read the whole scope;
# otherwise (or when the probe saw too few matches) the trigram path counts, and only then is it executed.
_WALK_CAPS = 20  # rows walked at most, in caps: ~3 us a row (a heap page each), so ~60 ms for the default cap
_WALK_MARGIN = 1.5  # the probe's density must promise the cap + 1 matches this many times over


def walk_or_trigram_sql(name: str, scope: QuerySet, condition: Q, cap: int) -> tuple[str, list]:
    """CTEs ending in `{name}`: the queue_tab of at most cap + 2 matches of `condition` in `scope` (PostgreSQL).

    More than cap matches in it means more than cap in the scope; fewer means exactly those (see above).
    """
    probe, walk_limit = cap + 1, _WALK_CAPS * (cap + 1)
    walk = (
        scope.annotate(hit=ExpressionWrapper(condition, output_field=BooleanField()))
        .order_by("-created_at", "-id")
        .values("queue_tab", "hit")
    )
    # Subqueries, not CTEs, around the walks: under a LIMIT the planner plans them to stop early (index order).
    probe_sql, probe_params = walk[:probe].query.sql_with_params()
    walk_sql, walk_params = walk[: walk_limit + 1].query.sql_with_params()
    trigram_sql, trigram_params = scope.filter(condition).values("queue_tab")[: cap + 1].query.sql_with_params()
    sql = f"""
    {name}_probe AS MATERIALIZED (
        SELECT count(*) < {probe} OR count(*) FILTER (WHERE hit) * {walk_limit} >= {_WALK_MARGIN} * {probe * probe}
            AS go
        FROM ({probe_sql}) AS probed
    ),
    {name}_hits AS MATERIALIZED (
        SELECT * FROM (
            SELECT queue_tab, hit, rn FROM (
                SELECT queue_tab, hit, row_number() OVER () AS rn FROM ({walk_sql}) AS walk
            ) AS walked WHERE hit OR rn = {walk_limit + 1} LIMIT {cap + 2}
        ) AS hits WHERE (SELECT go FROM {name}_probe)
    ),
    {name}_decided AS MATERIALIZED (
        SELECT (SELECT go FROM {name}_probe)
            AND (count(*) FILTER (WHERE hit) > {cap} OR count(*) FILTER (WHERE rn > {walk_limit}) = 0) AS done
        FROM {name}_hits
    ),
    {name} AS (
        SELECT queue_tab FROM {name}_hits WHERE hit AND (SELECT done FROM {name}_decided)
        UNION ALL
        SELECT * FROM ({trigram_sql}) AS matched WHERE NOT (SELECT done FROM {name}_decided)
    )"""  # noqa: S608 (Django-compiled SQL and integers)
    return sql, [*probe_params, *walk_params, *trigram_params]
