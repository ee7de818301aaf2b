"""Celery tasks of the notifications app: thin wrappers around services.

Delivery tasks take a row id and are safe to run twice (the claim in the service
makes the second a no-op), hence acks_late: a task lost with its worker is run
again rather than dropped. Attempts are counted on the row, not by Celery, so a
re-dispatch by the sweep does not reset them.

Run eagerly (the embedded run, tests), a task makes one attempt and leaves a
failed row pending with its back-off for the sweep: retrying inline would hold
the web request that triggered it.
"""

from celery import shared_task

from . import services


@shared_task(bind=True, name="notifications.send_email", acks_late=True, max_retries=None, ignore_result=True)
def send_email(self, notification_id: int) -> str:
    outcome = services.email_deliver(notification_id=notification_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state


@shared_task(bind=True, name="notifications.push_in_app", acks_late=True, max_retries=None, ignore_result=True)
def push_in_app(self, notification_id: int) -> str:
    outcome = services.in_app_deliver(notification_id=notification_id)
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state


@shared_task(name="notifications.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict:
    return services.outbox_sweep()


@shared_task(name="notifications.send_digests", ignore_result=True)
def send_digests() -> int:
    return services.digests_send()
