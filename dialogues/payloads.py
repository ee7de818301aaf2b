"""What the socket, the events API and the snapshot say about sessions, questions and announcements.

One builder per object, shared by the services (events), the selectors
(snapshots) and the API, so a question looks the same wherever a client meets it.
Public builders never include the asker's account, e-mail or original text.
"""

import orjson

from . import video
from .models import Announcement, DialogueSession, EventScope, LiveQuestion, SessionEvent


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def session_payload(session: DialogueSession) -> dict:
    shown = video.classify(session.video_url)
    return {
        "id": session.pk,
        "title": session.title,
        "status": session.status,
        "questions_open": session.accepts_questions,
        "scheduled_start": _iso(session.scheduled_start),
        "scheduled_end": _iso(session.scheduled_end),
        "started_at": _iso(session.started_at),
        "ended_at": _iso(session.ended_at),
        "video": shown.as_dict() if shown else None,
    }


def answer_payload(question: LiveQuestion) -> dict | None:
    if not question.answer_text:
        return None
    panelist = question.answered_by_panelist
    return {
        "text": question.answer_text,
        "kind": question.answer_kind,
        "by": {"name": panelist.name, "position": panelist.position} if panelist else None,
        "at": _iso(question.answered_at),
    }


def question_payload(question: LiveQuestion) -> dict:
    """The public view of a question (masked text and name)."""
    return {
        "id": question.pk,
        "text": question.public_text,
        "name": question.public_name,  # "" for an anonymous asker: clients show "Guest" in their language
        "status": question.status,
        "votes": question.vote_count,
        "position": question.position,
        "asked_at": _iso(question.created_at),
        "answer": answer_payload(question),
        "forwarded": question.forwarded_question_id is not None,
    }


def question_moderator_payload(question: LiveQuestion, *, muted: bool = False) -> dict:
    """What moderators see: the public view plus the original text and name, and contact flags (not the contact)."""
    data = question_payload(question)
    data.update(
        {
            "original_text": question.text,
            "original_name": question.display_name,
            "guest": question.asker_id is None,
            "has_email": bool(question.asker_email or question.asker_id),
            "muted": muted,
        }
    )
    return data


def announcement_payload(announcement: Announcement) -> dict:
    return {
        "id": announcement.pk,
        "text": announcement.text,
        "photo": announcement.photo_url,
        "photo_alt": announcement.photo_alt or announcement.text,
        "at": _iso(announcement.created_at),
    }


def event_dict(event: SessionEvent) -> dict:
    data = {"type": event.type, "seq": event.seq, "data": event.payload, "at": _iso(event.created_at)}
    if event.scope == EventScope.MODERATORS:
        data["scope"] = EventScope.MODERATORS.value
    return data


def encode_event(event: SessionEvent) -> bytes:
    """The text frame of an event, encoded once and sent as is to every socket."""
    return orjson.dumps(event_dict(event))


def encode(message: dict) -> str:
    return orjson.dumps(message).decode()
