"""The question's state machine: one table of allowed moves, one function that makes them.

Every service that changes a question's status calls `apply_transition` on a row
it has locked; the function checks the move against TRANSITIONS, checks the
actor's role, updates the status and version, and writes the QuestionEvent.
An illegal move raises TransitionNotAllowed (HTTP 409 in the API); a role that
may not make the move raises PermissionDenied (403).

Roles are the agency membership roles plus two pseudo-roles: ASKER (the person
who asked, proven by an account or the tracking token) and SYSTEM (the platform
itself, e.g. when a question arrives from a dialogue).

Some actions change no status (assign, save a draft, add a note): they live in
the same table so that "who may do what in which state" is answered in one
place. Those with `records_event=False` are only checked (`authorize`), because
their own rows (answer revisions, internal notes) are their audit trail.

Checks run in this order: the role (PermissionDenied, 403), then the version the
actor saw (stale: 409), then the state (409). A role that may never make the
move is refused the same way whatever the state, so a 403 reveals nothing about it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, User
from core.errors import TransitionNotAllowed

from .models import Question, QuestionEvent
from .models import QuestionStatus as S
from .status import OPEN_STATUSES

ASKER = "asker"
SYSTEM = "system"
MODERATOR = Membership.Role.MODERATOR.value
ANSWERER = Membership.Role.ANSWERER.value
REVIEWER = Membership.Role.REVIEWER.value
ADMIN = Membership.Role.ADMIN.value


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the status stays (an action such as assign)
    roles: frozenset[str]
    label: object  # lazy translated verb shown on buttons and in the timeline
    public: bool = True  # shown on the asker's timeline
    records_event: bool = True  # False: checked here, recorded elsewhere (revisions, notes)


def _t(
    action: str,
    sources: Iterable[str],
    target: str | None,
    roles: Iterable[str],
    label: object,
    public: bool = True,
    records_event: bool = True,
) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), label, public, records_event)


_OPEN = OPEN_STATUSES  # qa.status.STATUS_TABLE: the statuses the asker may still withdraw from
_KNOWN = set(S.values) - {S.UNVERIFIED}
_ANSWERED = {S.ANSWERED, S.PUBLISHED, S.ANSWERED_BY_REFERENCE}
STAFF_ROLES = frozenset({MODERATOR, ANSWERER, REVIEWER, ADMIN})

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("submit", {S.UNVERIFIED}, S.SUBMITTED, {ASKER, SYSTEM}, _("Submitted")),
        # Received by phone, paper or e-mail and typed in by staff on the asker's behalf.
        _t("register", {S.UNVERIFIED}, S.SUBMITTED, {MODERATOR, ADMIN}, _("Registered by the agency")),
        _t("withdraw", _OPEN, S.WITHDRAWN, {ASKER}, _("Withdrawn by the asker")),
        _t("accept", {S.SUBMITTED}, S.ACCEPTED, {MODERATOR, ADMIN}, _("Accepted")),
        _t("reject", {S.SUBMITTED, S.ACCEPTED, S.INFORMATION_REQUESTED}, S.REJECTED, {MODERATOR, ADMIN}, _("Rejected")),
        _t("transfer", {S.SUBMITTED, S.ACCEPTED}, S.SUBMITTED, {MODERATOR, ADMIN}, _("Transferred to another agency")),
        _t(
            "request_information",
            {S.ACCEPTED},
            S.INFORMATION_REQUESTED,
            {MODERATOR, ANSWERER, ADMIN},
            _("More information requested"),
        ),
        _t("receive_information", {S.INFORMATION_REQUESTED}, S.ACCEPTED, {ASKER}, _("Information received")),
        _t(
            "assign",
            {S.SUBMITTED, S.ACCEPTED, S.INFORMATION_REQUESTED, S.IN_REVIEW, S.APPROVED},
            None,
            {MODERATOR, ADMIN},
            _("Assigned"),
            public=False,
        ),
        _t(
            "submit_for_review",
            {S.ACCEPTED},
            S.IN_REVIEW,
            {ANSWERER, MODERATOR, ADMIN},
            _("Sent for review"),
            public=False,
        ),
        _t("approve", {S.IN_REVIEW}, S.APPROVED, {REVIEWER, ADMIN}, _("Answer approved"), public=False),
        _t("return", {S.IN_REVIEW, S.APPROVED}, S.ACCEPTED, {REVIEWER, ADMIN}, _("Answer returned"), public=False),
        _t("send", {S.ACCEPTED, S.APPROVED}, S.ANSWERED, {ANSWERER, MODERATOR, REVIEWER, ADMIN}, _("Answered")),
        _t("publish", {S.ANSWERED}, S.PUBLISHED, {MODERATOR, ADMIN}, _("Published")),
        _t("unpublish", {S.PUBLISHED}, S.ANSWERED, {MODERATOR, ADMIN}, _("Unpublished")),
        # The redacted public version, edited side by side with the original before (or after) publishing.
        _t(
            "edit_public",
            _KNOWN - {S.REJECTED, S.WITHDRAWN},
            None,
            {MODERATOR, ADMIN},
            _("Public version edited"),
            public=False,
        ),
        _t(
            "save_draft",
            {S.ACCEPTED, S.INFORMATION_REQUESTED},
            None,
            {ANSWERER, MODERATOR, ADMIN},
            _("Answer draft saved"),
            public=False,
            records_event=False,
        ),
        _t("add_note", _KNOWN, None, STAFF_ROLES, _("Internal note"), public=False, records_event=False),
        # A duplicate of a published answer: the asker is sent that answer and the question closes
        # (qa.services.groups.question_answer_by_reference).
        _t(
            "answer_by_reference",
            {S.SUBMITTED, S.ACCEPTED},
            S.ANSWERED_BY_REFERENCE,
            {MODERATOR, ADMIN},
            _("Answered with a published answer"),
        ),
        # Groups of the same question (qa.services.groups): a question in progress joins a primary question in
        # progress of its agency; the group is answered once, through the primary. Leaving before the answer is
        # sent gives it back its own handling; the answer reaches every member with `answer_group`, made by the
        # platform when the primary's answer is sent.
        _t("merge", {S.ACCEPTED}, S.GROUPED, {MODERATOR, ADMIN}, _("Merged with similar questions")),
        _t("leave_group", {S.GROUPED}, S.ACCEPTED, {MODERATOR, ADMIN, SYSTEM}, _("Left the group")),
        _t("answer_group", {S.GROUPED}, S.ANSWERED, {SYSTEM}, _("Answered together with the group")),
        # An asker sent a published answer by reference may rate it, or ask again when it does not fit.
        _t("rate", _ANSWERED, None, {ASKER}, _("Answer rated by the asker")),
        _t("follow_up", _ANSWERED, None, {ASKER}, _("Follow-up question asked")),
    ]
}


def get_transition(action: str) -> Transition:
    try:
        return TRANSITIONS[action]
    except KeyError:
        raise TransitionNotAllowed(_("Unknown action."), code="unknown_action") from None


def can_apply(question: Question, action: str, roles: Iterable[str]) -> bool:
    """Whether `roles` may make `action` on the question in its current state (no side effects)."""
    transition = TRANSITIONS.get(action)
    return bool(transition and question.status in transition.sources and transition.roles & set(roles))


def available_actions(question: Question, roles: Iterable[str]) -> list[str]:
    roles = set(roles)
    return [action for action in TRANSITIONS if can_apply(question, action, roles)]


def precondition_error(question: Question, action: str) -> TransitionNotAllowed | None:
    """Rules that depend on the question's data rather than its state (agency settings, consent).

    The table allows these moves in general; this says why this question cannot
    make one now. Services raise the error; the panel hides the button.
    """
    if action == "send" and question.status == S.ACCEPTED and question.agency.review_required:
        return TransitionNotAllowed(
            _("This agency requires a reviewer to approve answers before they are sent. Send it for review first."),
            code="review_required",
            current_state=question.status,
        )
    if action in ("transfer", "reject", "answer_by_reference", "merge", "publish"):
        group_error = _group_precondition_error(question, action)
        if group_error is not None:
            return group_error
    if action == "publish" and not question.consent_to_publish:
        return TransitionNotAllowed(
            _("The asker did not agree to publication, so this question cannot be published."),
            code="no_consent",
            current_state=question.status,
        )
    return None


def _group_precondition_error(question: Question, action: str) -> TransitionNotAllowed | None:
    """A group's primary keeps its members with it (no transfer or rejection while it has any); a member
    is published through its primary; a question already in a group joins no other."""
    if question.group_id is None:
        return None
    group = question.group  # one query, only for a question in a group
    is_primary = group is not None and group.primary_id == question.pk
    if action in ("transfer", "reject", "answer_by_reference") and is_primary:
        return TransitionNotAllowed(
            _("This question leads a group of similar questions. Let the other questions leave the group first."),
            code="group_primary",
            current_state=question.status,
        )
    if action == "publish" and not is_primary:
        return TransitionNotAllowed(
            _("This question was answered with its group: the group's primary question is the one published."),
            code="group_member",
            current_state=question.status,
        )
    if action == "merge" and not is_primary:  # the primary takes more members; a member joins no other group
        return TransitionNotAllowed(
            _("%(reference)s is already in a group.") % {"reference": question.reference},
            code="already_grouped",
            current_state=question.status,
        )
    return None


def authorize(
    question: Question, action: str, *, roles: Iterable[str], expected_version: int | None = None
) -> Transition:
    """Check that `roles` may make `action` on the question as it is now; change nothing.

    Raises PermissionDenied for a role the table does not name, TransitionNotAllowed
    (code "stale_version") when the actor saw an older version, and
    TransitionNotAllowed with the current state when the state does not allow it.
    """
    transition = get_transition(action)
    if not transition.roles & set(roles):
        raise PermissionDenied(_("Your role does not allow “%(action)s”.") % {"action": transition.label})
    if expected_version is not None and expected_version != question.version:
        raise TransitionNotAllowed(
            _("This question was changed by someone else. Reload the page and try again."),
            code="stale_version",
            current_state=question.status,
        )
    if question.status not in transition.sources:
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the question is “%(status)s”.")
            % {"action": transition.label, "status": S(question.status).label},
            current_state=question.status,
        )
    return transition


def apply_transition(
    question: Question,
    action: str,
    *,
    actor: User | AnonymousUser | None = None,
    roles: Iterable[str],
    note: str = "",
    internal_note: str = "",
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> QuestionEvent:
    """Check and make one move on a locked question; save it and write its event.

    `expected_version` (the version the actor's form showed) turns a concurrent
    change into a clear conflict instead of a silent overwrite. The caller sets
    the other fields it changes on `question` before calling: one save writes all.
    """
    transition = authorize(question, action, roles=roles, expected_version=expected_version)
    if not transition.records_event:
        raise ValueError(f"{action!r} is checked with authorize(), not applied")
    from_status = question.status
    if transition.target is not None:
        question.status = transition.target
    question.version += 1
    question.save()
    return record_event(
        question,
        action,
        from_status=from_status,
        actor=actor,
        note=note,
        internal_note=internal_note,
        data=data,
        is_public=transition.public,
    )


def record_event(
    question: Question,
    action: str,
    *,
    from_status: str | None = None,
    actor: User | AnonymousUser | None = None,
    note: str = "",
    internal_note: str = "",
    data: dict[str, Any] | None = None,
    is_public: bool = False,
) -> QuestionEvent:
    """Write a timeline row for something that is not a move (a reminder sent); transitions use apply_transition."""
    return QuestionEvent.objects.create(
        question=question,
        action=action,
        from_status=question.status if from_status is None else from_status,
        to_status=question.status,
        actor=actor if isinstance(actor, User) and actor.is_authenticated else None,
        note=note,
        internal_note=internal_note,
        data=data or {},
        is_public=is_public,
        created_at=timezone.now(),
    )


EXTRA_LABELS = {
    "reminder_due_soon": _("Deadline reminder sent"),
    "reminder_overdue": _("Overdue reminder sent"),
    "rate_request": _("Rating requested from the asker"),
    "erasure_requested": _("Erasure of personal data requested"),
    "personal_data_erased": _("Personal data erased"),
    # Written by orgchanges when a reorganisation moves the question to a successor agency.
    "reorganised": _("Moved to a new agency (reorganisation)"),
    # On a group's primary question when others are merged into it or leave (qa.services.groups).
    "group_merged": _("Similar questions merged into this one"),
    "group_left": _("A question left the group"),
}


def action_label(action: str) -> str:
    """The translated label of an action for timelines (events of unknown actions show their code)."""
    transition = TRANSITIONS.get(action)
    return str(transition.label) if transition else str(EXTRA_LABELS.get(action, action))
