"""Before an e-mail question is confirmed: send the link again, correct the address (only from the asking
browser, rate-limited), old links void after a correction; phone-only askers erase their data by SMS."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from notifications.sms import MemorySmsBackend
from qa.models import AskerContact, Question, QuestionStatus
from tests.factories import AgencyFactory, TopicFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _deliver_at_once(monkeypatch):
    """Outbox rows are delivered after commit; the test's transaction never commits."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _ask(client, email="nguyen.van.a@exmaple.vn", **extra):
    agency = AgencyFactory()
    topic = TopicFactory()
    data = {
        "agency": agency.pk,
        "topic": topic.pk,
        "asker_type": "individual",
        "name": "Nguyễn Văn A",
        "email": email,
        "title": "Hỏi về thủ tục cấp giấy phép xây dựng nhà ở",
        "body": "Nhà tôi ở phường Lê Chân, xin hỏi hồ sơ gồm những gì và nộp ở đâu?",
        "consent": "on",
        **extra,
    }
    response = client.post(reverse("qa:ask"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    question = Question.objects.get()
    assert response["Location"] == reverse("qa:ask_sent", kwargs={"reference": question.reference})
    return question


def _confirm_links():
    return [line for m in mail.outbox for line in m.body.split() if "/confirm/" in line]


def test_resend_and_correct_from_the_asking_browser(client, settings):
    question = _ask(client)
    page = client.get(reverse("qa:ask_sent", kwargs={"reference": question.reference})).content.decode()
    assert "Send the link again" in page and "I typed my e-mail wrong" in page
    assert "ng•••@exmaple.vn" in page and "nguyen.van.a" not in page
    assert len(mail.outbox) == 1
    old_link = _confirm_links()[0]

    response = client.post(reverse("qa:confirmation_resend", kwargs={"reference": question.reference}))
    assert response.status_code == 302
    assert len(mail.outbox) == 2 and mail.outbox[1].to == ["nguyen.van.a@exmaple.vn"]

    bad = client.post(reverse("qa:confirmation_change", kwargs={"reference": question.reference}), {"email": "nope"})
    assert bad.status_code == 400
    assert "Enter a valid e-mail address" in bad.content.decode()

    response = client.post(
        reverse("qa:confirmation_change", kwargs={"reference": question.reference}),
        {"email": "nguyen.van.a@example.vn"},
    )
    assert response.status_code == 302
    assert mail.outbox[-1].to == ["nguyen.van.a@example.vn"]
    assert AskerContact.objects.get(question=question).email == "nguyen.van.a@example.vn"
    question.refresh_from_db()
    assert question.title == "Hỏi về thủ tục cấp giấy phép xây dựng nhà ở"  # kept as typed

    # The link that went to the mistyped address no longer confirms; the new one does.
    path = old_link.split("://", 1)[1].partition("/")[2]
    assert client.get("/" + path).status_code == 400
    new_link = _confirm_links()[-1]
    client.get("/" + new_link.split("://", 1)[1].partition("/")[2])
    question.refresh_from_db()
    assert question.status == QuestionStatus.SUBMITTED
    # Confirmed: the forms are gone and posting does nothing.
    page = client.get(reverse("qa:ask_sent", kwargs={"reference": question.reference})).content.decode()
    assert "Send the link again" not in page
    assert client.post(reverse("qa:confirmation_resend", kwargs={"reference": question.reference})).status_code == 404


def test_a_stranger_with_the_reference_gets_nothing(client):
    question = _ask(client)
    stranger = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = stranger.get(reverse("qa:ask_sent", kwargs={"reference": question.reference})).content.decode()
    assert "Send the link again" not in page and "•••" not in page
    for name in ("qa:confirmation_resend", "qa:confirmation_change"):
        url = reverse(name, kwargs={"reference": question.reference})
        assert stranger.post(url, {"email": "attacker@example.vn"}).status_code == 404
    assert AskerContact.objects.get(question=question).email == "nguyen.van.a@exmaple.vn"


@pytest.mark.usefixtures("rate_window")
def test_resend_is_rate_limited(client, settings):
    settings.QA_CONFIRM_RESEND_RATE_PER_ADDRESS = "2/h"
    question = _ask(client)
    url = reverse("qa:confirmation_resend", kwargs={"reference": question.reference})
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    refused = client.post(url)
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "Send the link again" in refused.content.decode()
    assert len(mail.outbox) == 3


def test_phone_only_asker_erases_by_sms(settings):
    from qa.services.privacy import erasure_confirm, erasure_request
    from qa.services.submission import question_submit

    settings.SMS_BACKEND = "notifications.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    question = question_submit(
        agency=AgencyFactory(),
        topic=TopicFactory(),
        title="Hỏi về trợ cấp cho người cao tuổi",
        body="Mẹ tôi 80 tuổi, xin hỏi thủ tục nhận trợ cấp hằng tháng?",
        asker_type="individual",
        name="Bà Lê Thị Hoa",
        email="",
        phone="0912 345 678",
    )
    Question.objects.filter(pk=question.pk).update(status=QuestionStatus.WITHDRAWN)
    question.refresh_from_db()
    erasure_request(question=question, token=question.tracking_token)
    sms = [m for m in MemorySmsBackend.outbox if "/privacy/erase/" in m.text]
    assert len(sms) == 1 and sms[0].to == "+84912345678"
    token = sms[0].text.split("/privacy/erase/")[1].split("/")[0]
    erasure_confirm(token=token)
    contact = AskerContact.objects.get(question=question)
    assert contact.erased_at is not None and contact.phone == ""
