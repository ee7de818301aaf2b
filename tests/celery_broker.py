"""Make this test process publish Celery tasks to a given broker instead of running them eagerly."""

import contextlib
from collections.abc import Iterator

from kombu import pools as kombu_pools

from config.celery import app as celery_app


def _reset_pool() -> None:
    # kombu keeps pools in a registry keyed by URL: closing one without removing it breaks the next test.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    kombu_pools.reset()


@contextlib.contextmanager
def publishing_to(url: str) -> Iterator[None]:
    """Inside the block tasks go to `url` (not eager); the test settings come back afterwards."""
    conf = celery_app.conf
    saved = {"task_always_eager": conf.task_always_eager, "broker_url": conf.broker_url}
    conf.task_always_eager = False
    conf.broker_url = url
    _reset_pool()
    try:
        yield
    finally:
        conf.update(saved)
        _reset_pool()
