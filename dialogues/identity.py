"""The anonymous browser key: one vote per browser, and who to mute, without an account.

A random value in a signed cookie set by the session pages; the socket reads
the same cookie from its handshake. Without it a visitor can watch but not
vote (an unsigned or missing key would let anyone vote again and again).
"""

import secrets

from django.core import signing

COOKIE = "dlg_browser"
_SALT = "dialogues.browser"
MAX_AGE = 365 * 24 * 3600


def new_key() -> str:
    return secrets.token_urlsafe(16)


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=COOKIE + _SALT)


def read(value: str | None) -> str:
    """The key from a signed cookie value, or "" if missing, expired or tampered."""
    if not value:
        return ""
    try:
        return _signer().unsign(value, max_age=MAX_AGE)
    except signing.BadSignature:
        return ""


def from_request(request) -> str:
    return read(request.COOKIES.get(COOKIE))


def ensure(request, response) -> str:
    """Set the cookie on `response` if the browser has none; return the key in force."""
    key = from_request(request)
    if not key:
        key = getattr(request, "_dlg_browser_key", "") or new_key()
        request._dlg_browser_key = key
        response.set_cookie(COOKIE, cookie_value(key), max_age=MAX_AGE, httponly=True, samesite="Lax")
    return key


def cookie_value(key: str) -> str:
    """The signed cookie value for `key` (what the pages set; tests and tools use it too)."""
    return _signer().sign(key)
