"""Writes on accounts: registration, e-mail verification, log-in attempts, profile, API tokens.

Views call these and stay thin. Every e-mail goes out through a Celery task
dispatched after commit, so a rolled-back registration never sends a link.
"""

import re
import time

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.authtoken.models import Token

from core.errors import LoginLockedOut, RateLimited
from core.input import clean_text

from . import emails, ratelimit
from .models import User

PHONE_RE = re.compile(r"^(\+84|0)\d{8,10}$")
NAME_MAX = 150
_VERIFY_SALT = "accounts.verify-email"


def _nfc(value: str | None) -> str:
    return clean_text(value)


def normalise_email(email: str | None) -> str:
    """Addresses are stored and looked up in lower case (see User.clean)."""
    return _nfc(email).lower()


def _clean_phone(phone: str) -> str:
    return re.sub(r"[\s.\-()]", "", _nfc(phone))


def _language_or_default(language: str | None) -> str:
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def phone_error(phone: str) -> str | None:
    """The message for a phone number (already cleaned) that is not Vietnamese-shaped; forms reuse it."""
    if phone and not PHONE_RE.match(_clean_phone(phone)):
        return _("Enter a valid Vietnamese phone number, for example 0912 345 678.")
    return None


def _validate_profile_fields(*, full_name: str, phone: str, language: str, errors: dict[str, list]) -> None:
    if not full_name:
        errors.setdefault("full_name", []).append(_("Enter your full name."))
    elif len(full_name) > NAME_MAX:
        errors.setdefault("full_name", []).append(_("The name can be at most %(max)d characters.") % {"max": NAME_MAX})
    if message := phone_error(phone):
        errors.setdefault("phone", []).append(message)
    if language not in dict(settings.LANGUAGES):
        errors.setdefault("language", []).append(_("Choose Vietnamese or English."))


# --- Registration and e-mail verification ----------------------------------------------------


def make_verification_token(user: User) -> str:
    """A signed, timestamped token naming the user and the address it was sent to.

    Binding the address means a link stops working if the address changes.
    """
    return signing.dumps({"u": user.pk, "e": _email_fingerprint(user.email)}, salt=_VERIFY_SALT)


def _email_fingerprint(email: str) -> str:
    # The token is readable base64 and links end up in logs: carry a keyed hash, not the address.
    return salted_hmac(_VERIFY_SALT, email).hexdigest()[:20]


def user_register(
    *,
    email: str,
    full_name: str,
    password: str,
    phone: str = "",
    language: str = "vi",
    client_ip: str | None = None,
) -> User | None:
    """Create a citizen account with an unverified address and send the verification link after commit.

    Raises ValidationError({field: [messages]}) with every problem at once, or
    RateLimited when one IP registers too many accounts. The user may log in at
    once but counts as a verified asker only after opening the link.

    An address that already has an account is not an error: the form must not tell a
    stranger which addresses are registered. Nothing is created, the owner gets an
    e-mail saying someone tried (at most ACCOUNTS_EMAIL_RATE_PER_ADDRESS), and None is
    returned; the caller answers exactly as for a new account.
    """
    email = normalise_email(email)
    full_name = _nfc(full_name)
    phone = _clean_phone(phone)
    language = _language_or_default(language)
    errors: dict[str, list] = {}
    if not email:
        errors.setdefault("email", []).append(_("Enter your e-mail address."))
    else:
        try:
            validate_email(email)
        except ValidationError:
            errors.setdefault("email", []).append(_("Enter a valid e-mail address, for example ten@example.vn."))
    _validate_profile_fields(full_name=full_name, phone=phone, language=language, errors=errors)
    candidate = User(email=email, full_name=full_name, phone=phone)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        errors.setdefault("password", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    if client_ip:
        ratelimit.hit("register-ip", client_ip, settings.ACCOUNTS_REGISTER_RATE_PER_IP)

    existing = User.objects.filter(email=email).values_list("pk", flat=True).first()
    if existing is not None:
        make_password(password)  # the same work as creating the account, so timing tells nothing either
        _notify_registration_attempt(existing, email)
        return None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=password,
                full_name=full_name,
                phone=phone,
                language=language,
                email_verified=False,
            )
            emails.queue_verification(user, idempotency_key=f"{emails.VERIFY_EMAIL}:u{user.pk}:registered")
    except IntegrityError:  # the same address registered a moment ago by a parallel request
        existing = User.objects.filter(email=email).values_list("pk", flat=True).first()
        if existing is not None:
            _notify_registration_attempt(existing, email)
        return None
    return user


def _notify_registration_attempt(user_id: int, email: str) -> None:
    """Tell the owner of `email` that someone tried to register it (after commit, rate-limited quietly)."""
    try:
        ratelimit.hit("account-mail", email, settings.ACCOUNTS_EMAIL_RATE_PER_ADDRESS)
    except RateLimited:
        return  # the owner has been told recently; saying nothing keeps the answer identical
    user = User.objects.filter(pk=user_id).first()
    if user is not None:
        emails.queue_registration_attempt(user)


def user_verify_email(*, token: str) -> tuple[User, bool]:
    """Mark the address in `token` as verified. Returns (user, newly_verified).

    Raises ValidationError with code "expired" or "invalid". The row is locked so
    two clicks on the same link verify once; only the first click should log in.
    """
    try:
        data = signing.loads(token, salt=_VERIFY_SALT, max_age=settings.ACCOUNTS_VERIFY_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("This verification link has expired."), code="expired") from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("This verification link is not valid."), code="invalid") from exc
    if not isinstance(data, dict):
        raise ValidationError(_("This verification link is not valid."), code="invalid")
    user_id = data.get("u")
    if not isinstance(user_id, int):
        raise ValidationError(_("This verification link is not valid."), code="invalid")
    with transaction.atomic():
        user = User.objects.select_for_update(no_key=True).filter(pk=user_id, is_active=True).first()
        if user is None or not constant_time_compare(_email_fingerprint(user.email), str(data.get("e", ""))):
            raise ValidationError(_("This verification link is not valid."), code="invalid")
        if user.email_verified:
            return user, False
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    return user, True


def user_mark_email_verified(*, user: User) -> None:
    """Record that the user controls their address (e.g. they used a link sent to it)."""
    if not user.email_verified:
        User.objects.filter(pk=user.pk).update(email_verified=True)
        user.email_verified = True


def user_send_verification(*, email: str, client_ip: str | None = None) -> None:
    """Send a fresh verification link if `email` belongs to an active, unverified account.

    Says nothing about whether the account exists (the caller shows the same
    message either way); rate-limited per address and per IP.
    """
    email = normalise_email(email)
    if client_ip:
        ratelimit.hit("account-mail-ip", client_ip, settings.ACCOUNTS_EMAIL_RATE_PER_IP)
    ratelimit.hit("account-mail", email, settings.ACCOUNTS_EMAIL_RATE_PER_ADDRESS)
    user = User.objects.filter(email=email, is_active=True, email_verified=False).first()
    if user is not None:
        emails.queue_verification(user)


# --- Log-in ---------------------------------------------------------------------------------


def _block_key(scope: str, key: str) -> str:
    return f"login-blocked:{scope}:{key}"


def _login_scopes(client_ip: str | None) -> list[tuple[str, str, str]]:
    # Per account, django-axes counts (address, IP): a per-address limit alone would let anyone lock the owner out.
    return [("login-fail-ip", client_ip, settings.ACCOUNTS_LOGIN_FAILURES_PER_IP)] if client_ip else []


def _login_rate_limited(retry_after: int) -> RateLimited:
    minutes = max((int(retry_after) + 59) // 60, 1)
    return RateLimited(
        retry_after,
        message=ngettext(
            "Too many failed log-in attempts. Please try again in %(minutes)d minute.",
            "Too many failed log-in attempts. Please try again in %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
    )


def user_authenticate(*, request: HttpRequest | None, email: str, password: str, client_ip: str | None) -> User:
    """Check e-mail and password under the brute-force limits; return the user (not yet logged in).

    Two limits: django-axes (its backend runs inside authenticate()) locks out one
    address from one client IP after AXES_FAILURE_LIMIT failures, for AXES_COOLOFF_TIME;
    and failures per client IP over all addresses are counted here (ratelimit.hit on
    each), blocking that IP until the window ends, even for the right password:
    otherwise guessing could simply continue. Raises LoginLockedOut, RateLimited or
    ValidationError (one generic message, so addresses cannot be probed).
    """
    email = normalise_email(email)
    scopes = _login_scopes(client_ip)
    now = time.time()
    blocked_until = max([cache.get(_block_key(scope, key)) or 0 for scope, key, _rate in scopes] or [0])
    if blocked_until > now:
        raise _login_rate_limited(int(blocked_until - now) + 1)

    user = authenticate(request, email=email, password=password) if email and password else None
    if user is not None:
        return user
    if request is not None and getattr(request, "axes_locked_out", False):
        from .lockout import retry_after_seconds

        raise LoginLockedOut(retry_after_seconds(request, {"email": email}))

    retry_after = 0
    for scope, key, rate in scopes:
        try:
            ratelimit.hit(scope, key, rate)
        except RateLimited as exc:
            cache.set(_block_key(scope, key), now + exc.retry_after, timeout=exc.retry_after)
            retry_after = max(retry_after, exc.retry_after)
    if retry_after:
        raise _login_rate_limited(retry_after)
    raise ValidationError(_("The e-mail address or the password is not correct."), code="invalid_login")


# --- Password reset -------------------------------------------------------------------------


def password_reset_request(*, email: str, client_ip: str | None = None) -> None:
    """E-mail a reset link to the active account with this address, if there is one.

    Rate-limited per address and IP; silent about whether the account exists.
    Django's token generator is deterministic for the user's state, so the task
    builds the link itself from the user id.
    """
    email = normalise_email(email)
    if client_ip:
        ratelimit.hit("account-mail-ip", client_ip, settings.ACCOUNTS_EMAIL_RATE_PER_IP)
    ratelimit.hit("account-mail", email, settings.ACCOUNTS_EMAIL_RATE_PER_ADDRESS)
    for user in User.objects.filter(email=email, is_active=True):
        if user.has_usable_password():
            emails.queue_password_reset(user)


# --- Profile --------------------------------------------------------------------------------


def user_update_profile(*, user: User, full_name: str, phone: str = "", language: str) -> User:
    """Save name, phone and preferred language; raise ValidationError({field: [messages]})."""
    full_name = _nfc(full_name)
    phone = _clean_phone(phone)
    errors: dict[str, list] = {}
    _validate_profile_fields(full_name=full_name, phone=phone, language=language, errors=errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(full_name=full_name, phone=phone, language=language)
    user.full_name, user.phone, user.language = full_name, phone, language
    return user


# --- API tokens -----------------------------------------------------------------------------


def api_token_regenerate(*, user: User) -> Token:
    """Replace the user's API token with a new one (the old key stops working at once).

    Integrators act with the user's own permissions, so an address must be
    verified first.
    """
    if not user.email_verified:
        raise ValidationError(_("Verify your e-mail address before creating an API token."), code="unverified")
    with transaction.atomic():
        User.objects.select_for_update(no_key=True).filter(pk=user.pk).first()
        Token.objects.filter(user=user).delete()
        return Token.objects.create(user=user)


def api_token_revoke(*, user: User) -> bool:
    """Delete the user's API token; True if there was one."""
    deleted, _detail = Token.objects.filter(user=user).delete()
    return bool(deleted)
