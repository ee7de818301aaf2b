"""Phone-only questions: the one-time code sent by SMS, its check, and "send me a new code".

A guest who gives a mobile number and no e-mail confirms the question with a 6-digit code.
The code is never stored: the outbox row carries a random nonce, the SMS backend derives the
code from it with the secret key (notifications.sms.otp_code), and PhoneChallenge keeps only
an HMAC of the code. Codes expire (QA_PHONE_CODE_TTL), allow QA_PHONE_CODE_ATTEMPTS tries each,
and a new one replaces the previous ones. Sends are limited per number and per IP.
"""

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts import ratelimit
from accounts.phones import normalise_mobile
from notifications.sms import otp_code

from .. import workflow
from ..messaging import notify_asker
from ..models import AskerContact, PhoneChallenge, Question, QuestionStatus


def code_hash(challenge_salt: str, code: str) -> str:
    """Keyed with the secret key: a copy of the database alone cannot be brute-forced offline."""
    message = f"qa.phone-code:{challenge_salt}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _salt(question: Question, created_at: datetime) -> str:
    return f"{question.pk}:{created_at.isoformat()}"


def phone_only(contact: AskerContact | None) -> str | None:
    """The mobile number to confirm by SMS, when the asker gave a mobile number and no e-mail."""
    if contact is None or contact.email:
        return None
    return normalise_mobile(contact.phone)


def send_code_limits(number: str, client_ip: str | None) -> list[tuple[str, str, str]]:
    limits = [("phone-code-number", number, settings.QA_PHONE_CODE_RATE_PER_NUMBER)]
    if client_ip:
        limits.append(("phone-code-ip", client_ip, settings.QA_PHONE_CODE_RATE_PER_IP))
    return limits


def phone_code_send(*, question: Question, number: str) -> PhoneChallenge:
    """Start a challenge and send its code by SMS (call inside the caller's transaction).

    Earlier codes of the question stop working. Rate limits are the caller's to count
    (submission and resend count them before any write).
    """
    now = timezone.now()
    PhoneChallenge.objects.filter(question=question, used_at__isnull=True, superseded=False).update(superseded=True)
    nonce = secrets.token_urlsafe(16)
    challenge = PhoneChallenge.objects.create(
        question=question,
        code_hash=code_hash(_salt(question, now), otp_code(nonce)),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.QA_PHONE_CODE_TTL),
    )
    # Each send is its own event (a resend is a new message, not a repeat of the first).
    notify_asker(
        question,
        "confirm_phone",
        otp_nonce=nonce,
        minutes=max(settings.QA_PHONE_CODE_TTL // 60, 1),
        event=f"c{challenge.pk}",
    )
    return challenge


def phone_code_resend(*, question: Question, client_ip: str | None = None) -> PhoneChallenge:
    """ "Send me a new code" from the receipt of an unconfirmed phone question (rate-limited)."""
    contact = AskerContact.objects.filter(question=question).first()
    number = phone_only(contact)
    if number is None or question.status != QuestionStatus.UNVERIFIED:
        raise ValidationError(_("This question does not need a code."), code="not_needed")
    ratelimit.hit_many(send_code_limits(number, client_ip))
    with transaction.atomic():
        return phone_code_send(question=question, number=number)


def phone_code_confirm(*, question: Question, code: str) -> Question:
    """Check the code; a right one sends the question to the agency (once). Raises ValidationError.

    Wrong tries are counted and kept even though the call fails, so guessing is bounded
    per code (and codes per hour are bounded per number and IP).
    """
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    error = None
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.status != QuestionStatus.UNVERIFIED:
            return locked  # already confirmed: a second submit of the form is harmless
        challenge = (
            PhoneChallenge.objects.select_for_update()
            .filter(question=locked, used_at__isnull=True, superseded=False)
            .order_by("-created_at", "-id")
            .first()
        )
        now = timezone.now()
        if challenge is None or challenge.expires_at <= now:
            error = ValidationError(
                _("This code has expired. Ask for a new code below."),
                code="expired",
            )
        elif challenge.attempts >= settings.QA_PHONE_CODE_ATTEMPTS:
            error = ValidationError(
                _("Too many wrong codes. Ask for a new code below."),
                code="too_many_attempts",
            )
        else:
            challenge.attempts += 1
            if len(code) == 6 and constant_time_compare(
                challenge.code_hash, code_hash(_salt(locked, challenge.created_at), code)
            ):
                challenge.used_at = now
                challenge.save(update_fields=["attempts", "used_at"])
                AskerContact.objects.filter(question=locked).update(phone_verified_at=now)
                from .submission import mark_received

                mark_received(locked, roles={workflow.ASKER})
            else:
                challenge.save(update_fields=["attempts"])
                left = settings.QA_PHONE_CODE_ATTEMPTS - challenge.attempts
                error = ValidationError(
                    ngettext(
                        "This code is not right. Check the SMS and try again (%(left)d try left).",
                        "This code is not right. Check the SMS and try again (%(left)d tries left).",
                        left,
                    )
                    % {"left": left}
                    if left
                    else _("Too many wrong codes. Ask for a new code below."),
                    code="wrong",
                )
    if error is not None:
        raise error
    return locked


def phone_correct(*, question: Question, phone: str, client_ip: str | None = None) -> PhoneChallenge:
    """ "I typed my number wrong": before confirmation, put the right number on the question and send the
    code there, without retyping the question. Counts as a code send (limited per number and IP)."""
    number = normalise_mobile(phone)
    if number is None:
        raise ValidationError(
            {"phone": [_("Enter a Vietnamese mobile number, for example 0912 345 678 or +84 912 345 678.")]}
        )
    contact = AskerContact.objects.filter(question=question).first()
    if phone_only(contact) is None or question.status != QuestionStatus.UNVERIFIED:
        raise ValidationError(_("This question does not need a code."), code="not_needed")
    ratelimit.hit_many(send_code_limits(number, client_ip))
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.status != QuestionStatus.UNVERIFIED:
            raise ValidationError(_("This question does not need a code."), code="not_needed")
        AskerContact.objects.filter(question=locked).update(phone=number)
        return phone_code_send(question=locked, number=number)
