"""Every write of the dialogues app. Web views, the API, the socket and admin call these.

Contract shared by all services that change what watchers see: the session row
is locked first (select_for_update), then the question; the change and its
SessionEvent are written in the same transaction, the event number is the
session's next `last_seq`; the frame is published by the hub only after commit.
Lock order session → question → anything else keeps concurrent services from
deadlocking.
"""

import logging
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import ratelimit
from accounts.errors import DomainError, RateLimited, TransitionNotAllowed
from accounts.models import Agency
from notifications.services import Recipient, notify
from qa.models import AskerType, Channel, Question, Topic
from qa.services.submission import question_submit
from qa.text import nfc

from . import hub, payloads, permissions, profanity, video
from .models import (
    Announcement,
    AnswerKind,
    DialogueSession,
    EventScope,
    LiveQuestion,
    Mute,
    Panelist,
    SessionEvent,
    SessionStatus,
    SessionStatusChange,
    Subscription,
    Vote,
)
from .models import LiveQuestionStatus as Q

log = logging.getLogger(__name__)

S = SessionStatus
ANSWER_MAX = 5000
ANNOUNCEMENT_MAX = 500
PHOTO_MAX_BYTES = 5 * 1024 * 1024

# --- The session's status machine -----------------------------------------------------------


@dataclass(frozen=True)
class SessionTransition:
    action: str
    sources: frozenset
    target: str
    label: object


SESSION_TRANSITIONS: dict[str, SessionTransition] = {
    t.action: t
    for t in [
        SessionTransition("open", frozenset({S.SCHEDULED}), S.OPEN, gettext_lazy("Open for questions")),
        SessionTransition("start", frozenset({S.SCHEDULED, S.OPEN}), S.LIVE, gettext_lazy("Start the session")),
        SessionTransition("end", frozenset({S.LIVE}), S.ENDED, gettext_lazy("End the session")),
        SessionTransition(
            "publish_transcript", frozenset({S.ENDED}), S.TRANSCRIPT_PUBLISHED, gettext_lazy("Publish the transcript")
        ),
    ]
}

# --- A live question's status machine (actions of moderators and panelists) ---------------


@dataclass(frozen=True)
class QuestionTransition:
    action: str
    sources: frozenset
    target: str
    session_states: frozenset  # the session must be in one of these
    label: object


_ACTIVE = frozenset({S.OPEN, S.LIVE})
QUESTION_TRANSITIONS: dict[str, QuestionTransition] = {
    t.action: t
    for t in [
        QuestionTransition("approve", frozenset({Q.PENDING}), Q.APPROVED, _ACTIVE, gettext_lazy("Approve")),
        QuestionTransition(
            "reject", frozenset({Q.PENDING, Q.APPROVED}), Q.REJECTED, _ACTIVE | {S.ENDED}, gettext_lazy("Reject")
        ),
        QuestionTransition(
            "mark_answering", frozenset({Q.APPROVED}), Q.ANSWERING, frozenset({S.LIVE}), gettext_lazy("Now answering")
        ),
        QuestionTransition(
            "unmark_answering", frozenset({Q.ANSWERING}), Q.APPROVED, frozenset(S), gettext_lazy("Stop answering")
        ),
        QuestionTransition(
            "answer",
            frozenset({Q.APPROVED, Q.ANSWERING, Q.ANSWERED}),
            Q.ANSWERED,
            frozenset({S.LIVE, S.ENDED}),
            gettext_lazy("Answer"),
        ),
    ]
}


def _check_question_transition(session: DialogueSession, question: LiveQuestion, action: str) -> QuestionTransition:
    transition = QUESTION_TRANSITIONS[action]
    if question.status not in transition.sources:
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the question is “%(status)s”.")
            % {"action": transition.label, "status": Q(question.status).label},
            current_state=question.status,
        )
    if session.status not in transition.session_states:
        raise TransitionNotAllowed(
            _("“%(action)s” is not possible while the session is “%(status)s”.")
            % {"action": transition.label, "status": S(session.status).label},
            code="session_state",
            current_state=session.status,
        )
    return transition


# --- Locks, permissions and events ----------------------------------------------------------


def _lock_session(session_id: int) -> DialogueSession:
    try:
        return (
            DialogueSession.objects.select_for_update(no_key=True, of=("self",))
            .select_related("agency")
            .get(pk=session_id)
        )
    except DialogueSession.DoesNotExist:
        raise ObjectDoesNotExist(_("This session does not exist.")) from None


def _lock_question(question_id: int) -> tuple[DialogueSession, LiveQuestion]:
    session_id = LiveQuestion.objects.filter(pk=question_id).values_list("session_id", flat=True).first()
    if session_id is None:
        raise ObjectDoesNotExist(_("This question does not exist."))
    session = _lock_session(session_id)
    question = (
        LiveQuestion.objects.select_for_update(no_key=True, of=("self",))
        .select_related("answered_by_panelist")
        .get(pk=question_id)
    )
    return session, question


def _require_moderator(actor, session: DialogueSession) -> None:
    if not permissions.can_moderate(actor, session):
        raise PermissionDenied(_("Only the moderators of the host agency can do this."))


def _emit(
    session: DialogueSession, type_: str, payload: dict, *, scope: str = EventScope.PUBLIC, actor=None
) -> SessionEvent:
    """Number and store one event of a locked session; publish its frame after commit."""
    if scope == EventScope.PUBLIC:
        session.last_seq += 1
        seq = session.last_seq
        DialogueSession.objects.filter(pk=session.pk).update(last_seq=seq)
    else:
        session.last_mod_seq += 1
        seq = session.last_mod_seq
        DialogueSession.objects.filter(pk=session.pk).update(last_mod_seq=seq)
    event = SessionEvent.objects.create(
        session=session,
        scope=scope,
        seq=seq,
        type=type_,
        payload=payload,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=timezone.now(),
    )
    transaction.on_commit(partial(hub.publish_event, session.pk, scope, seq, payloads.encode_event(event)))
    return event


def _actor_or_none(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def participant_key(actor, browser_key: str = "", client_ip: str | None = None) -> str:
    """Who a participant is for votes, mutes and rate limits: account, else browser, else address."""
    if getattr(actor, "is_authenticated", False):
        return f"u:{actor.pk}"
    if browser_key:
        return f"b:{browser_key[:64]}"
    if client_ip:
        return f"ip:{client_ip}"
    return ""


# --- Sessions ---------------------------------------------------------------------------------


@dataclass
class PanelistInput:
    name: str
    position: str = ""
    user_id: int | None = None


def session_create(
    *,
    agency: Agency,
    actor,
    title: str,
    scheduled_start,
    scheduled_end,
    description: str = "",
    topic: Topic | None = None,
    panelists: list[PanelistInput] | None = None,
    allow_questions_before_start: bool = True,
    allow_guest_questions: bool = True,
    question_max_length: int = 500,
    video_url: str = "",
) -> DialogueSession:
    """Schedule a session of `agency` with its panelists (moderators of that agency only)."""
    if not permissions.can_manage_agency_sessions(actor, agency.pk):
        raise PermissionDenied(_("Only the moderators of this agency can schedule its sessions."))
    errors: dict[str, list] = {}
    title = nfc(title)
    if not title:
        errors.setdefault("title", []).append(_("Enter a title."))
    elif len(title) > 200:
        errors.setdefault("title", []).append(_("The title can be at most 200 characters."))
    if scheduled_start and scheduled_end and scheduled_end <= scheduled_start:
        errors.setdefault("scheduled_end", []).append(_("The end must be after the start."))
    limit = settings.DIALOGUES_QUESTION_MAX_LENGTH
    if not 50 <= question_max_length <= limit:
        errors.setdefault("question_max_length", []).append(
            _("The question length limit must be between 50 and %(max)d characters.") % {"max": limit}
        )
    if video_url:
        try:
            video.validate_video_url(video_url)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = DialogueSession.objects.create(
            agency=agency,
            title=title,
            description=nfc(description),
            topic=topic,
            scheduled_start=scheduled_start,
            scheduled_end=scheduled_end,
            allow_questions_before_start=allow_questions_before_start,
            allow_guest_questions=allow_guest_questions,
            question_max_length=question_max_length,
            video_url=video_url.strip(),
            created_by=_actor_or_none(actor),
        )
        for order, panelist in enumerate(panelists or []):
            Panelist.objects.create(
                session=session,
                name=nfc(panelist.name)[:150],
                position=nfc(panelist.position)[:255],
                user_id=panelist.user_id,
                order=order,
            )
        SessionStatusChange.objects.create(
            session=session, action="create", from_status="", to_status=session.status, actor=_actor_or_none(actor)
        )
    return session


def _session_transition(*, session_id: int, actor, action: str, note: str = "") -> DialogueSession:
    """Move a session through SESSION_TRANSITIONS, audit it and tell every watcher."""
    transition = SESSION_TRANSITIONS[action]
    with transaction.atomic():
        session = _lock_session(session_id)
        _require_moderator(actor, session)
        if session.status not in transition.sources:
            raise TransitionNotAllowed(
                _("“%(action)s” is not possible while the session is “%(status)s”.")
                % {"action": transition.label, "status": S(session.status).label},
                current_state=session.status,
            )
        if action == "open" and not session.allow_questions_before_start:
            raise TransitionNotAllowed(
                _("This session does not take questions before it starts."), code="no_early_questions"
            )
        now = timezone.now()
        from_status = session.status
        session.status = transition.target
        if action == "open":
            session.questions_open = True
        elif action == "start":
            session.started_at = now
            session.questions_open = True
        elif action == "end":
            session.ended_at = now
            session.questions_open = False
            # A question still "now answering" goes back to the waiting list (it may be sent to the Q&A queue).
            for question in LiveQuestion.objects.select_for_update(no_key=True).filter(
                session=session, status=Q.ANSWERING
            ):
                question.status = Q.APPROVED
                question.save(update_fields=["status"])
                _emit(session, "question.updated", {"question": payloads.question_payload(question)}, actor=actor)
        elif action == "publish_transcript":
            session.transcript_published_at = now
        session.save(
            update_fields=[
                "status",
                "questions_open",
                "started_at",
                "ended_at",
                "transcript_published_at",
                "updated_at",
            ]
        )
        SessionStatusChange.objects.create(
            session=session,
            action=action,
            from_status=from_status,
            to_status=session.status,
            actor=_actor_or_none(actor),
            note=nfc(note)[:1000],
            created_at=now,
        )
        _emit(session, "session.status", {"session": payloads.session_payload(session)}, actor=actor)
        if action in _SUBSCRIBER_KINDS:
            _notify_subscribers(session, _SUBSCRIBER_KINDS[action])
    return session


# Which status changes subscribers hear about ("remind me" also means "tell me when it is on").
_SUBSCRIBER_KINDS = {"start": "dialogues.session_live", "publish_transcript": "dialogues.transcript_published"}


def _notify_subscribers(session: DialogueSession, kind: str) -> None:
    """Write the outbox rows for every subscriber of a locked session, in the caller's transaction.

    The key names the session and kind (notify adds channel and recipient), so a
    repeated call writes nothing more; delivery happens after commit.
    """
    subscriptions = list(Subscription.objects.filter(session=session).select_related("user").order_by("pk"))
    if not subscriptions:
        return
    if kind == "dialogues.transcript_published":
        path = reverse("dialogues:transcript", kwargs={"pk": session.pk})
    else:
        path = session.get_absolute_url()
    url = f"{settings.SITE_URL}{path}"
    notify(
        kind=kind,
        recipients=[
            sub.user if sub.user_id else Recipient(email=sub.email, language=sub.language) for sub in subscriptions
        ],
        context={
            "session": {
                "id": session.pk,
                "title": session.title,
                "starts_at": session.scheduled_start.isoformat(),
                "started_at": session.started_at.isoformat() if session.started_at else None,
                "agency": session.agency.name,
            },
            "session_url": url,
            "url": url,
        },
        idempotency_key=f"{kind}:s{session.pk}",
    )


def session_open(*, session_id: int, actor) -> DialogueSession:
    return _session_transition(session_id=session_id, actor=actor, action="open")


def session_start(*, session_id: int, actor) -> DialogueSession:
    return _session_transition(session_id=session_id, actor=actor, action="start")


def session_end(*, session_id: int, actor) -> DialogueSession:
    return _session_transition(session_id=session_id, actor=actor, action="end")


def session_publish_transcript(*, session_id: int, actor) -> DialogueSession:
    return _session_transition(session_id=session_id, actor=actor, action="publish_transcript")


def session_set_questions_open(*, session_id: int, actor, is_open: bool) -> DialogueSession:
    """Open or close the ask box while the session is open or live."""
    with transaction.atomic():
        session = _lock_session(session_id)
        _require_moderator(actor, session)
        if session.status not in (S.OPEN, S.LIVE):
            raise TransitionNotAllowed(
                _("Questions can only be opened or closed before or during the session."),
                current_state=session.status,
            )
        if session.questions_open != is_open:
            session.questions_open = is_open
            session.save(update_fields=["questions_open", "updated_at"])
            _emit(session, "session.questions", {"session": payloads.session_payload(session)}, actor=actor)
    return session


def session_set_video(*, session_id: int, actor, video_url: str) -> DialogueSession:
    """Set (or clear, with "") the live video shown above the stream."""
    url = (video_url or "").strip()
    if url:
        video.validate_video_url(url)
    with transaction.atomic():
        session = _lock_session(session_id)
        _require_moderator(actor, session)
        if session.video_url != url:
            session.video_url = url
            session.save(update_fields=["video_url", "updated_at"])
            _emit(session, "session.video", {"session": payloads.session_payload(session)}, actor=actor)
    return session


# --- Asking and voting (watchers) --------------------------------------------------------------


def live_question_ask(
    *,
    session_id: int,
    actor,
    text: str,
    display_name: str = "",
    email: str = "",
    browser_key: str = "",
    client_ip: str | None = None,
) -> LiveQuestion:
    """A watcher asks; the question waits for a moderator (only moderators are told).

    Rate-limited per participant and per address (RateLimited). The e-mail is
    optional and private: it lets the question be sent to the agency's Q&A queue
    later if it is not answered live.
    """
    text = nfc(text)
    display_name = " ".join(nfc(display_name).split())
    email = nfc(email).lower()
    session = DialogueSession.objects.filter(pk=session_id).first()
    if session is None:
        raise ObjectDoesNotExist(_("This session does not exist."))
    errors: dict[str, list] = {}
    limit = min(session.question_max_length, settings.DIALOGUES_QUESTION_MAX_LENGTH)
    if not text:
        errors.setdefault("text", []).append(_("Enter your question."))
    elif len(text) > limit:
        errors.setdefault("text", []).append(
            _("A question can be at most %(max)d characters (it has %(n)d).") % {"max": limit, "n": len(text)}
        )
    if len(display_name) > 80:
        errors.setdefault("display_name", []).append(_("The name can be at most 80 characters."))
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(_("Enter a valid e-mail address, for example ten@example.vn."))
    if errors:
        raise ValidationError(errors)
    is_user = getattr(actor, "is_authenticated", False)
    if not is_user and not session.allow_guest_questions:
        raise PermissionDenied(_("Log in to ask a question in this session."))
    key = participant_key(actor, browser_key, client_ip)
    if not key:
        raise ValidationError({"text": [_("Allow cookies or log in to ask a question.")]})
    if client_ip:
        ratelimit.hit("dlg-ask-ip", client_ip, settings.DIALOGUES_ASK_RATE_PER_IP)
    ratelimit.hit("dlg-ask", key, settings.DIALOGUES_ASK_RATE)
    with transaction.atomic():
        session = _lock_session(session_id)
        if not session.accepts_questions:
            raise TransitionNotAllowed(
                _("This session is not taking questions right now."),
                code="questions_closed",
                current_state=session.status,
            )
        if Mute.objects.filter(session=session, participant_key=key).exists():
            raise PermissionDenied(_("A moderator has muted you for the rest of this session."))
        question = LiveQuestion.objects.create(
            session=session,
            text=text,
            public_text=profanity.mask(text),
            display_name=display_name,
            public_name=profanity.mask(display_name),
            asker=actor if is_user else None,
            asker_email=email,
            asker_key=key,
            created_at=timezone.now(),
        )
        _emit(
            session,
            "question.submitted",
            {"question": payloads.question_moderator_payload(question)},
            scope=EventScope.MODERATORS,
            actor=actor,
        )
    return question


class AlreadyVoted(DomainError):
    code = "already_voted"
    default_message = gettext_lazy("You have already voted for this question.")


def live_question_vote(*, question_id: int, actor, browser_key: str = "") -> int:
    """One upvote per user (or browser); returns the new count.

    The vote does not write a SessionEvent: counts reach watchers coalesced
    (a few frames a second), published to the hub after commit.
    """
    key = participant_key(actor, browser_key)
    if not key:
        raise ValidationError({"vote": [_("Allow cookies or log in to vote.")]})
    ratelimit.hit("dlg-vote", key, settings.DIALOGUES_VOTE_RATE)
    with transaction.atomic():
        question = LiveQuestion.objects.select_related("session").filter(pk=question_id).first()
        if question is None:
            raise ObjectDoesNotExist(_("This question does not exist."))
        if question.status not in (Q.APPROVED, Q.ANSWERING) or question.session.status not in _ACTIVE:
            raise TransitionNotAllowed(_("Votes are only taken for open questions of a running session."))
        if Mute.objects.filter(session_id=question.session_id, participant_key=key).exists():
            raise PermissionDenied(_("A moderator has muted you for the rest of this session."))
        try:
            with transaction.atomic():
                Vote.objects.create(question=question, voter_key=key)
        except IntegrityError:
            raise AlreadyVoted() from None
        LiveQuestion.objects.filter(pk=question.pk).update(vote_count=F("vote_count") + 1)
        count = LiveQuestion.objects.filter(pk=question.pk).values_list("vote_count", flat=True).get()
        transaction.on_commit(partial(hub.publish_votes, question.session_id, question.pk, count))
    return count


# --- Moderation ---------------------------------------------------------------------------------


def _question_changed(session: DialogueSession, question: LiveQuestion, *, actor, was_public: bool) -> None:
    """Tell the right audience about a change: everyone for public questions, else moderators only."""
    if question.is_public:
        type_ = "question.approved" if not was_public else "question.updated"
        _emit(session, type_, {"question": payloads.question_payload(question)}, actor=actor)
    elif was_public:
        _emit(session, "question.removed", {"id": question.pk}, actor=actor)
    else:
        _emit(
            session,
            "question.updated" if question.status == Q.PENDING else "question.rejected",
            {"question": payloads.question_moderator_payload(question)},
            scope=EventScope.MODERATORS,
            actor=actor,
        )


def live_question_approve(*, question_id: int, actor) -> LiveQuestion:
    """pending → approved: the question joins everyone's stream at the end of the order."""
    with transaction.atomic():
        session, question = _lock_question(question_id)
        _require_moderator(actor, session)
        _check_question_transition(session, question, "approve")
        top = LiveQuestion.objects.filter(session=session).aggregate(top=Max("position"))["top"] or 0
        question.status = Q.APPROVED
        question.approved_at = timezone.now()
        question.position = top + 1
        question.save(update_fields=["status", "approved_at", "position"])
        _question_changed(session, question, actor=actor, was_public=False)
    return question


def live_question_reject(*, question_id: int, actor, reason: str = "") -> LiveQuestion:
    """pending/approved → rejected; an approved one disappears from every watcher's stream."""
    with transaction.atomic():
        session, question = _lock_question(question_id)
        _require_moderator(actor, session)
        _check_question_transition(session, question, "reject")
        was_public = question.is_public
        question.status = Q.REJECTED
        question.rejection_reason = nfc(reason)[:255]
        question.save(update_fields=["status", "rejection_reason"])
        _question_changed(session, question, actor=actor, was_public=was_public)
    return question


def live_question_edit(*, question_id: int, actor, text: str) -> LiveQuestion:
    """The moderator rewrites the public text (typos, personal data); the original is kept."""
    text = nfc(text)
    if not text:
        raise ValidationError({"text": [_("Enter the question's text.")]})
    if len(text) > settings.DIALOGUES_QUESTION_MAX_LENGTH:
        raise ValidationError(
            {
                "text": [
                    _("A question can be at most %(max)d characters.") % {"max": settings.DIALOGUES_QUESTION_MAX_LENGTH}
                ]
            }
        )
    with transaction.atomic():
        session, question = _lock_question(question_id)
        _require_moderator(actor, session)
        if question.status not in (Q.PENDING, Q.APPROVED, Q.ANSWERING, Q.ANSWERED):
            raise TransitionNotAllowed(_("A rejected question cannot be edited."), current_state=question.status)
        question.public_text = profanity.mask(text)
        question.save(update_fields=["public_text"])
        _question_changed(session, question, actor=actor, was_public=question.is_public)
    return question


def live_question_reorder(*, session_id: int, actor, order: list[int]) -> list[int]:
    """Put the listed public questions first, in this order; returns the new full order."""
    with transaction.atomic():
        session = _lock_session(session_id)
        _require_moderator(actor, session)
        public = list(
            LiveQuestion.objects.select_for_update(no_key=True)
            .filter(session=session, status__in=(Q.APPROVED, Q.ANSWERING))
            .order_by("position", "id")
        )
        by_id = {q.pk: q for q in public}
        wanted = []
        for pk in order:
            if pk not in by_id:
                raise ValidationError({"order": [_("Only waiting questions of this session can be ordered.")]})
            if pk not in wanted:
                wanted.append(pk)
        new_order = wanted + [q.pk for q in public if q.pk not in wanted]
        for position, pk in enumerate(new_order, start=1):
            if by_id[pk].position != position:
                by_id[pk].position = position
                by_id[pk].save(update_fields=["position"])
        _emit(session, "questions.reordered", {"order": new_order}, actor=actor)
    return new_order


def live_question_mark_answering(*, question_id: int, actor) -> LiveQuestion:
    """approved → answering ("now answering"); the previous one, if still open, goes back to waiting."""
    with transaction.atomic():
        session, question = _lock_question(question_id)
        if not permissions.can_answer(actor, session):
            raise PermissionDenied(_("Only moderators and panelists can do this."))
        _check_question_transition(session, question, "mark_answering")
        for previous in LiveQuestion.objects.select_for_update(no_key=True).filter(session=session, status=Q.ANSWERING):
            previous.status = Q.APPROVED
            previous.save(update_fields=["status"])
            _emit(session, "question.updated", {"question": payloads.question_payload(previous)}, actor=actor)
        question.status = Q.ANSWERING
        question.save(update_fields=["status"])
        _emit(session, "question.answering", {"question": payloads.question_payload(question)}, actor=actor)
    return question


def live_question_answer(
    *, question_id: int, actor, text: str, kind: str | None = None, panelist_id: int | None = None
) -> LiveQuestion:
    """Publish the answer: typed by a panelist, or a moderator's summary of a spoken answer.

    A panelist with an account answers as themselves; a moderator may name the
    panelist who spoke. Answering again corrects the published answer.
    """
    text = nfc(text)
    if not text:
        raise ValidationError({"text": [_("Enter the answer.")]})
    if len(text) > ANSWER_MAX:
        raise ValidationError({"text": [_("An answer can be at most %(max)d characters.") % {"max": ANSWER_MAX}]})
    with transaction.atomic():
        session, question = _lock_question(question_id)
        moderator = permissions.can_moderate(actor, session)
        own_panelist = (
            Panelist.objects.filter(session=session, user=actor).first()
            if getattr(actor, "is_authenticated", False)
            else None
        )
        if not moderator and own_panelist is None:
            raise PermissionDenied(_("Only moderators and panelists can answer."))
        _check_question_transition(session, question, "answer")
        if moderator and panelist_id is not None:
            panelist = Panelist.objects.filter(session=session, pk=panelist_id).first()
            if panelist is None:
                raise ValidationError({"panelist": [_("Choose a panelist of this session.")]})
        else:
            panelist = own_panelist
        if kind not in (None, *AnswerKind.values):
            raise ValidationError({"kind": [_("Unknown kind of answer.")]})
        question.answer_kind = kind or (AnswerKind.TYPED if own_panelist and not moderator else AnswerKind.SUMMARY)
        question.answer_text = text
        question.answered_by = _actor_or_none(actor)
        question.answered_by_panelist = panelist
        question.answered_at = timezone.now()
        question.status = Q.ANSWERED
        question.save(
            update_fields=["answer_kind", "answer_text", "answered_by", "answered_by_panelist", "answered_at", "status"]
        )
        _emit(session, "question.answered", {"question": payloads.question_payload(question)}, actor=actor)
    return question


def participant_mute(*, question_id: int, actor, reason: str = "") -> Mute:
    """Silence the asker of a question for the rest of the session; their waiting questions are rejected."""
    with transaction.atomic():
        session, question = _lock_question(question_id)
        _require_moderator(actor, session)
        if not question.asker_key:
            raise ValidationError({"question": [_("The asker of this question cannot be identified.")]})
        mute, created = Mute.objects.get_or_create(
            session=session,
            participant_key=question.asker_key,
            defaults={
                "display_name": question.display_name,
                "reason": nfc(reason)[:255],
                "created_by": _actor_or_none(actor),
            },
        )
        if created:
            for pending in LiveQuestion.objects.select_for_update(no_key=True).filter(
                session=session, asker_key=question.asker_key, status=Q.PENDING
            ):
                pending.status = Q.REJECTED
                pending.rejection_reason = _("Participant muted")
                pending.save(update_fields=["status", "rejection_reason"])
                _question_changed(session, pending, actor=actor, was_public=False)
            _emit(
                session,
                "participant.muted",
                {"question_id": question.pk, "name": question.display_name},
                scope=EventScope.MODERATORS,
                actor=actor,
            )
    return mute


# --- Announcements ------------------------------------------------------------------------------


def _sniff_image(upload: UploadedFile) -> str | None:
    upload.seek(0)
    head = upload.read(12)
    upload.seek(0)
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    return None


def announcement_post(
    *, session_id: int, actor, text: str, photo: UploadedFile | None = None, photo_alt: str = ""
) -> Announcement:
    """A short notice with an optional photo (JPEG or PNG, checked by content) into everyone's stream."""
    text = nfc(text)
    photo_alt = nfc(photo_alt)
    errors: dict[str, list] = {}
    if not text:
        errors.setdefault("text", []).append(_("Enter the announcement."))
    elif len(text) > ANNOUNCEMENT_MAX:
        errors.setdefault("text", []).append(
            _("An announcement can be at most %(max)d characters.") % {"max": ANNOUNCEMENT_MAX}
        )
    if len(photo_alt) > 200:
        errors.setdefault("photo_alt", []).append(_("The description can be at most 200 characters."))
    if photo is not None:
        if photo.size > PHOTO_MAX_BYTES:
            errors.setdefault("photo", []).append(_("The photo can be at most 5 MB."))
        elif _sniff_image(photo) is None:
            errors.setdefault("photo", []).append(_("The photo must be a JPEG or PNG image."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        session = _lock_session(session_id)
        _require_moderator(actor, session)
        if session.status not in (S.OPEN, S.LIVE, S.SCHEDULED):
            raise TransitionNotAllowed(_("Announcements can only be posted before or during the session."))
        announcement = Announcement(
            session=session, text=text, photo_alt=photo_alt, created_by=_actor_or_none(actor), created_at=timezone.now()
        )
        if photo is not None:
            announcement.photo.save(photo.name or "photo", photo, save=False)
        announcement.save()
        _emit(session, "announcement", {"announcement": payloads.announcement_payload(announcement)}, actor=actor)
    return announcement


# --- After the session: into the agency's Q&A queue -------------------------------------------


def _question_title(text: str) -> str:
    first_line = " ".join(text.split())
    if len(first_line) <= 120:
        return first_line
    return first_line[:119].rsplit(" ", 1)[0] + "…"


def live_question_forward(*, question_id: int, actor, topic_id: int | None = None) -> Question:
    """Send an approved question not answered live into the host agency's Q&A queue.

    It becomes an ordinary question (channel "dialogue") through
    qa.services.question_submit, so deadlines, the confirmation e-mail and the
    tracking link follow the normal Q&A flow; it is linked to the live question.
    """
    with transaction.atomic():
        session, question = _lock_question(question_id)
        _require_moderator(actor, session)
        if session.status not in (S.ENDED, S.TRANSCRIPT_PUBLISHED):
            raise TransitionNotAllowed(_("Questions are sent to the Q&A queue after the session ends."))
        if question.status != Q.APPROVED:
            raise TransitionNotAllowed(
                _("Only approved questions that were not answered can be sent."), current_state=question.status
            )
        if question.forwarded_question_id:
            raise TransitionNotAllowed(_("This question has already been sent."), code="already_forwarded")
        asker = question.asker
        email = question.asker_email or (asker.email if asker else "")
        if not email:
            raise ValidationError(
                {"question": [_("The asker left no e-mail address, so the answer cannot reach them.")]}
            )
        topic = Topic.objects.filter(pk=topic_id, is_active=True).first() if topic_id else session.topic
        if topic is None:
            raise ValidationError({"topic": [_("Choose the topic of the question.")]})
        name = question.display_name or (asker.get_full_name() if asker else "") or _("Dialogue participant")
        submitted = question_submit(
            agency=session.agency,
            topic=topic,
            title=_question_title(question.text),
            body=question.text,
            asker_type=AskerType.INDIVIDUAL,
            name=name[:150],
            email=email,
            user=asker,
            channel=Channel.DIALOGUE,
            language=getattr(asker, "language", "") or settings.LANGUAGE_CODE,
        )
        question.forwarded_question = submitted
        question.forwarded_at = timezone.now()
        question.save(update_fields=["forwarded_question", "forwarded_at"])
        _emit(session, "question.forwarded", {"question": payloads.question_payload(question)}, actor=actor)
    return submitted


@dataclass
class ForwardResult:
    sent: list[int] = field(default_factory=list)  # live question ids
    skipped: dict[int, str] = field(default_factory=dict)  # id → reason


def live_questions_forward_all(*, session_id: int, actor, topic_id: int | None = None) -> ForwardResult:
    """Send every approved, unanswered, not yet sent question; each in its own transaction.

    One that cannot go (no e-mail, the asker's rate limit) is reported and the rest still go.
    """
    session = DialogueSession.objects.select_related("agency").filter(pk=session_id).first()
    if session is None:
        raise ObjectDoesNotExist(_("This session does not exist."))
    _require_moderator(actor, session)
    result = ForwardResult()
    ids = LiveQuestion.objects.filter(session=session, status=Q.APPROVED, forwarded_question__isnull=True).values_list(
        "pk", flat=True
    )
    for pk in list(ids):
        try:
            live_question_forward(question_id=pk, actor=actor, topic_id=topic_id)
        except ValidationError as exc:
            result.skipped[pk] = " ".join(exc.messages)
        except (RateLimited, TransitionNotAllowed) as exc:
            result.skipped[pk] = str(exc.message)
        else:
            result.sent.append(pk)
    return result


# --- "Remind me" --------------------------------------------------------------------------------


def subscription_create(
    *, session_id: int, user=None, email: str = "", language: str = "vi", client_ip: str | None = None
) -> Subscription:
    """Ask to be reminded before an upcoming session (idempotent per user or address)."""
    session = DialogueSession.objects.filter(pk=session_id).first()
    if session is None:
        raise ObjectDoesNotExist(_("This session does not exist."))
    if session.status not in (S.SCHEDULED, S.OPEN):
        raise TransitionNotAllowed(_("Reminders are only for sessions that have not started yet."))
    is_user = getattr(user, "is_authenticated", False)
    address = nfc(email).lower()
    if not is_user:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"email": [_("Enter a valid e-mail address, for example ten@example.vn.")]}) from None
        if client_ip:
            ratelimit.hit("dlg-remind-ip", client_ip, "20/h")
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with transaction.atomic():
        if is_user:
            subscription, _created = Subscription.objects.get_or_create(
                session=session, user=user, defaults={"language": language}
            )
        else:
            subscription, _created = Subscription.objects.get_or_create(
                session=session, email=address, user=None, defaults={"language": language}
            )
    return subscription


def subscription_mark_reminded(*, subscription_id: int) -> bool:
    """Called by the notifications app after sending; False if it was already marked (sent once)."""
    return bool(
        Subscription.objects.filter(pk=subscription_id, reminded_at__isnull=True).update(reminded_at=timezone.now())
    )
