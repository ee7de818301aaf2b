"""A dead worker's claim is released at once on its host; a live one, another host's or an unknown one is not."""

import os
import subprocess
import sys
import uuid

import pytest
from django.core import mail
from django.utils import timezone

from notifications import claimants, services, tasks
from notifications.models import Notification, Status
from notifications.services import Recipient, notify

pytestmark = [pytest.mark.django_db]

CONTEXT = {"question": {"reference": "HP-STNMT-2026-000011", "title": "Hỏi về đất"}, "url": "/x/"}


def _row(key: str = "evt") -> Notification:
    (row,) = notify(
        kind="qa.received",
        recipients=[Recipient(email="nguoihoi@example.vn", language="vi")],
        context=CONTEXT,
        idempotency_key=key,
    )
    return row


def _claimed(row: Notification, claimant: str, attempts: int = 1) -> None:
    Notification.objects.filter(pk=row.pk).update(
        status=Status.SENDING, attempts=attempts, claimed_at=timezone.now(), lease=uuid.uuid4(), claimed_by=claimant
    )


@pytest.fixture
def dead_claimant() -> str:
    """The claimant name of a process that really ran on this host and has exited."""
    child = subprocess.run(
        [sys.executable, "-c", "from notifications import claimants; print(claimants.current())"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": os.getcwd()},
    )
    return child.stdout.strip()


def test_the_claimant_names_this_host_and_process():
    name = claimants.current()
    host, boot, namespace, pid, start = name.split("/")
    assert host and boot and namespace.isdigit()
    assert name.startswith(claimants.host_prefix())
    assert int(pid) == os.getpid() and start.isdigit()
    assert not claimants.is_dead(name)


def test_a_claim_records_the_claiming_process():
    row = _row()
    claimed = services._claim(row.pk, row.channel)
    assert claimed.claimed_by == claimants.current()


def test_exited_reused_and_rebooted_claimants_are_dead_unknown_ones_are_not(dead_claimant):
    host, boot, namespace, pid, start = claimants.current().split("/")
    dead_pid = dead_claimant.split("/")[3]
    assert claimants.is_dead(dead_claimant)
    # The same pid started at another time: a newer process reused the number.
    assert claimants.is_dead(f"{host}/{boot}/{namespace}/{pid}/{int(start) + 1}")
    # Another boot of this host: everything of the old one is gone.
    assert claimants.is_dead(f"{host}/{'0' * 8 if boot != '0' * 8 else '1' * 8}/{namespace}/{pid}/{start}")
    # Another host, another PID namespace (a container with the same host name), or a name that cannot be
    # judged: only the claim timeout may release it.
    assert not claimants.is_dead(f"elsewhere-{host}/{boot}/{namespace}/{dead_pid}/1")
    assert not claimants.is_dead(f"{host}/{boot}/{int(namespace) + 1}/{dead_pid}/1")
    assert not claimants.is_dead("")
    assert not claimants.is_dead(f"{host}/{boot}/{namespace}/not-a-pid/1")
    assert not claimants.is_dead(f"{host}/{boot}/{dead_pid}/1")  # the old four-part form


@pytest.mark.sqlite
def test_a_dead_workers_row_is_released_and_sent_once_at_once(dead_claimant, settings):
    settings.NOTIFICATIONS_CLAIM_TIMEOUT = 300
    row = _row()
    _claimed(row, dead_claimant)
    result = services.dead_claims_release()
    assert (result["released"], result["dispatched"]) == (1, 1)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.claimed_by) == (Status.SENT, 2, claimants.current())
    assert len(mail.outbox) == 1
    # Released again (a second worker starting, the sweep): nothing more to do.
    assert services.dead_claims_release()["released"] == 0
    assert services.outbox_sweep()["reclaimed"] == 0
    assert len(mail.outbox) == 1


def test_live_or_foreign_claims_are_left_to_the_timeout(settings):
    settings.NOTIFICATIONS_CLAIM_TIMEOUT = 300
    mine, foreign = _row("mine"), _row("foreign")
    _claimed(mine, claimants.current())
    _claimed(foreign, "another-host/abcdef12/4026531836/4242/123")
    assert services.dead_claims_release() == {"released": 0, "failed": 0, "dispatched": 0}
    assert set(Notification.objects.values_list("status", flat=True)) == {Status.SENDING}
    assert mail.outbox == []


def test_a_dead_claim_on_the_last_attempt_ends_failed(dead_claimant, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 2
    row = _row()
    _claimed(row, dead_claimant, attempts=2)
    assert services.dead_claims_release()["failed"] == 1
    row.refresh_from_db()
    assert (row.status, row.last_error) == (Status.FAILED, "The worker stopped during the attempt.")
    assert mail.outbox == []


def test_the_sweep_releases_dead_claims_long_before_the_timeout(dead_claimant, settings):
    settings.NOTIFICATIONS_CLAIM_TIMEOUT = 300
    row = _row()
    _claimed(row, dead_claimant)
    assert services.outbox_sweep()["reclaimed"] == 1
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert len(mail.outbox) == 1


def test_worker_ready_releases_dead_claims(dead_claimant):
    row = _row()
    _claimed(row, dead_claimant)
    tasks.release_dead_claims(sender=None)
    row.refresh_from_db()
    assert row.status == Status.SENT
