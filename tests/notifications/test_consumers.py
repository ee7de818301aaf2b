"""The notification socket over the real Redis channel layer: auth, origin, count on connect, pushes after commit."""

import asyncio
import threading
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection, transaction

from config.asgi import application
from notifications.models import Channel
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def redis_layer(settings):
    """The real Redis channel layer on DB 6 with our own prefix, emptied afterwards."""
    base = django_settings.TEST_REDIS_URL.rsplit("/", 1)[0]
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"{base}/6"], "prefix": "ntf-test"},
        }
    }
    yield
    from asgiref.sync import async_to_sync

    async_to_sync(get_channel_layer().flush)()


def _login_cookie(user) -> bytes:
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{django_settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


def _socket(cookie: bytes | None = None, origin: bytes = b"http://testserver") -> WebsocketCommunicator:
    headers = [(b"origin", origin), (b"host", b"testserver")]
    if cookie:
        headers.append((b"cookie", cookie))
    return WebsocketCommunicator(application, "/ws/notifications/", headers=headers)


def _notify_in_app(user, key: str) -> None:
    notify(
        kind="qa.received",
        recipients=[user],
        context={"question": {"reference": key, "title": "Hỏi"}, "url": "/track/x/"},
        channels=[Channel.IN_APP],
        idempotency_key=key,
    )


async def test_visitors_and_foreign_origins_are_refused(redis_layer):
    anonymous = _socket()
    connected, _code = await anonymous.connect()
    assert not connected
    user = await sync_to_async(UserFactory)()
    cookie = await sync_to_async(_login_cookie)(user)
    foreign = _socket(cookie, origin=b"https://evil.example")
    connected, _code = await foreign.connect()
    assert not connected


async def test_count_on_connect_then_live_push_after_commit_only(redis_layer):
    user = await sync_to_async(UserFactory)(language="en")
    other = await sync_to_async(UserFactory)()
    await sync_to_async(_notify_in_app)(user, "HP-OLD-1")
    cookie = await sync_to_async(_login_cookie)(user)

    socket = _socket(cookie)
    connected, _code = await socket.connect()
    assert connected
    assert await socket.receive_json_from(timeout=5) == {"type": "unread", "unread": 1}

    # A notification written in a transaction that is still open is not pushed.
    written, release = threading.Event(), threading.Event()

    def open_transaction():
        try:
            with transaction.atomic():
                _notify_in_app(user, "HP-NEW-2")
                written.set()
                release.wait(timeout=10)
        finally:
            connection.close()

    thread = threading.Thread(target=open_transaction)
    thread.start()
    await asyncio.get_running_loop().run_in_executor(None, written.wait, 10)
    assert await socket.receive_nothing(timeout=0.5)
    release.set()
    await asyncio.get_running_loop().run_in_executor(None, thread.join, 10)

    message = await socket.receive_json_from(timeout=5)
    assert message["type"] == "notification"
    assert message["unread"] == 2
    assert message["notification"]["title"] == "Your question HP-NEW-2 has been received"
    assert message["notification"]["read"] is False

    # Someone else's notification never reaches this socket.
    await sync_to_async(_notify_in_app)(other, "HP-OTHER-3")
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_reading_elsewhere_updates_the_count(redis_layer):
    from notifications.services import notifications_mark_all_read

    user = await sync_to_async(UserFactory)()
    await sync_to_async(_notify_in_app)(user, "HP-R-1")
    socket = _socket(await sync_to_async(_login_cookie)(user))
    await socket.connect()
    assert (await socket.receive_json_from(timeout=5))["unread"] == 1
    await sync_to_async(notifications_mark_all_read)(user=user)
    assert await socket.receive_json_from(timeout=5) == {"type": "unread", "unread": 0}
    await socket.disconnect()


@pytest.mark.slow
async def test_an_idle_socket_still_gets_pushes_after_six_seconds(redis_layer):
    """redis-py 8 made idle channels-redis consumers die after 5 s; the pinned client must not."""
    user = await sync_to_async(UserFactory)()
    socket = _socket(await sync_to_async(_login_cookie)(user))
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    await asyncio.sleep(6.5)
    await sync_to_async(_notify_in_app)(user, "HP-IDLE-1")
    message = await socket.receive_json_from(timeout=5)
    assert message["type"] == "notification"
    await socket.disconnect()


async def test_client_messages_are_ignored(redis_layer):
    user = await sync_to_async(UserFactory)()
    socket = _socket(await sync_to_async(_login_cookie)(user))
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    await socket.send_to(text_data="not json at all")
    await socket.send_json_to({"type": "mark_read", "id": 1})
    assert await socket.receive_nothing(timeout=0.3)
    await sync_to_async(_notify_in_app)(user, "HP-STILL-OPEN")
    assert (await socket.receive_json_from(timeout=5))["type"] == "notification"
    await socket.disconnect()


@pytest.fixture
def private_layer(settings):
    """The Redis layer under a prefix of this test only: another worker's flush of "ntf-test" cannot touch it."""
    base = django_settings.TEST_REDIS_URL.rsplit("/", 1)[0]
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"{base}/6"], "prefix": f"ntf-hostile-{uuid.uuid4().hex[:8]}"},
        }
    }
    yield
    from asgiref.sync import async_to_sync

    async_to_sync(get_channel_layer().flush)()


async def test_hostile_frames_are_dropped_unread_and_the_socket_stays_open(private_layer):
    """Nothing a client sends here is parsed (no depth or size to exceed): deep, huge, null or binary frames
    change nothing and pushes keep arriving."""
    user = await sync_to_async(UserFactory)()
    socket = _socket(await sync_to_async(_login_cookie)(user))
    await socket.connect()
    await socket.receive_json_from(timeout=5)
    for frame in ("[" * 100_000 + "]" * 100_000, '{"type": "x\\u0000"}', "\u202e" + "a" * (10 * 1024 * 1024)):
        await socket.send_to(text_data=frame)
    await socket.send_to(bytes_data=b"\xff\xfe\x00")
    assert await socket.receive_nothing(timeout=0.3)
    await sync_to_async(_notify_in_app)(user, "HP-HOSTILE-OPEN")
    assert (await socket.receive_json_from(timeout=5))["type"] == "notification"
    await socket.disconnect()
