"""The project's ASGI handler: the whole request in one reused thread, middleware applied, nothing shared.

And its fallback: ASGI_FAST_HTTP=false serves the same requests with Django's stock handler.
"""

import asyncio
import threading

import pytest
from asgiref.sync import iscoroutinefunction
from asgiref.testing import ApplicationCommunicator
from django.core.handlers.asgi import ASGIHandler
from django.core.signals import request_finished, request_started
from django.http import HttpResponse
from django.urls import path

from config.asgi import RequestThreadASGIHandler, http_handler

seen: dict[str, list[int]] = {"started": [], "view": [], "finished": []}
barrier = threading.Barrier(2, timeout=5)


def where(request):
    seen["view"].append(threading.get_ident())
    return HttpResponse("ok")


def together(request):
    # Two requests meet here: they can only if each has a thread of its own.
    barrier.wait()
    return HttpResponse("met")


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("where/", where), path("together/", together), path("broken/", broken)]


def _on_started(**kwargs):
    seen["started"].append(threading.get_ident())


def _on_finished(**kwargs):
    seen["finished"].append(threading.get_ident())


@pytest.fixture
def handler(settings):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    for values in seen.values():
        values.clear()
    barrier.reset()
    request_started.connect(_on_started)
    request_finished.connect(_on_finished)
    yield RequestThreadASGIHandler()
    request_started.disconnect(_on_started)
    request_finished.disconnect(_on_finished)


async def _get(app, url: str) -> tuple[int, dict, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": url,
        "raw_path": url.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(app, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(5)
    body = b""
    while True:
        message = await communicator.receive_output(5)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await communicator.wait(5)
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, body


def test_the_middleware_chain_is_synchronous(handler):
    assert not iscoroutinefunction(handler._middleware_chain)


async def test_signals_middleware_and_view_run_in_one_thread_that_the_next_request_reuses(handler):
    status, headers, body = await _get(handler, "/where/")
    assert (status, body) == (200, b"ok")
    # The project's middleware ran (clickjacking, security headers).
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    view_thread = seen["view"][0]
    assert view_thread != threading.get_ident()
    assert seen["started"] == [view_thread]
    assert seen["finished"] == [view_thread]

    await _get(handler, "/where/")
    assert seen["view"] == [view_thread, view_thread]


async def test_concurrent_requests_each_get_a_thread(handler):
    results = await asyncio.gather(_get(handler, "/together/"), _get(handler, "/together/"))
    assert [(status, body) for status, _, body in results] == [(200, b"met"), (200, b"met")]
    assert len(handler._idle) == 2


async def test_threads_beyond_the_idle_cap_end_with_their_request(handler):
    handler.max_idle_threads = 1
    results = await asyncio.gather(_get(handler, "/together/"), _get(handler, "/together/"))
    assert [status for status, _, _ in results] == [200, 200]
    assert len(handler._idle) == 1


async def test_an_error_in_a_view_is_a_500_and_the_thread_is_given_back(handler):
    status, _, _ = await _get(handler, "/broken/")
    assert status == 500
    assert len(handler._idle) == 1
    assert seen["finished"]


@pytest.fixture(params=[True, False], ids=["fast", "stock"])
def either_handler(request, handler, settings):
    settings.ASGI_FAST_HTTP = request.param
    chosen = http_handler()
    assert type(chosen) is (RequestThreadASGIHandler if request.param else ASGIHandler)
    # The stock handler runs the chain in async mode (each middleware hops to a thread and back).
    assert iscoroutinefunction(chosen._middleware_chain) is not request.param
    return chosen


def test_the_fast_handler_is_the_default(settings):
    from config.settings import base

    assert base.ASGI_FAST_HTTP is True
    assert settings.ASGI_FAST_HTTP is True


async def test_both_handlers_serve_the_same_request_through_the_project_middleware(either_handler):
    status, headers, body = await _get(either_handler, "/where/")
    assert (status, body) == (200, b"ok")
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert len(seen["started"]) == len(seen["finished"]) == 1
    status, _, _ = await _get(either_handler, "/broken/")
    assert status == 500
    assert len(seen["finished"]) == 2
