"""Faults injected into a real stack: uvicorn serving config.asgi with the production settings, a Celery worker
and beat, an SMTP sink, and a private redis-server / PostgreSQL cluster that each test stops and starts again.

Redis stops: every page, the public API, the ask form and logging in keep answering (cache misses behind a
circuit breaker, rate limits counted per process); 30 API submissions are all saved; once Redis is back each
confirmation e-mail arrives exactly once (outbox + sweep) and the cache is used again.

PostgreSQL stops: cached anonymous pages keep answering 200; the rest answers a translated 503 page, or a JSON
503 with Retry-After under /api/; once the cluster is back everything answers again without restarting uvicorn.

The figures each test measures are printed (docs/reliability.md): run with `-s` to see them.
"""

import asyncio
import json
import threading
import time
from collections import Counter

import pytest
import redis
import requests
import websockets

from dialogues import identity
from dialogues.services import live_question_approve
from notifications.models import Channel, Notification, Status
from qa.models import Question
from tests.dialogues.factories import LiveQuestionFactory, LiveSessionFactory
from tests.dialogues.server import asgi_server, database_url
from tests.dialogues.wsutil import unpack
from tests.factories import AgencyFactory, MembershipFactory, PublishedQuestionFactory, TopicFactory, UserFactory
from tests.notifications import live

from . import outage

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres, pytest.mark.timeout(300)]

SUBMISSIONS = 30
PG_OUTAGE_SECONDS = 8
PASSWORD = "matkhau-an-toan-123"
CONFIRM_KIND = "qa.confirm_email"


def server_env(*, database: str, redis_url: str, **extra: str) -> dict:
    """Production settings, on the test's services; limits raised so one test client may submit 30 times."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "outage-test-secret-key-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_COOKIES": "false",
        # Plain http on loopback, no TLS proxy in front: no https redirect, no HSTS.
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DJANGO_LOG_LEVEL": "INFO",
        "DATABASE_URL": database,
        "REDIS_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "QA_SUBMIT_RATE_PER_IP": "1000/h",
        "QA_SUBMIT_RATE_PER_EMAIL": "100/h",
        "QA_ARCHIVE_CACHE_SECONDS": "300",
        **extra,
    }


def ask_payload(agency_id: int, topic_id: int, n: int) -> dict:
    return {
        "agency": agency_id,
        "topic": topic_id,
        "title": f"Hỏi về thủ tục đăng ký hộ kinh doanh số {n}",
        "body": "Tôi muốn mở cửa hàng tạp hóa ở quận Lê Chân thì cần đăng ký hộ kinh doanh ở đâu?",
        "asker_type": "individual",
        "name": "Phạm Thị Lan",
        "email": f"lan{n:03d}@example.vn",
        "consent_to_publish": True,
    }


def each_receipt_mailed_once(smtp_sink, count: int, since: float) -> float:
    """Seconds (from `since`) until the `count` confirmation e-mails arrived; asserts each address got exactly one."""
    mail_seconds = outage.timed_until(lambda: len(smtp_sink.received(CONFIRM_KIND)) >= count, 120, 0.5, since=since)
    assert mail_seconds is not None, f"{len(smtp_sink.received(CONFIRM_KIND))} of {count} e-mails"
    time.sleep(5)  # more sweeps: nothing may arrive twice
    per_address = Counter(str(m["To"]) for m in smtp_sink.received(CONFIRM_KIND))
    assert per_address == {f"lan{n:03d}@example.vn": 1 for n in range(count)}
    return mail_seconds


def log_in(base: str, email: str, password: str) -> tuple[requests.Session, requests.Response, requests.Response]:
    browser = requests.Session()
    page = browser.get(f"{base}/accounts/login/", timeout=30)
    token = browser.cookies.get("csrftoken", "")
    posted = browser.post(
        f"{base}/accounts/login/",
        data={"email": email, "password": password, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=30,
    )
    return browser, page, posted


def _dialogue_url(base: str, session_id: int) -> tuple[str, str]:
    return base.replace("http://", "ws://") + f"/ws/dialogues/{session_id}/", f"{identity.COOKIE}=" + (
        identity.cookie_value(f"outage-watcher-{session_id}")
    )


async def _dialogue_socket(base: str, session_id: int) -> tuple[str, object]:
    """Say hello on a live page's socket: ("ready", live) when it works (live: False when the server says live
    events are stopped), ("closed", close code) when the server turned it away."""
    url, cookie = _dialogue_url(base, session_id)
    async with websockets.connect(url, origin=base, additional_headers={"Cookie": cookie}, open_timeout=20) as ws:
        await ws.send(json.dumps({"type": "hello"}))
        try:
            while json.loads(await asyncio.wait_for(ws.recv(), timeout=20))["type"] != "ready":
                pass
            try:  # after `ready`: counts, and a `status` only while live events are stopped
                while True:
                    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=1))
                    if message["type"] == "status":
                        return "ready", message["data"]["live"]
            except TimeoutError:
                return "ready", True
        except websockets.ConnectionClosed as closed:
            return "closed", closed.rcvd.code if closed.rcvd else None


class Watcher(threading.Thread):
    """A live page held open across the outage (its own event loop): records every message it receives."""

    def __init__(self, base: str, session_id: int) -> None:
        super().__init__(daemon=True)
        self.base, self.session_id = base, session_id
        self.messages: list[dict] = []
        self.closed_code: int | None = None
        self.done = threading.Event()

    def run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        url, cookie = _dialogue_url(self.base, self.session_id)
        async with websockets.connect(url, origin=self.base, additional_headers={"Cookie": cookie}) as ws:
            await ws.send(json.dumps({"type": "hello"}))
            while not self.done.is_set():
                try:
                    frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=0.2))
                except TimeoutError:
                    continue
                except websockets.ConnectionClosed as closed:
                    self.closed_code = closed.rcvd.code if closed.rcvd else -1
                    return
                self.messages.extend(unpack(frame))

    def saw(self, predicate) -> bool:
        return any(predicate(m) for m in list(self.messages))

    def stop(self) -> None:
        self.done.set()
        self.join(timeout=10)


async def _notification_socket(base: str, cookies: str) -> tuple[str, int | None]:
    url = base.replace("http://", "ws://") + "/ws/notifications/"
    async with websockets.connect(url, origin=base, additional_headers={"Cookie": cookies}, open_timeout=20) as ws:
        try:
            message = json.loads(await asyncio.wait_for(ws.recv(), timeout=20))
            return message["type"], None
        except websockets.ConnectionClosed as closed:
            return "closed", closed.rcvd.code if closed.rcvd else None


# --- Redis -----------------------------------------------------------------------------------------


@pytest.fixture
def redis_server(tmp_path):
    server = live.RedisServer(live.free_port(6390, 6399), tmp_path)
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
def celery_processes(redis_server, smtp_sink, tmp_path):
    """A worker and beat (sweep every 2 s) on the private Redis, delivering to the SMTP sink."""
    with outage.celery_worker_and_beat("outage", redis_server.url, smtp_sink.port, tmp_path) as processes:
        yield processes


@pytest.mark.django_db(transaction=True)
def test_redis_outage_pages_answer_submissions_are_saved_and_each_email_goes_once(
    redis_server, smtp_sink, celery_processes, tmp_path
):
    agency, topic = AgencyFactory(code="HP-STNMT"), TopicFactory(name="Đất đai")
    published = PublishedQuestionFactory(agency=agency, topic=topic)
    user = UserFactory(email="dan@example.vn")
    outage.production_password(user, PASSWORD)
    dialogue = LiveSessionFactory(agency=agency)  # watched across the outage
    unwatched = LiveSessionFactory(agency=agency)  # first opened during it
    moderator = MembershipFactory(agency=agency).user
    pending = LiveQuestionFactory(session=dialogue)
    log_path = tmp_path / "uvicorn.log"
    env = server_env(database=database_url(), redis_url=redis_server.url)
    with asgi_server(
        hub_url=redis_server.url, hub_prefix="outage", extra_env=env, app="config.asgi:application", log_path=log_path
    ) as base:
        anonymous = requests.Session()
        assert anonymous.get(f"{base}/", timeout=30).status_code == 200
        watcher = Watcher(base, dialogue.pk)
        watcher.start()
        assert live.wait_until(lambda: watcher.saw(lambda m: m["type"] == "ready"), 30)

        redis_server.stop()
        down_at = time.monotonic()
        # The open live page is told that live events stopped: it shows "reconnecting" (static/js/dialogues/live.js).
        told_seconds = outage.timed_until(
            lambda: watcher.saw(lambda m: m == {"type": "status", "data": {"live": False}}), 15
        )
        assert told_seconds is not None, watcher.messages
        # An event made while Redis is down is saved but cannot be published (here: straight to the database).
        live_question_approve(question_id=pending.pk, actor=moderator)
        pages = {
            "home": "/",
            "archive": "/questions/",
            "search": "/questions/?q=dat+dai",
            "question": f"/questions/{published.reference}/",
            "api list": "/api/v1/questions/",
            "ask form": "/ask/",
            "live page": f"/dialogues/{dialogue.pk}/",
        }
        statuses = {name: anonymous.get(f"{base}{path}", timeout=30).status_code for name, path in pages.items()}
        browser, login_page, logged_in = log_in(base, user.email, PASSWORD)
        statuses["login GET"], statuses["login POST"] = login_page.status_code, logged_in.status_code
        statuses["logged-in home"] = browser.get(f"{base}/", timeout=30).status_code
        assert statuses == dict.fromkeys(statuses, 200) | {"login POST": 302}, statuses
        assert logged_in.headers["Location"] == "/"

        latencies, codes = [], []
        for n in range(SUBMISSIONS):
            started = time.monotonic()
            response = requests.post(f"{base}/api/v1/questions/", json=ask_payload(agency.pk, topic.pk, n), timeout=30)
            latencies.append(time.monotonic() - started)
            codes.append(response.status_code)
        assert codes == [201] * SUBMISSIONS, codes

        # Live sockets: served the current state but told live events are stopped, or (no subscription in this
        # process yet) told to come back later; either way the page script shows "reconnecting".
        assert asyncio.run(_dialogue_socket(base, dialogue.pk)) == ("ready", False)
        assert asyncio.run(_dialogue_socket(base, unwatched.pk)) == ("closed", 1011)
        session_cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
        assert asyncio.run(_notification_socket(base, session_cookie)) == ("closed", 1013)

        saved = Question.objects.filter(channel="api").count()
        assert saved == SUBMISSIONS
        receipts = Notification.objects.filter(kind=CONFIRM_KIND, channel=Channel.EMAIL)
        assert receipts.filter(status=Status.PENDING).count() == SUBMISSIONS
        outage_seconds = time.monotonic() - down_at

        redis_server.start()  # empty, as after a crash: every task sent before is gone too
        back_at = time.monotonic()  # each figure below: seconds from here until it held (checked in turn)
        cache = redis.Redis.from_url(redis_server.url)

        def cache_used_again() -> bool:
            anonymous.get(f"{base}/questions/", timeout=30)
            return any(cache.scan_iter("*qa:archive:page*"))

        cache_seconds = outage.timed_until(cache_used_again, timeout=30, interval=0.5, since=back_at)
        # The open page gets the event it missed, then "live" again.
        live_seconds = outage.timed_until(
            lambda: watcher.saw(lambda m: m == {"type": "status", "data": {"live": True}}), 30, since=back_at
        )
        assert live_seconds is not None, watcher.messages[-5:]
        kinds = [m["type"] for m in watcher.messages]
        assert kinds.index("question.approved") < len(kinds) - 1 - kinds[::-1].index("status")
        assert watcher.closed_code is None  # never dropped
        watcher.stop()
        socket_seconds = outage.timed_until(
            lambda: asyncio.run(_dialogue_socket(base, unwatched.pk)) == ("ready", True), 30, 0.5, since=back_at
        )
        bell_seconds = outage.timed_until(
            lambda: asyncio.run(_notification_socket(base, session_cookie))[0] == "unread", 30, 0.5, since=back_at
        )
        mail_seconds = each_receipt_mailed_once(smtp_sink, SUBMISSIONS, since=back_at)
        assert receipts.filter(status=Status.SENT).count() == SUBMISSIONS
        assert cache_seconds is not None and socket_seconds is not None and bell_seconds is not None

    server_log = log_path.read_text()
    # One line each way per state change, not one per request.
    assert server_log.count("is unavailable (") == 1, server_log[-3000:]
    assert server_log.count("is available again") == 1
    assert server_log.count("Rate limits are counted in this process") == 1
    assert "Internal Server Error" not in server_log
    print(
        f"\nRedis outage ({outage_seconds:.1f} s): {len(statuses)} page checks non-500, "
        f"{SUBMISSIONS}/{SUBMISSIONS} submissions saved (p50 {sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms); open live page told in {told_seconds:.1f} s; after restart: "
        f"cache used again in {cache_seconds:.1f} s, open live page caught up and live in {live_seconds:.1f} s, "
        f"new live socket in {socket_seconds:.1f} s, bell in {bell_seconds:.1f} s, "
        f"all {SUBMISSIONS} e-mails in {mail_seconds:.1f} s, each exactly once"
    )


# --- PostgreSQL -------------------------------------------------------------------------------------


@pytest.fixture
def cluster():
    if not (outage.PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL's server programs are not in {outage.PG_BIN} (set PG_BIN)")
    pg = outage.PostgresCluster(outage.free_port(55400, 55499))
    try:
        pg.init()
        pg.start()
        pg.createdb()
        outage.django_command(["manage.py", "migrate", "--noinput", "-v", "0"], pg.url())
        yield pg
    finally:
        pg.remove()


def test_postgres_outage_gives_translated_503s_cached_pages_stay_and_service_returns(cluster, redis_server, tmp_path):
    data = outage.seed(cluster.url())
    log_path = tmp_path / "uvicorn.log"
    env = server_env(database=cluster.url(), redis_url=redis_server.url, DATABASE_CONN_MAX_AGE="60")
    with asgi_server(
        hub_url=redis_server.url, hub_prefix="outage", extra_env=env, app="config.asgi:application", log_path=log_path
    ) as base:
        anonymous = requests.Session()
        cached = ["/", "/questions/", "/api/v1/questions/"]
        for path in cached:  # rendered once, then stored for the next visitor
            assert anonymous.get(f"{base}{path}", timeout=30).status_code == 200
        browser, _page, logged_in = log_in(base, data["user_email"], data["password"])
        assert logged_in.status_code == 302

        cluster.stop()
        down_at = time.monotonic()
        for path in cached:
            assert anonymous.get(f"{base}{path}", timeout=30).status_code == 200, path

        english = {"Cookie": "django_language=en"}
        pages = ["/ask/", f"/questions/{data['reference']}/", "/questions/?q=dat+dai"]
        refused = 0
        for path in pages:
            for headers, text in (({}, "Dịch vụ tạm thời gián đoạn"), (english, "Service temporarily unavailable")):
                response = anonymous.get(f"{base}{path}", headers=headers, timeout=30)
                assert response.status_code == 503, (path, response.status_code)
                assert response.headers["Content-Type"].startswith("text/html")
                assert int(response.headers["Retry-After"]) > 0
                assert text in response.text, response.text[:500]
                assert "Traceback" not in response.text and "Server Error (500)" not in response.text
                refused += 1
        assert browser.get(f"{base}/notifications/", timeout=30).status_code == 503  # the session is in the database
        refused += 1

        submissions = [ask_payload(data["agency"], data["topic"], n) for n in range(5)]
        api_calls = [("GET", "/api/v1/agencies/", None)] + [("POST", "/api/v1/questions/", p) for p in submissions]
        for method, path, payload in api_calls:
            response = requests.request(method, f"{base}{path}", json=payload, timeout=30)
            assert response.status_code == 503, (path, response.status_code, response.text[:300])
            assert response.headers["Content-Type"] == "application/json"
            assert int(response.headers["Retry-After"]) > 0
            body = response.json()
            assert body["code"] == "service_unavailable" and body["detail"], body
            refused += 1

        # Held for a while, as a real outage: whatever is asked, a cached page or a 503, never a 500.
        mixed = [*cached, "/ask/", "/accounts/login/", "/api/v1/topics/", f"/questions/{data['reference']}/"]
        answers: Counter = Counter()
        while time.monotonic() - down_at < PG_OUTAGE_SECONDS:
            for path in mixed:
                answers[anonymous.get(f"{base}{path}", timeout=30).status_code] += 1
        assert set(answers) <= {200, 503}, answers
        refused += answers[503]

        cluster.start()
        back_at = time.monotonic()
        recover_seconds = outage.timed_until(
            lambda: anonymous.get(f"{base}/ask/", timeout=30).status_code == 200, timeout=60, interval=0.1
        )
        assert recover_seconds is not None
        # The clients retry what was refused (Retry-After): every submission is saved once.
        for payload in submissions:
            assert requests.post(f"{base}/api/v1/questions/", json=payload, timeout=30).status_code == 201
        assert browser.get(f"{base}/notifications/", timeout=30).status_code == 200  # still logged in
        assert anonymous.get(f"{base}/questions/{data['reference']}/", timeout=30).status_code == 200
        assert cluster.scalar("SELECT count(*) FROM qa_question WHERE channel = 'api'") == len(submissions)
        outage_seconds = back_at - down_at

    server_log = log_path.read_text()
    assert "Internal Server Error" not in server_log, server_log[-3000:]
    print(
        f"\nPostgreSQL outage ({outage_seconds:.1f} s): {answers[200] + len(cached)} requests served from the cache, "
        f"{refused} requests "
        f"answered 503 (HTML in vi and en, JSON with Retry-After), 0 × 500; {len(submissions)} submissions "
        f"refused with 503 then saved on retry ({len(submissions)}/{len(submissions)}); "
        f"serving again {recover_seconds:.1f} s after the cluster was back, uvicorn not restarted"
    )
