"""In a real browser against a real ASGI server (daphne) and the Redis channel layer: the header bell is live.

A notification written by another process (here the test process, standing in
for a Celery worker) reaches the open page through Redis; reading in another
tab brings the count down on the first without a reload.
"""

import os
import signal
import socket
import subprocess
import threading
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from notifications.models import Channel
from notifications.services import notify
from tests.browser import new_page
from tests.factories import UserFactory
from tests.notifications import live

pytestmark = [
    pytest.mark.browser,
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def asgi_server(settings, tmp_path):
    """daphne in its own process (not a fork of this one), on this test's database and the Redis layer on DB 6."""
    base = django_settings.TEST_REDIS_URL.rsplit("/", 1)[0]
    layer_url = f"{base}/6"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [layer_url], "prefix": "ntf-browser"},
        }
    }
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("CELERY_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "tests.notifications.worker_settings",
            "PYTHONPATH": str(live.BASE_DIR),
            "NTF_BROKER_URL": "memory://",
            "NTF_DATABASE_NAME": connection.settings_dict["NAME"],
            "NTF_CHANNEL_LAYER_URL": layer_url,
        }
    )
    log = (tmp_path / "daphne.log").open("wb")
    server = subprocess.Popen(
        [
            str(live.BASE_DIR / ".venv" / "bin" / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "tests.notifications.live_asgi:application",
        ],
        cwd=live.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            with urllib.request.urlopen(f"{url}/about/", timeout=2):  # noqa: S310 (our own local server)
                return True
        except OSError:
            return False

    try:
        if not live.wait_until(answers, timeout=60, interval=0.3):
            pytest.fail("daphne did not start: " + (tmp_path / "daphne.log").read_text(errors="replace")[-2000:])
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


def _session_cookie(user, url: str) -> dict:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return {"name": django_settings.SESSION_COOKIE_NAME, "value": session.session_key, "url": url}


def _notify(user, ref: str) -> None:
    """From another thread: Playwright's sync API keeps an event loop running in this one (a worker has none)."""
    thread = threading.Thread(target=_write, args=(user, ref))
    thread.start()
    thread.join(timeout=30)


def _write(user, ref: str) -> None:
    try:
        _notify_now(user, ref)
    finally:
        connection.close()


def _notify_now(user, ref: str) -> None:
    notify(
        kind="qa.received",
        recipients=[user],
        context={"question": {"reference": ref, "title": "Hỏi"}, "url": f"/track/{ref}/?token=t"},
        channels=[Channel.IN_APP],
        idempotency_key=f"browser:{ref}",
    )


def test_bell_and_list_update_live(browser, asgi_server):
    user = UserFactory(language="en")
    _notify(user, "HP-LIVE-000001")
    cookie = _session_cookie(user, asgi_server)

    page = new_page(browser, asgi_server)
    page.context.add_cookies([cookie])
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    socket_opened = []
    page.on("websocket", lambda ws: socket_opened.append(ws.url))
    page.goto(f"{asgi_server}/notifications/")
    bell = page.locator("[data-notifications-bell]")
    assert bell.locator("[data-unread-count]").inner_text() == "1"
    page.wait_for_timeout(1000)  # the socket connects and reports the count
    assert socket_opened and socket_opened[0].endswith("/ws/notifications/")

    # Written by another process: pushed through Redis to the open page.
    _notify(user, "HP-LIVE-000002")
    page.wait_for_function("() => document.querySelector('[data-unread-count]').textContent === '2'", timeout=10_000)
    first_item = page.locator("[data-notification-list] article").first
    assert "HP-LIVE-000002" in first_item.inner_text()
    assert "HP-LIVE-000002" in page.locator("[data-notifications-live]").inner_text()
    assert first_item.locator("a").get_attribute("href").endswith("/open/")

    # Reading everything in another tab clears the badge here.
    other = page.context.new_page()
    other.goto(f"{asgi_server}/notifications/")
    other.locator("form[action$='/notifications/read-all/'] button").click()
    other.wait_for_load_state()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-unread-badge]')].every((b) => b.hidden)", timeout=10_000
    )
    assert errors == []
    page.context.close()


def test_phone_menu_button_shows_the_unread_count(browser, asgi_server):
    user = UserFactory(language="en")
    _notify(user, "HP-PHONE-000001")
    page = new_page(browser, asgi_server)
    page.set_viewport_size({"width": 375, "height": 740})
    page.context.add_cookies([_session_cookie(user, asgi_server)])
    page.goto(f"{asgi_server}/")
    menu = page.locator("button.nav-toggle")
    assert menu.is_visible()
    assert not page.locator("[data-notifications-bell]").is_visible()  # folded away with the menu
    assert menu.locator("[data-unread-count]").inner_text() == "1"
    assert menu.locator(".visually-hidden").text_content().strip() == "thông báo chưa đọc"  # Vietnamese by default

    _notify(user, "HP-PHONE-000002")
    page.wait_for_function(
        "() => document.querySelector('button.nav-toggle [data-unread-count]').textContent === '2'", timeout=10_000
    )
    page.context.close()
