"""A lookup (reference + e-mail / phone / PIN) opens a read-only view; acting needs the secret tracking link.

Reference codes are sequential and a phone number is no secret, so a lookup must never let a stranger
reply, rate, withdraw or erase in someone else's name.
"""

import pytest
from django.test import Client
from django.urls import reverse

from notifications.models import Notification
from qa.models import AskerContact, AskerReply, Question, QuestionEvent
from qa.models import QuestionStatus as S
from qa.services.lookup import LOOKUP_GRANT_SECONDS, lookup_grant_add, lookup_grant_valid
from tests.qa.staff_fixtures import question_in

pytestmark = [pytest.mark.django_db]

PHONE = "+84912345678"


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _url(name, question):
    return reverse(f"qa:{name}", kwargs={"reference": question.reference})


def _look_up(client, question, given="0912 345 678"):
    response = client.post(reverse("qa:lookup"), {"reference": question.reference, "secret": given})
    assert response.status_code == 302
    return response


def _question(status):
    question = question_in(status, contact__email="", contact__phone=PHONE, body="Nội dung riêng tư của câu hỏi.")
    if status == S.INFORMATION_REQUESTED:
        QuestionEvent.objects.create(
            question=question,
            action="request_information",
            from_status=S.ACCEPTED,
            to_status=S.INFORMATION_REQUESTED,
            note="Xin gửi bản sao giấy tờ.",
            is_public=True,
        )
    return question


def test_a_lookup_leads_to_a_read_only_page_without_the_token(client):
    question = _question(S.ANSWERED)
    response = _look_up(client, question)
    assert response["Location"] == _url("lookup_view", question)
    assert question.tracking_token not in response["Location"]
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "private, no-store"
    assert question.tracking_token not in body
    assert "You are viewing this question read-only" in body
    assert "badge-answered" in body  # status
    assert "Answer from" in body  # the answer that was sent
    for action in ("withdraw", "erasure_request", "rate", "reply"):
        assert f'action="{_url(action, question)}"' not in body
    assert "Nội dung riêng tư của câu hỏi." not in body
    assert reverse("qa:lost_link") in body


def test_without_a_fresh_lookup_the_read_only_page_sends_back_to_the_form(client):
    question = _question(S.ACCEPTED)
    response = client.get(_url("lookup_view", question))
    assert response.status_code == 302
    assert response["Location"] == reverse("qa:lookup") + f"?reference={question.reference}"
    # A grant for one question opens no other.
    other = _question(S.ACCEPTED)
    _look_up(client, question)
    assert client.get(_url("lookup_view", question)).status_code == 200
    assert client.get(_url("lookup_view", other)).status_code == 302


def test_grants_expire():
    session = {}
    lookup_grant_add(session, "HP-X-2026-000001", now=1000.0)
    assert lookup_grant_valid(session, "HP-X-2026-000001", now=1000.0 + LOOKUP_GRANT_SECONDS - 1)
    assert not lookup_grant_valid(session, "HP-X-2026-000001", now=1000.0 + LOOKUP_GRANT_SECONDS + 1)
    assert not lookup_grant_valid(session, "HP-X-2026-000002", now=1000.0)
    assert not lookup_grant_valid({"qa_lookup_grants": {"HP-X-2026-000001": "forever"}}, "HP-X-2026-000001")


@pytest.mark.parametrize("secret", ["0912 345 678", "pin"])
def test_withdraw_reply_and_erasure_are_refused_after_a_lookup_and_allowed_with_the_link(client, secret):
    from qa.services.lookup import lookup_pin, lookup_pin_hash

    asking = _question(S.INFORMATION_REQUESTED)
    closed = _question(S.REJECTED)
    AskerContact.objects.filter(question=closed).update(email="lan@example.vn")
    for question in (asking, closed):
        pin = lookup_pin(question)
        Question.objects.filter(pk=question.pk).update(lookup_pin_hash=lookup_pin_hash(question.reference, pin))
        _look_up(client, question, pin if secret == "pin" else secret)

    # What a lookup-only visitor can send: no token, or a guess. All refused, nothing changes.
    for token in ("", "x" * 43):
        assert client.post(_url("withdraw", asking), {"token": token, "confirm": "1"}).status_code == 404
        assert client.post(_url("reply", asking), {"token": token, "body": "Giả mạo."}).status_code == 404
        assert client.post(_url("erasure_request", closed), {"token": token}).status_code == 404
    asking.refresh_from_db()
    assert asking.status == S.INFORMATION_REQUESTED and not AskerReply.objects.exists()
    assert not Notification.objects.filter(kind="qa.erasure_confirm").exists()

    # The secret link still does all of it.
    reply = client.post(_url("reply", asking), {"token": asking.tracking_token, "body": "Tôi gửi bổ sung."})
    assert reply.status_code == 303 and AskerReply.objects.filter(question=asking).count() == 1
    withdrawn = client.post(_url("withdraw", asking), {"token": asking.tracking_token, "confirm": "1"})
    assert withdrawn.status_code == 302
    asking.refresh_from_db()
    assert asking.status == S.WITHDRAWN
    erasure = client.post(_url("erasure_request", closed), {"token": closed.tracking_token})
    assert erasure.status_code == 303
    assert Notification.objects.filter(kind="qa.erasure_confirm").count() == 1


def test_the_tracking_link_still_shows_every_action(client):
    question = _question(S.INFORMATION_REQUESTED)
    body = client.get(question.tracking_path()).content.decode()
    assert f'action="{_url("reply", question)}"' in body and f'action="{_url("withdraw", question)}"' in body
    assert "read-only" not in body and "Nội dung riêng tư của câu hỏi." in body
