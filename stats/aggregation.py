"""Rebuilding the daily statistics rows from the questions' audit events (the only writer of stats.models).

Each question's events are replayed in order (`_Totals.replay`) to say
what counted on which day at which agency: received (the day of receipt, at the
agency that first received it), accepted, answered and whether by the deadline
then in force, transferred out/in, rejected by reason, withdrawn, published,
unpublished, rated, answered by reference to a published answer (a member of a group answered with its
primary counts as answered, each asker once). Working days taken to answer are counted from the day of
receipt to the day of the answer as qa.deadlines.working_days_between does (the
deadlines' own calendar: weekends, Vietnamese holidays, CalendarDay rows), minus
the working days the clock stood paused waiting for the asker (the figure the
receive_information event recorded when it pushed the deadline back).

Rebuilding a set of days replays every question with an event on one of those
days and keeps only those days' contributions, so a day's rows are always the
whole truth for that day and the job can run again safely.
"""

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Max, Min, Model, Q
from django.db.models.fields.json import KT
from django.db.models.functions import TruncDate
from django.utils import timezone

from dialogues.models import DialogueSession, LiveQuestion
from qa import deadlines
from qa.models import QuestionEvent

from .models import (
    COUNTERS,
    DailyDuration,
    DailyLevelDuration,
    DailyLevelStat,
    DailyLiveStat,
    DailyPlaceStat,
    DailyStat,
    MonthlyDuration,
    MonthlyPlaceStat,
    MonthlyStat,
    RefreshState,
)

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
CHUNK = 2000
# Events are stamped before their transaction commits: look this far back past the last run.
REFRESH_MARGIN = datetime.timedelta(minutes=15)
REFRESH_STATE = "daily"
REJECTION_COUNTERS = {
    "spam": "rejected_spam",
    "duplicate": "rejected_duplicate",
    "out_of_scope": "rejected_out_of_scope",
    "abusive": "rejected_abusive",
    "incomplete": "rejected_incomplete",
}

Key = tuple[datetime.date, int, int, str]  # day, agency, topic, channel


ACTIONS = (
    "submit",
    "register",
    "accept",
    "receive_information",
    "transfer",
    "send",
    "answer_group",
    "answer_by_reference",
    "reject",
    "withdraw",
    "publish",
    "unpublish",
    "rate",
)
SLOT = {name: i for i, name in enumerate(COUNTERS)}
SIMPLE = {
    "withdraw": SLOT["withdrawn"],
    "publish": SLOT["published"],
    "unpublish": SLOT["unpublished"],
    "answer_by_reference": SLOT["answered_by_reference"],
}
REJECTION_SLOTS = {reason: SLOT[name] for reason, name in REJECTION_COUNTERS.items()}
WORKING_DAYS = SLOT["working_days_sum"]
# Ids of questions replayed per query: a range of ids for the full rebuild, a list for a few days.
ID_RANGE = 20_000
TRUE = ("true", "1", 1, True)


def local_day(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(VN).date()


def _parse_date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


class WorkingDays:
    """qa.deadlines.working_days_between from a running count of working days per date, built once per run.

    Working days after `start` up to `end` = count(end) − count(start): one subtraction per answer instead of
    a walk over the days between (the same calendar: weekends, Vietnamese holidays, CalendarDay rows).
    """

    def __init__(self, overrides: Any) -> None:
        self.overrides = overrides
        self.count: dict[datetime.date, int] = {}
        self.low: datetime.date | None = None
        self.high: datetime.date | None = None

    def between(self, start: datetime.date, end: datetime.date) -> int:
        if end <= start:
            return 0
        if start not in self.count or end not in self.count:
            self._extend(start, end)
        return self.count[end] - self.count[start]

    def _extend(self, start: datetime.date, end: datetime.date) -> None:
        low = min(start, self.low or start) - datetime.timedelta(days=31)
        high = max(end, self.high or end) + datetime.timedelta(days=366)
        self.low, self.high, self.count, running, day = low, high, {}, 0, low
        while day <= high:
            running += deadlines.is_working_day(day, self.overrides)
            self.count[day] = running
            day += datetime.timedelta(days=1)


class _Dates:
    """Dates as the database returns them (date objects on PostgreSQL, ISO strings on SQLite), parsed once each."""

    def __init__(self) -> None:
        self.seen: dict = {}

    def __call__(self, value: Any) -> datetime.date | None:
        if value is None or isinstance(value, datetime.date):
            return value
        try:
            return self.seen[value]
        except KeyError:
            try:
                parsed = datetime.date.fromisoformat(str(value)[:10]) if value else None
            except ValueError:
                parsed = None
            self.seen[value] = parsed
            return parsed


class _Totals:
    """Counters (a list per day × agency × topic × channel, in COUNTERS order) and duration histograms."""

    def __init__(self, days: set[datetime.date] | None, working_days: WorkingDays) -> None:
        self.days = days
        self.working_days = working_days
        self.counts: dict[Key, list[int]] = {}
        self.durations: dict[tuple, int] = defaultdict(int)
        self.taken: dict[int, int] = {}  # question id -> working days its last answer took
        # day, unit, agency, topic -> [received, answered, answered on time] (questions with a place only)
        self.places: dict[tuple, list[int]] = {}

    def _place(self, day: datetime.date, place: int, agency: int, topic: int, slot: int) -> None:
        if self.days is not None and day not in self.days:
            return
        key = (day, place, agency, topic)
        row = self.places.get(key)
        if row is None:
            row = self.places[key] = [0, 0, 0]
        row[slot] += 1

    def _bump(self, day: datetime.date, agency: int, topic: int, channel: str, slot: int) -> list[int] | None:
        if self.days is not None and day not in self.days:
            return None
        key = (day, agency, topic, channel)
        row = self.counts.get(key)
        if row is None:
            row = self.counts[key] = [0] * len(COUNTERS)
        row[slot] += 1
        return row

    def replay(self, events: list[tuple], date: _Dates) -> None:
        """Replay one question's events (rows of _event_rows, in order) into the totals.

        Received counts at the agency that first received the question (the `from` of its first transfer);
        an answer counts on time when sent by the deadline then in force; working days taken run from the
        day of receipt to the day of the answer, minus the working days the clock stood paused.
        """
        first = events[0]
        question_agency, topic, channel, question_due = first[10], first[11], first[12], date(first[13])
        place = first[14]
        agency = next((e[3] for e in events if e[1] == "transfer"), None)
        agency = int(agency) if agency else question_agency
        received_day: datetime.date | None = None
        due: datetime.date | None = None
        paused = 0
        bump = self._bump
        for (
            _qid,
            action,
            day,
            from_agency,
            to_agency,
            due_text,
            received_on,
            paused_text,
            reason,
            satisfied,
            *_,
        ) in events:
            day = date(day)
            if day is None:  # every event has a time; the guard tells the type checker
                continue
            if action == "submit" or action == "register":
                if action == "register":
                    day = date(received_on) or day
                received_day = day
                bump(day, agency, topic, channel, SLOT["received"])
                if place is not None:
                    self._place(day, place, agency, topic, 0)
            elif action == "accept":
                due = date(due_text)
                bump(day, agency, topic, channel, SLOT["accepted"])
            elif action == "receive_information":
                paused += int(paused_text or 0)
                due = date(due_text) or due
            elif action == "transfer":
                source = int(from_agency) if from_agency else agency
                target = int(to_agency) if to_agency else question_agency
                bump(day, source, topic, channel, SLOT["transferred_out"])
                bump(day, target, topic, channel, SLOT["transferred_in"])
                agency, due = target, None
            elif action == "send" or action == "answer_group":  # a group's member is answered with it
                due = due or question_due
                taken = max(0, self.working_days.between(received_day or day, day) - paused)
                self.taken[first[0]] = taken
                row = bump(day, agency, topic, channel, SLOT["answered"])
                on_time = due is not None and day <= due
                if row is not None:
                    row[WORKING_DAYS] += taken
                    self.durations[(day, agency, topic, channel, taken)] += 1
                    if on_time:
                        row[SLOT["answered_on_time"]] += 1
                if place is not None:
                    self._place(day, place, agency, topic, 1)
                    if on_time:
                        self._place(day, place, agency, topic, 2)
            elif action == "reject":
                bump(day, agency, topic, channel, REJECTION_SLOTS.get(reason, SLOT["rejected_incomplete"]))
            elif action == "rate":
                row = bump(day, agency, topic, channel, SLOT["ratings"])
                if row is not None and satisfied in TRUE:
                    row[SLOT["ratings_satisfied"]] += 1
            else:
                bump(day, agency, topic, channel, SIMPLE[action])


def _event_rows(condition: Q) -> list[tuple]:
    """The events that count, with the question's agency, topic, channel and deadline, in replay order.

    The SQL is Django's (so it runs on PostgreSQL and SQLite alike: the local day, the JSON keys), read through a
    plain cursor as tuples: no model or dict per row, which is most of the cost at a million questions.
    """
    queryset = (
        QuestionEvent.objects.filter(condition, action__in=ACTIONS)
        .annotate(
            local_day=TruncDate("created_at", tzinfo=VN),
            from_agency=KT("data__from_agency_id"),
            to_agency=KT("data__to_agency_id"),
            due_text=KT("data__due_date"),
            received_on=KT("data__received_on"),
            paused_text=KT("data__paused_working_days"),
            reason=KT("data__reason"),
            satisfied=KT("data__satisfied"),
        )
        .order_by("question_id", "created_at", "id")
        .values_list(
            "question_id",
            "action",
            "local_day",
            "from_agency",
            "to_agency",
            "due_text",
            "received_on",
            "paused_text",
            "reason",
            "satisfied",
            "question__agency_id",
            "question__topic_id",
            "question__channel",
            "question__due_date",
            "question__place_id",
        )
    )
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _replay_rows(rows: list[tuple], totals: _Totals, date: _Dates) -> None:
    start = 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[start][0]:
            totals.replay(rows[start:i], date)
            start = i


def _replay(question_ids: list[int], totals: _Totals) -> None:
    date = _Dates()
    for start in range(0, len(question_ids), CHUNK):
        _replay_rows(_event_rows(Q(question_id__in=question_ids[start : start + CHUNK])), totals, date)


def working_days_taken(question_ids: list[int]) -> dict[int, int]:
    """Working days each answered question's last answer took, by the statistics' own rules (the open data)."""
    totals = _Totals(None, WorkingDays(deadlines._calendar_overrides()))
    _replay(sorted(question_ids), totals)
    return totals.taken


def _replay_everything(totals: _Totals) -> None:
    """Every question with events, a range of ids at a time (each range one indexed query, bounded memory)."""
    date = _Dates()
    bounds = QuestionEvent.objects.aggregate(low=Min("question_id"), high=Max("question_id"))
    if bounds["low"] is None:
        return
    for low in range(bounds["low"], bounds["high"] + 1, ID_RANGE):
        rows = _event_rows(Q(question_id__gte=low, question_id__lt=low + ID_RANGE))
        _replay_rows(rows, totals, date)


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=VN)
    return start, start + datetime.timedelta(days=1)


def _days_filter(field: str, days: set[datetime.date]) -> Q:
    """Moments on any of `days` (Vietnam time): one range per day, or one wide range when there are many."""
    if len(days) > 31:
        start, _ = _day_bounds(min(days))
        _, end = _day_bounds(max(days))
        return Q(**{f"{field}__gte": start, f"{field}__lt": end})
    condition = Q()
    for day in days:
        start, end = _day_bounds(day)
        condition |= Q(**{f"{field}__gte": start, f"{field}__lt": end})
    return condition


def _live_rows(days: set[datetime.date] | None) -> list[DailyLiveStat]:
    counts: dict[tuple[datetime.date, int], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    sessions = DialogueSession.objects.filter(started_at__isnull=False)
    questions = LiveQuestion.objects.all()
    if days is not None:
        sessions = sessions.filter(_days_filter("started_at", days))
        questions = questions.filter(
            _days_filter("created_at", days) | _days_filter("answered_at", days) | _days_filter("forwarded_at", days)
        )
    for agency_id, started in sessions.values_list("agency_id", "started_at"):
        if started is None:  # excluded by the query; the guard tells the type checker
            continue
        counts[(local_day(started), agency_id)]["sessions_held"] += 1
    for agency_id, created, answered, forwarded in questions.values_list(
        "session__agency_id", "created_at", "answered_at", "forwarded_at"
    ):
        for counter, moment in (("live_received", created), ("live_answered", answered), ("live_forwarded", forwarded)):
            if moment is not None:
                counts[(local_day(moment), agency_id)][counter] += 1
    return [
        DailyLiveStat(day=day, agency_id=agency_id, **dict(values))
        for (day, agency_id), values in counts.items()
        if days is None or day in days
    ]


def _month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = month.replace(day=1)
    return first, (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


# What each level of the monthly rows keeps of (agency, topic, channel); stats.models.LEVELS says why.
ROLLUP_LEVELS = {
    "full": ("agency_id", "topic_id", "channel"),
    "agency": ("agency_id", "NULL", "channel"),
    "topic": ("NULL", "topic_id", "''"),
}
DAY_LEVELS = ("agency", "topic")


def _rollup_statements(target: str, source: str, level: str, *, by_day: bool) -> tuple[str, str]:
    """INSERT … SELECT … GROUP BY of one level's counter and duration rows, from `source` ("daily": the full
    daily rows; "level": the day-level rows of the same level) into `target` ("month" or "day" rows).

    The statements take the month's first day (monthly rows only) and a WHERE clause's parameters."""
    agency, topic, channel = ROLLUP_LEVELS[level]
    stat_source, duration_source = (
        (DailyStat, DailyDuration) if source == "daily" else (DailyLevelStat, DailyLevelDuration)
    )
    stat_target, duration_target = (
        (DailyLevelStat, DailyLevelDuration) if target == "day" else (MonthlyStat, MonthlyDuration)
    )
    when, when_value = ("day", "day") if target == "day" else ("month", "%s")
    where = "day = ANY(%s)" if by_day else "day >= %s AND day <= %s"
    level_filter = f" AND level = '{level}'" if source == "level" else ""
    counters = ", ".join(COUNTERS)
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    dimensions = ", ".join(c for c in (agency, topic, channel) if c not in ("NULL", "''"))
    group_day = "day, " if target == "day" else ""
    stat = (
        f"INSERT INTO {stat_target._meta.db_table} (level, {when}, agency_id, topic_id, channel, {counters}) "  # noqa: S608 - fixed names
        f"SELECT '{level}', {when_value}, {agency}, {topic}, {channel}, {sums} FROM {stat_source._meta.db_table} "
        f"WHERE {where}{level_filter} GROUP BY {group_day}{dimensions}"
    )
    dimensions = ", ".join(c for c in (agency, topic) if c != "NULL")
    duration = (
        f"INSERT INTO {duration_target._meta.db_table} "  # noqa: S608 - fixed names only
        f"(level, {when}, agency_id, topic_id, channel, working_days, count) "
        f"SELECT '{level}', {when_value}, {agency}, {topic}, '', working_days, SUM(count) "
        f"FROM {duration_source._meta.db_table} WHERE {where}{level_filter} "
        f"GROUP BY {group_day}{dimensions}, working_days"
    )
    return stat, duration


def rollup_days(days: set[datetime.date] | None) -> None:
    """Recompute the day-level rows (agency and topic levels) of the given days, or of every day (None), from
    their daily rows (inside the caller's transaction): one INSERT … SELECT … GROUP BY per table and level."""
    with connection.cursor() as cursor:
        if days is not None:
            DailyLevelStat.objects.filter(day__in=days).delete()
            DailyLevelDuration.objects.filter(day__in=days).delete()
        for level in DAY_LEVELS:
            for statement in _rollup_statements("day", "daily", level, by_day=days is not None):
                if days is None:
                    cursor.execute(statement, [datetime.date.min, datetime.date.max])
                elif connection.vendor == "postgresql":
                    cursor.execute(statement, [sorted(days)])
                else:  # SQLite has no arrays: one statement per day
                    for day in sorted(days):
                        cursor.execute(statement.replace("day = ANY(%s)", "day = %s"), [day])


def rollup_months(months: Iterable[datetime.date]) -> None:
    """Recompute the monthly rows of the given months, at every level (inside the caller's transaction): the
    full level from the daily rows, the agency and topic levels from the day-level rows (a few percent of them).

    One INSERT … SELECT … GROUP BY per table, level and month: the database sums, nothing travels through Python.
    Durations never group by channel, so their monthly rows leave it empty at every level.
    """
    statements = [
        statement
        for level in ROLLUP_LEVELS
        for statement in _rollup_statements("month", "daily" if level == "full" else "level", level, by_day=False)
    ]
    with connection.cursor() as cursor:
        for month in sorted({m.replace(day=1) for m in months}):
            first, last = _month_bounds(month)
            MonthlyStat.objects.filter(month=first).delete()
            MonthlyDuration.objects.filter(month=first).delete()
            for statement in statements:
                cursor.execute(statement, [first, first, last])


# What each level of the monthly place rows keeps of (agency, topic) (stats.models.PLACE_LEVELS).
PLACE_ROLLUP = {
    "full": ("agency_id", "topic_id"),
    "place": ("NULL", "NULL"),
    "agency": ("agency_id", "NULL"),
    "topic": ("NULL", "topic_id"),
}


def rollup_place_months(months: Iterable[datetime.date]) -> None:
    """Recompute the monthly rows by place of the given months at every level: one INSERT … SELECT … GROUP BY
    per level and month from the daily place rows."""
    statements = []
    for level, (agency, topic) in PLACE_ROLLUP.items():
        dimensions = ", ".join(["place_id", *(c for c in (agency, topic) if c != "NULL")])
        statements.append(
            f"INSERT INTO {MonthlyPlaceStat._meta.db_table} "  # noqa: S608 - fixed names only
            "(level, month, place_id, agency_id, topic_id, received, answered, answered_on_time) "
            f"SELECT '{level}', %s, place_id, {agency}, {topic}, SUM(received), SUM(answered), "
            f"SUM(answered_on_time) FROM {DailyPlaceStat._meta.db_table} WHERE day >= %s AND day <= %s "
            f"GROUP BY {dimensions}"
        )
    with connection.cursor() as cursor:
        for month in sorted({m.replace(day=1) for m in months}):
            first, last = _month_bounds(month)
            MonthlyPlaceStat.objects.filter(month=first).delete()
            for statement in statements:
                cursor.execute(statement, [first, first, last])


PLACE_COLUMNS = ("day", "place_id", "agency_id", "topic_id", "received", "answered", "answered_on_time")
STAT_COLUMNS = ("day", "agency_id", "topic_id", "channel", *COUNTERS)
DURATION_COLUMNS = ("day", "agency_id", "topic_id", "channel", "working_days", "count")


def _insert(model: type[Model], columns: tuple[str, ...], rows: Iterable[tuple]) -> None:
    """Write many new rows (tuples in `columns` order): COPY on PostgreSQL (an order of magnitude faster than
    INSERTs), bulk_create elsewhere."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=1000
        )
        return
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _write(totals: _Totals, live: list[DailyLiveStat]) -> None:
    # In day order: a period's edge days then sit on a few contiguous pages instead of one row on each of
    # thousands (30 days of daily rows at 1,000,000 questions: 5,000 heap pages read when written unsorted).
    counts = sorted(totals.counts.items())
    _insert(DailyStat, STAT_COLUMNS, (key + tuple(values) for key, values in counts))
    _insert(DailyDuration, DURATION_COLUMNS, ((*key, n) for key, n in sorted(totals.durations.items())))
    _insert(DailyPlaceStat, PLACE_COLUMNS, (key + tuple(values) for key, values in sorted(totals.places.items())))
    DailyLiveStat.objects.bulk_create(live, batch_size=1000)


def rebuild_days(days: Iterable[datetime.date]) -> int:
    """Recompute every row of the given days (replacing what was there); returns the number of stat rows written."""
    days = set(days)
    if not days:
        return 0
    # The deadlines' own calendar, read once for the whole run.
    totals = _Totals(days, WorkingDays(deadlines._calendar_overrides()))
    touched = QuestionEvent.objects.filter(_days_filter("created_at", days)).values_list("question_id", flat=True)
    # A registration is written on or after its date of receipt (qa.services.registration refuses a future
    # one): only events since the first day can be backdated into these days, which the created_at index finds.
    backdated = QuestionEvent.objects.filter(
        action="register",
        created_at__gte=_day_bounds(min(days))[0],
        data__received_on__in=[d.isoformat() for d in days],
    ).values_list("question_id", flat=True)
    _replay(sorted(set(touched) | set(backdated)), totals)
    live = _live_rows(days)
    with transaction.atomic():
        DailyStat.objects.filter(day__in=days).delete()
        DailyDuration.objects.filter(day__in=days).delete()
        DailyLiveStat.objects.filter(day__in=days).delete()
        DailyPlaceStat.objects.filter(day__in=days).delete()
        _write(totals, live)
        rollup_days(days)
        rollup_months(days)
        rollup_place_months(days)
    return len(totals.counts)


def rebuild_all(*, now: datetime.datetime | None = None) -> int:
    """Recompute every row from every question (the management command; after merges or calendar changes).

    Everything is computed before the transaction; inside it the tables are emptied (TRUNCATE on PostgreSQL:
    readers wait the few seconds of the COPY instead of the database deleting millions of rows one by one).
    """
    now = now or timezone.now()
    totals = _Totals(None, WorkingDays(deadlines._calendar_overrides()))
    _replay_everything(totals)
    live = _live_rows(None)
    models = (
        DailyStat,
        DailyDuration,
        DailyLiveStat,
        DailyLevelStat,
        DailyLevelDuration,
        MonthlyStat,
        MonthlyDuration,
        DailyPlaceStat,
        MonthlyPlaceStat,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Foreign-key checks still pending in an enclosing transaction would forbid the TRUNCATE: run them.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("TRUNCATE " + ", ".join(m._meta.db_table for m in models))
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for model in models:
                model.objects.all().delete()
        _write(totals, live)
        rollup_days(None)
        rollup_months({key[0] for key in totals.counts})
        rollup_place_months({key[0] for key in totals.places})
        RefreshState.objects.update_or_create(name=REFRESH_STATE, defaults={"last_started_at": now})
    if connection.vendor == "postgresql":
        # The tables were emptied and refilled: the planner's statistics of them are gone until analysed.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(m._meta.db_table for m in models))
    return len(totals.counts)


def touched_days(since: datetime.datetime) -> set[datetime.date]:
    """Days whose figures may have changed since `since`: days of new events (and of backdated receipts)
    and of live questions and sessions that moved."""
    days: set[datetime.date] = set()
    for created, action, data in QuestionEvent.objects.filter(created_at__gte=since).values_list(
        "created_at", "action", "data"
    ):
        days.add(local_day(created))
        if action == "register":
            received = _parse_date((data or {}).get("received_on"))
            if received:
                days.add(received)
    live = LiveQuestion.objects.filter(
        Q(created_at__gte=since) | Q(answered_at__gte=since) | Q(forwarded_at__gte=since)
    ).values_list("created_at", "answered_at", "forwarded_at")
    for moments in live:
        days.update(local_day(m) for m in moments if m is not None and m >= since)
    for started in DialogueSession.objects.filter(started_at__gte=since).values_list("started_at", flat=True):
        if started is not None:
            days.add(local_day(started))
    return days


def refresh(*, now: datetime.datetime | None = None) -> int:
    """The periodic job: rebuild the days touched since the last run started (a full rebuild the first time).

    The mark moves only after the rebuild committed, so a failed run is simply repeated by the next one.
    """
    now = now or timezone.now()
    state = RefreshState.objects.filter(name=REFRESH_STATE).first()
    if state is None:
        return rebuild_all(now=now)
    written = rebuild_days(touched_days(state.last_started_at - REFRESH_MARGIN))
    RefreshState.objects.filter(pk=state.pk, last_started_at__lt=now).update(last_started_at=now)
    return written
