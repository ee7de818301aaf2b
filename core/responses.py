"""The one mapping from domain errors to what a client is told: HTTP status, code, message, fields.

The API's exception handler (core.api), the web views and forms (core.forms) and the WebSocket
consumers all ask `error_reply(exc)`, so an error means the same thing on every door: an illegal
state change is a 409 page, a 409 API answer and a "conflict" socket error.

| exception                         | status | API `code`            | socket `code`       |
|-----------------------------------|--------|-----------------------|---------------------|
| TransitionNotAllowed              | 409    | its code (+ state)    | "conflict" / its    |
| PersonalDataFound                 | 409    | "personal_data" (+ findings)                |
| RateLimited, LoginLockedOut       | 429    | its code (+ Retry-After) | "rate_limited"   |
| other DomainError                 | 400    | its code              | its code            |
| Django ValidationError            | 400    | per field             | "invalid" (+ fields)|
| Django PermissionDenied           | 403    | —                     | "forbidden"         |
| ObjectDoesNotExist                | 404    | —                     | "not_found"         |
"""

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _

from .errors import DomainError, PersonalDataFound, RateLimited, TransitionNotAllowed

# Socket codes that differ from the domain code (docs/live-protocol.md names the socket's vocabulary).
_SOCKET_CODES = {"transition_not_allowed": "conflict", "locked_out": "rate_limited"}
_SOCKET_CODES_BY_STATUS = {400: "invalid", 403: "forbidden", 404: "not_found"}


@dataclass(frozen=True)
class ErrorReply:
    """What to tell the client about one error, whatever the door it came through."""

    status: int
    message: str
    code: str | None = None  # a stable machine-readable code; None for Django's own errors
    fields: dict[str, list[str]] | None = None  # a ValidationError's messages per field ("__all__": the whole)
    extra: dict[str, Any] = field(default_factory=dict)  # current_state, findings
    retry_after: int | None = None

    def api_body(self) -> dict[str, Any]:
        """The JSON body: per-field messages (non_field_errors for the whole), else detail, code and extras."""
        if self.fields is not None:
            data = dict(self.fields)
            if "__all__" in data:
                data["non_field_errors"] = data.pop("__all__")
            return data
        body: dict[str, Any] = {"detail": self.message}
        if self.code is not None:
            body["code"] = self.code
        body.update(self.extra)
        return body

    @property
    def socket_code(self) -> str:
        if self.code is None:
            return _SOCKET_CODES_BY_STATUS.get(self.status, "invalid")
        return _SOCKET_CODES.get(self.code, self.code)

    def apply_to(self, response: HttpResponse) -> HttpResponse:
        """Give a page the error's status (and Retry-After), for views that re-render a form with it."""
        response.status_code = self.status
        if self.retry_after is not None:
            response["Retry-After"] = str(self.retry_after)
        return response


def validation_fields(exc: ValidationError) -> dict[str, list[str]]:
    """A ValidationError's messages per field; one without fields is all "__all__"."""
    if hasattr(exc, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}


def error_reply(exc: BaseException) -> ErrorReply | None:
    """The reply for a domain or Django error; None for anything else (left to the framework: a 500 or DRF's own)."""
    if isinstance(exc, TransitionNotAllowed):
        extra = {"current_state": exc.current_state} if exc.current_state is not None else {}
        return ErrorReply(409, str(exc.message), exc.code, extra=extra)
    if isinstance(exc, PersonalDataFound):
        return ErrorReply(409, str(exc.message), exc.code, extra={"findings": exc.findings})
    if isinstance(exc, RateLimited):
        return ErrorReply(429, str(exc.message), exc.code, retry_after=exc.retry_after)
    if isinstance(exc, DomainError):
        return ErrorReply(400, str(exc.message), exc.code)
    if isinstance(exc, ValidationError):
        fields = validation_fields(exc)
        return ErrorReply(400, " ".join(m for ms in fields.values() for m in ms), fields=fields)
    if isinstance(exc, PermissionDenied):
        return ErrorReply(403, str(exc) or _("You may not do this."))
    if isinstance(exc, ObjectDoesNotExist):
        return ErrorReply(404, str(exc) or _("Not found."))
    return None


def error_message(exc: BaseException) -> str:
    """One line for people (a flash message, a socket error), for any error."""
    reply = error_reply(exc)
    if reply is not None:
        return reply.message
    return str(exc) or _("This action is not possible.")
