"""The session's event stream: number, store and (after commit) publish what watchers see.

Every change that watchers or moderators see is one SessionEvent of a locked
session, numbered by the session's `last_seq` (public) or `last_mod_seq`
(moderators), written in the caller's transaction and handed to the hub only
after commit. The workflow and the services both write through here, so the
numbering and the audience rules live in one place.
"""

from functools import partial

from django.db import transaction
from django.utils import timezone

from . import hub, payloads
from .models import DialogueSession, EventScope, LiveQuestion, SessionEvent
from .models import LiveQuestionStatus as Q


def emit(
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
    # Looked up at commit time (not bound now), so a replaced publisher (the benchmark's group design) is used.
    transaction.on_commit(partial(_publish, session.pk, scope, seq, payloads.encode_event(event)))
    return event


def _publish(session_id: int, scope: str, seq: int, frame: bytes) -> None:
    hub.publish_event(session_id, scope, seq, frame)


def question_changed(session: DialogueSession, question: LiveQuestion, *, actor, was_public: bool) -> SessionEvent:
    """Tell the right audience about a change: everyone for public questions, else moderators only."""
    if question.is_public:
        type_ = "question.approved" if not was_public else "question.updated"
        return emit(session, type_, {"question": payloads.question_payload(question)}, actor=actor)
    if was_public:
        return emit(session, "question.removed", {"id": question.pk}, actor=actor)
    return emit(
        session,
        "question.updated" if question.status == Q.PENDING else "question.rejected",
        {"question": payloads.question_moderator_payload(question)},
        scope=EventScope.MODERATORS,
        actor=actor,
    )
