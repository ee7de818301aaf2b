"""Beat job of the dialogues app: subscribers are reminded once, about an hour before the start."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from dialogues import tasks as dialogue_tasks
from dialogues.models import DialogueSession, Subscription
from notifications.models import Channel, Notification
from tests.factories import AgencyFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime.datetime(2026, 3, 10, 8, 35, tzinfo=HCM)


def _session(starts: datetime.datetime, title: str) -> DialogueSession:
    return DialogueSession.objects.create(
        agency=AgencyFactory(),
        title=title,
        scheduled_start=starts,
        scheduled_end=starts + datetime.timedelta(hours=2),
    )


def test_subscribers_get_one_reminder_within_the_hour(django_capture_on_commit_callbacks):
    soon = _session(datetime.datetime(2026, 3, 10, 9, 30, tzinfo=HCM), "Đối thoại về thuế đất")
    later = _session(datetime.datetime(2026, 3, 10, 14, 0, tzinfo=HCM), "Đối thoại buổi chiều")
    user = UserFactory(language="vi")
    Subscription.objects.create(session=soon, user=user)
    Subscription.objects.create(session=soon, email="khach@example.vn", language="en")
    Subscription.objects.create(session=later, email="muon@example.vn")

    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert dialogue_tasks.send_session_reminders.apply().get() == 2
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {user.email, "khach@example.vn"}
    guest = by_address["khach@example.vn"]
    assert guest.subject == "Starting in an hour: Đối thoại về thuế đất"
    assert "09:30, 10/03/2026" in guest.body  # one date format in every language (issue 18)
    assert f"/dialogues/{soon.pk}/" in guest.body
    assert "List-Unsubscribe" in guest.extra_headers
    assert "09:30, 10/03/2026" in by_address[user.email].body
    assert Notification.objects.filter(channel=Channel.IN_APP, recipient=user).count() == 1

    # The next beat run five minutes later sends nothing again.
    with (
        time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert dialogue_tasks.send_session_reminders.apply().get() == 0
    assert len(mail.outbox) == 2
