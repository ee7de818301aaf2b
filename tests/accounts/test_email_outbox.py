"""Account e-mails go through the notifications outbox (accounts/emails.py, core/outbox.py).

A broker that is down at sign-up neither fails the request nor loses the e-mail: the row waits in the
outbox, the sweep sends it once the broker is back, exactly once however often the sweep runs.
"""

import contextlib
import datetime
import re
import socket

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import User
from accounts.services import password_reset_request, user_register, user_send_verification, user_verify_email
from core import outbox
from notifications.models import Channel, Notification, Status
from notifications.services import outbox_sweep
from tests.celery_broker import publishing_to
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down():
    """Celery publishes to a port nobody listens on (a private one; the shared Redis is never touched).

    The fixture's value brings the test settings (eager tasks) back: the broker "returns".
    """
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        url = f"redis://127.0.0.1:{probe.getsockname()[1]}/0"
    with contextlib.ExitStack() as stack:
        stack.enter_context(publishing_to(url))
        yield stack.close


def _later():
    return timezone.now() + datetime.timedelta(minutes=10)


def test_registering_while_the_broker_is_down_sends_the_link_later_exactly_once(
    broker_down, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        user = user_register(email="moi@example.vn", password="mot-mat-khau-dai-123", full_name="Lê Văn Mới")
    assert User.objects.filter(pk=user.pk, email_verified=False).exists()
    (row,) = Notification.objects.filter(recipient=user, channel=Channel.EMAIL)
    assert (row.kind, row.status) == ("accounts.verify_email", Status.PENDING)
    assert mail.outbox == []

    broker_down()  # the broker is back (eager tasks, as in the test settings)
    for _sweep in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            outbox_sweep(now=_later())
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    (message,) = mail.outbox
    assert message.to == ["moi@example.vn"]
    token = re.search(r"/accounts/verify/([^/\s]+)/", message.body).group(1)
    assert user_verify_email(token=token) == (User.objects.get(pk=user.pk), True)


def test_the_rows_hold_no_link_the_links_are_made_when_sending(django_capture_on_commit_callbacks):
    citizen = UserFactory(email="co@example.vn", full_name="Trần Thị Có")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        password_reset_request(email="co@example.vn")
    (row,) = Notification.objects.filter(recipient=citizen, kind="accounts.password_reset")
    assert row.context == {}  # a reset token stored in the outbox would be a credential in the database
    (message,) = mail.outbox
    assert re.search(r"/accounts/password/reset/[^/\s]+/[^/\s]+/", message.body)
    row.refresh_from_db()
    assert row.status == Status.SENT


def test_a_repeated_sign_up_event_is_queued_once(django_capture_on_commit_callbacks):
    user = UserFactory(email="hai@example.vn", email_verified=False)
    from accounts.emails import queue_verification

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        queue_verification(user, idempotency_key="accounts.verify_email:test")
        queue_verification(user, idempotency_key="accounts.verify_email:test")
    assert Notification.objects.filter(recipient=user, kind="accounts.verify_email").count() == 1
    assert len(mail.outbox) == 1


def test_asking_again_sends_a_new_link(django_capture_on_commit_callbacks):
    UserFactory(email="ba@example.vn", email_verified=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        user_send_verification(email="ba@example.vn")
    assert len(mail.outbox) == 1


def test_without_an_outbox_the_service_fails_rather_than_losing_the_mail(monkeypatch):
    monkeypatch.setattr(outbox, "_queue", None)
    with pytest.raises(outbox.OutboxMissing):
        user_register(email="mat@example.vn", password="mot-mat-khau-dai-123", full_name="Vũ Văn Mất")
    assert not User.objects.filter(email="mat@example.vn").exists()
