"""E-mails: every kind renders in Vietnamese and English, text and HTML, with the portal's name."""

import re

import pytest
from django.core import mail
from django.utils import translation

from notifications.emails import build_email, render_title
from notifications.kinds import KINDS
from notifications.models import Channel, Notification
from notifications.services import Recipient, notify
from qa.services import question_submit
from tests.factories import AgencyFactory, TopicFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

SITE = "http://127.0.0.1:8000"
QUESTION = {
    "id": 1,
    "reference": "HP-STNMT-2026-000123",
    "title": "Hỏi về thủ tục tách thửa đất",
    "public_title": "Thủ tục tách thửa đất",
    "status": "answered",
    "language": "vi",
    "due_date": "2026-03-11",
    "agency": {"id": 1, "name": "Sở Tài nguyên và Môi trường", "code": "HP-STNMT", "slug": "stnmt"},
    "topic": {"id": 1, "name": "Đất đai"},
}
# Everything any template may ask for: one context serves every kind.
SAMPLE = {
    "question": QUESTION,
    "name": "Lê Văn Hỏi",
    "tracking_url": f"{SITE}/track/HP-STNMT-2026-000123/?token=abc",
    "staff_url": f"{SITE}/staff/questions/HP-STNMT-2026-000123/",
    "confirm_url": f"{SITE}/confirm/tok/",
    "public_url": f"{SITE}/questions/HP-STNMT-2026-000123/",
    "url": f"{SITE}/track/HP-STNMT-2026-000123/?token=abc",
    "links": [[QUESTION, f"{SITE}/track/HP-STNMT-2026-000123/?token=abc"]],
    "message": "Xin bổ sung bản sao sổ đỏ.",
    "reason": "Thuộc thẩm quyền của UBND huyện.",
    "reason_label": "Ngoài thẩm quyền",
    "comment": "Cần dẫn chiếu điều luật.",
    "from_agency": "Sở Xây dựng",
    "to_agency": "Sở Tài nguyên và Môi trường",
    "duplicate_of": "",
    "follow_up_of": "",
    "transfer_due_date": "2026-03-16",
    "answer_html": "<p>Trả lời: hồ sơ gồm đơn đề nghị.</p>",
    "answer_text": "Trả lời: hồ sơ gồm đơn đề nghị.",
    "signed_by": "Phó Giám đốc Sở",
    # Account e-mails (their links are made at send time for a user; a guest row carries them here).
    "verify_url": f"{SITE}/accounts/verify/tok/",
    "reset_url": f"{SITE}/accounts/password/reset/MQ/tok/",
    "login_url": f"{SITE}/accounts/login/",
    "email": "nguoi@example.vn",
    "valid_days": 3,
    "questions": [
        {
            "reference": "HP-STNMT-2026-000123",
            "title": "Hỏi về đất",
            "agency": "Sở Tài nguyên và Môi trường",
            "due_date": "2026-03-10",
            "url": f"{SITE}/staff/questions/HP-STNMT-2026-000123/",
        }
    ],
    "items": [{"title": "Câu hỏi mới", "url": f"{SITE}/staff/", "created_at": "2026-03-09T08:00:00+07:00"}],
    "count": 1,
    "date": "2026-03-10",
    "session": {"id": 3, "title": "Đối thoại về thuế", "starts_at": "2026-03-10T09:30:00+07:00"},
    "session_url": f"{SITE}/dialogues/3/",
}


def _row(kind: str, language: str, *, user=None) -> Notification:
    return Notification.objects.create(
        kind=kind,
        channel=Channel.EMAIL,
        recipient=user,
        email="" if user else "nguoi@example.vn",
        language=language,
        context=SAMPLE,
        idempotency_key=f"{kind}:{language}:{user.pk if user else 'guest'}",
    )


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("kind", sorted(code for code, spec in KINDS.items() if Channel.EMAIL in spec.channels))
def test_every_kind_renders_text_and_html_in_the_recipients_language(kind, language):
    message = build_email(_row(kind, language))
    html = message.alternatives[0][0]
    assert message.subject.strip() and "{{" not in message.subject and "\n" not in message.subject
    assert message.to == ["nguoi@example.vn"]
    assert message.extra_headers["Content-Language"] == language
    assert f'<html lang="{language}">' in html
    assert "Cổng thông tin điện tử" in html  # the portal's name
    assert message.body.strip() and "{%" not in message.body and "{{" not in message.body
    assert "{{" not in html


def test_dates_have_the_one_format_in_every_language():
    # Issue 18: one Vietnamese date format everywhere (core/dates.py), the words around it translated.
    vi = build_email(_row("qa.staff_due_tomorrow", "vi", user=UserFactory(language="vi")))
    en = build_email(_row("qa.staff_due_tomorrow", "en", user=UserFactory(language="en")))
    assert "10/03/2026" in vi.body and "10/03/2026" in en.body
    assert "March" not in vi.body + en.body and "Ngày 10" not in vi.body


def test_a_users_current_language_wins_over_the_row():
    user = UserFactory(language="en")
    row = _row("qa.staff_overdue", "vi", user=user)
    assert build_email(row).extra_headers["Content-Language"] == "en"


def test_transactional_mail_has_no_unsubscribe_but_others_do():
    receipt = build_email(_row("qa.received", "vi"))
    published = build_email(_row("qa.published", "vi"))
    assert "List-Unsubscribe" not in receipt.extra_headers
    assert "/notifications/unsubscribe/" not in receipt.body
    link = re.search(r"<(http://[^>]+/notifications/unsubscribe/[^>]+/)>", published.extra_headers["List-Unsubscribe"])
    assert link
    assert published.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.group(1) in published.body
    assert link.group(1) in published.alternatives[0][0]


def test_message_id_is_stable_per_row():
    row = _row("qa.received", "vi")
    assert build_email(row).extra_headers["Message-ID"] == build_email(row).extra_headers["Message-ID"]


def test_in_app_title_is_rendered_in_the_readers_language():
    row = _row("qa.staff_due_tomorrow", "vi")
    with translation.override("en"):
        assert render_title(row) == "1 question is due tomorrow"
    assert render_title(row, "en") == "1 question is due tomorrow"


def _ask(language: str, email: str, user=None):
    return question_submit(
        agency=AgencyFactory(code=f"HP-S{language.upper()}"),
        topic=TopicFactory(),
        title="Hỏi về thuế đất",
        body="Xin hỏi mức thuế sử dụng đất phi nông nghiệp?",
        asker_type="individual",
        name="Phạm Thị Hỏi",
        email=email,
        language=language,
        user=user,
    )


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_guests_confirmation_goes_out_in_the_language_they_asked_in(language, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        question = _ask(language, f"khach-{language}@example.vn")
    (message,) = mail.outbox
    assert message.to == [f"khach-{language}@example.vn"]
    assert message.extra_headers["Content-Language"] == language
    assert question.reference in message.subject
    assert "/confirm/" in message.body
    row = Notification.objects.get()
    assert (row.kind, row.email, row.language, row.recipient_id) == (
        "qa.confirm_email",
        f"khach-{language}@example.vn",
        language,
        None,
    )


def test_a_verified_user_gets_the_receipt_by_email_and_in_app(django_capture_on_commit_callbacks):
    user = UserFactory(email="dan@example.vn", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        question = _ask("vi", "dan@example.vn", user=user)
    rows = Notification.objects.filter(kind="qa.received")
    assert {(r.channel, r.recipient_id) for r in rows} == {(Channel.EMAIL, user.pk), (Channel.IN_APP, user.pk)}
    (message,) = mail.outbox
    assert message.extra_headers["Content-Language"] == "en"  # the account's language
    assert question.tracking_path() in message.body


def test_guest_recipient_object_is_accepted_by_notify():
    (row,) = notify(kind="qa.published", recipients=[Recipient("x@example.vn", "en")], context=SAMPLE)
    assert build_email(row).to == ["x@example.vn"]


AWKWARD = "Nguyễn Thị Ánh & Cộng sự <O'Brien>"


@pytest.mark.parametrize("kind", sorted(code for code, spec in KINDS.items() if Channel.EMAIL in spec.channels))
def test_plain_text_is_not_html_escaped_but_html_still_is(kind):
    """A name with &, ' and < reads as typed in the text part and the subject, and stays escaped in HTML."""
    context = {
        **SAMPLE,
        "name": AWKWARD,
        "question": {**QUESTION, "title": AWKWARD, "public_title": AWKWARD},
        "message": AWKWARD,
        "reason": AWKWARD,
        "comment": AWKWARD,
    }
    row = Notification.objects.create(
        kind=kind,
        channel=Channel.EMAIL,
        email="nguoi@example.vn",
        language="vi",
        context=context,
        idempotency_key=f"awkward:{kind}",
    )
    message = build_email(row)
    html = message.alternatives[0][0]
    for text in (message.body, message.subject, render_title(row, "vi")):
        assert "&amp;" not in text and "&#x27;" not in text and "&lt;" not in text and "&#39;" not in text
    if AWKWARD in html or "Ánh &amp; Cộng sự" in html:
        assert AWKWARD not in html  # escaped there
    shown = [part for part in (message.body, message.subject) if "Ánh" in part]
    for part in shown:
        assert AWKWARD in part


def test_account_emails_text_part_is_not_escaped(settings, django_capture_on_commit_callbacks):
    from accounts.emails import queue_verification

    user = UserFactory(email="a@example.vn", full_name=AWKWARD, language="vi", email_verified=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        queue_verification(user)
    (message,) = mail.outbox
    assert AWKWARD in message.body and "&amp;" in message.alternatives[0][0]
    assert f"{settings.SITE_URL}/accounts/verify/" in message.body  # the link is made when the e-mail is sent
