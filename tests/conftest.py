"""Suite-wide fixtures and the service policy.

Tests marked `postgres` or `redis` need those services. When one does not answer
they are skipped with a reason, unless REQUIRE_SERVICES=1 (CI), which fails them.
"""

import os

import pytest
from django.conf import settings

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def _service_missing(name: str) -> str | None:
    if name == "postgres":
        if not getattr(settings, "POSTGRES_WANTED", False):
            return "this run uses SQLite (DATABASE_URL is not PostgreSQL)"
        if not settings.POSTGRES_AVAILABLE:
            return "PostgreSQL does not answer at DATABASE_URL"
    if name == "redis" and not settings.REDIS_AVAILABLE:
        return "Redis does not answer at REDIS_URL"
    return None


def pytest_collection_modifyitems(config, items):
    for item in items:
        for name in ("postgres", "redis"):
            if item.get_closest_marker(name) is None:
                continue
            reason = _service_missing(name)
            if reason is None:
                continue
            # With REQUIRE_SERVICES=1 a missing service already stopped the run in
            # pytest_sessionstart; what is left here is a deliberate SQLite run.
            item.add_marker(pytest.mark.skip(reason=reason))
    # Browser tests last: the session-wide Playwright (sync API) leaves its event loop marked as running in
    # the main thread, after which async tests and async_to_sync (eager in-app pushes) fail in that process.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


def pytest_sessionstart(session):
    if REQUIRE_SERVICES and settings.POSTGRES_WANTED and not settings.POSTGRES_AVAILABLE:
        raise pytest.UsageError("REQUIRE_SERVICES=1 but PostgreSQL does not answer at DATABASE_URL")
    if REQUIRE_SERVICES and not settings.REDIS_AVAILABLE:
        raise pytest.UsageError("REQUIRE_SERVICES=1 but Redis does not answer at REDIS_URL")


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and view counters live in the cache: start every test from empty."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def redis_url() -> str:
    return settings.TEST_REDIS_URL


pytest_plugins = ["tests.browser"]


@pytest.fixture
def rate_window():
    """Start the test well inside one minute of the clock.

    The rate limits count per window of the clock (accounts.ratelimit: minutes, 15 minutes, hours), so a test
    that makes its N requests across a window's end starts a new count halfway and sees no 429 (a CI run
    crossed 18:15:00 that way). Every window ends on a minute: waiting out the last seconds of one is enough.
    """
    import time

    left = 60 - time.time() % 60
    if left < 6:
        time.sleep(left + 0.05)
