"""Asking and following with a mobile number: SMS code, receipt, lookup by code, lost links by SMS, short links."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.phones import display_mobile, masked_mobile, normalise_mobile
from notifications.models import Channel as NotificationChannel
from notifications.models import Notification
from notifications.sms import MemorySmsBackend
from qa.messaging import notify_asker
from qa.models import AskerContact, PhoneChallenge, Question, QuestionStatus
from qa.services.lookup import lookup_pin, question_lookup
from qa.services.phone import phone_code_confirm, phone_code_resend
from qa.services.submission import question_submit, tracking_links_request, validate_question_input
from tests.factories import AgencyFactory, QuestionFactory, TopicFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def sms(settings):
    settings.SMS_BACKEND = "notifications.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox
    MemorySmsBackend.outbox.clear()


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def agency():
    return AgencyFactory(name="Sở Tư pháp", code="HP-STP", slug="so-tu-phap")


@pytest.fixture
def topic():
    return TopicFactory(name="Hộ tịch", slug="ho-tich")


def _ask(agency, topic, *, email="", phone="0912 345 678", client_ip="203.0.113.9", **extra):
    return question_submit(
        agency=agency,
        topic=topic,
        title="Hỏi về đăng ký khai sinh cho con",
        body="Con tôi sinh ở Hà Nội, tôi đăng ký khai sinh ở Hải Phòng được không?",
        asker_type="individual",
        name="Bà Nguyễn Thị Quê",
        email=email,
        phone=phone,
        client_ip=client_ip,
        **extra,
    )


def _code(sms_outbox) -> str:
    return re.search(r"(?<![-\d])(\d{6})(?![-\d])", sms_outbox[-1].text).group(1)


# --- Numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "+84912345678"),
        ("+84 912345678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0912.345.678", "+84912345678"),
        ("(+84) 86-123-4567", "+84861234567"),
        ("0325 123 456", "+84325123456"),
        ("0225 3842 123", None),  # a Hải Phòng landline cannot get SMS
        ("0112345678", None),  # no such network
        ("091234567", None),
        ("09123456789", None),
        ("+1 912 345 678", None),
        ("", None),
    ],
)
def test_vietnamese_mobile_numbers_are_normalised_to_plus_84(raw, expected):
    assert normalise_mobile(raw) == expected


def test_numbers_are_shown_the_vietnamese_way_and_masked():
    assert display_mobile("+84912345678") == "0912 345 678"
    assert masked_mobile("+84912345678") == "0912 *** 678"


def test_an_email_or_a_phone_is_required_and_without_email_it_must_be_a_mobile(agency, topic):
    base = {
        "agency": agency,
        "topic": topic,
        "title": "T",
        "body": "B",
        "asker_type": "individual",
        "name": "N",
        "address": "",
        "organisation_name": "",
        "tax_code": "",
        "attachments": [],
    }
    with pytest.raises(Exception) as neither:
        validate_question_input(**base, email="", phone="")
    assert {"email", "phone"} <= set(neither.value.message_dict)
    with pytest.raises(Exception) as landline:
        validate_question_input(**base, email="", phone="0225 3842 123")
    assert set(landline.value.message_dict) == {"phone"}
    # With an e-mail, a landline is still fine and numbers stay as typed (digits only); alone, a mobile is +84….
    assert validate_question_input(**base, email="a@example.vn", phone="0225 3842 123")["phone"] == "02253842123"
    assert validate_question_input(**base, email="a@example.vn", phone="0912 345 678")["phone"] == "0912345678"
    assert validate_question_input(**base, email="", phone="84 912 345 678")["phone"] == "+84912345678"


# --- The SMS code ----------------------------------------------------------------------------------


def test_a_phone_only_question_waits_for_the_sms_code_which_is_never_stored(
    agency, topic, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = _ask(agency, topic)
    assert question.status == QuestionStatus.UNVERIFIED
    contact = AskerContact.objects.get(question=question)
    assert (contact.email, contact.phone) == ("", "+84912345678")
    assert len(sms) == 1 and sms[0].to == "+84912345678"
    code = _code(sms)
    challenge = PhoneChallenge.objects.get(question=question)
    row = Notification.objects.get(kind="qa.confirm_phone")
    assert row.channel == NotificationChannel.SMS
    assert "code" not in row.context and row.context["otp_nonce"]
    private = ("question", "url", "tracking_url")
    stored_context = {key: value for key, value in row.context.items() if key not in private}
    for stored in (challenge.code_hash, str(stored_context), row.idempotency_key, question.lookup_pin_hash):
        assert code not in stored
    assert lookup_pin(question) not in question.lookup_pin_hash
    assert not Notification.objects.filter(channel=NotificationChannel.EMAIL).exists()


def test_the_right_code_sends_the_question_to_the_agency_and_the_receipt_sms_has_a_short_link(
    agency, topic, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = _ask(agency, topic)
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = phone_code_confirm(question=question, code=" ".join(_code(sms)))
    assert confirmed.status == QuestionStatus.SUBMITTED
    assert AskerContact.objects.get(question=question).phone_verified_at is not None
    question.refresh_from_db()
    assert question.short_token
    received = sms[-1].text
    assert question.reference in received and f"/s/{question.short_token}/" in received
    # Confirming again is harmless.
    assert phone_code_confirm(question=question, code="000000").status == QuestionStatus.SUBMITTED


def test_wrong_codes_are_counted_and_limited(agency, topic, sms, settings, django_capture_on_commit_callbacks):
    settings.QA_PHONE_CODE_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        question = _ask(agency, topic)
    right = _code(sms)
    wrong = "111111" if right != "111111" else "222222"
    with translation.override("en"):
        for left in (2, 1):
            with pytest.raises(Exception, match=f"{left} tr"):
                phone_code_confirm(question=question, code=wrong)
        with pytest.raises(Exception, match="Too many wrong codes"):
            phone_code_confirm(question=question, code=wrong)
        # Even the right code no longer works: a new one is needed.
        with pytest.raises(Exception, match="Too many wrong codes"):
            phone_code_confirm(question=question, code=right)
    assert PhoneChallenge.objects.get(question=question).attempts == 3
    assert Question.objects.get(pk=question.pk).status == QuestionStatus.UNVERIFIED


def test_codes_expire(agency, topic, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        question = _ask(agency, topic)
    PhoneChallenge.objects.filter(question=question).update(expires_at=timezone.now() - timedelta(seconds=1))
    with translation.override("en"), pytest.raises(Exception, match="expired"):
        phone_code_confirm(question=question, code=_code(sms))


def test_a_new_code_replaces_the_old_one_and_sends_are_limited_per_number(
    agency, topic, sms, settings, django_capture_on_commit_callbacks
):
    settings.QA_PHONE_CODE_RATE_PER_NUMBER = "3/h"
    with django_capture_on_commit_callbacks(execute=True):
        question = _ask(agency, topic)
    first = _code(sms)
    with django_capture_on_commit_callbacks(execute=True):
        phone_code_resend(question=question, client_ip="203.0.113.9")
    assert len(sms) == 2
    second = _code(sms)
    if first != second:
        with pytest.raises(Exception):  # noqa: B017 (the old code is refused)
            phone_code_confirm(question=question, code=first)
    with django_capture_on_commit_callbacks(execute=True):
        phone_code_resend(question=question, client_ip="198.51.100.7")
    from core.errors import RateLimited

    with pytest.raises(RateLimited):
        phone_code_resend(question=question, client_ip="198.51.100.8")
    assert len(sms) == 3
    assert phone_code_confirm(question=question, code=_code(sms)).status == QuestionStatus.SUBMITTED


def test_code_sends_are_limited_per_ip(agency, topic, settings, django_capture_on_commit_callbacks):
    from core.errors import RateLimited

    settings.QA_PHONE_CODE_RATE_PER_IP = "2/h"
    _ask(agency, topic, phone="0912 000 001")
    _ask(agency, topic, phone="0912 000 002")
    with pytest.raises(RateLimited):
        _ask(agency, topic, phone="0912 000 003")


def test_status_changes_reach_phone_only_askers_by_sms(agency, topic, sms, django_capture_on_commit_callbacks):
    question = QuestionFactory(agency=agency, topic=topic, contact__email="", contact__phone="0903123456")
    with django_capture_on_commit_callbacks(execute=True):
        notify_asker(question, "answered")
    question.refresh_from_db()
    assert sms[-1].to == "+84903123456"
    assert f"/s/{question.short_token}/" in sms[-1].text
    assert not Notification.objects.filter(channel=NotificationChannel.EMAIL).exists()


def test_the_short_link_leads_to_the_tracking_page(client, agency, topic, django_capture_on_commit_callbacks):
    question = QuestionFactory(agency=agency, topic=topic, contact__email="", contact__phone="+84903123456")
    with django_capture_on_commit_callbacks(execute=True):
        notify_asker(question, "answered")
    question.refresh_from_db()
    response = client.get(reverse("qa:short_link", kwargs={"token": question.short_token}))
    assert response.status_code == 302 and response["Location"] == question.tracking_path()
    assert response["Cache-Control"].startswith("private") or "no-store" in response["Cache-Control"]
    assert client.get(reverse("qa:short_link", kwargs={"token": "nope"})).status_code == 404


# --- Web pages -------------------------------------------------------------------------------------


def _form(agency, topic, **overrides):
    data = {
        "agency": str(agency.pk),
        "topic": str(topic.pk),
        "title": "Hỏi về đăng ký khai sinh",
        "body": "Tôi muốn hỏi thủ tục đăng ký khai sinh cho con.",
        "asker_type": "individual",
        "name": "Bà Quê",
        "email": "",
        "phone": "+84 912 345 678",
        "website": "",
    }
    data.update(overrides)
    return data


def test_web_phone_only_journey(client, agency, topic, sms, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("qa:ask"), _form(agency, topic))
    question = Question.objects.get()
    receipt = reverse("qa:receipt", kwargs={"reference": question.reference}) + f"?token={question.tracking_token}"
    assert response.status_code == 302 and response["Location"] == receipt
    page = client.get(receipt).content.decode()
    assert "0912 *** 678" in page and "Send me a new code" in page and 'autocomplete="one-time-code"' in page
    assert lookup_pin(question) in page
    # The tracking page is not open before the code.
    assert client.get(question.tracking_path()).status_code == 404
    # A wrong code: the receipt again, with the error.
    bad = client.post(
        reverse("qa:phone_confirm", kwargs={"reference": question.reference}),
        {"token": question.tracking_token, "code": "12345"},
    )
    assert bad.status_code == 400 and "This code is not right" in bad.content.decode()
    # Without the tracking token, nothing.
    assert (
        client.post(reverse("qa:phone_confirm", kwargs={"reference": question.reference}), {"code": _code(sms)})
    ).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        good = client.post(
            reverse("qa:phone_confirm", kwargs={"reference": question.reference}),
            {"token": question.tracking_token, "code": _code(sms)},
        )
    assert good.status_code == 302 and good["Location"] == receipt
    page = client.get(receipt).content.decode()
    assert "Send me a new code" not in page and question.tracking_token in page
    assert "We also send you a short link by SMS." in page
    assert Question.objects.get().status == QuestionStatus.SUBMITTED


@pytest.mark.usefixtures("rate_window")
def test_web_resend_is_rate_limited(client, agency, topic, settings, django_capture_on_commit_callbacks):
    settings.QA_PHONE_CODE_RATE_PER_NUMBER = "2/h"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("qa:ask"), _form(agency, topic))
    question = Question.objects.get()
    url = reverse("qa:phone_resend", kwargs={"reference": question.reference})
    assert client.post(url, {"token": question.tracking_token}).status_code == 302
    refused = client.post(url, {"token": question.tracking_token})
    assert refused.status_code == 429 and "Too many requests" in refused.content.decode()
    assert refused["Retry-After"]


def test_an_unconfirmed_email_question_has_no_receipt_yet(client, agency, topic):
    question = QuestionFactory(agency=agency, topic=topic, status=QuestionStatus.UNVERIFIED)
    receipt = reverse("qa:receipt", kwargs={"reference": question.reference}) + f"?token={question.tracking_token}"
    assert client.get(receipt).status_code == 404


def test_the_ask_form_says_email_or_phone(client, agency, topic):
    response = client.post(reverse("qa:ask"), _form(agency, topic, phone=""))
    assert response.status_code == 200
    assert "Enter your e-mail address or your mobile phone number" in response.content.decode()
    assert not Question.objects.exists()


# --- API ---------------------------------------------------------------------------------------------


def test_api_phone_only_question_and_confirmation(client, agency, topic, sms, django_capture_on_commit_callbacks):
    payload = {
        "agency": agency.pk,
        "topic": topic.pk,
        "title": "Hỏi về khai sinh",
        "body": "Thủ tục khai sinh cho con thế nào?",
        "asker_type": "individual",
        "name": "Bà Quê",
        "phone": "84912345678",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/questions/", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "unverified" and "SMS" in body["message"] and "tracking_url" not in body
    url = f"/api/v1/questions/{body['reference']}/confirm-phone/"
    wrong = client.post(
        url, {"code": "000000" if _code(sms) != "000000" else "111111"}, content_type="application/json"
    )
    assert wrong.status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        right = client.post(url, {"code": _code(sms)}, content_type="application/json")
    assert right.status_code == 200 and right.json()["status"] == "submitted"
    question = Question.objects.get()
    assert right.json()["tracking_url"].endswith(question.tracking_path())
    assert (
        client.post(
            "/api/v1/questions/HP-NONE-2026-000001/confirm-phone/", {"code": "123456"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_api_without_email_or_phone_is_a_400(client, agency, topic):
    payload = {
        "agency": agency.pk,
        "topic": topic.pk,
        "title": "T",
        "body": "B",
        "asker_type": "individual",
        "name": "N",
    }
    response = client.post("/api/v1/questions/", payload, content_type="application/json")
    assert response.status_code == 400 and {"email", "phone"} <= set(response.json())


# --- Look up by code -------------------------------------------------------------------------------------


def test_lookup_by_email_phone_or_pin(agency, topic):
    by_email = QuestionFactory(agency=agency, topic=topic, contact__email="lan@example.vn", contact__phone="")
    by_phone = QuestionFactory(agency=agency, topic=topic, contact__email="", contact__phone="+84912345678")
    from qa.services.lookup import lookup_pin_hash

    Question.objects.filter(pk=by_phone.pk).update(
        lookup_pin_hash=lookup_pin_hash(by_phone.reference, lookup_pin(by_phone))
    )
    assert question_lookup(reference=by_email.reference.lower(), secret=" LAN@example.vn ") == by_email
    assert question_lookup(reference=by_phone.reference, secret="0912 345 678") == by_phone
    assert question_lookup(reference=by_phone.reference, secret=lookup_pin(by_phone)) == by_phone
    assert question_lookup(reference=by_phone.reference, secret="0912 345 679") is None
    assert question_lookup(reference=by_email.reference, secret="0912 345 678") is None
    assert question_lookup(reference=by_email.reference, secret="123456") is None  # no PIN stored: no match
    assert question_lookup(reference="HP-NONE-2026-000001", secret="lan@example.vn") is None


def test_lookup_page_same_answer_for_unknown_reference_and_wrong_details(client, agency, topic):
    question = QuestionFactory(agency=agency, topic=topic, contact__email="lan@example.vn")
    url = reverse("qa:lookup")
    page = client.get(url)
    assert page.status_code == 200  # the empty form may be indexed (tests/qa/test_share.py); answers may not
    wrong = client.post(url, {"reference": question.reference, "secret": "khac@example.vn"})
    assert "noindex" in wrong.content.decode() and wrong["X-Robots-Tag"] == "noindex"
    unknown = client.post(url, {"reference": "HP-NONE-2026-000009", "secret": "khac@example.vn"})
    assert wrong.status_code == unknown.status_code == 400
    message = "We found no question with this reference code and these details."
    assert message in wrong.content.decode() and message in unknown.content.decode()
    assert wrong.content.decode().replace(question.reference, "X") == unknown.content.decode().replace(
        "HP-NONE-2026-000009", "X"
    ).replace(
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', unknown.content.decode()).group(1),
        re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', wrong.content.decode()).group(1),
    )
    found = client.post(url, {"reference": question.reference, "secret": "lan@example.vn"})
    # Read-only, never the tracking token (tests/qa/test_lookup_rights.py).
    assert found.status_code == 302
    assert found["Location"] == reverse("qa:lookup_view", kwargs={"reference": question.reference})
    empty = client.post(url, {"reference": "", "secret": ""})
    assert empty.status_code == 200 and "Enter the reference code" in empty.content.decode()


@pytest.mark.usefixtures("rate_window")
def test_lookup_is_rate_limited_per_reference_and_per_ip(client, agency, topic, settings):
    settings.QA_LOOKUP_RATE_PER_REFERENCE = "2/h"
    settings.QA_LOOKUP_RATE_PER_IP = "3/h"
    question = QuestionFactory(agency=agency, topic=topic, contact__email="lan@example.vn")
    url = reverse("qa:lookup")
    for _ in range(2):
        client.post(url, {"reference": question.reference, "secret": "x@example.vn"}, REMOTE_ADDR="198.51.100.1")
    limited = client.post(
        url, {"reference": question.reference, "secret": "lan@example.vn"}, REMOTE_ADDR="198.51.100.2"
    )
    assert limited.status_code == 429 and limited["Retry-After"]
    other = QuestionFactory(agency=agency, topic=topic, contact__email="b@example.vn")
    assert (
        client.post(
            url, {"reference": other.reference, "secret": "b@example.vn"}, REMOTE_ADDR="198.51.100.1"
        ).status_code
        == 302
    )
    assert (
        client.post(
            url, {"reference": other.reference, "secret": "b@example.vn"}, REMOTE_ADDR="198.51.100.1"
        ).status_code
        == 429
    )


def test_an_unconfirmed_phone_question_is_found_and_leads_to_the_receipt(
    client, agency, topic, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        question = _ask(agency, topic)
    # The phone number alone does not open it (its receipt can change where the code goes)…
    refused = client.post(reverse("qa:lookup"), {"reference": question.reference, "secret": "0912345678"})
    assert refused.status_code == 400
    # …the receipt's PIN does.
    response = client.post(reverse("qa:lookup"), {"reference": question.reference, "secret": lookup_pin(question)})
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("qa:receipt", kwargs={"reference": question.reference})
    )


def test_the_header_and_footer_link_to_the_lookup_page(client):
    page = client.get(reverse("qa:home")).content.decode()
    assert page.count(f'href="{reverse("qa:lookup")}"') >= 2


# --- Lost links by SMS ---------------------------------------------------------------------------------------


def test_lost_links_by_sms_for_phone_only_askers(agency, topic, sms, django_capture_on_commit_callbacks):
    mine = [
        QuestionFactory(agency=agency, topic=topic, contact__email="", contact__phone="+84912345678"),
        QuestionFactory(agency=agency, topic=topic, contact__email="", contact__phone="0912345678"),
    ]
    QuestionFactory(agency=agency, topic=topic, contact__email="", contact__phone="+84987654321")
    with django_capture_on_commit_callbacks(execute=True):
        tracking_links_request(email="0912 345 678", client_ip="203.0.113.1")
    assert len(sms) == 1 and sms[0].to == "+84912345678"
    for question in mine:
        question.refresh_from_db()
        assert question.reference in sms[0].text and f"/s/{question.short_token}/" in sms[0].text
    # Unknown number: same outcome for the caller, nothing sent.
    with django_capture_on_commit_callbacks(execute=True):
        tracking_links_request(email="0977 000 111", client_ip="203.0.113.1")
    assert len(sms) == 1


def test_lost_link_page_accepts_a_phone_number(client, agency, topic, sms, django_capture_on_commit_callbacks):
    QuestionFactory(agency=agency, topic=topic, contact__email="", contact__phone="+84912345678")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("qa:lost_link"), {"email": "+84 912 345 678"})
    assert response.status_code == 302 and len(sms) == 1
    bad = client.post(reverse("qa:lost_link"), {"email": "0225 3842 123"})
    assert bad.status_code == 200 and "mobile number" in bad.content.decode()


def test_a_mistyped_number_is_corrected_before_confirmation(
    client, agency, topic, sms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("qa:ask"), _form(agency, topic, phone="0912 345 670"))
    question = Question.objects.get()
    old_code = _code(sms)
    url = reverse("qa:phone_change", kwargs={"reference": question.reference})
    bad = client.post(url, {"token": question.tracking_token, "phone": "0225 3842 123"})
    assert bad.status_code == 400 and "Vietnamese mobile number" in bad.content.decode()
    assert AskerContact.objects.get(question=question).phone == "+84912345670"
    assert client.post(url, {"phone": "0912 345 678"}).status_code == 404  # the tracking token is needed
    with django_capture_on_commit_callbacks(execute=True):
        fixed = client.post(url, {"token": question.tracking_token, "phone": "0912 345 678"})
    assert fixed.status_code == 302
    assert AskerContact.objects.get(question=question).phone == "+84912345678"
    assert sms[-1].to == "+84912345678" and len(sms) == 2
    assert Question.objects.get().title == "Hỏi về đăng ký khai sinh"  # nothing to retype
    new_code = _code(sms)
    if new_code != old_code:
        with pytest.raises(Exception):  # noqa: B017 (the code sent to the wrong number no longer works)
            phone_code_confirm(question=question, code=old_code)
    assert phone_code_confirm(question=question, code=new_code).status == QuestionStatus.SUBMITTED
    # Once confirmed, the number can no longer be changed this way.
    client.post(url, {"token": question.tracking_token, "phone": "0987 654 321"})
    assert AskerContact.objects.get(question=question).phone == "+84912345678"
