"""The hub without Redis (the embedded run's in-process bus), and its protection against a socket that stops reading."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from dialogues import hub, services

from .wsutil import connect, hello, receive

pytestmark = [pytest.mark.django_db(transaction=True)]

announce = database_sync_to_async(services.announcement_post)


class FakeSocket:
    """Stands in for a consumer: records frames, or never finishes a send (a client that stopped reading)."""

    def __init__(self, *, stuck: bool = False) -> None:
        self.buffering = False
        self.buffer: list = []
        self.frames: list[str] = []
        self.stuck = stuck
        self.kicked = False

    async def base_send(self, message: dict) -> None:
        if self.stuck:
            await asyncio.Event().wait()
        self.frames.append(message["text"])

    def kick(self) -> None:
        self.kicked = True


@pytest.fixture
def in_process(settings):
    settings.DIALOGUES_HUB_REDIS_URL = ""
    settings.REDIS_URL = ""
    settings.DIALOGUES_COUNTS_INTERVAL = 0.1


async def test_embedded_run_delivers_in_order_through_the_in_process_bus(
    in_process, live_session, moderator, hub_cleanup
):
    first = await connect(live_session.pk, browser="one")
    second = await connect(live_session.pk, browser="two")
    await hello(first)
    await hello(second, last_seq=0)
    for i in range(5):
        await announce(session_id=live_session.pk, actor=moderator, text=f"Tin {i}")
    for communicator in (first, second):
        seqs = []
        while len(seqs) < 5:
            seqs.append((await receive(communicator))["seq"])
        assert seqs == [1, 2, 3, 4, 5]
        await communicator.disconnect()
    assert hub.get_hub().backend.__class__ is hub.LocalBackend


async def test_a_socket_that_stops_reading_is_dropped_and_the_others_keep_receiving(
    in_process, live_session, moderator, monkeypatch, hub_cleanup
):
    monkeypatch.setattr(hub, "SLOW_SEND", 0.4)
    sockets = [FakeSocket() for _ in range(3)] + [FakeSocket(stuck=True)] + [FakeSocket() for _ in range(3)]
    current = hub.get_hub()
    for socket in sockets:
        room = await current.join(socket, live_session.pk, moderator=False)
    await announce(session_id=live_session.pk, actor=moderator, text="Một")
    await announce(session_id=live_session.pk, actor=moderator, text="Hai")
    healthy = [s for s in sockets if not s.stuck]

    def events(socket) -> list[tuple[int, str]]:
        messages = [json.loads(f) for f in socket.frames]
        return [(m["seq"], m["data"]["announcement"]["text"]) for m in messages if m["type"] == "announcement"]

    for _ in range(50):
        if all(len(events(s)) == 2 for s in healthy):
            break
        await asyncio.sleep(0.1)
    for socket in healthy:
        assert events(socket) == [(1, "Một"), (2, "Hai")]
    stuck = sockets[3]
    assert stuck.kicked and stuck not in room.consumers and len(room.consumers) == 6
