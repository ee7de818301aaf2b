"""Reads of the dialogues app: lists, the watcher's stream, snapshots, event replay, transcripts.

Public reads return masked text only. Snapshots are read while the session row
is locked, so the state and the `seq` they carry belong together.
"""

import datetime
from typing import TYPE_CHECKING, TypedDict

from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from . import payloads
from .models import (
    PAST_STATUSES,
    PUBLIC_QUESTION_STATUSES,
    UPCOMING_STATUSES,
    Announcement,
    DialogueSession,
    EventScope,
    LiveQuestion,
    LiveQuestionStatus,
    Mute,
    Panelist,
    SessionEvent,
    SessionStatus,
    Subscription,
    Vote,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def _sessions() -> QuerySet[DialogueSession]:
    return DialogueSession.objects.select_related("agency").prefetch_related(
        Prefetch("panelists", queryset=Panelist.objects.order_by("order", "id"))
    )


def sessions_upcoming() -> QuerySet[DialogueSession]:
    """Live first, then the soonest."""
    return _sessions().filter(status__in=UPCOMING_STATUSES).order_by("scheduled_start", "id")


def sessions_past() -> QuerySet[DialogueSession]:
    return _sessions().filter(status__in=PAST_STATUSES).order_by("-scheduled_start", "-id")


def sessions_all() -> QuerySet[DialogueSession]:
    return _sessions().order_by("-scheduled_start", "-id")


def session_get(pk: int) -> DialogueSession:
    session = _sessions().select_related("topic").filter(pk=pk).first()
    if session is None:
        raise Http404("No such session")
    return session


def public_questions(session: DialogueSession) -> QuerySet[LiveQuestion]:
    return (
        LiveQuestion.objects.filter(session=session, status__in=PUBLIC_QUESTION_STATUSES)
        .select_related("answered_by_panelist")
        .order_by("position", "id")
    )


class MutedAnnotation(TypedDict):
    asker_muted: bool  # the asker's participant key is muted in this session


def pending_questions(session: DialogueSession) -> "QuerySet[WithAnnotations[LiveQuestion, MutedAnnotation]]":
    muted = Mute.objects.filter(session=session, participant_key=OuterRef("asker_key"))
    return (
        LiveQuestion.objects.filter(session=session, status=LiveQuestionStatus.PENDING)
        .annotate(asker_muted=Exists(muted))
        .order_by("created_at", "id")
    )


def moderation_questions(
    session: DialogueSession, status: str | None = None
) -> "QuerySet[WithAnnotations[LiveQuestion, MutedAnnotation]]":
    """Every question of the session with its original text (moderators only)."""
    muted = Mute.objects.filter(session=session, participant_key=OuterRef("asker_key"))
    queryset = (
        LiveQuestion.objects.filter(session=session)
        .select_related("answered_by_panelist")
        .annotate(asker_muted=Exists(muted))
        .order_by("position", "id")
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def announcements(session: DialogueSession) -> QuerySet[Announcement]:
    return Announcement.objects.filter(session=session).order_by("created_at", "id")


def voted_question_ids(session: DialogueSession, voter_key: str) -> set[int]:
    if not voter_key:
        return set()
    return set(
        Vote.objects.filter(question__session=session, voter_key=voter_key).values_list("question_id", flat=True)
    )


def stream(session: DialogueSession) -> dict:
    """The watcher's page without JavaScript: banner, waiting and answered questions, announcements."""
    questions = list(public_questions(session))
    answering = [q for q in questions if q.status == LiveQuestionStatus.ANSWERING]
    waiting = [q for q in questions if q.status == LiveQuestionStatus.APPROVED]
    answered = sorted(
        (q for q in questions if q.status == LiveQuestionStatus.ANSWERED),
        key=lambda q: (q.answered_at or q.created_at, q.pk),
        reverse=True,
    )
    return {
        "answering": answering[0] if answering else None,
        "waiting": waiting,
        "answered": answered,
        "announcements": list(announcements(session).order_by("-created_at", "-id")),
    }


def events_after(
    session_id: int, after: int, *, scope: str = EventScope.PUBLIC, limit: int = 500
) -> list[SessionEvent]:
    return list(SessionEvent.objects.filter(session_id=session_id, scope=scope, seq__gt=after).order_by("seq")[:limit])


def events_between(session_id: int, scope: str, after: int, before: int) -> list[SessionEvent]:
    return list(
        SessionEvent.objects.filter(session_id=session_id, scope=scope, seq__gt=after, seq__lt=before).order_by("seq")
    )


def recent_events(session_id: int, count: int) -> tuple[int, int, list[SessionEvent]]:
    """(last public seq, last moderators' seq, the last `count` public events in order): a hub room's start."""
    row = DialogueSession.objects.filter(pk=session_id).values_list("last_seq", "last_mod_seq").first()
    if row is None:
        return 0, 0, []
    last_seq, last_mod_seq = row
    events = list(
        SessionEvent.objects.filter(
            session_id=session_id, scope=EventScope.PUBLIC, seq__gt=max(last_seq - count, 0), seq__lte=last_seq
        ).order_by("seq")
    )
    return last_seq, last_mod_seq, events


def replay(session_id: int, after: int, limit: int) -> tuple[int, list[SessionEvent] | None]:
    """(current seq, the public events after `after`), or (current seq, None) when `after` is unknown or too old."""
    current = DialogueSession.objects.filter(pk=session_id).values_list("last_seq", flat=True).first() or 0
    if after > current or current - after > limit:
        return current, None
    return current, events_after(session_id, after, limit=limit)


def snapshot(session_id: int) -> dict:
    """The public state with the seq it belongs to (the session row is locked while reading)."""
    with transaction.atomic():
        session = (
            DialogueSession.objects.select_for_update(no_key=True, of=("self",))
            .select_related("agency")
            .get(pk=session_id)
        )
        questions = [payloads.question_payload(q) for q in public_questions(session)]
        notices = [payloads.announcement_payload(a) for a in announcements(session)]
    return {
        "seq": session.last_seq,
        "session": payloads.session_payload(session),
        "questions": questions,
        "announcements": notices,
    }


def moderation_snapshot(session_id: int) -> dict:
    """Pending questions and mutes with the moderators' seq they belong to."""
    with transaction.atomic():
        session = DialogueSession.objects.select_for_update(no_key=True, of=("self",)).get(pk=session_id)
        pending = [payloads.question_moderator_payload(q, muted=q.asker_muted) for q in pending_questions(session)]
        muted = list(Mute.objects.filter(session=session).order_by("created_at").values("display_name", "created_at"))
    return {
        "seq": session.last_mod_seq,
        "pending": pending,
        "muted": [{"name": m["display_name"], "at": m["created_at"].isoformat()} for m in muted],
    }


def transcript(session: DialogueSession) -> list[LiveQuestion]:
    """Answered questions in the order they were answered."""
    return list(
        LiveQuestion.objects.filter(session=session, status=LiveQuestionStatus.ANSWERED)
        .select_related("answered_by_panelist")
        .order_by("answered_at", "id")
    )


def reminders_due(*, within: datetime.timedelta = datetime.timedelta(hours=1)) -> QuerySet[Subscription]:
    """Subscriptions of sessions starting within `within` that have not been reminded (for notifications)."""
    now = timezone.now()
    return Subscription.objects.filter(
        reminded_at__isnull=True,
        session__status__in=(SessionStatus.SCHEDULED, SessionStatus.OPEN),
        session__scheduled_start__gt=now,
        session__scheduled_start__lte=now + within,
    ).select_related("session", "session__agency", "user")
