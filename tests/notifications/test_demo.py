"""The demo leaves no e-mail about its made-up history waiting in the outbox."""

import pytest
from django.core.management import call_command

from notifications.models import Channel, Notification, Status

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_demo_history_emails_are_settled_and_in_app_ones_kept(capsys):
    call_command("load_demo")
    emails = Notification.objects.filter(channel=Channel.EMAIL)
    assert emails.exists()
    assert not emails.filter(status__in=[Status.PENDING, Status.HELD, Status.SENDING]).exists()
    assert Notification.objects.filter(channel=Channel.IN_APP, read_at__isnull=True).exists()
    assert "marked as done" in capsys.readouterr().out
