"""Sessions: schedule one, move it through its states, open or close the ask box, set the video.

The moves themselves (which state allows which) are dialogues.workflow's; this
module adds what each brings along (timestamps, the ask box, the "now answering"
question going back to the list, the subscribers told).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency
from notifications.services import Recipient, notify
from qa.models import Topic
from qa.text import nfc

from .. import events, payloads, permissions, video, workflow
from ..models import DialogueSession, LiveQuestion, Panelist, Subscription
from ..models import LiveQuestionStatus as Q
from .common import Actor, actor_or_none, lock_session, require_moderator


@dataclass
class PanelistInput:
    name: str
    position: str = ""
    user_id: int | None = None


def session_create(
    *,
    agency: Agency,
    actor: Actor,
    title: str,
    scheduled_start: datetime.datetime,
    scheduled_end: datetime.datetime,
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
            created_by=actor_or_none(actor),
        )
        for order, panelist in enumerate(panelists or []):
            Panelist.objects.create(
                session=session,
                name=nfc(panelist.name)[:150],
                position=nfc(panelist.position)[:255],
                user_id=panelist.user_id,
                order=order,
            )
        workflow.record_session_change(session, "create", from_status="", actor=actor)
    return session


def _session_move(*, session_id: int, actor: Actor, action: str, note: str = "") -> DialogueSession:
    """Move a session through workflow.SESSION_TRANSITIONS, with what each move brings along."""
    with transaction.atomic():
        session = lock_session(session_id)
        require_moderator(actor, session)
        workflow.check_session(session, action)
        now = timezone.now()
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
                workflow.apply_question_transition(session, question, "unmark_answering", actor=actor)
        elif action == "publish_transcript":
            session.transcript_published_at = now
        workflow.apply_session_transition(
            session,
            action,
            actor=actor,
            note=nfc(note)[:1000],
            fields=["questions_open", "started_at", "ended_at", "transcript_published_at"],
            at=now,
        )
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


def session_open(*, session_id: int, actor: Actor) -> DialogueSession:
    return _session_move(session_id=session_id, actor=actor, action="open")


def session_start(*, session_id: int, actor: Actor) -> DialogueSession:
    return _session_move(session_id=session_id, actor=actor, action="start")


def session_end(*, session_id: int, actor: Actor) -> DialogueSession:
    return _session_move(session_id=session_id, actor=actor, action="end")


def session_publish_transcript(*, session_id: int, actor: Actor) -> DialogueSession:
    return _session_move(session_id=session_id, actor=actor, action="publish_transcript")


def session_set_questions_open(*, session_id: int, actor: Actor, is_open: bool) -> DialogueSession:
    """Open or close the ask box while the session is open or live."""
    with transaction.atomic():
        session = lock_session(session_id)
        require_moderator(actor, session)
        workflow.check_session(session, "set_questions_open")
        if session.questions_open != is_open:
            session.questions_open = is_open
            session.save(update_fields=["questions_open", "updated_at"])
            events.emit(session, "session.questions", {"session": payloads.session_payload(session)}, actor=actor)
    return session


def session_set_video(*, session_id: int, actor: Actor, video_url: str) -> DialogueSession:
    """Set (or clear, with "") the live video shown above the stream."""
    url = (video_url or "").strip()
    if url:
        video.validate_video_url(url)
    with transaction.atomic():
        session = lock_session(session_id)
        require_moderator(actor, session)
        if session.video_url != url:
            session.video_url = url
            session.save(update_fields=["video_url", "updated_at"])
            events.emit(session, "session.video", {"session": payloads.session_payload(session)}, actor=actor)
    return session
