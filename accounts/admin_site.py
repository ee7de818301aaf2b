"""The admin site opens only to a session that passed two-step log-in (issue 11: required for site administrators).

Installed instead of django.contrib.admin (settings.INSTALLED_APPS) so every ModelAdmin
registered on `admin.site` is behind it. A site administrator logged in with the password
only is sent to the code step (accounts.middleware does that) or, with no authenticator
yet, to the set-up page.
"""

from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _


class TwoFactorAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and request.user.is_verified()

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        from . import two_factor  # not at import time: this module loads before the apps are ready

        # Password right, second step missing: the admin's own form cannot help; say what can.
        if request.method == "GET" and super().has_permission(request) and not request.user.is_verified():
            next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
            if two_factor.two_factor_enabled(request.user):
                target = reverse("accounts:login_code")
            else:
                messages.warning(
                    request,
                    _("Site administrators must turn on two-step log-in before they can use the administration site."),
                )
                target = reverse("accounts:two_factor")
            return redirect(f"{target}?{urlencode({'next': next_url})}")
        return super().login(request, extra_context)


class TwoFactorAdminConfig(AdminConfig):
    default_site = "accounts.admin_site.TwoFactorAdminSite"
