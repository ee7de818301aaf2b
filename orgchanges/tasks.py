"""Celery beat applies scheduled reorganisations on their date (Asia/Ho_Chi_Minh, CELERY_TIMEZONE)."""

from celery import shared_task

from .services import reorganisations_apply_due


@shared_task(name="orgchanges.apply_due")
def apply_due() -> list[int]:
    return reorganisations_apply_due()
