"""The live page on a phone (390 px): stream before the ask form, no layout shift, axe clean, and a stalled
connection (the socket stays open but nothing comes through) noticed by the heartbeat, shown as
"reconnecting" and replaced by a new socket that resumes from the last event applied."""

import re
import uuid

import orjson
import pytest
import redis

from tests.browser import new_page
from tests.reach_browser import CLS_OBSERVER, PHONE_390, axe_serious, cls, doc_shot

from .server import asgi_server
from .test_browser import own_browser  # noqa: F401 (fixture)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

HUB = "redis://127.0.0.1:6379/2"
LIVE = "#dlg-viewers-box:not([hidden])"
RECONNECTING = ("Mất kết nối. Đang kết nối lại…", "Connection lost. Reconnecting…")
# Records the connection banner's text each time it becomes visible.
BANNER_WATCH = """() => {
  window.__banners = [];
  const banner = document.getElementById('dlg-connection');
  new MutationObserver(() => { if (!banner.hidden) { window.__banners.push(banner.textContent); } })
    .observe(banner, {attributes: true, childList: true, characterData: true, subtree: true});
}"""


def _announce(prefix: str, session_id: int, seq: int, text: str) -> None:
    announcement = {"id": 910000 + seq, "text": text, "photo": None, "photo_alt": text, "at": None}
    frame = {"type": "announcement", "seq": seq, "data": {"announcement": announcement}}
    client = redis.Redis.from_url(HUB)
    client.publish(f"{prefix}:{session_id}:public", b"%d\n" % seq + orjson.dumps(frame))
    client.close()


def test_live_page_on_a_phone_recovers_from_a_stalled_connection(live_session, own_browser, settings):  # noqa: F811
    prefix = f"test-dlg-{uuid.uuid4().hex[:10]}"
    settings.DIALOGUES_HUB_REDIS_URL = HUB
    settings.DIALOGUES_HUB_PREFIX = prefix
    env = {"DIALOGUES_HEARTBEAT_SECONDS": "1", "REDIS_URL": HUB}
    with asgi_server(hub_url=HUB, hub_prefix=prefix, extra_env=env) as base:
        page = new_page(own_browser, base, **PHONE_390)
        page.context.add_init_script(CLS_OBSERVER)
        sockets: list[dict] = []

        def route(ws):
            server = ws.connect_to_server()
            state = {"stalled": False, "frames": 0}
            sockets.append(state)
            ws.on_message(lambda message: server.send(message))

            def down(message):
                if not state["stalled"]:
                    state["frames"] += 1
                    ws.send(message)

            server.on_message(down)

        page.route_web_socket(re.compile(r"/ws/dialogues/"), route)
        page.goto(base + live_session.get_absolute_url())
        page.wait_for_selector(LIVE)
        assert page.get_attribute("#dlg-live", "data-heartbeat") == "1.0"

        # Phone layout: the stream comes before the ask form; nothing shifts; axe finds nothing serious.
        stream = page.locator("#dlg-live .layout-main").bounding_box()
        ask = page.locator("#ask").bounding_box()
        assert stream["y"] < ask["y"]
        assert page.locator(".dlg-jump a[href='#ask']").is_visible()
        shift, entries = cls(page)
        assert shift < 0.1, f"CLS {shift:.3f} {entries}"
        assert axe_serious(page) == []
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        doc_shot(page, "tour-dialogue-phone")

        # The server's heartbeat: frames keep coming while nothing happens.
        before = sockets[0]["frames"]
        for _ in range(30):  # two heartbeats (1 s each) expected; up to 6 s on a loaded machine
            page.wait_for_timeout(200)
            if sockets[0]["frames"] >= before + 2:
                break
        assert sockets[0]["frames"] >= before + 2

        # Stall: the socket stays open but nothing reaches the page any more. The banner shows only while the
        # new socket connects (a few hundred ms) — shorter than Playwright's polling of a selector — so the page
        # itself records each time it appears. Every socket open so far stalls (on a loaded machine the page may
        # already have replaced the first one), so the count is taken from here.
        page.evaluate(BANNER_WATCH)
        stalls = int(page.evaluate("document.getElementById('dlg-live').dataset.stalls || '0'"))
        opened = len(sockets)
        for state in sockets:
            state["stalled"] = True
        page.wait_for_function("() => window.__banners.length > 0", timeout=10_000)
        page.wait_for_function(
            f"() => Number(document.getElementById('dlg-live').dataset.stalls || 0) > {stalls}", timeout=10_000
        )
        page.wait_for_selector("#dlg-connection", state="hidden", timeout=10_000)
        assert page.evaluate("window.__banners[0]") in RECONNECTING
        assert len(sockets) > opened
        page.wait_for_selector(LIVE)

        # Live again on the new socket: the next event shows without a reload.
        seq = int(page.evaluate(f"sessionStorage.getItem('dlg-seq-{live_session.pk}') || '0'") or 0)
        _announce(prefix, live_session.pk, seq + 1, "Phiên đối thoại tiếp tục sau sự cố kết nối")
        page.wait_for_selector(f"#announcement-{910000 + seq + 1}", timeout=10_000)
        page.context.close()
