"""Celery tasks of the dialogues app: the "starts in an hour" reminder to subscribers (Celery beat)."""

from celery import shared_task
from django.conf import settings
from django.db import transaction

from notifications.services import Recipient, notify

from . import selectors, services


def session_reminders_send() -> int:
    """Remind every subscriber of a session starting within the hour, once; returns how many were reminded.

    Marking the subscription reminded and writing the outbox row happen in one
    transaction, so a crash between them can neither lose nor repeat a reminder.
    """
    count = 0
    for subscription in selectors.reminders_due():
        session = subscription.session
        url = f"{settings.SITE_URL}{session.get_absolute_url()}"
        with transaction.atomic():
            if not services.subscription_mark_reminded(subscription_id=subscription.pk):
                continue  # another beat run got there first
            recipient = (
                subscription.user
                if subscription.user_id
                else Recipient(email=subscription.email, language=subscription.language)
            )
            notify(
                kind="dialogues.session_reminder",
                recipients=[recipient],
                context={
                    "session": {
                        "id": session.pk,
                        "title": session.title,
                        "starts_at": session.scheduled_start.isoformat(),
                        "agency": session.agency.name,
                    },
                    "session_url": url,
                    "url": url,
                },
                idempotency_key=f"dialogues.session_reminder:{subscription.pk}",
            )
        count += 1
    return count


@shared_task(name="dialogues.send_session_reminders", ignore_result=True)
def send_session_reminders() -> int:
    return session_reminders_send()
