"""Showing a service's error on a form: the one helper every web view uses (it was written nine times)."""

from collections.abc import Mapping

from django import forms
from django.core.exceptions import ValidationError

from .responses import ErrorReply, error_reply


def add_service_errors(
    form: forms.BaseForm,
    error: ValidationError | Exception | Mapping[str, list],
    field_map: Mapping[str, str] | None = None,
) -> ErrorReply:
    """Put a service's error on `form`: per field where the form has that field, the rest above the form.

    `error` is a ValidationError, a domain error (its message goes above the form), or a plain
    {field: [messages]}. `field_map` renames service fields to form fields. Returns the error's reply
    (status, Retry-After) so the view can answer with it (a plain dict is a 400).
    """
    errors: Mapping[str, list]
    if isinstance(error, Mapping):
        errors = error
        fields = {name: [str(m) for m in messages] for name, messages in error.items()}
        reply = ErrorReply(400, " ".join(m for ms in fields.values() for m in ms), fields=fields)
    elif isinstance(error, ValidationError):
        reply = error_reply(error) or ErrorReply(400, "")
        # The ValidationErrors themselves, not their text: the form keeps their codes (form.has_error(..., code)).
        errors = error.error_dict if hasattr(error, "error_dict") else {"__all__": error.error_list}
    else:
        found = error_reply(error)
        if found is None:
            raise error
        reply, errors = found, {"__all__": [found.message]}
    for name, messages in errors.items():
        target = (field_map or {}).get(name, name)
        form.add_error(target if target in form.fields else None, list(messages))
    return reply
