"""Moderators and panelists: approve, reject, edit, order, "now answering", answer, mute.

Every status change goes through dialogues.workflow on the locked session and
question; this module adds the data each move carries (position, reason,
answer) and the permission checks.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from qa.text import nfc

from .. import events, permissions, profanity, workflow
from ..models import AnswerKind, EventScope, LiveQuestion, Mute, Panelist
from ..models import LiveQuestionStatus as Q
from .common import Actor, actor_or_none, lock_question, lock_session, require_moderator

ANSWER_MAX = 5000


def live_question_approve(*, question_id: int, actor: Actor) -> LiveQuestion:
    """pending → approved: the question joins everyone's stream at the end of the order."""
    with transaction.atomic():
        session, question = lock_question(question_id)
        require_moderator(actor, session)
        workflow.check_question(session, question, "approve")
        top = LiveQuestion.objects.filter(session=session).aggregate(top=Max("position"))["top"] or 0
        question.approved_at = timezone.now()
        question.position = top + 1
        workflow.apply_question_transition(
            session, question, "approve", actor=actor, fields=["approved_at", "position"]
        )
    return question


def live_question_reject(*, question_id: int, actor: Actor, reason: str = "") -> LiveQuestion:
    """pending/approved → rejected; an approved one disappears from every watcher's stream."""
    with transaction.atomic():
        session, question = lock_question(question_id)
        require_moderator(actor, session)
        workflow.check_question(session, question, "reject")
        question.rejection_reason = nfc(reason)[:255]
        workflow.apply_question_transition(session, question, "reject", actor=actor, fields=["rejection_reason"])
    return question


def live_question_edit(*, question_id: int, actor: Actor, text: str) -> LiveQuestion:
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
        session, question = lock_question(question_id)
        require_moderator(actor, session)
        workflow.check_question(session, question, "edit")
        question.public_text = profanity.mask(text)
        question.save(update_fields=["public_text"])
        events.question_changed(session, question, actor=actor, was_public=question.is_public)
    return question


def live_question_reorder(*, session_id: int, actor: Actor, order: list[int]) -> list[int]:
    """Put the listed public questions first, in this order; returns the new full order."""
    with transaction.atomic():
        session = lock_session(session_id)
        require_moderator(actor, session)
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
        events.emit(session, "questions.reordered", {"order": new_order}, actor=actor)
    return new_order


def live_question_mark_answering(*, question_id: int, actor: Actor) -> LiveQuestion:
    """approved → answering ("now answering"); the previous one, if still open, goes back to waiting."""
    with transaction.atomic():
        session, question = lock_question(question_id)
        if not permissions.can_answer(actor, session):
            raise PermissionDenied(_("Only moderators and panelists can do this."))
        workflow.check_question(session, question, "mark_answering")
        for previous in LiveQuestion.objects.select_for_update(no_key=True).filter(session=session, status=Q.ANSWERING):
            workflow.apply_question_transition(session, previous, "unmark_answering", actor=actor)
        workflow.apply_question_transition(session, question, "mark_answering", actor=actor)
    return question


def live_question_answer(
    *, question_id: int, actor: Actor, text: str, kind: str | None = None, panelist_id: int | None = None
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
        session, question = lock_question(question_id)
        moderator = permissions.can_moderate(actor, session)
        own_panelist = Panelist.objects.filter(session=session, user=actor).first() if isinstance(actor, User) else None
        if not moderator and own_panelist is None:
            raise PermissionDenied(_("Only moderators and panelists can answer."))
        workflow.check_question(session, question, "answer")
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
        question.answered_by = actor_or_none(actor)
        question.answered_by_panelist = panelist
        question.answered_at = timezone.now()
        workflow.apply_question_transition(
            session,
            question,
            "answer",
            actor=actor,
            fields=["answer_kind", "answer_text", "answered_by", "answered_by_panelist", "answered_at"],
        )
    return question


def participant_mute(*, question_id: int, actor: Actor, reason: str = "") -> Mute:
    """Silence the asker of a question for the rest of the session; their waiting questions are rejected."""
    with transaction.atomic():
        session, question = lock_question(question_id)
        require_moderator(actor, session)
        if not question.asker_key:
            raise ValidationError({"question": [_("The asker of this question cannot be identified.")]})
        mute, created = Mute.objects.get_or_create(
            session=session,
            participant_key=question.asker_key,
            defaults={
                "display_name": question.display_name,
                "reason": nfc(reason)[:255],
                "created_by": actor_or_none(actor),
            },
        )
        if created:
            for pending in LiveQuestion.objects.select_for_update(no_key=True).filter(
                session=session, asker_key=question.asker_key, status=Q.PENDING
            ):
                pending.rejection_reason = _("Participant muted")
                workflow.apply_question_transition(
                    session, pending, "reject_muted", actor=actor, fields=["rejection_reason"]
                )
            events.emit(
                session,
                "participant.muted",
                {"question_id": question.pk, "name": question.display_name},
                scope=EventScope.MODERATORS,
                actor=actor,
            )
    return mute
