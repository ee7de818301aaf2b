"""What the asker does after the fact, from the tracking page: reply, rate, ask a follow-up.

The asker proves who they are with the question's tracking token (or, when
logged in, by being the question's account). Each service locks the question,
checks the move against qa.workflow with the ASKER pseudo-role, and tells the
agency's staff after commit.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ratelimit
from accounts.models import User
from core.errors import TransitionNotAllowed

from .. import workflow
from ..deadlines import extend_for_pause
from ..files import validate_attachments
from ..models import AskerContact, AskerReply, Attachment, Channel, Question
from ..personal_data import public_copy
from ..text import nfc
from .moderation import STAFF_FOR_NEW_QUESTIONS, lock_question, optional_text, required_text, tell_staff
from .submission import check_tracking_token, mark_received, next_reference, validate_question_input

REPLY_MAX = 5000
RATING_COMMENT_MAX = 2000
# The contact data a follow-up question copies from the answered one.
CONTACT_FIELDS = ("name", "email", "phone", "address", "organisation_name", "tax_code")


def asker_roles(question: Question, *, token: str | None = None, user: User | AnonymousUser | None = None) -> set[str]:
    """{ASKER} for the holder of the tracking token or the question's own account; refused otherwise."""
    if check_tracking_token(question, token):
        return {workflow.ASKER}
    if (
        isinstance(user, User)
        and user.is_authenticated
        and question.asker_id is not None
        and question.asker_id == user.pk
    ):
        return {workflow.ASKER}
    raise TransitionNotAllowed(_("The tracking link is not valid."), code="bad_token")


def question_receive_information(
    *,
    question: Question,
    body: str,
    attachments: list[UploadedFile] | None = None,
    token: str | None = None,
    user: User | AnonymousUser | None = None,
) -> AskerReply:
    """The asker's reply to a request for information: information requested → accepted.

    The answer deadline moves back by the working days spent waiting. Locks the
    question; the assignee (or, if none, the moderators) are told after commit.
    """
    with transaction.atomic():
        locked = lock_question(question)
        roles = asker_roles(locked, token=token, user=user)
        workflow.authorize(locked, "receive_information", roles=roles)
        text = required_text(body, field_name="body", message=_("Write your reply."), max_length=REPLY_MAX)
        try:
            checked = validate_attachments(attachments or [])
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from None
        reply = AskerReply.objects.create(question=locked, body=text)
        for upload, content_type in checked:
            Attachment.objects.create(
                question=locked,
                reply=reply,
                purpose=Attachment.Purpose.REPLY,
                file=upload,
                original_name=nfc(upload.name)[:255],
                content_type=content_type,
                size=upload.size,
            )
        now = timezone.now()
        locked.due_date, paused_days = extend_for_pause(locked.due_date, locked.paused_at, now)
        locked.paused_at = None
        workflow.apply_transition(
            locked,
            "receive_information",
            roles=roles,
            actor=user,
            data={
                "reply_id": reply.pk,
                "paused_working_days": paused_days,
                "due_date": locked.due_date.isoformat() if locked.due_date else None,
            },
        )
        if locked.assignee_id:
            tell_staff(locked, "reply_received", user_ids=[locked.assignee_id])
        else:
            tell_staff(locked, "reply_received", roles=STAFF_FOR_NEW_QUESTIONS)
    return reply


def question_rate(
    *,
    question: Question,
    satisfied: bool,
    comment: str = "",
    token: str | None = None,
    user: User | AnonymousUser | None = None,
) -> Question:
    """The asker rates the answer once (satisfied or not, with an optional comment for the agency)."""
    with transaction.atomic():
        locked = lock_question(question)
        roles = asker_roles(locked, token=token, user=user)
        workflow.authorize(locked, "rate", roles=roles)
        if locked.rated_at is not None:
            raise TransitionNotAllowed(
                _("You have already rated this answer. Thank you!"), code="already_rated", current_state=locked.status
            )
        locked.rating_satisfied = bool(satisfied)
        locked.rating_comment = optional_text(comment, field_name="comment", max_length=RATING_COMMENT_MAX)
        locked.rated_at = timezone.now()
        workflow.apply_transition(locked, "rate", roles=roles, actor=user, data={"satisfied": bool(satisfied)})
    return locked


def question_follow_up(
    *,
    question: Question,
    title: str,
    body: str,
    attachments: list[UploadedFile] | None = None,
    consent_to_publish: bool = False,
    token: str | None = None,
    user: User | AnonymousUser | None = None,
    client_ip: str | None = None,
) -> Question:
    """A new question linked to an answered one, from the same asker to the same agency and topic.

    The token proves the asker's e-mail, so the follow-up enters the queue at
    once (no confirmation). Rate-limited like asking. Returns the new question.
    """
    with transaction.atomic():
        original = lock_question(question)
        roles = asker_roles(original, token=token, user=user)
        workflow.authorize(original, "follow_up", roles=roles)
        contact = AskerContact.objects.get(question=original)
        # The follow-up keeps the asker's contact data as it is on the answered question.
        contact_fields = {name: getattr(contact, name) for name in CONTACT_FIELDS}
        cleaned = validate_question_input(
            agency=original.agency,
            topic=original.topic,
            title=title,
            body=body,
            asker_type=original.asker_type,
            attachments=attachments or [],
            **contact_fields,
        )
        if client_ip:
            ratelimit.hit("ask-ip", client_ip, settings.QA_SUBMIT_RATE_PER_IP)
        ratelimit.hit("ask-email", cleaned["email"], settings.QA_SUBMIT_RATE_PER_EMAIL)
        now = timezone.now()
        follow_up_contact = AskerContact(**contact_fields, email_verified_at=now if contact.email_verified_at else None)
        public_title, public_body = public_copy(cleaned["title"], cleaned["body"], follow_up_contact)
        follow_up = Question.objects.create(
            reference=next_reference(original.agency, timezone.localdate(now).year),
            agency=original.agency,
            topic_id=original.topic_id,
            title=cleaned["title"],
            body=cleaned["body"],
            public_title=public_title,
            public_body=public_body,
            asker_type=original.asker_type,
            asker_id=original.asker_id,
            consent_to_publish=bool(consent_to_publish),
            channel=Channel.WEB,
            language=original.language,
            follow_up_of=original,
            created_at=now,
        )
        follow_up_contact.question = follow_up
        follow_up_contact.save(force_insert=True)
        for upload, content_type in cleaned["attachments"]:
            Attachment.objects.create(
                question=follow_up,
                file=upload,
                original_name=nfc(upload.name)[:255],
                content_type=content_type,
                size=upload.size,
            )
        mark_received(follow_up, roles={workflow.ASKER})
        tell_staff(
            follow_up,
            "new_question",
            roles=STAFF_FOR_NEW_QUESTIONS,
            follow_up_of=original.reference,
            transfer_due_date=follow_up.transfer_due_date,
        )
        workflow.apply_transition(
            original, "follow_up", roles=roles, actor=user, data={"follow_up": follow_up.reference}
        )
    return follow_up
