"""Reads of the statistics: sums of the daily rows for a period, an agency (with its sub-agencies) and a topic.

Every function costs a fixed number of queries whatever the number of agencies,
topics or days: the daily rows are summed by the database, grouped by one
column, and the working-days histogram gives exact medians. Only "overdue now"
reads the question table (qa.periodic's overdue rule, on the deadline index).
"""

import contextlib
import datetime
import math
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Model, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import lineage
from accounts.collation import sorted_vi, vi_sort_key
from accounts.models import Agency, AgencyFormerName, AgencySuccession
from qa import periodic, places
from qa.models import Channel, RejectionReason, Topic

from .models import (
    COUNTERS,
    PLACE_COUNTERS,
    DailyDuration,
    DailyLevelDuration,
    DailyLevelStat,
    DailyLiveStat,
    DailyPlaceStat,
    DailyStat,
    MonthlyDuration,
    MonthlyPlaceStat,
    MonthlyStat,
)
from .periods import Period, parse_period

LIVE_COUNTERS = ("sessions_held", "live_received", "live_answered", "live_forwarded")
REJECTION_FIELDS = {reason.value: f"rejected_{reason.value}" for reason in RejectionReason}
RANKING_SORTS = ("name", "received", "answered", "on_time_rate", "median_days", "satisfaction", "overdue_now")
# Agencies as they were in the period ("then": a merged department keeps its own line, under its name then) or
# as they are today ("today": its figures are folded into the agency that carries on its work).
STRUCTURES = ("then", "today")


@dataclass(frozen=True)
class Filters:
    period: Period
    agency: Agency | None = None
    topic: Topic | None = None
    agency_ids: tuple[int, ...] | None = None  # the agency and its sub-agencies; None: all
    structure: str = "then"  # one of STRUCTURES

    def params(self) -> dict[str, str]:
        """The query string that asks for these filters again (links, downloads)."""
        out: dict[str, str] = {}
        if self.period.kind == "custom":
            out.update(start=self.period.start.isoformat(), end=self.period.end.isoformat())
        else:
            out["period"] = self.period.code
        if self.agency:
            out["agency"] = self.agency.slug
        if self.topic:
            out["topic"] = self.topic.slug
        if self.structure != "then":
            out["structure"] = self.structure
        return out


def agency_tree() -> list[tuple[Agency, int]]:
    """Every active agency with its depth, parents before children (for the agency select)."""
    agencies = sorted_vi(Agency.objects.filter(is_active=True))
    children: dict[int | None, list[Agency]] = defaultdict(list)
    ids = {a.pk for a in agencies}
    for agency in agencies:
        children[agency.parent_id if agency.parent_id in ids else None].append(agency)
    out: list[tuple[Agency, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for agency in children[parent]:
            out.append((agency, depth))
            walk(agency.pk, depth + 1)

    walk(None, 0)
    return out


def subtree_ids(agency: Agency) -> tuple[int, ...]:
    """The agency and every agency below it, active or not (its history counts), in one query."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent in Agency.objects.values_list("pk", "parent_id"):
        children[parent].append(pk)
    out, stack = [], [agency.pk]
    while stack:
        pk = stack.pop()
        out.append(pk)
        stack.extend(children[pk])
    return tuple(sorted(out))


def agency_scope(agency: Agency | None, *, structure: str = "then") -> tuple[int, ...] | None:
    """The agency ids a filter on `agency` covers (None: every agency, also for an agency above all others,
    such as the city committee: the same figures, read from the coarser rows). By today's structure the
    agencies whose work passed to them (merged or closed into them) count too."""
    if agency is None:
        return None
    ids = subtree_ids(agency)
    if structure == "today":
        ids = tuple(sorted(set(ids) | lineage.predecessor_ids(list(ids))))
    return None if len(ids) == Agency.objects.count() else ids


def successors_today() -> dict[int, int]:
    """{agency id: the active agency that carries on its work today} for every inactive agency with one
    (merges and closures, followed through chains); a split agency has none and keeps its own line. Two
    queries, whatever the number of agencies."""
    active = set(Agency.objects.filter(is_active=True).values_list("pk", flat=True))
    after: dict[int, list[int]] = defaultdict(list)
    for predecessor, successor in AgencySuccession.objects.values_list("predecessor_id", "successor_id"):
        after[predecessor].append(successor)
    out: dict[int, int] = {}
    for start in after:
        current, seen = start, set()
        while current not in active and len(after.get(current, ())) == 1 and current not in seen:
            seen.add(current)
            current = after[current][0]
        if current in active and current != start:
            out[start] = current
    return out


def parse_filters(params: Mapping[str, Any], *, today: datetime.date | None = None) -> Filters:
    """Filters from a query string (`period` or `start`+`end`, `agency` slug, `topic` slug); ValidationError."""
    errors: dict[str, list[str]] = {}
    period = None
    try:
        period = parse_period(params.get("period"), params.get("start"), params.get("end"), today=today)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    agency = topic = None
    if slug := (params.get("agency") or "").strip():
        agency = Agency.objects.filter(slug=slug).first()
        if agency is None:
            errors["agency"] = [_("There is no agency “%(slug)s”.") % {"slug": slug[:80]}]
    if slug := (params.get("topic") or "").strip():
        topic = Topic.objects.filter(slug=slug).first()
        if topic is None:
            errors["topic"] = [_("There is no topic “%(slug)s”.") % {"slug": slug[:80]}]
    structure = (params.get("structure") or "then").strip()
    if structure not in STRUCTURES:
        errors["structure"] = [_("Choose agencies as they were then or as they are today.")]
    if errors or period is None:
        raise ValidationError(errors)
    return Filters(period, agency, topic, agency_scope(agency, structure=structure), structure)


def _rows(model: type[Model], filters: Filters, *, period: Period | None = None, topic: bool = True) -> QuerySet[Any]:
    """Daily rows of the period (used as is for live figures; counters go through _parts)."""
    period = period or filters.period
    return _scoped(model._default_manager.filter(day__gte=period.start, day__lte=period.end), filters, topic=topic)


def _scoped(queryset: QuerySet[Any], filters: Filters, *, topic: bool = True) -> QuerySet[Any]:
    if filters.agency_ids is not None:
        queryset = queryset.filter(agency_id__in=filters.agency_ids)
    if topic and filters.topic is not None:
        queryset = queryset.filter(topic=filters.topic)
    return queryset


def _split(
    period: Period,
) -> tuple[tuple[datetime.date, datetime.date] | None, list[tuple[datetime.date, datetime.date]]]:
    """The whole calendar months inside the period, and the days at either edge outside them."""
    day = datetime.timedelta(days=1)
    first = (
        period.start
        if period.start.day == 1
        else (period.start.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    )
    last = period.end if (period.end + day).day == 1 else period.end.replace(day=1) - day
    if first > last:
        return None, [(period.start, period.end)]
    edges = [(period.start, first - day)] if period.start < first else []
    if last < period.end:
        edges.append((last + day, period.end))
    return (first, last), edges


def _level(filters: Filters, column: str | None) -> str:
    """The coarsest monthly level that answers: a topic filter needs the full rows; a breakdown by topic needs
    the topic level (all agencies) or, for some agencies only, the full rows; anything else the agency level."""
    if filters.topic is not None:
        return "full"
    if column == "topic":
        return "topic" if filters.agency_ids is None else "full"
    return "agency"


def _parts(kind: str, filters: Filters, *, period: Period | None = None, column: str | None = None) -> list:
    """Querysets whose rows together cover the period once: monthly rows (at the level `_level` picks for
    grouping by `column`) for whole months, day rows of the same level for the edges. `kind` is "stat" or
    "duration"; every row has `bucket` (its day or month) for grouping by month."""
    daily, by_level, monthly = (
        (DailyStat, DailyLevelStat, MonthlyStat)
        if kind == "stat"
        else (DailyDuration, DailyLevelDuration, MonthlyDuration)
    )
    level = _level(filters, column)
    months, edges = _split(period or filters.period)
    parts = []
    if months is not None:
        queryset = monthly.objects.filter(level=level, month__gte=months[0], month__lte=months[1].replace(day=1))
        parts.append(_scoped(queryset, filters).annotate(bucket=F("month")))
    if edges:
        condition = Q()
        for start, end in edges:
            condition |= Q(day__gte=start, day__lte=end)
        edge_rows = daily.objects.all() if level == "full" else by_level.objects.filter(level=level)
        parts.append(_scoped(edge_rows.filter(condition), filters).annotate(bucket=F("day")))
    return parts


def percentile(histogram: dict[int, int], share: float) -> int | None:
    """Nearest-rank percentile of a {value: count} histogram (the median is share 0.5)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover - unreachable


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Summary:
    counters: dict[str, int]
    by_channel: dict[str, int]
    rejected: dict[str, int]
    median_days: int | None
    p90_days: int | None
    overdue_now: int
    live: dict[str, int] | None  # None when a topic is chosen (sessions have no topic in the figures)
    on_time_rate: float | None = field(init=False)
    satisfaction: float | None = field(init=False)
    rejected_total: int = field(init=False)

    def __post_init__(self) -> None:
        self.on_time_rate = _rate(self.counters["answered_on_time"], self.counters["answered"])
        self.satisfaction = _rate(self.counters["ratings_satisfied"], self.counters["ratings"])
        self.rejected_total = sum(self.rejected.values())


def _overdue_now(filters: Filters, group_by: str | None = None) -> Any:
    queryset = periodic.questions_overdue(today=timezone.localdate()).order_by()
    if filters.agency_ids is not None:
        queryset = queryset.filter(agency_id__in=filters.agency_ids)
    if filters.topic is not None:
        queryset = queryset.filter(topic=filters.topic)
    if group_by is None:
        return queryset.count()
    # COUNT(*), not COUNT(id): the covering index (stats migration 0005) answers it without the table.
    return dict(queryset.values_list(group_by).annotate(n=Count("*")).values_list(group_by, "n"))


# Dimensions a grouped read can sum by, in the order its SQL lists them.
DIMENSIONS = ("agency_id", "topic_id", "channel", "bucket", "working_days")


def _grouping_sets(
    kind: str,
    filters: Filters,
    sets: tuple[tuple[str, ...], ...],
    *,
    period: Period | None = None,
    column: str | None = None,
) -> dict[tuple[str, ...], list[tuple]]:
    """The rows of `_parts` summed by each of `sets` (tuples of DIMENSIONS) in ONE query: GROUPING SETS on
    PostgreSQL (one scan of the rows), a UNION ALL of GROUP BYs elsewhere (MIN() of the dimensions left out keeps
    their types, which a bare NULL would not in a union on PostgreSQL). Returns, per set, tuples of the set's
    dimensions followed by the sums (every COUNTER for "stat", the count for "duration").

    Why one query: the page needs the same rows summed by channel, agency, month and topic; separate queries
    each planned and scanned the rows again (14–27 queries a page)."""
    values = COUNTERS if kind == "stat" else ("count",)
    dims = [d for d in DIMENSIONS if any(d in s for s in sets)]
    selects, params = [], []
    for i, part in enumerate(_parts(kind, filters, period=period, column=column)):
        sql, part_params = part.values_list(*dims, *values).query.sql_with_params()
        selects.append(f"SELECT {', '.join((*dims, *values))} FROM ({sql}) p{i}")  # noqa: S608 - fixed names
        params.extend(part_params)
    rows_sql = " UNION ALL ".join(selects)
    sums = ", ".join(f"SUM({v})" for v in values)

    def mask(group: tuple[str, ...]) -> int:  # PostgreSQL's GROUPING(): a 1 bit for each dimension left out
        return sum(1 << (len(dims) - 1 - i) for i, d in enumerate(dims) if d not in group)

    if connection.vendor == "postgresql":
        grouping = ", ".join(f"({', '.join(group)})" for group in sets)
        sql = (
            f"WITH r AS ({rows_sql}) SELECT GROUPING({', '.join(dims)}), {', '.join(dims)}, {sums} "  # noqa: S608
            f"FROM r GROUP BY GROUPING SETS ({grouping})"
        )
    else:
        sql = f"WITH r AS ({rows_sql}) " + " UNION ALL ".join(
            f"SELECT {mask(group)}, {', '.join(d if d in group else f'MIN({d})' for d in dims)}, {sums} "  # noqa: S608
            f"FROM r GROUP BY {', '.join(group)}"
            for group in sets
        )
    by_mask = {mask(group): group for group in sets}
    out: dict[tuple[str, ...], list[tuple]] = {group: [] for group in sets}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            group = by_mask[row[0]]
            key = tuple(_as_date(row[1 + dims.index(d)]) if d == "bucket" else row[1 + dims.index(d)] for d in group)
            out[group].append((*key, *(v or 0 for v in row[1 + len(dims) :])))
    return out


def _as_date(value: Any) -> Any:
    """SQLite's raw cursor gives dates as text."""
    return datetime.date.fromisoformat(value[:10]) if isinstance(value, str) else value


@dataclass
class _Read:
    """Counters and working-days histograms summed per key of each asked breakdown ("channel", "agency",
    "month", "topic"; "total" always): what the page's tables are made of."""

    sums: dict[str, dict[Any, dict[str, int]]]
    histograms: dict[str, dict[Any, dict[int, int]]]


# What each breakdown groups the counter rows and the duration rows by ("total" sums the channel breakdown;
# channels and months have no histogram).
STAT_GROUPS = {"total": ("channel",), "channel": ("channel",), "agency": ("agency_id",), "month": ("bucket",)}
STAT_GROUPS["topic"] = ("topic_id",)
DURATION_GROUPS = {"total": ("working_days",), "agency": ("agency_id", "working_days")}
DURATION_GROUPS["topic"] = ("topic_id", "working_days")


def _read(filters: Filters, wanted: set[str], *, period: Period | None = None) -> _Read:
    """Every breakdown in `wanted` (and the total) from 2 queries per level of rows: the topic breakdown reads
    the topic level (or the full rows) and shares the others' queries when that is the same level."""
    names_all = ("total", *sorted(wanted))
    sums: dict[str, dict[Any, dict[str, int]]] = {n: defaultdict(lambda: dict.fromkeys(COUNTERS, 0)) for n in names_all}
    histograms: dict[str, dict[Any, dict[int, int]]] = {n: defaultdict(lambda: defaultdict(int)) for n in names_all}
    by_level: dict[str, list[str]] = defaultdict(list)
    for name in names_all:
        by_level[_level(filters, "topic" if name == "topic" else None)].append(name)
    with _serial_plans():
        _read_levels(filters, by_level, sums, histograms, period)
    return _Read(sums, histograms)


@contextlib.contextmanager
def _serial_plans() -> Iterator[None]:
    """The grouped reads without parallel workers (PostgreSQL): they sum a few thousand rows, and starting a
    parallel plan's workers took longer than the sum itself (10–15 ms of a 20 ms read); a web node serves many
    requests at once anyway. One transaction and one SET for all of them."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def _read_levels(
    filters: Filters,
    by_level: dict[str, list[str]],
    sums: dict[str, dict[Any, dict[str, int]]],
    histograms: dict[str, dict[Any, dict[int, int]]],
    period: Period | None,
) -> None:
    for names in by_level.values():
        column = "topic" if "topic" in names else None
        stat_sets = tuple(dict.fromkeys(STAT_GROUPS[name] for name in names))
        for group, rows in _grouping_sets("stat", filters, stat_sets, period=period, column=column).items():
            for name in (n for n in names if STAT_GROUPS[n] == group):
                for row in rows:
                    key = None if name == "total" else _month(row[0]) if name == "month" else row[0]
                    slot = sums[name][key]
                    for counter, value in zip(COUNTERS, row[1:], strict=True):
                        slot[counter] += value
        duration_sets = tuple(DURATION_GROUPS[name] for name in names if name in DURATION_GROUPS)
        if duration_sets:
            for group, rows in _grouping_sets("duration", filters, duration_sets, period=period, column=column).items():
                name = next(n for n in names if DURATION_GROUPS.get(n) == group)
                for row in rows:
                    histograms[name][row[0] if len(group) > 1 else None][row[-2]] += row[-1]


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def summary(filters: Filters, *, period: Period | None = None, with_overdue: bool = True) -> Summary:
    """The headline figures of the filters' period (or another `period`, for comparisons): 3–4 queries."""
    return _summary(filters, _read(filters, {"channel"}, period=period), period=period, with_overdue=with_overdue)


def _summary(
    filters: Filters,
    read: _Read,
    *,
    period: Period | None = None,
    with_overdue: bool = True,
    overdue: int | None = None,
) -> Summary:
    counters = read.sums["total"][None] if None in read.sums["total"] else dict.fromkeys(COUNTERS, 0)
    by_channel = dict.fromkeys(Channel.values, 0)
    for channel, row in read.sums["channel"].items():
        by_channel[channel] = by_channel.get(channel, 0) + row["received"]
    histogram = read.histograms["total"].get(None, {})
    live = None
    if filters.topic is None:
        live = _rows(DailyLiveStat, filters, period=period, topic=False).aggregate(**{c: Sum(c) for c in LIVE_COUNTERS})
        live = {k: v or 0 for k, v in live.items()}
    if overdue is None:
        overdue = _overdue_now(filters) if with_overdue else 0
    return Summary(
        counters=dict(counters),
        by_channel=by_channel,
        rejected={reason: counters[name] for reason, name in REJECTION_FIELDS.items()},
        median_days=percentile(histogram, 0.5),
        p90_days=percentile(histogram, 0.9),
        overdue_now=overdue,
        live=live,
    )


def _line(name: str, row: dict[str, Any] | None, histogram: dict[int, int], **extra: Any) -> dict[str, Any]:
    row = row or {}
    answered = row.get("answered") or 0
    return {
        "name": name,
        "received": row.get("received") or 0,
        "answered": answered,
        "published": row.get("published") or 0,
        "on_time_rate": _rate(row.get("answered_on_time") or 0, answered),
        "median_days": percentile(histogram, 0.5),
        "satisfaction": _rate(row.get("ratings_satisfied") or 0, row.get("ratings") or 0),
        "ratings": row.get("ratings") or 0,
        **extra,
    }


def ranking(filters: Filters, *, sort: str = "on_time_rate", descending: bool = True) -> list[dict]:
    """One line per agency (the chosen one and those below it, or all), sortable by any column. Four queries.

    Agencies with nothing in the period are left out; a missing rate sorts last whatever the direction.
    """
    return _ranking(filters, _read(filters, {"agency"}), _overdue_now(filters, "agency"), sort, descending)


def _ranking(filters: Filters, read: _Read, overdue: dict, sort: str, descending: bool) -> list[dict]:
    sums, histograms = read.sums["agency"], read.histograms["agency"]
    if filters.structure == "today":
        sums, histograms, overdue = _folded(successors_today(), sums, histograms, overdue)
    agencies = Agency.objects.filter(pk__in=set(sums) | set(overdue)).only("pk", "name", "slug")
    if filters.structure == "then":  # named as on the period's last day, in the same query
        agencies = agencies.annotate(name_then=_name_then(filters.period.end))
    lines = [
        _line(
            getattr(a, "name_then", None) or a.name,
            sums.get(a.pk),
            histograms.get(a.pk, {}),
            slug=a.slug,
            overdue_now=overdue.get(a.pk, 0),
        )
        for a in agencies
    ]
    sort = sort if sort in RANKING_SORTS else "on_time_rate"
    present = [line for line in lines if line[sort] is not None]
    missing = [line for line in lines if line[sort] is None]
    key = (lambda line: line["name"].lower()) if sort == "name" else (lambda line: (line[sort], line["name"]))
    present.sort(key=key, reverse=descending)
    return present + sorted(missing, key=lambda line: line["name"].lower())


def _folded(successors: dict[int, int], sums: dict, histograms: dict, overdue: dict) -> tuple[dict, dict, dict]:
    """Per-agency figures with each merged or closed agency's added into its successor's today."""
    new_sums: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    new_histograms: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    new_overdue: dict[int, int] = defaultdict(int)
    for pk, row in sums.items():
        slot = new_sums[successors.get(pk, pk)]
        for counter in COUNTERS:
            slot[counter] += row.get(counter) or 0
    for pk, histogram in histograms.items():
        for days, n in histogram.items():
            new_histograms[successors.get(pk, pk)][days] += n
    for pk, n in overdue.items():
        new_overdue[successors.get(pk, pk)] += n
    return new_sums, new_histograms, new_overdue


def _name_then(day: datetime.date) -> Subquery:
    """An annotation: the agency's name on `day` when it was renamed since (None otherwise)."""
    return Subquery(
        AgencyFormerName.objects.filter(agency=OuterRef("pk"), valid_until__gt=day)
        .order_by("valid_until", "id")
        .values("name")[:1]
    )


def by_topic(filters: Filters) -> list[dict]:
    """One line per topic with anything in the period, by the number received. Three queries."""
    return _by_topic(_read(filters, {"topic"}))


def _by_topic(read: _Read) -> list[dict]:
    sums, histograms = read.sums["topic"], read.histograms["topic"]
    topics = Topic.objects.filter(pk__in=sums).only("pk", "name", "slug")
    lines = [_line(t.name, sums.get(t.pk), histograms.get(t.pk, {}), slug=t.slug) for t in topics]
    return sorted(lines, key=lambda line: (-line["received"], line["name"]))


def monthly(filters: Filters) -> list[dict]:
    """Received, answered and answered on time per month of the period (months with nothing show zeros)."""
    return _monthly(filters, _read(filters, {"month"}))


def _monthly(filters: Filters, read: _Read) -> list[dict]:
    by_month = read.sums["month"]
    out: list[dict[str, Any]] = []
    cursor = filters.period.start.replace(day=1)
    while cursor <= filters.period.end and len(out) < 61:
        row = by_month.get(cursor, {})
        out.append(
            {
                "month": f"{cursor.year}-{cursor.month:02d}",
                "received": row.get("received") or 0,
                "answered": row.get("answered") or 0,
                "answered_on_time": row.get("answered_on_time") or 0,
            }
        )
        cursor = (cursor + datetime.timedelta(days=32)).replace(day=1)
    return out


# Public output gives no exact figures for a unit with fewer questions than this in the period: a small
# commune and a topic could point to a person.
PLACE_MIN_QUESTIONS = 5


def _place_rows(filters: Filters) -> list[dict[str, Any]]:
    """Received, answered and on time per unit for the filters, summed from the pre-aggregated rows in one
    statement: monthly rows (at the coarsest level that answers the filters) for whole months, the daily rows for
    the days at the edges."""
    level = (
        "full"
        if filters.agency_ids is not None and filters.topic is not None
        else ("agency" if filters.agency_ids is not None else "topic" if filters.topic is not None else "place")
    )
    months, edges = _split(filters.period)
    sums = {counter: Sum(counter) for counter in PLACE_COUNTERS}
    parts: list[QuerySet[Any]] = []
    if months is not None:
        parts.append(
            MonthlyPlaceStat.objects.filter(level=level, month__gte=months[0], month__lte=months[1].replace(day=1))
        )
    if edges:
        condition = Q()
        for first, last in edges:
            condition |= Q(day__gte=first, day__lte=last)
        parts.append(DailyPlaceStat.objects.filter(condition))
    grouped = []
    for part in parts:
        if filters.agency_ids is not None:
            part = part.filter(agency_id__in=filters.agency_ids)
        if filters.topic is not None:
            part = part.filter(topic_id=filters.topic.pk)
        grouped.append(part.order_by().values("place_id").annotate(**sums))
    if not grouped:
        return []
    rows: dict[int, dict[str, Any]] = {}
    query = grouped[0].union(*grouped[1:], all=True) if len(grouped) > 1 else grouped[0]
    for row in query:
        slot = rows.setdefault(row["place_id"], {"place_id": row["place_id"], **dict.fromkeys(PLACE_COUNTERS, 0)})
        for counter in PLACE_COUNTERS:
            slot[counter] += row[counter] or 0
    return list(rows.values())


def by_place(filters: Filters) -> list[dict]:
    """One line per commune-level unit named by the askers: questions received and answered in the period, and
    answered by the deadline then in force (the statistics' own rule), from the pre-aggregated rows by place
    (stats.aggregation), plus one query per link of the units' merger chains for their names.

    By the structure then, each unit keeps its own line; by today's, a merged unit's questions count under the
    unit that carries on its area. A unit with fewer than PLACE_MIN_QUESTIONS questions received and fewer
    answered in the period, after folding, is `suppressed`: its counts are None, to be shown as "< 5".
    """
    rows = _place_rows(filters)
    known = places.units_with_successors({row["place_id"] for row in rows})
    sums: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PLACE_COUNTERS, 0))
    for row in rows:
        unit_id = row["place_id"]
        if filters.structure == "today":
            unit_id = places.successor_today(unit_id, known)
        for counter in PLACE_COUNTERS:
            sums[unit_id][counter] += row[counter]
    lines: list[dict[str, Any]] = []
    for unit_id, row in sums.items():
        unit = known.get(unit_id)
        if unit is None:  # deleted meanwhile: nothing to name
            continue
        if not (row["received"] or row["answered"]):
            continue
        suppressed = max(row["received"], row["answered"]) < PLACE_MIN_QUESTIONS
        lines.append(
            {
                "code": unit.code,
                "name": unit.name,
                "province": unit.province,
                "suppressed": suppressed,
                "received": None if suppressed else row["received"],
                "answered": None if suppressed else row["answered"],
                "answered_on_time": None if suppressed else row["answered_on_time"],
                "on_time_rate": None if suppressed else _rate(row["answered_on_time"], row["answered"]),
            }
        )
    # The most questions first; the suppressed ones after, by province and name (their order tells nothing).
    shown = [line for line in lines if not line["suppressed"]]
    shown.sort(key=lambda line: (-line["received"], -line["answered"], vi_sort_key(line["name"])))
    hidden = [line for line in lines if line["suppressed"]]
    hidden.sort(key=lambda line: (vi_sort_key(line["province"]), vi_sort_key(line["name"])))
    return shown + hidden


@dataclass
class Figures:
    """Everything the statistics page and API show, from one shared read (figures())."""

    summary: Summary
    ranking: list[dict]
    topics: list[dict]
    monthly: list[dict]
    places: list[dict] = field(default_factory=list)


def figures(filters: Filters, *, sort: str = "on_time_rate", descending: bool = True) -> Figures:
    """The page's summary, ranking, topics and months from one grouped read per level of rows (2–4 queries),
    the live figures (1), "overdue now" per agency (1, the total is its sum), the names (2) and the figures by
    place (1, and the units' names when there are some: one per link of their merger chains)."""
    read = _read(filters, {"channel", "agency", "month", "topic"})
    overdue = _overdue_now(filters, "agency")
    return Figures(
        summary=_summary(filters, read, overdue=sum(overdue.values())),
        ranking=_ranking(filters, read, overdue, sort, descending),
        topics=_by_topic(read),
        monthly=_monthly(filters, read),
        places=by_place(filters),
    )
