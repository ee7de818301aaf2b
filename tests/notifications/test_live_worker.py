"""End to end with real processes: Celery workers and beat on a Redis this test starts, SMTP into aiosmtpd.

(1) Redis down while 100 questions are submitted: all are saved; once Redis is
back the sweep delivers every receipt exactly once. (2) A worker SIGKILLed in
the middle of an SMTP conversation: after a restart the message is delivered
exactly once. (3) Two workers handed the same task: one e-mail.
"""

import os
import time
from collections import Counter

import pytest
from django.db import connection
from kombu import pools as kombu_pools

from config.celery import app as celery_app
from notifications import tasks
from notifications.models import Channel, Notification, Status
from qa.models import Question
from qa.services import question_submit
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
    conf = celery_app.conf
    saved = {"task_always_eager": conf.task_always_eager, "broker_url": conf.broker_url}

    def reset_pool():
        # kombu keeps pools in a registry keyed by URL: closing one without removing it breaks the next test.
        celery_app._pool = None
        celery_app.amqp._producer_pool = None
        kombu_pools.reset()

    conf.task_always_eager = False
    conf.broker_url = redis_server.url
    reset_pool()
    yield
    conf.update(saved)
    reset_pool()


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

    _start_worker("w2", process_env, workdir, processes)
    assert live.wait_until(lambda: len(smtp_sink.received("qa.received")) >= 1, timeout=90, interval=0.5)
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
