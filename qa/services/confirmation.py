"""Before an e-mail question is confirmed: "send the link again" and "I typed my e-mail wrong".

Only the browser that submitted the question may do either (the ask view gives it a session grant:
`pending_grant_add`), so knowing a reference code is not enough to redirect someone's confirmation.
Each send is limited per address and per IP; a corrected address voids the links sent to the old one
(the confirmation token carries a keyed digest of the address it was sent to).
"""

import hashlib
import hmac
import uuid

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import ratelimit

from ..messaging import notify_asker
from ..models import AskerContact, Question, QuestionStatus
from ..text import nfc

_SESSION_KEY = "qa_pending_questions"
_GRANTS_KEPT = 5


def email_digest(email: str) -> str:
    """A short keyed digest of an address, put in the confirmation token (the address itself is not)."""
    mac = hmac.new(settings.SECRET_KEY.encode(), f"qa.confirm-address:{email.lower()}".encode(), hashlib.sha256)
    return mac.hexdigest()[:12]


def masked_email(email: str) -> str:
    """ "ng•••@example.vn": enough for the asker to spot a typo in the domain, little for anyone looking on."""
    local, _at, domain = email.partition("@")
    return f"{local[:2]}•••@{domain}" if domain else ""


def pending_grant_add(session: SessionBase, reference: str) -> None:
    """Remember in this browser's session that it submitted `reference` (the newest few are kept)."""
    grants = [ref for ref in session.get(_SESSION_KEY, []) if ref != reference]
    session[_SESSION_KEY] = [*grants, reference][-_GRANTS_KEPT:]


def pending_question(session: SessionBase, reference: str) -> Question | None:
    """The unconfirmed e-mail question this browser submitted, or None (no grant, confirmed, or phone-only)."""
    if reference not in session.get(_SESSION_KEY, []):
        return None
    question = (
        Question.objects.filter(reference=reference, status=QuestionStatus.UNVERIFIED)
        .select_related("contact", "agency")
        .first()
    )
    contact = getattr(question, "contact", None) if question is not None else None
    if contact is None or not contact.email:
        return None
    return question


def _send_limits(address: str, client_ip: str | None) -> list[tuple[str, str, str]]:
    limits = [("confirm-resend-email", address, settings.QA_CONFIRM_RESEND_RATE_PER_ADDRESS)]
    if client_ip:
        limits.append(("confirm-resend-ip", client_ip, settings.QA_CONFIRM_RESEND_RATE_PER_IP))
    return limits


def _send(question: Question) -> None:
    from .submission import make_confirmation_token

    # Each send is its own message (the question's version does not change before confirmation).
    notify_asker(question, "confirm_email", confirm_token=make_confirmation_token(question), event=uuid.uuid4().hex)


def confirmation_resend(*, question: Question, client_ip: str | None = None) -> None:
    """Send the confirmation link again to the address on the question (rate-limited; raises RateLimited)."""
    contact = AskerContact.objects.get(question=question)
    ratelimit.hit_many(_send_limits(contact.email.lower(), client_ip))
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.status == QuestionStatus.UNVERIFIED:
            _send(locked)


def confirmation_email_correct(*, question: Question, email: str, client_ip: str | None = None) -> Question:
    """Put the right address on an unconfirmed question and send the link there; the question is kept as typed.

    Raises ValidationError({"email": …}) for a bad address, RateLimited past the limits.
    """
    address = nfc(email or "").strip().lower()
    if not address:
        raise ValidationError({"email": [_("Enter your e-mail address.")]})
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationError({"email": [_("Enter a valid e-mail address, for example ten@example.vn.")]}) from None
    ratelimit.hit_many(_send_limits(address, client_ip))
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if locked.status != QuestionStatus.UNVERIFIED:
            raise ValidationError(_("This question is already confirmed."), code="not_needed")
        AskerContact.objects.filter(question=locked).update(email=address)
        locked = Question.objects.select_related("contact").get(pk=locked.pk)
        _send(locked)
    return locked
