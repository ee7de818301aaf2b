"""The straightforward design kept for the benchmark (DIALOGUES_FANOUT = "group"): it must still be correct."""

import uuid

import pytest
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from channels.testing import WebsocketCommunicator
from django.urls import path

from dialogues.consumers import GroupDialogueConsumer

from .conftest import HUB_REDIS_URL
from .test_consumers import _announcements, _events
from .wsutil import hello, make_headers

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def group_mode(settings):
    settings.DIALOGUES_FANOUT = "group"
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [HUB_REDIS_URL], "prefix": f"test-dlg-{uuid.uuid4().hex[:10]}"},
        }
    }


async def _connect(session_id: int, browser: str) -> WebsocketCommunicator:
    application = AllowedHostsOriginValidator(
        AuthMiddlewareStack(URLRouter([path("ws/dialogues/<int:session_id>/", GroupDialogueConsumer.as_asgi())]))
    )
    headers = make_headers(browser=browser)
    communicator = WebsocketCommunicator(application, f"/ws/dialogues/{session_id}/", headers=headers)
    connected, _ = await communicator.connect(timeout=15)
    assert connected
    return communicator


async def test_group_variant_delivers_in_order_and_replays(group_mode, live_session, moderator, hub_cleanup):
    first = await _connect(live_session.pk, "g1")
    await hello(first)
    await _announcements(live_session, moderator, 3)
    assert [e["seq"] for e in await _events(first, 3)] == [1, 2, 3]
    late = await _connect(live_session.pk, "g2")
    frames = await hello(late, last_seq=1)
    assert [f["seq"] for f in frames if f["type"] == "announcement"] == [2, 3]
    await _announcements(live_session, moderator, 1, start=3)
    for communicator in (first, late):
        assert [e["seq"] for e in await _events(communicator, 1)] == [4]
        await communicator.disconnect()
