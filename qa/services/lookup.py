""" "Theo dõi câu hỏi": read a question's status with its reference code and what the asker gave.

The second factor is the e-mail address, the mobile number, or the 6-digit lookup PIN printed
on the receipt. The PIN is derived from the question's tracking token with the secret key, so
the receipt (which only the holder of the tracking link sees) can always print it, and only
a keyed hash of it is stored. A failed lookup says the same thing whether the reference exists
or not, and lookups are limited per IP and per reference, so neither can be enumerated or guessed.
"""

import hashlib
import hmac
import time

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.utils.crypto import constant_time_compare

from accounts import ratelimit
from accounts.phones import normalise_mobile

from ..models import AskerContact, Question, QuestionStatus
from ..text import nfc


def lookup_pin_for(tracking_token: str) -> str:
    mac = hmac.new(settings.SECRET_KEY.encode(), f"qa.lookup-pin:{tracking_token}".encode(), hashlib.sha256)
    return str(int.from_bytes(mac.digest()[:8], "big") % 10**6).zfill(6)


def lookup_pin_hash(reference: str, pin: str) -> str:
    message = f"qa.lookup-pin-hash:{reference}:{pin}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def lookup_pin(question: Question) -> str:
    """The PIN to print on the receipt."""
    return lookup_pin_for(question.tracking_token)


def normalise_reference(reference: str) -> str:
    return "".join(nfc(reference or "").split()).upper()[:40]


def _matches(question: Question, contact: AskerContact | None, secret: str) -> bool:
    secret = nfc(secret or "").strip()
    digits = "".join(ch for ch in secret if ch.isdigit())
    if len(digits) == 6 and len(secret.replace(" ", "")) == 6:
        return bool(question.lookup_pin_hash) and constant_time_compare(
            question.lookup_pin_hash, lookup_pin_hash(question.reference, digits)
        )
    if contact is None:
        return False
    if "@" in secret:
        return bool(contact.email) and constant_time_compare(contact.email.lower(), secret.lower())
    mobile = normalise_mobile(secret)
    theirs = normalise_mobile(contact.phone) if contact.phone else None
    return mobile is not None and theirs is not None and constant_time_compare(mobile, theirs)


def question_lookup(*, reference: str, secret: str, client_ip: str | None = None) -> Question | None:
    """The question whose reference and e-mail / phone / PIN match, or None (raises RateLimited).

    An unconfirmed question is found only when it waits for an SMS code, and only with the PIN (its
    receipt has the code form); one waiting for an e-mail confirmation stays hidden until the link is opened.
    """
    reference = normalise_reference(reference)
    limits = [("lookup-ref", reference or "-", settings.QA_LOOKUP_RATE_PER_REFERENCE)]
    if client_ip:
        limits.append(("lookup-ip", client_ip, settings.QA_LOOKUP_RATE_PER_IP))
    ratelimit.hit_many(limits)
    question = Question.objects.filter(reference=reference).select_related("contact").first() if reference else None
    if question is None:
        return None
    contact = getattr(question, "contact", None)
    if not _matches(question, contact, secret):
        return None
    # Only the receipt's PIN opens an unconfirmed question: its receipt can change the number the code
    # goes to, so knowing someone's reference and phone number must not be enough.
    if question.status == QuestionStatus.UNVERIFIED and (contact is None or contact.email or not _is_pin(secret)):
        return None
    return question


def _is_pin(secret: str) -> bool:
    compact = nfc(secret or "").replace(" ", "")
    return len(compact) == 6 and compact.isdigit()


# --- What a lookup grants --------------------------------------------------------------------------------
# A lookup proves only that someone knows a (sequential) reference and a phone number or e-mail address,
# which others may know too. So it opens a read-only view for a while, held in the browser's session,
# never the tracking token: replying, withdrawing and erasing stay with the holder of the secret link
# (which "I lost my link" sends again to the address or number on the question).

LOOKUP_GRANT_SECONDS = 30 * 60
_SESSION_KEY = "qa_lookup_grants"


def lookup_grant_add(session: SessionBase, reference: str, *, now: float | None = None) -> None:
    """Let this browser session read the question `reference` read-only for LOOKUP_GRANT_SECONDS."""
    now = time.time() if now is None else now
    grants = {ref: until for ref, until in dict(session.get(_SESSION_KEY) or {}).items() if until > now}
    grants[reference] = now + LOOKUP_GRANT_SECONDS
    # A handful at most: a session is one person looking up their own questions.
    session[_SESSION_KEY] = dict(sorted(grants.items(), key=lambda item: item[1])[-20:])


def lookup_grant_valid(session: SessionBase, reference: str, *, now: float | None = None) -> bool:
    now = time.time() if now is None else now
    until = (session.get(_SESSION_KEY) or {}).get(reference)
    return isinstance(until, (int, float)) and until > now
