"""Pages that let people without an e-mail ask and follow: the SMS code on the receipt, the short link,
"Theo dõi câu hỏi" (look up by reference code). Thin: forms parse, services decide.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.client_ip import client_ip
from core.errors import RateLimited

from . import selectors
from .models import Question, QuestionStatus
from .services.confirmation import (
    confirmation_email_correct,
    confirmation_resend,
    masked_email,
    pending_question,
)
from .services.lookup import lookup_grant_add, lookup_grant_valid, question_lookup
from .services.phone import phone_code_confirm, phone_code_resend, phone_correct


class PhoneCodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code from the SMS"),
        max_length=12,
        required=False,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9 ]*", "maxlength": "12"}
        ),
    )


class PhoneCorrectForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("The right mobile number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )


class LookupForm(forms.Form):
    reference = forms.CharField(
        label=gettext_lazy("Reference code"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("As on your receipt, for example HP-STP-2026-000123."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    secret = forms.CharField(
        label=gettext_lazy("E-mail, mobile number or lookup PIN"),
        max_length=254,
        required=False,
        help_text=gettext_lazy(
            "The e-mail address or mobile number you gave when you asked, or the 6-digit PIN on your receipt."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("reference", "").strip():
            self.add_error("reference", _("Enter the reference code of your question."))
        if not data.get("secret", "").strip():
            self.add_error("secret", _("Enter your e-mail address, your mobile number or the lookup PIN."))
        return data


def _private(response: HttpResponse) -> HttpResponse:
    from .views import private_response

    return private_response(response)


def receipt_url(question: Question) -> str:
    return reverse("qa:receipt", kwargs={"reference": question.reference}) + f"?token={question.tracking_token}"


@require_POST
def phone_confirm(request: HttpRequest, reference: str) -> HttpResponse:
    """The code form on the receipt of a phone-only question."""
    from .views import receipt_response

    question = selectors.receipt_question(reference, request.POST.get("token"))
    form = PhoneCodeForm(request.POST)
    form.is_valid()
    try:
        phone_code_confirm(question=question, code=form.cleaned_data.get("code", ""))
    except ValidationError as exc:
        form.add_error("code", exc.messages)
        return receipt_response(request, question, code_form=form, status=400)
    messages.success(request, _("Thank you: your number is confirmed and your question was sent to the agency."))
    return _private(redirect(receipt_url(question)))


@require_POST
def phone_resend(request: HttpRequest, reference: str) -> HttpResponse:
    from .views import receipt_response

    question = selectors.receipt_question(reference, request.POST.get("token"))
    try:
        phone_code_resend(question=question, client_ip=client_ip(request))
    except RateLimited as exc:
        form = PhoneCodeForm(data={})
        form.is_valid()
        form.add_error(None, str(exc.message))
        response = receipt_response(request, question, code_form=form, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    except ValidationError:
        return _private(redirect(receipt_url(question)))
    messages.success(request, _("We have sent you a new code. Earlier codes no longer work."))
    return _private(redirect(receipt_url(question)))


@require_POST
def phone_change(request: HttpRequest, reference: str) -> HttpResponse:
    """Correct a mistyped number on the receipt of an unconfirmed phone question; a new code goes there."""
    from .views import receipt_response

    question = selectors.receipt_question(reference, request.POST.get("token"))
    form = PhoneCorrectForm(request.POST)
    form.is_valid()
    try:
        phone_correct(question=question, phone=form.cleaned_data.get("phone", ""), client_ip=client_ip(request))
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            form.add_error("phone", exc.message_dict.get("phone", exc.messages))
            return receipt_response(request, question, correct_form=form, status=400)
        return _private(redirect(receipt_url(question)))
    except RateLimited as exc:
        form.add_error(None, str(exc.message))
        response = receipt_response(request, question, correct_form=form, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    messages.success(request, _("Your number is corrected and a new code was sent to it."))
    return _private(redirect(receipt_url(question)))


@require_GET
def short_link(request: HttpRequest, token: str) -> HttpResponse:
    """/s/<token>/, the short link in SMS: on to the private tracking page."""
    question = get_object_or_404(Question.objects.exclude(status=QuestionStatus.UNVERIFIED), short_token=token)
    return _private(redirect(question.tracking_path()))


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """ "Theo dõi câu hỏi": reference code + e-mail, phone or PIN → the tracking page (or the receipt to confirm)."""
    status, retry_after = 200, None
    if request.method == "POST":
        form = LookupForm(request.POST)
        if form.is_valid():
            try:
                question = question_lookup(
                    reference=form.cleaned_data["reference"],
                    secret=form.cleaned_data["secret"],
                    client_ip=client_ip(request),
                )
            except RateLimited as exc:
                form.add_error(None, str(exc.message))
                status, retry_after = 429, exc.retry_after
            else:
                if question is not None:
                    if question.status == QuestionStatus.UNVERIFIED:
                        return _private(redirect(receipt_url(question)))
                    # Read-only: never the tracking token (see services.lookup).
                    lookup_grant_add(request.session, question.reference)
                    return _private(redirect(reverse("qa:lookup_view", kwargs={"reference": question.reference})))
                # The same words whether the reference exists or not: nothing to learn by trying.
                form.add_error(
                    None,
                    _(
                        "We found no question with this reference code and these details. "
                        "Check both and try again, or ask for your links below."
                    ),
                )
                status = 400
    else:
        form = LookupForm(initial={"reference": request.GET.get("reference", "")[:40]})
    response = _private(render(request, "qa/lookup.html", {"form": form}, status=status))
    if request.method == "GET" and not request.GET:
        del response["X-Robots-Tag"]  # the empty form is a public entry point search engines may list
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_GET
def lookup_view(request: HttpRequest, reference: str) -> HttpResponse:
    """The tracking page, read-only, for a browser that looked the question up a moment ago.

    Status, public timeline and the answer; no reply, rating, withdrawal or erasure, which need the
    secret link (sent again by "I lost my link" to the address or number on the question).
    """
    from .views import track_context

    if not lookup_grant_valid(request.session, reference):
        return _private(redirect(reverse("qa:lookup") + "?" + urlencode({"reference": reference[:40]})))
    question = selectors.looked_up_question(reference)
    context = track_context(question, token="")
    context.update(read_only=True, can_withdraw=False, can_erase=False, attachments=[])
    return _private(render(request, "qa/track.html", context))


APP_NAME = "Hỏi đáp & Đối thoại"
THEME_COLOUR = "#b11f24"  # the header's red (static/css/site.css --red)


@require_GET
def web_manifest(request: HttpRequest) -> HttpResponse:
    """/manifest.webmanifest: lets a phone add the portal to its home screen with its name and icon.

    A view, not a static file, so the icons' addresses are the hashed ones of the static storage and
    the type is application/manifest+json.
    """
    icons = [
        {"src": static("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        {"src": static("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
        {"src": static("icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        {"src": static("icons/icon-maskable-512.png"), "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    ]
    manifest = {
        "name": APP_NAME,
        "short_name": "Hỏi đáp",
        "description": _("Ask the agencies a question, follow it, and take part in live online dialogues."),
        "lang": "vi",
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME_COLOUR,
        "icons": icons,
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- Before an e-mail question is confirmed ---------------------------------------------------------


class EmailCorrectForm(forms.Form):
    email = forms.CharField(
        label=gettext_lazy("The right e-mail address"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


def ask_sent_response(
    request: HttpRequest, reference: str, *, correct_form=None, resend_error: str = "", status: int = 200
) -> HttpResponse:
    """ "Check your e-mail"; for the browser that asked, with "send it again" and "I typed my e-mail wrong"."""
    question = pending_question(request.session, reference)
    context = {
        "reference": reference,
        "pending": question,
        "masked_email": masked_email(question.contact.email) if question is not None else "",
        "correct_form": correct_form or EmailCorrectForm(),
        "resend_error": resend_error,
    }
    return _private(render(request, "qa/ask_sent.html", context, status=status))


def _pending_or_404(request: HttpRequest, reference: str) -> Question:
    question = pending_question(request.session, reference)
    if question is None:
        raise Http404
    return question


def _limited(response: HttpResponse, exc: RateLimited) -> HttpResponse:
    response["Retry-After"] = str(exc.retry_after)
    return response


@require_POST
def confirmation_resend_view(request: HttpRequest, reference: str) -> HttpResponse:
    question = _pending_or_404(request, reference)
    try:
        confirmation_resend(question=question, client_ip=client_ip(request))
    except RateLimited as exc:
        return _limited(ask_sent_response(request, reference, resend_error=str(exc.message), status=429), exc)
    messages.success(request, _("We have sent the confirmation link again. Look for the newest e-mail."))
    return redirect("qa:ask_sent", reference=reference)


@require_POST
def confirmation_email_change(request: HttpRequest, reference: str) -> HttpResponse:
    question = _pending_or_404(request, reference)
    form = EmailCorrectForm(request.POST)
    form.is_valid()
    try:
        confirmation_email_correct(
            question=question, email=form.cleaned_data.get("email", ""), client_ip=client_ip(request)
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            form.add_error("email", exc.message_dict.get("email", exc.messages))
            return ask_sent_response(request, reference, correct_form=form, status=400)
        return redirect("qa:ask_sent", reference=reference)
    except RateLimited as exc:
        form.add_error(None, str(exc.message))
        return _limited(ask_sent_response(request, reference, correct_form=form, status=429), exc)
    messages.success(request, _("Your e-mail address is corrected and a new confirmation link was sent to it."))
    return redirect("qa:ask_sent", reference=reference)
