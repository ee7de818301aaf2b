"""What dialogues.consumers and dialogues.hub rely on inside Channels, asserted exactly.

Each test names one deliberate use of a Channels (or Django) internal. If an
upgrade changes it, the test fails here, with the reason, instead of the live
page quietly getting slower or losing frames. Written against Channels 4.3.
"""

import asyncio

import pytest
from channels import consumer as channels_consumer
from channels.auth import UserLazyObject
from channels.consumer import AsyncConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model

from dialogues import hub
from dialogues.consumers import DialogueConsumer

from .wsutil import connect, hello, session_cookie

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def in_process(settings):
    settings.DIALOGUES_HUB_REDIS_URL = ""
    settings.REDIS_URL = ""


def _consumer_of(session_id: int) -> DialogueConsumer:
    (consumer,) = hub.get_hub().rooms[session_id].consumers
    return consumer


def test_an_unknown_layer_alias_gives_no_layer():
    # DialogueConsumer.channel_layer_alias names no layer on purpose: AsyncConsumer.__call__ then gets None from
    # get_channel_layer and neither creates a channel per socket nor runs a second receive loop on it.
    assert DialogueConsumer.channel_layer_alias not in ("default", None)
    assert get_channel_layer(DialogueConsumer.channel_layer_alias) is None
    assert get_channel_layer("default") is not None  # the stock alias would have given every socket a channel


async def test_a_dialogue_socket_has_no_channel_and_no_layer_receive_loop(
    in_process, live_session, moderator, hub_cleanup
):
    communicator = await connect(live_session.pk, browser="alias")
    await hello(communicator)
    consumer = _consumer_of(live_session.pk)
    # Set by AsyncConsumer.__call__ only when a layer exists (channel_name, channel_receive).
    assert consumer.channel_layer is None
    assert not hasattr(consumer, "channel_name") and not hasattr(consumer, "channel_receive")
    await communicator.disconnect()


def test_the_stock_dispatch_closes_old_connections_before_every_handler(monkeypatch):
    # DialogueConsumer.dispatch exists to skip this hop (a thread round trip per message): if Channels stops
    # doing it, the override can go; if it renames it, the override must be re-checked.
    calls = []

    async def counted():
        calls.append(1)

    monkeypatch.setattr(channels_consumer, "aclose_old_connections", counted)

    class Probe(AsyncConsumer):
        async def probe_message(self, message):
            calls.append("handler")

    asyncio.run(Probe().dispatch({"type": "probe.message"}))
    assert calls == [1, "handler"]


async def test_dialogue_sockets_dispatch_through_the_override_without_the_hop(
    in_process, live_session, monkeypatch, hub_cleanup
):
    # AsyncConsumer.__call__ hands every message to `self.dispatch` (await_many_dispatch): our override is used.
    calls = []

    async def counted():
        calls.append(1)

    monkeypatch.setattr(channels_consumer, "aclose_old_connections", counted)
    communicator = await connect(live_session.pk, browser="dispatch")
    await communicator.send_json_to({"type": "ping", "ref": 7})
    assert await communicator.receive_json_from(timeout=10) == {"type": "pong", "ref": 7}
    assert calls == []
    await communicator.disconnect()


async def test_base_send_is_the_raw_asgi_send_and_send_text_is_one_websocket_send_message():
    # The hub writes {"type": "websocket.send", "text": ...} with consumer.base_send, skipping
    # AsyncWebsocketConsumer.send: that must be exactly what send(text_data=...) would have written.
    written = []

    async def raw_send(message):
        written.append(message)

    class Probe(AsyncWebsocketConsumer):
        channel_layer_alias = DialogueConsumer.channel_layer_alias

    probe = Probe()
    probe.base_send = raw_send
    await probe.send(text_data='{"type":"pong"}')
    assert written == [{"type": "websocket.send", "text": '{"type":"pong"}'}]

    async def receive():
        await asyncio.sleep(3600)

    running = Probe()
    task = asyncio.create_task(running(scope={"type": "websocket"}, receive=receive, send=raw_send))
    await asyncio.sleep(0.01)
    # AsyncConsumer.__call__ stores the server's send itself as base_send (no wrapper for an async consumer).
    assert running.base_send is raw_send
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_the_auth_middleware_resolves_the_user_into_the_lazy_objects_wrapped(
    in_process, live_session, watcher, hub_cleanup
):
    # The consumer unwraps scope["user"] once (getattr(user, "_wrapped", user)) so the services get a plain
    # User: AuthMiddleware stores a UserLazyObject and sets `_wrapped` on it in resolve_scope.
    from channels.db import database_sync_to_async

    cookie = await database_sync_to_async(session_cookie)(watcher)
    communicator = await connect(live_session.pk, session=cookie)
    await hello(communicator)
    consumer = _consumer_of(live_session.pk)
    assert isinstance(consumer.scope["user"], UserLazyObject)
    assert type(consumer.user) is get_user_model() and consumer.user.pk == watcher.pk
    await communicator.disconnect()
