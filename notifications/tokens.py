"""Signed one-click unsubscribe tokens: they work without login and expire.

The token names the kind and either the user (id) or the guest's address, so
the link can only switch off what that one e-mail was about.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SALT = "notifications.unsubscribe"


@dataclass(frozen=True)
class UnsubscribeTarget:
    kind: str
    user_id: int | None
    email: str


def make_unsubscribe_token(*, kind: str, user_id: int | None = None, email: str = "") -> str:
    payload: dict = {"k": kind}
    if user_id is not None:
        payload["u"] = user_id
    else:
        payload["e"] = email
    return signing.dumps(payload, salt=_SALT, compress=True)


def read_unsubscribe_token(token: str) -> UnsubscribeTarget:
    """Decode a token; ValidationError with code "expired" or "invalid" otherwise."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=settings.NOTIFICATIONS_UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(_("This unsubscribe link has expired."), code="expired") from None
    except signing.BadSignature:
        raise ValidationError(_("This unsubscribe link is not valid."), code="invalid") from None
    kind = payload.get("k") if isinstance(payload, dict) else None
    user_id = payload.get("u") if isinstance(payload, dict) else None
    email = payload.get("e", "") if isinstance(payload, dict) else ""
    if not isinstance(kind, str) or not (isinstance(user_id, int) or (isinstance(email, str) and email)):
        raise ValidationError(_("This unsubscribe link is not valid."), code="invalid")
    return UnsubscribeTarget(kind=kind, user_id=user_id, email=email if user_id is None else "")
