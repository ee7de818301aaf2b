"""Two browsers on a real ASGI server: the moderator acts in the console, the watcher's page follows without reload."""

import os
import shutil

import orjson
import pytest
import redis

from dialogues import services
from tests.browser import CHROMIUM, CHROMIUM_ARGS, new_page

from .conftest import HUB_REDIS_URL
from .server import asgi_server
from .wsutil import session_cookie

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

LIVE = "#dlg-viewers-box:not([hidden])"  # shown once the socket said hello and got its first counts


@pytest.fixture
def own_browser():
    """Chromium for this test only, as tests.browser launches it, but stopped at the end.

    The session-wide `browser` fixture keeps Playwright's event loop marked as running in
    the main thread for the rest of the session, and every asyncio test after it (the
    socket tests of this app) then fails with "cannot be called from a running event loop".
    """
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(f"Chromium is missing at {CHROMIUM}")
        pytest.skip(f"Chromium is missing at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def pending_question(live_session):
    return services.live_question_ask(
        session_id=live_session.pk,
        actor=None,
        text="Khi nào tuyến xe buýt số 15 chạy thêm chuyến tối?",
        display_name="Chị Hoa",
        browser_key="hoa",
    )


@pytest.fixture
def moderator_cookie(moderator):
    return session_cookie(moderator)


def _publish_burst(prefix: str, session_id: int, after: int, texts: list[str]) -> None:
    """Announcements published in one Redis transaction: the hub reads them at once and sends one batch frame."""
    client = redis.Redis.from_url(HUB_REDIS_URL)
    with client.pipeline(transaction=True) as pipe:
        for offset, text in enumerate(texts, start=1):
            announcement = {"id": 900000 + offset, "text": text, "photo": None, "photo_alt": text, "at": None}
            frame = {"type": "announcement", "seq": after + offset, "data": {"announcement": announcement}}
            pipe.publish(f"{prefix}:{session_id}:public", b"%d\n" % (after + offset) + orjson.dumps(frame))
        pipe.execute()
    client.close()


# The database work happens in fixtures set up before the browser: while Playwright's loop runs in this
# thread, Django would keep connections in a context the test database teardown never sees.
def test_watcher_sees_approval_and_answer_without_reload(
    live_session, pending_question, moderator_cookie, redis_hub, own_browser
):
    question = pending_question
    cookie = moderator_cookie
    with asgi_server(hub_url=HUB_REDIS_URL, hub_prefix=redis_hub) as base:
        watcher = new_page(own_browser, base)
        frames: list[str] = []
        watcher.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(str(payload))))
        watcher.goto(base + live_session.get_absolute_url())
        watcher.wait_for_selector(LIVE)
        assert watcher.locator(f"#q-{question.pk}").count() == 0  # pending: not for watchers
        watcher.evaluate("window.__notReloaded = true")

        console = new_page(own_browser, base)
        console.context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
        console.goto(f"{base}/dialogues/{live_session.pk}/console/")
        console.wait_for_selector(LIVE)
        console.click(f"#pending-{question.pk} form[data-ws='approve'] button")

        item = watcher.locator(f"#dlg-waiting #q-{question.pk}")
        item.wait_for()
        assert "Khi nào tuyến xe buýt số 15" in item.locator(".dlg-q-text").text_content()
        assert item.locator(".dlg-q-name").text_content() == "Chị Hoa"

        console.click(f"#dlg-waiting #q-{question.pk} form[data-ws='answering'] button")
        watcher.locator(f"#dlg-now-list #q-{question.pk}").wait_for()
        assert watcher.locator("#dlg-now").is_visible()

        answer_box = console.locator(f"#q-{question.pk} details.dlg-answer-box")
        answer_box.locator("summary").click()
        answer_box.locator("textarea[name='text']").fill("Từ tháng sau tuyến 15 có thêm hai chuyến lúc 21 giờ.")
        answer_box.locator("button[type='submit']").click()

        answered = watcher.locator(f"#dlg-answered #q-{question.pk} .dlg-q-answer-text")
        answered.wait_for()
        assert answered.text_content() == "Từ tháng sau tuyến 15 có thêm hai chuyến lúc 21 giờ."
        assert watcher.locator("#dlg-now").is_hidden()

        # A burst the hub reads at once reaches the page as one batch frame, applied event by event in order.
        store = f"sessionStorage.getItem('dlg-seq-{live_session.pk}')"
        seq = int(watcher.evaluate(store))
        burst = ["Thông báo một", "Thông báo hai", "Thông báo ba"]
        _publish_burst(redis_hub, live_session.pk, seq, burst)
        watcher.locator("#announcement-900003").wait_for()
        shown = watcher.locator("#dlg-announcements .dlg-announcement-text").all_text_contents()
        assert shown[:3] == burst[::-1]  # newest first: applied one, two, three
        assert int(watcher.evaluate(store)) == seq + 3
        assert any(frame.startswith('{"type":"batch"') for frame in frames)
        assert watcher.evaluate("window.__notReloaded") is True
        watcher.context.close()
        console.context.close()
