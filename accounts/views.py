"""Account pages. Thin: they read forms, call accounts.services / selectors and render."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import permissions, selectors, services
from .errors import RateLimited
from .forms import (
    LoginForm,
    PasswordChangeForm,
    PasswordResetForm,
    ProfileForm,
    RegistrationForm,
    ResendVerificationForm,
)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
QUESTIONS_PER_PAGE = 20
_NEW_TOKEN_SESSION_KEY = "accounts_new_api_token"  # noqa: S105 (a session key name, not a secret)
_REGISTERED_SESSION_KEY = "accounts_registered_email"


def client_ip(request: HttpRequest) -> str | None:
    """The peer address. Behind a proxy the ASGI server must rewrite it (uvicorn --proxy-headers)."""
    return request.META.get("REMOTE_ADDR") or None


def _apply_errors(form: Form, exc: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Show a service's ValidationError on the form: per field where the form has that field."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = (field_map or {}).get(field, field)
            form.add_error(target if target in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _rate_limited(response: HttpResponse, exc: RateLimited) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(exc.retry_after)
    return response


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


def _log_in(request: HttpRequest, user, redirect_to: str) -> HttpResponse:
    auth_login(request, user, backend=MODEL_BACKEND)
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
            form.add_error(None, str(exc.message))
            return _rate_limited(render(request, "accounts/register.html", {"form": form}), exc)
        except ValidationError as exc:
            _apply_errors(form, exc, RegistrationForm.service_field_map)
        else:
            request.session[_REGISTERED_SESSION_KEY] = user.email
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
            form.add_error(None, str(exc.message))
            return _rate_limited(render(request, "accounts/verify_resend.html", {"form": form, "own": own}), exc)
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
        except RateLimited as exc:
            form.add_error(None, str(exc.message))
            return _rate_limited(render(request, "accounts/login.html", {"form": form, "next": next_url}), exc)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _log_in(request, user, next_url or _default_landing(user))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


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
            form.add_error(None, str(exc.message))
            return _rate_limited(self.render_to_response(self.get_context_data(form=form)), exc)
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
            _apply_errors(form, exc)
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
