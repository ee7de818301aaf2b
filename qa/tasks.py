"""Celery tasks of the Q&A app. Messages themselves go through qa.messaging → notifications."""

import datetime
from collections import defaultdict

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from notifications.services import notify

from . import deadlines, periodic
from .models import Question

# Who is reminded about a question nobody was assigned to.
_UNASSIGNED_ROLES = (Membership.Role.MODERATOR, Membership.Role.ADMIN)


def _questions_by_recipient(questions: list[Question]) -> dict[int, list[Question]]:
    """The assignee, or the agency's moderators and admins when nobody is assigned."""
    unassigned_agencies = {q.agency_id for q in questions if q.assignee_id is None}
    keepers: dict[int, set[int]] = defaultdict(set)
    for agency_id, user_id in Membership.objects.filter(
        agency_id__in=unassigned_agencies, role__in=_UNASSIGNED_ROLES, user__is_active=True
    ).values_list("agency_id", "user_id"):
        keepers[agency_id].add(user_id)
    by_user: dict[int, list[Question]] = defaultdict(list)
    for question in questions:
        for user_id in [question.assignee_id] if question.assignee_id else sorted(keepers[question.agency_id]):
            by_user[user_id].append(question)
    return by_user


def _item(question: Question) -> dict:
    return {
        "reference": question.reference,
        "title": question.title,
        "agency": question.agency.name,
        "due_date": question.deadline.isoformat(),
        "url": f"{settings.SITE_URL}{reverse('staff:question', kwargs={'reference': question.reference})}",
    }


def deadline_reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Send each official one digest of their questions due by the next working day and one of overdue ones.

    Runs once a day on working days; keyed per user and day, so a second run the
    same day sends nothing new.
    """
    today = today or timezone.localdate()
    overrides = deadlines._calendar_overrides()
    if not deadlines.is_working_day(today, overrides):
        return {"due_tomorrow": 0, "overdue": 0}
    # Which questions count is the workflow's rule (qa.periodic); who hears about them is decided here.
    groups = {
        "due_tomorrow": list(periodic.questions_due_tomorrow(today=today)),
        "overdue": list(periodic.questions_overdue(today=today)),
    }
    queue = f"{settings.SITE_URL}{reverse('staff:queue')}"
    queue_url = {"due_tomorrow": f"{queue}?due=soon", "overdue": f"{queue}?due=overdue"}
    sent = {}
    for kind, questions in groups.items():
        by_user = _questions_by_recipient(questions)
        users = get_user_model().objects.in_bulk(list(by_user))
        for user_id, items in by_user.items():
            user = users.get(user_id)
            if user is None or not user.is_active:
                continue
            notify(
                kind=f"qa.staff_{kind}",
                recipients=[user],
                context={
                    "questions": [_item(q) for q in items],
                    "count": len(items),
                    "date": today.isoformat(),
                    "url": queue_url[kind],
                },
                idempotency_key=f"qa.staff_{kind}:{today.isoformat()}",
            )
        sent[kind] = len(by_user)
    return sent


@shared_task(name="qa.send_deadline_reminders", ignore_result=True)
def send_deadline_reminders() -> dict[str, int]:
    return deadline_reminders_send()


@shared_task(name="qa.send_rating_requests", ignore_result=True)
def send_rating_requests() -> int:
    """Ask askers to rate answers they received a few days ago (once per question; see qa.periodic)."""
    return periodic.rating_requests_send()


@shared_task(name="qa.erase_expired_contacts")
def erase_expired_contacts() -> int:
    """Nightly: erase the contact data of questions closed longer than QA_CONTACT_RETENTION_DAYS (idempotent)."""
    from .services import contacts_retention_sweep

    total = 0
    while True:  # in batches, each question in its own transaction
        erased = contacts_retention_sweep()
        total += erased
        if erased == 0:
            return total


@shared_task(name="qa.train_routing")
def train_routing() -> int | None:
    """Nightly: retrain the routing suggestion (qa.routing); the new version is used within 30 s everywhere."""
    from .routing import train

    model = train()
    return model.pk if model else None


@shared_task(name="qa.train_routing_if_due")
def train_routing_if_due() -> int | None:
    """Hourly: retrain once QA_ROUTING_RETRAIN_AFTER questions were answered since the current model."""
    from .routing import train_if_due

    model = train_if_due()
    return model.pk if model else None
