"""Web pages: the in-app list, read marks, preferences and the one-click unsubscribe page.

Thin: selectors read, services write. Everything works without JavaScript;
static/js/notifications.js only adds the live count and new items.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.client_ip import client_ip

from . import selectors, services
from .emails import target_url
from .kinds import ASKER, DIALOGUE, STAFF, spec_for
from .tokens import read_unsubscribe_token


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("filter") == "unread"
    page = Paginator(selectors.inbox_for(user=request.user, unread_only=unread_only), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "groups": selectors.inbox_groups(page.object_list),
            "unread_only": unread_only,
            "unread_count": selectors.unread_count_for(user_id=request.user.pk),
        },
    )


def _back_to_list(request: HttpRequest):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    services.notification_mark_read(user=request.user, notification_id=pk)
    return _back_to_list(request)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    changed = services.notifications_mark_all_read(user=request.user)
    if changed:
        messages.success(request, _("All notifications are marked as read."))
    return _back_to_list(request)


@login_required
@require_GET
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow a notification: mark it read, then go where it points (always a page of this site)."""
    notification = services.notification_mark_read(user=request.user, notification_id=pk)
    return redirect(target_url(notification))


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    rows = selectors.preferences_for(user=request.user)
    if request.method == "POST":
        choices = {
            row.kind.code: {
                "email": f"{row.kind.code}:email" in request.POST,
                "in_app": f"{row.kind.code}:in_app" in request.POST,
                "digest": request.POST.get(f"{row.kind.code}:digest") == "1",
                "sms": row.sms_available and f"{row.kind.code}:sms" in request.POST,
            }
            for row in rows
        }
        services.preferences_save(user=request.user, choices=choices)
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return _preferences_page(request, _preference_groups(request.user, rows))


def _preference_groups(user, rows=None) -> list[dict]:
    rows = rows if rows is not None else selectors.preferences_for(user=user)
    titles = {
        ASKER: _("About your questions"),
        STAFF: _("Agency work"),
        DIALOGUE: _("Live dialogues"),
    }
    return [
        {"title": title, "rows": [row for row in rows if row.kind.audience == audience]}
        for audience, title in titles.items()
    ]


def _preferences_page(request: HttpRequest, groups: list, *, phone_error: str = "", status: int = 200) -> HttpResponse:
    from accounts.phones import masked_mobile

    number = selectors.sms_number_for(user=request.user)
    context = {
        "groups": [g for g in groups if g["rows"]],
        "sms_number": number,
        "sms_number_masked": masked_mobile(number.phone) if number else "",
        "phone_error": phone_error,
    }
    return render(request, "notifications/preferences.html", context, status=status)


@login_required
@require_POST
def sms_number(request: HttpRequest) -> HttpResponse:
    """Add a mobile number for SMS (a code is sent), confirm it with the code, or remove it."""
    from core.errors import RateLimited

    action = request.POST.get("action", "")
    try:
        if action == "send":
            services.sms_number_request(
                user=request.user, phone=request.POST.get("phone", "")[:40], client_ip=client_ip(request)
            )
            messages.success(request, _("We have sent a code to your mobile number. Enter it below to confirm."))
        elif action == "confirm":
            services.sms_number_confirm(user=request.user, code=request.POST.get("code", "")[:12])
            messages.success(request, _("Your mobile number is confirmed: choose below which messages come by SMS."))
        elif action == "remove":
            services.sms_number_remove(user=request.user)
            messages.success(request, _("Your mobile number was removed: no more SMS."))
    except ValidationError as exc:
        return _preferences_page(request, _preference_groups(request.user), phone_error=exc.messages[0], status=400)
    except RateLimited as exc:
        response = _preferences_page(
            request, _preference_groups(request.user), phone_error=str(exc.message), status=429
        )
        response["Retry-After"] = str(exc.retry_after)
        return response
    return redirect(reverse("notifications:preferences") + "#sms")


@csrf_exempt  # mail clients POST here (RFC 8058) without a session; the signed token is the credential
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows one button (link scanners prefetch GETs and must not unsubscribe anyone); POST applies it."""
    try:
        target = read_unsubscribe_token(token)
        if request.method == "POST":
            target = services.unsubscribe(token=token)
    except ValidationError as exc:
        return render(
            request,
            "notifications/unsubscribe_invalid.html",
            {"expired": exc.code == "expired", "message": exc.messages[0]},
            status=400,
        )
    context = {"token": token, "kind": spec_for(target.kind), "done": request.method == "POST"}
    return render(request, "notifications/unsubscribe.html", context)
