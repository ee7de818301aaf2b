"""Structured logs: one JSON line per event, a request id per request (kept apart between requests in the reused
request threads of config.asgi), carried into Celery tasks; nothing personal from a submission in the logs."""

import io
import json
import logging
import os
import re
import subprocess
import sys
import uuid

import pytest
import structlog
from asgiref.testing import ApplicationCommunicator
from celery import shared_task
from django.http import Http404, HttpResponse
from django.test import Client
from django.urls import path
from structlog.contextvars import bind_contextvars, clear_contextvars, get_contextvars

from config import logs
from config.asgi import RequestThreadASGIHandler
from config.celery import app as celery_app
from tests.factories import AgencyFactory, TopicFactory

view_log = logging.getLogger("tests.config.view")


@shared_task(name="tests.log_something")
def log_something(text: str) -> str:
    view_log.info("inside the task: %s", text)
    return text


def logging_view(request):
    view_log.info("in the view")
    log_something.delay("from the view")
    view_log.info("after the task")
    return HttpResponse("ok")


def token_view(request, token):
    if token == "boom":
        raise RuntimeError("broken")
    raise Http404


urlpatterns = [path("logging/", logging_view, name="logging-view"), path("confirm/<str:token>/", token_view)]


@pytest.fixture
def lines():
    """Every log record of the process, rendered by the project's JSON formatter, as parsed dicts."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logs.structured_formatter(json=True))
    handler.addFilter(logs.RedactRequestPath())
    root = logging.getLogger()
    root.addHandler(handler)
    level = root.level
    root.setLevel(logging.DEBUG)
    clear_contextvars()

    def read() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]

    yield read
    root.removeHandler(handler)
    root.setLevel(level)
    clear_contextvars()


@pytest.fixture
def logging_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_json_lines_for_standard_library_and_structlog_loggers(lines):
    bind_contextvars(request_id="abc123")
    logging.getLogger("django.request").warning("Not Found: %s", "/x/")
    structlog.get_logger("hoidap.test").info("something happened", count=3)
    try:
        raise ValueError("bad")
    except ValueError:
        logging.getLogger("tests").exception("it failed")
    first, second, third = lines()
    assert first == {
        "event": "Not Found: /x/",
        "level": "warning",
        "logger": "django.request",
        "request_id": "abc123",
        "timestamp": first["timestamp"],
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", first["timestamp"])
    assert (second["event"], second["count"], second["logger"]) == ("something happened", 3, "hoidap.test")
    assert third["level"] == "error" and "ValueError: bad" in third["exception"]


def test_the_settings_route_every_logger_through_one_handler(settings):
    config = settings.LOGGING
    assert config["root"]["handlers"] == ["console"]
    assert config["formatters"]["structured"]["()"] == "config.logs.structured_formatter"
    for name in ("django", "django.server", "uvicorn", "uvicorn.error"):
        assert config["loggers"][name]["handlers"] == [] and config["loggers"][name]["propagate"], name
    assert config["loggers"]["uvicorn.access"]["propagate"] is False  # raw paths with tokens: off
    structured = [
        h for h in logging.getLogger().handlers if isinstance(h.formatter, structlog.stdlib.ProcessorFormatter)
    ]
    assert len(structured) == 1


def test_production_writes_each_line_once_as_json(settings):
    """A production process: Django's, Celery's and the app's loggers, one JSON object per line, each once."""
    probe = (
        "import django, logging, structlog; django.setup(); "
        "logging.getLogger('django.request').warning('Not Found: %s', '/x/'); "
        "logging.getLogger('celery.app.trace').info('Task t[1] succeeded'); "
        "structlog.get_logger('hoidap.request').info('request', status=200)"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="prod" + "x" * 46,
        DJANGO_ALLOWED_HOSTS="hoidap.haiphong.gov.vn",
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(r["logger"], r["event"]) for r in records] == [
        ("django.request", "Not Found: /x/"),
        ("celery.app.trace", "Task t[1] succeeded"),
        ("hoidap.request", "request"),
    ]


@pytest.mark.django_db
def test_a_request_gets_an_id_in_its_lines_and_the_response(client, logging_urls, lines):
    response = client.get("/logging/")
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    records = lines()
    view_line = next(r for r in records if r["event"] == "in the view")
    assert view_line["request_id"] == request_id
    request_line = next(r for r in records if r["event"] == "request")
    assert request_line["view"] == "logging-view"  # the pattern's name, never the path or query string
    assert (request_line["status"], request_line["method"], request_line["request_id"]) == (200, "GET", request_id)
    assert get_contextvars() == {}  # nothing left behind


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("8f14e45f-ceea-467f-a0e4-3f1f0f6b2a4c", True),
        ("nginx-0a1b2c3d4e5f", True),
        ("bad id", False),
        ('x"}\n{"forged":1', False),
        ("a" * 129, False),
        ("", False),
    ],
)
def test_an_incoming_request_id_is_kept_only_when_sane(client, logging_urls, incoming, kept):
    response = client.get("/logging/", HTTP_X_REQUEST_ID=incoming)
    if kept:
        assert response["X-Request-ID"] == incoming
    else:
        assert response["X-Request-ID"] != incoming
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_an_eager_task_logs_the_request_id_and_leaves_the_request_context_intact(client, logging_urls, lines):
    response = client.get("/logging/", HTTP_X_REQUEST_ID="req-eager-1")
    assert response.status_code == 200
    by_event = {r["event"]: r for r in lines()}
    inside = by_event["inside the task: from the view"]
    assert (inside["request_id"], inside["task"]) == ("req-eager-1", "tests.log_something")
    assert inside["task_id"]
    after = by_event["after the task"]
    assert after["request_id"] == "req-eager-1"
    assert "task_id" not in after and "task" not in after


def test_a_published_task_carries_the_request_id_and_the_worker_restores_it():
    headers: dict = {}
    bind_contextvars(request_id="req-77")
    try:
        logs.add_request_id_header(headers=headers, body=(), exchange="", routing_key="email")
    finally:
        clear_contextvars()
    assert headers == {"request_id": "req-77"}

    # The worker side: the header is an attribute of the task's request (Celery message protocol 2).
    task = celery_app.tasks["tests.log_something"]
    task_id = uuid.uuid4().hex
    task.push_request(id=task_id, request_id="req-77")
    try:
        bind_contextvars(unrelated="kept")
        logs.bind_task_context(task_id=task_id, task=task)
        assert get_contextvars() == {
            "unrelated": "kept",
            "request_id": "req-77",
            "task_id": task_id,
            "task": "tests.log_something",
        }
        logs.unbind_task_context(task_id=task_id, task=task)
        assert get_contextvars() == {"unrelated": "kept"}
    finally:
        task.pop_request()
        clear_contextvars()


def test_a_forged_task_header_is_ignored():
    task = celery_app.tasks["tests.log_something"]
    task.push_request(id="t1", request_id="bad\nline")
    try:
        logs.bind_task_context(task_id="t1", task=task)
        assert "request_id" not in get_contextvars()
        logs.unbind_task_context(task_id="t1")
    finally:
        task.pop_request()
        clear_contextvars()


def test_no_request_id_without_a_request():
    headers: dict = {}
    logs.add_request_id_header(headers=headers)
    assert headers == {}


async def _asgi_get(app, url: str, headers: list | None = None) -> tuple[int, dict]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *(headers or [])],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(5)
    await communicator.receive_output(5)
    await communicator.wait(5)
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}


@pytest.mark.django_db(transaction=True)
async def test_reused_request_threads_keep_each_requests_id_apart(logging_urls, lines):
    """config.asgi serves both requests from one reused thread: each line has its own request's id."""
    app = RequestThreadASGIHandler()
    app.max_idle_threads = 1
    status_a, headers_a = await _asgi_get(app, "/logging/", [(b"x-request-id", b"first-request")])
    assert get_contextvars().get("request_id") is None
    status_b, headers_b = await _asgi_get(app, "/logging/")
    assert (status_a, status_b) == (200, 200)
    assert headers_a["x-request-id"] == "first-request"
    second = headers_b["x-request-id"]
    assert second != "first-request"
    views = [r for r in lines() if r["event"] in ("in the view", "after the task")]
    assert [r["request_id"] for r in views] == ["first-request", "first-request", second, second]
    assert get_contextvars() == {}


@pytest.mark.django_db
def test_a_submissions_email_phone_and_name_never_reach_the_logs(client, lines, django_capture_on_commit_callbacks):
    """ASVS V7.1.1: the asker's contact data is not logged, on the request or by the tasks it causes."""
    from tests.qa.test_views import ask_data

    agency, topic = AgencyFactory(), TopicFactory()
    data = ask_data(agency, topic, email="rieng.tu@example.vn", phone="0987 654 321", name="Trần Bí Mật")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/ask/", data)
    assert response.status_code == 302
    text = json.dumps(lines(), ensure_ascii=False)
    assert '"event": "request"' in text  # the logs did record the submission
    assert '"sent by e-mail' in text or "sent by e-mail" in text  # and the e-mail it caused
    for secret in ("rieng.tu@example.vn", "rieng.tu", "0987 654 321", "0987654321", "Trần Bí Mật"):
        assert secret not in text


@pytest.mark.django_db
def test_djangos_request_lines_name_the_route_not_the_path_with_its_token(logging_urls, lines, settings):
    assert "redact_paths" in settings.LOGGING["handlers"]["console"]["filters"]
    client = Client(raise_request_exception=False)
    assert client.get("/confirm/SeCrEt-ToKeN-123/").status_code == 404
    assert client.get("/confirm/boom/").status_code == 500
    assert client.get("/no/such/SeCrEt-PaTh/").status_code == 404
    records = [r for r in lines() if r["logger"] == "django.request"]
    assert [r["event"] for r in records] == [
        "Not Found: /confirm/<str:token>/",
        "Internal Server Error: /confirm/<str:token>/",
        "Not Found: <unresolved path>",
    ]
    assert "RuntimeError: broken" in records[1]["exception"]  # the traceback is kept
    assert "SeCrEt" not in json.dumps(lines())
