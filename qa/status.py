"""What each question status means, in one table: everything else derives from it.

Adding a status is one choice in QuestionStatus and one row in STATUS_TABLE (plus its moves in
qa/workflow.py and the translation of its label): the staff queue's tabs, the deadline clocks, the
asker's explanation, open/closed and public/private, and the two generated columns of Question
(`queue_tab`, `deadline`) are read from here. Those columns follow the table without a migration:
their expressions deconstruct to a stable name (QueueTabCase, DeadlineCase) and qa.status_schema
rebuilds them on `migrate` when the database's expression differs from the table
(docs/architecture.md, "Add a new question status"). tests/qa/test_status.py fails when a status
is missing from the table or the database is out of step.

This module imports nothing from the app so that models, deadlines and views can all read it.
"""

import enum
from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class QuestionStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("Awaiting e-mail confirmation")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("In progress")
    INFORMATION_REQUESTED = "information_requested", _("Waiting for the asker")
    IN_REVIEW = "in_review", _("Awaiting review")
    APPROVED = "approved", _("Approved, ready to send")
    # Merged into a group: answered once, through the group's primary question (qa.services.groups).
    GROUPED = "grouped", _("Merged with similar questions")
    ANSWERED = "answered", _("Answered")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # Closed by sending the asker an answer already published in the archive (qa.services.groups).
    ANSWERED_BY_REFERENCE = "answered_by_reference", _("Answered by a published answer")


class Clock(enum.StrEnum):
    """Which legal clock runs in a status (qa.deadlines)."""

    TRANSFER = "transfer"  # running: accept or transfer within 5 working days (deadline = transfer_due_date)
    ANSWER = "answer"  # running: answer within the agency's working days (deadline = due_date)
    PAUSED = "paused"  # the answer clock waits for the asker (deadline = due_date, shown as paused)
    STOPPED = "stopped"  # no deadline


class QueueTab(enum.StrEnum):
    """The staff queue's tabs, in the panel's order (stored per question as Question.queue_tab)."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    REVIEW = "review"
    ANSWERED = "answered"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


TAB_LABELS: dict[str, Promise] = {
    QueueTab.NEW: _("New"),
    QueueTab.IN_PROGRESS: _("In progress"),
    QueueTab.WAITING: _("Waiting for the asker"),
    QueueTab.REVIEW: _("Awaiting review"),
    QueueTab.ANSWERED: _("Answered"),
    QueueTab.REJECTED: _("Rejected"),
    QueueTab.WITHDRAWN: _("Withdrawn"),
}


@dataclass(frozen=True)
class StatusInfo:
    """One status's meaning. `open`: work is still owed to the asker (they may withdraw; their contact data
    is needed); `public`: shown in the public archive; `tab`: the staff queue tab (None: in no tab);
    `clock`: the deadline clock; `explanation`: what it means for the asker, on the tracking page."""

    open: bool
    public: bool
    tab: QueueTab | None
    clock: Clock
    explanation: Promise | None  # None: the asker sees no explanation


S = QuestionStatus
STATUS_TABLE: dict[str, StatusInfo] = {
    S.UNVERIFIED: StatusInfo(open=False, public=False, tab=None, clock=Clock.STOPPED, explanation=None),
    S.SUBMITTED: StatusInfo(
        open=True,
        public=False,
        tab=QueueTab.NEW,
        clock=Clock.TRANSFER,
        explanation=_(
            "Your question has reached the agency. It will check it within 5 working days: "
            "take it into work, or forward it to the agency that is competent."
        ),
    ),
    S.ACCEPTED: StatusInfo(
        open=True,
        public=False,
        tab=QueueTab.IN_PROGRESS,
        clock=Clock.ANSWER,
        explanation=_("The agency has accepted your question and is preparing the answer."),
    ),
    S.INFORMATION_REQUESTED: StatusInfo(
        open=True,
        public=False,
        tab=QueueTab.WAITING,
        clock=Clock.PAUSED,
        explanation=_("The agency needs more information from you. The clock is paused until you reply."),
    ),
    S.IN_REVIEW: StatusInfo(
        open=True,
        public=False,
        tab=QueueTab.REVIEW,
        clock=Clock.ANSWER,
        explanation=_("An answer has been drafted and is being checked before it is sent to you."),
    ),
    S.APPROVED: StatusInfo(
        open=True,
        public=False,
        tab=QueueTab.IN_PROGRESS,
        clock=Clock.ANSWER,
        explanation=_("The answer has been approved and will be sent to you shortly."),
    ),
    S.GROUPED: StatusInfo(
        open=True,
        public=False,
        tab=QueueTab.IN_PROGRESS,
        clock=Clock.ANSWER,  # each asker's own legal deadline still runs while the group is answered
        explanation=_(
            "Other people asked the same question. The agency answers all of them at once: "
            "you will receive the answer here and by message, under your own reference code."
        ),
    ),
    S.ANSWERED: StatusInfo(
        open=False,
        public=False,
        tab=QueueTab.ANSWERED,
        clock=Clock.STOPPED,
        explanation=_("The agency has answered your question. The answer is below."),
    ),
    S.PUBLISHED: StatusInfo(
        open=False,
        public=True,
        tab=QueueTab.ANSWERED,
        clock=Clock.STOPPED,
        explanation=_(
            "The agency has answered your question, and it is published in the public archive "
            "without your name and contact details."
        ),
    ),
    S.REJECTED: StatusInfo(
        open=False,
        public=False,
        tab=QueueTab.REJECTED,
        clock=Clock.STOPPED,
        explanation=_("The agency did not take this question into work. The reason is below."),
    ),
    S.WITHDRAWN: StatusInfo(
        open=False,
        public=False,
        tab=QueueTab.WITHDRAWN,
        clock=Clock.STOPPED,
        explanation=_("You withdrew this question. The agency will not answer it."),
    ),
    S.ANSWERED_BY_REFERENCE: StatusInfo(
        open=False,
        public=False,
        tab=QueueTab.ANSWERED,
        clock=Clock.STOPPED,
        explanation=_(
            "The agency has already answered the same question in the public archive. "
            "That answer is below; it is the agency's answer to your question."
        ),
    ),
}


def info(status: str) -> StatusInfo:
    return STATUS_TABLE[status]


def statuses_where(**conditions: object) -> frozenset[str]:
    """The statuses whose row matches every condition, e.g. statuses_where(clock=Clock.ANSWER)."""
    return frozenset(
        str(status)
        for status, row in STATUS_TABLE.items()
        if all(getattr(row, name) == value for name, value in conditions.items())
    )


def sorted_statuses(statuses: frozenset[str] | set[str]) -> list[str]:
    return sorted(str(status) for status in statuses)


# The groups the rest of the code reads (plain strings, so they compare and serialise as the column does).
OPEN_STATUSES = statuses_where(open=True)
PUBLIC_STATUSES = statuses_where(public=True)
TRANSFER_CLOCK_STATUSES = statuses_where(clock=Clock.TRANSFER)
ANSWER_CLOCK_STATUSES = statuses_where(clock=Clock.ANSWER)
PAUSED_STATUSES = statuses_where(clock=Clock.PAUSED)
RUNNING_CLOCK_STATUSES = TRANSFER_CLOCK_STATUSES | ANSWER_CLOCK_STATUSES
# Closed: a verified question nothing more will be asked about, so the asker's contact data is no longer needed.
CLOSED_STATUSES = frozenset(str(status) for status in S.values) - OPEN_STATUSES - {S.UNVERIFIED.value}
# The statuses whose deadline is the answer due date (running or paused), e.g. shown to the asker.
DUE_DATE_STATUSES = ANSWER_CLOCK_STATUSES | PAUSED_STATUSES


def tab_statuses() -> dict[str, tuple[str, ...]]:
    """Every tab with its statuses (sorted), in the panel's order; a tab no status uses is still listed."""
    return {str(tab): tuple(sorted_statuses(statuses_where(tab=tab))) for tab in QueueTab}


def _status_is(statuses: frozenset[str] | tuple[str, ...], *, equals_for_one: bool) -> models.Q:
    """`status IN (...)`, or `status = x` for a single status where migration 0005 wrote it so: the SQL
    the columns have had since then (SQLite keeps that text; it is compared in qa.status_schema)."""
    ordered = sorted_statuses(frozenset(statuses))
    return models.Q(status=ordered[0]) if equals_for_one and len(ordered) == 1 else models.Q(status__in=ordered)


class QueueTabCase(models.Case):
    """Question.queue_tab: CASE WHEN status IN (...) THEN 'tab' ... END, built from STATUS_TABLE.

    It deconstructs to its name alone, so a change of the table changes no migration; qa.status_schema
    compares the database's expression with this one and rebuilds the column when they differ.
    """

    def __init__(self) -> None:
        super().__init__(
            *(
                models.When(_status_is(statuses, equals_for_one=False), then=models.Value(tab))
                for tab, statuses in tab_statuses().items()
                if statuses
            ),
            default=None,
            output_field=models.CharField(max_length=12),
        )


class DeadlineCase(models.Case):
    """Question.deadline (qa.deadlines.DeadlineClock.deadline in SQL): the transfer due date while the transfer
    clock runs, the answer due date while the answer clock runs or is paused, else NULL. Same mechanism as
    QueueTabCase."""

    def __init__(self) -> None:
        columns = ((TRANSFER_CLOCK_STATUSES, "transfer_due_date"), (DUE_DATE_STATUSES, "due_date"))
        super().__init__(
            *(
                models.When(_status_is(statuses, equals_for_one=True), then=models.F(column))
                for statuses, column in columns
                if statuses
            ),
            default=None,
            output_field=models.DateField(),
        )
