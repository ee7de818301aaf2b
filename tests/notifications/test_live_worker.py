"""End to end with real processes: Celery workers and beat on a Redis this test starts, SMTP into aiosmtpd.

(1) Redis down while 100 questions are submitted: all are saved; once Redis is
back the sweep delivers every receipt exactly once. (2) A worker SIGKILLed in
the middle of an SMTP conversation: within seconds of a new worker starting on
that host the message is delivered exactly once (its claim names a dead process;
the 300 s claim timeout is not waited for). (3) Two workers handed the same task: one e-mail.
"""

import os
import time
import urllib.request
from collections import Counter

import pytest
from django.db import connection
from structlog.contextvars import bind_contextvars, clear_contextvars

from notifications import tasks
from notifications.models import Channel, Notification, Status
from qa.models import Question
from qa.services import question_submit
from tests.celery_broker import publishing_to
from tests.factories import AgencyFactory, TopicFactory, UserFactory
from tests.notifications import live

pytestmark = [
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(420),
]


@pytest.fixture
def workdir(tmp_path):
    return tmp_path


@pytest.fixture
def redis_server(workdir):
    server = live.RedisServer(live.free_port(6390, 6399), workdir)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_sink():
    sink = live.SmtpSink(live.free_port(2525, 2535))
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def process_env(redis_server, smtp_sink):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "PYTHONPATH": str(live.BASE_DIR),
            "NTF_BROKER_URL": redis_server.url,
            "NTF_DATABASE_NAME": connection.settings_dict["NAME"],
            "NTF_SMTP_PORT": str(smtp_sink.port),
        }
    )
    return env


@pytest.fixture
def processes():
    """Every worker/beat a test starts is registered here and stopped afterwards."""
    started: list[live.CeleryProcess] = []
    yield started
    for process in started:
        process.stop()
        process.kill()


@pytest.fixture
def live_broker(redis_server):
    """Make this test process publish to the test's Redis instead of running tasks eagerly."""
    with publishing_to(redis_server.url):
        yield


def _start_worker(name, env, workdir, processes, queues="default,email"):
    worker = live.worker(name, env, workdir, queues)
    processes.append(worker)
    worker.start(ready_marker=f"{name}@ntf ready.")
    return worker


def _start_beat(env, workdir, processes):
    beat = live.beat(env, workdir)
    processes.append(beat)
    beat.start(ready_marker="beat: Starting...")
    return beat


def _ask(user, agency, topic, n: int) -> Question:
    return question_submit(
        agency=agency,
        topic=topic,
        title=f"Hỏi về thủ tục đất đai số {n}",
        body="Xin hỏi hồ sơ cần những giấy tờ gì?",
        asker_type="individual",
        name=user.full_name,
        email=user.email,
        user=user,
    )


def test_redis_down_while_100_questions_arrive_then_each_receipt_once(
    redis_server, smtp_sink, process_env, processes, live_broker, workdir
):
    _start_worker("w1", process_env, workdir, processes)
    _start_beat(process_env, workdir, processes)
    agency, topic = AgencyFactory(code="HP-STNMT"), TopicFactory()
    users = [UserFactory(email=f"dan{n:03d}@example.vn") for n in range(100)]

    redis_server.stop()
    started = time.monotonic()
    questions = [_ask(user, agency, topic, n) for n, user in enumerate(users)]
    submit_seconds = time.monotonic() - started
    print(f"100 submissions with the broker down: {submit_seconds:.1f} s")

    assert Question.objects.filter(status="submitted").count() == 100
    receipts = Notification.objects.filter(kind="qa.received", channel=Channel.EMAIL)
    assert receipts.filter(status=Status.PENDING).count() == 100
    assert smtp_sink.received() == []

    redis_server.start()  # empty: every task sent before the outage is gone too
    back = time.monotonic()
    assert live.wait_until(lambda: len(smtp_sink.received("qa.received")) >= 100, timeout=180, interval=0.5), (
        f"only {len(smtp_sink.received('qa.received'))} receipts arrived"
    )
    print(f"All receipts delivered {time.monotonic() - back:.1f} s after Redis came back")
    time.sleep(5)  # a few more sweeps: nothing may arrive twice

    received = smtp_sink.received("qa.received")
    assert len(received) == 100
    per_address = Counter(str(m["To"]) for m in received)
    assert set(per_address.values()) == {1}
    by_address = {str(m["To"]): str(m["Subject"]) for m in received}
    for user, question in zip(users, questions, strict=True):
        assert question.reference in by_address[user.email]
    assert receipts.filter(status=Status.SENT).count() == 100


def test_worker_killed_mid_delivery_sends_exactly_once_after_restart(
    redis_server, smtp_sink, process_env, processes, live_broker, workdir
):
    # The production claim timeout: the row must come back because its claimant is dead, not because it is old.
    process_env["NTF_CLAIM_TIMEOUT"] = "300"
    first = _start_worker("w1", process_env, workdir, processes)
    _start_beat(process_env, workdir, processes)
    smtp_sink.hold_first_seconds = 40
    user = UserFactory(email="bi-ngat@example.vn")
    question = _ask(user, AgencyFactory(), TopicFactory(), 1)
    row = Notification.objects.get(kind="qa.received", channel=Channel.EMAIL)

    assert smtp_sink.first_seen.wait(timeout=60), first.log()[-3000:]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENDING, 1)
    first.kill()
    killed = time.monotonic()

    _start_worker("w2", process_env, workdir, processes)
    ready = time.monotonic()
    assert live.wait_until(lambda: len(smtp_sink.received("qa.received")) >= 1, timeout=90, interval=0.2)
    delivered = time.monotonic()
    print(
        f"In-flight e-mail of a SIGKILLed worker delivered {delivered - ready:.1f} s after the new worker was ready "
        f"({delivered - killed:.1f} s after the kill; claim timeout 300 s)"
    )
    assert delivered - ready < 15
    time.sleep(6)  # more sweeps and any redelivery: still one
    (message,) = smtp_sink.received("qa.received")
    assert str(message["To"]) == user.email
    assert question.reference in str(message["Subject"])
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)


def test_two_workers_given_the_same_task_send_once(
    redis_server, smtp_sink, process_env, processes, live_broker, workdir
):
    smtp_sink.delay_seconds = 1.5
    one = _start_worker("w1", process_env, workdir, processes, queues="default,email,only-w1")
    two = _start_worker("w2", process_env, workdir, processes, queues="default,email,only-w2")
    row = Notification.objects.create(
        kind="qa.received",
        channel=Channel.EMAIL,
        email="hai-lan@example.vn",
        language="vi",
        context={"question": {"reference": "HP-TWICE-1", "title": "Hỏi", "agency": {"name": "Sở"}}, "name": "An"},
        idempotency_key="two-workers",
    )
    tasks.send_email.apply_async((row.pk,), queue="only-w1")
    tasks.send_email.apply_async((row.pk,), queue="only-w2")

    def both_finished() -> bool:
        return all("notifications.send_email" in w.log() and "succeeded" in w.log() for w in (one, two))

    assert live.wait_until(both_finished, timeout=60, interval=0.3), one.log()[-2000:] + two.log()[-2000:]
    time.sleep(2)
    assert len(smtp_sink.received()) == 1
    outcomes = sorted(
        "sent" if "'sent'" in w.log() else "skipped" if "'skipped'" in w.log() else "?" for w in (one, two)
    )
    assert outcomes == ["sent", "skipped"]
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 1)


def test_a_real_worker_retries_with_backoff_then_marks_failed(
    redis_server, smtp_sink, process_env, processes, live_broker, workdir
):
    process_env["NOTIFICATIONS_MAX_ATTEMPTS"] = "3"
    worker = _start_worker("w1", process_env, workdir, processes)
    smtp_sink.temporary_failures = {"flaky@example.vn": 2, "broken@example.vn": -1}
    rows = {
        address: Notification.objects.create(
            kind="qa.received",
            channel=Channel.EMAIL,
            email=address,
            context={"question": {"reference": f"HP-R-{n}", "title": "Hỏi", "agency": {"name": "Sở"}}, "name": "An"},
            idempotency_key=f"retry-{n}",
        )
        for n, address in enumerate(("flaky@example.vn", "broken@example.vn"))
    }
    for row in rows.values():
        tasks.send_email.apply_async((row.pk,))

    def settled() -> bool:
        return (
            not Notification.objects.filter(pk__in=[r.pk for r in rows.values()])
            .exclude(status__in=[Status.SENT, Status.FAILED])
            .exists()
        )

    assert live.wait_until(settled, timeout=60, interval=0.5), worker.log()[-3000:]
    flaky, broken = (Notification.objects.get(pk=rows[a].pk) for a in ("flaky@example.vn", "broken@example.vn"))
    assert (flaky.status, flaky.attempts, flaky.last_error) == (Status.SENT, 3, "")
    assert (broken.status, broken.attempts) == (Status.FAILED, 3)
    assert "451" in broken.last_error
    assert [str(m["To"]) for m in smtp_sink.received()] == ["flaky@example.vn"]
    assert "Retry in" in worker.log()


def test_the_email_a_submission_caused_logs_the_submissions_request_id(
    redis_server, smtp_sink, process_env, processes, live_broker, workdir
):
    """The request id travels in the task's message headers to a real worker and into its log lines.

    The worker also serves its own metrics (CELERY_METRICS_PORT): the delivery and the task are counted there.
    """
    metrics_port = live.free_port(9808, 9818)
    process_env["CELERY_METRICS_PORT"] = str(metrics_port)
    worker = _start_worker("w1", process_env, workdir, processes)
    user = UserFactory(email="theo-doi@example.vn")
    bind_contextvars(request_id="req-live-4711")  # what RequestIdMiddleware binds for the submitting request
    try:
        _ask(user, AgencyFactory(), TopicFactory(), 1)
    finally:
        clear_contextvars()
    assert live.wait_until(lambda: len(smtp_sink.received("qa.received")) >= 1, timeout=60, interval=0.3)
    assert live.wait_until(lambda: "succeeded" in worker.log(), timeout=10)
    email_lines = [line for line in worker.log().splitlines() if "task=notifications.send_email" in line]
    assert any("sent by e-mail" in line for line in email_lines), worker.log()[-3000:]
    assert any("succeeded" in line for line in email_lines)
    assert email_lines and all("request_id=req-live-4711" in line for line in email_lines)
    assert user.email not in worker.log()  # the address is never logged

    with urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5) as response:
        exposition = response.read().decode()
    assert 'hoidap_notification_deliveries_total{channel="email",outcome="sent"} 1.0' in exposition
    assert 'hoidap_celery_tasks_total{outcome="success",task="notifications.send_email"} 1.0' in exposition


def test_signing_up_while_redis_is_down_sends_the_verification_link_once_when_it_is_back(
    redis_server, smtp_sink, process_env, processes, live_broker, workdir
):
    """Account e-mails go through the outbox too (accounts/emails.py via core.outbox): none is lost, none doubled."""
    from accounts.services import user_register

    _start_worker("w1", process_env, workdir, processes)
    _start_beat(process_env, workdir, processes)
    redis_server.stop()
    user = user_register(email="dangky@example.vn", password="mot-mat-khau-dai-123", full_name="Đỗ Văn Ký")
    row = Notification.objects.get(recipient=user, kind="accounts.verify_email")
    assert row.status == Status.PENDING
    assert smtp_sink.received() == []

    redis_server.start()
    assert live.wait_until(lambda: smtp_sink.received("accounts.verify_email"), timeout=180, interval=0.5)
    time.sleep(5)  # a few more sweeps: nothing may arrive twice
    (message,) = smtp_sink.received("accounts.verify_email")
    assert str(message["To"]) == "dangky@example.vn"
    assert "/accounts/verify/" in message.get_body(("plain",)).get_content()
    row.refresh_from_db()
    assert row.status == Status.SENT
