"""Celery tasks of the notifications app: thin wrappers around services.

Delivery tasks take a row id and are safe to run twice (the claim in the service
makes the second a no-op), hence acks_late: a task lost with its worker is run
again rather than dropped. Attempts are counted on the row, not by Celery, so a
re-dispatch by the sweep does not reset them.

Run eagerly (the embedded run, tests), a task makes one attempt and leaves a
failed row pending with its back-off for the sweep: retrying inline would hold
the web request that triggered it.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import connection

from . import services
from .metrics import DELIVERIES

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="notifications.send_email", acks_late=True, max_retries=None, ignore_result=True)
def send_email(self, notification_id: int) -> str:
    outcome = services.email_deliver(notification_id=notification_id)
    DELIVERIES.labels("email", outcome.state).inc()
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state


@shared_task(bind=True, name="notifications.send_sms", acks_late=True, max_retries=None, ignore_result=True)
def send_sms(self, notification_id: int) -> str:
    outcome = services.sms_deliver(notification_id=notification_id)
    DELIVERIES.labels("sms", outcome.state).inc()
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state


@shared_task(bind=True, name="notifications.push_in_app", acks_late=True, max_retries=None, ignore_result=True)
def push_in_app(self, notification_id: int) -> str:
    outcome = services.in_app_deliver(notification_id=notification_id)
    DELIVERIES.labels("in_app", outcome.state).inc()
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.state


@shared_task(name="notifications.sweep_outbox", ignore_result=True)
def sweep_outbox() -> dict:
    return services.outbox_sweep()


@shared_task(name="notifications.send_digests", ignore_result=True)
def send_digests() -> int:
    return services.digests_send()


@worker_ready.connect(dispatch_uid="notifications.release_dead_claims")
def release_dead_claims(**kwargs) -> None:
    """A worker starting on a host takes back the rows its dead predecessor there was sending.

    Runs once in the worker's main process, after its pool started; the database
    connection is closed again so the main process holds none while it idles.
    """
    try:
        services.dead_claims_release()
    except Exception:  # a database that is down now must not stop the worker: the sweep does it later
        logger.exception("Could not release the claims of stopped workers at start.")
    finally:
        if not connection.in_atomic_block:
            connection.close()
