"""A Redis failover through Sentinel, survived by a real stack (core/redis_pool.py).

A private Redis primary, its replica and three sentinels; uvicorn (production settings), a Celery worker and
beat all reach Redis only through the sentinels. A watcher holds a live page open while the primary is
SIGKILLed: the moderator's actions made before, during and after the failover all reach it once, in order
(the hub resubscribes on the new master and reads what it missed from the database); 30 questions submitted
during the failover are all saved, and each confirmation e-mail is delivered exactly once (a task lost with the
old master is re-sent by the outbox sweep, never twice). /readyz names the new master.
"""

import threading
import time

import pytest
import requests

from dialogues.models import LiveQuestion
from dialogues.services import live_question_approve
from notifications.models import Channel, Notification, Status
from qa.models import Question
from tests.dialogues.factories import LiveQuestionFactory, LiveSessionFactory
from tests.dialogues.server import asgi_server, database_url
from tests.factories import AgencyFactory, MembershipFactory, PublishedQuestionFactory, TopicFactory
from tests.notifications import live

from . import outage
from .sentinel import SentinelSet
from .test_outages import CONFIRM_KIND, Watcher, ask_payload, each_receipt_mailed_once, server_env, smtp_sink  # noqa: F401 (fixture)

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres, pytest.mark.timeout(300)]

SUBMISSIONS = 30
ACTIONS = (5, 5, 5)  # moderator actions before, during and after the failover


@pytest.fixture
def sentinels(tmp_path):
    group = SentinelSet(tmp_path)
    group.start()
    yield group
    group.stop()


@pytest.fixture
def sentinel_workers(sentinels, smtp_sink, tmp_path):  # noqa: F811
    """A worker and beat (sweep every 2 s) whose broker is found through the sentinels."""
    with outage.celery_worker_and_beat("failover", sentinels.url(), smtp_sink.port, tmp_path) as processes:
        yield processes


@pytest.mark.django_db(transaction=True)
def test_a_sentinel_failover_loses_and_repeats_nothing(sentinels, smtp_sink, sentinel_workers, settings, tmp_path):  # noqa: F811
    url = sentinels.url()
    # This process publishes the moderator's events through the sentinels too.
    settings.DIALOGUES_HUB_REDIS_URL, settings.DIALOGUES_HUB_PREFIX = url, "failover"
    agency, topic = AgencyFactory(code="HP-STNMT"), TopicFactory(name="Đất đai")
    PublishedQuestionFactory(agency=agency, topic=topic)
    dialogue = LiveSessionFactory(agency=agency)
    moderator = MembershipFactory(agency=agency).user
    pending = [LiveQuestionFactory(session=dialogue).pk for _ in range(sum(ACTIONS))]
    log_path = tmp_path / "uvicorn.log"
    env = server_env(database=database_url(), redis_url=url)
    with asgi_server(
        hub_url=url, hub_prefix="failover", extra_env=env, app="config.asgi:application", log_path=log_path
    ) as base:
        ready = requests.get(f"{base}/readyz", timeout=30).json()["checks"]["redis"]
        assert ready["status"] == "ok" and f":{sentinels.primary.port} " in ready["detail"], ready
        watcher = Watcher(base, dialogue.pk)
        watcher.start()
        assert live.wait_until(lambda: watcher.saw(lambda m: m["type"] == "ready"), 30)
        queue = iter(pending)
        for _ in range(ACTIONS[0]):
            live_question_approve(question_id=next(queue), actor=moderator)
        assert live.wait_until(lambda: approved_seen(watcher) == ACTIONS[0], 15), watcher.messages[-5:]

        old_port = sentinels.master_port()
        killed_at = sentinels.kill_primary()
        during: list[float] = []

        def moderate_during() -> None:
            for _ in range(ACTIONS[1]):
                live_question_approve(question_id=next(queue), actor=moderator)
                during.append(time.monotonic() - killed_at)
                time.sleep(0.3)

        moderator_thread = threading.Thread(target=moderate_during)
        moderator_thread.start()
        failover = threading.Thread(target=sentinels.wait_failover, args=(old_port, 30))  # times the promotion
        failover.start()
        codes = []
        for n in range(SUBMISSIONS):
            response = requests.post(f"{base}/api/v1/questions/", json=ask_payload(agency.pk, topic.pk, n), timeout=30)
            codes.append(response.status_code)
        moderator_thread.join(timeout=60)
        failover.join(timeout=40)
        assert sentinels.promoted_at is not None, "the sentinels did not promote the replica"
        failover_seconds = sentinels.promoted_at - killed_at
        assert codes == [201] * SUBMISSIONS, codes
        assert Question.objects.filter(channel="api").count() == SUBMISSIONS

        for _ in range(ACTIONS[2]):
            live_question_approve(question_id=next(queue), actor=moderator)
        resumed = outage.timed_until(lambda: approved_seen(watcher) == sum(ACTIONS), 30, since=killed_at)
        assert resumed is not None, f"{approved_seen(watcher)} of {sum(ACTIONS)} actions reached the watcher"
        seqs = [m["seq"] for m in watcher.messages if m.get("seq") and m["type"] != "ready"]
        assert seqs == sorted(set(seqs)), "events out of order or twice"
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), "a gap in the events"
        assert LiveQuestion.objects.filter(pk__in=pending, status="approved").count() == sum(ACTIONS)
        assert watcher.closed_code is None
        watcher.stop()

        mail_seconds = each_receipt_mailed_once(smtp_sink, SUBMISSIONS, since=killed_at)
        receipts = Notification.objects.filter(kind=CONFIRM_KIND, channel=Channel.EMAIL)
        assert receipts.filter(status=Status.SENT).count() == SUBMISSIONS

        after = requests.get(f"{base}/readyz", timeout=30).json()["checks"]["redis"]
        assert after["status"] == "ok" and f":{sentinels.master_port()} " in after["detail"], after
        assert requests.get(f"{base}/questions/", timeout=30).status_code == 200

    server_log = log_path.read_text()
    assert "Internal Server Error" not in server_log, server_log[-3000:]
    print(
        f"\nSentinel failover: replica promoted {failover_seconds:.1f} s after the primary was killed; "
        f"{sum(ACTIONS)}/{sum(ACTIONS)} moderator actions reached the watcher once and in order "
        f"(all by {resumed:.1f} s); {SUBMISSIONS}/{SUBMISSIONS} submissions during the failover saved; "
        f"{SUBMISSIONS} e-mails, each exactly once, all by {mail_seconds:.1f} s"
    )


def approved_seen(watcher: Watcher) -> int:
    return sum(1 for m in list(watcher.messages) if m["type"] == "question.approved")
