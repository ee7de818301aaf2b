"""The monthly rows at every level (stats.models.LEVELS) against direct counts over the generated question table.

generate_archive --events writes questions in every state and channel over three years with the audit
events the workflow records; after a full rebuild each level of the monthly rows must say what a direct
count over the question table says, and what the page shows for an agency tree, a topic and everything.
"""

import datetime
from collections import Counter, defaultdict

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from accounts.models import Agency
from qa import deadlines
from qa.models import Question, QuestionEvent, Topic
from stats import aggregation, selectors
from stats.aggregation import VN
from stats.models import MonthlyDuration, MonthlyStat
from stats.periods import Period

# transaction=True: the generator loads with COPY and ends with VACUUM, which cannot run inside a test transaction.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


def _month(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(VN).date().replace(day=1)


@pytest.fixture
def generated():
    call_command("generate_archive", questions=1500, events=True, agencies=50, years=3, drop_indexes="no", verbosity=0)
    aggregation.rebuild_all()
    return list(
        Question.objects.values(
            "id", "agency_id", "topic_id", "channel", "answered_at", "published_at", "rated_at", "rating_satisfied"
        )
    )


def _direct(questions, moment_field: str, key) -> Counter:
    return Counter((_month(q[moment_field]), *key(q)) for q in questions if q[moment_field] is not None)


def _stored(level: str, counter: str, dims: tuple[str, ...]) -> Counter:
    rows = MonthlyStat.objects.filter(level=level).values("month", *dims).annotate(n=Sum(counter))
    return Counter({(r["month"], *(r[d] for d in dims)): r["n"] for r in rows if r["n"]})


def test_every_level_equals_direct_counts_over_the_question_table(generated):
    questions = generated
    assert Agency.objects.count() >= 50 and len(questions) == 1500
    shapes = {
        "full": (("agency_id", "topic_id", "channel"), lambda q: (q["agency_id"], q["topic_id"], q["channel"])),
        "agency": (("agency_id", "channel"), lambda q: (q["agency_id"], q["channel"])),
        "topic": (("topic_id",), lambda q: (q["topic_id"],)),
    }
    for level, (dims, key) in shapes.items():
        # Answers and publications count at the question's agency (transfers happen before acceptance).
        assert _stored(level, "answered", dims) == _direct(questions, "answered_at", key), level
        assert _stored(level, "published", dims) == _direct(questions, "published_at", key), level
        assert _stored(level, "ratings", dims) == _direct(questions, "rated_at", key), level
        satisfied = [q for q in questions if q["rating_satisfied"]]
        assert _stored(level, "ratings_satisfied", dims) == _direct(satisfied, "rated_at", key), level
    # The agency and topic levels leave the other dimension empty; the topic level the channel too.
    assert not MonthlyStat.objects.filter(level="agency", topic__isnull=False).exists()
    assert not MonthlyStat.objects.filter(level="topic").exclude(agency__isnull=True, channel="").exists()


def test_duration_histograms_of_every_level_equal_the_working_days_of_each_answer(generated):
    questions = {q["id"]: q for q in generated}
    overrides = deadlines._calendar_overrides()
    received, paused = {}, defaultdict(int)
    for qid, action, created, data in QuestionEvent.objects.values_list("question_id", "action", "created_at", "data"):
        if action == "submit":
            received[qid] = created.astimezone(VN).date()
        elif action == "register":
            received[qid] = datetime.date.fromisoformat(data["received_on"])
        elif action == "receive_information":
            paused[qid] += data["paused_working_days"]
    expected = {"full": Counter(), "agency": Counter(), "topic": Counter()}
    for qid, q in questions.items():
        if q["answered_at"] is None:
            continue
        answered = q["answered_at"].astimezone(VN).date()
        taken = max(0, deadlines.working_days_between(received[qid], answered, overrides) - paused[qid])
        month = answered.replace(day=1)
        expected["full"][(month, q["agency_id"], q["topic_id"], taken)] += 1
        expected["agency"][(month, q["agency_id"], None, taken)] += 1
        expected["topic"][(month, None, q["topic_id"], taken)] += 1
    for level, histogram in expected.items():
        stored = Counter(
            {
                (r["month"], r["agency_id"], r["topic_id"], r["working_days"]): r["count"]
                for r in MonthlyDuration.objects.filter(level=level).values(
                    "month", "agency_id", "topic_id", "working_days", "count"
                )
            }
        )
        assert stored == histogram, level
        assert not MonthlyDuration.objects.filter(level=level).exclude(channel="").exists()


def test_page_figures_read_from_each_level_match_the_question_table(generated):
    questions = generated
    today = timezone.localdate()
    first = (today.replace(day=1) - datetime.timedelta(days=365 * 2)).replace(day=1)
    last = today.replace(day=1) - datetime.timedelta(days=1)
    period = Period(first, last, "custom", "custom")
    inside = [q for q in questions if q["answered_at"] and first <= q["answered_at"].astimezone(VN).date() <= last]
    root = Agency.objects.get(slug="ubnd-hai-phong")
    district = Agency.objects.get(slug="ubnd-quan-le-chan")
    topic = Topic.objects.order_by("position").first()
    everything = selectors.Filters(period)
    # The city committee's tree is every agency: the same figures as no agency at all (read from coarser rows).
    tree = selectors.parse_filters({"start": first.isoformat(), "end": last.isoformat(), "agency": root.slug})
    assert tree.agency_ids is None
    assert selectors.summary(tree).counters == selectors.summary(everything).counters
    assert selectors.summary(everything).counters["answered"] == len(inside)
    # A district committee with its offices: ranking lines (agency level) and topics (full level).
    ids = selectors.subtree_ids(district)
    assert len(ids) > 1
    scoped = selectors.Filters(period, district, None, ids)
    ranking = {line["slug"]: line["answered"] for line in selectors.ranking(scoped, sort="name")}
    direct = Counter(q["agency_id"] for q in inside if q["agency_id"] in ids)
    slugs = dict(Agency.objects.filter(pk__in=ids).values_list("pk", "slug"))
    assert {slug: n for slug, n in ranking.items() if n} == {slugs[pk]: n for pk, n in direct.items()}
    topics = {line["slug"]: line["answered"] for line in selectors.by_topic(scoped)}
    direct_topics = Counter(q["topic_id"] for q in inside if q["agency_id"] in ids)
    topic_slugs = dict(Topic.objects.values_list("pk", "slug"))
    assert {s: n for s, n in topics.items() if n} == {topic_slugs[pk]: n for pk, n in direct_topics.items()}
    # Topics over everything (topic level) and one topic (full level).
    all_topics = {line["slug"]: line["answered"] for line in selectors.by_topic(everything)}
    assert {s: n for s, n in all_topics.items() if n} == {
        topic_slugs[pk]: n for pk, n in Counter(q["topic_id"] for q in inside).items()
    }
    one = selectors.summary(selectors.Filters(period, None, topic, None))
    assert one.counters["answered"] == sum(1 for q in inside if q["topic_id"] == topic.pk)


def test_overdue_index_follows_the_running_clock_statuses():
    """The statistics' index for "overdue now" must follow qa's clocks, or the planner cannot use it: after
    migrate it covers exactly the running-clock statuses, and a stale or dropped one (a status added to the
    table, the deadline column rebuilt by qa.status_schema) is made again by the post_migrate hook."""
    from stats import indexes

    wanted = set(deadlines.TRANSFER_CLOCK_STATUSES | deadlines.ANSWER_CLOCK_STATUSES)
    assert indexes.indexed_statuses() == wanted
    assert indexes.ensure_overdue_index() is False  # already right: nothing done
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {indexes.INDEX}")
        cursor.execute(
            f"CREATE INDEX {indexes.INDEX} ON qa_question (deadline) "
            f"WHERE {indexes.condition(frozenset({'submitted'}))}"
        )
    assert indexes.indexed_statuses() == {"submitted"}
    assert indexes.ensure_overdue_index() is True
    assert indexes.indexed_statuses() == wanted
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX {indexes.INDEX}")
    assert indexes.indexed_statuses() is None
    assert indexes.ensure_overdue_index() is True
    assert indexes.indexed_statuses() == wanted


def test_day_levels_equal_the_daily_rows_summed_and_serve_a_custom_range_edges(generated):
    """The agency and topic levels by day hold the daily rows' sums (counters and histograms), and a range that
    starts and ends mid-month (its edges read from them) gives what the question table says."""
    from stats.models import COUNTERS, DailyDuration, DailyLevelDuration, DailyLevelStat, DailyStat

    for level, dims in (("agency", ("agency_id", "channel")), ("topic", ("topic_id",))):
        expected = {
            (r["day"], *(r[d] for d in dims)): tuple(r[c] for c in COUNTERS)
            for r in DailyStat.objects.values("day", *dims).annotate(**{c: Sum(c) for c in COUNTERS})
        }
        stored = {
            (r["day"], *(r[d] for d in dims)): tuple(r[c] for c in COUNTERS)
            for r in DailyLevelStat.objects.filter(level=level).values("day", *dims, *COUNTERS)
        }
        assert stored == expected and stored, level
        key = dims[0]
        durations = Counter(
            {
                (r["day"], r[key], r["working_days"]): r["n"]
                for r in DailyDuration.objects.values("day", key, "working_days").annotate(n=Sum("count"))
            }
        )
        stored_durations = Counter(
            {
                (r["day"], r[key], r["working_days"]): r["count"]
                for r in DailyLevelDuration.objects.filter(level=level).values("day", key, "working_days", "count")
            }
        )
        assert stored_durations == durations, level
    # A custom range cutting through months: its edges come from the day levels.
    today = timezone.localdate()
    start, end = today - datetime.timedelta(days=400), today - datetime.timedelta(days=20)
    start, end = start.replace(day=10), end.replace(day=20)
    period = Period(start, end, "custom", "custom")
    inside = [q for q in generated if q["answered_at"] and start <= q["answered_at"].astimezone(VN).date() <= end]
    assert selectors.summary(selectors.Filters(period)).counters["answered"] == len(inside)
    topic_slugs = dict(Topic.objects.values_list("pk", "slug"))
    all_topics = {line["slug"]: line["answered"] for line in selectors.by_topic(selectors.Filters(period))}
    assert {s: n for s, n in all_topics.items() if n} == {
        topic_slugs[pk]: n for pk, n in Counter(q["topic_id"] for q in inside).items()
    }
    ranking = {line["slug"]: line["answered"] for line in selectors.ranking(selectors.Filters(period), sort="name")}
    slugs = dict(Agency.objects.values_list("pk", "slug"))
    assert {s: n for s, n in ranking.items() if n} == {
        slugs[pk]: n for pk, n in Counter(q["agency_id"] for q in inside).items()
    }
    # A one-day rebuild rewrites that day's level rows from its new daily rows, and nothing else.
    day = DailyLevelStat.objects.order_by("-day").values_list("day", flat=True).first()
    before = DailyLevelStat.objects.exclude(day=day).count()
    aggregation.rebuild_days({day})
    assert DailyLevelStat.objects.exclude(day=day).count() == before
    assert (
        DailyLevelStat.objects.filter(day=day, level="agency").aggregate(n=Sum("received"))["n"]
        == (DailyStat.objects.filter(day=day).aggregate(n=Sum("received"))["n"])
    )
