"""Asking a question: validation, reference codes, guest confirmation, withdrawal."""

import re
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from accounts import ratelimit
from accounts.models import Agency, User
from accounts.phones import normalise_mobile
from core.errors import TransitionNotAllowed

from .. import places, workflow
from ..files import validate_attachments
from ..messaging import notify_asker, notify_lost_links
from ..models import (
    AskerContact,
    AskerType,
    Attachment,
    Channel,
    Question,
    QuestionStatus,
    ReferenceSequence,
    Topic,
    new_tracking_token,
)
from ..personal_data import public_copy
from ..search.rows import agency_and_topic
from ..tax_codes import validate_tax_code
from ..text import nfc
from .groups import group_member_left, group_release
from .lookup import lookup_pin_for, lookup_pin_hash
from .phone import phone_code_send, send_code_limits

TITLE_MAX = 200
BODY_MAX = 5000
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
    place: str = "",
) -> dict[str, Any]:
    """Check every field; raise ValidationError({field: [messages]}) with all problems at once.

    Returns the cleaned values (NFC text, normalised phone and e-mail, and `place`: the unit in force
    today whose code was given, or None).
    """
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {
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
    mobile = normalise_mobile(cleaned["phone"])
    if not cleaned["email"] and not cleaned["phone"]:
        message = _(
            "Enter your e-mail address or your mobile phone number: the answer and your tracking link are sent there."
        )
        add("email", message)
        add("phone", message)
    elif cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            add("email", _("Enter a valid e-mail address, for example ten@example.vn."))
    if cleaned["phone"] and not cleaned["email"] and mobile is None:
        # Without an e-mail the number receives the code and the answer by SMS: a mobile number is needed.
        add(
            "phone",
            _("Enter a Vietnamese mobile number, for example 0912 345 678 or +84 912 345 678."),
        )
    elif cleaned["phone"] and mobile is None and not PHONE_RE.match(cleaned["phone"]):
        add("phone", _("Enter a valid Vietnamese phone number, for example 0912 345 678."))
    if mobile is not None and not cleaned["email"]:
        cleaned["phone"] = mobile  # the number SMS go to, as +84…
    if len(cleaned["address"]) > 255:
        add("address", _("The address can be at most 255 characters."))
    if asker_type == AskerType.ORGANISATION:
        if not cleaned["organisation_name"]:
            add("organisation_name", _("Enter the name of the organisation or business."))
        if not cleaned["tax_code"]:
            add("tax_code", _("Enter the tax code of the organisation."))
    if cleaned["tax_code"]:
        try:
            cleaned["tax_code"] = validate_tax_code(cleaned["tax_code"])
        except ValidationError as exc:
            add("tax_code", exc.messages[0])
    try:
        cleaned["attachments"] = validate_attachments(attachments)
    except ValidationError as exc:
        errors.setdefault("attachments", []).extend(exc.messages)
    cleaned["place"] = None
    if code := nfc(place or "").strip():
        try:
            cleaned["place"] = validate_place(code)
        except ValidationError as exc:
            errors.setdefault("place", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def validate_place(code: str) -> Model:
    """The commune-level unit in force today with this code; ValidationError naming what is wrong otherwise
    (an unknown code, or a unit that was merged or ended: the asker chooses the unit as it is today)."""
    unit = places.unit_valid_today(code)
    if unit is not None:
        return unit
    ended: Any = places.unit_model()._default_manager.filter(code=code).select_related("successor").first()
    if ended is None:
        raise ValidationError(
            _("There is no commune, ward or special zone with the code “%(code)s”.") % {"code": code[:20]},
            code="unknown_place",
        )
    successor = getattr(ended, "successor", None)
    if successor is not None:
        raise ValidationError(
            _("%(name)s has merged into %(successor)s: choose the commune or ward as it is today.")
            % {"name": ended.name, "successor": successor.name},
            code="merged_place",
        )
    raise ValidationError(
        _("%(name)s is not a commune-level unit in force today: choose one from the current list.")
        % {"name": ended.name},
        code="ended_place",
    )


def submission_targets(agency_id: int | None, topic_id: int | None) -> tuple[Agency | None, Topic | None]:
    """The agency and topic a submission names, both read in one query (None for an unknown id).

    Whether they may be asked (active) is the service's to say, per field; this only saves the
    submission a round trip and the ORM's work of two lookups.
    """
    return agency_and_topic(agency_id, topic_id)


def next_reference(agency: Agency, year: int) -> str:
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


def validated_agency_topic(agency: Agency | None, topic: Topic | None) -> tuple[Agency, Topic]:
    """The agency and topic after validate_question_input, which refuses a question without them (for mypy)."""
    if agency is None or topic is None:
        raise ValueError("validate_question_input lets no question without an agency and a topic through")
    return agency, topic


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
    user: User | AnonymousUser | None = None,
    channel: str = Channel.WEB,
    language: str = "vi",
    client_ip: str | None = None,
    place: str = "",
) -> Question:
    """Save a new question with its asker's contact and attachments.

    `place`: the code of the commune-level unit the asker lives in (optional; one in force today).

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
        place=place,
    )
    agency, topic = validated_agency_topic(agency, topic)
    if channel in PUBLIC_CHANNELS:
        # The limits guard the public doors; a dialogue's moderators forwarding what a
        # session asked were limited when it was asked, and may forward many at once.
        if cleaned["email"]:
            limits = [("ask-email", cleaned["email"], settings.QA_SUBMIT_RATE_PER_EMAIL)]
        else:  # phone only: the submission sends a code by SMS, so the code limits count it too
            limits = [("ask-phone", cleaned["phone"], settings.QA_SUBMIT_RATE_PER_EMAIL)]
            limits += send_code_limits(cleaned["phone"], client_ip)
        if client_ip:
            limits.append(("ask-ip", client_ip, settings.QA_SUBMIT_RATE_PER_IP))
        ratelimit.hit_many(limits)  # all counters in one round trip

    verified_user = bool(
        isinstance(user, User)
        and user.is_authenticated
        and user.email_verified
        and user.email.lower() == cleaned["email"]
    )
    now = timezone.now()
    contact = AskerContact(
        name=cleaned["name"],
        email=cleaned["email"],
        phone=cleaned["phone"],
        address=cleaned["address"],
        organisation_name=cleaned["organisation_name"] if asker_type == AskerType.ORGANISATION else "",
        tax_code=cleaned["tax_code"] if asker_type == AskerType.ORGANISATION else "",
        email_verified_at=now if verified_user else None,
    )
    # The public version starts as a redacted copy: published unedited, it shows none of the personal data.
    public_title, public_body = public_copy(cleaned["title"], cleaned["body"], contact)
    with transaction.atomic():
        reference = next_reference(agency, timezone.localdate(now).year)
        tracking_token = new_tracking_token()
        question = Question.objects.create(
            reference=reference,
            tracking_token=tracking_token,
            agency=agency,
            topic=topic,
            title=cleaned["title"],
            body=cleaned["body"],
            public_title=public_title,
            public_body=public_body,
            asker_type=asker_type,
            asker=user if isinstance(user, User) and user.is_authenticated else None,
            consent_to_publish=bool(consent_to_publish),
            channel=channel,
            language=language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE,
            place=cleaned["place"],
            created_at=now,
            lookup_pin_hash=lookup_pin_hash(reference, lookup_pin_for(tracking_token)),
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
        if verified_user:
            mark_received(question, roles={workflow.SYSTEM})
        elif cleaned["email"]:
            notify_asker(question, "confirm_email", confirm_token=make_confirmation_token(question))
        else:
            phone_code_send(question=question, number=cleaned["phone"])
    return question


def mark_received(question: Question, *, roles: set[str]) -> None:
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
    from .confirmation import email_digest

    # The address's digest: after "I typed my e-mail wrong", links sent to the old address stop working.
    try:
        email = question.contact.email
    except AskerContact.DoesNotExist:
        email = ""
    return signing.dumps({"q": question.pk, "e": email_digest(email)}, salt=_CONFIRM_SALT)


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
            from .confirmation import email_digest

            contact = AskerContact.objects.filter(question=question).first()
            if "e" in payload and payload["e"] != email_digest(contact.email if contact else ""):
                raise ValidationError(
                    _("This link was sent to an address that has since been corrected. Use the newest e-mail."),
                    code="superseded",
                )
            AskerContact.objects.filter(question=question).update(email_verified_at=timezone.now())
            mark_received(question, roles={workflow.ASKER})
    return question


def check_tracking_token(question: Question, token: str | None) -> bool:
    if not token:
        return False
    return constant_time_compare(question.tracking_token, token)


def question_withdraw(*, question: Question, token: str, reason: str = "") -> Question:
    """The asker withdraws a question that has not been answered yet."""
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if not check_tracking_token(locked, token):
            raise TransitionNotAllowed(_("The tracking link is not valid."), code="bad_token")
        if locked.group_id is not None and workflow.can_apply(locked, "withdraw", {workflow.ASKER}):
            # A group's primary hands its members back to their own handling; a member leaves the count.
            if locked.status == QuestionStatus.GROUPED:
                group_member_left(question=locked)
            else:
                group_release(question=locked)
        workflow.apply_transition(locked, "withdraw", roles={workflow.ASKER}, note=nfc(reason)[:1000])
    return locked


def tracking_links_request(*, email: str, client_ip: str | None = None, language: str = "vi") -> None:
    """ "I lost my link": e-mail the asker links to all their questions, or send them by SMS to a mobile
    number given instead of an e-mail.

    Behaves the same whether or not the address or number is known, so it reveals nothing.
    """
    value = nfc(email).strip()
    mobile = None if "@" in value else normalise_mobile(value)
    if mobile is not None:
        _tracking_links_by_sms(mobile, client_ip=client_ip, language=language)
        return
    address = value.lower()
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address or a Vietnamese mobile number.")]}) from None
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


def _tracking_links_by_sms(mobile: str, *, client_ip: str | None, language: str) -> None:
    limits = [("lost-link-phone", mobile, settings.QA_LOST_LINK_RATE)]
    if client_ip:
        limits.append(("lost-link-ip", client_ip, settings.QA_LOST_LINK_RATE))
    ratelimit.hit_many(limits)
    # New questions keep +84…; ones staff registered from a phone call may keep the national 0… form.
    ids = list(
        Question.objects.filter(contact__email="", contact__phone__in=[mobile, "0" + mobile[3:]])
        .exclude(status=QuestionStatus.UNVERIFIED)
        .order_by("-created_at")
        .values_list("pk", flat=True)[:50]
    )
    if ids:
        with transaction.atomic():
            notify_lost_links("", ids, language, phone=mobile)
