"""Read-replica routing against a real streaming replica (config/db_router.py).

A private primary (initdb) and its replica (pg_basebackup -R), each on its own
port, serve uvicorn with the production settings. The replica logs every
statement, so the test sees which reads it served: the archive's anonymous
reads go there; a browser that just wrote, a signed-in user and the staff
pages read the primary; with replay paused (lag beyond the setting) or the
replica stopped the archive answers from the primary, without an error page,
and goes back to the replica when it catches up or restarts. A replica URL that
points at the primary is reported by /readyz and by one log line.
"""

import time

import psycopg
import pytest
import requests

from tests.dialogues.server import asgi_server
from tests.notifications.live import wait_until

from . import outage
from .replica import make_pair, wait_replayed
from .test_outages import log_in, server_env

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.timeout(300)]

NEW_TITLE = "Thủ tục cấp đổi giấy chứng nhận quyền sử dụng đất năm 2026"


@pytest.fixture(scope="module")
def pair():
    if not (outage.PG_BIN / "pg_basebackup").exists():
        pytest.skip(f"PostgreSQL's server programs are not in {outage.PG_BIN} (set PG_BIN)")
    primary, replica = make_pair(
        lambda url: outage.django_command(["manage.py", "migrate", "--noinput", "-v", "0"], url)
    )
    try:
        data = outage.seed(primary.url())
        assert wait_replayed(primary, replica)
        yield primary, replica, data
    finally:
        replica.remove()
        primary.remove()


def archive_reads(replica, before: int) -> list[str]:
    """Statements the replica ran since `before` that read the archive (not the router's own probe)."""
    return [s for s in replica.statements()[before:] if "qa_question" in s]


def replica_check(base: str) -> dict:
    return requests.get(f"{base}/readyz", timeout=30).json()["checks"]["replica"]


def serve(primary, replica_url: str, log_path):
    """uvicorn with the production settings on the private primary, reading the archive from `replica_url`."""
    env = server_env(
        database=primary.url(),
        redis_url="",
        DATABASE_REPLICA_URL=replica_url,
        DATABASE_REPLICA_MAX_LAG="1",
        DATABASE_REPLICA_CHECK_INTERVAL="0.2",
        QA_ARCHIVE_CACHE_SECONDS="0",
        CELERY_BROKER_URL="memory://",
    )
    return asgi_server(
        hub_url="", hub_prefix="replica", extra_env=env, app="config.asgi:application", log_path=log_path
    )


def test_archive_reads_go_to_the_replica_and_fall_back_to_the_primary(pair, tmp_path):
    primary, replica, data = pair
    detail = f"/questions/{data['reference']}/"
    log_path = tmp_path / "uvicorn.log"
    with serve(primary, replica.url(), log_path) as base:
        ready = requests.get(f"{base}/readyz", timeout=30).json()
        assert ready["checks"]["replica"]["status"] == "ok", ready

        # Anonymous archive reads: served by the replica.
        anonymous = requests.Session()
        for path in ["/questions/", detail, "/api/v1/questions/", f"/api/v1/questions/{data['reference']}/"]:
            before = len(replica.statements())
            response = anonymous.get(f"{base}{path}", timeout=30)
            assert response.status_code == 200, (path, response.status_code)
            assert wait_until(lambda b=before: archive_reads(replica, b), 5), f"{path} was not read on the replica"

        # A signed-in user, and a browser that has just written (the cookie set by any POST), read the primary.
        browser, _page, posted = log_in(base, data["user_email"], data["password"])
        assert posted.status_code == 302
        assert posted.cookies.get("hoidap_rw") == "1"
        signed_in_before = len(replica.statements())
        assert browser.get(f"{base}{detail}", timeout=30).status_code == 200
        del browser.cookies["hoidap_rw"]
        assert browser.get(f"{base}{detail}", timeout=30).status_code == 200
        sticky = requests.Session()
        sticky.cookies.set("hoidap_rw", "1")
        assert sticky.get(f"{base}{detail}", timeout=30).status_code == 200
        time.sleep(0.5)
        assert archive_reads(replica, signed_in_before) == []

        # Replay paused and a write on the primary: the replica is behind by more than 1 s (now minus its last
        # replayed commit), so the archive reads the primary and shows the new title.
        replica.sql("SELECT pg_wal_replay_pause()")
        with psycopg.connect(primary.url(), autocommit=True) as conn:
            sql = "UPDATE qa_question SET public_title = %s WHERE reference = %s"
            conn.execute(sql, [NEW_TITLE, data["reference"]])
        paused_at = time.monotonic()
        fallback = outage.timed_until(
            lambda: NEW_TITLE in anonymous.get(f"{base}{detail}", timeout=30).text, timeout=15, since=paused_at
        )
        assert fallback is not None, "the lagging replica kept serving"
        lagging = requests.get(f"{base}/readyz", timeout=30)
        assert lagging.status_code == 200 and lagging.json()["checks"]["replica"]["status"] == "warn"
        assert "lagging" in lagging.json()["checks"]["replica"]["error"]

        replica.sql("SELECT pg_wal_replay_resume()")
        assert wait_replayed(primary, replica)
        assert wait_until(lambda: replica_check(base)["status"] == "ok", 10)

        # Each web process re-checks the replica at most every 2 s, on its own clock (not /readyz's): the next
        # reads may still go to the primary for that long, then return to the replica.
        def served_by_replica() -> bool:
            before = len(replica.statements())
            assert NEW_TITLE in anonymous.get(f"{base}{detail}", timeout=30).text
            return wait_until(lambda: archive_reads(replica, before), 1)

        assert wait_until(served_by_replica, 10), "caught up, the replica serves again"

        # Replica stopped: every archive page answers from the primary, no error page; restarted: back to it.
        replica.stop()
        stopped_at = time.monotonic()
        answers = []
        while time.monotonic() - stopped_at < 3:
            for path in ["/questions/", detail, "/api/v1/questions/", "/questions/?q=dat+dai"]:
                answers.append(anonymous.get(f"{base}{path}", timeout=30).status_code)
        assert set(answers) == {200}, answers
        down = requests.get(f"{base}/readyz", timeout=30)
        assert down.status_code == 200 and down.json()["checks"]["replica"]["status"] == "warn"
        replica.start()
        before = len(replica.statements())
        back = outage.timed_until(
            lambda: (
                anonymous.get(f"{base}{detail}", timeout=30).status_code == 200 and bool(archive_reads(replica, before))
            ),
            timeout=30,
        )
        assert back is not None, "the restarted replica was not used again"

    server_log = log_path.read_text()
    assert "Traceback" not in server_log and "Internal Server Error" not in server_log, server_log[-3000:]
    # One line per change of state, not one per request.
    assert server_log.count("Read replica not used") <= 6, server_log[-3000:]
    print(
        f"\nRead replica: archive reads on the replica; signed-in and just-written browsers on the primary; "
        f"lagging replica left in {fallback:.1f} s; {len(answers)} archive requests with the replica stopped: "
        f"all 200 from the primary; restarted replica used again in {back:.1f} s"
    )


def test_a_replica_url_pointing_at_the_primary_is_reported_and_pages_work(pair, tmp_path):
    primary, _replica, data = pair
    log_path = tmp_path / "uvicorn.log"
    with serve(primary, primary.url(), log_path) as base:
        ready = requests.get(f"{base}/readyz", timeout=30)
        assert ready.status_code == 200
        check = ready.json()["checks"]["replica"]
        assert check["status"] == "warn" and "not in recovery" in check["error"], check
        for _ in range(10):
            assert requests.get(f"{base}/questions/{data['reference']}/", timeout=30).status_code == 200
    server_log = log_path.read_text()
    assert "Traceback" not in server_log
    assert server_log.count("misconfigured: DATABASE_REPLICA_URL points at a server that is not in recovery") == 1
