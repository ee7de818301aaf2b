"""Asking a question: validation, reference codes, guest confirmation, withdrawal."""

import re

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from accounts import ratelimit
from accounts.errors import TransitionNotAllowed
from accounts.models import Agency

from .. import workflow
from ..files import validate_attachments
from ..messaging import notify_asker, notify_lost_links
from ..models import AskerContact, AskerType, Attachment, Channel, Question, QuestionStatus, ReferenceSequence, Topic
from ..text import nfc

TITLE_MAX = 200
BODY_MAX = 5000
TAX_CODE_RE = re.compile(r"^\d{10}(-\d{3})?$")
PHONE_RE = re.compile(r"^(\+84|0)\d{8,10}$")
_CONFIRM_SALT = "qa.confirm-email"
# Where anyone can submit, so where the anti-spam limits apply.
PUBLIC_CHANNELS = frozenset({Channel.WEB, Channel.API})


def _clean_phone(phone: str) -> str:
    return re.sub(r"[\s.\-()]", "", phone)


def validate_question_input(
    *,
    agency: Agency | None,
    topic: Topic | None,
    title: str,
    body: str,
    asker_type: str,
    name: str,
    email: str,
    phone: str,
    address: str,
    organisation_name: str,
    tax_code: str,
    attachments: list[UploadedFile],
) -> dict:
    """Check every field; raise ValidationError({field: [messages]}) with all problems at once.

    Returns the cleaned values (NFC text, normalised phone and e-mail).
    """
    errors: dict[str, list] = {}
    cleaned = {
        "title": nfc(title),
        "body": nfc(body),
        "name": nfc(name),
        "email": nfc(email).lower(),
        "phone": _clean_phone(nfc(phone)),
        "address": nfc(address),
        "organisation_name": nfc(organisation_name),
        "tax_code": nfc(tax_code),
    }

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if agency is None or not agency.is_active:
        add("agency", _("Choose the agency you are asking."))
    if topic is None or not topic.is_active:
        add("topic", _("Choose a topic."))
    if not cleaned["title"]:
        add("title", _("Enter a title for your question."))
    elif len(cleaned["title"]) > TITLE_MAX:
        add(
            "title",
            _("The title can be at most %(max)d characters (it has %(n)d).")
            % {"max": TITLE_MAX, "n": len(cleaned["title"])},
        )
    if not cleaned["body"]:
        add("body", _("Enter your question."))
    elif len(cleaned["body"]) > BODY_MAX:
        add(
            "body",
            _("The question can be at most %(max)d characters (it has %(n)d).")
            % {"max": BODY_MAX, "n": len(cleaned["body"])},
        )
    if asker_type not in AskerType.values:
        add("asker_type", _("Say whether you ask as an individual or as an organisation."))
    if not cleaned["name"]:
        add("name", _("Enter your full name."))
    elif len(cleaned["name"]) > 150:
        add("name", _("The name can be at most 150 characters."))
    if not cleaned["email"]:
        add("email", _("Enter your e-mail address: the answer and your tracking link are sent there."))
    else:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            add("email", _("Enter a valid e-mail address, for example ten@example.vn."))
    if cleaned["phone"] and not PHONE_RE.match(cleaned["phone"]):
        add("phone", _("Enter a valid Vietnamese phone number, for example 0912 345 678."))
    if len(cleaned["address"]) > 255:
        add("address", _("The address can be at most 255 characters."))
    if asker_type == AskerType.ORGANISATION:
        if not cleaned["organisation_name"]:
            add("organisation_name", _("Enter the name of the organisation or business."))
        if not cleaned["tax_code"]:
            add("tax_code", _("Enter the tax code of the organisation."))
    if cleaned["tax_code"] and not TAX_CODE_RE.match(cleaned["tax_code"]):
        add("tax_code", _("A tax code has 10 digits, or 10 digits, a dash and 3 digits (e.g. 0201234567-001)."))
    try:
        cleaned["attachments"] = validate_attachments(attachments)
    except ValidationError as exc:
        errors.setdefault("attachments", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def submission_targets(agency_id: int | None, topic_id: int | None) -> tuple[Agency | None, Topic | None]:
    """The agency and topic a submission names, both read in one query (None for an unknown id).

    Whether they may be asked (active) is the service's to say, per field; this only saves the
    submission a round trip and the ORM's work of two lookups.
    """
    quote = connection.ops.quote_name
    agency_columns = [f.column for f in Agency._meta.concrete_fields]
    topic_columns = [f.column for f in Topic._meta.concrete_fields]
    select = ", ".join([*(f"a.{quote(c)}" for c in agency_columns), *(f"t.{quote(c)}" for c in topic_columns)])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {select} FROM (SELECT 1 AS one) AS o "  # noqa: S608 (names from the models)
            f"LEFT JOIN {quote(Agency._meta.db_table)} AS a ON a.{quote(Agency._meta.pk.column)} = %s "
            f"LEFT JOIN {quote(Topic._meta.db_table)} AS t ON t.{quote(Topic._meta.pk.column)} = %s",
            [agency_id, topic_id],
        )
        row = cursor.fetchone()
    agency_values, topic_values = row[: len(agency_columns)], row[len(agency_columns) :]
    converters = connection.ops.get_db_converters

    def build(model, values):
        if values[0] is None:  # the primary key: no such row
            return None
        fields = model._meta.concrete_fields
        converted = []
        for field, value in zip(fields, values, strict=True):
            column = field.get_col(model._meta.db_table)
            for converter in [*converters(column), *column.get_db_converters(connection)]:
                value = converter(value, column, connection)
            converted.append(value)
        return model.from_db(connection.alias, [f.attname for f in fields], converted)

    return build(Agency, agency_values), build(Topic, topic_values)


def _next_reference(agency: Agency, year: int) -> str:
    """Take the next number of (agency, year); call inside the transaction that saves the question.

    One upsert creates the year's row or bumps it and returns the new value. Its row lock is
    held until the caller commits, so concurrent submissions to one agency take numbers one
    after the other (never a duplicate) and a rolled-back one gives its number back (no gap).
    Everything between this call and the commit holds up the agency's next submission: keep it short.
    """
    table = connection.ops.quote_name(ReferenceSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, year, last_value) VALUES (%s, %s, 1) "  # noqa: S608 (our table name)
            f"ON CONFLICT (agency_id, year) DO UPDATE SET last_value = {table}.last_value + 1 "
            "RETURNING last_value",
            [agency.pk, year],
        )
        (value,) = cursor.fetchone()
    return f"{agency.code}-{year}-{value:06d}"


def question_submit(
    *,
    agency: Agency | None,
    topic: Topic | None,
    title: str,
    body: str,
    asker_type: str,
    name: str,
    email: str,
    phone: str = "",
    address: str = "",
    organisation_name: str = "",
    tax_code: str = "",
    consent_to_publish: bool = False,
    attachments: list[UploadedFile] | None = None,
    user=None,
    channel: str = Channel.WEB,
    language: str = "vi",
    client_ip: str | None = None,
) -> Question:
    """Save a new question with its asker's contact and attachments.

    Rate-limited per IP and per e-mail (RateLimited) on the public channels. A logged-in user with a
    verified e-mail goes straight to `submitted`; a guest waits `unverified`
    until the confirmation link is opened. The e-mail goes out after commit.
    """
    cleaned = validate_question_input(
        agency=agency,
        topic=topic,
        title=title,
        body=body,
        asker_type=asker_type,
        name=name,
        email=email,
        phone=phone,
        address=address,
        organisation_name=organisation_name,
        tax_code=tax_code,
        attachments=attachments or [],
    )
    if channel in PUBLIC_CHANNELS:
        # The limits guard the public doors; a dialogue's moderators forwarding what a
        # session asked were limited when it was asked, and may forward many at once.
        limits = [("ask-email", cleaned["email"], settings.QA_SUBMIT_RATE_PER_EMAIL)]
        if client_ip:
            limits.append(("ask-ip", client_ip, settings.QA_SUBMIT_RATE_PER_IP))
        ratelimit.hit_many(limits)  # both counters in one round trip

    verified_user = bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.email_verified
        and user.email.lower() == cleaned["email"]
    )
    now = timezone.now()
    with transaction.atomic():
        question = Question.objects.create(
            reference=_next_reference(agency, timezone.localdate(now).year),
            agency=agency,
            topic=topic,
            title=cleaned["title"],
            body=cleaned["body"],
            public_title=cleaned["title"],
            public_body=cleaned["body"],
            asker_type=asker_type,
            asker=user if getattr(user, "is_authenticated", False) else None,
            consent_to_publish=bool(consent_to_publish),
            channel=channel,
            language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
            created_at=now,
        )
        AskerContact.objects.create(
            question=question,
            name=cleaned["name"],
            email=cleaned["email"],
            phone=cleaned["phone"],
            address=cleaned["address"],
            organisation_name=cleaned["organisation_name"] if asker_type == AskerType.ORGANISATION else "",
            tax_code=cleaned["tax_code"] if asker_type == AskerType.ORGANISATION else "",
            email_verified_at=now if verified_user else None,
        )
        for upload, content_type in cleaned["attachments"]:
            Attachment.objects.create(
                question=question,
                file=upload,
                original_name=nfc(upload.name)[:255],
                content_type=content_type,
                size=upload.size,
            )
        if verified_user:
            _mark_received(question, roles={workflow.SYSTEM})
        else:
            notify_asker(question, "confirm_email", confirm_token=make_confirmation_token(question))
    return question


def _mark_received(question: Question, *, roles: set[str]) -> None:
    """unverified → submitted: the question enters the agency's queue, its clocks start, and
    the asker and the agency's moderators are told."""
    from ..deadlines import transfer_due_date
    from .moderation import STAFF_FOR_NEW_QUESTIONS, tell_staff

    question.received_at = timezone.now()
    question.transfer_due_date = transfer_due_date(timezone.localdate(question.received_at))
    workflow.apply_transition(question, "submit", roles=roles)
    notify_asker(question, "received")
    tell_staff(question, "new_question", roles=STAFF_FOR_NEW_QUESTIONS, transfer_due_date=question.transfer_due_date)


def make_confirmation_token(question: Question) -> str:
    return signing.dumps({"q": question.pk}, salt=_CONFIRM_SALT)


def question_confirm_email(*, token: str) -> Question:
    """Open a guest's confirmation link: the question enters the queue (once; later clicks are harmless).

    Raises ValidationError for a tampered or expired link.
    """
    try:
        payload = signing.loads(token, salt=_CONFIRM_SALT, max_age=settings.QA_CONFIRMATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            _("This confirmation link has expired. Please ask your question again."), code="expired"
        ) from None
    except signing.BadSignature:
        raise ValidationError(_("This confirmation link is not valid."), code="invalid") from None
    with transaction.atomic():
        question = Question.objects.select_for_update().get(pk=payload["q"])
        if question.status == QuestionStatus.UNVERIFIED:
            AskerContact.objects.filter(question=question).update(email_verified_at=timezone.now())
            _mark_received(question, roles={workflow.ASKER})
    return question


def check_tracking_token(question: Question, token: str | None) -> bool:
    return bool(token) and constant_time_compare(question.tracking_token, token)


def question_withdraw(*, question: Question, token: str, reason: str = "") -> Question:
    """The asker withdraws a question that has not been answered yet."""
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if not check_tracking_token(locked, token):
            raise TransitionNotAllowed(_("The tracking link is not valid."), code="bad_token")
        workflow.apply_transition(locked, "withdraw", roles={workflow.ASKER}, note=nfc(reason)[:1000])
    return locked


def tracking_links_request(*, email: str, client_ip: str | None = None, language: str = "vi") -> None:
    """ "I lost my link": e-mail the asker links to all their questions.

    Behaves the same whether or not the address is known, so it reveals nothing.
    """
    address = nfc(email).lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address, for example ten@example.vn.")]}) from None
    if client_ip:
        ratelimit.hit("lost-link-ip", client_ip, settings.QA_LOST_LINK_RATE)
    ratelimit.hit("lost-link-email", address, settings.QA_LOST_LINK_RATE)
    ids = list(
        Question.objects.filter(contact__email=address)
        .exclude(status=QuestionStatus.UNVERIFIED)
        .order_by("-created_at")
        .values_list("pk", flat=True)[:50]
    )
    if ids:
        with transaction.atomic():
            notify_lost_links(address, ids, language)
