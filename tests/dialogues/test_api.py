"""REST API of live dialogues: public reads never leak private data, staff endpoints check roles per agency."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from dialogues import identity, services
from dialogues.models import LiveQuestion, LiveQuestionStatus
from tests.factories import UserFactory

from .factories import DialogueSessionFactory, LiveQuestionFactory, LiveSessionFactory, PanelistFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

BASE = "/api/v1/dialogues"


@pytest.fixture
def api():
    return APIClient()


def _as(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _browser(client: APIClient, key: str) -> APIClient:
    client.cookies[identity.COOKIE] = identity.cookie_value(key)
    return client


def test_session_list_and_detail(api, agency):
    upcoming = DialogueSessionFactory(agency=agency)
    PanelistFactory(session=upcoming, name="Bà Vũ Thị Hạnh", position="Trưởng phòng")
    past = DialogueSessionFactory(agency=agency, status="ended")
    body = api.get(f"{BASE}/?when=upcoming").json()
    assert [s["id"] for s in body["results"]] == [upcoming.pk]
    assert body["results"][0]["panelists"][0]["name"] == "Bà Vũ Thị Hạnh"
    assert [s["id"] for s in api.get(f"{BASE}/?when=past").json()["results"]] == [past.pk]
    detail = api.get(f"{BASE}/{upcoming.pk}/").json()
    assert detail["socket"] == f"/ws/dialogues/{upcoming.pk}/" and detail["seq"] == 0
    assert api.get(f"{BASE}/999999/").status_code == 404


def test_session_list_queries_do_not_grow_with_rows(api, agency, django_assert_max_num_queries):
    for _ in range(3):
        PanelistFactory(session=DialogueSessionFactory(agency=agency))
    with django_assert_max_num_queries(4) as few:
        api.get(f"{BASE}/")
    for _ in range(10):
        PanelistFactory(session=DialogueSessionFactory(agency=agency))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(f"{BASE}/").json()["results"]) == 13


def test_public_questions_hide_pending_originals_and_contacts(api, live_session, moderator):
    pending = LiveQuestionFactory(session=live_session, text="Câu chờ duyệt bí mật")
    shown = services.live_question_ask(
        session_id=live_session.pk,
        actor=None,
        text="Câu hỏi gốc",
        email="riengtu@example.vn",
        browser_key="b1",
    )
    services.live_question_edit(question_id=shown.pk, actor=moderator, text="Câu hỏi đã biên tập")
    services.live_question_approve(question_id=shown.pk, actor=moderator)
    body = api.get(f"{BASE}/{live_session.pk}/questions/").json()
    assert [q["id"] for q in body] == [shown.pk]
    assert body[0]["text"] == "Câu hỏi đã biên tập"
    text = str(body) + str(api.get(f"{BASE}/{live_session.pk}/events/").json())
    for secret in ("riengtu@example.vn", "Câu hỏi gốc", pending.text, "original_text"):
        assert secret not in text


def test_ask_and_vote_over_http(api, live_session, moderator):
    response = _browser(api, "browser-x").post(
        f"{BASE}/{live_session.pk}/questions/", {"text": "Hỏi qua API", "name": "Khách"}, format="json"
    )
    assert response.status_code == 201 and response.json()["status"] == "pending"
    question_id = response.json()["id"]
    assert api.post(f"{BASE}/{live_session.pk}/questions/", {"text": ""}, format="json").status_code == 400
    services.live_question_approve(question_id=question_id, actor=moderator)
    vote = api.post(f"{BASE}/{live_session.pk}/questions/{question_id}/vote/")
    assert vote.status_code == 200 and vote.json() == {"question": question_id, "votes": 1}
    again = api.post(f"{BASE}/{live_session.pk}/questions/{question_id}/vote/")
    assert again.status_code == 400 and again.json()["code"] == "already_voted"
    no_cookie = APIClient().post(f"{BASE}/{live_session.pk}/questions/{question_id}/vote/")
    assert no_cookie.status_code == 400
    other_session = LiveSessionFactory(agency=live_session.agency)
    assert api.post(f"{BASE}/{other_session.pk}/questions/{question_id}/vote/").status_code == 404


def test_events_endpoint_pages_through_the_stream(api, live_session, moderator, watcher):
    for i in range(5):
        services.announcement_post(session_id=live_session.pk, actor=moderator, text=f"Tin {i}")
    services.live_question_ask(session_id=live_session.pk, actor=None, text="Chờ duyệt", browser_key="z")
    first = api.get(f"{BASE}/{live_session.pk}/events/?after=0&limit=3").json()
    assert [e["seq"] for e in first["events"]] == [1, 2, 3] and first["more"] is True and first["seq"] == 5
    rest = api.get(f"{BASE}/{live_session.pk}/events/?after=3").json()
    assert [e["seq"] for e in rest["events"]] == [4, 5] and rest["more"] is False
    assert rest["events"][0]["data"]["announcement"]["text"] == "Tin 3"
    assert api.get(f"{BASE}/{live_session.pk}/events/?after=x").status_code == 400
    assert _as(watcher).get(f"{BASE}/{live_session.pk}/events/?scope=moderators").status_code == 403
    moderated = _as(moderator).get(f"{BASE}/{live_session.pk}/events/?scope=moderators").json()
    assert [e["type"] for e in moderated["events"]] == ["question.submitted"]
    assert moderated["events"][0]["scope"] == "moderators"


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 403), ("watcher", 403), ("other_moderator", 403), ("moderator", 200)],
)
def test_staff_approve_endpoint_checks_the_agency(live_session, moderator, other_moderator, watcher, who, status):
    clients = {
        "anonymous": APIClient(),
        "watcher": _as(watcher),
        "other_moderator": _as(other_moderator),
        "moderator": _as(moderator),
    }
    question = LiveQuestionFactory(session=live_session)
    response = clients[who].post(f"{BASE}/{live_session.pk}/moderation/questions/{question.pk}/approve/")
    assert response.status_code == status
    expected = LiveQuestionStatus.APPROVED if status == 200 else LiveQuestionStatus.PENDING
    assert LiveQuestion.objects.get(pk=question.pk).status == expected
    listing = clients[who].get(f"{BASE}/{live_session.pk}/moderation/questions/")
    assert listing.status_code == status


def test_staff_moderation_flow_and_conflicts(live_session, moderator):
    client = _as(moderator)
    question = LiveQuestionFactory(session=live_session, text="Hỏi về học bổng")
    url = f"{BASE}/{live_session.pk}/moderation/questions/{question.pk}"
    assert client.post(f"{url}/answering/").status_code == 409  # pending: approve first
    body = client.post(f"{url}/approve/").json()
    assert body["status"] == "approved" and body["original_text"] == "Hỏi về học bổng"
    assert client.post(f"{url}/approve/").status_code == 409
    assert client.post(f"{url}/answering/").json()["status"] == "answering"
    summary = {"text": "Có học bổng cho học sinh nghèo.", "kind": "summary"}
    answer = client.post(f"{url}/answer/", summary, format="json")
    assert answer.status_code == 200 and answer.json()["answer"]["kind"] == "summary"
    assert client.post(f"{url}/answer/", {"text": ""}, format="json").status_code == 400
    other = LiveSessionFactory(agency=live_session.agency)
    assert client.post(f"{BASE}/{other.pk}/moderation/questions/{question.pk}/reject/").status_code == 404
    state = client.post(f"{BASE}/{live_session.pk}/moderation/close-questions/").json()
    assert state["questions_open"] is False
    assert client.post(f"{BASE}/{live_session.pk}/moderation/end/").json()["status"] == "ended"
    assert client.post(f"{BASE}/{live_session.pk}/moderation/start/").status_code == 409
    bad_video = {"video_url": "https://x.example/a"}
    video = client.post(f"{BASE}/{live_session.pk}/moderation/video/", bad_video, format="json")
    assert video.status_code == 400 and "video_url" in video.json()


def test_panelist_answers_through_the_api_but_cannot_approve(live_session, moderator):
    panelist = PanelistFactory(session=live_session, user=UserFactory()).user
    question = LiveQuestionFactory(session=live_session)
    url = f"{BASE}/{live_session.pk}/moderation/questions/{question.pk}"
    assert _as(panelist).post(f"{url}/approve/").status_code == 403
    services.live_question_approve(question_id=question.pk, actor=moderator)
    response = _as(panelist).post(f"{url}/answer/", {"text": "Tôi xin trả lời."}, format="json")
    assert response.status_code == 200 and response.json()["answer"]["kind"] == "typed"


def test_schedule_a_session_and_subscribe(agency, moderator, other_moderator):
    payload = {
        "agency": agency.slug,
        "title": "Đối thoại về cải cách hành chính",
        "scheduled_start": "2030-01-10T08:00:00+07:00",
        "scheduled_end": "2030-01-10T10:00:00+07:00",
        "panelists": [{"name": "Ông Trần Văn Nam", "position": "Giám đốc Sở"}],
    }
    assert _as(other_moderator).post(f"{BASE}/", payload, format="json").status_code == 403
    bad = _as(moderator).post(f"{BASE}/", {**payload, "scheduled_end": "2030-01-10T07:00:00+07:00"}, format="json")
    assert bad.status_code == 400 and "scheduled_end" in bad.json()
    created = _as(moderator).post(f"{BASE}/", payload, format="json")
    assert created.status_code == 201 and created.json()["panelists"][0]["name"] == "Ông Trần Văn Nam"
    session_id = created.json()["id"]
    subscribed = APIClient().post(f"{BASE}/{session_id}/subscribe/", {"email": "ban@example.vn"}, format="json")
    assert subscribed.status_code == 201
    assert APIClient().post(f"{BASE}/{session_id}/subscribe/", {"email": "x"}, format="json").status_code == 400


def test_every_endpoint_is_in_the_openapi_schema():
    schema = Client().get("/api/schema/").content.decode()
    for path in (
        "/api/v1/dialogues/{id}/events/",
        "/api/v1/dialogues/{id}/questions/",
        "/api/v1/dialogues/{id}/questions/{question_pk}/vote/",
        "/api/v1/dialogues/{id}/moderation/questions/{question_pk}/approve/",
        "/api/v1/dialogues/{id}/moderation/questions/{question_pk}/answer/",
        "/api/v1/dialogues/{id}/moderation/forward-all/",
        "/api/v1/dialogues/{id}/moderation/announcements/",
    ):
        assert path in schema, path
    assert "LiveQuestionStatusEnum" in schema and "ModeratorQuestionOut" in schema
