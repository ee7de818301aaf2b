"""Liveness and readiness probes: /healthz and /readyz (docs/operations.md).

- /healthz: the process answers. Touches nothing (no database, no Redis), so an
  orchestrator restarts the process only when the process itself is stuck.
- /readyz: this process can serve: PostgreSQL answers, Redis answers (when
  REDIS_URL is set), no migration is left unapplied, and Celery's heartbeat is
  recent (when tasks are not run eagerly). 200 or 503, with a JSON body naming
  each check, its status and the time it took.

Why not django-health-check's view (4.8.0 is installed): its view is an async
view returning 500 on failure and runs synchronous checks in the event loop's
default executor, where Django opens database connections that no request ends;
the checks needed here are custom anyway (migrations, heartbeat), and the probes
must answer before any middleware: whatever Host header the orchestrator sends
(it is rarely in ALLOWED_HOSTS), without sessions or the database. So the probes
are a small middleware at the top of the chain, and each check runs in a thread
of its own with one deadline for all of them (HEALTH_CHECK_TIMEOUT): a dead or
hanging dependency makes the probe answer 503 in time instead of hanging it. A
check still hanging from an earlier probe is not started again (one thread per
check at most), so a blackholed server cannot pile threads up.
"""

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

HEARTBEAT_KEY = "ops:celery-heartbeat"


class CheckFailed(Exception):
    """A dependency answered, but not as it should (the message is safe to show)."""


class CheckWarning(CheckFailed):
    """Something an operator must see that does not stop this process serving (reported as "warn")."""


# --- Checks (each runs in its own thread) ----------------------------------------------------


def check_database() -> str:
    from django.db import connections

    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        connection.close()  # this thread serves no request: give the connection back now
    return "ok"


_migrations_applied = False


def check_migrations() -> str:
    """No unapplied migration for any app. Once all are applied they stay so for this process's code."""
    global _migrations_applied
    if _migrations_applied:
        return "ok"
    from django.db import connections
    from django.db.migrations.loader import MigrationLoader

    connection = connections["default"]
    try:
        loader = MigrationLoader(connection, ignore_no_migrations=True)
    finally:
        connection.close()
    # Every migration of the code's graph (squashed ones stand for those they replace), not just the leaves.
    applied = loader.applied_migrations
    pending = sorted(f"{app}.{name}" for app, name in loader.graph.nodes if (app, name) not in applied)
    if pending:
        raise CheckFailed(f"{len(pending)} unapplied: {', '.join(pending[:5])}")
    _migrations_applied = True
    return "ok"


_redis_clients: dict = {}


def check_redis() -> str:
    """PING the master; through Sentinel, first say which sentinels answer and whether they know the master."""
    from core.redis_pool import SentinelProblem, check_sentinels, parse_sentinel, sync_client

    url = settings.REDIS_URL
    timeout = settings.HEALTH_CHECK_TIMEOUT
    detail = "ok"
    if parse_sentinel(url) is not None:
        try:
            detail = check_sentinels(url, timeout / 3)
        except SentinelProblem as exc:
            raise CheckFailed(str(exc)) from None
    client = _redis_clients.get(url)
    if client is None:
        client = _redis_clients[url] = sync_client(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    client.ping()
    return detail


def check_replica() -> str:
    """The read replica's state (config.db_router): a warning only, the primary serves meanwhile."""
    from django.db import connections

    from config.db_router import probe_replica

    try:
        status = probe_replica()
    finally:
        connections["default"].close()  # this thread serves no request: give the connection back now
    if not status.usable:
        raise CheckWarning(("misconfigured: " if status.misconfigured else "not used: ") + status.detail)
    return status.detail


def record_heartbeat() -> None:
    """Called by the beat-scheduled task `ops.celery_heartbeat`: a worker ran it now."""
    from django.core.cache import cache

    cache.set(HEARTBEAT_KEY, time.time(), timeout=24 * 3600)


def check_celery() -> str:
    from django.core.cache import cache

    beat = cache.get(HEARTBEAT_KEY)
    if beat is None:
        raise CheckFailed("no heartbeat recorded")
    age = time.time() - float(beat)
    if age > settings.CELERY_HEARTBEAT_MAX_AGE:
        raise CheckFailed(f"last heartbeat {age:.0f} s ago")
    return f"{age:.0f} s ago"


def readiness_checks() -> dict[str, Callable[[], str]]:
    """The checks that apply to this configuration, in report order."""
    checks: dict[str, Callable[[], str]] = {"database": check_database, "migrations": check_migrations}
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    if "replica" in settings.DATABASES:
        checks["replica"] = check_replica
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        checks["celery"] = check_celery
    return checks


# --- Running them with one deadline -------------------------------------------------------------

_running: dict[str, Future] = {}
_running_lock = threading.Lock()


def _start(name: str, check: Callable[[], str]) -> tuple[Future, bool]:
    """(future, started now): a check still running from an earlier probe is reused, not started again."""
    with _running_lock:
        future = _running.get(name)
        if future is not None and not future.done():
            return future, False
        future = _running[name] = Future()

    def run() -> None:
        began = time.monotonic()
        try:
            detail = check()
        except BaseException as exc:  # reported by run_checks
            future.elapsed = time.monotonic() - began
            future.set_exception(exc)
        else:
            future.elapsed = time.monotonic() - began
            future.set_result(detail)

    threading.Thread(target=run, name=f"readyz-{name}", daemon=True).start()
    return future, True


def run_checks(checks: dict[str, Callable[[], str]], timeout: float) -> dict[str, dict]:
    """Start every check at once, wait for all until one deadline; a check that misses it fails."""
    started = time.monotonic()
    deadline = started + timeout
    futures = {name: _start(name, check) for name, check in checks.items()}
    results: dict[str, dict] = {}
    for name, (future, fresh) in futures.items():
        try:
            detail = future.result(timeout=max(0.0, deadline - time.monotonic()))
            result = {"status": "ok", "detail": detail}
        except TimeoutError:
            hint = "" if fresh else " (still running since an earlier probe)"
            result = {"status": "fail", "error": f"timed out after {timeout:g} s{hint}"}
        except CheckWarning as exc:
            result = {"status": "warn", "error": str(exc)}
        except CheckFailed as exc:
            result = {"status": "fail", "error": str(exc)}
        except Exception as exc:
            # The class only: messages may name hosts and users; the log has the whole of it.
            result = {"status": "fail", "error": type(exc).__name__}
            logger.warning("Readiness check %s failed: %s", name, exc)
        # The check's own time; one that has not finished has taken the whole wait so far.
        elapsed = getattr(future, "elapsed", None) if future.done() else None
        result["ms"] = round((elapsed if elapsed is not None else time.monotonic() - started) * 1000, 1)
        results[name] = result
    return results


def _json(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    return _json({"status": "ok"}, 200)


def readyz(request: HttpRequest) -> JsonResponse:
    results = run_checks(readiness_checks(), settings.HEALTH_CHECK_TIMEOUT)
    ready = all(result["status"] in ("ok", "warn") for result in results.values())
    response = _json({"status": "ok" if ready else "fail", "checks": results}, 200 if ready else 503)
    # Each failing check was logged above; Django's "Service Unavailable" line per probe would only repeat it.
    response._has_been_logged = True
    return response


PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {"/healthz": healthz, "/readyz": readyz}


class ProbeMiddleware:
    """Answers /healthz and /readyz before any other middleware (first in MIDDLEWARE).

    Before SecurityMiddleware and CommonMiddleware, so the Host header is not
    validated (probes come with the pod's or container's address), nothing
    redirects them to HTTPS, and no session, locale or database work happens.
    Only GET and HEAD are answered; anything else goes on to the URLconf (404).
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)
