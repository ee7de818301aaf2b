"""What the asker does from the tracking page: reply to a request for information, rate the answer, follow up.

The tracking token proves who they are: a wrong or missing token is a 404, as
on the tracking page itself (it confirms nothing to a stranger). Each action has
a page of its own, so an error re-renders the form with what was typed; the
tracking page shows the same forms inline (templates/qa/includes/track_extra.html).
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.client_ip import client_ip
from core.errors import DomainError, RateLimited, TransitionNotAllowed

from . import selectors, services, workflow
from .asker_forms import FollowUpForm, RatingForm, ReplyForm
from .models import Question
from .views import private_response


def _back_to_tracking(question: Question) -> HttpResponse:
    response = HttpResponseRedirect(question.tracking_path())
    response.status_code = 303
    return private_response(response)


def _token(request: HttpRequest) -> str:
    return request.POST.get("token", "") if request.method == "POST" else request.GET.get("token", "")


def latest_information_request(question: Question) -> str:
    """The note of the last "request information" event (public events are prefetched by tracked_question)."""
    note = ""
    for event in question.events.all():
        if event.action == "request_information":
            note = event.note
    return note


def _service_errors(form, exc: ValidationError) -> None:
    form.add_service_errors(exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})


def _render(request, template: str, question: Question, token: str, form, status: int = 200, **extra) -> HttpResponse:
    context = {"question": question, "token": token, "form": form, **extra}
    return private_response(render(request, template, context, status=status))


@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, reference: str) -> HttpResponse:
    token = _token(request)
    question = selectors.tracked_question(reference, token)
    if not workflow.can_apply(question, "receive_information", {workflow.ASKER}):
        messages.info(request, _("The agency is not waiting for information from you."))
        return _back_to_tracking(question)
    extra = {"request_note": latest_information_request(question)}
    if request.method == "GET":
        return _render(request, "qa/asker_reply.html", question, token, ReplyForm(initial={"token": token}), **extra)
    form = ReplyForm(request.POST, request.FILES)
    files = request.FILES.getlist("attachments")
    if form.is_valid():
        try:
            services.question_receive_information(
                question=question, body=form.cleaned_data["body"], attachments=files, token=token
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc.message))
            return _back_to_tracking(question)
        else:
            messages.success(request, _("Thank you. Your reply has been sent to the agency."))
            return _back_to_tracking(question)
    extra["files_dropped"] = bool(files)
    return _render(request, "qa/asker_reply.html", question, token, form, status=400, **extra)


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, reference: str) -> HttpResponse:
    token = _token(request)
    question = selectors.tracked_question(reference, token)
    if not workflow.can_apply(question, "rate", {workflow.ASKER}) or question.rated_at is not None:
        if question.rated_at is not None:
            messages.info(request, _("You have already rated this answer. Thank you!"))
        return _back_to_tracking(question)
    if request.method == "GET":
        return _render(request, "qa/asker_rate.html", question, token, RatingForm(initial={"token": token}))
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.question_rate(
                question=question,
                satisfied=form.cleaned_data["satisfied"],
                comment=form.cleaned_data["comment"],
                token=token,
            )
        except ValidationError as exc:
            _service_errors(form, exc)
        except TransitionNotAllowed as exc:
            messages.error(request, str(exc.message))
            return _back_to_tracking(question)
        else:
            messages.success(request, _("Thank you for rating the answer."))
            return _back_to_tracking(question)
    return _render(request, "qa/asker_rate.html", question, token, form, status=400)


@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, reference: str) -> HttpResponse:
    token = _token(request)
    question = selectors.tracked_question(reference, token)
    if not workflow.can_apply(question, "follow_up", {workflow.ASKER}):
        messages.info(request, _("You can ask a follow-up question once the agency has answered."))
        return _back_to_tracking(question)
    status, retry_after, files_dropped = 200, None, False
    if request.method == "GET":
        form = FollowUpForm(initial={"token": token, "consent_to_publish": question.consent_to_publish})
    else:
        form = FollowUpForm(request.POST, request.FILES)
        files = request.FILES.getlist("attachments")
        if form.is_valid():
            try:
                new = services.question_follow_up(
                    question=question,
                    title=form.cleaned_data["title"],
                    body=form.cleaned_data["body"],
                    attachments=files,
                    consent_to_publish=form.cleaned_data["consent_to_publish"],
                    token=token,
                    client_ip=client_ip(request),
                )
            except ValidationError as exc:
                _service_errors(form, exc)
            except RateLimited as exc:
                form.add_error(None, str(exc.message))
                status, retry_after = 429, exc.retry_after
            except TransitionNotAllowed as exc:
                messages.error(request, str(exc.message))
                return _back_to_tracking(question)
            else:
                messages.success(
                    request,
                    _("Your follow-up question %(ref)s has been sent. Keep its own tracking link below.")
                    % {"ref": new.reference},
                )
                receipt = reverse("qa:receipt", kwargs={"reference": new.reference}) + f"?token={new.tracking_token}"
                response = HttpResponseRedirect(receipt)
                response.status_code = 303
                return private_response(response)
        status = status if status != 200 else 400
        files_dropped = bool(files)
    response = _render(
        request,
        "qa/asker_follow_up.html",
        question,
        token,
        form,
        status=status,
        files_dropped=files_dropped,
        max_files=settings.QA_MAX_ATTACHMENTS,
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def erasure_request(request: HttpRequest, reference: str) -> HttpResponse:
    """The tracking page's "erase my personal data": a confirmation link goes to the asker's e-mail."""
    token = _token(request)
    question = selectors.tracked_question(reference, token)
    try:
        services.erasure_request(question=question, token=token)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        by_sms = not getattr(question.contact, "email", "")
        messages.success(
            request,
            _("We have sent a confirmation link by SMS. Your data is erased once you open it.")
            if by_sms
            else _("We have sent a confirmation link to your e-mail address. Your data is erased once you open it."),
        )
    return _back_to_tracking(question)


@require_http_methods(["GET", "POST"])
def erasure_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the e-mail. GET asks (mail scanners open links), POST erases."""
    try:
        question = services.erasure_question(token)
    except DomainError as exc:
        context = {"error": str(exc.message)}
        return private_response(render(request, "qa/erasure_confirm.html", context, status=400))
    erased = bool(getattr(question, "contact", None) and question.contact.erased_at)
    if request.method == "POST" and not erased:
        question = services.erasure_confirm(token=token)
        erased = True
        messages.success(request, _("Your personal data has been erased."))
    context = {"question": question, "erased": erased, "token": token}
    return private_response(render(request, "qa/erasure_confirm.html", context))
