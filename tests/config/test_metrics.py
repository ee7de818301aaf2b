"""/metrics: only for allowed addresses or the bearer token; latency by view name (not path); outbox gauges from one
query; delivery and task counters; several processes summed in multiprocess mode."""

import os
import subprocess
import sys

import pytest
from django.http import HttpResponse
from django.urls import path
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from config import metrics
from notifications import tasks
from notifications.models import Channel, Notification, Status
from notifications.services import Recipient, notify

pytestmark = [pytest.mark.django_db]


def item(request, pk):
    return HttpResponse(f"item {pk}")


def broken(request):
    return HttpResponse("no", status=503)


urlpatterns = [path("items/<int:pk>/", item, name="item"), path("broken/", broken)]


def _samples(response) -> dict:
    samples = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def _value(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.mark.sqlite
def test_metrics_answer_allowed_addresses_only(client, settings):
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "10.0.0.0/8"]
    response = client.get("/metrics", HTTP_HOST="10.0.3.7:8000")  # scraped by address: no host check
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"hoidap_http_request_duration_seconds" in response.content
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="not-an-address").status_code == 404


@pytest.mark.sqlite
def test_a_bearer_token_opens_metrics_from_anywhere(client, settings):
    settings.METRICS_ALLOWED_IPS = []
    assert client.get("/metrics").status_code == 404  # no token set: a token opens nothing
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token").status_code == 200
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="s3cret-scrape-token").status_code == 404


def test_latency_is_labelled_by_view_name_and_status_class_never_by_path(client, settings):
    settings.ROOT_URLCONF = __name__
    before_item = _value("hoidap_http_request_duration_seconds_count", view="item", method="GET", status="2xx")
    before_unresolved = _value(
        "hoidap_http_request_duration_seconds_count", view="<unresolved>", method="GET", status="4xx"
    )
    for pk in range(1, 6):
        assert client.get(f"/items/{pk}/").status_code == 200
    client.get("/no-such-page/")
    client.get("/another/missing/page/")
    client.get("/broken/")
    assert _value("hoidap_http_request_duration_seconds_count", view="item", method="GET", status="2xx") == (
        before_item + 5
    )
    assert (
        _value("hoidap_http_request_duration_seconds_count", view="<unresolved>", method="GET", status="4xx")
        == before_unresolved + 2
    )
    assert (
        _value(
            "hoidap_http_request_duration_seconds_count",
            view="tests.config.test_metrics.broken",
            method="GET",
            status="5xx",
        )
        >= 1
    )
    labels = {
        sample.labels.get("view")
        for family in REGISTRY.collect()
        if family.name == "hoidap_http_request_duration_seconds"
        for sample in family.samples
    }
    assert not any(label and label.startswith("/") for label in labels)


def _row(key: str, status: str, **fields) -> Notification:
    (row,) = notify(
        kind="qa.received",
        recipients=[Recipient(email=f"{key}@example.vn", language="vi")],
        context={"question": {"reference": key, "title": "Hỏi"}, "url": "/x/"},
        channels=[Channel.EMAIL],
        idempotency_key=key,
    )
    Notification.objects.filter(pk=row.pk).update(status=status, **fields)
    return row


def test_outbox_backlog_is_read_at_scrape_time_in_one_query(django_assert_num_queries):
    from datetime import timedelta

    from django.utils import timezone

    _row("p1", Status.PENDING, next_attempt_at=timezone.now() - timedelta(minutes=10))
    _row("p2", Status.PENDING)
    _row("p3", Status.PENDING, next_attempt_at=timezone.now() + timedelta(hours=1))  # backing off: not due
    _row("s1", Status.SENDING)
    _row("f1", Status.FAILED)
    _row("f2", Status.FAILED)
    _row("ok", Status.SENT)
    registry = CollectorRegistry()
    registry.register(metrics.OutboxCollector())
    with django_assert_num_queries(1):
        families = {family.name: family for family in registry.collect()}
    rows = {sample.labels["status"]: sample.value for sample in families["hoidap_outbox_rows"].samples}
    assert rows == {"pending": 3, "sending": 1, "failed": 2}
    (oldest,) = families["hoidap_outbox_oldest_pending_seconds"].samples
    assert 590 < oldest.value < 700
    assert families["hoidap_outbox_query_up"].samples[0].value == 1


def test_the_scrape_shows_the_outbox(client):
    _row("f1", Status.FAILED)
    samples = _samples(client.get("/metrics"))
    assert samples[("hoidap_outbox_rows", (("status", "failed"),))] == 1
    assert samples[("hoidap_outbox_query_up", ())] == 1


def test_deliveries_and_task_outcomes_are_counted():
    sent_before = _value("hoidap_notification_deliveries_total", channel="email", outcome="sent")
    skipped_before = _value("hoidap_notification_deliveries_total", channel="email", outcome="skipped")
    tasks_before = _value("hoidap_celery_tasks_total", task="notifications.send_email", outcome="success")
    row = _row("d1", Status.PENDING)
    tasks.send_email.apply(args=(row.pk,))
    tasks.send_email.apply(args=(row.pk,))
    assert _value("hoidap_notification_deliveries_total", channel="email", outcome="sent") == sent_before + 1
    assert _value("hoidap_notification_deliveries_total", channel="email", outcome="skipped") == skipped_before + 1
    assert _value("hoidap_celery_tasks_total", task="notifications.send_email", outcome="success") == tasks_before + 2


WRITER = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
import django; django.setup()
from config import metrics
from dialogues.metrics import LIVE_SOCKETS
metrics.REQUEST_LATENCY.labels("qa:archive", "GET", "2xx").observe(0.02)
LIVE_SOCKETS.inc(int(sys.argv[1]))
"""


def test_several_processes_are_summed_in_multiprocess_mode(tmp_path, settings):
    """Two server processes write their samples to PROMETHEUS_MULTIPROC_DIR; a scrape reports the sum."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path), "PYTHONPATH": str(settings.BASE_DIR)}
    for sockets in (3, 4):
        subprocess.run([sys.executable, "-c", WRITER, str(sockets)], env=env, check=True, timeout=60)
    from prometheus_client import multiprocess

    def scrape() -> dict:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(tmp_path))
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in registry.collect()
            for sample in family.samples
        }

    samples = scrape()
    key = ("hoidap_http_request_duration_seconds_count", (("method", "GET"), ("status", "2xx"), ("view", "qa:archive")))
    assert samples[key] == 2
    assert samples[("hoidap_live_sockets", ())] == 7
    # Both writers have exited: their open sockets are gone with them, their counts stay.
    assert metrics.forget_dead_processes(str(tmp_path)) == 2
    samples = scrape()
    assert samples.get(("hoidap_live_sockets", ()), 0) == 0
    assert samples[key] == 2
