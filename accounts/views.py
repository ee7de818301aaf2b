"""Account pages. Thin: they read forms, call accounts.services / selectors and render."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from core.client_ip import client_ip
from core.errors import LoginLockedOut, RateLimited
from core.forms import add_service_errors

from . import permissions, selectors, services, two_factor
from .forms import (
    LoginForm,
    OTPCodeForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    RegistrationForm,
    ResendVerificationForm,
    TwoFactorDisableForm,
)
from .lockout import is_locked_out, lockout_response, record_failure
from .models import User

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
QUESTIONS_PER_PAGE = 20
_NEW_TOKEN_SESSION_KEY = "accounts_new_api_token"  # noqa: S105 (a session key name, not a secret)
_REGISTERED_SESSION_KEY = "accounts_registered_email"
_PENDING_2FA_SESSION_KEY = "accounts_2fa_pending"
_BACKUP_CODES_SESSION_KEY = "accounts_2fa_new_codes"
# Minutes between a right password and the code before the log-in starts over.
PENDING_2FA_MAX_AGE = 5 * 60


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    """The same cookie Django's set_language view writes, so LocaleMiddleware picks it up."""
    if language not in dict(settings.LANGUAGES):
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def _safe_next(request: HttpRequest) -> str:
    """`next` from the form or the query string, only if it stays on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return ""


def _default_landing(user) -> str:
    """Agency staff start at their queue, everybody else where LOGIN_REDIRECT_URL says."""
    if permissions.is_agency_staff(user):
        try:
            return reverse("staff:queue")
        except NoReverseMatch:  # the staff panel is not mounted in this deployment
            pass
    return str(settings.LOGIN_REDIRECT_URL)


def _log_in(request: HttpRequest, user, redirect_to: str, device=None) -> HttpResponse:
    auth_login(request, user, backend=MODEL_BACKEND)
    if device is not None:
        otp_login(request, device)  # this session passed the second step
    translation.activate(user.language)
    if not user.email_verified:
        messages.warning(
            request,
            _(
                "Your e-mail address is not verified yet: questions you ask wait until you open the link we sent you. "
                "You can ask for a new link on your profile page."
            ),
        )
    response = redirect(redirect_to)
    _set_language_cookie(response, user.language)
    return response


# --- Registration and verification ----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_register(
                email=data["email"],
                full_name=data["full_name"],
                password=data["password1"],
                phone=data["phone"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
                client_ip=client_ip(request),
            )
        except RateLimited as exc:
            return add_service_errors(form, exc).apply_to(render(request, "accounts/register.html", {"form": form}))
        except ValidationError as exc:
            add_service_errors(form, exc, RegistrationForm.service_field_map)
        else:
            # The same answer whether the address was new (user) or already registered (None).
            request.session[_REGISTERED_SESSION_KEY] = user.email if user else services.normalise_email(data["email"])
            return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request: HttpRequest) -> HttpResponse:
    email = request.session.get(_REGISTERED_SESSION_KEY, "")
    context = {
        "email": email,
        "form": ResendVerificationForm(initial={"email": email}),
        "valid_days": settings.ACCOUNTS_VERIFY_MAX_AGE // 86400,
    }
    return render(request, "accounts/register_done.html", context)


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user, newly_verified = services.user_verify_email(token=token)
    except ValidationError as exc:
        context = {
            "error": exc.messages[0],
            "expired": exc.code == "expired",
            "form": ResendVerificationForm(),
            "valid_days": settings.ACCOUNTS_VERIFY_MAX_AGE // 86400,
        }
        return render(request, "accounts/verify_failed.html", context, status=400)
    if newly_verified:
        request.session.pop(_REGISTERED_SESSION_KEY, None)
        messages.success(request, _("Thank you: your e-mail address is verified and you are logged in."))
        return _log_in(request, user, reverse("accounts:profile"))
    # A link is good for one log-in: later clicks only say it has been used.
    messages.info(request, _("This e-mail address is already verified."))
    if request.user.is_authenticated and request.user.pk == user.pk:
        return redirect("accounts:profile")
    return redirect("accounts:login")


@require_http_methods(["GET", "POST"])
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    """Ask for a new verification link: for the logged-in user's own address, or any address typed in."""
    own = request.user.is_authenticated and not request.user.email_verified
    form = ResendVerificationForm(request.POST or None)
    if request.method == "POST" and (own or form.is_valid()):
        email = request.user.email if own else form.cleaned_data["email"]
        try:
            services.user_send_verification(email=email, client_ip=client_ip(request))
        except RateLimited as exc:
            form = ResendVerificationForm(data={"email": email})
            form.is_valid()
            return add_service_errors(form, exc).apply_to(
                render(request, "accounts/verify_resend.html", {"form": form, "own": own})
            )
        messages.success(
            request,
            _("If an account with an unverified address %(email)s exists, a new link is on its way. Check your inbox.")
            % {"email": email},
        )
        return redirect("accounts:profile" if request.user.is_authenticated else "accounts:verify_email_resend")
    return render(request, "accounts/verify_resend.html", {"form": form, "own": own})


# --- Log-in and log-out ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_authenticate(
                request=request,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                client_ip=client_ip(request),
            )
        except LoginLockedOut:
            return lockout_response(request)
        except RateLimited as exc:
            return add_service_errors(form, exc).apply_to(
                render(request, "accounts/login.html", {"form": form, "next": next_url})
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if two_factor.two_factor_enabled(user):
                # Not logged in yet: the session only remembers who passed the password, for a few minutes.
                request.session[_PENDING_2FA_SESSION_KEY] = {
                    "user": user.pk,
                    "next": next_url,
                    "at": int(time.time()),
                }
                return redirect("accounts:login_code")
            return _log_in(request, user, next_url or _default_landing(user))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _second_step_user(request: HttpRequest) -> tuple[User | None, str, bool]:
    """Who is at the code step: (user, next, pending).

    Either the password was just right on our form (pending, not logged in yet), or the
    session is logged in without the second step (e.g. through the admin's log-in form).
    """
    pending = request.session.get(_PENDING_2FA_SESSION_KEY)
    if isinstance(pending, dict) and time.time() - pending.get("at", 0) < PENDING_2FA_MAX_AGE:
        user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
        if user is not None:
            return user, pending.get("next") or "", True
    request.session.pop(_PENDING_2FA_SESSION_KEY, None)
    if request.user.is_authenticated and not request.user.is_verified() and two_factor.two_factor_enabled(request.user):
        return request.user, _safe_next(request), False
    return None, "", False


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """The second step of a log-in: a code from the authenticator app or a backup code."""
    user, next_url, pending = _second_step_user(request)
    if user is None:
        if request.user.is_authenticated:
            return redirect(next_url or _default_landing(request.user))
        messages.info(request, _("Please log in again."))
        return redirect("accounts:login")
    form = OTPCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if is_locked_out(request, user.email):
            return lockout_response(request)
        device = two_factor.two_factor_verify(user=user, code=form.cleaned_data["otp_token"])
        if device is not None:
            request.session.pop(_PENDING_2FA_SESSION_KEY, None)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    ngettext(
                        "You used a backup code: %(count)d is left.",
                        "You used a backup code: %(count)d are left.",
                        two_factor.backup_codes_left(user),
                    )
                    % {"count": two_factor.backup_codes_left(user)},
                )
            target = next_url or _default_landing(user)
            if pending:
                return _log_in(request, user, target, device=device)
            otp_login(request, device)
            return redirect(target)
        record_failure(request, user.email)  # axes counts it with the wrong passwords
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request)
        form.add_error("otp_token", _("The code is not correct."))
    status = 400 if form.errors else 200
    return render(request, "accounts/login_code.html", {"form": form, "next": next_url}, status=status)


# Django's view: POST only (GET answers 405), CSRF-protected, honours a safe `next`.
logout_view = auth_views.LogoutView.as_view()


# --- Password reset (Django's views, our templates and e-mail task) ------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        try:
            services.password_reset_request(email=form.cleaned_data["email"], client_ip=client_ip(self.request))
        except RateLimited as exc:
            return add_service_errors(form, exc).apply_to(self.render_to_response(self.get_context_data(form=form)))
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # The link reached the inbox, which proves the address as well as the verification link does.
        services.user_mark_email_verified(user=form.user)
        return response


password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)


# --- Profile --------------------------------------------------------------------------------


def _render_profile(
    request: HttpRequest,
    *,
    profile_form: ProfileForm | None = None,
    password_form: PasswordChangeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    page = Paginator(selectors.user_questions(user), QUESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "profile_form": profile_form or ProfileForm.for_user(user),
        "password_form": password_form or PasswordChangeForm(user),
        "questions": page,
        "memberships": list(selectors.user_memberships(user)),
        "api_token": selectors.user_api_token(user),
        "new_api_token": request.session.pop(_NEW_TOKEN_SESSION_KEY, None),
        "two_factor_enabled": two_factor.two_factor_enabled(user),
    }
    return render(request, "accounts/profile.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render_profile(request)
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            user = services.user_update_profile(
                user=request.user,
                full_name=form.cleaned_data["full_name"],
                phone=form.cleaned_data["phone"],
                language=form.cleaned_data["language"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            translation.activate(user.language)
            messages.success(request, _("Your profile is saved."))
            response = redirect("accounts:profile")
            _set_language_cookie(response, user.language)
            return response
    return _render_profile(request, profile_form=form)


@login_required
@require_POST
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST)
    if form.is_valid():
        form.save()
        # Keep this session logged in; other sessions of the user end with the old password.
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Your password is changed."))
        return redirect(reverse("accounts:profile") + "#password")
    return _render_profile(request, password_form=form)


@login_required
@require_POST
def api_token(request: HttpRequest) -> HttpResponse:
    action = request.POST.get("action")
    if action == "regenerate":
        try:
            token = services.api_token_regenerate(user=request.user)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            # Shown once, on the next page view, then only its creation date.
            request.session[_NEW_TOKEN_SESSION_KEY] = token.key
            messages.success(request, _("Your new API token is ready. Copy it now: it is shown only once."))
    elif action == "revoke":
        if services.api_token_revoke(user=request.user):
            messages.success(request, _("Your API token is revoked: programs using it can no longer sign in."))
    else:
        return HttpResponseBadRequest(_("Unknown action."))
    return redirect(reverse("accounts:profile") + "#api-token")


# --- Two-step log-in (accounts/two_factor.py) -------------------------------------------------


def _two_factor_page(request: HttpRequest, *, code_form=None, disable_form=None, status: int = 200) -> HttpResponse:
    user = request.user
    enabled = two_factor.two_factor_enabled(user)
    pending = None if enabled else two_factor.two_factor_pending_device(user)
    context = {
        "enabled": enabled,
        "required": two_factor.two_factor_required(user),
        "pending": pending,
        "qr_svg": two_factor.qr_svg(pending) if pending else "",
        "secret": two_factor.secret_text(pending) if pending else "",
        "code_form": code_form or OTPCodeForm(),
        "disable_form": disable_form or TwoFactorDisableForm(),
        "backup_codes_left": two_factor.backup_codes_left(user) if enabled else 0,
        "new_backup_codes": request.session.pop(_BACKUP_CODES_SESSION_KEY, None),
        "next": _safe_next(request),
    }
    response = render(request, "accounts/two_factor.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the secret and the backup codes must not stay in a cache
    return response


def _show_codes_once(request: HttpRequest, codes: list[str]) -> None:
    request.session[_BACKUP_CODES_SESSION_KEY] = codes


@login_required
@require_http_methods(["GET", "POST"])
def two_factor_settings(request: HttpRequest) -> HttpResponse:
    """Turn two-step log-in on (scan, confirm with a code, keep the backup codes) or off."""
    if request.method != "POST":
        return _two_factor_page(request)
    action = request.POST.get("action")
    here = reverse("accounts:two_factor")
    if action == "start":
        two_factor.two_factor_begin(user=request.user)
        next_url = _safe_next(request)
        return redirect(f"{here}?{urlencode({'next': next_url})}" if next_url else here)
    if action == "confirm":
        form = OTPCodeForm(request.POST)
        if form.is_valid():
            try:
                device, codes = two_factor.two_factor_confirm(user=request.user, code=form.cleaned_data["otp_token"])
            except ValidationError as exc:
                form.add_error("otp_token", exc)
            else:
                otp_login(request, device)  # set up with a right code: this session passed the second step
                _show_codes_once(request, codes)
                messages.success(request, _("Two-step log-in is on."))
                next_url = _safe_next(request)  # e.g. the admin site that sent a site administrator here
                return redirect(f"{here}?{urlencode({'next': next_url})}" if next_url else here)
        return _two_factor_page(request, code_form=form, status=400)
    if action == "backup_codes":
        form = OTPCodeForm(request.POST)
        if form.is_valid():
            try:
                codes = two_factor.two_factor_new_backup_codes(user=request.user, code=form.cleaned_data["otp_token"])
            except ValidationError as exc:
                form.add_error("otp_token", exc)
            else:
                _show_codes_once(request, codes)
                messages.success(request, _("New backup codes are ready; the old ones no longer work."))
                return redirect(here)
        return _two_factor_page(request, code_form=form, status=400)
    if action == "disable":
        form = TwoFactorDisableForm(request.POST)
        if form.is_valid():
            try:
                two_factor.two_factor_disable(
                    user=request.user, password=form.cleaned_data["password"], code=form.cleaned_data["otp_token"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc, {"code": "otp_token"})
            else:
                messages.success(request, _("Two-step log-in is off."))
                return redirect(here)
        return _two_factor_page(request, disable_form=form, status=400)
    return HttpResponseBadRequest(_("Unknown action."))
