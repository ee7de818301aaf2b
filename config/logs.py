"""Structured logs (structlog) and the request id that ties a request's lines to the tasks it caused.

One configuration (`logging_config`, called by the settings): structlog's own
loggers and every standard library logger (Django, Celery, uvicorn, the apps'
`logging.getLogger(__name__)`) go through one handler and one
`ProcessorFormatter`, so each line is written once and in one format: JSON in
production (DJANGO_LOG_FORMAT=json), a readable console line locally.

The request id: `RequestIdMiddleware` takes a sane `X-Request-ID` from the
client or the proxy (nginx sets `$request_id`), else makes one, returns it in
the response and binds it into structlog's context variables for the request.
config.asgi runs the chain and the view in a reused thread through
sync_to_async, which runs them in a copy of the request task's context and
copies changes back to that task; the middleware clears the context when the
request starts and again when it ends, so nothing of one request reaches the
next, whichever thread serves it.

Celery: a task published while a request id is bound carries it in a message
header (before_task_publish); the worker binds it with the task's id and name
for the task's run (task_prerun) and puts the previous context back afterwards
(task_postrun), so the e-mail a submission caused logs the submission's id,
eager or not.
"""

import logging
import re
import time
import uuid

import structlog
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars, reset_contextvars

REQUEST_ID_HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
# Letters, digits and . _ : - (uuids, nginx's hex ids, trace ids): nothing that could forge a log line.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

request_log = structlog.get_logger("hoidap.request")


def is_sane_request_id(value: str | None) -> bool:
    return bool(value) and _SANE_ID.fullmatch(value) is not None


def _shared_processors() -> list:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]


def structured_formatter(json: bool) -> structlog.stdlib.ProcessorFormatter:
    """The one formatter: structlog's events and the standard library's records, rendered alike."""
    if json:
        rendering = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer(ensure_ascii=False)]
    else:
        rendering = [structlog.dev.ConsoleRenderer(colors=False)]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *rendering],
    )


class RedactRequestPath(logging.Filter):
    """Django's request lines ("Not Found: /confirm/<token>/") name the URL pattern instead of the path.

    Paths can hold secrets (e-mail confirmation, verification and unsubscribe tokens);
    the route (`confirm/<str:token>/`) says as much to an operator and nothing to a reader
    of the logs. A path that matched no route is not logged at all.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple) and record.args:
            escaped = path.encode("unicode_escape").decode("ascii")
            match = getattr(request, "resolver_match", None)
            route = f"/{match.route}" if match is not None and match.route else "<unresolved path>"
            record.args = tuple(route if arg in (path, escaped) else arg for arg in record.args)
        return True


def logging_config(*, json: bool, level: str) -> dict:
    """Configure structlog and return the LOGGING dict that routes the standard library through it."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": {"()": "config.logs.structured_formatter", "json": json}},
        "filters": {"redact_paths": {"()": "config.logs.RedactRequestPath"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "structured", "filters": ["redact_paths"]}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's defaults give these handlers of their own: one handler (the root's) writes each line once.
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.server": {"handlers": [], "level": level, "propagate": True},
            "django.db.backends": {"level": "INFO"},
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            # uvicorn's access lines carry raw paths and query strings (tracking tokens): off. The request line
            # comes from RequestIdMiddleware, with the view's name instead of the path.
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            # The same for the embedded run's server (Daphne via runserver): one line per request, not two.
            "django.channels.server": {"handlers": [], "level": "WARNING", "propagate": False},
            # Log-in failures and lockouts are warnings; every successful log-in and log-out would be noise.
            "axes": {"level": "WARNING"},
        },
    }


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or match._func_path


class RequestIdMiddleware:
    """Binds a request id for the request's log lines and returns it as X-Request-ID; logs one line per request.

    The line names the view (the URL pattern's name), never the path or query
    string: those can hold tracking and unsubscribe tokens.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER)
        request_id = incoming if is_sane_request_id(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        clear_contextvars()
        bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            request_log.info(
                "request",
                method=request.method,
                view=_view_name(request),
                status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
            return response
        finally:
            clear_contextvars()


# --- Celery: carry the request id into tasks ---------------------------------------------------------

_task_tokens: dict[str, dict] = {}


def add_request_id_header(headers: dict | None = None, **kwargs) -> None:
    """before_task_publish: the publishing request's (or task's) id travels in the message headers."""
    request_id = get_contextvars().get("request_id")
    if request_id and headers is not None:
        headers.setdefault(TASK_HEADER, request_id)


def _task_request_id(task) -> str | None:
    request = getattr(task, "request", None)
    value = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(TASK_HEADER)
    return value if isinstance(value, str) and is_sane_request_id(value) else None


def bind_task_context(task_id: str | None = None, task=None, **kwargs) -> None:
    """task_prerun: the task's lines carry its id, its name and the request id it was published with."""
    values = {"task_id": task_id, "task": getattr(task, "name", None)}
    request_id = _task_request_id(task)
    if request_id:
        values["request_id"] = request_id
    _task_tokens[task_id] = bind_contextvars(**values)


def unbind_task_context(task_id: str | None = None, **kwargs) -> None:
    """task_postrun: put the context back as it was (an eager task runs inside the request that published it)."""
    tokens = _task_tokens.pop(task_id, None)
    if tokens:
        reset_contextvars(**tokens)


def keep_django_logging(**kwargs) -> None:
    """setup_logging: with a receiver connected, Celery leaves logging as Django's LOGGING configured it."""
    return None
