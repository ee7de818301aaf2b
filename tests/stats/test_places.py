"""Statistics by the asker's commune or ward (issue 13): summed from the rows by place the statistics rebuild
writes from the questions' events, by the structure of the time or of today (a merged unit counts under its
successor), with small counts withheld on every public output."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from qa.models import QuestionEvent, QuestionStatus
from stats import aggregation, selectors
from tests.factories import AdministrativeUnitFactory, AgencyFactory, QuestionFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ENDED = datetime.date(2025, 6, 30)
YEAR = {"period": "2025"}


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def asked():
    """Cát Dài merged into Lê Chân on 1 July 2025. In 2025: Cát Dài 3 questions (2 answered on time, 1 late),
    Lê Chân 3 (2 on time), An Biên 6 (3 of 6 on time), Tiny 2, and 4 without a place; one of Lê Chân in 2024."""
    le_chan = AdministrativeUnitFactory(code="P-LC", name="Phường Lê Chân")
    cat_dai = AdministrativeUnitFactory(code="P-CD", name="Phường Cát Dài", valid_from=None, valid_to=ENDED)
    cat_dai.successor = le_chan
    cat_dai.save()
    an_bien = AdministrativeUnitFactory(code="P-AB", name="Phường An Biên")
    tiny = AdministrativeUnitFactory(code="X-TN", name="Xã Tí Hon", unit_type="xa")
    agency, topic = AgencyFactory(), TopicFactory(slug="dat-dai")

    def ask(place, received: datetime.date, answered: datetime.date | None = None, on_time: bool = True):
        fields = {"agency": agency, "topic": topic, "place": place, "received_at": _at(received)}
        if answered is not None:
            due = answered if on_time else answered - datetime.timedelta(days=3)
            fields.update(status=QuestionStatus.ANSWERED, answered_at=_at(answered, 16), due_date=due)
        question = QuestionFactory(**fields)
        # What the statistics count: the receipt and the answer as the workflow records them (the deadline in
        # force is the question's own, no acceptance pushed it).
        QuestionEvent.objects.create(question=question, action="submit", created_at=fields["received_at"])
        if answered is not None:
            QuestionEvent.objects.create(question=question, action="send", created_at=fields["answered_at"])
        return question

    may, aug, sep = datetime.date(2025, 5, 5), datetime.date(2025, 8, 4), datetime.date(2025, 9, 8)
    ask(cat_dai, may, may + datetime.timedelta(days=10))
    ask(cat_dai, may, may + datetime.timedelta(days=10))
    ask(cat_dai, may, may + datetime.timedelta(days=30), on_time=False)
    ask(le_chan, aug, aug + datetime.timedelta(days=5))
    ask(le_chan, aug, aug + datetime.timedelta(days=5))
    ask(le_chan, aug)
    for i in range(6):
        ask(an_bien, sep, sep + datetime.timedelta(days=4), on_time=i % 2 == 0)
    ask(tiny, sep)
    ask(tiny, sep)
    for _i in range(4):
        ask(None, sep)
    ask(le_chan, datetime.date(2024, 12, 1))
    aggregation.rebuild_all()
    return {"le_chan": le_chan, "cat_dai": cat_dai, "an_bien": an_bien, "tiny": tiny, "topic": topic}


def _lines(params) -> dict[str, dict]:
    return {line["code"]: line for line in selectors.by_place(selectors.parse_filters(params))}


def test_by_place_as_it_was_then_withholds_small_counts(asked, django_assert_max_num_queries):
    filters = selectors.parse_filters(YEAR)
    with django_assert_max_num_queries(3):  # the grouped sums, the units, their successors
        lines = selectors.by_place(filters)
    assert [line["code"] for line in lines] == ["P-AB", "P-CD", "P-LC", "X-TN"]  # shown first, then by name
    by_code = {line["code"]: line for line in lines}
    assert by_code["P-AB"] == {
        "code": "P-AB",
        "name": "Phường An Biên",
        "province": "Thành phố Hải Phòng",
        "suppressed": False,
        "received": 6,
        "answered": 6,
        "answered_on_time": 3,
        "on_time_rate": 50.0,
    }
    for code in ("P-CD", "P-LC", "X-TN"):  # 3, 3 and 2 questions: fewer than 5
        line = by_code[code]
        assert line["suppressed"] and line["received"] is line["answered"] is line["on_time_rate"] is None


def test_by_place_as_it_is_today_folds_merged_units_into_their_successor(asked):
    lines = _lines({**YEAR, "structure": "today"})
    assert set(lines) == {"P-AB", "P-LC", "X-TN"}
    folded = lines["P-LC"]
    assert not folded["suppressed"] and folded["name"] == "Phường Lê Chân"
    assert (folded["received"], folded["answered"], folded["answered_on_time"]) == (6, 5, 4)
    assert folded["on_time_rate"] == 80.0


def test_by_place_follows_the_period_topic_and_agency(asked):
    assert _lines({"period": "2025-09"})["P-AB"]["received"] == 6
    assert set(_lines({"period": "2025-09"})) == {"P-AB", "X-TN"}
    assert _lines({"period": "2024"})["P-LC"]["suppressed"]
    assert _lines({**YEAR, "topic": "dat-dai"})["P-AB"]["received"] == 6
    TopicFactory(slug="khac")
    assert _lines({**YEAR, "topic": "khac"}) == {}
    other = AgencyFactory(slug="co-quan-khac")
    assert _lines({**YEAR, "agency": other.slug}) == {}


def test_page_shows_the_table_with_the_hint_and_withheld_counts(client, asked):
    html = client.get(reverse("stats:statistics"), YEAR).content.decode()
    assert "Theo xã/phường của người hỏi" in html
    assert "Đơn vị có dưới 5 câu hỏi trong kỳ được ghi “&lt; 5”" in html
    assert '<th scope="row">Phường An Biên</th>' in html
    assert "&lt; 5" in html
    today = client.get(reverse("stats:statistics"), {**YEAR, "structure": "today"}).content.decode()
    assert "Các đơn vị đã sáp nhập được tính vào đơn vị tiếp nhận địa bàn" in today


def test_downloads_and_api_withhold_small_counts(client, asked):
    csv = client.get(reverse("stats:download", args=["places", "csv"]), YEAR).content.decode("utf-8-sig")
    assert "Xã/phường" in csv.splitlines()[0]
    assert "Phường An Biên,Thành phố Hải Phòng,6,6,3,50.0" in csv
    assert "Phường Cát Dài,Thành phố Hải Phòng,< 5,< 5,< 5,< 5" in csv
    data = client.get(reverse("stats:download", args=["places", "json"]), {**YEAR, "structure": "today"}).json()
    assert {row["name"]: row["received"] for row in data["rows"]}["Phường Lê Chân"] == 6
    body = client.get("/api/v1/statistics/", YEAR).json()
    places = {line["code"]: line for line in body["places"]}
    assert places["P-AB"]["received"] == 6 and places["P-AB"]["suppressed"] is False
    assert places["X-TN"] == {
        "code": "X-TN",
        "name": "Xã Tí Hon",
        "province": "Thành phố Hải Phòng",
        "suppressed": True,
        "received": None,
        "answered": None,
        "answered_on_time": None,
        "on_time_rate": None,
    }
    today = client.get("/api/v1/statistics/", {**YEAR, "structure": "today"}).json()
    assert {line["code"]: line["received"] for line in today["places"]}["P-LC"] == 6
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert '"PlaceLine"' in schema


def test_a_question_without_a_place_is_never_counted_by_place(asked):
    counted = sum(line["received"] or 0 for line in _lines(YEAR).values())
    assert counted == 6  # only the unsuppressed An Biên; the 4 without a place count nowhere here


def test_ranges_across_months_add_the_edge_days_and_a_day_rebuilt_keeps_its_places(asked):
    # 5 May (edge days) to the end of September (whole months): every 2025 question but none of December 2024.
    lines = _lines({"start": "2025-05-05", "end": "2025-09-30", "structure": "today"})
    assert (lines["P-LC"]["received"], lines["P-LC"]["answered"]) == (6, 5)
    assert _lines({"start": "2025-09-08", "end": "2025-10-15"})["P-AB"]["received"] == 6
    assert "P-AB" not in _lines({"start": "2025-09-09", "end": "2025-09-11"})  # answered on the 12th
    before = _lines(YEAR)
    aggregation.rebuild_days({datetime.date(2025, 9, 8), datetime.date(2025, 9, 12)})
    assert _lines(YEAR) == before
