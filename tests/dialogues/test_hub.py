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
        self.live_pass = -1
        self.wire = None  # no uvicorn transport: every frame through base_send
        self.last = {"public": 0, "moderators": 0}
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


async def test_sockets_are_told_once_when_live_events_stop_and_again_when_they_flow(in_process):
    room = hub.Room(hub.Hub(asyncio.get_running_loop(), "", "test-status"), session_id=1)
    watching, catching_up = FakeSocket(), FakeSocket()
    catching_up.buffering = True  # still replaying: asks for the status itself after `ready`
    room.add(watching, moderator=False)
    room.add(catching_up, moderator=False)

    room.set_live(False)
    room.set_live(False)  # the reader retries while Redis is down: no second frame
    await asyncio.sleep(0.05)
    assert [json.loads(f) for f in watching.frames] == [{"type": "status", "data": {"live": False}}]
    assert catching_up.frames == [] and not room.live

    room.set_live(True)
    await asyncio.sleep(0.05)
    assert [json.loads(f)["data"]["live"] for f in watching.frames] == [False, True]
    room.closed = True
    room.set_live(False)  # a closed room says nothing
    await asyncio.sleep(0.05)
    assert len(watching.frames) == 2


class SlowSocket(FakeSocket):
    """A client that reads, but slowly: each send takes `delay` seconds."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def base_send(self, message: dict) -> None:
        await asyncio.sleep(self.delay)
        self.frames.append(message["text"])


def _frames(texts: list[str]) -> list[dict]:
    return [{"type": "websocket.send", "text": text} for text in texts]


async def test_each_send_has_its_own_deadline_so_a_slow_reader_is_kept(in_process, monkeypatch):
    """Sends that each finish within SLOW_SEND are never dropped, however long the whole pass takes."""
    monkeypatch.setattr(hub, "SLOW_SEND", 0.4)
    room = hub.Room(hub.Hub(asyncio.get_running_loop(), "", "test-slow"), session_id=1)
    slow = [SlowSocket(0.15) for _ in range(4)]  # the pass takes 4 × 3 × 0.15 = 1.8 s, far more than SLOW_SEND
    for socket in slow:
        room.add(socket, moderator=False)
    await room._send_all(tuple(room.consumers), _frames(["a", "b", "c"]), [])
    assert all(s.frames == ["a", "b", "c"] and not s.kicked for s in slow)
    assert room.consumers == set(slow) and room.sending is None
    room.closed = True


async def test_blocked_sockets_are_dropped_one_deadline_each_and_the_others_do_not_wait_longer(in_process, monkeypatch):
    monkeypatch.setattr(hub, "SLOW_SEND", 0.3)
    room = hub.Room(hub.Hub(asyncio.get_running_loop(), "", "test-blocked"), session_id=1)
    sockets = [FakeSocket(), FakeSocket(stuck=True), FakeSocket(), FakeSocket(stuck=True), FakeSocket()]
    for socket in sockets:
        room.add(socket, moderator=False)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await room._send_all(tuple(sockets), _frames(["1"]), [])
    took = loop.time() - started
    healthy = [s for s in sockets if not s.stuck]
    assert all(s.frames == ["1"] for s in healthy)
    assert all(s.kicked and s not in room.consumers for s in sockets if s.stuck)
    # Two blocked sockets cost at most one deadline each (between 3/4 and all of SLOW_SEND), nothing more.
    assert 2 * 0.3 * 3 / 4 <= took < 2 * 0.3 + 0.25, took
    # The sending task was not left cancelled: the next pass goes out at once and does not raise.
    assert asyncio.current_task().cancelling() == 0
    started = loop.time()
    await room._send_all(tuple(room.consumers), _frames(["2"]), [])
    assert loop.time() - started < 0.1
    assert all(s.frames == ["1", "2"] for s in healthy)
    room.closed = True


async def test_a_pass_cancelled_from_outside_is_cancelled_not_taken_for_a_slow_socket(in_process, monkeypatch):
    """Closing a room cancels its reader mid-send: that must stay a cancellation, with nobody dropped."""
    monkeypatch.setattr(hub, "SLOW_SEND", 5.0)
    room = hub.Room(hub.Hub(asyncio.get_running_loop(), "", "test-cancel"), session_id=1)
    blocked = FakeSocket(stuck=True)
    room.add(blocked, moderator=False)
    task = asyncio.create_task(room._send_all((blocked,), _frames(["1"]), []))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not blocked.kicked and blocked in room.consumers
    room.closed = True


async def test_counts_due_ride_with_the_next_public_events_in_the_same_pass(settings):
    # A counts frame of its own is a pass over every socket; while events flow the counts go with them.
    settings.DIALOGUES_COUNTS_INTERVAL = 60  # only the first delivery below may take them
    room = hub.Room(None, 1)  # type: ignore[arg-type]  # delivering needs no hub
    watcher, moderator_socket, joining = FakeSocket(), FakeSocket(), FakeSocket()
    joining.buffering = True
    room.add(watcher, moderator=False)
    room.add(moderator_socket, moderator=True)
    room.add(joining, moderator=False)
    room.votes, room.votes_dirty = {7: 3}, {7: 3}
    room.viewers_total = 3  # as the tick's last exchange of viewer counts found
    event = '{"type":"announcement","seq":1}'
    await room._deliver([("public", 1, event)])
    counts = {"type": "counts", "data": {"viewers": 3, "votes": {"7": 3}}}
    for socket in (watcher, moderator_socket):
        assert [json.loads(frame) for frame in socket.frames] == [json.loads(event), counts]
    assert joining.frames == [] and joining.buffer == [("public", 1, event)]  # it asks for the counts at `ready`
    assert room.votes_dirty == {}
    # Within the interval new votes wait for the tick (or a later event): at most one counts frame per interval.
    room.votes[7] = room.votes_dirty[7] = 4
    await room._deliver([("public", 2, '{"type":"announcement","seq":2}'), ("moderators", 1, '{"seq":1}')])
    assert [json.loads(f)["type"] for f in watcher.frames] == ["announcement", "counts", "announcement"]
    assert [json.loads(f).get("type") for f in moderator_socket.frames][2:] == ["batch"]
    assert room.votes_dirty == {7: 4}


async def test_moderators_events_alone_leave_the_counts_to_the_tick(settings):
    settings.DIALOGUES_COUNTS_INTERVAL = 0.01
    room = hub.Room(None, 1)  # type: ignore[arg-type]
    watcher, moderator_socket = FakeSocket(), FakeSocket()
    room.add(watcher, moderator=False)
    room.add(moderator_socket, moderator=True)
    room.votes_dirty = {7: 1}
    await room._deliver([("moderators", 1, '{"type":"question.submitted","seq":1}')])
    assert watcher.frames == [] and len(moderator_socket.frames) == 1  # watchers must not get counts alone here
    assert room.votes_dirty == {7: 1}
