"""The asker's commune or ward for staff (issue 13): on the question page and in the staff API, and the queue filter
by place, where a unit includes the units merged into it (followed through chains)."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Membership
from qa.models import QuestionStatus as S
from tests.factories import AdministrativeUnitFactory, AgencyFactory, TopicFactory
from tests.qa.staff_fixtures import question_in, staff

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

MOD = Membership.Role.MODERATOR.value
BASE = "/api/v1/staff/questions/"
ENDED = datetime.date(2025, 6, 30)


@pytest.fixture
def world():
    agency = AgencyFactory(name="Ủy ban nhân dân phường Lê Chân", code="HP-PLC")
    le_chan = AdministrativeUnitFactory(code="P-LC", name="Phường Lê Chân")
    an_bien = AdministrativeUnitFactory(code="P-AB", name="Phường An Biên")
    # Cát Dài merged into Lê Chân in 2025; Trại Cau had merged into Cát Dài before (a chain).
    cat_dai = AdministrativeUnitFactory(code="P-CD", name="Phường Cát Dài", valid_from=None, valid_to=ENDED)
    trai_cau = AdministrativeUnitFactory(code="P-TC", name="Phường Trại Cau", valid_from=None, valid_to=ENDED)
    cat_dai.successor, trai_cau.successor = le_chan, cat_dai
    cat_dai.save()
    trai_cau.save()
    return {
        "agency": agency,
        MOD: staff(agency, MOD, full_name="Lê Biên Tập"),
        "le_chan": le_chan,
        "an_bien": an_bien,
        "cat_dai": cat_dai,
        "trai_cau": trai_cau,
    }


def _questions(world):
    """One question per place (and one without), all waiting in the new tab."""
    return {
        key: question_in(S.SUBMITTED, world["agency"], place=world[key] if key != "none" else None)
        for key in ("le_chan", "an_bien", "cat_dai", "trai_cau", "none")
    }


def _queue(client, user, **params):
    client.force_login(user)
    return client.get(reverse("staff:queue"), {"tab": "all", **params})


def _refs(response) -> set[str]:
    return {row.question.reference for row in response.context["rows"]}


def test_the_question_page_shows_the_place_to_staff(world):
    question = question_in(S.SUBMITTED, world["agency"], place=world["cat_dai"])
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(world[MOD])
    body = client.get(reverse("staff:question", kwargs={"reference": question.reference})).content.decode()
    assert "Xã/phường" in body
    assert "Phường Cát Dài, Thành phố Hải Phòng" in body and "nay thuộc Phường Lê Chân" in body


def test_queue_filter_by_place_includes_merged_predecessors_through_chains(world):
    questions = _questions(world)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    everything = _queue(client, world[MOD])
    assert _refs(everything) == {q.reference for q in questions.values()}
    body = everything.content.decode()
    # The filter offers the units in force today only.
    assert '<option value="P-LC">Phường Lê Chân, Thành phố Hải Phòng</option>' in body and 'value="P-CD"' not in body

    filtered = _queue(client, world[MOD], place="P-LC")
    assert _refs(filtered) == {questions[k].reference for k in ("le_chan", "cat_dai", "trai_cau")}
    assert filtered.context["filtered"] is True
    assert filtered.context["tabs"][-1]["count"] == 3  # the counts use the same filter
    assert _refs(_queue(client, world[MOD], place="P-AB")) == {questions["an_bien"].reference}
    # An unknown code (or a merged unit typed in) is reported and ignored, never a 500.
    bad = _queue(client, world[MOD], place="P-CD")
    assert bad.status_code == 200 and "place" in bad.context["form"].errors
    assert len(_refs(bad)) == 5


def test_queue_query_count_with_places_does_not_grow_with_rows(world, django_assert_num_queries):
    topic = TopicFactory()
    client = Client()

    def add(n):
        for i in range(n):
            place = [world["le_chan"], world["cat_dai"], None][i % 3]
            question_in(S.SUBMITTED, world["agency"], topic=topic, place=place)

    add(3)
    client.force_login(world[MOD])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("staff:queue"), {"tab": "all", "place": "P-LC"})
    add(27)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("staff:queue"), {"tab": "all", "place": "P-LC"})
    assert len(response.context["rows"]) == 20
    with CaptureQueriesContext(connection) as unfiltered:
        client.get(reverse("staff:queue"), {"tab": "all"})
    # The filter costs the predecessors' lookup (one query per link of the chain: here two, and the end).
    assert len(few.captured_queries) - len(unfiltered.captured_queries) <= 3


# --- The staff API ---------------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_staff_api_shows_the_place_and_filters_by_it(world):
    questions = _questions(world)
    client = _api(world[MOD])
    data = client.get(BASE, {"tab": "all", "place": "P-LC"}).json()
    assert {row["reference"] for row in data["results"]} == {
        questions[k].reference for k in ("le_chan", "cat_dai", "trai_cau")
    }
    by_ref = {row["reference"]: row for row in data["results"]}
    assert by_ref[questions["cat_dai"].reference]["place"] == {
        "code": "P-CD",
        "name": "Phường Cát Dài",
        "province": "Thành phố Hải Phòng",
    }
    # A unit no longer in force may be asked for in the API: its own questions and its predecessors'.
    data = client.get(BASE, {"tab": "all", "place": "P-CD"}).json()
    assert {row["reference"] for row in data["results"]} == {questions[k].reference for k in ("cat_dai", "trai_cau")}
    detail = client.get(f"{BASE}{questions['trai_cau'].reference}/").json()
    assert detail["place"] == {
        "code": "P-TC",
        "name": "Phường Trại Cau",
        "province": "Thành phố Hải Phòng",
        "successor": "P-CD",
    }
    assert client.get(f"{BASE}{questions['none'].reference}/").json()["place"] is None


def test_staff_api_refuses_an_unknown_place(world):
    response = _api(world[MOD]).get(BASE, {"place": "NOPE"})
    assert response.status_code == 400
    assert "There is no commune, ward or special zone" in response.json()["place"][0]


def test_staff_api_list_query_count_does_not_grow_with_places(world, django_assert_num_queries):
    client = _api(world[MOD])
    question_in(S.SUBMITTED, world["agency"], place=world["le_chan"])
    with CaptureQueriesContext(connection) as few:
        client.get(BASE, {"tab": "all"})
    for i in range(10):
        question_in(S.SUBMITTED, world["agency"], place=[world["an_bien"], world["cat_dai"]][i % 2])
    with django_assert_num_queries(len(few.captured_queries)):
        data = client.get(BASE, {"tab": "all"}).json()
    assert len(data["results"]) == 11


def test_staff_of_another_agency_cannot_filter_into_this_one(world):
    questions = _questions(world)
    outsider = staff(AgencyFactory(), MOD)
    data = _api(outsider).get(BASE, {"tab": "all", "place": "P-LC"}).json()
    assert questions and data["results"] == []
