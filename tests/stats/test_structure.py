"""Statistics by the structure of the time or by today's: merged agencies folded into their successor, or not."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import AgencyFormerName, AgencySuccession
from stats import aggregation, selectors
from stats.models import DailyDuration, DailyStat
from tests.factories import AgencyFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

MERGED = datetime.date(2025, 3, 1)


@pytest.fixture
def merged():
    """Two departments merged into a new one on 1 March 2025 (one of them first merged another), a third
    renamed on the same day, and a fourth untouched; figures on both sides of the merger."""
    topic = TopicFactory()
    old_a, old_b, older = AgencyFactory(is_active=False), AgencyFactory(is_active=False), AgencyFactory(is_active=False)
    new = AgencyFactory(name="Sở Nông nghiệp và Môi trường")
    renamed = AgencyFactory(name="Sở Mới Tên")
    AgencyFormerName.objects.create(
        agency=renamed, name="Sở Cũ Tên", slug="so-cu-ten", code="HP-CU", valid_until=MERGED
    )
    other = AgencyFactory()
    AgencySuccession.objects.create(predecessor=older, successor=old_a, effective_date=datetime.date(2024, 1, 1))
    AgencySuccession.objects.create(predecessor=old_a, successor=new, effective_date=MERGED)
    AgencySuccession.objects.create(predecessor=old_b, successor=new, effective_date=MERGED)
    rows = [
        # (day, agency, received, answered, on time, working days)
        (datetime.date(2025, 1, 10), older, 2, 2, 2, 3),
        (datetime.date(2025, 2, 10), old_a, 5, 4, 4, 6),
        (datetime.date(2025, 2, 20), old_b, 3, 2, 1, 10),
        (datetime.date(2025, 3, 10), new, 7, 6, 6, 4),
        (datetime.date(2025, 2, 5), renamed, 4, 4, 4, 2),
        (datetime.date(2025, 2, 6), other, 1, 1, 0, 12),
    ]
    for day, agency, received, answered, on_time, days in rows:
        DailyStat.objects.create(
            day=day,
            agency=agency,
            topic=topic,
            channel="web",
            received=received,
            answered=answered,
            answered_on_time=on_time,
        )
        DailyDuration.objects.create(
            day=day, agency=agency, topic=topic, channel="web", working_days=days, count=answered
        )
    aggregation.rollup_days(None)
    aggregation.rollup_months({day for day, *_rest in rows})
    return {"older": older, "a": old_a, "b": old_b, "new": new, "renamed": renamed, "other": other}


@pytest.mark.parametrize("span", [{"period": "2025-Q1"}, {"start": "2025-01-05", "end": "2025-03-20"}])
def test_ranking_as_it_was_then_and_as_it_is_today(merged, span):
    then = {line["slug"]: line for line in selectors.ranking(selectors.parse_filters(span), sort="name")}
    assert then[merged["a"].slug]["received"] == 5 and then[merged["b"].slug]["received"] == 3
    assert then[merged["older"].slug]["received"] == 2 and then[merged["new"].slug]["received"] == 7
    # Named as at the period's end: renamed on 1 March, so February shows the old name.
    assert then[merged["renamed"].slug]["name"] == "Sở Mới Tên"
    february = selectors.ranking(selectors.parse_filters({"period": "2025-02"}), sort="name")
    assert "Sở Cũ Tên" in [line["name"] for line in february]
    today = {
        line["slug"]: line
        for line in selectors.ranking(selectors.parse_filters({**span, "structure": "today"}), sort="name")
    }
    assert set(today) == {merged["new"].slug, merged["renamed"].slug, merged["other"].slug}
    folded = today[merged["new"].slug]
    assert (folded["received"], folded["answered"]) == (2 + 5 + 3 + 7, 2 + 4 + 2 + 6)
    assert folded["on_time_rate"] == round(100 * (2 + 4 + 1 + 6) / 14, 1)
    # Median of 2×3, 4×6, 2×10, 6×4 working days: the 7th of 14 is 4.
    assert folded["median_days"] == 4 and folded["name"] == "Sở Nông nghiệp và Môi trường"
    assert today[merged["renamed"].slug]["name"] == "Sở Mới Tên"
    assert today[merged["other"].slug] == then[merged["other"].slug]
    # The totals do not depend on the structure.
    assert (
        selectors.summary(selectors.parse_filters(span)).counters
        == selectors.summary(selectors.parse_filters({**span, "structure": "today"})).counters
    )


def test_an_agency_filter_by_today_includes_its_predecessors(merged):
    base = {"period": "2025-Q1", "agency": merged["new"].slug}
    assert selectors.summary(selectors.parse_filters(base)).counters["received"] == 7
    today = selectors.parse_filters({**base, "structure": "today"})
    assert set(today.agency_ids) == {merged[k].pk for k in ("new", "a", "b", "older")}
    assert selectors.summary(today).counters["received"] == 17
    assert [line["received"] for line in selectors.ranking(today)] == [17]


def test_page_api_and_downloads_carry_the_choice(client, merged):
    params = {"period": "2025-Q1", "structure": "today"}
    page = client.get(reverse("stats:statistics"), params)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="structure" value="today" aria-describedby="f-structure-hint" checked' in html
    assert "Theo cơ cấu hiện nay" in html and "structure=today" in html  # sort links and downloads keep it
    body = client.get("/api/v1/statistics/", params).json()
    assert body["structure"] == "today"
    assert [line["slug"] for line in body["ranking"] if line["received"] == 17] == [merged["new"].slug]
    data = client.get(reverse("stats:download", args=["ranking", "json"]), params).json()
    assert 17 in [row["received"] for row in data["rows"]]
    bad = client.get("/api/v1/statistics/", {"period": "2025-Q1", "structure": "tomorrow"})
    assert bad.status_code == 400 and "structure" in bad.json()
    assert client.get(reverse("stats:statistics"), {"structure": "x"}).status_code == 400
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert '"structure"' in schema
