"""Delivery: claimed once, retried with back-off, failed after the last attempt, swept when missed."""

import threading
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.core import mail
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone, translation

from notifications import services, tasks
from notifications.admin import NotificationAdmin
from notifications.models import Channel, Notification, Status
from notifications.services import Recipient, notify
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

CONTEXT = {"question": {"reference": "HP-STNMT-2026-000007", "title": "Hỏi về thuế"}, "url": "/x/"}


def _pending_email(key: str = "evt") -> Notification:
    """An e-mail row whose on-commit dispatch never ran (as when the broker was down)."""
    (row,) = notify(
        kind="qa.received",
        recipients=[Recipient(email="nguoihoi@example.vn", language="vi")],
        context=CONTEXT,
        idempotency_key=key,
    )
    return row


@pytest.mark.sqlite
def test_running_the_task_twice_sends_one_email():
    row = _pending_email()
    assert tasks.send_email.apply(args=(row.pk,)).get() == "sent"
    assert tasks.send_email.apply(args=(row.pk,)).get() == "skipped"
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.lease) == (Status.SENT, 1, None)
    assert row.sent_at is not None


@pytest.mark.sqlite
def test_a_task_for_a_deleted_row_exits_quietly():
    assert tasks.send_email.apply(args=(987654,)).get() == "skipped"
    assert tasks.push_in_app.apply(args=(987654,)).get() == "skipped"


@pytest.mark.sqlite
def test_a_task_for_the_other_channel_does_not_send():
    row = _pending_email()
    assert tasks.push_in_app.apply(args=(row.pk,)).get() == "skipped"
    row.refresh_from_db()
    assert row.status == Status.PENDING


@pytest.mark.sqlite
def test_transient_failures_are_retried_then_sent(flaky_mail, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 5
    flaky_mail.reset(fail_next=2)
    row = _pending_email()
    # Eager tasks make one attempt each; a worker's Celery retry (or the sweep) runs the next.
    for _attempt in range(3):
        tasks.send_email.apply(args=(row.pk,))
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 3, "")
    assert len(mail.outbox) == 1
    assert tasks.send_email.apply(args=(row.pk,)).get() == "skipped"


@pytest.mark.sqlite
def test_after_the_last_attempt_the_row_is_failed_with_its_error(flaky_mail, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 4
    flaky_mail.reset(fail_next=100)
    row = _pending_email()
    states = [tasks.send_email.apply(args=(row.pk,)).get() for _attempt in range(5)]
    assert states == ["retry", "retry", "retry", "failed", "skipped"]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 4)
    assert "SMTPServerDisconnected" in row.last_error
    assert mail.outbox == []
    # A failed row is not picked up again by the sweep either.
    assert services.outbox_sweep(now=timezone.now() + timedelta(hours=1))["dispatched"] == 0


@pytest.mark.sqlite
def test_a_failed_attempt_backs_off_exponentially(flaky_mail, settings):
    settings.NOTIFICATIONS_RETRY_BASE_DELAY = 30
    flaky_mail.reset(fail_next=100)
    row = _pending_email()
    delays = []
    for _attempt in range(3):
        before = timezone.now()
        outcome = services.email_deliver(notification_id=row.pk)
        row.refresh_from_db()
        assert row.status == Status.PENDING
        delays.append(outcome.retry_in)
        assert abs((row.next_attempt_at - before).total_seconds() - outcome.retry_in) < 2
    assert 27 <= delays[0] <= 33
    assert 54 <= delays[1] <= 66
    assert 108 <= delays[2] <= 132


@pytest.mark.sqlite
def test_a_missing_template_fails_at_once():
    (row,) = notify(
        kind="qa.no_such_kind", recipients=[Recipient(email="a@example.vn")], context={}, idempotency_key="nt"
    )
    tasks.send_email.apply(args=(row.pk,))
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "TemplateDoesNotExist" in row.last_error


@pytest.mark.sqlite
def test_sweep_redispatches_pending_rows_older_than_the_grace(settings):
    settings.NOTIFICATIONS_SWEEP_GRACE = 60
    old, fresh = _pending_email("old"), _pending_email("fresh")
    Notification.objects.filter(pk=old.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=5))
    result = services.outbox_sweep()
    assert result["dispatched"] == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == (Status.SENT, Status.PENDING)
    assert len(mail.outbox) == 1
    # The fresh one goes on a later sweep, still once.
    services.outbox_sweep(now=timezone.now() + timedelta(minutes=2))
    services.outbox_sweep(now=timezone.now() + timedelta(minutes=4))
    assert len(mail.outbox) == 2


@pytest.mark.sqlite
def test_sweep_leaves_rows_waiting_for_their_backoff(flaky_mail, settings):
    settings.NOTIFICATIONS_RETRY_BASE_DELAY = 600
    flaky_mail.reset(fail_next=1)
    row = _pending_email()
    services.email_deliver(notification_id=row.pk)  # fails, next attempt in ~10 minutes
    assert services.outbox_sweep(now=timezone.now() + timedelta(minutes=2))["dispatched"] == 0
    assert services.outbox_sweep(now=timezone.now() + timedelta(minutes=15))["dispatched"] == 1
    row.refresh_from_db()
    assert row.status == Status.SENT


@pytest.mark.sqlite
def test_sweep_reclaims_a_row_left_sending_by_a_dead_worker(settings):
    settings.NOTIFICATIONS_CLAIM_TIMEOUT = 300
    row = _pending_email()
    # A worker claimed it and died before sending.
    Notification.objects.filter(pk=row.pk).update(
        status=Status.SENDING, attempts=1, claimed_at=timezone.now() - timedelta(seconds=30)
    )
    assert services.outbox_sweep()["reclaimed"] == 0  # a live worker may still be on it
    assert mail.outbox == []
    result = services.outbox_sweep(now=timezone.now() + timedelta(seconds=400))
    assert (result["reclaimed"], result["dispatched"]) == (1, 1)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert len(mail.outbox) == 1


@pytest.mark.sqlite
def test_a_row_that_kept_losing_its_worker_ends_failed(settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    row = _pending_email()
    Notification.objects.filter(pk=row.pk).update(
        status=Status.SENDING, attempts=3, claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert services.outbox_sweep()["failed"] == 1
    row.refresh_from_db()
    assert row.status == Status.FAILED
    assert mail.outbox == []


@pytest.mark.sqlite
def test_admin_resend_action_sends_a_failed_row_again(flaky_mail, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    flaky_mail.reset(fail_next=2)
    failed = _pending_email("failed")
    tasks.send_email.apply(args=(failed.pk,))
    tasks.send_email.apply(args=(failed.pk,))
    sent = _pending_email("sent")
    tasks.send_email.apply(args=(sent.pk,))
    assert Notification.objects.get(pk=failed.pk).status == Status.FAILED
    assert len(mail.outbox) == 1

    admin_user = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().post("/admin/notifications/notification/")
    request.user = admin_user
    request._messages = _Messages()
    model_admin = NotificationAdmin(Notification, site)
    with django_capture_on_commit_callbacks(execute=True), translation.override("en"):
        model_admin.resend(request, Notification.objects.filter(pk__in=[failed.pk, sent.pk]))
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.SENT, 1)
    assert len(mail.outbox) == 2  # the sent one was not sent again
    assert any("skipped" in str(m) for m in request._messages.store)


class _Messages:
    def __init__(self):
        self.store = []

    def add(self, level, message, extra_tags=""):
        self.store.append(message)


@pytest.mark.sqlite
def test_in_app_push_marks_the_row_sent(settings):
    user = UserFactory()
    (row,) = notify(kind="qa.published", recipients=[user], context=CONTEXT, channels=[Channel.IN_APP])
    assert tasks.push_in_app.apply(args=(row.pk,)).get() == "sent"
    assert tasks.push_in_app.apply(args=(row.pk,)).get() == "skipped"
    row.refresh_from_db()
    assert row.status == Status.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_for_one_row_send_once(flaky_mail):
    """Two threads (own connections) run the same task at the same moment: one claim wins."""
    flaky_mail.reset(delay=0.3)
    # Written directly: notify() outside a transaction would dispatch (eagerly) at once.
    row = Notification.objects.create(
        kind="qa.received", channel=Channel.EMAIL, email="race@example.vn", context=CONTEXT, idempotency_key="race"
    )
    barrier = threading.Barrier(4)
    outcomes = []

    def worker():
        try:
            barrier.wait(timeout=10)
            outcomes.append(services.email_deliver(notification_id=row.pk).state)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["sent", "skipped", "skipped", "skipped"]
    assert len(flaky_mail.state["sent"]) == 1
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)
