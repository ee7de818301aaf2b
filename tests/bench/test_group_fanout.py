"""The straightforward design kept for the benchmark (bench/group.py, DIALOGUES_FANOUT=group): still correct."""

import uuid

import pytest
from channels.testing import WebsocketCommunicator

from bench import group
from bench.group import GroupDialogueConsumer
from tests.dialogues.conftest import HUB_REDIS_URL
from tests.dialogues.test_consumers import _announcements, _events
from tests.dialogues.wsutil import hello, make_headers

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def group_mode(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [HUB_REDIS_URL], "prefix": f"test-dlg-{uuid.uuid4().hex[:10]}"},
        }
    }
    with group.publishing():  # the services' after-commit publish goes to the groups, as in bench.asgi
        yield


async def _connect(session_id: int, browser: str) -> WebsocketCommunicator:
    application = group.websocket_application()  # the routing bench.asgi serves with DIALOGUES_FANOUT=group
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


def test_publishing_restores_the_hubs_publishers_and_product_code_has_no_group_design():
    from dialogues import consumers, hub

    before = hub.publish_event, hub.publish_votes
    with group.publishing():
        assert (hub.publish_event, hub.publish_votes) == (group.publish_event, group.publish_votes)
    assert (hub.publish_event, hub.publish_votes) == before
    assert not hasattr(consumers, "GroupDialogueConsumer") and not hasattr(hub, "group_name")
    assert GroupDialogueConsumer.channel_layer_alias == "default"
