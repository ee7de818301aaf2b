"""The public statistics at 1,000,000 questions across 50 agencies and 3 years (issue 14).

The questions are generated with their audit events (generate_archive --events:
every state and channel, transfers, paused clocks, rejections by reason,
withdrawals, publication, ratings), then:

- the full rebuild of the statistics rows (stats.aggregation.rebuild_all) is timed
  in this process, wall clock and this process's CPU (the database's share is the
  rest), and a few single days are rebuilt one at a time (the periodic job's unit);
- one uvicorn process serves the project with the statistics cache off
  (STATS_CACHE_SECONDS=0: every request sums its rows and renders) and the harness
  asks, sequentially and timed at the server, for every shape a user can produce:
  each period kind (month, quarter, half-year, year, a custom range across months,
  a custom range of 3 years) overall, for an agency with its sub-agencies, for a
  single office and for a topic; the ranking sorted by each column both ways; every
  table as CSV and JSON; and the API with the same filters;
- the portal's and the city committee's (with every agency below it) half-year
  report PDF is drawn (WeasyPrint), timed.
"""

import datetime
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.management import call_command

from .stack import Server, Timed

AGENCIES = 50
YEARS = 3
# Agencies of the generator's corpus: the city committee (every agency is below it), a district committee (its
# offices below it) and one department with none.
TREE, DISTRICT, SINGLE = "ubnd-hai-phong", "ubnd-quan-le-chan", "so-tu-phap"


@dataclass
class StatsResult:
    questions: int  # with their events (what the statistics count)
    questions_in_table: int  # with the other parts' archive (no events) when they ran first
    agencies: int
    events: int
    generate_s: float
    rebuild_s: float = 0.0
    rebuild_cpu_s: float = 0.0
    daily_rows: int = 0
    monthly_rows: int = 0
    days: dict = field(default_factory=dict)  # "2026-11-16" -> seconds
    pdf: dict = field(default_factory=dict)  # "portal 2026-H1" -> seconds
    kinds: dict = field(default_factory=dict)  # "page:year" -> Timed.run() result
    load: dict = field(default_factory=dict)  # step -> load averages when it started


def _load() -> list[float]:
    import os

    return [round(x, 2) for x in os.getloadavg()]


def _periods(today: datetime.date) -> dict[str, dict[str, str]]:
    """One period of each kind a user can choose, all finished (or running) and inside the generated years."""
    month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    quarter = (today.month - 1) // 3  # the quarter before this one
    q_year, q = (today.year, quarter) if quarter else (today.year - 1, 4)
    half_year, half = (today.year, 1) if today.month > 6 else (today.year - 1, 2)
    cut = month - datetime.timedelta(days=16)
    three_years = today.replace(year=today.year - YEARS) + datetime.timedelta(days=1)
    return {
        "month": {"period": f"{month:%Y-%m}"},
        "quarter": {"period": f"{q_year}-Q{q}"},
        "half": {"period": f"{half_year}-H{half}"},
        "year": {"period": str(today.year - 1)},
        "custom_30d": {"start": cut.isoformat(), "end": (cut + datetime.timedelta(days=29)).isoformat()},
        "custom_3y": {"start": three_years.isoformat(), "end": today.isoformat()},
    }


def _scopes(topic_slug: str) -> dict[str, dict[str, str]]:
    return {
        "overall": {},
        "tree": {"agency": TREE},
        "district": {"agency": DISTRICT},
        "agency": {"agency": SINGLE},
        "topic": {"topic": topic_slug},
        "agency_topic": {"agency": DISTRICT, "topic": topic_slug},
    }


def paths(today: datetime.date, topic_slug: str) -> dict[str, list[str]]:
    """Every shape, grouped by kind ("page:<period>", "page:sort", "download:<format>", "api:<period>", "api:sort")."""
    periods, scopes = _periods(today), _scopes(topic_slug)
    out: dict[str, list[str]] = {}
    for period, period_params in periods.items():
        for prefix, base in (("page", "/statistics/"), ("api", "/api/v1/statistics/")):
            out[f"{prefix}:{period}"] = [f"{base}?{urlencode({**period_params, **s})}" for s in scopes.values()]
    sorts = ("name", "received", "answered", "on_time_rate", "median_days", "satisfaction", "overdue_now")
    for prefix, base in (("page", "/statistics/"), ("api", "/api/v1/statistics/")):
        out[f"{prefix}:sort"] = [
            f"{base}?{urlencode({**periods[period], 'sort': sort, 'order': order})}"
            for period in ("year", "custom_3y")
            for sort in sorts
            for order in ("asc", "desc")
        ]
    # By today's structure (merged agencies folded into their successors): the year and three years, overall and
    # for the city committee's tree.
    for prefix, base in (("page", "/statistics/"), ("api", "/api/v1/statistics/")):
        out[f"{prefix}:today"] = [
            f"{base}?{urlencode({**periods[period], **scopes[scope], 'structure': 'today'})}"
            for period in ("year", "custom_3y")
            for scope in ("overall", "tree")
        ]
    tables = ("summary", "channels", "rejections", "live", "ranking", "topics", "monthly")
    for fmt in ("csv", "json"):
        out[f"download:{fmt}"] = [
            f"/statistics/{table}.{fmt}?{urlencode({**periods[period], **scopes[scope]})}"
            for table in tables
            for period, scope in (("year", "overall"), ("custom_3y", "tree"), ("quarter", "topic"))
            if not (table == "live" and scope == "topic")  # live dialogues have no topic: no such table (404)
        ]
    return out


def _ensure_questions(wanted: int) -> float:
    from qa.models import QuestionEvent

    started = time.monotonic()
    # A generated question not yet confirmed by its asker (unverified) has no event: top up until enough have one.
    for _attempt in range(3):
        have = QuestionEvent.objects.filter(action__in=("submit", "register")).count()
        if have >= wanted:
            break
        call_command(
            "generate_archive",
            questions=wanted - have,
            events=True,
            agencies=AGENCIES,
            years=YEARS,
            drop_indexes="auto",
            verbosity=0,
        )
    return time.monotonic() - started


def run(database: str, *, questions: int, repeats: int, days: int = 3) -> StatsResult:
    from django.utils import timezone

    from accounts.models import Agency
    from qa.models import Question, QuestionEvent, Topic
    from stats import aggregation, reports
    from stats.models import DailyStat, MonthlyStat
    from stats.periods import period_containing

    load = {"generate": _load()}
    generate_s = _ensure_questions(questions)
    result = StatsResult(
        questions=QuestionEvent.objects.filter(action__in=("submit", "register")).count(),
        agencies=Agency.objects.filter(is_active=True).count(),
        questions_in_table=Question.objects.count(),
        events=QuestionEvent.objects.count(),
        generate_s=generate_s,
        load=load,
    )

    load["rebuild"] = _load()
    started, cpu = time.monotonic(), time.process_time()
    aggregation.rebuild_all()
    result.rebuild_s = time.monotonic() - started
    result.rebuild_cpu_s = time.process_time() - cpu
    result.daily_rows = DailyStat.objects.count()
    result.monthly_rows = MonthlyStat.objects.count()

    today = timezone.localdate()
    load["days"] = _load()
    # Yesterday (what the periodic job rebuilds most), and busy weekdays a month and a year back.
    for back in (1, 30, 365)[:days]:
        day = today - datetime.timedelta(days=back)
        while day.weekday() > 4:
            day -= datetime.timedelta(days=1)
        started = time.monotonic()
        aggregation.rebuild_days({day})
        result.days[day.isoformat()] = time.monotonic() - started

    load["pdf"] = _load()
    half = period_containing(today, "half").previous()
    for label, agency in (("portal", None), (TREE, Agency.objects.get(slug=TREE))):
        started = time.monotonic()
        pdf = reports.render_pdf(reports.render_pdf_html(reports.report_context(agency, half)))
        result.pdf[f"{label} {half.code} ({len(pdf) // 1024} KiB)"] = time.monotonic() - started

    load["requests"] = _load()
    topic = Topic.objects.filter(is_active=True).order_by("position").first()
    shapes = paths(today, topic.slug)
    server = Server(database, label="stats", extra_env={"STATS_CACHE_SECONDS": "0"})
    try:
        timed = Timed(server.base)
        timed.run([p for kind in shapes.values() for p in kind])  # warm-up: connections, buffers, templates
        for kind, kind_paths in shapes.items():
            result.kinds[kind] = timed.run(kind_paths * repeats)
        timed.close()
    finally:
        server.stop()
    load["end"] = _load()
    return result
