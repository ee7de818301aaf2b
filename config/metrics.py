"""Prometheus metrics at /metrics (docs/operations.md lists every metric and its labels).

Plain prometheus_client rather than django-prometheus: its middleware pair
labels by view too, but it also wraps database and cache backends and adds
dozens of series per view; here the request path needs one histogram, and the
endpoint has to answer before host validation (Prometheus scrapes by address)
and only to allowed clients, which a middleware at the top of the chain does
in a few lines (as config.health does for the probes).

- Request latency: one histogram by view name (the URL pattern's name, never
  the raw path: bounded label values), method and status class.
- Outbox: rows pending/sending/failed and the age of the oldest due pending
  row, read at scrape time in one query (OutboxCollector); delivery outcomes
  are counted where they happen (notifications/metrics.py).
- Live: open sockets and events published/fanned out (dialogues/metrics.py),
  updated once per event or pass, never per socket.
- Celery task outcomes (signals, config/celery.py).

Several server processes (uvicorn --workers): set PROMETHEUS_MULTIPROC_DIR to an
empty directory private to the host or container; every process then writes its
samples there and a scrape of any process reports the sum. Without it each
process has its own registry (one process: the usual case in development).
"""

import hmac
import ipaddress
import logging
import os
import time
from functools import cache

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

MULTIPROCESS_DIR = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")

REQUEST_LATENCY = Histogram(
    "hoidap_http_request_duration_seconds",
    "Time from the first middleware to the response, by view name, method and status class.",
    ["view", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CELERY_TASKS = Counter(
    "hoidap_celery_tasks_total",
    "Celery task runs by task name and outcome (success, failure, retry).",
    ["task", "outcome"],
)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def view_label(request: HttpRequest) -> str:
    """The resolved URL pattern's name (or the view's dotted path): one value per route, whatever the path."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unresolved>"
    return match.view_name or match._func_path


# --- Outbox, read at scrape time ----------------------------------------------------------------


class OutboxCollector:
    """Outbox backlog from one aggregate query over the (status, next_attempt_at) index."""

    def describe(self):
        # Names only: registering the collector must not query the database.
        yield GaugeMetricFamily("hoidap_outbox_rows", "", labels=["status"])
        yield GaugeMetricFamily("hoidap_outbox_oldest_pending_seconds", "")
        yield GaugeMetricFamily("hoidap_outbox_query_up", "")

    def collect(self):
        from django.db.models import Count, Min, Q
        from django.utils import timezone

        from notifications.models import Notification, Status

        rows = GaugeMetricFamily("hoidap_outbox_rows", "Notification outbox rows by status.", labels=["status"])
        oldest = GaugeMetricFamily(
            "hoidap_outbox_oldest_pending_seconds", "How long the oldest due pending row has waited (0: none)."
        )
        up = GaugeMetricFamily("hoidap_outbox_query_up", "1 when the outbox could be read at this scrape.")
        watched = [Status.PENDING, Status.SENDING, Status.FAILED]
        now = timezone.now()
        try:
            counts = Notification.objects.filter(status__in=watched).aggregate(
                **{status.value: Count("pk", filter=Q(status=status)) for status in watched},
                oldest=Min("next_attempt_at", filter=Q(status=Status.PENDING, next_attempt_at__lte=now)),
            )
        except Exception as exc:  # a scrape during a database outage still reports everything else
            logger.warning("Outbox metrics unavailable: %s", type(exc).__name__)
            up.add_metric([], 0)
            yield up
            return
        for status in watched:
            rows.add_metric([status.value], counts[status.value])
        oldest.add_metric([], (now - counts["oldest"]).total_seconds() if counts["oldest"] else 0)
        up.add_metric([], 1)
        yield rows
        yield oldest
        yield up


_outbox_collector = OutboxCollector()


@cache
def _single_process_registry() -> CollectorRegistry:
    REGISTRY.register(_outbox_collector)
    return REGISTRY


def registry() -> CollectorRegistry:
    """What a scrape reports: this process's registry, or every process's files in multiprocess mode."""
    if not MULTIPROCESS_DIR:
        return _single_process_registry()
    from prometheus_client import multiprocess

    merged = CollectorRegistry()
    multiprocess.MultiProcessCollector(merged)
    merged.register(_outbox_collector)
    return merged


def forget_dead_processes(path: str = MULTIPROCESS_DIR) -> int:
    """Drop the live gauges (open sockets) of processes that are gone, so a restarted worker's are not summed twice."""
    if not path or not os.path.isdir(path):
        return 0
    from prometheus_client import multiprocess

    forgotten = 0
    for name in os.listdir(path):
        if not name.startswith("gauge_live") or not name.endswith(".db"):
            continue
        pid = name[:-3].rsplit("_", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            multiprocess.mark_process_dead(int(pid), path)
            forgotten += 1
    return forgotten


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


# --- Access and exposition ------------------------------------------------------------------------


@cache
def _networks(allowed: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in allowed if item.strip())


def scrape_allowed(request: HttpRequest) -> bool:
    """From an address in METRICS_ALLOWED_IPS, or with `Authorization: Bearer <METRICS_TOKEN>` when one is set."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "")
        if given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(settings.METRICS_ALLOWED_IPS)))


def metrics_view(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD") or not scrape_allowed(request):
        raise Http404
    response = HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


class MetricsMiddleware:
    """Times every request (second in MIDDLEWARE, after the probes) and serves /metrics to allowed scrapers.

    /metrics is answered here, before host validation: Prometheus scrapes by
    address. Anyone else gets the site's ordinary 404.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        forget_dead_processes()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == "/metrics" and scrape_allowed(request):
            return metrics_view(request)
        started = time.perf_counter()
        response = self.get_response(request)
        method = request.method if request.method in _METHODS else "other"
        REQUEST_LATENCY.labels(view_label(request), method, f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started
        )
        return response


# --- Celery task outcomes (connected in config/celery.py) -----------------------------------------------


def task_succeeded(sender=None, **kwargs) -> None:
    CELERY_TASKS.labels(getattr(sender, "name", "unknown"), "success").inc()


def task_failed(sender=None, **kwargs) -> None:
    CELERY_TASKS.labels(getattr(sender, "name", "unknown"), "failure").inc()


def task_retried(sender=None, **kwargs) -> None:
    CELERY_TASKS.labels(getattr(sender, "name", "unknown"), "retry").inc()


def start_worker_exporter(**kwargs) -> None:
    """worker_ready: a Celery worker serves its own /metrics on CELERY_METRICS_PORT (0: not at all).

    A prefork worker's tasks run in child processes: give the worker a
    PROMETHEUS_MULTIPROC_DIR too, or their counts stay in the children.
    """
    port = settings.CELERY_METRICS_PORT
    if not port:
        return
    from prometheus_client import start_http_server

    start_http_server(port, addr=settings.CELERY_METRICS_ADDR, registry=_worker_registry())
    logger.info("Worker metrics on %s:%s", settings.CELERY_METRICS_ADDR, port)


def _worker_registry() -> CollectorRegistry:
    if not MULTIPROCESS_DIR:
        return REGISTRY
    from prometheus_client import multiprocess

    merged = CollectorRegistry()
    multiprocess.MultiProcessCollector(merged)
    return merged
