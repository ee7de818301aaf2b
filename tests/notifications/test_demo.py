"""The demo leaves no e-mail about its made-up history waiting in the outbox."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from notifications.demo import UNREAD_KEPT
from notifications.models import Channel, Notification, Status

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def test_demo_history_emails_are_settled_and_in_app_ones_kept(capsys):
    call_command("load_demo")
    emails = Notification.objects.filter(channel=Channel.EMAIL)
    assert emails.exists()
    assert not emails.filter(status__in=[Status.PENDING, Status.HELD, Status.SENDING]).exists()
    unread = Notification.objects.filter(channel=Channel.IN_APP, read_at__isnull=True)
    assert unread.exists()
    # A realistic bell, not a flood: each demo account keeps at most its few newest items unread.
    per_user = unread.values("recipient").annotate(n=Count("id")).values_list("n", flat=True)
    assert max(per_user) <= UNREAD_KEPT
    assert Notification.objects.filter(channel=Channel.IN_APP, read_at__isnull=False).exists()
    out = capsys.readouterr().out
    assert "marked as done" in out and "marked as read" in out
