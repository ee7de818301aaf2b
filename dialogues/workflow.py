"""The state machines of a live session and of its questions: the tables of allowed moves, and the moves.

Same shape as qa/workflow.py. Every service that changes a session's or a live
question's status, or acts in a way that depends on it, asks this module on rows
it has locked (session first, then question). An illegal move raises
TransitionNotAllowed (HTTP 409 in the API, a "conflict" error on the socket);
no service sets a status itself.

Audit: a session move writes a SessionStatusChange (who, when, from, to) and the
`session.status` event; a question move writes the SessionEvent its audience
sees (dialogues.events), which names the actor. Both in the caller's transaction.

Entries whose `target` is None change no status (edit a question, vote, post an
announcement): they are only checked, so that "what may happen in which state"
is answered in one place. `refusal` replaces the generic message where the page
has always given a more specific one.

Who may act (moderator, panelist) is checked by the services before these
functions, with dialogues.permissions; the tables say nothing about roles.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import TransitionNotAllowed

from . import events, payloads
from .models import DialogueSession, LiveQuestion, SessionEvent, SessionStatusChange
from .models import LiveQuestionStatus as Q
from .models import SessionStatus as S

ALL_SESSION_STATES = frozenset(S)
ACTIVE = frozenset({S.OPEN, S.LIVE})
ENDED = frozenset({S.ENDED, S.TRANSCRIPT_PUBLISHED})


# A label or message of the table: lazily translated, so it follows the request's language.
StrOrPromise = str | Promise


@dataclass(frozen=True)
class SessionTransition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: a check only, the status stays
    label: StrOrPromise  # lazy translated verb (buttons of the moderation page)
    refusal: StrOrPromise | None = None  # message instead of the generic one
    with_state: bool = True  # the error names the current state (API body `current_state`)


@dataclass(frozen=True)
class QuestionTransition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: a check only, the status stays
    session_states: frozenset[str]  # the session must be in one of these
    label: StrOrPromise
    event: str | None = None  # the event type watchers get; None: approved/updated/removed/rejected by audience
    refusal: StrOrPromise | None = None  # one message for either refusal (question or session state)
    with_state: bool = True


def _s(
    action: str,
    sources: Iterable[str],
    target: str | None,
    label: StrOrPromise,
    refusal: StrOrPromise | None = None,
    with_state: bool = True,
) -> SessionTransition:
    return SessionTransition(action, frozenset(sources), target, label, refusal, with_state)


def _q(
    action: str,
    sources: Iterable[str],
    target: str | None,
    session_states: Iterable[str],
    label: StrOrPromise,
    event: str | None = None,
    refusal: StrOrPromise | None = None,
    with_state: bool = True,
) -> QuestionTransition:
    return QuestionTransition(
        action, frozenset(sources), target, frozenset(session_states), label, event, refusal, with_state
    )


SESSION_TRANSITIONS: dict[str, SessionTransition] = {
    t.action: t
    for t in [
        _s("open", {S.SCHEDULED}, S.OPEN, gettext_lazy("Open for questions")),
        _s("start", {S.SCHEDULED, S.OPEN}, S.LIVE, gettext_lazy("Start the session")),
        _s("end", {S.LIVE}, S.ENDED, gettext_lazy("End the session")),
        _s("publish_transcript", {S.ENDED}, S.TRANSCRIPT_PUBLISHED, gettext_lazy("Publish the transcript")),
    ]
}

# Actions on a session that change no status but depend on it.
SESSION_CHECKS: dict[str, SessionTransition] = {
    t.action: t
    for t in [
        _s(
            "set_questions_open",
            ACTIVE,
            None,
            gettext_lazy("Questions"),
            gettext_lazy("Questions can only be opened or closed before or during the session."),
        ),
        _s(
            "announce",
            {S.SCHEDULED, S.OPEN, S.LIVE},
            None,
            gettext_lazy("Post an announcement"),
            gettext_lazy("Announcements can only be posted before or during the session."),
            with_state=False,
        ),
        _s(
            "subscribe",
            {S.SCHEDULED, S.OPEN},
            None,
            gettext_lazy("Remind me"),
            gettext_lazy("Reminders are only for sessions that have not started yet."),
            with_state=False,
        ),
        _s(
            "forward_questions",
            ENDED,
            None,
            gettext_lazy("Send to the Q&A queue"),
            gettext_lazy("Questions are sent to the Q&A queue after the session ends."),
            with_state=False,
        ),
    ]
}

QUESTION_TRANSITIONS: dict[str, QuestionTransition] = {
    t.action: t
    for t in [
        _q("approve", {Q.PENDING}, Q.APPROVED, ACTIVE, gettext_lazy("Approve")),
        _q("reject", {Q.PENDING, Q.APPROVED}, Q.REJECTED, ACTIVE | {S.ENDED}, gettext_lazy("Reject")),
        # A muted participant's waiting questions, whatever the session's state.
        _q("reject_muted", {Q.PENDING}, Q.REJECTED, ALL_SESSION_STATES, gettext_lazy("Participant muted")),
        _q(
            "mark_answering",
            {Q.APPROVED},
            Q.ANSWERING,
            {S.LIVE},
            gettext_lazy("Now answering"),
            event="question.answering",
        ),
        # The previous "now answering" when another one is marked, or when the session ends.
        _q("unmark_answering", {Q.ANSWERING}, Q.APPROVED, ALL_SESSION_STATES, gettext_lazy("Stop answering")),
        _q(
            "answer",
            {Q.APPROVED, Q.ANSWERING, Q.ANSWERED},
            Q.ANSWERED,
            {S.LIVE, S.ENDED},
            gettext_lazy("Answer"),
            event="question.answered",
        ),
    ]
}

QUESTION_CHECKS: dict[str, QuestionTransition] = {
    t.action: t
    for t in [
        _q(
            "edit",
            {Q.PENDING, Q.APPROVED, Q.ANSWERING, Q.ANSWERED},
            None,
            ALL_SESSION_STATES,
            gettext_lazy("Edit"),
            refusal=gettext_lazy("A rejected question cannot be edited."),
        ),
        _q(
            "vote",
            {Q.APPROVED, Q.ANSWERING},
            None,
            ACTIVE,
            gettext_lazy("Vote"),
            refusal=gettext_lazy("Votes are only taken for open questions of a running session."),
            with_state=False,
        ),
        _q(
            "forward",
            {Q.APPROVED},
            None,
            ALL_SESSION_STATES,
            gettext_lazy("Send to the Q&A queue"),
            refusal=gettext_lazy("Only approved questions that were not answered can be sent."),
        ),
    ]
}


def _refused(
    transition: SessionTransition | QuestionTransition, template: str, status: S | Q, code: str | None = None
) -> TransitionNotAllowed:
    """The error of a refused action: its own message if the table gives one, else "… is not possible while …"."""
    if transition.refusal:
        return TransitionNotAllowed(transition.refusal, current_state=status.value if transition.with_state else None)
    message = template % {"action": transition.label, "status": status.label}
    return TransitionNotAllowed(message, code=code, current_state=status.value)


# --- Sessions ---------------------------------------------------------------------------------


def check_session(session: DialogueSession, action: str) -> SessionTransition:
    """Whether the session's state allows `action` (a move or a check); raise TransitionNotAllowed if not."""
    transition = SESSION_TRANSITIONS.get(action) or SESSION_CHECKS[action]
    if session.status not in transition.sources:
        raise _refused(
            transition, _("“%(action)s” is not possible while the session is “%(status)s”."), S(session.status)
        )
    if action == "open" and not session.allow_questions_before_start:
        raise TransitionNotAllowed(
            _("This session does not take questions before it starts."), code="no_early_questions"
        )
    return transition


def session_allows(session: DialogueSession, action: str) -> bool:
    """Whether check_session would let `action` through now (no side effects)."""
    transition = SESSION_TRANSITIONS.get(action) or SESSION_CHECKS[action]
    if action == "open" and not session.allow_questions_before_start:
        return False
    return session.status in transition.sources


def available_session_actions(session: DialogueSession) -> list[str]:
    """The moves the session allows now (the moderation page's buttons)."""
    return [action for action in SESSION_TRANSITIONS if session_allows(session, action)]


def apply_session_transition(
    session: DialogueSession,
    action: str,
    *,
    actor: User | AnonymousUser | None = None,
    note: str = "",
    fields: Iterable[str] = (),
    at: datetime.datetime | None = None,
) -> SessionStatusChange:
    """Check and make one move on a locked session: save it with `fields`, audit it, tell every watcher.

    The caller sets the other fields the move changes (timestamps, the ask box)
    before calling, and names them in `fields`: one save writes all; `at` dates the
    audit row like those timestamps.
    """
    transition = check_session(session, action)
    if transition.target is None:
        raise ValueError(f"{action!r} is a check (check_session), not a move")
    from_status = session.status
    session.status = transition.target
    session.save(update_fields=["status", *fields, "updated_at"])
    change = record_session_change(session, action, from_status=from_status, actor=actor, note=note, at=at)
    events.emit(session, "session.status", {"session": payloads.session_payload(session)}, actor=actor)
    return change


def record_session_change(
    session: DialogueSession,
    action: str,
    *,
    from_status: str,
    actor: User | AnonymousUser | None = None,
    note: str = "",
    at: datetime.datetime | None = None,
) -> SessionStatusChange:
    """One audit row of the session's status (also for its creation, from ""); `at` defaults to now."""
    return SessionStatusChange.objects.create(
        session=session,
        action=action,
        from_status=from_status,
        to_status=session.status,
        actor=actor if isinstance(actor, User) else None,
        note=note,
        created_at=at or timezone.now(),
    )


# --- Live questions ---------------------------------------------------------------------------


def check_question(session: DialogueSession, question: LiveQuestion, action: str) -> QuestionTransition:
    """Whether the question's and the session's states allow `action`; raise TransitionNotAllowed if not."""
    transition = QUESTION_TRANSITIONS.get(action) or QUESTION_CHECKS[action]
    if question.status not in transition.sources:
        raise _refused(
            transition, _("“%(action)s” is not possible while the question is “%(status)s”."), Q(question.status)
        )
    if session.status not in transition.session_states:
        raise _refused(
            transition,
            _("“%(action)s” is not possible while the session is “%(status)s”."),
            S(session.status),
            code="session_state",
        )
    return transition


def apply_question_transition(
    session: DialogueSession,
    question: LiveQuestion,
    action: str,
    *,
    actor: User | AnonymousUser | None = None,
    fields: Iterable[str] = (),
) -> SessionEvent:
    """Check and make one move on a locked question: save it with `fields` and write the event its audience sees.

    The caller sets the other fields the move changes (answer, reason, position)
    before calling and names them in `fields`: one save writes all.
    """
    transition = check_question(session, question, action)
    if transition.target is None:
        raise ValueError(f"{action!r} is a check (check_question), not a move")
    was_public = question.is_public
    question.status = transition.target
    question.save(update_fields=["status", *fields])
    if transition.event is not None:
        return events.emit(session, transition.event, {"question": payloads.question_payload(question)}, actor=actor)
    return events.question_changed(session, question, actor=actor, was_public=was_public)
