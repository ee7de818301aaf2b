"""The answer: drafting with revisions, review, and sending it to the asker.

Same contract as qa.services.moderation: one transaction, the question row
locked first (every writer of an answer locks its question, so the answer row
needs no lock of its own), the role checked in the question's agency through
qa.workflow, e-mails after commit.

Drafts use optimistic concurrency on Answer.version: a save made on an older
version is refused with StaleAnswer, which carries the newer text, so an
official's edit is never silently overwritten and the other one's never lost.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from core.errors import TransitionNotAllowed

from .. import workflow
from ..files import validate_attachments
from ..models import Answer, AnswerRevision, Attachment, Question
from ..permissions import staff_roles_or_deny
from ..sanitize import clean_answer_html, html_to_text
from ..text import nfc
from .groups import group_answer_members, group_members_to_answer
from .moderation import NOTE_MAX, lock_question, optional_text, required_text, tell_asker, tell_staff

ANSWER_MAX = 50000
SIGNED_BY_MAX = 255


class StaleAnswer(TransitionNotAllowed):
    """A draft saved on an older version: carries the newer one so the editor can compare and merge."""

    default_message = gettext_lazy(
        "Someone saved a newer version of this answer while you were editing. "
        "Your text was not saved: compare it with the newer version below."
    )

    def __init__(self, *, answer: Answer, current_state: str):
        self.current_version = answer.version
        self.current_body = answer.body
        self.current_author = answer.author.get_full_name() if answer.author is not None else ""
        self.updated_at = answer.updated_at
        super().__init__(code="stale_version", current_state=current_state)


def _answer_of(question: Question) -> Answer | None:
    return Answer.objects.filter(question=question).select_related("author").first()


def _require_answer_text(question: Question) -> Answer:
    answer = _answer_of(question)
    if answer is None or not html_to_text(answer.body):
        raise TransitionNotAllowed(
            _("Write and save the answer first."), code="no_answer", current_state=question.status
        )
    return answer


def answer_draft_save(
    *,
    actor: User,
    question: Question,
    body: str,
    expected_version: int | None,
    signed_by: str | None = None,
    attachments: list[UploadedFile] | None = None,
) -> Answer:
    """Save the answer draft (sanitised HTML) as a new revision.

    `expected_version` is the Answer.version the editor started from (None or 0
    when there was no answer yet). Locks the question; raises StaleAnswer when
    someone saved in between. New attachments (official documents) are added.
    """
    attachments = attachments or []
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "save_draft", roles=roles)
        answer = _answer_of(locked)
        if answer is not None and expected_version != answer.version:
            raise StaleAnswer(answer=answer, current_state=locked.status)
        clean = clean_answer_html(body)
        if not html_to_text(clean):
            raise ValidationError({"body": [_("Write the answer.")]})
        if len(clean) > ANSWER_MAX:
            raise ValidationError(
                {"body": [_("The answer can be at most %(max)d characters long.") % {"max": ANSWER_MAX}]}
            )
        signature = (
            None if signed_by is None else optional_text(signed_by, field_name="signed_by", max_length=SIGNED_BY_MAX)
        )
        checked = _checked_answer_files(locked, attachments)
        if answer is None:
            answer = Answer.objects.create(
                question=locked, body=clean, author=actor, signed_by=signature or "", version=1
            )
        else:
            answer.body = clean
            answer.author = actor
            answer.version += 1
            answer.approved_by = None
            if signature is not None:
                answer.signed_by = signature
            answer.save()
        AnswerRevision.objects.create(answer=answer, version=answer.version, body=clean, author=actor)
        for upload, content_type in checked:
            Attachment.objects.create(
                question=locked,
                purpose=Attachment.Purpose.ANSWER,
                file=upload,
                original_name=nfc(upload.name)[:255],
                content_type=content_type,
                size=upload.size,
            )
    return answer


def _checked_answer_files(question: Question, files: list[UploadedFile]) -> list:
    if not files:
        return []
    existing = Attachment.objects.filter(question=question, purpose=Attachment.Purpose.ANSWER).count()
    if existing + len(files) > settings.QA_MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": [
                    _("An answer can have at most %(max)d attached files.") % {"max": settings.QA_MAX_ATTACHMENTS}
                ]
            }
        )
    try:
        return validate_attachments(files)
    except ValidationError as exc:
        raise ValidationError({"attachments": exc.messages}) from None


def answer_attachment_remove(*, actor: User, question: Question, attachment_id: int) -> None:
    """Remove a file from the answer while it is still a draft."""
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "save_draft", roles=roles)
        deleted, _rows = Attachment.objects.filter(
            pk=attachment_id, question=locked, purpose=Attachment.Purpose.ANSWER
        ).delete()
        if not deleted:
            raise ValidationError({"attachment": [_("This file is not attached to the answer.")]})


def answer_submit_for_review(
    *,
    actor: User,
    question: Question,
    note: str = "",
    expected_version: int | None = None,
) -> Question:
    """accepted → in review: the agency's reviewers are told after commit."""
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "submit_for_review", roles=roles, expected_version=expected_version)
        answer = _require_answer_text(locked)
        workflow.apply_transition(
            locked,
            "submit_for_review",
            actor=actor,
            roles=roles,
            internal_note=optional_text(note, field_name="note", max_length=NOTE_MAX),
            data={"answer_version": answer.version},
        )
        tell_staff(locked, "review_requested", roles=[workflow.REVIEWER], actor=actor)
    return locked


def answer_approve(
    *,
    actor: User,
    question: Question,
    note: str = "",
    expected_version: int | None = None,
) -> Question:
    """in review → approved: a reviewer signs off the current answer version."""
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "approve", roles=roles, expected_version=expected_version)
        answer = _require_answer_text(locked)
        answer.approved_by = actor
        answer.save(update_fields=["approved_by", "updated_at"])
        workflow.apply_transition(
            locked,
            "approve",
            actor=actor,
            roles=roles,
            internal_note=optional_text(note, field_name="note", max_length=NOTE_MAX),
            data={"answer_version": answer.version},
        )
    return locked


def answer_return(
    *,
    actor: User,
    question: Question,
    comment: str,
    expected_version: int | None = None,
) -> Question:
    """in review / approved → accepted, with the reviewer's comment; the author and assignee are told."""
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "return", roles=roles, expected_version=expected_version)
        text = required_text(
            comment,
            field_name="comment",
            message=_("Say what should change in the answer."),
            max_length=NOTE_MAX,
        )
        answer = _answer_of(locked)
        if answer is not None and answer.approved_by_id:
            answer.approved_by = None
            answer.save(update_fields=["approved_by", "updated_at"])
        workflow.apply_transition(locked, "return", actor=actor, roles=roles, internal_note=text)
        recipients = [uid for uid in (locked.assignee_id, answer.author_id if answer else None) if uid]
        tell_staff(locked, "returned", user_ids=recipients, actor=actor, comment=text)
    return locked


def answer_send(
    *,
    actor: User,
    question: Question,
    signed_by: str | None = None,
    expected_version: int | None = None,
) -> Question:
    """accepted (agencies without review) or approved → answered; the asker gets the answer after commit.

    From `accepted` it is refused with TransitionNotAllowed("review_required")
    when the agency requires review.
    """
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "send", roles=roles, expected_version=expected_version)
        workflow_error = workflow.precondition_error(locked, "send")
        if workflow_error is not None:
            raise workflow_error
        answer = _require_answer_text(locked)
        members = group_members_to_answer(locked)
        now = timezone.now()
        if signed_by is not None:
            answer.signed_by = optional_text(signed_by, field_name="signed_by", max_length=SIGNED_BY_MAX)
        if not answer.signed_by:
            answer.signed_by = locked.agency.name
        answer.sent_at = now
        answer.save(update_fields=["signed_by", "sent_at", "updated_at"])
        locked.answered_at = now
        locked.paused_at = None
        # A group's primary: every member receives the same answer under its own reference (or none does).
        group_answer_members(actor=actor, primary=locked, answer=answer, members=members)
        workflow.apply_transition(locked, "send", actor=actor, roles=roles, data={"answer_version": answer.version})
        tell_asker(
            locked,
            "answered",
            answer_html=answer.body,
            answer_text=html_to_text(answer.body),
            signed_by=answer.signed_by,
        )
    return locked
