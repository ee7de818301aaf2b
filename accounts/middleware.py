"""A site administrator's session logged in with the password only goes to the code step first.

Our log-in form asks for the code before it logs anyone in. The one other form that logs in
with a password is Django's admin log-in, and it admits only `is_staff` accounts; for those,
until the code is typed, pages redirect to the code step and API calls with the session get
403. Other accounts cost this middleware no query.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import two_factor


class SecondFactorMiddleware:
    """After django_otp.middleware.OTPMiddleware (it gives request.user.is_verified())."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff
            and not user.is_verified()
            and not request.path.startswith(self._exempt())
            and two_factor.two_factor_enabled(user)
        ):
            if request.path.startswith("/api/"):
                message = _("Finish logging in: type the code from your authenticator app first.")
                return JsonResponse({"detail": message, "code": "second_factor_required"}, status=403)
            target = reverse("accounts:login_code")
            return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _exempt() -> tuple[str, ...]:
        return (
            reverse("accounts:login_code"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
            "/static/",
            "/i18n/",
        )
