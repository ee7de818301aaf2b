"""The asker's commune or ward (issue 13): chosen on the ask form, the public API and the phone registration, checked
by the service (unknown or merged units are clear errors), and never shown on public pages or the public API."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from qa import places
from qa.models import Channel, Question
from qa.services import question_submit
from qa.services.registration import question_register
from tests.factories import (
    AdministrativeUnitFactory,
    AgencyFactory,
    PublishedQuestionFactory,
    TopicFactory,
)
from tests.qa.staff_fixtures import moderator
from tests.qa.test_views import ask_data

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

ENDED = datetime.date(2025, 6, 30)


@pytest.fixture
def units():
    """Two wards in force in Hải Phòng, one in another province, one merged into the first, one ended alone."""
    le_chan = AdministrativeUnitFactory(code="P-LC", name="Phường Lê Chân")
    an_bien = AdministrativeUnitFactory(code="P-AB", name="Phường An Biên")
    other = AdministrativeUnitFactory(code="X-HD", name="Xã An Phú", province="Thành phố Hà Nội")
    merged = AdministrativeUnitFactory(code="P-CD", name="Phường Cát Dài", valid_from=None, valid_to=ENDED)
    merged.successor = le_chan
    merged.save()
    ended = AdministrativeUnitFactory(code="P-OLD", name="Phường Đã Hết", valid_from=None, valid_to=ENDED)
    return {"le_chan": le_chan, "an_bien": an_bien, "other": other, "merged": merged, "ended": ended}


@pytest.fixture
def agency():
    return AgencyFactory(name="Sở Tài nguyên và Môi trường", code="HP-STNMT", slug="so-tnmt")


@pytest.fixture
def topic():
    return TopicFactory(name="Đất đai", slug="dat-dai")


# --- Selectors ---------------------------------------------------------------------------------


def test_units_in_force_today_by_province_then_name(units):
    codes = [unit.code for unit in places.units_valid_on()]
    assert codes == ["X-HD", "P-AB", "P-LC"]  # Hà Nội before Hải Phòng; merged and ended units left out
    assert [unit.code for unit in places.units_valid_on(datetime.date(2025, 6, 1))] == ["P-CD", "P-OLD"]
    assert places.unit_valid_today("P-CD") is None and places.unit_valid_today("P-LC") == units["le_chan"]


def test_unit_and_predecessors_follows_chains(units, django_assert_max_num_queries):
    older = AdministrativeUnitFactory(code="P-OLDER", valid_from=None, valid_to=datetime.date(2020, 1, 1))
    older.successor = units["merged"]
    older.save()
    with django_assert_max_num_queries(4):  # one per link, and one to find there is none further
        ids = places.unit_and_predecessors(units["le_chan"].pk)
    assert set(ids) == {units["le_chan"].pk, units["merged"].pk, older.pk}
    assert places.unit_and_predecessors(units["an_bien"].pk) == (units["an_bien"].pk,)
    known = places.units_with_successors({older.pk})
    assert places.successor_today(older.pk, known) == units["le_chan"].pk


# --- The ask form -----------------------------------------------------------------------------


def test_ask_form_offers_units_in_force_grouped_by_province(units):
    body = Client(HTTP_ACCEPT_LANGUAGE="vi").get(reverse("qa:ask")).content.decode()
    assert "Xã/phường nơi bạn ở (không bắt buộc)" in body
    assert '<select name="place"' in body
    assert '<optgroup label="Thành phố Hải Phòng">' in body and '<optgroup label="Thành phố Hà Nội">' in body
    assert '<option value="P-LC">Phường Lê Chân</option>' in body
    assert "P-CD" not in body and "P-OLD" not in body  # no longer in force


def test_ask_form_without_any_unit_has_no_place_field():
    assert 'name="place"' not in Client().get(reverse("qa:ask")).content.decode()


def test_asking_with_a_place_records_it(units, agency, topic):
    response = Client().post(reverse("qa:ask"), ask_data(agency, topic, place="P-LC"))
    assert response.status_code == 302
    assert Question.objects.get().place == units["le_chan"]


def test_asking_without_a_place_is_fine(units, agency, topic):
    response = Client().post(reverse("qa:ask"), ask_data(agency, topic, place=""))
    assert response.status_code == 302
    assert Question.objects.get().place is None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NOPE", "Không có xã, phường hay đặc khu nào mang mã “NOPE”."),
        ("P-CD", "Phường Cát Dài đã được sáp nhập vào Phường Lê Chân"),
        ("P-OLD", "Phường Đã Hết hiện không còn là đơn vị hành chính cấp xã"),
    ],
)
def test_an_unknown_or_ended_place_is_shown_next_to_the_field(units, agency, topic, code, message):
    response = Client(HTTP_ACCEPT_LANGUAGE="vi").post(reverse("qa:ask"), ask_data(agency, topic, place=code))
    assert response.status_code == 200
    assert message in response.context["form"].errors["place"][0]
    assert 'id="field-place"' in response.content.decode()
    assert not Question.objects.exists()


def test_suggest_an_agency_keeps_the_chosen_place(units, agency, topic):
    data = ask_data(agency, topic, place="P-AB", suggest="1")
    body = Client().post(reverse("qa:ask"), data).content.decode()
    assert '<option value="P-AB" selected>Phường An Biên</option>' in body


# --- The public API ----------------------------------------------------------------------------


def _payload(agency, topic, **extra):
    return {
        "agency": agency.pk,
        "topic": topic.pk,
        "title": "Hỏi về thủ tục đăng ký hộ kinh doanh",
        "body": "Tôi muốn mở cửa hàng tạp hóa thì cần đăng ký hộ kinh doanh ở đâu?",
        "asker_type": "individual",
        "name": "Phạm Thị Lan",
        "email": "lan.pham@example.vn",
        **extra,
    }


def test_api_records_the_place_by_code(units, agency, topic):
    response = APIClient().post("/api/v1/questions/", _payload(agency, topic, place="P-AB"), format="json")
    assert response.status_code == 201, response.content
    question = Question.objects.get(reference=response.json()["reference"])
    assert question.place == units["an_bien"] and question.channel == Channel.API
    assert "place" not in response.json()


@pytest.mark.parametrize(
    ("code", "english", "vietnamese"),
    [
        ("NOPE", "There is no commune, ward or special zone", "Không có xã, phường hay đặc khu"),
        ("P-CD", "has merged into Phường Lê Chân", "đã được sáp nhập vào Phường Lê Chân"),
    ],
)
def test_api_refuses_an_unknown_or_merged_place_with_a_translated_400(units, agency, topic, code, english, vietnamese):
    for language, expected in (("en", english), ("vi", vietnamese)):
        client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
        response = client.post("/api/v1/questions/", _payload(agency, topic, place=code), format="json")
        assert response.status_code == 400
        assert expected in response.json()["place"][0]
    assert not Question.objects.exists()


def test_api_schema_documents_the_place_field():
    schema = APIClient().get("/api/schema/?format=json").json()["components"]["schemas"]
    assert "place" in schema["QuestionSubmitRequest"]["properties"]
    assert "place" in schema["QuestionSubmitError"]["properties"]


# --- The services --------------------------------------------------------------------------------


def test_service_reports_the_place_with_the_other_fields(units, agency, topic):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        question_submit(
            agency=agency, topic=topic, title="", body="x", asker_type="individual", name="A", email="a@b.vn", place="?"
        )
    assert set(caught.value.message_dict) == {"title", "place"}


def test_phone_registration_passes_the_place_through_the_service(units, agency, topic):
    question = question_register(
        actor=moderator(agency),
        agency=agency,
        topic=topic,
        channel=Channel.PHONE,
        title="Hỏi qua điện thoại về đất",
        body="Người dân gọi điện hỏi về thủ tục cấp sổ.",
        asker_type="individual",
        name="Nguyễn Văn Gọi",
        phone="0912345678",
        place="P-LC",
    )
    assert question.place == units["le_chan"]
    with pytest.raises(ValidationError) as caught:
        question_register(
            actor=moderator(agency),
            agency=agency,
            topic=topic,
            channel=Channel.PHONE,
            title="Hỏi",
            body="Hỏi",
            asker_type="individual",
            name="A",
            phone="0912345678",
            place="P-OLD",
        )
    assert "place" in caught.value.message_dict


def test_staff_registration_form_offers_the_place(units, agency, topic):
    client = Client()
    client.force_login(moderator(agency))
    body = client.get(reverse("staff:register")).content.decode()
    assert '<option value="P-LC">Phường Lê Chân</option>' in body


# --- Never public ----------------------------------------------------------------------------------


def test_the_place_is_not_on_the_public_page_nor_the_public_api(units):
    question = PublishedQuestionFactory(place=units["an_bien"])
    page = Client().get(question.get_absolute_url()).content.decode()
    assert "An Biên" not in page and "P-AB" not in page
    detail = APIClient().get(f"/api/v1/questions/{question.reference}/").json()
    listing = APIClient().get("/api/v1/questions/").json()["results"][0]
    for data in (detail, listing):
        assert "place" not in data
        assert "An Biên" not in str(data) and "P-AB" not in str(data)


def test_api_lists_the_units_in_force_for_askers(units, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        data = APIClient().get("/api/v1/places/").json()
    assert [unit["code"] for unit in data] == ["X-HD", "P-AB", "P-LC"]
    assert data[1] == {
        "code": "P-AB",
        "name": "Phường An Biên",
        "unit_type": "phuong",
        "province": "Thành phố Hải Phòng",
    }
