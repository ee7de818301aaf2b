"""Two-step log-in (TOTP from an authenticator app, plus single-use backup codes), with django-otp.

Optional for every account, required for site administrators: the admin site only opens to a
session that passed the second step (accounts.admin_site). Writes here (`two_factor_*`), reads
(`two_factor_*` queries) too: the subject is small enough for one module.

Guessing codes is limited twice: django-axes counts a wrong code as a failed log-in of the
address from that client IP (accounts.lockout.record_failure, called by the view), and each
django-otp device slows itself down after failures (exponential delay, any IP).
"""

import base64
import unicodedata

import segno
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import verify_token as otp_verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

BACKUP_CODE_COUNT = 10
_DEVICE_NAME = "default"
_BACKUP_NAME = "backup"


def normalise_code(code: str | None) -> str:
    """What people type: spaces, dashes, full-width digits, capitals."""
    text = unicodedata.normalize("NFKC", code or "")
    return "".join(ch for ch in text if ch.isalnum()).lower()


def two_factor_required(user: User) -> bool:
    """Site administrators must use a second step (anyone the admin site lets in)."""
    return bool(user.is_active and (user.is_staff or user.is_superuser))


def two_factor_enabled(user: User) -> bool:
    """On once an authenticator is confirmed (backup codes only come with one): one query."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_pending_device(user: User) -> TOTPDevice | None:
    """The authenticator being set up (not yet confirmed with a code), if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_begin(*, user: User) -> TOTPDevice:
    """Start setting up an authenticator: a new secret, unconfirmed until a code from it is typed.

    Starting again replaces an unfinished set-up; a confirmed one stays until it is disabled.
    """
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=_DEVICE_NAME, confirmed=False)


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_BACKUP_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def two_factor_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Turn two-step log-in on once a code from the new authenticator is right.

    Returns the device and the new backup codes (the caller shows them once; only the
    database copy remains). Raises ValidationError when there is no set-up in progress or
    the code is wrong.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("-pk").first()
        if device is None:
            raise ValidationError(_("Start the set-up again: no authenticator is waiting for a code."), code="none")
        if not device.verify_token(normalise_code(code)):
            raise ValidationError(_("The code is not correct. Check the time on your phone and try again."))
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _new_backup_codes(user)
    return device, codes


def two_factor_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` (an authenticator code or an unused backup code), else None.

    A backup code is used up by a successful check (django-otp deletes it). Each device
    throttles itself after failures, under its row lock.
    """
    code = normalise_code(code)
    if not code:
        return None
    # Listed without locks; django_otp.verify_token locks the one device it checks, in its own transaction.
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, TOTPDevice) and not code.isdigit():
            continue
        matched = otp_verify_token(user, device.persistent_id, code)
        if matched is not None:
            return matched
    return None


def two_factor_new_backup_codes(*, user: User, code: str) -> list[str]:
    """Replace the backup codes (the old ones stop working); needs a current code."""
    if two_factor_verify(user=user, code=code) is None:
        raise ValidationError(_("The code is not correct."), code="invalid_code")
    with transaction.atomic():
        return _new_backup_codes(user)


def two_factor_disable(*, user: User, password: str, code: str) -> None:
    """Turn two-step log-in off: needs the password and a current code (or a backup code).

    Site administrators cannot turn it off: the admin site requires it.
    """
    if two_factor_required(user):
        raise ValidationError(_("Site administrators must keep two-step log-in on."), code="required")
    errors: dict[str, list] = {}
    if not check_password(password or "", user.password):
        errors["password"] = [_("The password is not correct.")]
    elif two_factor_verify(user=user, code=code) is None:
        errors["code"] = [_("The code is not correct.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=None):
            device.delete()


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    text = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code, drawn here: no image service sees the secret."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, svgclass="qr-code", lineclass=None)
