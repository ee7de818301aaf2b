"""The citizen's web pages: asking, confirming, tracking, withdrawing, lost links, archive, detail, votes.

Requests are sent with Accept-Language: en so the English texts asserted here stay
valid once the Vietnamese catalogue exists; expected service messages are computed
under translation.override("en") from the service itself.
"""

import datetime
import logging
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from accounts.models import Agency
from qa import cache as archive_cache
from qa.models import (
    Answer,
    AskerType,
    Attachment,
    HelpfulVote,
    Question,
    QuestionEvent,
    QuestionStatus,
)
from qa.services.public import VIEW_FLUSH_EVERY
from qa.services.submission import make_confirmation_token, validate_question_input
from qa.views import deadline_state
from tests.factories import (
    AgencyFactory,
    PublishedQuestionFactory,
    QuestionFactory,
    TopicFactory,
    UserFactory,
)
from tests.uploads import pdf_bytes, png_bytes

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

PDF = pdf_bytes()


@pytest.fixture
def client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def agency():
    return AgencyFactory(name="Sở Tài nguyên và Môi trường", code="HP-STNMT", slug="so-tnmt")


@pytest.fixture
def topic():
    return TopicFactory(name="Đất đai", slug="dat-dai")


def ask_data(agency_, topic_, **overrides) -> dict:
    data = {
        "agency": str(agency_.pk),
        "topic": str(topic_.pk),
        "title": "Hỏi về thủ tục tách thửa đất ở huyện Thủy Nguyên",
        "body": "Gia đình tôi muốn tách thửa đất đang sử dụng, xin hỏi cần chuẩn bị hồ sơ gì?",
        "asker_type": "individual",
        "organisation_name": "",
        "tax_code": "",
        "name": "Lê Văn Hỏi",
        "email": "le.van.hoi@example.vn",
        "phone": "0912 345 678",
        "address": "Số 5 phố Lạch Tray",
        "consent_to_publish": "on",
        "website": "",
    }
    data.update(overrides)
    return data


def html(response) -> str:
    return response.content.decode()


# --- Home ---------------------------------------------------------------------------------


def test_home_shows_intro_ask_button_search_latest_topics_and_agencies(client):
    parent = AgencyFactory(name="UBND thành phố Hải Phòng")
    child = AgencyFactory(name="Sở Giáo dục và Đào tạo", parent=parent)
    topic = TopicFactory(name="Giáo dục")
    published = PublishedQuestionFactory(agency=child, topic=topic, public_title="Học phí năm học mới là bao nhiêu?")
    QuestionFactory(agency=child, topic=topic, public_title="Câu hỏi chưa được công bố")
    response = client.get(reverse("qa:home"))
    page = html(response)
    assert response.status_code == 200
    assert f'href="{reverse("qa:ask")}"' in page
    assert f'action="{reverse("qa:archive")}"' in page and 'name="q"' in page
    assert published.public_title in page
    assert "Câu hỏi chưa được công bố" not in page
    assert reverse("qa:topic", args=[topic.slug]) in page
    assert reverse("qa:agency", args=[parent.slug]) in page and reverse("qa:agency", args=[child.slug]) in page


def test_home_without_content_has_empty_states(client):
    page = html(client.get(reverse("qa:home")))
    assert "No answers have been published yet" in page


# --- Ask form: GET --------------------------------------------------------------------------


def test_ask_form_groups_agencies_under_their_parent(client):
    parent = AgencyFactory(name="UBND thành phố Hải Phòng")
    child = AgencyFactory(name="Sở Y tế", parent=parent)
    lone = AgencyFactory(name="Ban Quản lý khu kinh tế")
    AgencyFactory(name="Sở đã giải thể", is_active=False)
    TopicFactory(name="Y tế")
    page = html(client.get(reverse("qa:ask")))
    group = re.search(r'<optgroup label="UBND thành phố Hải Phòng">(.*?)</optgroup>', page, re.S)
    assert group, page
    assert f'value="{parent.pk}"' in group.group(1) and f'value="{child.pk}"' in group.group(1)
    assert f'value="{lone.pk}"' in page
    assert "Sở đã giải thể" not in page
    # Everything a person needs is there without JavaScript.
    for name in ("title", "body", "organisation_name", "tax_code", "name", "email", "phone", "address"):
        assert f'name="{name}"' in page
    assert 'type="file" name="attachments"' in page and " multiple" in page
    assert 'enctype="multipart/form-data"' in page
    assert 'aria-live="polite"' in page  # similar-question suggestions are announced


def test_ask_form_prefills_a_logged_in_users_name_and_email(client, agency, topic):
    user = UserFactory(email="da.dang.nhap@example.vn", full_name="Phạm Thị Đăng Nhập", phone="0987654321")
    client.force_login(user)
    page = html(client.get(reverse("qa:ask")))
    assert 'value="da.dang.nhap@example.vn"' in page
    assert 'value="Phạm Thị Đăng Nhập"' in page


def test_ask_form_preselects_agency_from_link(client, agency, topic):
    page = html(client.get(reverse("qa:ask") + f"?agency={agency.pk}&topic={topic.pk}"))
    assert f'<option value="{agency.pk}" selected>' in page
    assert f'<option value="{topic.pk}" selected>' in page


# --- Ask form: POST -------------------------------------------------------------------------


def test_guest_submission_goes_to_check_your_email_page(client, agency, topic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("qa:ask"), ask_data(agency, topic), REMOTE_ADDR="203.0.113.7")
    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("qa:ask_sent", args=[question.reference])
    assert question.status == QuestionStatus.UNVERIFIED
    assert question.language == "en"
    assert question.consent_to_publish is True
    assert question.contact.phone == "0912345678"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["le.van.hoi@example.vn"]
    page = html(client.get(response["Location"]))
    assert "Check your e-mail" in page
    assert "spam" in page  # what to do if the mail does not arrive
    assert "Lê Văn Hỏi" not in page and "le.van.hoi@example.vn" not in page


def test_submission_keeps_the_language_of_the_page(agency, topic):
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("qa:ask"), ask_data(agency, topic))
    assert Question.objects.get().language == "en"
    vi_client = Client()
    vi_client.post(reverse("qa:ask"), ask_data(agency, topic, email="khac@example.vn"))
    assert Question.objects.get(contact__email="khac@example.vn").language == "vi"


def test_verified_user_goes_straight_to_the_receipt(client, agency, topic, django_capture_on_commit_callbacks):
    user = UserFactory(email="citizen@example.vn", email_verified=True)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("qa:ask"), ask_data(agency, topic, email="citizen@example.vn"))
    question = Question.objects.get()
    assert question.status == QuestionStatus.SUBMITTED
    assert question.asker == user
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("qa:receipt", args=[question.reference]) + f"?token={question.tracking_token}"
    )
    page = html(client.get(response["Location"]))
    assert question.reference in page


def test_attachments_are_saved(client, agency, topic):
    files = [
        SimpleUploadedFile("don-de-nghi.pdf", PDF, content_type="application/pdf"),
        SimpleUploadedFile("so-do.png", png_bytes(), content_type="image/png"),
    ]
    response = client.post(reverse("qa:ask"), {**ask_data(agency, topic), "attachments": files})
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["don-de-nghi.pdf", "so-do.png"]


def _service_messages(form_data: dict, agency, topic, files=()) -> dict[str, list[str]]:
    """What the service says about this input, in English: the page must show exactly these."""
    agencies = {str(a.pk): a for a in Agency.objects.all()}
    topics = {str(t.pk): t for t in type(topic).objects.all()}
    with translation.override("en"):
        try:
            validate_question_input(
                agency=agencies.get(form_data["agency"]),
                topic=topics.get(form_data["topic"]),
                title=form_data["title"],
                body=form_data["body"],
                asker_type=form_data["asker_type"],
                name=form_data["name"],
                email=form_data["email"],
                phone=form_data["phone"],
                address=form_data["address"],
                organisation_name=form_data["organisation_name"],
                tax_code=form_data["tax_code"],
                attachments=list(files),
            )
        except ValidationError as exc:
            return exc.message_dict
    return {}


INVALID_INPUTS = {
    "agency": {"agency": ""},
    "agency-unknown": {"agency": "999999"},
    "topic": {"topic": ""},
    "title-empty": {"title": "   "},
    "title-long": {"title": "Đ" * 201},
    "body-empty": {"body": ""},
    "body-long": {"body": "x" * 5001},
    "asker_type": {"asker_type": "robot"},
    "name": {"name": ""},
    "email-empty": {"email": "", "phone": ""},  # issue 18: a mobile number alone is enough
    "email-invalid": {"email": "khong-phai-email"},
    "phone": {"phone": "12345"},
    "organisation": {"asker_type": "organisation", "organisation_name": "", "tax_code": ""},
    "tax_code": {"asker_type": "organisation", "organisation_name": "Công ty TNHH Hải Âu", "tax_code": "12-34"},
    # The right format, the wrong check digit (0201234569 is valid).
    "tax_code-check-digit": {
        "asker_type": "organisation",
        "organisation_name": "Công ty Hải Âu",
        "tax_code": "0201234567",
    },
    "address": {"address": "a" * 256},
}


@pytest.mark.parametrize("case", list(INVALID_INPUTS))
def test_each_field_shows_the_services_message_next_to_it(client, agency, topic, case):
    data = ask_data(agency, topic, **INVALID_INPUTS[case])
    expected = _service_messages(data, agency, topic)
    assert expected, "the case must be invalid for the service"
    response = client.post(reverse("qa:ask"), data)
    page = html(response)
    assert response.status_code == 200
    assert Question.objects.count() == 0
    assert 'id="error-summary"' in page
    for field, messages in expected.items():
        for message in messages:
            assert escape(message) in page, (field, message)
        # The message sits next to its field, and the input points to it for screen readers.
        assert f'id="id_{field}_error"' in page
        if field != "asker_type":
            assert re.search(rf'<[^>]+id="id_{field}"[^>]*aria-describedby="[^"]*id_{field}_error', page) or re.search(
                rf'<[^>]+aria-describedby="[^"]*id_{field}_error[^"]*"[^>]*id="id_{field}"', page
            ), field
        # The summary links to the field.
        assert f'href="#id_{field}' in page


def test_bad_attachment_message_and_note_to_reattach(client, agency, topic):
    exe = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    expected = _service_messages(
        ask_data(agency, topic), agency, topic, files=[SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf")]
    )
    response = client.post(reverse("qa:ask"), {**ask_data(agency, topic), "attachments": [exe]})
    page = html(response)
    assert escape(expected["attachments"][0]) in page
    assert 'id="files-note"' in page and "attach them again" in page
    assert Question.objects.count() == 0


def test_too_many_attachments(client, agency, topic, settings):
    files = [SimpleUploadedFile(f"f{i}.pdf", PDF, content_type="application/pdf") for i in range(6)]
    response = client.post(reverse("qa:ask"), {**ask_data(agency, topic), "attachments": files})
    with translation.override("en"):
        assert escape(f"You can attach at most {settings.QA_MAX_ATTACHMENTS} files.") in html(response)
    assert Question.objects.count() == 0


def test_rejected_form_keeps_everything_typed(client, agency, topic):
    data = ask_data(agency, topic, email="sai-dia-chi", asker_type="organisation", tax_code="0201234567")
    data["organisation_name"] = "Hợp tác xã Đông Hải"
    page = html(client.post(reverse("qa:ask"), data))
    assert 'value="Hỏi về thủ tục tách thửa đất ở huyện Thủy Nguyên"' in page
    assert "Gia đình tôi muốn tách thửa đất đang sử dụng" in page
    assert 'value="Hợp tác xã Đông Hải"' in page and 'value="0201234567"' in page
    assert 'value="sai-dia-chi"' in page and 'value="Lê Văn Hỏi"' in page
    assert 'value="0912 345 678"' in page and 'value="Số 5 phố Lạch Tray"' in page
    assert re.search(r'value="organisation"[^>]*checked', page)
    assert re.search(r'name="consent_to_publish"[^>]*checked', page)
    assert f'<option value="{agency.pk}" selected>' in page and f'<option value="{topic.pk}" selected>' in page
    assert 'id="files-note"' not in page


def test_honeypot_pretends_success_saves_nothing_and_logs(client, agency, topic, caplog):
    with caplog.at_level(logging.WARNING, logger="qa.views"):
        response = client.post(reverse("qa:ask"), ask_data(agency, topic, website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"].startswith("/ask/sent/HP-STNMT-")
    assert client.get(response["Location"]).status_code == 200
    assert Question.objects.count() == 0
    assert len(mail.outbox) == 0
    assert any("honeypot" in record.getMessage().lower() for record in caplog.records)


def test_honeypot_is_hidden_from_people(client):
    page = html(client.get(reverse("qa:ask")))
    assert re.search(r'<div class="hp-field" aria-hidden="true">\s*<label', page)
    assert re.search(r'name="website"[^>]*tabindex="-1"', page) or re.search(r'tabindex="-1"[^>]*name="website"', page)


@pytest.mark.usefixtures("rate_window")
def test_rate_limit_per_email_is_429_with_minutes(client, agency, topic, settings):
    settings.QA_SUBMIT_RATE_PER_EMAIL = "1/h"
    assert client.post(reverse("qa:ask"), ask_data(agency, topic)).status_code == 302
    response = client.post(reverse("qa:ask"), ask_data(agency, topic, title="Câu hỏi thứ hai"))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = html(response)
    assert re.search(r"try again in \d+ minutes?", page)
    assert 'value="Câu hỏi thứ hai"' in page
    assert Question.objects.count() == 1


def test_rate_limit_uses_the_client_ip(client, agency, topic, settings):
    settings.QA_SUBMIT_RATE_PER_IP = "1/h"
    first = client.post(reverse("qa:ask"), ask_data(agency, topic, email="a@example.vn"), REMOTE_ADDR="198.51.100.1")
    second = client.post(reverse("qa:ask"), ask_data(agency, topic, email="b@example.vn"), REMOTE_ADDR="198.51.100.1")
    other = client.post(reverse("qa:ask"), ask_data(agency, topic, email="c@example.vn"), REMOTE_ADDR="198.51.100.2")
    assert (first.status_code, second.status_code, other.status_code) == (302, 429, 302)


# --- Confirmation, receipt, tracking --------------------------------------------------------


def test_guest_flow_mail_link_to_receipt_to_tracking(client, agency, topic, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("qa:ask"), ask_data(agency, topic))
    confirm_path = re.search(r"https?://[^/\s]+(/confirm/[^/\s]+/)", mail.outbox[0].body).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(confirm_path)
    question = Question.objects.get()
    assert question.status == QuestionStatus.SUBMITTED
    assert response.status_code == 302
    assert (
        response["Location"] == reverse("qa:receipt", args=[question.reference]) + f"?token={question.tracking_token}"
    )
    assert response["Referrer-Policy"] == "same-origin"

    receipt = client.get(response["Location"])
    page = html(receipt)
    assert receipt.status_code == 200
    assert f'<p class="reference-code">{question.reference}</p>' in page
    tracking_url = f"http://testserver{question.tracking_path()}"
    assert f'value="{escape(tracking_url)}"' in page
    assert agency.name in page
    assert "What happens next" in page and f"{agency.answer_deadline_days} working days" in page
    assert receipt["Cache-Control"] == "private, no-store"

    track = client.get(question.tracking_path())
    page = html(track)
    assert track.status_code == 200
    assert 'class="badge badge-status badge-submitted"' in page
    assert "Your question has reached the agency" in page
    # The second mail (received) carries the same tracking link.
    assert question.tracking_path() in mail.outbox[1].body


def test_confirm_with_a_bad_token_is_a_clear_400(client):
    response = client.get(reverse("qa:confirm", args=["nonsense-token"]))
    assert response.status_code == 400
    assert "This confirmation link is not valid." in html(response)


def test_confirm_with_an_expired_token_is_400(client, agency, settings):
    question = QuestionFactory(agency=agency, status=QuestionStatus.UNVERIFIED)
    token = make_confirmation_token(question)
    settings.QA_CONFIRMATION_MAX_AGE = -1
    response = client.get(reverse("qa:confirm", args=[token]))
    assert response.status_code == 400
    assert "expired" in html(response)


def test_confirm_twice_still_shows_the_receipt(client, agency):
    question = QuestionFactory(agency=agency, status=QuestionStatus.UNVERIFIED)
    token = make_confirmation_token(question)
    first = client.get(reverse("qa:confirm", args=[token]))
    second = client.get(reverse("qa:confirm", args=[token]))
    assert first["Location"] == second["Location"]
    assert QuestionEvent.objects.filter(question=question, action="submit").count() == 1


@pytest.mark.parametrize("name", ["qa:track", "qa:receipt"])
def test_wrong_or_missing_token_is_404(client, name):
    question = QuestionFactory()
    url = reverse(name, args=[question.reference])
    assert client.get(url + "?token=wrong").status_code == 404
    assert client.get(url).status_code == 404
    assert client.get(reverse(name, args=["HP-KHONG-CO"]) + "?token=x").status_code == 404
    assert client.get(url + f"?token={question.tracking_token}").status_code == 200


def test_unconfirmed_question_has_no_tracking_page(client):
    question = QuestionFactory(status=QuestionStatus.UNVERIFIED)
    assert client.get(question.tracking_path()).status_code == 404


def test_tracking_page_headers(client):
    question = QuestionFactory()
    response = client.get(question.tracking_path())
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Robots-Tag"] == "noindex"
    assert response["Cache-Control"] == "private, no-store"


def test_tracking_page_shows_public_timeline_due_date_answer_and_attachments(client, agency, topic):
    question = QuestionFactory(
        agency=agency,
        topic=topic,
        status=QuestionStatus.ANSWERED,
        due_date=timezone.localdate() + datetime.timedelta(days=20),
        answered_at=timezone.now(),
    )
    QuestionEvent.objects.create(question=question, action="submit", to_status="submitted")
    QuestionEvent.objects.create(question=question, action="accept", to_status="accepted", note="Đã tiếp nhận hồ sơ.")
    QuestionEvent.objects.create(
        question=question, action="assign", internal_note="Giao cho chuyên viên Bí Mật", is_public=False
    )
    QuestionEvent.objects.create(question=question, action="send", to_status="answered")
    Answer.objects.create(question=question, body="<p>Trả lời: <strong>hồ sơ gồm 3 loại giấy tờ</strong>.</p>")
    Attachment.objects.create(
        question=question,
        file=SimpleUploadedFile("ban-do.pdf", PDF),
        original_name="ban-do.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    page = html(client.get(question.tracking_path()))
    assert "Submitted" in page and "Accepted" in page and "Answered" in page
    assert "Đã tiếp nhận hồ sơ." in page
    assert "Assigned" not in page and "Bí Mật" not in page
    assert "<strong>hồ sơ gồm 3 loại giấy tờ</strong>" in page  # sanitised HTML rendered as HTML
    assert "ban-do.pdf" in page
    assert 'class="badge badge-status badge-answered"' in page
    # Answered questions can no longer be withdrawn.
    assert reverse("qa:withdraw", args=[question.reference]) not in page


def test_tracking_page_hides_an_answer_that_was_not_sent(client):
    question = QuestionFactory(status=QuestionStatus.IN_REVIEW)
    Answer.objects.create(question=question, body="<p>Bản nháp chưa duyệt</p>")
    page = html(client.get(question.tracking_path()))
    assert "Bản nháp chưa duyệt" not in page


def test_tracking_page_escapes_the_askers_own_text(client):
    question = QuestionFactory(title="<script>alert(1)</script>", body="<img src=x onerror=alert(1)>")
    page = html(client.get(question.tracking_path()))
    assert "<script>alert(1)</script>" not in page
    assert "<img src=x" not in page


def test_tracking_page_includes_the_workflow_extension(client, settings, tmp_path):
    question = QuestionFactory()
    override = tmp_path / "qa" / "includes"
    override.mkdir(parents=True)
    (override / "track_extra.html").write_text("<p>EXTRA {{ question.reference }} {{ token }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    page = html(client.get(question.tracking_path()))
    assert f"EXTRA {question.reference} {question.tracking_token}" in page


@pytest.mark.parametrize(
    ("status", "offset", "expected"),
    [
        (QuestionStatus.ACCEPTED, -1, "overdue"),
        (QuestionStatus.ACCEPTED, 0, "due_soon"),
        (QuestionStatus.ACCEPTED, 30, ""),
        (QuestionStatus.INFORMATION_REQUESTED, -1, "paused"),
        (QuestionStatus.ANSWERED, -1, ""),
    ],
)
def test_deadline_state(status, offset, expected):
    today = datetime.date(2026, 3, 10)  # a Tuesday
    question = Question(status=status, due_date=today + datetime.timedelta(days=offset))
    assert deadline_state(question, today=today) == expected


def test_tracking_page_flags_overdue(client):
    question = QuestionFactory(status=QuestionStatus.ACCEPTED, due_date=timezone.localdate() - datetime.timedelta(3))
    page = html(client.get(question.tracking_path()))
    assert "Overdue" in page and "Answer due by" in page


# --- Withdraw -------------------------------------------------------------------------------


def test_withdraw_asks_to_confirm_then_withdraws(client):
    question = QuestionFactory(status=QuestionStatus.ACCEPTED)
    url = reverse("qa:withdraw", args=[question.reference])
    step1 = client.post(url, {"token": question.tracking_token})
    assert step1.status_code == 200
    assert 'name="confirm" value="1"' in html(step1)
    assert step1["Cache-Control"] == "private, no-store"
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACCEPTED

    step2 = client.post(url, {"token": question.tracking_token, "confirm": "1", "reason": "Đã tự giải quyết được"})
    assert step2.status_code == 302 and step2["Location"] == question.tracking_path()
    question.refresh_from_db()
    assert question.status == QuestionStatus.WITHDRAWN
    event = QuestionEvent.objects.get(question=question, action="withdraw")
    assert event.note == "Đã tự giải quyết được"
    page = html(client.get(step2["Location"]))
    assert "Your question has been withdrawn." in page
    assert 'class="badge badge-status badge-withdrawn"' in page


def test_withdraw_with_a_wrong_token_is_404(client):
    question = QuestionFactory(status=QuestionStatus.ACCEPTED)
    url = reverse("qa:withdraw", args=[question.reference])
    assert client.post(url, {"token": "wrong", "confirm": "1"}).status_code == 404
    assert client.post(url, {"confirm": "1"}).status_code == 404
    question.refresh_from_db()
    assert question.status == QuestionStatus.ACCEPTED


def test_withdraw_when_not_allowed_shows_a_message(client):
    question = QuestionFactory(status=QuestionStatus.ANSWERED)
    url = reverse("qa:withdraw", args=[question.reference])
    response = client.post(url, {"token": question.tracking_token, "confirm": "1"}, follow=True)
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED
    assert 'class="message message-error"' in html(response)
    assert "is not possible" in html(response)


def test_withdraw_is_post_only(client):
    question = QuestionFactory()
    assert client.get(reverse("qa:withdraw", args=[question.reference])).status_code == 405


# --- Lost link ------------------------------------------------------------------------------


def test_lost_link_same_response_for_known_and_unknown(client, django_capture_on_commit_callbacks):
    question = QuestionFactory(contact__email="da.hoi@example.vn")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("qa:lost_link"), {"email": "Da.Hoi@example.vn"})
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(reverse("qa:lost_link"), {"email": "chua.hoi@example.vn"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert known.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["da.hoi@example.vn"]
    assert question.tracking_path() in mail.outbox[0].body
    page = html(client.get(known["Location"]))
    assert "Check your e-mail" in page


def test_lost_link_invalid_email(client):
    response = client.post(reverse("qa:lost_link"), {"email": "khong hop le"})
    assert response.status_code == 200
    assert "Enter a valid e-mail address" in html(response)
    assert 'id="id_email_error"' in html(response)


@pytest.mark.usefixtures("rate_window")
def test_lost_link_rate_limited(client, settings):
    settings.QA_LOST_LINK_RATE = "1/h"
    client.post(reverse("qa:lost_link"), {"email": "x@example.vn"})
    response = client.post(reverse("qa:lost_link"), {"email": "x@example.vn"})
    assert response.status_code == 429
    assert re.search(r"try again in \d+ minutes?", html(response))


# --- Public archive -------------------------------------------------------------------------


def _published(agency, topic, title, days_ago=0, **extra):
    when = timezone.now() - datetime.timedelta(days=days_ago)
    return PublishedQuestionFactory(agency=agency, topic=topic, public_title=title, published_at=when, **extra)


def _titles(response) -> list[str]:
    return [q.public_title for q in response.context["questions"]]


@pytest.fixture
def archive_data():
    city = AgencyFactory(name="UBND thành phố", slug="ubnd")
    dept = AgencyFactory(name="Sở Xây dựng", slug="so-xay-dung", parent=city)
    ward = AgencyFactory(name="Phòng Quản lý đô thị", slug="phong-qldt", parent=dept)
    other = AgencyFactory(name="Sở Y tế", slug="so-y-te")
    land, health = TopicFactory(name="Đất đai", slug="dat-dai"), TopicFactory(name="Y tế", slug="y-te")
    rows = {
        "q_city": _published(city, land, "Quy hoạch chung thành phố", 1, view_count=5, helpful_yes=1),
        "q_dept": _published(dept, land, "Cấp phép xây dựng nhà ở", 2, view_count=50, helpful_yes=0),
        "q_ward": _published(ward, land, "Trật tự đô thị trên vỉa hè", 30, view_count=1, helpful_yes=9),
        "q_other": _published(other, health, "Tiêm chủng mở rộng cho trẻ em", 3, view_count=10, helpful_yes=3),
    }
    QuestionFactory(agency=dept, topic=land, public_title="Chưa công bố: xây dựng trái phép")
    return {"city": city, "dept": dept, "ward": ward, "other": other, "land": land, "health": health, **rows}


def test_archive_lists_only_published_newest_first(client, archive_data):
    response = client.get(reverse("qa:archive"))
    assert _titles(response) == [
        "Quy hoạch chung thành phố",
        "Cấp phép xây dựng nhà ở",
        "Tiêm chủng mở rộng cho trẻ em",
        "Trật tự đô thị trên vỉa hè",
    ]
    page = html(response)
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert archive_data["q_city"].reference in page


def test_archive_agency_filter_includes_sub_agencies(client, archive_data):
    titles = _titles(client.get(reverse("qa:archive"), {"agency": "so-xay-dung"}))
    assert titles == ["Cấp phép xây dựng nhà ở", "Trật tự đô thị trên vỉa hè"]
    assert len(_titles(client.get(reverse("qa:archive"), {"agency": "ubnd"}))) == 3


def test_archive_topic_and_date_filters(client, archive_data):
    assert _titles(client.get(reverse("qa:archive"), {"topic": "y-te"})) == ["Tiêm chủng mở rộng cho trẻ em"]
    today = timezone.localdate()
    recent = client.get(reverse("qa:archive"), {"date_from": (today - datetime.timedelta(days=10)).isoformat()})
    assert "Trật tự đô thị trên vỉa hè" not in _titles(recent) and len(_titles(recent)) == 3
    old = client.get(reverse("qa:archive"), {"date_to": (today - datetime.timedelta(days=10)).isoformat()})
    assert _titles(old) == ["Trật tự đô thị trên vỉa hè"]


def test_archive_search_without_diacritics(client, archive_data):
    response = client.get(reverse("qa:archive"), {"q": "xay dung"})
    assert _titles(response) == ["Cấp phép xây dựng nhà ở"]
    assert response.context["form"].archive_arguments()["ordering"] == "relevance"


@pytest.mark.parametrize(
    ("sort", "first"),
    [
        ("views", "Cấp phép xây dựng nhà ở"),
        ("helpful", "Trật tự đô thị trên vỉa hè"),
        ("newest", "Quy hoạch chung thành phố"),
    ],
)
def test_archive_sorting(client, archive_data, sort, first):
    assert _titles(client.get(reverse("qa:archive"), {"sort": sort}))[0] == first


def test_archive_bad_parameters_are_reported_not_500(client, archive_data):
    response = client.get(
        reverse("qa:archive"), {"agency": "khong-ton-tai", "date_from": "hôm qua", "sort": "random", "page": "abc"}
    )
    assert response.status_code == 200
    assert len(_titles(response)) == 4
    today = timezone.localdate().isoformat()
    response = client.get(reverse("qa:archive"), {"date_from": today, "date_to": "2000-01-01"})
    assert "The end date is before the start date." in html(response)


def test_archive_empty_state(client, archive_data):
    page = html(client.get(reverse("qa:archive"), {"q": "khongtontaitrongkho"}))
    assert "No published question matches your search." in page
    assert reverse("qa:ask") in page


def test_archive_pagination_keeps_filters(client, topic):
    agency = AgencyFactory(slug="so-tu-phap")
    for i in range(45):
        _published(agency, topic, f"Câu hỏi số {i:02d}", days_ago=i)
    first = client.get(reverse("qa:archive"), {"topic": topic.slug, "sort": "newest"})
    assert len(first.context["questions"]) == 20
    page = html(first)
    assert f'href="?topic={topic.slug}&amp;sort=newest&amp;page=2"' in page
    third = client.get(reverse("qa:archive"), {"topic": topic.slug, "sort": "newest", "page": 3})
    assert _titles(third) == [f"Câu hỏi số {i:02d}" for i in range(40, 45)]
    assert 'rel="prev"' in html(third) and 'rel="next"' not in html(third)
    beyond = client.get(reverse("qa:archive"), {"page": 99})
    assert beyond.context["page"].number == 3


# --- Agency and topic pages -----------------------------------------------------------------


def test_agency_page_lists_its_sub_agencies_and_their_answers(client, archive_data):
    response = client.get(reverse("qa:agency", args=["so-xay-dung"]))
    page = html(response)
    assert response.status_code == 200
    assert _titles(response) == ["Cấp phép xây dựng nhà ở", "Trật tự đô thị trên vỉa hè"]
    assert reverse("qa:agency", args=["phong-qldt"]) in page
    assert f'href="{reverse("qa:ask")}?agency={archive_data["dept"].pk}"' in page
    assert 'name="agency"' not in page  # the agency is fixed here
    assert 'rel="alternate" type="application/atom+xml"' in page


def test_agency_page_filters_further(client, archive_data):
    response = client.get(reverse("qa:agency", args=["ubnd"]), {"q": "do thi"})
    assert _titles(response) == ["Trật tự đô thị trên vỉa hè"]


def test_unknown_or_inactive_agency_is_404(client):
    AgencyFactory(slug="da-giai-the", is_active=False)
    assert client.get(reverse("qa:agency", args=["da-giai-the"])).status_code == 404
    assert client.get(reverse("qa:agency", args=["khong-co"])).status_code == 404


def test_topic_page(client, archive_data):
    response = client.get(reverse("qa:topic", args=["dat-dai"]))
    assert response.status_code == 200
    assert len(_titles(response)) == 3
    assert client.get(reverse("qa:topic", args=["khong-co"])).status_code == 404


# --- Question page and votes ----------------------------------------------------------------


def test_question_page_shows_public_version_answer_and_links(client, agency, topic):
    question = PublishedQuestionFactory(
        agency=agency,
        topic=topic,
        title="Bản gốc có tên Nguyễn Văn Riêng",
        public_title="Thủ tục tách thửa đất",
        public_body="Xin hỏi thủ tục tách thửa.",
        answer="<p>Hồ sơ gồm <em>đơn đề nghị</em>.</p>",
    )
    page = html(client.get(question.get_absolute_url()))
    assert "Thủ tục tách thửa đất" in page and "Xin hỏi thủ tục tách thửa." in page
    assert "<em>đơn đề nghị</em>" in page
    assert "Nguyễn Văn Riêng" not in page
    assert question.contact.email not in page and question.contact.name not in page
    assert reverse("qa:agency", args=[agency.slug]) in page and reverse("qa:topic", args=[topic.slug]) in page
    assert f'action="{reverse("qa:vote", args=[question.reference])}"' in page


def test_unpublished_question_page_is_404(client):
    for status in (QuestionStatus.SUBMITTED, QuestionStatus.ANSWERED, QuestionStatus.REJECTED):
        question = QuestionFactory(status=status)
        assert client.get(reverse("qa:question_detail", args=[question.reference])).status_code == 404


def test_question_page_shows_similar_questions(client, agency, topic):
    question = PublishedQuestionFactory(agency=agency, topic=topic, public_title="Thủ tục tách thửa đất nông nghiệp")
    similar = PublishedQuestionFactory(agency=agency, topic=topic, public_title="Điều kiện tách thửa đất ở")
    PublishedQuestionFactory(
        agency=agency,
        topic=topic,
        public_title="Học phí mầm non",
        public_body="Mức học phí năm nay",
        answer="<p>Theo nghị quyết của Hội đồng nhân dân.</p>",
    )
    response = client.get(question.get_absolute_url())
    assert [q.pk for q in response.context["similar"]] == [similar.pk]


def test_views_are_counted_without_a_write_per_view(client):
    question = PublishedQuestionFactory(view_count=100)
    url = question.get_absolute_url()
    for expected in range(101, 100 + VIEW_FLUSH_EVERY):
        archive_cache._bump()  # a fresh page each time: the shown count is exact when rendered
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert not [q for q in queries.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
        assert response.context["views"] == expected
        assert f'<dd class="view-count">{expected}</dd>' in html(response)
    question.refresh_from_db()
    assert question.view_count == 100
    archive_cache._bump()
    response = client.get(url)  # the batch is flushed once
    question.refresh_from_db()
    assert question.view_count == 100 + VIEW_FLUSH_EVERY
    assert response.context["views"] == 100 + VIEW_FLUSH_EVERY
    archive_cache._bump()
    assert client.get(url).context["views"] == 101 + VIEW_FLUSH_EVERY


def test_views_served_from_the_archive_cache_are_still_counted(client):
    question = PublishedQuestionFactory(view_count=100)
    url = question.get_absolute_url()
    first = client.get(url)
    assert first.context is not None  # rendered
    for _ in range(VIEW_FLUSH_EVERY - 1):
        with CaptureQueriesContext(connection) as queries:
            hit = client.get(url)
        assert hit.status_code == 200
        assert hit.context is None  # served from the cache
        assert not [q for q in queries.captured_queries if not q["sql"].lstrip().upper().startswith("UPDATE")]
    question.refresh_from_db()
    assert question.view_count == 100 + VIEW_FLUSH_EVERY  # the tenth view (a cache hit) flushed the batch


def test_question_page_query_count(client, django_assert_num_queries):
    question = PublishedQuestionFactory()
    PublishedQuestionFactory.create_batch(3)
    # 1: the question with agency, topic, answer; 2: similar questions.
    with django_assert_num_queries(2):
        client.get(question.get_absolute_url())


def test_vote_once_per_browser(client):
    question = PublishedQuestionFactory()
    url = reverse("qa:vote", args=[question.reference])
    first = client.post(url, {"helpful": "yes"}, follow=True)
    assert "Thank you for your feedback." in html(first)
    assert "qa_voter" in client.cookies
    assert client.cookies["qa_voter"]["httponly"]
    second = client.post(url, {"helpful": "no"}, follow=True)
    assert "You have already told us whether this answer helped." in html(second)
    question.refresh_from_db()
    assert (question.helpful_yes, question.helpful_no) == (1, 0)
    vote = HelpfulVote.objects.get()
    assert vote.voter_key.startswith("b:")
    # Another browser may vote.
    Client(HTTP_ACCEPT_LANGUAGE="en").post(url, {"helpful": "no"})
    question.refresh_from_db()
    assert (question.helpful_yes, question.helpful_no) == (1, 1)


def test_votes_from_one_address_are_limited_even_without_cookies(settings):
    # A script that drops the voter cookie is a new browser each time; its address is not.
    settings.QA_VOTE_RATE_PER_IP = "2/h"
    question = PublishedQuestionFactory()
    url = reverse("qa:vote", args=[question.reference])
    for _ in range(2):
        assert "Thank you for your feedback." in html(
            Client(HTTP_ACCEPT_LANGUAGE="en").post(url, {"helpful": "yes"}, follow=True)
        )
    refused = Client(HTTP_ACCEPT_LANGUAGE="en").post(url, {"helpful": "yes"}, follow=True)
    assert "Too many requests. Please try again in" in html(refused)
    question.refresh_from_db()
    assert (question.helpful_yes, HelpfulVote.objects.count()) == (2, 2)
    # Another address, and another answer from the same address, are counted apart.
    Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR="203.0.113.9").post(url, {"helpful": "no"})
    other = PublishedQuestionFactory()
    Client(HTTP_ACCEPT_LANGUAGE="en").post(reverse("qa:vote", args=[other.reference]), {"helpful": "yes"})
    assert HelpfulVote.objects.count() == 4


def test_tampered_voter_cookie_gets_a_new_identity(client):
    question = PublishedQuestionFactory()
    url = reverse("qa:vote", args=[question.reference])
    client.post(url, {"helpful": "yes"})
    client.cookies["qa_voter"] = "forged-value"
    client.post(url, {"helpful": "yes"})
    assert HelpfulVote.objects.count() == 2
    assert not HelpfulVote.objects.filter(voter_key="b:forged-value").exists()


def test_logged_in_vote_uses_the_user(client):
    user = UserFactory()
    question = PublishedQuestionFactory()
    client.force_login(user)
    client.post(reverse("qa:vote", args=[question.reference]), {"helpful": "no"})
    assert HelpfulVote.objects.get().voter_key == f"u:{user.pk}"
    client.cookies.clear()
    client.force_login(user)
    response = client.post(reverse("qa:vote", args=[question.reference]), {"helpful": "yes"}, follow=True)
    assert "already" in html(response)
    assert HelpfulVote.objects.count() == 1


def test_vote_needs_a_choice_and_a_published_question(client):
    question = PublishedQuestionFactory()
    response = client.post(reverse("qa:vote", args=[question.reference]), {"helpful": "maybe"}, follow=True)
    assert "Choose “Yes” or “No”." in html(response)
    assert HelpfulVote.objects.count() == 0
    hidden = QuestionFactory(status=QuestionStatus.ANSWERED)
    assert client.post(reverse("qa:vote", args=[hidden.reference]), {"helpful": "yes"}).status_code == 404
    assert client.get(reverse("qa:vote", args=[question.reference])).status_code == 405


# --- Language -------------------------------------------------------------------------------


def test_pages_follow_accept_language():
    assert '<html lang="en">' in html(Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("qa:home")))
    assert '<html lang="vi">' in html(Client().get(reverse("qa:home")))
    english = html(Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("qa:ask")))
    assert "Ask an agency a question" in english and "Send my question" in english


def test_language_switch_sets_english():
    browser = Client()
    response = browser.post(reverse("set_language"), {"language": "en", "next": reverse("qa:archive")})
    assert response.status_code == 302 and response["Location"] == reverse("qa:archive")
    page = html(browser.get(reverse("qa:archive")))
    assert '<html lang="en">' in page
    assert "Answered questions" in page


def test_asker_type_hint_is_there_without_javascript(client):
    page = html(client.get(reverse("qa:ask")))
    assert 'id="org-fields"' in page
    assert "only if you ask on behalf of an organisation" in page
    assert "hidden" not in re.search(r'<div class="org-fields"[^>]*>', page).group(0)


def test_organisation_submission_saves_org_data(client, agency, topic):
    data = ask_data(agency, topic, asker_type="organisation", organisation_name="Công ty CP Cảng Xanh")
    data["tax_code"] = "0201234569-001"
    assert client.post(reverse("qa:ask"), data).status_code == 302
    question = Question.objects.get()
    assert question.asker_type == AskerType.ORGANISATION
    assert (question.contact.organisation_name, question.contact.tax_code) == ("Công ty CP Cảng Xanh", "0201234569-001")


def test_about_page_explains_deadlines_and_privacy(client):
    page = html(client.get(reverse("about")))
    assert "within 5 working days" in page
    assert "never shown in the public archive" in page
    assert reverse("qa:feed") in page


def test_a_vote_shows_at_once_and_after_reloads_even_with_the_page_cached(client, settings):
    settings.QA_ARCHIVE_CACHE_SECONDS = 60
    question = PublishedQuestionFactory()
    url = question.get_absolute_url()
    # Another visitor fills the cache with the page as it is before the vote.
    assert "0 people found this helpful." in html(Client(HTTP_ACCEPT_LANGUAGE="en").get(url))
    after = client.post(reverse("qa:vote", args=[question.reference]), {"helpful": "yes"}, follow=True)
    page = html(after)
    assert "1 person found this helpful." in page and "You found this answer helpful." in page
    assert 'name="helpful"' not in page
    client.cookies.pop("messages", None)
    for _ in range(2):  # plain reloads: no message cookie, the cached copy exists
        page = html(client.get(url))
        assert "1 person found this helpful." in page and 'name="helpful"' not in page
    # A visitor who has not voted still gets the buttons.
    assert 'name="helpful"' in html(Client(HTTP_ACCEPT_LANGUAGE="en").get(url))
