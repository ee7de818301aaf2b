"""Measuring inside the benchmark server: query counts and server-side request time.

Every database connection of the process gets an execute wrapper that counts
queries (process total, and per thread for the request in progress); the
outermost middleware reports a request's time in Django (from the first
middleware to the rendered response) and its query count in response headers, so
latencies are "measured at the server" and not inflated by the load generator.
"""

import itertools
import os
import threading
import time

from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse, JsonResponse

_total = itertools.count()
_seen = [0]
_local = threading.local()
_lock = threading.Lock()


def _count_query(execute, sql, params, many, context):
    with _lock:
        _seen[0] = next(_total) + 1
    _local.queries = getattr(_local, "queries", 0) + 1
    return execute(sql, params, many, context)


def _on_connection(sender, connection, **kwargs) -> None:
    # The wrapper list lives on the per-thread DatabaseWrapper and survives reconnects: add it once.
    if not getattr(connection, "_bench_counted", False):
        connection.execute_wrappers.append(_count_query)
        connection._bench_counted = True


def install() -> None:
    connection_created.connect(_on_connection, dispatch_uid="bench-count-queries")


def queries_total() -> int:
    return _seen[0]


def rss_kib() -> int:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class ServerTimingMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        before = getattr(_local, "queries", 0)
        started = time.perf_counter()
        response = self.get_response(request)
        if hasattr(response, "render") and not getattr(response, "is_rendered", True):
            response.render()
        elapsed = (time.perf_counter() - started) * 1000
        response["Server-Timing"] = f"app;dur={elapsed:.3f}"
        response["X-Bench-Queries"] = str(getattr(_local, "queries", 0) - before)
        return response


def hello(request: HttpRequest) -> HttpResponse:
    """The throughput baseline: a Django view that does nothing, behind the same middleware."""
    return HttpResponse("Xin chào", content_type="text/plain; charset=utf-8")


def stats(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"pid": os.getpid(), "queries": queries_total(), "rss_kib": rss_kib()})
