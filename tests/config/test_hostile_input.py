"""Hostile input against every kind of endpoint: the expected status, never a 500, and nothing saved is lost.

One table of (method, path, body, headers) → status for the public and staff APIs and the web pages; each row
also checks that the questions, answers and live questions already saved are unchanged afterwards, and that
an API answer is JSON. The socket rows are in tests/dialogues/test_hostile_socket.py.
"""

import json
from urllib.parse import urlencode

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from accounts.models import Membership
from dialogues.models import LiveQuestion
from qa.models import Question, QuestionStatus
from tests.dialogues.factories import LiveQuestionFactory, LiveSessionFactory
from tests.factories import AgencyFactory, MembershipFactory, TopicFactory, UserFactory
from tests.qa.staff_fixtures import question_in

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

TEN_MB = 10 * 1024 * 1024
DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
HUGE_INT = "9" * 40
RLO = "\u202e"


@pytest.fixture
def world():
    agency = AgencyFactory(code="STNMT")
    other = AgencyFactory(code="SGTVT")
    topic = TopicFactory()
    staff = UserFactory()
    MembershipFactory(user=staff, agency=agency, role=Membership.Role.MODERATOR)
    published = question_in(QuestionStatus.PUBLISHED, agency, topic=topic, title="Thủ tục cấp sổ đỏ")
    queued = question_in(QuestionStatus.SUBMITTED, agency, topic=topic)
    session = LiveSessionFactory(agency=agency)
    live = LiveQuestionFactory(session=session)
    return {
        "agency": agency,
        "other": other,
        "topic": topic,
        "staff": staff,
        "token": Token.objects.create(user=staff).key,
        "published": published,
        "queued": queued,
        "session": session,
        "live": live,
    }


def _snapshot() -> list:
    """What is saved: every question's and live question's text, in a comparable form."""
    return [
        list(Question.objects.order_by("pk").values_list("pk", "title", "body", "status", "public_title")),
        list(LiveQuestion.objects.order_by("pk").values_list("pk", "text", "status")),
    ]


def _ask(w, **overrides) -> dict:
    data = {
        "agency": w["agency"].pk,
        "topic": w["topic"].pk,
        "title": "Hỏi về thủ tục đăng ký hộ kinh doanh",
        "body": "Tôi muốn mở cửa hàng tạp hóa ở quận Lê Chân thì cần đăng ký ở đâu?",
        "asker_type": "individual",
        "name": "Phạm Thị Lan",
        "email": "lan.pham@example.vn",
        "consent_to_publish": True,
    }
    data.update(overrides)
    return data


# (id, who, method, path template, body (str/bytes/dict or a callable of the world), content type, status)
# `who`: None anonymous, "token" the moderator's API token, "session" the moderator logged in.
ROWS = [
    # Public API: the question list and its filters.
    ("list-null-search", None, "get", "/api/v1/questions/?search=a%00b", None, None, 400),
    ("list-negative-page", None, "get", "/api/v1/questions/?page=-1", None, None, 404),
    ("list-huge-page", None, "get", f"/api/v1/questions/?page={HUGE_INT}", None, None, 404),
    ("list-huge-page-size", None, "get", f"/api/v1/questions/?page_size={HUGE_INT}", None, None, 200),
    ("list-huge-agency", None, "get", f"/api/v1/questions/?agency={HUGE_INT}", None, None, 400),
    ("list-bad-date", None, "get", "/api/v1/questions/?date_from=2026-13-45", None, None, 400),
    ("list-bidi-search", None, "get", f"/api/v1/questions/?search={RLO}s%E1%BB%95", None, None, 200),
    ("list-emoji-search", None, "get", "/api/v1/questions/?search=%F0%9F%98%80", None, None, 200),
    ("list-invalid-utf8-search", None, "get", "/api/v1/questions/?search=%FF%FE", None, None, 200),
    ("detail-non-numeric", None, "get", "/api/v1/questions/%00/", None, None, 400),
    ("detail-unknown", None, "get", "/api/v1/questions/KHONG-CO/", None, None, 404),
    ("similar-null", None, "get", "/api/v1/questions/similar/?q=%00", None, None, 400),
    ("track-null-token", None, "get", "/api/v1/track/{published}/?token=%00", None, None, 400),
    ("unmatched-api-url", None, "get", "/api/v1/nothing-here/", None, None, 404),
    ("wrong-method", None, "delete", "/api/v1/agencies/", None, None, 405),
    # Public API: submitting a question.
    ("ask-null-title", None, "post", "/api/v1/questions/", lambda w: _ask(w, title="Hỏi\x00"), "json", 400),
    ("ask-10mb", None, "post", "/api/v1/questions/", lambda w: _ask(w, body="a" * TEN_MB), "json", 400),
    ("ask-deep-json", None, "post", "/api/v1/questions/", DEEP, "json", 400),
    ("ask-deep-in-field", None, "post", "/api/v1/questions/", DEEP_OBJECT, "json", 400),
    ("ask-invalid-utf8", None, "post", "/api/v1/questions/", b'{"title": "\xff\xfe"}', "json", 400),
    ("ask-huge-int", None, "post", "/api/v1/questions/", lambda w: _ask(w, agency=10**40), "json", 400),
    ("ask-huger-int", None, "post", "/api/v1/questions/", '{"agency": ' + "9" * 5000 + "}", "json", 400),
    ("ask-not-json", None, "post", "/api/v1/questions/", "{title", "json", 400),
    ("ask-text-plain", None, "post", "/api/v1/questions/", "hello", "text/plain", 415),
    ("ask-bidi", None, "post", "/api/v1/questions/", lambda w: _ask(w, title=f"Hỏi {RLO}fdp.exe"), "json", 201),
    ("ask-emoji", None, "post", "/api/v1/questions/", lambda w: _ask(w, title="Hỏi về thuế 🙏"), "json", 201),
    (
        "ask-nfd",
        None,
        "post",
        "/api/v1/questions/",
        lambda w: _ask(w, title="Ho\u0309i thu\u0309 tu\u0323c"),
        "json",
        201,
    ),
    # Live questions over HTTP.
    ("live-null", None, "post", "/api/v1/dialogues/{session}/questions/", {"text": "Hỏi\x00"}, "json", 400),
    ("live-deep", None, "post", "/api/v1/dialogues/{session}/questions/", DEEP, "json", 400),
    ("live-10mb", None, "post", "/api/v1/dialogues/{session}/questions/", {"text": "a" * TEN_MB}, "json", 400),
    ("live-non-numeric-id", None, "get", "/api/v1/dialogues/abc/", None, None, 404),
    ("live-huge-id", None, "get", f"/api/v1/dialogues/{HUGE_INT}/", None, None, 404),
    ("live-events-negative", None, "get", "/api/v1/dialogues/{session}/events/?after=-5", None, None, 200),
    ("live-events-huge", None, "get", f"/api/v1/dialogues/{{session}}/events/?after={HUGE_INT}", None, None, 200),
    ("live-vote-huge-id", None, "post", f"/api/v1/dialogues/{{session}}/questions/{HUGE_INT}/vote/", None, None, 404),
    # Staff API.
    ("staff-other-agency", "token", "get", "/api/v1/staff/questions/?agency={other_agency}", None, None, 400),
    ("staff-other-agency-q", "token", "get", "/api/v1/staff/questions/?agency={other_agency}&q=so", None, None, 400),
    ("staff-huge-agency", "token", "get", f"/api/v1/staff/questions/?agency={HUGE_INT}", None, None, 400),
    ("staff-huge-assignee", "token", "get", f"/api/v1/staff/questions/?assignee={HUGE_INT}", None, None, 400),
    ("staff-big-assignee-q", "token", "get", f"/api/v1/staff/questions/?assignee={10**17}&q=so", None, None, 200),
    ("staff-big-topic-q", "token", "get", f"/api/v1/staff/questions/?topic={2**63 - 1}&q=so", None, None, 200),
    ("staff-huge-topic", "token", "get", f"/api/v1/staff/questions/?topic={HUGE_INT}", None, None, 400),
    ("staff-negative-page", "token", "get", "/api/v1/staff/questions/?page=-1", None, None, 400),
    ("staff-page-past-end", "token", "get", "/api/v1/staff/questions/?page=999", None, None, 404),
    ("staff-huge-page-size", "token", "get", "/api/v1/staff/questions/?page_size=100000000", None, None, 400),
    ("staff-bad-ordering", "token", "get", "/api/v1/staff/questions/?ordering=drop", None, None, 400),
    ("staff-bad-dates", "token", "get", "/api/v1/staff/questions/?date_from=2026-02-30", None, None, 400),
    ("staff-null-q", "token", "get", "/api/v1/staff/questions/?q=%00", None, None, 400),
    ("staff-nfd-q", "token", "get", "/api/v1/staff/questions/?q=so%CC%89", None, None, 200),
    (
        "staff-attachment-non-numeric",
        "token",
        "get",
        "/api/v1/staff/questions/{queued}/attachments/x/",
        None,
        None,
        404,
    ),
    ("staff-note-null", "token", "post", "/api/v1/staff/questions/{queued}/notes/", {"body": "a\x00"}, "json", 400),
    ("staff-note-deep", "token", "post", "/api/v1/staff/questions/{queued}/notes/", DEEP, "json", 400),
    (
        "staff-transition-huge-version",
        "token",
        "post",
        "/api/v1/staff/questions/{queued}/transitions/",
        {"action": "accept", "expected_version": 10**40},
        "json",
        409,  # a version the question never had: stale, like any other
    ),
    ("staff-auth-null-header", "null-token", "get", "/api/v1/staff/questions/", None, None, 400),
    # Web pages.
    ("web-archive-null", None, "get", "/questions/?q=a%00", None, None, 400),
    ("web-archive-negative-page", None, "get", "/questions/?page=-1", None, None, 200),
    ("web-archive-huge-page", None, "get", f"/questions/?page={HUGE_INT}", None, None, 200),
    ("web-archive-bad-filters", None, "get", f"/questions/?agency=x&topic={HUGE_INT}&date_from=0", None, None, 200),
    ("web-question-null", None, "get", "/questions/%00/", None, None, 400),
    ("web-track-null", None, "get", "/track/{published}/?token=%00", None, None, 400),
    ("web-ask-null-multipart", None, "post", "/ask/", lambda w: _ask(w, title="a\x00"), "form", 200),  # form error
    ("web-ask-null-urlencoded", None, "post", "/ask/", lambda w: _ask(w, title="a\x00"), "urlencoded", 400),
    ("web-lost-link-null", None, "post", "/lost-link/", {"email": "a\x00@example.vn"}, "urlencoded", 400),
    ("web-queue-other-agency", "session", "get", "/staff/?agency={other_agency}", None, None, 200),
    (
        "web-queue-huge",
        "session",
        "get",
        f"/staff/?agency={HUGE_INT}&page={HUGE_INT}&assignee={HUGE_INT}",
        None,
        None,
        200,
    ),
    ("web-queue-negative-page", "session", "get", "/staff/?page=-3&date_from=x&sort=drop", None, None, 200),
    ("web-dialogues-huge-page", None, "get", f"/dialogues/?page={HUGE_INT}", None, None, 200),
    ("web-agency-page-filters", None, "get", f"/agencies/{{agency_slug}}/?page={HUGE_INT}&topic=x", None, None, 200),
    ("web-topic-page-filters", None, "get", f"/topics/{{topic_slug}}/?page=-1&agency={HUGE_INT}", None, None, 200),
    ("web-notifications-page", "session", "get", f"/notifications/?page={HUGE_INT}&filter=%FF", None, None, 200),
    ("web-profile-page", "session", "get", f"/accounts/me/?page={HUGE_INT}", None, None, 200),
    ("web-feed-null", None, "get", "/feed/answers.atom?x=%00", None, None, 400),
    # More API filters and ids.
    ("api-dialogues-filters", None, "get", "/api/v1/dialogues/?when=%FF&page=-1", None, None, 404),
    ("api-events-bad-scope", None, "get", "/api/v1/dialogues/{session}/events/?scope=x&limit=-1", None, None, 400),
    ("api-events-bad-after", None, "get", "/api/v1/dialogues/{session}/events/?after=abc", None, None, 400),
    (
        "api-moderation-null",
        "token",
        "get",
        "/api/v1/dialogues/{session}/moderation/questions/?status=%00",
        None,
        None,
        400,
    ),
    ("api-notifications-huge-page", "token", "get", f"/api/v1/notifications/?page={HUGE_INT}", None, None, 404),
    ("api-notification-huge-id", "token", "post", f"/api/v1/notifications/{HUGE_INT}/read/", None, None, 404),
    ("web-dialogue-huge-id", None, "get", f"/dialogues/{HUGE_INT}/", None, None, 404),
    ("web-staff-file-huge-id", "session", "get", f"/staff/questions/{{queued}}/files/{HUGE_INT}/", None, None, 404),
    (
        "api-forward-huge-ids",
        "token",
        "post",
        f"/api/v1/dialogues/{HUGE_INT}/moderation/questions/1/forward/",
        {},
        "json",
        404,
    ),
    (
        "api-staff-file-huge-id",
        "token",
        "get",
        f"/api/v1/staff/questions/{{queued}}/attachments/{HUGE_INT}/",
        None,
        None,
        404,
    ),
    ("api-staff-question-unknown", "token", "get", "/api/v1/staff/questions/KHONG-CO/", None, None, 404),
]


def _fill(template: str, w) -> str:
    return template.format(
        published=w["published"].reference,
        queued=w["queued"].reference,
        session=w["session"].pk,
        other_agency=w["other"].pk,
        agency_slug=w["agency"].slug,
        topic_slug=w["topic"].slug,
    )


def _client(who, w) -> Client:
    client = Client(raise_request_exception=False)
    if who == "session":
        client.force_login(w["staff"])
    elif who == "token":
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {w['token']}"
    elif who == "null-token":
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {w['token']}\x00"
    return client


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "kind", "expected"), [r[1:] for r in ROWS], ids=[r[0] for r in ROWS]
)
def test_hostile_input_gets_its_status_and_loses_nothing(who, method, path, body, kind, expected, world, settings):
    settings.QA_SUBMIT_RATE_PER_IP = "1000/h"
    settings.QA_SUBMIT_RATE_PER_EMAIL = "1000/h"
    before = _snapshot()
    client = _client(who, world)
    url = _fill(path, world)
    payload = body(world) if callable(body) else body
    if kind == "json":
        data = payload if isinstance(payload, str | bytes) else json.dumps(payload)
        response = getattr(client, method)(url, data=data, content_type="application/json")
    elif kind == "form":
        response = getattr(client, method)(url, data=payload)
    elif kind == "urlencoded":
        response = getattr(client, method)(
            url, data=urlencode(payload), content_type="application/x-www-form-urlencoded"
        )
    elif kind:
        response = getattr(client, method)(url, data=payload, content_type=kind)
    else:
        response = getattr(client, method)(url)
    assert response.status_code == expected, response.content[:500]
    if url.startswith("/api/"):
        assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
        assert isinstance(response.json(), dict)
    after = _snapshot()
    # Nothing saved before is changed or gone; a refused request saves nothing.
    assert after[0][: len(before[0])] == before[0] and after[1][: len(before[1])] == before[1]
    if expected >= 400:
        assert after == before


def test_the_table_counts_for_reliability_md():
    """docs/reliability.md quotes this table's size (hostile inputs tried); each row above must pass (0 mishandled)."""
    assert len(ROWS) >= 60
    assert len({r[0] for r in ROWS}) == len(ROWS)


def test_a_bidi_override_is_removed_and_nfd_becomes_nfc_when_saved(world, settings):
    settings.QA_SUBMIT_RATE_PER_IP = "1000/h"
    client = Client()
    data = _ask(world, title=f"Hỏi {RLO}fdp.exe\u2066x\u2069", body="Ho\u0309i ve\u0302\u0300 thu\u0309 tu\u0323c 🙏")
    response = client.post("/api/v1/questions/", data=json.dumps(data), content_type="application/json")
    assert response.status_code == 201
    question = Question.objects.get(reference=response.json()["reference"])
    assert question.title == "Hỏi fdp.exex"
    assert question.body == "Hỏi về thủ tục 🙏"


def test_api_404_405_406_415_are_json_and_translated(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    not_found = client.get("/api/v1/staff/questions/x/attachments/abc/")
    assert not_found.status_code == 404 and not_found.json()["code"] == "not_found"
    assert not_found.json()["detail"] == "Không tìm thấy."
    assert client.delete("/api/v1/topics/").json()["detail"]
    not_acceptable = client.get("/api/v1/topics/", HTTP_ACCEPT="application/xml")
    assert not_acceptable.status_code == 406 and not_acceptable["Content-Type"].startswith("application/json")
    unsupported = client.post("/api/v1/questions/", data="x", content_type="application/xml")
    assert unsupported.status_code == 415 and unsupported.json()["detail"]
    deep = client.post("/api/v1/questions/", data=DEEP, content_type="application/json")
    assert deep.json() == {"detail": "JSON lồng nhau quá sâu (tối đa 32 cấp)."}


def test_an_unexpected_error_under_api_is_a_json_500_without_details(world, monkeypatch):
    from qa import api

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(api.selectors, "active_agencies", broken)
    response = Client(raise_request_exception=False).get("/api/v1/agencies/")
    assert response.status_code == 500
    assert response.json() == {
        "detail": "Hệ thống gặp sự cố nên yêu cầu của bạn chưa được thực hiện. Vui lòng thử lại sau.",
        "code": "server_error",
    }
    assert b"secret" not in response.content


def test_a_page_404_stays_html(world):
    response = Client().get("/questions/KHONG-CO-MA-NAY/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")
