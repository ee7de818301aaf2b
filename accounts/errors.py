"""Domain errors shared by every app.

The web shows them as messages; the API maps them in config.api.exception_handler
(TransitionNotAllowed → 409, RateLimited → 429, other DomainError → 400).
"""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code = "domain_error"
    default_message = _("This action is not possible.")

    def __init__(self, message=None, *, code: str | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        super().__init__(str(self.message))


class TransitionNotAllowed(DomainError):
    """An illegal state change, or one made on a stale copy: HTTP 409."""

    code = "transition_not_allowed"
    default_message = _("This action is not allowed in the current state.")

    def __init__(self, message=None, *, code: str | None = None, current_state: str | None = None):
        self.current_state = current_state
        super().__init__(message, code=code)


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, retry_after: int, message=None):
        from django.utils.translation import ngettext

        self.retry_after = max(int(retry_after), 1)
        minutes = max((self.retry_after + 59) // 60, 1)
        message = message or ngettext(
            "Too many requests. Please try again in %(minutes)d minute.",
            "Too many requests. Please try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        super().__init__(message)
