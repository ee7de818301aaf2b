"""The statistics selectors, page, downloads and API against brute-force counts of known timelines."""

import csv
import datetime
import io
import json
import math
from collections import Counter

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa.models import Channel
from stats import aggregation, selectors
from stats.periods import parse_period
from tests.factories import AgencyFactory, TopicFactory
from tests.stats.timelines import VN, brute_add, brute_force, build_world

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

TODAY = datetime.datetime(2027, 4, 2, 10, 0, tzinfo=VN)
RANGE = {"start": "2027-01-01", "end": "2027-03-31"}


def nearest_rank(values: list[int], share: float) -> int | None:
    values = sorted(values)
    return values[math.ceil(share * len(values)) - 1] if values else None


def brute_overdue(world, today: datetime.date) -> Counter:
    """Open questions whose running clock (transfer or answer; not paused) ended before today, per agency index."""
    out: Counter = Counter()
    for plan in world.plans:
        agency, deadline, paused = plan.agency, None, False
        for moment, action, extra in plan.steps:
            day = moment.date()
            if action == "receive":
                deadline = brute_add(extra.get("received_on") or day, 5)
            elif action == "transfer":
                agency, deadline = extra["to"], brute_add(day, 5)
            elif action == "accept":
                deadline = brute_add(day, (5, 10, 15)[agency])
            elif action == "request_information":
                paused, pause_day = True, day
            elif action == "receive_information":
                from tests.stats.timelines import brute_between

                paused, deadline = False, brute_add(deadline, brute_between(pause_day, day))
            elif action in ("send", "reject", "withdraw"):
                deadline = None
                break
        if deadline is not None and not paused and deadline < today:
            out[agency] += 1
    return out


@pytest.fixture
def world():
    built = build_world(seed=5, n=40)
    aggregation.rebuild_all()
    with time_machine.travel(TODAY, tick=False):
        yield built


def test_summary_ranking_and_topics_equal_brute_force(world):
    counts, durations, live = brute_force(world)
    filters = selectors.parse_filters(RANGE)
    summary = selectors.summary(filters)

    def total(counter, pred=lambda key: True):
        return sum(v.get(counter, 0) for k, v in counts.items() if pred(k))

    for counter in ("received", "accepted", "answered", "answered_on_time", "published", "withdrawn", "ratings"):
        assert summary.counters[counter] == total(counter), counter
    assert summary.by_channel == {ch: total("received", lambda k, ch=ch: k[3] == ch) for ch in Channel.values}
    assert summary.rejected == {r: total(f"rejected_{r}") for r in summary.rejected}
    all_days = [d for values in durations.values() for d in values]
    assert summary.median_days == nearest_rank(all_days, 0.5)
    assert summary.p90_days == nearest_rank(all_days, 0.9)
    assert summary.live == {
        c: sum(v.get(c, 0) for v in live.values())
        for c in ("sessions_held", "live_received", "live_answered", "live_forwarded")
    }
    overdue = brute_overdue(world, TODAY.date())
    assert summary.overdue_now == sum(overdue.values()) and summary.overdue_now > 0

    lines = {line["slug"]: line for line in selectors.ranking(filters)}
    for index, agency in enumerate(world.agencies):
        line = lines[agency.slug]
        answered = total("answered", lambda k, i=index: k[1] == i)
        assert line["received"] == total("received", lambda k, i=index: k[1] == i)
        assert line["answered"] == answered
        on_time = total("answered_on_time", lambda k, i=index: k[1] == i)
        assert line["on_time_rate"] == (round(100 * on_time / answered, 1) if answered else None)
        days = [d for (day, i), values in durations.items() if i == index for d in values]
        assert line["median_days"] == nearest_rank(days, 0.5)
        assert line["overdue_now"] == overdue[index]
    topic_lines = {line["slug"]: line for line in selectors.by_topic(filters)}
    for index, topic in enumerate(world.topics):
        assert topic_lines[topic.slug]["received"] == total("received", lambda k, i=index: k[2] == i)


def test_a_month_in_vietnam_time_and_an_agency_with_its_sub_agencies(world):
    counts, _durations, _live = brute_force(world)
    parent = world.agencies[0]
    child = world.agencies[1]
    child.parent = parent
    child.save()
    filters = selectors.parse_filters({"period": "2027-02", "agency": parent.slug})
    expected = sum(
        v.get("received", 0) for k, v in counts.items() if k[0].month == 2 and k[1] in (0, 1) and k[0].year == 2027
    )
    assert selectors.summary(filters).counters["received"] == expected
    assert {line["slug"] for line in selectors.ranking(filters)} <= {parent.slug, child.slug}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"agency": "khong-co"}, "agency"),
        ({"topic": "khong-co"}, "topic"),
        ({"start": "2027-03-01", "end": "2027-01-01"}, "end"),
        ({"start": "2019-01-01", "end": "2027-01-01"}, "end"),
        ({"period": "2099"}, "period"),
        ({"period": "2027-H3"}, "period"),
        ({"start": "2027-01-01"}, "end"),
        ({"start": "hôm qua", "end": "2027-01-01"}, "start"),
    ],
)
def test_bad_input_is_a_clear_message_not_a_500(client, params, field):
    page = client.get(reverse("stats:statistics"), params)
    assert page.status_code == 400
    assert "error-summary" in page.content.decode()
    api = client.get("/api/v1/statistics/", params)
    assert api.status_code == 400 and field in api.json()
    assert client.get(reverse("stats:download", args=["summary", "csv"]), params).status_code == 400


def test_period_codes_and_previous_periods():
    today = datetime.date(2026, 12, 7)
    assert parse_period("2026-H2", today=today).start == datetime.date(2026, 7, 1)
    assert parse_period("2026-H2", today=today).previous().code == "2026-H1"
    assert parse_period("2026-Q1", today=today).previous().code == "2025-Q4"
    assert parse_period("2026-01", today=today).previous().code == "2025-12"
    assert parse_period(None, today=today).code == "2026"
    custom = parse_period(None, "2026-03-01", "2026-03-10", today=today)
    assert custom.previous().end == datetime.date(2026, 2, 28) and custom.previous().days == 10


def test_page_shows_figures_charts_and_sortable_ranking(client, world):
    page = client.get(reverse("stats:statistics"), {**RANGE, "sort": "median_days", "order": "asc"})
    assert page.status_code == 200
    html = page.content.decode()
    summary = selectors.summary(selectors.parse_filters(RANGE))
    assert f'<td class="num">{summary.counters["received"]}</td>' in html
    assert html.count('role="img"') >= 3 and "<desc" in html and "<title" in html
    assert 'aria-sort="ascending"' in html and "sort=median_days&amp;order=desc" in html
    assert reverse("stats:statistics") in client.get("/").content.decode()  # linked from the navigation


def test_csv_opens_in_a_spreadsheet_and_json_has_the_same_rows(client, world):
    csv_response = client.get(reverse("stats:download", args=["ranking", "csv"]), RANGE)
    assert csv_response["Content-Type"].startswith("text/csv") and "attachment" in csv_response["Content-Disposition"]
    raw = csv_response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Cơ quan"  # Vietnamese heading intact
    data = json.loads(client.get(reverse("stats:download", args=["ranking", "json"]), RANGE).content)
    assert len(data["rows"]) == len(rows) - 1
    assert [str(r["received"]) for r in data["rows"]] == [r[1] for r in rows[1:]]
    assert client.get(reverse("stats:download", args=["nothing", "csv"]), RANGE).status_code == 404


def test_api_and_schema(client, world):
    body = client.get("/api/v1/statistics/", RANGE).json()
    summary = selectors.summary(selectors.parse_filters(RANGE))
    assert body["summary"]["received"] == summary.counters["received"]
    assert body["summary"]["median_days"] == summary.median_days
    assert body["period"] == {"start": "2027-01-01", "end": "2027-03-31", "code": "custom"}
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/statistics/" in schema


def test_constant_queries_whatever_the_number_of_agencies(client, world):
    def queries() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("stats:statistics"), RANGE).status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    topic = TopicFactory()
    for _i in range(12):
        agency = AgencyFactory()
        from stats.models import DailyStat

        DailyStat.objects.create(day=datetime.date(2027, 1, 5), agency=agency, topic=topic, channel="web", received=3)
    assert queries() == before


@pytest.mark.parametrize(
    "span",
    [
        {"start": "2027-01-20", "end": "2027-02-10"},  # two edges, no whole month
        {"start": "2027-01-25", "end": "2027-03-03"},  # edges around one whole month (monthly rows)
        {"start": "2027-01-01", "end": "2027-02-14"},  # a whole month and one edge
    ],
)
def test_ranges_cutting_through_months_equal_brute_force(world, span):
    counts, durations, _live = brute_force(world)
    start, end = (datetime.date.fromisoformat(span[k]) for k in ("start", "end"))
    filters = selectors.parse_filters(span)
    summary = selectors.summary(filters)
    inside = [v for k, v in counts.items() if start <= k[0] <= end]
    for counter in ("received", "accepted", "answered", "answered_on_time", "ratings", "transferred_out"):
        assert summary.counters[counter] == sum(v.get(counter, 0) for v in inside), counter
    days = [d for (day, _a), values in durations.items() if start <= day <= end for d in values]
    assert (summary.median_days, summary.p90_days) == (nearest_rank(days, 0.5), nearest_rank(days, 0.9))
    months = {row["month"]: row["received"] for row in selectors.monthly(filters)}
    for month, received in months.items():
        year, number = map(int, month.split("-"))
        assert received == sum(
            v.get("received", 0)
            for k, v in counts.items()
            if start <= k[0] <= end and (k[0].year, k[0].month) == (year, number)
        )
    lines = {line["slug"]: line for line in selectors.ranking(filters)}
    for index, agency in enumerate(world.agencies):
        expected = sum(v.get("answered", 0) for k, v in counts.items() if start <= k[0] <= end and k[1] == index)
        assert lines.get(agency.slug, {"answered": 0})["answered"] == expected


@pytest.mark.parametrize("vendor", ["native", "portable"])
@pytest.mark.parametrize(
    "params",
    [
        RANGE,
        {"start": "2027-01-20", "end": "2027-03-10"},
        {"period": "2027-Q1", "topic": "__topic__"},
        {"start": "2027-01-25", "end": "2027-03-03", "agency": "__parent__"},
    ],
)
def test_shared_read_gives_what_each_selector_gives_alone(world, monkeypatch, params, vendor):
    """figures() (one grouped read: GROUPING SETS on PostgreSQL, UNION ALL elsewhere) equals the selectors run
    one by one, for whole months, edges, a topic (full rows) and an agency tree (agency and full levels)."""
    parent, child = world.agencies[0], world.agencies[1]
    child.parent = parent
    child.save()
    params = {k: {"__topic__": world.topics[0].slug, "__parent__": parent.slug}.get(v, v) for k, v in params.items()}
    if vendor == "portable":
        monkeypatch.setattr(connection, "vendor", "portable")
    filters = selectors.parse_filters(params)
    shared = selectors.figures(filters, sort="name", descending=False)
    alone = selectors.summary(filters)
    assert shared.summary.counters == alone.counters and shared.summary.counters["received"] > 0
    assert (shared.summary.by_channel, shared.summary.rejected) == (alone.by_channel, alone.rejected)
    assert (shared.summary.median_days, shared.summary.p90_days) == (alone.median_days, alone.p90_days)
    assert (shared.summary.overdue_now, shared.summary.live) == (alone.overdue_now, alone.live)
    assert shared.ranking == selectors.ranking(filters, sort="name", descending=False)
    assert shared.topics == selectors.by_topic(filters)
    assert shared.monthly == selectors.monthly(filters)
    counts, _durations, _live = brute_force(world)
    start, end = filters.period.start, filters.period.end
    topic = world.topics.index(filters.topic) if filters.topic else None
    agencies = (0, 1) if filters.agency else range(len(world.agencies))
    assert shared.summary.counters["answered"] == sum(
        v.get("answered", 0)
        for k, v in counts.items()
        if start <= k[0] <= end and k[1] in agencies and topic in (None, k[2])
    )


@pytest.mark.parametrize(
    ("params", "bound"),
    [
        # Each bound includes one read of the "answered by the archive" day rows, and the grouped count of the
        # questions by the asker's commune or ward (selectors.by_place; its unit names only when there are some).
        ({}, 14),  # a whole year: monthly rows (agency level; the topic level)
        ({"start": "2027-01-20", "end": "2027-03-10"}, 14),  # edges on day-level rows
        ({"period": "2027-Q1", "topic": "__topic__"}, 13),  # full rows for everything: one read of each kind
        ({"period": "2027-Q1", "agency": "__parent__"}, 17),
    ],
)
def test_statistics_page_and_api_query_bounds(client, world, params, bound):
    """The page reads each level of rows once (counters and durations), live figures, overdue per agency and
    the names: a fixed, small number of queries (it was 14–27)."""
    from django.core.cache import cache

    parent, child = world.agencies[0], world.agencies[1]
    child.parent = parent
    child.save()
    params = {k: {"__topic__": world.topics[0].slug, "__parent__": parent.slug}.get(v, v) for k, v in params.items()}
    for path in (reverse("stats:statistics"), "/api/v1/statistics/"):
        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path, params).status_code == 200
        # The grouped reads run in one transaction with a SET (no parallel workers): +1 statement; inside the
        # test's own transaction that transaction is a savepoint, which a request does not have.
        statements = [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]
        setting = 1 if connection.vendor == "postgresql" else 0
        assert len(statements) <= bound + setting, (path, [sql[:120] for sql in statements])
