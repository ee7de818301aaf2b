"""The Celery application; settings come from Django's with the CELERY_ prefix."""

import os

from celery import Celery
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_failure,
    task_postrun,
    task_prerun,
    task_retry,
    task_success,
    worker_ready,
)

from config import logs, metrics
from core.redis_pool import celery_broker, parse_sentinel

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
# Celery reads CELERY_BROKER_URL from the environment before the settings: a redis+sentinel:// URL there becomes
# kombu's form, as the settings' own (the master's name is in CELERY_BROKER_TRANSPORT_OPTIONS).
_sentinel = parse_sentinel(os.environ.get("CELERY_BROKER_URL", ""))
if _sentinel is not None:
    os.environ["CELERY_BROKER_URL"] = celery_broker(os.environ["CELERY_BROKER_URL"])[0]
    os.environ["CELERY_BROKER_MASTER_NAME"] = _sentinel.master

app = Celery("hoidap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# Logs: Django's LOGGING (structlog) everywhere, and the request id carried into tasks (config/logs.py).
setup_logging.connect(logs.keep_django_logging, weak=False)
before_task_publish.connect(logs.add_request_id_header, weak=False)
task_prerun.connect(logs.bind_task_context, weak=False)
task_postrun.connect(logs.unbind_task_context, weak=False)
# Metrics: task outcomes, and a worker's own /metrics when CELERY_METRICS_PORT is set (config/metrics.py).
task_success.connect(metrics.task_succeeded, weak=False)
task_failure.connect(metrics.task_failed, weak=False)
task_retry.connect(metrics.task_retried, weak=False)
worker_ready.connect(metrics.start_worker_exporter, weak=False)


@app.task(name="ops.celery_heartbeat", ignore_result=True)
def celery_heartbeat() -> None:
    """Beat schedules it, a worker runs it: /readyz sees both alive and the broker working (config/health.py)."""
    from config.health import record_heartbeat

    record_heartbeat()
