"""SMS channel: rendering, the HTTP gateway backend against a local fake gateway, once-only delivery."""

import base64
import json

import pytest
from django.contrib.admin.sites import site
from django.test import RequestFactory

from notifications import services, sms, tasks
from notifications.admin import NotificationAdmin
from notifications.kinds import KINDS
from notifications.models import Channel, Notification, Status
from notifications.services import Recipient, notify
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

CONTEXT = {
    "question": {"reference": "HP-STNMT-2026-000007", "title": "Hỏi về đất", "agency": {"name": "Sở Tư pháp"}},
    "url": "http://127.0.0.1:8000/track/HP-STNMT-2026-000007/?token=abc",
    "short_url": "http://127.0.0.1:8000/s/Ab3dE9xK/",
}


def _pending_sms(key: str = "evt", kind: str = "qa.answered", context: dict | None = None) -> Notification:
    (row,) = notify(
        kind=kind,
        recipients=[Recipient(phone="+84912345678", language="vi")],
        context=context or CONTEXT,
        idempotency_key=key,
    )
    return row


def test_a_guest_with_a_phone_gets_an_sms_row_only_for_kinds_with_the_sms_channel():
    (row,) = notify(
        kind="qa.answered", recipients=[Recipient(phone="+84912345678")], context=CONTEXT, idempotency_key="a"
    )
    assert (row.channel, row.phone, row.email, row.status) == (Channel.SMS, "+84912345678", "", Status.PENDING)
    assert row.address == "+84912345678"
    assert notify(kind="qa.published", recipients=[Recipient(phone="+84912345678")], context={}) == []
    # Both an address and a number: one row per channel; repeated event: nothing new.
    rows = notify(
        kind="qa.received",
        recipients=[Recipient(email="a@example.vn", phone="+84912345678")],
        context=CONTEXT,
        idempotency_key="b",
    )
    assert sorted(row.channel for row in rows) == [Channel.EMAIL, Channel.SMS]
    again = notify(
        kind="qa.received",
        recipients=[Recipient(email="a@example.vn", phone="+84912345678")],
        context=CONTEXT,
        idempotency_key="b",
    )
    assert sorted(row.pk for row in again) == sorted(row.pk for row in rows)
    assert Notification.objects.count() == 3


def test_users_get_no_sms_rows():
    user = UserFactory(phone="0912345678")
    rows = notify(kind="qa.answered", recipients=[user], context=CONTEXT, idempotency_key="u")
    assert {row.channel for row in rows} == {Channel.EMAIL, Channel.IN_APP}


def test_the_text_is_short_folded_and_carries_the_short_link(settings):
    row = _pending_sms()
    text = sms.render_sms_text(row)
    assert text == "Cau hoi HP-STNMT-2026-000007 da duoc tra loi. Xem cau tra loi: http://127.0.0.1:8000/s/Ab3dE9xK/"
    settings.SMS_FOLD_DIACRITICS = False
    assert sms.render_sms_text(row).startswith("Câu hỏi HP-STNMT-2026-000007 đã được trả lời.")
    settings.SMS_MAX_LENGTH = 40
    short = sms.render_sms_text(row)
    assert len(short) <= 40 and short.endswith("...")


def test_fold_diacritics_covers_every_vietnamese_letter():
    assert sms.fold_diacritics("Đường Trần Hưng Đạo, Ưu tiên, ỹ Ỵ ơ") == "Duong Tran Hung Dao, Uu tien, y Y o"


def test_a_one_time_code_is_derived_while_rendering_and_never_stored(sms_outbox):
    row = _pending_sms(
        kind="qa.confirm_phone", context={"question": CONTEXT["question"], "otp_nonce": "n1", "minutes": 10}
    )
    code = sms.otp_code("n1")
    assert len(code) == 6 and code.isdigit()
    assert code not in json.dumps(Notification.objects.get(pk=row.pk).context)
    assert tasks.send_sms.apply(args=(row.pk,)).get() == "sent"
    assert f"la {code}" in sms_outbox[0].text
    assert "10 phut" in sms_outbox[0].text


def test_http_gateway_delivers_once_with_the_configured_body(sms_gateway):
    row = _pending_sms()
    assert tasks.send_sms.apply(args=(row.pk,)).get() == "sent"
    assert tasks.send_sms.apply(args=(row.pk,)).get() == "skipped"
    assert len(sms_gateway.requests) == 1
    request = sms_gateway.requests[0]
    assert request["json"]["to"] == "84912345678"
    assert request["json"]["from"] == "HAIPHONG"
    assert request["json"]["text"].startswith("Cau hoi HP-STNMT-2026-000007")
    assert request["json"]["request_id"].startswith(f"n{row.pk}-")
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"hoidap:secret-pass").decode()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)


def test_a_custom_body_template_and_phone_format(sms_gateway, settings):
    settings.SMS_GATEWAY_BODY = json.dumps(
        {"u": "$username", "p": "$password", "Brandname": "$brandname", "msisdn": "$phone", "content": "$message"}
    )
    settings.SMS_GATEWAY_PHONE_FORMAT = "0"
    row = _pending_sms()
    tasks.send_sms.apply(args=(row.pk,))
    body = sms_gateway.delivered[0]
    assert body["msisdn"] == "0912345678"
    assert (body["u"], body["p"], body["Brandname"]) == ("hoidap", "secret-pass", "HAIPHONG")


def test_gateway_errors_are_retried_with_backoff_then_sent(sms_gateway, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 5
    settings.NOTIFICATIONS_RETRY_BASE_DELAY = 30
    sms_gateway.script = [503, 500]
    row = _pending_sms()
    outcome = services.sms_deliver(notification_id=row.pk)
    assert outcome.state == "retry" and 27 <= outcome.retry_in <= 33
    row.refresh_from_db()
    assert row.status == Status.PENDING and "503" in row.last_error and row.next_attempt_at > row.created_at
    outcome = services.sms_deliver(notification_id=row.pk)
    assert outcome.state == "retry" and 54 <= outcome.retry_in <= 66
    assert services.sms_deliver(notification_id=row.pk).state == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
    assert len(sms_gateway.delivered) == 1


def test_a_gateway_timeout_is_a_temporary_failure(sms_gateway, settings):
    settings.SMS_GATEWAY_TIMEOUT = 0.3
    sms_gateway.delay = 1.0
    row = _pending_sms()
    assert services.sms_deliver(notification_id=row.pk).state == "retry"
    row.refresh_from_db()
    assert row.status == Status.PENDING and "SmsTemporaryError" in row.last_error


def test_an_unreachable_gateway_is_a_temporary_failure(settings):
    settings.SMS_BACKEND = "notifications.sms.HttpGatewaySmsBackend"
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"  # discard port: nothing listens
    settings.SMS_GATEWAY_TIMEOUT = 1
    row = _pending_sms()
    assert services.sms_deliver(notification_id=row.pk).state == "retry"


def test_a_refused_message_fails_at_once_and_admins_can_see_and_resend_it(sms_gateway, admin_user):
    sms_gateway.script = [400]
    row = _pending_sms()
    assert tasks.send_sms.apply(args=(row.pk,)).get() == "failed"
    row.refresh_from_db()
    assert row.status == Status.FAILED and "400" in row.last_error and row.attempts == 1
    request = RequestFactory().get("/admin/notifications/notification/", {"status__exact": "failed"})
    request.user = admin_user
    changelist = NotificationAdmin(Notification, site).get_changelist_instance(request)
    assert [item.pk for item in changelist.get_queryset(request)] == [row.pk]
    # Re-sent from the admin: the gateway accepts it this time; the sent row is never sent again.
    assert services.notifications_resend(ids=[row.pk]) == 1
    assert tasks.send_sms.apply(args=(row.pk,)).get() == "sent"
    assert services.notifications_resend(ids=[row.pk]) == 0
    assert len(sms_gateway.delivered) == 1


def test_a_200_with_an_error_code_in_the_body_is_a_refusal(sms_gateway, settings):
    settings.SMS_GATEWAY_SUCCESS_FIELD = "code"
    sms_gateway.reply = {"code": "-14", "message": "Brandname not registered"}
    row = _pending_sms()
    assert services.sms_deliver(notification_id=row.pk).state == "failed"
    row.refresh_from_db()
    assert "Brandname not registered" in row.last_error
    sms_gateway.reply = {"code": "0"}
    assert services.sms_deliver(notification_id=_pending_sms("other").pk).state == "sent"


def test_after_the_last_attempt_the_row_is_failed(sms_gateway, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    sms_gateway.default = 502
    row = _pending_sms()
    states = [tasks.send_sms.apply(args=(row.pk,)).get() for _attempt in range(4)]
    assert states == ["retry", "retry", "failed", "skipped"]


def test_the_sweep_redispatches_a_missed_sms_once(sms_gateway, settings):
    settings.NOTIFICATIONS_SWEEP_GRACE = 0
    row = _pending_sms()
    services.outbox_sweep()
    services.outbox_sweep()
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(sms_gateway.requests) == 1


def test_the_console_backend_prints_the_message_readably(settings, capsys):
    settings.SMS_BACKEND = "notifications.sms.ConsoleSmsBackend"
    row = _pending_sms()
    tasks.send_sms.apply(args=(row.pk,))
    out = capsys.readouterr().out
    assert "SMS to +84912345678" in out
    assert "Cau hoi HP-STNMT-2026-000007 da duoc tra loi" in out


def test_logs_mask_the_number(sms_gateway, caplog):
    row = _pending_sms()
    with caplog.at_level("INFO", logger="notifications.services"):
        tasks.send_sms.apply(args=(row.pk,))
    assert "+84912***678" in caplog.text
    assert "+84912345678" not in caplog.text


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("kind", sorted(code for code, spec in KINDS.items() if Channel.SMS in spec.channels))
def test_every_sms_kind_renders_a_short_text_with_its_link(kind, language, settings):
    settings.SMS_FOLD_DIACRITICS = False
    context = {
        **CONTEXT,
        "otp_nonce": "n",
        "minutes": 10,
        "links": [[CONTEXT["question"], CONTEXT["url"], CONTEXT["short_url"]]],
        "valid_days": 7,
        # orgchanges.questions_moved: the asker's moved questions and their new agency.
        "questions": [CONTEXT["question"]],
        "to_agency": "Sở Nông nghiệp và Môi trường",
    }
    row = Notification.objects.create(
        kind=kind, channel=Channel.SMS, phone="+84912345678", language=language, context=context, idempotency_key=kind
    )
    text = sms.render_sms_text(row)
    assert "{" not in text and "%(" not in text
    if kind.startswith(("qa.", "orgchanges.")):
        assert "HP-STNMT-2026-000007" in text
    else:
        assert sms.otp_code("n") in text
    assert len(text) <= 160
    if kind.endswith("erasure_confirm"):
        assert CONTEXT["url"] in text and "7" in text  # its own confirmation link, not the tracking page's
    elif not kind.endswith("confirm_phone"):
        assert CONTEXT["short_url"] in text
    if language == "vi":
        assert "Question" not in text
