"""Periodic reads and jobs of the workflow: which questions are due or overdue, and rating requests.

The "due soon" / "overdue" rules are the ones DeadlineClock applies to a single
question (qa.deadlines), expressed as querysets so a daily job reads every
agency's list in one query. Celery beat schedules the callers (qa.tasks).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from . import deadlines, workflow
from .messaging import notify_asker
from .models import Question, QuestionEvent, QuestionStatus
from .status import RUNNING_CLOCK_STATUSES, sorted_statuses

S = QuestionStatus
RATING_REQUEST_AFTER_DAYS = 3
RATING_REQUEST_ACTION = "rate_request"


def running_clock_questions() -> QuerySet[Question]:
    """Questions whose clock runs (submitted: transfer; in work: answer; waiting for the asker: paused, left out),
    read by the stored `deadline`."""
    statuses = sorted_statuses(RUNNING_CLOCK_STATUSES)
    return (
        Question.objects.filter(status__in=statuses)
        .select_related("agency", "assignee")
        .order_by("deadline", "reference")
    )


def questions_due_tomorrow(*, today: datetime.date | None = None) -> QuerySet[Question]:
    """Due after today and by the next working day (on a Friday that includes Monday's)."""
    clock = deadlines.DeadlineClock.for_today(today)
    return running_clock_questions().filter(deadline__gt=clock.today, deadline__lte=clock.next_working_day)


def questions_overdue(*, today: datetime.date | None = None) -> QuerySet[Question]:
    clock = deadlines.DeadlineClock.for_today(today)
    return running_clock_questions().filter(deadline__lt=clock.today)


@dataclass
class AgencyDeadlines:
    agency_id: int
    due_tomorrow: list[Question] = field(default_factory=list)
    overdue: list[Question] = field(default_factory=list)


def deadlines_by_agency(*, today: datetime.date | None = None) -> dict[int, AgencyDeadlines]:
    """{agency id: its questions due tomorrow and overdue}, in two queries whatever the number of agencies."""
    result: dict[int, AgencyDeadlines] = defaultdict(lambda: AgencyDeadlines(agency_id=0))
    for name, queryset in (
        ("due_tomorrow", questions_due_tomorrow(today=today)),
        ("overdue", questions_overdue(today=today)),
    ):
        for question in queryset:
            entry = result[question.agency_id]
            entry.agency_id = question.agency_id
            getattr(entry, name).append(question)
    return dict(result)


def questions_awaiting_rating(*, now: datetime.datetime | None = None) -> QuerySet[Question]:
    """Answered some days ago, not rated, and not yet asked to rate (one request per question, ever)."""
    now = now or timezone.now()
    asked = QuestionEvent.objects.filter(action=RATING_REQUEST_ACTION).values("question_id")
    return (
        Question.objects.filter(
            status__in=(S.ANSWERED, S.PUBLISHED),
            rated_at__isnull=True,
            answered_at__lte=now - datetime.timedelta(days=RATING_REQUEST_AFTER_DAYS),
        )
        .exclude(Q(pk__in=asked))
        .select_related("agency", "topic", "asker")
        .order_by("answered_at")
    )


def rating_requests_send(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Ask askers to rate answers they got a few days ago; each question is asked once (an event marks it)."""
    sent = 0
    for question in questions_awaiting_rating(now=now)[:limit]:
        with transaction.atomic():
            workflow.record_event(question, RATING_REQUEST_ACTION, is_public=False)
            notify_asker(question, "rate_answer")
        sent += 1
    return sent
