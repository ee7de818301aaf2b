"""The one error mapping (core.responses): the same error means the same thing on every door."""

import pytest
from django import forms
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError

from core.api import exception_handler
from core.errors import DomainError, LoginLockedOut, PersonalDataFound, RateLimited, TransitionNotAllowed
from core.forms import add_service_errors
from core.responses import error_message, error_reply

CASES = [
    # exception, status, API body, socket code
    (
        TransitionNotAllowed("Stale.", current_state="answered"),
        409,
        {"detail": "Stale.", "code": "transition_not_allowed", "current_state": "answered"},
        "conflict",
    ),
    (
        TransitionNotAllowed("Taken.", code="already_claimed"),
        409,
        {"detail": "Taken.", "code": "already_claimed"},
        "already_claimed",
    ),
    (
        PersonalDataFound([{"field": "body", "text": "0912345678"}], "Found."),
        409,
        {"detail": "Found.", "code": "personal_data", "findings": [{"field": "body", "text": "0912345678"}]},
        "personal_data",
    ),
    (RateLimited(90, "Slow down."), 429, {"detail": "Slow down.", "code": "rate_limited"}, "rate_limited"),
    (LoginLockedOut(30, "Locked."), 429, {"detail": "Locked.", "code": "locked_out"}, "rate_limited"),
    (DomainError("No.", code="closed"), 400, {"detail": "No.", "code": "closed"}, "closed"),
    (
        ValidationError({"title": ["Too long."], "__all__": ["Bad."]}),
        400,
        {"title": ["Too long."], "non_field_errors": ["Bad."]},
        "invalid",
    ),
    (ValidationError("Whole."), 400, {"non_field_errors": ["Whole."]}, "invalid"),
    (PermissionDenied("Not yours."), 403, {"detail": "Not yours."}, "forbidden"),
    (ObjectDoesNotExist("Gone."), 404, {"detail": "Gone."}, "not_found"),
]


@pytest.mark.parametrize(("exc", "status", "body", "socket_code"), CASES)
def test_each_error_has_one_meaning(exc, status, body, socket_code):
    reply = error_reply(exc)
    assert (reply.status, reply.api_body(), reply.socket_code) == (status, body, socket_code)
    response = exception_handler(exc, {})
    assert (response.status_code, response.data) == (status, body)


def test_a_rate_limit_says_when_to_come_back_on_the_api_and_on_a_page():
    from django.http import HttpResponse

    assert exception_handler(RateLimited(90), {})["Retry-After"] == "90"
    page = error_reply(RateLimited(61)).apply_to(HttpResponse("form"))
    assert (page.status_code, page["Retry-After"]) == (429, "61")


def test_other_exceptions_are_left_to_the_framework():
    assert error_reply(KeyError("x")) is None
    assert error_message(KeyError("x")) == "'x'"


def test_a_permission_error_without_text_gets_a_translated_one(settings):
    from django.utils import translation

    with translation.override("vi"):
        vietnamese = error_reply(PermissionDenied()).message
    with translation.override("en"):
        english = error_reply(PermissionDenied()).message
    assert english == "You may not do this." and vietnamese != english


class _Form(forms.Form):
    email = forms.CharField(required=False)
    code = forms.CharField(required=False)


def test_the_form_helper_puts_errors_on_fields_and_the_rest_above():
    form = _Form(data={})
    assert form.is_valid()
    reply = add_service_errors(
        form, ValidationError({"email": ValidationError("Taken.", code="taken"), "other": ["Elsewhere."]})
    )
    assert reply.status == 400
    assert form.has_error("email", code="taken")  # the error keeps its code
    assert form.non_field_errors() == ["Elsewhere."]


def test_the_form_helper_renames_fields_and_takes_plain_dicts_and_domain_errors():
    form = _Form(data={})
    form.is_valid()
    add_service_errors(form, ValidationError({"otp": ["Wrong code."]}), {"otp": "code"})
    assert form.errors["code"] == ["Wrong code."]
    add_service_errors(form, {"email": ["Bad address."]})
    assert form.errors["email"] == ["Bad address."]
    reply = add_service_errors(form, RateLimited(5, "Later."))
    assert (reply.status, form.non_field_errors()) == (429, ["Later."])


def test_the_form_helper_does_not_swallow_bugs():
    form = _Form(data={})
    form.is_valid()
    with pytest.raises(KeyError):
        add_service_errors(form, KeyError("bug"))
