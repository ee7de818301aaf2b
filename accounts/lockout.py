"""django-axes glue: who a log-in attempt is about, and the answer once it is locked out.

Axes counts failed attempts per (username, client IP) (settings.AXES_LOCKOUT_PARAMETERS), so
failures from a stranger's address never lock the owner out of their own; the client IP comes
from core.client_ip (settings.AXES_CLIENT_IP_CALLABLE). The lockout answer is ours: a
translated page, or JSON for API paths, both 429 with Retry-After, instead of axes' English text.
"""

import math
from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from .services import normalise_email

_USERNAME_KEYS = ("email", "username")


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The login name, normalised as accounts stores it: the same person under one key.

    Our form posts "email", Django's admin form "username"; both are the e-mail address.
    """
    for key in _USERNAME_KEYS:
        value = (credentials or {}).get(key)
        if value:
            return normalise_email(str(value)) or None
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    for key in _USERNAME_KEYS:
        value = data.get(key) if hasattr(data, "get") else None
        if value:
            return normalise_email(str(value)) or None
    return None


def cool_off() -> timedelta:
    value = settings.AXES_COOLOFF_TIME
    return value if isinstance(value, timedelta) else timedelta(hours=float(value or 0))


def retry_after_seconds(request: HttpRequest, credentials: dict | None = None) -> int:
    """Seconds until the (username, IP) lockout ends: cool-off counted from the last failure."""
    from axes.models import AccessAttempt

    from core.client_ip import client_ip

    username = axes_username(request, credentials)
    attempt = (
        AccessAttempt.objects.filter(username=username, ip_address=client_ip(request))
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    total = cool_off().total_seconds()
    if attempt is None:
        return max(int(total), 1)
    remaining = (attempt + cool_off() - timezone.now()).total_seconds()
    return max(math.ceil(remaining), 1)


def lockout_message(retry_after: int) -> str:
    minutes = max((retry_after + 59) // 60, 1)
    return ngettext(
        "Too many failed log-in attempts. Please try again in %(minutes)d minute.",
        "Too many failed log-in attempts. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """settings.AXES_LOCKOUT_CALLABLE: 429 with Retry-After; JSON under /api/, a page elsewhere."""
    retry_after = retry_after_seconds(request, credentials)
    message = lockout_message(retry_after)
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    else:
        context = {"message": message, "retry_after": retry_after}
        response = render(request, "accounts/locked_out.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def is_locked_out(request: HttpRequest, username: str) -> bool:
    """Whether (username, this client's IP) is locked out now (the code step asks before checking)."""
    from axes.handlers.proxy import AxesProxyHandler

    return not AxesProxyHandler.is_allowed(request, {"email": username})


def record_failure(request: HttpRequest, username: str) -> None:
    """Count a failed second step (a wrong code) as a failed log-in of `username`, as axes counts passwords."""
    from django.contrib.auth.signals import user_login_failed

    user_login_failed.send(sender=__name__, credentials={"email": username}, request=request)
