"""notify(): outbox rows in the caller's transaction, preferences, opt-outs, idempotency keys."""

import pytest
from django.core import mail
from django.db import transaction

from notifications.models import Channel, EmailOptOut, Notification, NotificationPreference, Status
from notifications.services import Recipient, notify
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

CONTEXT = {"question": {"reference": "HP-STNMT-2026-000001", "title": "Hỏi về đất"}, "url": "/questions/x/"}


def test_rows_are_written_in_the_callers_transaction_and_sent_after_commit(django_capture_on_commit_callbacks):
    user = UserFactory(language="vi")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        rows = notify(kind="qa.published", recipients=[user], context=CONTEXT, idempotency_key="evt-1")
        # Inside the transaction: rows exist, nothing is sent yet.
        assert {r.channel: r.status for r in rows} == {Channel.EMAIL: Status.PENDING, Channel.IN_APP: Status.PENDING}
        assert mail.outbox == []
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENT}


def test_rollback_leaves_no_rows_and_sends_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(kind="qa.published", recipients=[user], context=CONTEXT, idempotency_key="evt-rollback")
        raise RuntimeError("the caller's service failed after notifying")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_same_idempotency_key_adds_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(kind="qa.published", recipients=[user], context=CONTEXT, idempotency_key="evt-2")
    with django_capture_on_commit_callbacks(execute=True):
        second = notify(kind="qa.published", recipients=[user], context=CONTEXT, idempotency_key="evt-2")
    assert sorted(r.pk for r in first) == sorted(r.pk for r in second)
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 1


def test_without_a_key_each_call_is_a_new_message():
    user = UserFactory()
    notify(kind="qa.published", recipients=[user], context=CONTEXT, channels=[Channel.EMAIL])
    notify(kind="qa.published", recipients=[user], context=CONTEXT, channels=[Channel.EMAIL])
    assert Notification.objects.count() == 2


def test_guest_rows_keep_address_and_language_and_get_no_in_app_row():
    rows = notify(
        kind="qa.received",
        recipients=[Recipient(email=" Khach@Example.VN ", language="en")],
        context=CONTEXT,
        idempotency_key="evt-guest",
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row.channel, row.recipient_id, row.email, row.language) == (Channel.EMAIL, None, "khach@example.vn", "en")


def test_unknown_language_falls_back_to_vietnamese():
    (row,) = notify(kind="qa.received", recipients=[Recipient(email="a@example.vn", language="fr")], context={})
    assert row.language == "vi"


def test_inactive_users_and_duplicate_recipients_are_skipped():
    active, inactive = UserFactory(), UserFactory(is_active=False)
    rows = notify(
        kind="qa.staff_assigned",
        recipients=[active, active, inactive],
        context=CONTEXT,
        channels=[Channel.EMAIL],
        idempotency_key="evt-3",
    )
    assert [r.recipient_id for r in rows] == [active.pk]


def test_preferences_switch_channels_off_per_kind():
    user = UserFactory()
    NotificationPreference.objects.create(user=user, kind="qa.staff_assigned", email_enabled=False)
    NotificationPreference.objects.create(user=user, kind="qa.staff_new_question", in_app_enabled=False)
    assigned = notify(kind="qa.staff_assigned", recipients=[user], context=CONTEXT, idempotency_key="a")
    new = notify(kind="qa.staff_new_question", recipients=[user], context=CONTEXT, idempotency_key="b")
    assert [r.channel for r in assigned] == [Channel.IN_APP]
    assert [r.channel for r in new] == [Channel.EMAIL]


def test_transactional_email_ignores_an_email_opt_out_but_in_app_follows_it():
    user = UserFactory()
    NotificationPreference.objects.create(user=user, kind="qa.answered", email_enabled=False, in_app_enabled=False)
    rows = notify(kind="qa.answered", recipients=[user], context=CONTEXT, idempotency_key="c")
    assert [r.channel for r in rows] == [Channel.EMAIL]


def test_guest_opt_out_applies_to_that_kind_only():
    EmailOptOut.objects.create(email="khach@example.vn", kind="qa.published")
    guest = Recipient(email="khach@example.vn", language="vi")
    assert notify(kind="qa.published", recipients=[guest], context=CONTEXT) == []
    assert len(notify(kind="qa.rate_answer", recipients=[guest], context=CONTEXT)) == 1
    # A receipt is transactional: an opt-out cannot stop it.
    assert len(notify(kind="qa.received", recipients=[guest], context=CONTEXT)) == 1


def test_digest_preference_holds_the_email(django_capture_on_commit_callbacks):
    user = UserFactory()
    NotificationPreference.objects.create(user=user, kind="qa.staff_new_question", email_digest=True)
    with django_capture_on_commit_callbacks(execute=True):
        rows = notify(kind="qa.staff_new_question", recipients=[user], context=CONTEXT, idempotency_key="d")
    assert {r.channel: r.status for r in rows} == {Channel.EMAIL: Status.HELD, Channel.IN_APP: Status.PENDING}
    assert mail.outbox == []


def test_long_keys_stay_unique_within_the_column():
    user = UserFactory()
    base = "x" * 300
    rows = notify(kind="qa.published", recipients=[user], context=CONTEXT, idempotency_key=base)
    keys = {r.idempotency_key for r in rows}
    assert len(keys) == 2
    assert all(len(k) <= 255 for k in keys)


def test_bad_recipient_or_channel_is_a_programming_error():
    with pytest.raises(TypeError):
        notify(kind="qa.published", recipients=["someone@example.vn"], context={})
    with pytest.raises(ValueError, match="Unknown channel"):
        notify(kind="qa.published", recipients=[], context={}, channels=["fax"])
