"""Demo data of the notifications app: settle the outbox rows the demo history queued.

The other apps' demo modules build their history through the real services, which
queue e-mails for events that "already happened" to fictional people. load_demo
drops their on-commit dispatches; this module (last in INSTALLED_APPS order) marks
those e-mail rows as done so the beat sweep never sends them either. In-app rows are
kept as history, but only each account's few newest stay unread: a demo staff member
sees a realistic bell (UNREAD_KEPT), not dozens of "new" items about an invented past.
"""

from django.db.models import Q
from django.utils import timezone

from accounts.demo import DEMO_EMAIL_DOMAIN

from .models import Channel, Notification, Status

UNREAD_KEPT = 3


def load(stdout) -> None:
    suffix = f"@{DEMO_EMAIL_DOMAIN}"
    settled = Notification.objects.filter(
        Q(email__endswith=suffix) | Q(recipient__email__endswith=suffix),
        channel=Channel.EMAIL,
        status__in=[Status.PENDING, Status.HELD],
    ).update(status=Status.SENT, sent_at=timezone.now(), last_error="demo history: not sent")
    if settled:
        stdout.write(f"Notifications: {settled} e-mails of the demo history marked as done (never sent).")

    read = _settle_in_app(suffix)
    if read:
        stdout.write(f"Notifications: {read} in-app items of the demo history marked as read.")


def _settle_in_app(suffix: str) -> int:
    """Mark read all but each demo account's UNREAD_KEPT newest unread in-app items; returns how many."""
    unread = Notification.objects.filter(
        channel=Channel.IN_APP, read_at__isnull=True, recipient__email__endswith=suffix
    ).order_by("recipient_id", "-created_at", "-id")
    seen: dict[int, int] = {}
    stale = []
    for pk, user_id in unread.values_list("pk", "recipient_id"):
        seen[user_id] = seen.get(user_id, 0) + 1
        if seen[user_id] > UNREAD_KEPT:
            stale.append(pk)
    return Notification.objects.filter(pk__in=stale).update(read_at=timezone.now()) if stale else 0
