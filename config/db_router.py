"""Read-replica routing for the public archive (docs/operations.md, "Read replica").

With DATABASE_REPLICA_URL set, settings add a "replica" database: a PostgreSQL
streaming replica of "default". Only the public archive's reads go to it: the
views named in DATABASE_REPLICA_VIEWS (list, search, detail, similar questions,
feed, statistics), for GET and HEAD. Everything else — every write, the staff
panel, tracking pages, the live sessions, Celery — uses the primary.

Why per view and not per model: the same tables are read by the archive
(tolerates a second of lag) and by the asker who just submitted or the staff
member who just answered (must see their own write). So:

- ReplicaRoutingMiddleware marks the request "archive read" in a context
  variable while the view runs; ReplicaRouter.db_for_read answers "replica"
  only then, and never inside a transaction (which lives on the primary);
- anyone signed in (staff, agency members, citizens) and a browser
  that made a write in the last DATABASE_REPLICA_STICKY_SECONDS (a cookie set
  on the response to any POST/PUT/PATCH/DELETE, e.g. the question just
  submitted) read the primary;
- ReplicaState checks the replica at most once per DATABASE_REPLICA_CHECK_INTERVAL
  per process: it answers, is in recovery (a replica, not the primary itself),
  has the primary's major version, and replays within DATABASE_REPLICA_MAX_LAG
  seconds (measured by PostgreSQL: receive LSN = replay LSN while streaming
  means caught up, otherwise now() − pg_last_xact_replay_timestamp()).
  Otherwise reads stay on the primary and the reason is logged once per change
  and shown by /readyz ("replica" check, a warning that does not take the node
  out of the balancer);
- a replica that fails during a request (OperationalError) is marked down and
  the view runs again on the primary: the visitor sees no error page.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

REPLICA = "replica"
SAFE_METHODS = ("GET", "HEAD")
STICKY_COOKIE = "hoidap_rw"

_archive_read: contextvars.ContextVar[bool] = contextvars.ContextVar("archive_read", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


# --- The replica's state, checked at most once per interval per process --------------------------


@dataclass(frozen=True)
class ReplicaStatus:
    usable: bool
    detail: str  # "lag 0.0 s" when usable, else why not (safe to show: no host names or passwords)
    misconfigured: bool = False  # points at a primary, another major version: an operator must act
    lag: float | None = None


PROBE_SQL = """
SELECT pg_is_in_recovery(),
       current_setting('server_version_num')::int,
       CASE
         WHEN NOT pg_is_in_recovery() THEN NULL
         WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
              AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
         ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
       END
"""


def probe_replica() -> ReplicaStatus:
    """Ask both servers now (no caching). Closes the connections it opened: this runs outside requests."""
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(PROBE_SQL)
            in_recovery, version, lag = cursor.fetchone()
    except (OperationalError, InterfaceError) as exc:
        return ReplicaStatus(False, f"unreachable ({type(exc).__name__})")
    finally:
        _close(REPLICA)
    if not in_recovery:
        return ReplicaStatus(
            False, "DATABASE_REPLICA_URL points at a server that is not in recovery (the primary?)", misconfigured=True
        )
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT current_setting('server_version_num')::int")
            (primary_version,) = cursor.fetchone()
    except (OperationalError, InterfaceError) as exc:
        return ReplicaStatus(False, f"primary unreachable ({type(exc).__name__})")
    if primary_version // 10000 != version // 10000:
        return ReplicaStatus(
            False,
            f"replica runs PostgreSQL {version // 10000}, the primary {primary_version // 10000}",
            misconfigured=True,
        )
    lag = float(lag)
    if lag > settings.DATABASE_REPLICA_MAX_LAG:
        return ReplicaStatus(False, f"lagging: {lag:.1f} s > {settings.DATABASE_REPLICA_MAX_LAG:g} s", lag=lag)
    return ReplicaStatus(True, f"lag {lag:.1f} s", lag=lag)


def _close(alias: str) -> None:
    try:
        connections[alias].close()
    except Exception:  # a broken connection is closed anyway
        logger.debug("closing %s failed", alias, exc_info=True)


class ReplicaState:
    """The last probe's answer, renewed by one thread at a time once it is DATABASE_REPLICA_CHECK_INTERVAL old.

    Requests never wait for a probe run by another thread: they use the last
    answer meanwhile (the first request of a process waits for the first probe).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._status: ReplicaStatus | None = None
        self._checked = 0.0
        self._reported: str | None = None

    def status(self) -> ReplicaStatus:
        if self._due() and self._lock.acquire(blocking=self._status is None):
            try:
                if self._due():  # another thread may have probed while this one waited
                    self._set(probe_replica())
            finally:
                self._lock.release()
        return self._status or ReplicaStatus(False, "not checked yet")

    def _due(self) -> bool:
        return self._status is None or time.monotonic() - self._checked >= settings.DATABASE_REPLICA_CHECK_INTERVAL

    def mark_down(self, exc: BaseException) -> None:
        """A query on the replica failed: primary until the next probe, which runs at the next request."""
        with self._lock:
            self._set(ReplicaStatus(False, f"failed during a request ({type(exc).__name__})"))
            self._checked = time.monotonic() - settings.DATABASE_REPLICA_CHECK_INTERVAL
        _close(REPLICA)

    def _set(self, status: ReplicaStatus) -> None:
        self._status, self._checked = status, time.monotonic()
        # One log line per change of state, not one per request.
        if status.usable:
            kind = "ok"
        elif status.misconfigured:
            kind = status.detail
        else:  # unreachable, failed in a request, primary unreachable: one state; lagging another
            kind = "lagging" if status.lag is not None else "unavailable"
        if kind != self._reported:
            self._reported = kind
            if status.usable:
                logger.info("Read replica in use (%s)", status.detail)
            elif status.misconfigured:
                logger.error("Read replica not used, misconfigured: %s", status.detail)
            else:
                logger.warning("Read replica not used, archive reads go to the primary: %s", status.detail)

    def reset(self) -> None:
        with self._lock:
            self._status, self._checked, self._reported = None, 0.0, None


replica_state = ReplicaState()


# --- Router and middleware -------------------------------------------------------------------------


class ReplicaRouter:
    """Reads of an archive view go to the replica while it is usable; everything else to the primary."""

    def db_for_read(self, model, **hints) -> str:
        if _archive_read.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same data on both servers

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica replays the primary's schema


def reads_primary(request: HttpRequest) -> bool:
    """Whoever is signed in (staff, agency members, citizens following their questions) and a browser that
    wrote a moment ago read their own writes: the primary. The archive's crowd is anonymous."""
    if request.COOKIES.get(STICKY_COOKIE):
        return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class ReplicaRoutingMiddleware:
    """Runs the archive views (DATABASE_REPLICA_VIEWS) with their reads on the replica; last in MIDDLEWARE.

    The view is called from process_view inside the routing context (so the
    router sees it in whatever thread the view runs); a replica failure
    returns None instead, and Django calls the view again normally — on the
    primary.
    """

    def __init__(self, get_response) -> None:
        if not replica_configured():
            raise MiddlewareNotUsed  # no replica: not in the chain at all
        self.get_response = get_response
        self.enabled = True
        self.views = frozenset(settings.DATABASE_REPLICA_VIEWS)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.enabled and request.method not in SAFE_METHODS and request.method != "OPTIONS":
            seconds = settings.DATABASE_REPLICA_STICKY_SECONDS
            response.set_cookie(STICKY_COOKIE, "1", max_age=seconds, httponly=True, samesite="Lax")
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not self.enabled or request.method not in SAFE_METHODS:
            return None
        match = request.resolver_match
        if match is None or match.view_name not in self.views or reads_primary(request):
            return None
        if not replica_state.status().usable:
            return None
        token = _archive_read.set(True)
        try:
            response = view_func(request, *view_args, **view_kwargs)
            render = getattr(response, "render", None)
            if callable(render):  # TemplateResponse and DRF's Response query while rendering
                response = render()
            return response
        except (OperationalError, InterfaceError) as exc:
            replica_state.mark_down(exc)
            return None  # Django now calls the view itself, outside the context: on the primary
        finally:
            _archive_read.reset(token)
