"""Watchers: asking a question and voting for one.

Both are rate-limited per participant (account, browser or address). A question
waits for a moderator; a vote writes no SessionEvent (counts reach watchers
coalesced by the hub).
"""

from functools import partial

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import ratelimit
from core.errors import DomainError, TransitionNotAllowed
from qa.text import nfc

from .. import events, hub, payloads, profanity, workflow
from ..models import DialogueSession, EventScope, LiveQuestion, Mute, Vote
from .common import Actor, actor_or_none, lock_session, participant_key


def live_question_ask(
    *,
    session_id: int,
    actor: Actor,
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
        session = lock_session(session_id)
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
            asker=actor_or_none(actor),
            asker_email=email,
            asker_key=key,
            created_at=timezone.now(),
        )
        events.emit(
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


def live_question_vote(*, question_id: int, actor: Actor, browser_key: str = "") -> int:
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
        workflow.check_question(question.session, question, "vote")
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
