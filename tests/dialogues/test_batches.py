"""Adaptive coalescing in the hub: events that arrive during a send pass go out together as one `batch` frame."""

import asyncio
import json

import orjson
import pytest
from channels.db import database_sync_to_async

from dialogues import hub, services

from .wsutil import connect, hello, receive, receive_frame

pytestmark = [pytest.mark.django_db(transaction=True)]

announce = database_sync_to_async(services.announcement_post)


class Socket:
    """Stands in for a consumer: records every frame; with a gate, its first send waits until the gate opens."""

    def __init__(self, *, gate: asyncio.Event | None = None, buffering: bool = False) -> None:
        self.buffering = buffering
        self.buffer: list = []
        self.frames: list[dict] = []
        self.live_pass = -1
        self.wire = None  # no uvicorn transport: every frame through base_send
        self.last = {"public": 0, "moderators": 0}
        self.gate = gate

    async def base_send(self, message: dict) -> None:
        if self.gate is not None:
            await self.gate.wait()
            self.gate = None
        self.frames.append(json.loads(message["text"]))

    def kick(self) -> None:
        raise AssertionError("no socket should be dropped here")

    def events(self) -> list[dict]:
        """The numbered events received, batches unpacked, in order."""
        found = []
        for frame in self.frames:
            for message in frame["events"] if frame["type"] == "batch" else [frame]:
                if "seq" in message:
                    found.append(message)
        return found

    def shape(self) -> list[list[int]]:
        """Seqs per frame: [[1], [2, 3, 4]] is one frame with event 1, then one batch of 2..4."""
        return [
            [e["seq"] for e in (frame["events"] if frame["type"] == "batch" else [frame])]
            for frame in self.frames
            if frame["type"] != "counts"
        ]


@pytest.fixture
def in_process(settings):
    settings.DIALOGUES_HUB_REDIS_URL = ""
    settings.REDIS_URL = ""
    settings.DIALOGUES_COUNTS_INTERVAL = 60  # no counts frames in the way


@pytest.fixture(params=["in-process", "redis"])
def backend(request, settings):
    if request.param == "redis":
        request.getfixturevalue("redis_hub")
        settings.DIALOGUES_COUNTS_INTERVAL = 60
        return request.param
    request.getfixturevalue("in_process")
    return request.param


async def _until(condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("timed out")


async def test_a_burst_during_a_send_pass_reaches_each_socket_as_one_batch_in_order(
    backend, live_session, moderator, monkeypatch, hub_cleanup
):
    monkeypatch.setattr(hub, "SLOW_SEND", 60.0)  # the held-up socket below must not be taken for a dead one
    gate = asyncio.Event()
    sockets = [Socket() for _ in range(3)] + [Socket(gate=gate)] + [Socket() for _ in range(3)]
    current = hub.get_hub()
    for socket in sockets:
        room = await current.join(socket, live_session.pk, moderator=False)
    order = list(room.consumers)  # the order a pass goes through the sockets

    await announce(session_id=live_session.pk, actor=moderator, text="Tin 1")
    await _until(lambda: room.sending is sockets[3])  # the pass of event 1 is stuck on that socket
    for i in range(2, 7):  # a burst, published while that pass runs
        await announce(session_id=live_session.pk, actor=moderator, text=f"Tin {i}")
    await asyncio.sleep(0.2)
    gate.set()
    await _until(lambda: all(len(s.events()) == 6 for s in sockets))
    await asyncio.sleep(0.2)

    for socket in sockets:
        assert socket.shape() == [[1], [2, 3, 4, 5, 6]], (order.index(socket), socket.shape())
        texts = [e["data"]["announcement"]["text"] for e in socket.events()]
        assert texts == [f"Tin {i}" for i in range(1, 7)]
    assert [seq for seq, _ in room.ring] == [1, 2, 3, 4, 5, 6]  # the replay keeps events one by one


async def test_a_single_event_is_sent_alone_at_once(in_process, live_session, moderator, hub_cleanup):
    sockets = [Socket() for _ in range(3)]
    current = hub.get_hub()
    for socket in sockets:
        await current.join(socket, live_session.pk, moderator=False)
    for i in (1, 2):
        await announce(session_id=live_session.pk, actor=moderator, text=f"Tin {i}")
        await _until(lambda i=i: all(len(s.frames) == i for s in sockets))
    for socket in sockets:
        assert socket.shape() == [[1], [2]]
        assert all(frame["type"] == "announcement" for frame in socket.frames)


@pytest.fixture
def captured(monkeypatch):
    """Events are committed but not published: the test hands them to the room itself, in any order."""
    frames: dict[int, bytes] = {}

    def keep(session_id: int, scope: str, seq: int, frame: bytes) -> None:
        frames[seq] = b"%d\n" % seq + frame

    monkeypatch.setattr(hub, "publish_event", keep)
    return frames


async def test_gaps_are_held_and_filled_in_batches_without_duplicates(
    in_process, live_session, moderator, captured, hub_cleanup
):
    socket = Socket()
    room = await hub.get_hub().join(socket, live_session.pk, moderator=False)
    for i in range(1, 7):
        await announce(session_id=live_session.pk, actor=moderator, text=f"Tin {i}")
    public = hub.PUBLIC

    await room.handle_batch([(public, captured[1]), (public, captured[3])])
    assert socket.shape() == [[1]]  # 3 is held until 2 comes
    await room.handle_batch([(public, captured[2]), (public, captured[3])])
    assert socket.shape() == [[1], [2, 3]]  # 2 releases the held 3; the second copy of 3 is dropped
    await room.handle_batch([(public, captured[5]), (public, captured[6])])
    assert socket.shape() == [[1], [2, 3]]  # 4 never comes by pub/sub ...
    await _until(lambda: len(socket.frames) == 3)  # ... so after GAP_WAIT it is read from the database
    assert socket.shape() == [[1], [2, 3], [4, 5, 6]]
    await room.handle_batch([(public, captured[6]), (public, captured[2])])
    await asyncio.sleep(0.1)
    assert socket.shape() == [[1], [2, 3], [4, 5, 6]]
    texts = [e["data"]["announcement"]["text"] for e in socket.events()]
    assert texts == [f"Tin {i}" for i in range(1, 7)]


async def test_a_buffering_consumer_gets_each_event_and_moderators_get_their_events_in_order(
    in_process, live_session, moderator, captured, hub_cleanup
):
    watcher, joining, mod = Socket(), Socket(buffering=True), Socket()
    current = hub.get_hub()
    await current.join(watcher, live_session.pk, moderator=False)
    await current.join(joining, live_session.pk, moderator=False)
    room = await current.join(mod, live_session.pk, moderator=True)
    for i in range(1, 4):
        await announce(session_id=live_session.pk, actor=moderator, text=f"Tin {i}")
    moderators_event = orjson.dumps({"type": "participant.muted", "scope": "moderators", "seq": 1, "data": {}})

    await room.handle_batch(
        [
            (hub.PUBLIC, captured[1]),
            (hub.PUBLIC, captured[2]),
            (hub.MODERATORS, b"1\n" + moderators_event),
            (hub.PUBLIC, captured[3]),
        ]
    )
    assert watcher.shape() == [[1, 2, 3]]
    assert [(e.get("scope"), e["seq"]) for e in mod.events()] == [
        (None, 1),
        (None, 2),
        ("moderators", 1),
        (None, 3),
    ]
    assert len(mod.frames) == 1
    # Still sending its replay: one entry per event, for the consumer to filter by seq.
    assert joining.frames == []
    assert [(scope, seq) for scope, seq, _text in joining.buffer] == [("public", 1), ("public", 2), ("public", 3)]
    assert [json.loads(text)["seq"] for _s, _q, text in joining.buffer] == [1, 2, 3]


def test_batch_frames_join_the_encoded_events_and_stop_at_the_size_limit(monkeypatch):
    texts = [orjson.dumps({"type": "announcement", "seq": i, "data": {"text": "x" * 30}}).decode() for i in range(1, 8)]
    assert hub.batch_frames(texts[:1]) == texts[:1]
    assert [json.loads(frame) for frame in hub.batch_frames(texts)] == [
        {"type": "batch", "events": [json.loads(t) for t in texts]}
    ]
    monkeypatch.setattr(hub, "BATCH_MAX_CHARS", 170)  # two events (80 characters each) a frame
    frames = hub.batch_frames(texts)
    assert len(frames) > 1
    seqs = []
    for frame in frames:
        message = json.loads(frame)
        events = message["events"] if message["type"] == "batch" else [message]
        seqs.extend(e["seq"] for e in events)
        assert len(events) <= 2
    assert seqs == list(range(1, 8))
    assert len(frames) == 4


@pytest.mark.redis
async def test_a_replay_of_several_events_is_one_batch_frame_before_ready(
    redis_hub, live_session, moderator, hub_cleanup
):
    keeper = await connect(live_session.pk, browser="keeper")
    await hello(keeper)
    for i in range(4):
        await announce(session_id=live_session.pk, actor=moderator, text=f"Tin {i}")
    while (await receive(keeper))["seq"] < 4:  # the room has them all: the replay comes from its memory
        pass
    late = await connect(live_session.pk, browser="late")
    await late.send_json_to({"type": "hello", "last_seq": 1})
    replay = await receive_frame(late)
    assert replay["type"] == "batch" and [e["seq"] for e in replay["events"]] == [2, 3, 4]
    assert (await receive_frame(late))["type"] == "ready"
    for communicator in (keeper, late):
        await communicator.disconnect()
