"""A small process-local circuit breaker for services the site can live without for a while (Redis).

Why: with Redis stopped, every cache call waited for redis-py's connection
retries (about 9 s with its default back-off) and then raised, so pages that
only *read* a cache answered 500. Callers now treat a failure as a miss, and the
breaker makes sure only one request in a few seconds pays for finding out that
the server is still gone:

- closed: calls go through; a connection failure opens the breaker.
- open: calls are skipped (the caller's fallback is used at once) for
  `open_seconds`; then ONE call is let through as a trial.
- the trial succeeds: closed again. It fails: open for another `open_seconds`.

A state change is logged once (a warning when the service is lost, an info line
when it is back), never once per request. The state is per process: each server
process finds out on its own, which costs one failed call per process and period.
"""

import logging
import threading
import time
from collections.abc import Callable

logger = logging.getLogger("config.resilience")

CLOSED = "closed"
OPEN = "open"


class CircuitBreaker:
    """Thread-safe: request threads of one process share it."""

    def __init__(
        self,
        name: str,
        *,
        open_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
        on_recover: Callable[[], None] | None = None,
    ) -> None:
        self.name = name
        self.open_seconds = open_seconds
        self.clock = clock
        # Called (outside the lock) when the service answers again after an outage.
        self.on_recover = on_recover
        self._lock = threading.Lock()
        self.state = CLOSED
        self._retry_at = 0.0
        self._trial_until = 0.0  # a trial call is in flight until then (a hung trial does not block forever)
        self.failures = 0  # calls that failed, in all (for tests and figures)
        self.opened = 0  # times the breaker opened

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    def allow(self) -> bool:
        """Whether to call the service now. While open, True once per period (the trial), else False."""
        if self.state == CLOSED:
            return True
        with self._lock:
            if self.state == CLOSED:
                return True
            now = self.clock()
            if now >= self._retry_at and now >= self._trial_until:
                self._trial_until = now + self.open_seconds
                return True
            return False

    def success(self) -> None:
        if self.state == CLOSED:
            return
        with self._lock:
            if self.state == CLOSED:
                return
            self.state = CLOSED
            self._trial_until = 0.0
        logger.info("%s is available again; using it.", self.name)
        if self.on_recover is not None:
            try:
                self.on_recover()
            except Exception:
                logger.warning("%s: recovery step failed", self.name, exc_info=True)

    def failure(self, exc: BaseException | None = None) -> None:
        with self._lock:
            self.failures += 1
            self._retry_at = self.clock() + self.open_seconds
            self._trial_until = 0.0
            if self.state == OPEN:
                return
            self.state = OPEN
            self.opened += 1
        logger.warning("%s is unavailable (%s); skipping it for %.0f s at a time.", self.name, exc, self.open_seconds)

    def reset(self) -> None:
        """Closed, as new (tests)."""
        with self._lock:
            self.state = CLOSED
            self._retry_at = self._trial_until = 0.0
