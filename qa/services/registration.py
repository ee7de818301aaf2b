"""Questions received by phone, paper letter or e-mail, typed in by staff on the asker's behalf.

So every question lives in one system: a registered question gets a reference
code, enters the agency's queue as `submitted` with its channel recorded, and
runs the same clocks as one asked on the web. The event names the official who
registered it.
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Agency, User

from .. import workflow
from ..deadlines import transfer_due_date
from ..models import AskerContact, Attachment, Channel, Question, QuestionStatus, Topic
from ..permissions import can_register, staff_roles
from ..personal_data import public_copy
from ..text import nfc
from .moderation import STAFF_FOR_NEW_QUESTIONS, optional_text, tell_asker, tell_staff
from .submission import next_reference, validate_question_input, validated_agency_topic

REGISTER_CHANNELS = (Channel.PHONE, Channel.PAPER, Channel.EMAIL)
# Letters and calls often come without an e-mail address; validate_question_input
# requires one, so a reserved (RFC 2606) address stands in during validation only.
_NO_EMAIL = "khong-co-email@example.invalid"


def question_register(
    *,
    actor: User,
    agency: Agency | None,
    topic: Topic | None,
    channel: str,
    title: str,
    body: str,
    asker_type: str,
    name: str,
    email: str = "",
    phone: str = "",
    address: str = "",
    organisation_name: str = "",
    tax_code: str = "",
    consent_to_publish: bool = False,
    attachments: list[UploadedFile] | None = None,
    received_on: datetime.date | None = None,
    language: str = "vi",
    note: str = "",
    place: str = "",
) -> Question:
    """Register a question received outside the web form; it enters the queue as `submitted`.

    The actor must be a moderator or admin of the agency. Without an e-mail
    address (phone, paper) a phone number or a postal address is required, and
    the asker gets no e-mails: staff reply by the channel the question came in.
    `received_on` (default today) starts the transfer clock. `place`: the code of the asker's commune-level
    unit (optional; one in force today), as on the web form.
    """
    if agency is not None and not can_register(actor, agency):
        raise PermissionDenied(_("Only moderators of this agency register questions on behalf of askers."))
    errors: dict[str, list] = {}
    if channel not in REGISTER_CHANNELS:
        errors["channel"] = [_("Say how the question was received: phone, paper letter or e-mail.")]
    email = nfc(email)
    if not email and channel == Channel.EMAIL:
        errors.setdefault("email", []).append(_("Enter the e-mail address the question came from."))
    today = timezone.localdate()
    if received_on is not None and received_on > today:
        errors["received_on"] = [_("The date of receipt cannot be in the future.")]
    cleaned: dict[str, Any]
    try:
        cleaned = validate_question_input(
            agency=agency,
            topic=topic,
            title=title,
            body=body,
            asker_type=asker_type,
            name=name,
            email=email or _NO_EMAIL,
            phone=phone,
            address=address,
            organisation_name=organisation_name,
            tax_code=tax_code,
            attachments=attachments or [],
            place=place,
        )
    except ValidationError as exc:
        for field_name, messages in exc.message_dict.items():
            errors.setdefault(field_name, []).extend(messages)
        cleaned = {}  # with errors: refused below
    if not email and not nfc(phone) and not nfc(address):
        errors.setdefault("phone", []).append(
            _("Enter the asker's e-mail address, phone number or postal address so the agency can reply.")
        )
    if errors:
        raise ValidationError(errors)
    agency, topic = validated_agency_topic(agency, topic)
    internal = optional_text(note, field_name="note", max_length=5000)

    now = timezone.now()
    received_date = received_on or today
    received_at = (
        now
        if received_date == today
        else timezone.make_aware(datetime.datetime.combine(received_date, datetime.time(8, 0)))
    )
    contact = AskerContact(
        name=cleaned["name"],
        email=cleaned["email"] if email else "",
        phone=cleaned["phone"],
        address=cleaned["address"],
        organisation_name=cleaned["organisation_name"] if asker_type == "organisation" else "",
        tax_code=cleaned["tax_code"] if asker_type == "organisation" else "",
    )
    public_title, public_body = public_copy(cleaned["title"], cleaned["body"], contact)
    with transaction.atomic():
        question = Question.objects.create(
            reference=next_reference(agency, received_date.year),
            agency=agency,
            topic=topic,
            status=QuestionStatus.UNVERIFIED,
            title=cleaned["title"],
            body=cleaned["body"],
            public_title=public_title,
            public_body=public_body,
            asker_type=asker_type,
            consent_to_publish=bool(consent_to_publish),
            channel=channel,
            language=language if language in ("vi", "en") else "vi",
            received_at=received_at,
            transfer_due_date=transfer_due_date(received_date),
            place=cleaned["place"],
            created_at=now,
        )
        contact.question = question
        contact.save(force_insert=True)
        for upload, content_type in cleaned["attachments"]:
            Attachment.objects.create(
                question=question,
                file=upload,
                original_name=nfc(upload.name)[:255],
                content_type=content_type,
                size=upload.size,
            )
        workflow.apply_transition(
            question,
            "register",
            actor=actor,
            roles=staff_roles(actor, agency),
            internal_note=internal,
            data={"channel": channel, "received_on": received_date.isoformat()},
        )
        tell_asker(question, "received")
        tell_staff(
            question,
            "new_question",
            roles=STAFF_FOR_NEW_QUESTIONS,
            actor=actor,
            transfer_due_date=question.transfer_due_date,
        )
    return question
