"""Account e-mails (verification, password reset, registration attempt) through the notifications outbox.

`accounts` may not import `notifications` (it sits below it), so the services call
`core.outbox.queue_email`; the outbox row is written in the service's transaction, delivered after
commit, re-sent by the sweep when the broker was down, and claimed once so it is never sent twice.

The links are built here when the message is rendered (`register_context_builder`), not stored in
the row: a password reset token in the outbox would be a working credential in the database and the
admin, and a link made at send time is valid for its full period even after an outage.
Templates: emails/accounts/<name>{_subject.txt,.txt,.html}.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from core import outbox

from .models import User

VERIFY_EMAIL = "accounts.verify_email"
PASSWORD_RESET = "accounts.password_reset"  # noqa: S105 (a kind name, not a secret)
REGISTRATION_ATTEMPT = "accounts.registration_attempt"


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def queue_verification(user: User, *, idempotency_key: str | None = None) -> None:
    """The verification link for a new or re-asking user, after commit."""
    outbox.queue_email(kind=VERIFY_EMAIL, user=user, idempotency_key=idempotency_key)


def queue_password_reset(user: User) -> None:
    """A reset link; each request is its own message (the caller rate-limits)."""
    outbox.queue_email(kind=PASSWORD_RESET, user=user)


def queue_registration_attempt(user: User) -> None:
    """Tell an owner that someone tried to register their address."""
    outbox.queue_email(kind=REGISTRATION_ATTEMPT, user=user)


def _verify_context(user: User, stored: Mapping[str, Any]) -> dict[str, Any]:
    from .services import make_verification_token

    token = make_verification_token(user)
    return {
        "verify_url": _absolute(reverse("accounts:verify_email", kwargs={"token": token})),
        "valid_days": settings.ACCOUNTS_VERIFY_MAX_AGE // 86400,
    }


def _reset_context(user: User, stored: Mapping[str, Any]) -> dict[str, Any]:
    # Django's token generator follows the user's state: a reset link made now dies once the password changes.
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    return {"email": user.email, "reset_url": _absolute(path), "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400}


def _attempt_context(user: User, stored: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "email": user.email,
        "login_url": _absolute(reverse("accounts:login")),
        "reset_url": _absolute(reverse("accounts:password_reset")),
    }


def register() -> None:
    """Called from AccountsConfig.ready(): the outbox asks here for the links when it renders these kinds."""
    outbox.register_context_builder(VERIFY_EMAIL, _verify_context)
    outbox.register_context_builder(PASSWORD_RESET, _reset_context)
    outbox.register_context_builder(REGISTRATION_ATTEMPT, _attempt_context)
