"""Domain errors shared by every app.

The web shows them as messages; the API maps them in core.api.exception_handler
(TransitionNotAllowed → 409, RateLimited → 429, other DomainError → 400).
"""

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# A message for people: a str or a lazy translation.
Message = str | Promise


class DomainError(Exception):
    code = "domain_error"
    default_message = _("This action is not possible.")

    def __init__(self, message: Message | None = None, *, code: str | None = None) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        super().__init__(str(self.message))


class TransitionNotAllowed(DomainError):
    """An illegal state change, or one made on a stale copy: HTTP 409."""

    code = "transition_not_allowed"
    default_message = _("This action is not allowed in the current state.")

    def __init__(
        self, message: Message | None = None, *, code: str | None = None, current_state: str | None = None
    ) -> None:
        self.current_state = current_state
        super().__init__(message, code=code)


class RateLimited(DomainError):
    """Too many requests: HTTP 429 with Retry-After."""

    code = "rate_limited"

    def __init__(self, retry_after: int, message: Message | None = None) -> None:
        from django.utils.translation import ngettext

        self.retry_after = max(int(retry_after), 1)
        minutes = max((self.retry_after + 59) // 60, 1)
        message = message or ngettext(
            "Too many requests. Please try again in %(minutes)d minute.",
            "Too many requests. Please try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        super().__init__(message)


class LoginLockedOut(RateLimited):
    """django-axes refused the attempt: this address and client IP failed too often (accounts.lockout)."""

    code = "locked_out"


class PersonalDataFound(DomainError):
    """Text about to be published still holds the asker's personal data: HTTP 409 with the findings.

    `findings` are dicts (field, kind, label, text, start, end, own); the official either edits the text or
    confirms each finding by sending its `text` back.
    """

    code = "personal_data"
    default_message = _(
        "The public text still contains the asker's personal data. Remove it, or confirm each finding "
        "if it may be published."
    )

    def __init__(self, findings: list[dict[str, Any]], message: Message | None = None) -> None:
        self.findings = findings
        super().__init__(message)
