"""Registered users who confirm a mobile number may choose SMS for the kinds that have the SMS channel."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from core.errors import RateLimited
from notifications import services
from notifications.models import Channel, Notification, NotificationPreference, SmsNumber
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

CONTEXT = {"question": {"reference": "HP-STP-2026-000123", "agency": {"name": "Sở Tư pháp"}}, "url": "/t/"}


def _code(outbox) -> str:
    return re.search(r"(?<![-\d])(\d{6})(?![-\d])", outbox[-1].text).group(1)


def _confirmed_user(sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.sms_number_request(user=user, phone="0912 345 678", client_ip="203.0.113.5")
    services.sms_number_confirm(user=user, code=_code(sms_outbox))
    return user


def test_a_number_is_confirmed_with_a_code_that_is_never_stored(sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        record = services.sms_number_request(user=user, phone="+84 912.345.678")
    assert record.phone == "+84912345678" and record.verified_at is None
    assert sms_outbox[-1].to == "+84912345678"
    code = _code(sms_outbox)
    record.refresh_from_db()
    assert code not in record.code_hash
    assert code not in str(Notification.objects.get(kind="notifications.confirm_phone").context)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(Exception, match="code"):
        services.sms_number_confirm(user=user, code=wrong)
    assert SmsNumber.objects.get(user=user).code_attempts == 1
    assert services.sms_number_confirm(user=user, code=code).verified_at is not None


def test_a_landline_or_garbage_is_refused(sms_outbox):
    with pytest.raises(Exception) as refused:
        services.sms_number_request(user=UserFactory(), phone="0225 3842 123")
    assert "phone" in refused.value.message_dict
    assert sms_outbox == []


def test_codes_are_limited_per_number(sms_outbox, settings):
    settings.QA_PHONE_CODE_RATE_PER_NUMBER = "2/h"
    user = UserFactory()
    services.sms_number_request(user=user, phone="0912345678")
    services.sms_number_request(user=user, phone="0912345678")
    with pytest.raises(RateLimited):
        services.sms_number_request(user=UserFactory(), phone="0912 345 678")


def test_sms_rows_only_for_users_who_chose_sms_and_confirmed_their_number(
    sms_outbox, django_capture_on_commit_callbacks
):
    user = _confirmed_user(sms_outbox, django_capture_on_commit_callbacks)
    other = UserFactory()
    # Confirmed but not chosen: no SMS.
    rows = notify(kind="qa.answered", recipients=[user, other], context=CONTEXT, idempotency_key="a")
    assert Channel.SMS not in {row.channel for row in rows}
    services.preference_set(user=user, kind="qa.answered", email_enabled=True, in_app_enabled=True, sms_enabled=True)
    services.preference_set(user=other, kind="qa.answered", email_enabled=True, in_app_enabled=True, sms_enabled=True)
    rows = notify(kind="qa.answered", recipients=[user, other], context=CONTEXT, idempotency_key="b")
    (sms_row,) = [row for row in rows if row.channel == Channel.SMS]
    assert (sms_row.recipient, sms_row.phone, sms_row.address) == (user, "+84912345678", "+84912345678")
    # A kind without the SMS channel cannot be switched to SMS.
    pref = services.preference_set(
        user=user, kind="qa.published", email_enabled=True, in_app_enabled=True, sms_enabled=True
    )
    assert pref.sms_enabled is False
    # The number removed: no SMS any more, the choice stays for a future number.
    services.sms_number_remove(user=user)
    rows = notify(kind="qa.answered", recipients=[user], context=CONTEXT, idempotency_key="c")
    assert Channel.SMS not in {row.channel for row in rows}
    assert NotificationPreference.objects.get(user=user, kind="qa.answered").sms_enabled


def test_unsubscribing_from_email_keeps_the_sms_choice(sms_outbox, django_capture_on_commit_callbacks):
    from notifications.tokens import make_unsubscribe_token

    user = _confirmed_user(sms_outbox, django_capture_on_commit_callbacks)
    services.preference_set(user=user, kind="qa.published", email_enabled=True, in_app_enabled=True)
    services.preference_set(user=user, kind="qa.answered", email_enabled=True, in_app_enabled=True, sms_enabled=True)
    token = make_unsubscribe_token(kind="qa.rate_answer", user_id=user.pk, email="")
    services.unsubscribe(token=token)
    assert NotificationPreference.objects.get(user=user, kind="qa.answered").sms_enabled


def test_the_settings_page_adds_confirms_and_offers_sms(sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    url = reverse("notifications:preferences")
    page = client.get(url).content.decode()
    assert 'name="qa.answered:sms"' not in page and "Send me a code" in page
    bad = client.post(reverse("notifications:sms_number"), {"action": "send", "phone": "12345"})
    assert bad.status_code == 400 and "Vietnamese mobile number" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(reverse("notifications:sms_number"), {"action": "send", "phone": "0912 345 678"})
    assert sent.status_code == 302
    assert "0912 *** 678" in client.get(url).content.decode()
    wrong = client.post(reverse("notifications:sms_number"), {"action": "confirm", "code": "12"})
    assert wrong.status_code == 400
    client.post(reverse("notifications:sms_number"), {"action": "confirm", "code": _code(sms_outbox)})
    page = client.get(url).content.decode()
    assert 'name="qa.answered:sms"' in page and 'name="qa.published:sms"' not in page
    client.post(url, {"qa.answered:email": "on", "qa.answered:in_app": "on", "qa.answered:sms": "on"})
    assert NotificationPreference.objects.get(user=user, kind="qa.answered").sms_enabled
    client.post(reverse("notifications:sms_number"), {"action": "remove"})
    assert not SmsNumber.objects.filter(user=user).exists()
    assert 'name="qa.answered:sms"' not in client.get(url).content.decode()
