"""The question's state machine: one table of allowed moves, one function that makes them.

Every service that changes a question's status calls `apply_transition` on a row
it has locked; the function checks the move against TRANSITIONS, checks the
actor's role, updates the status and version, and writes the QuestionEvent.
An illegal move raises TransitionNotAllowed (HTTP 409 in the API); a role that
may not make the move raises PermissionDenied (403).

Roles are the agency membership roles plus two pseudo-roles: ASKER (the person
who asked, proven by an account or the tracking token) and SYSTEM (the platform
itself, e.g. when a question is registered by staff or arrives from a dialogue).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.errors import TransitionNotAllowed
from accounts.models import Membership

from .models import Question, QuestionEvent
from .models import QuestionStatus as S

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


def _t(action, sources, target, roles, label, public=True) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), label, public)


_OPEN = {S.SUBMITTED, S.ACCEPTED, S.INFORMATION_REQUESTED, S.IN_REVIEW, S.APPROVED}

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        _t("submit", {S.UNVERIFIED}, S.SUBMITTED, {ASKER, SYSTEM}, _("Submitted")),
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


def apply_transition(
    question: Question,
    action: str,
    *,
    actor=None,
    roles: Iterable[str],
    note: str = "",
    internal_note: str = "",
    data: dict | None = None,
    expected_version: int | None = None,
) -> QuestionEvent:
    """Check and make one move on a locked question; save it and write its event.

    `expected_version` (the version the actor's form showed) turns a concurrent
    change into a clear conflict instead of a silent overwrite.
    """
    transition = get_transition(action)
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
    if not transition.roles & set(roles):
        raise PermissionDenied(_("Your role does not allow “%(action)s”.") % {"action": transition.label})
    from_status = question.status
    if transition.target is not None:
        question.status = transition.target
    question.version += 1
    question.save()
    return QuestionEvent.objects.create(
        question=question,
        action=action,
        from_status=from_status,
        to_status=question.status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
        internal_note=internal_note,
        data=data or {},
        is_public=transition.public,
        created_at=timezone.now(),
    )
