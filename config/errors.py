"""Error responses people and API clients can use: 503 while the database is down, 500 otherwise, and the
translated 400, 403 and 404 (handler400/403/404).

Before, a stopped PostgreSQL gave Django's bare English "Server Error (500)", in
HTML even to JSON clients. Now:

- A database that cannot be reached (OperationalError, InterfaceError: refused
  connections, a restarting server, a pool that timed out) is a 503 with a
  Retry-After header: the request may be repeated as it is.
- Anything else unexpected is a 500. Neither shows a stack trace.
- Paths under /api/ get JSON `{"detail": …, "code": …}`; pages get a short page
  in the visitor's language (Vietnamese by default, English when they chose it).

The page is rendered without the request's context processors (the header's
user, notification count or staff link would query the database that is down),
from a template that does not extend the site's layout. The language comes from the cookie or
Accept-Language (LocaleMiddleware, or read here if the failure came first): never
from the session, which lives in the database.

Two entry points: `DatabaseUnavailableMiddleware` answers a view's database
failure with the 503 (and logs one line instead of a traceback per request);
`server_error` (handler500) catches what fails anywhere else in the chain
(session save, authentication) and picks 503 or 500 from the exception.
"""

import logging
import sys

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
API_PREFIX = "/api/"


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_UNAVAILABLE)


def _language(request: HttpRequest) -> str:
    language = getattr(request, "LANGUAGE_CODE", None)
    if language not in dict(settings.LANGUAGES):
        language = translation.get_language_from_request(request, check_path=False)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def _messages(status: int) -> tuple[str, str, str]:
    """Title, detail and machine code of an error page, in the active language."""
    if status == 503:
        return (
            _("Service temporarily unavailable"),
            _("The service is temporarily unavailable. Please try again in a moment."),
            "service_unavailable",
        )
    if status == 404:
        return (
            _("Page not found"),
            _(
                "The page you asked for does not exist or is no longer here. Check the address, or search the "
                "answered questions."
            ),
            "not_found",
        )
    if status == 403:
        return _("Access denied"), _("You do not have permission to open this page."), "forbidden"
    if status == 400:
        return _("Bad request"), _("The request could not be understood. Go back and try again."), "bad_request"
    return (
        _("Something went wrong"),
        _("Something went wrong on our side and your request was not completed. Please try again later."),
        "server_error",
    )


def error_response(request: HttpRequest, status: int, *, reason: str = "") -> HttpResponse:
    """The error response for this request, in its language; touches neither database nor cache.

    `reason` (a translated message a view gave its PermissionDenied, say) replaces the generic detail.
    """
    unavailable = status == 503
    language = _language(request)
    with translation.override(language):
        title, detail, code = _messages(status)
        detail = reason or detail
        if _wants_json(request):
            response: HttpResponse = JsonResponse({"detail": detail, "code": code}, status=status)
        else:
            context = {
                "LANGUAGE_CODE": language,
                "PORTAL_NAME": settings.PORTAL_NAME,
                "title": title,
                "detail": detail,
                "unavailable": unavailable,
            }
            try:
                content = loader.get_template(f"errors/{status}.html").render(context)
            except Exception:  # the last resort must not fail in turn
                logger.exception("Could not render the %s page", status)
                content = f"<!doctype html><title>{status}</title><h1>{title}</h1><p>{detail}</p>"
            response = HttpResponse(content, status=status)
    response["Content-Language"] = language
    if unavailable:
        response["Retry-After"] = str(settings.SERVICE_UNAVAILABLE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """A view that failed because the database cannot be reached answers 503 (with Retry-After), not 500."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not is_database_unavailable(exception):
            return None
        logger.warning("Database unavailable, answered 503: %s %s (%s)", request.method, request.path, exception)
        return error_response(request, 503)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: called by Django for any uncaught exception, with it still being handled (sys.exc_info)."""
    return error_response(request, 503 if is_database_unavailable(sys.exc_info()[1]) else 500)


# Under /api/ the short messages DRF itself gives for the same statuses, so a client reads one wording.
def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: JSON under /api/ (an unmatched URL, an id that is not a number), a translated page elsewhere."""
    return error_response(request, 404, reason=_("Not found.") if _wants_json(request) else "")


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return error_response(request, 400, reason=_("Bad request.") if _wants_json(request) else "")


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: the view's own reason when it gave one (already translated), else the generic one."""
    if _wants_json(request):
        return error_response(request, 403, reason=_("You do not have permission to perform this action."))
    return error_response(request, 403, reason=str(exception) if exception is not None and exception.args else "")
