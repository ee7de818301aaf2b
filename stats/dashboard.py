"""The staff dashboard's figures: per agency, the work now and this month's handling time.

A fixed number of grouped queries whatever the number of agencies (each on the
question table's (agency, queue_tab, deadline) indexes, or on the daily rows).
Site administrators see every active agency; other officials the agencies they
hold a role in.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts import permissions
from accounts.collation import sorted_vi
from accounts.models import Agency
from qa import deadlines
from qa.models import Question, QuestionEvent, QuestionStatus

from .models import DailyDuration
from .selectors import percentile

SOON_WORKING_DAYS = 3
RETURNED_WITHIN_DAYS = 30
RUNNING = ("submitted", *sorted(deadlines.ANSWER_CLOCK_STATUSES))


@dataclass
class AgencyDashboard:
    agency: Agency
    workload: list[dict] = field(default_factory=list)  # {"user_id", "name", "count"} in work per assignee
    unassigned: int = 0
    due_soon: int = 0
    overdue: int = 0
    returned: int = 0
    waiting: int = 0
    median_days: int | None = None
    answered_this_month: int = 0
    rising: list[dict] = field(default_factory=list)  # {"item": RisingItem, "questions": [(reference, title)]}


def dashboard_agencies(user) -> list[Agency]:
    if user.is_staff:
        return sorted_vi(Agency.objects.filter(is_active=True))
    ids = permissions.agency_ids_for(user)
    return sorted_vi(Agency.objects.filter(pk__in=ids, is_active=True))


def staff_dashboard(user, *, today: datetime.date | None = None) -> list[AgencyDashboard]:
    today = today or timezone.localdate()
    agencies = dashboard_agencies(user)
    boards = {a.pk: AgencyDashboard(a) for a in agencies}
    if not boards:
        return []
    ids = sorted(boards)
    soon_limit = deadlines.add_working_days(today, SOON_WORKING_DAYS)
    running = Q(status__in=RUNNING)
    for row in (
        Question.objects.filter(agency_id__in=ids)
        .values("agency_id")
        .annotate(
            overdue=Count("pk", filter=running & Q(deadline__lt=today)),
            due_soon=Count("pk", filter=running & Q(deadline__gte=today, deadline__lte=soon_limit)),
            waiting=Count("pk", filter=Q(status=QuestionStatus.INFORMATION_REQUESTED)),
        )
        .order_by()
    ):
        board = boards[row["agency_id"]]
        board.overdue, board.due_soon, board.waiting = row["overdue"], row["due_soon"], row["waiting"]
    for agency_id, user_id, full_name, email, count in (
        Question.objects.filter(agency_id__in=ids, queue_tab="in_progress")
        .values_list("agency_id", "assignee_id", "assignee__full_name", "assignee__email")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        if user_id is None:
            boards[agency_id].unassigned = count
        else:
            boards[agency_id].workload.append({"user_id": user_id, "name": full_name or email, "count": count})
    for board in boards.values():
        board.workload.sort(key=lambda w: (-w["count"], w["name"]))
    since = timezone.now() - datetime.timedelta(days=RETURNED_WITHIN_DAYS)
    returned = (
        QuestionEvent.objects.filter(
            action="return", created_at__gte=since, question__agency_id__in=ids, question__status="accepted"
        )
        .values_list("question__agency_id")
        .annotate(n=Count("question_id", distinct=True))
        .order_by()
    )
    for agency_id, count in returned:
        boards[agency_id].returned = count
    histograms: dict[int, dict[int, int]] = defaultdict(dict)
    for agency_id, days, count in (
        DailyDuration.objects.filter(agency_id__in=ids, day__gte=today.replace(day=1), day__lte=today)
        .values_list("agency_id", "working_days")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        histograms[agency_id][days] = count
    for agency_id, histogram in histograms.items():
        boards[agency_id].median_days = percentile(histogram, 0.5)
        boards[agency_id].answered_this_month = sum(histogram.values())
    from .rising import latest, with_questions

    for entry in with_questions(latest(public=False, agency_ids=ids), public=False):
        boards[entry["item"].agency_id].rising.append(entry)
    return [boards[a.pk] for a in agencies]
