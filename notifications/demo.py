"""Demo data of the notifications app: settle the outbox rows the demo history queued.

The other apps' demo modules build their history through the real services, which
queue e-mails for events that "already happened" to fictional people. load_demo
drops their on-commit dispatches; this module (last in INSTALLED_APPS order) marks
those e-mail rows as done so the beat sweep never sends them either. In-app rows are
kept: the demo staff accounts then show a realistic bell and list.
"""

from django.db.models import Q
from django.utils import timezone

from accounts.demo import DEMO_EMAIL_DOMAIN

from .models import Channel, Notification, Status


def load(stdout) -> None:
    suffix = f"@{DEMO_EMAIL_DOMAIN}"
    settled = Notification.objects.filter(
        Q(email__endswith=suffix) | Q(recipient__email__endswith=suffix),
        channel=Channel.EMAIL,
        status__in=[Status.PENDING, Status.HELD],
    ).update(status=Status.SENT, sent_at=timezone.now(), last_error="demo history: not sent")
    if settled:
        stdout.write(f"Notifications: {settled} e-mails of the demo history marked as done (never sent).")
