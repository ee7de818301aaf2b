"""After the session: approved questions not answered live go into the host agency's Q&A queue."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import RateLimited, TransitionNotAllowed
from qa.models import AskerType, Channel, Question, Topic
from qa.services.submission import question_submit

from .. import events, payloads, workflow
from ..models import DialogueSession, LiveQuestion
from ..models import LiveQuestionStatus as Q
from .common import Actor, lock_question, require_moderator


def _question_title(text: str) -> str:
    first_line = " ".join(text.split())
    if len(first_line) <= 120:
        return first_line
    return first_line[:119].rsplit(" ", 1)[0] + "…"


def live_question_forward(*, question_id: int, actor: Actor, topic_id: int | None = None) -> Question:
    """Send an approved question not answered live into the host agency's Q&A queue.

    It becomes an ordinary question (channel "dialogue") through
    qa.services.question_submit, so deadlines, the confirmation e-mail and the
    tracking link follow the normal Q&A flow; it is linked to the live question.
    """
    with transaction.atomic():
        session, question = lock_question(question_id)
        require_moderator(actor, session)
        workflow.check_session(session, "forward_questions")
        workflow.check_question(session, question, "forward")
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
        events.emit(session, "question.forwarded", {"question": payloads.question_payload(question)}, actor=actor)
    return submitted


@dataclass
class ForwardResult:
    sent: list[int] = field(default_factory=list)  # live question ids
    skipped: dict[int, str] = field(default_factory=dict)  # id → reason


def live_questions_forward_all(*, session_id: int, actor: Actor, topic_id: int | None = None) -> ForwardResult:
    """Send every approved, unanswered, not yet sent question; each in its own transaction.

    One that cannot go (no e-mail, the asker's rate limit) is reported and the rest still go.
    """
    session = DialogueSession.objects.select_related("agency").filter(pk=session_id).first()
    if session is None:
        raise ObjectDoesNotExist(_("This session does not exist."))
    require_moderator(actor, session)
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
