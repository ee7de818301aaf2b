"""The hub shares its process: a fan-out pass must not hold up requests, and counts stay coalesced under churn."""

import asyncio
import json
import time

import pytest
from channels.db import database_sync_to_async

from dialogues import hub, services

from .test_hub import FakeSocket
from .wsutil import connect, hello, session_cookie, until

pytestmark = [pytest.mark.django_db(transaction=True)]

announce = database_sync_to_async(services.announcement_post)


class CostlySocket(FakeSocket):
    """A socket whose send costs CPU without waiting (as uvicorn's framing and write do): it never yields."""

    def __init__(self, cost: float) -> None:
        super().__init__()
        self.cost = cost

    async def base_send(self, message: dict) -> None:
        end = time.perf_counter() + self.cost
        while time.perf_counter() < end:
            pass
        self.frames.append(message["text"])


@pytest.fixture
def in_process(settings):
    settings.DIALOGUES_HUB_REDIS_URL = ""
    settings.REDIS_URL = ""
    settings.DIALOGUES_COUNTS_INTERVAL = 0.1


async def _wait(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_a_long_fan_out_pass_leaves_the_loop_free_for_requests(in_process, live_session, moderator, hub_cleanup):
    """1,500 sockets at 0.2 ms each: a 300 ms pass. The loop must answer other work within a few ms meanwhile."""
    sockets = [CostlySocket(0.0002) for _ in range(1500)]
    current = hub.get_hub()
    for socket in sockets:
        await current.join(socket, live_session.pk, moderator=False)
    started = asyncio.Event()
    for socket in sockets:
        socket.base_send = _flagging(socket.base_send, started)
    lags: list[float] = []

    async def other_work() -> float:
        """Turns of the loop from the pass's first send to its last (a request's response, a socket's ack)."""
        await started.wait()
        pass_started = time.perf_counter()
        while not all(s.frames for s in sockets):
            ticked = time.perf_counter()
            await asyncio.sleep(0)
            lags.append(time.perf_counter() - ticked)
        return time.perf_counter() - pass_started

    # Waiting from before the announcement: whether the service's call returns before or after the pass ends
    # (it did both), the other work is on the loop throughout.
    measuring = asyncio.create_task(other_work())
    await announce(session_id=live_session.pk, actor=moderator, text="Bắt đầu")
    pass_s = await asyncio.wait_for(measuring, 10)
    # Without yielding, this loop would only run once the whole pass had ended: no turn at all.
    assert len(lags) > 20 and max(lags) < 0.05, (len(lags), max(lags or [0]))
    assert pass_s > 0.2, pass_s  # the pass really was long
    assert all(_events(s) == [1] for s in sockets)


def _events(socket) -> list[int]:
    return [m["seq"] for m in map(json.loads, socket.frames) if m["type"] != "counts"]


def _flagging(send, flag: asyncio.Event):
    async def wrapped(message):
        flag.set()
        await send(message)

    return wrapped


async def test_a_socket_that_goes_live_during_a_pass_gets_each_event_once(
    in_process, live_session, moderator, hub_cleanup
):
    """A consumer finishing its join while a yielding pass runs: what its replay held is not sent again."""
    current = hub.get_hub()
    sockets = [CostlySocket(0.0002) for _ in range(600)]
    for socket in sockets:
        room = await current.join(socket, live_session.pk, moderator=False)
    late = FakeSocket()
    late.buffering = True
    room.add(late, moderator=False)
    started = asyncio.Event()
    for socket in sockets:
        socket.base_send = _flagging(socket.base_send, started)
    await announce(session_id=live_session.pk, actor=moderator, text="Một")
    await asyncio.wait_for(started.wait(), 10)
    # As consumers.on_hello does: the replay from the ring (it already holds the event), then live.
    replay = room.replay_from_memory(0)
    assert [seq for seq, _ in replay] == [1]
    late.frames.extend(text for _, text in replay)
    late.last["public"] = 1
    late.buffering = False
    late.live_pass = room.passes
    await _wait(lambda: all(len(_events(s)) == 1 for s in sockets))
    await announce(session_id=live_session.pk, actor=moderator, text="Hai")
    await _wait(lambda: all(len(_events(s)) == 2 for s in sockets))
    await asyncio.sleep(0.05)
    assert _events(late) == [1, 2]


async def test_counts_frames_stay_within_the_interval_under_churn_and_votes(
    in_process, live_session, moderator, settings, hub_cleanup
):
    """Sockets joining and leaving every 10 ms and a vote every 5 ms: at most one counts frame per interval."""
    interval = settings.DIALOGUES_COUNTS_INTERVAL
    current = hub.get_hub()
    steady = FakeSocket()
    room = await current.join(steady, live_session.pk, moderator=False)
    churners: list[FakeSocket] = []
    loop = asyncio.get_running_loop()
    started = loop.time()
    duration = 1.5
    votes = 0
    while loop.time() - started < duration:
        joining = FakeSocket()
        await current.join(joining, live_session.pk, moderator=False)
        churners.append(joining)
        if len(churners) > 5:
            room.remove(churners.pop(0))
        for _ in range(2):
            votes += 1
            hub.publish_votes(live_session.pk, 1000 + votes % 7, votes)
            await asyncio.sleep(0.005)
    elapsed = loop.time() - started
    counts = [json.loads(f) for f in steady.frames if json.loads(f)["type"] == "counts"]
    assert len(counts) <= elapsed / interval + 1, (len(counts), elapsed)
    assert len(counts) >= 5  # coalesced, not suppressed: the counts still flow
    # Every question's latest count reaches the sockets in a later frame (merged, never lost).
    expected = {str(1000 + v % 7): v for v in range(1, votes + 1)}
    await asyncio.sleep(interval * 3)
    latest: dict[str, int] = {}
    for frame in steady.frames:
        message = json.loads(frame)
        if message["type"] == "counts":
            latest.update(message["data"]["votes"])
    assert latest == expected


@pytest.fixture
def moderator_cookie(moderator):
    return session_cookie(moderator)


async def test_a_moderators_action_does_not_queue_behind_the_watchers_database_calls(
    live_session, moderator, moderator_cookie, hub_cleanup
):
    """Watchers' joins and votes share one database thread; a busy one must not hold the moderator's approve."""
    question = await database_sync_to_async(services.live_question_ask)(
        session_id=live_session.pk, actor=None, text="Khi nào cầu Rào mới thông xe?", browser_key="b1"
    )
    mod = await connect(live_session.pk, session=moderator_cookie)
    await hello(mod)
    # The shared thread busy for 2 s, as with hundreds of votes and joins queued.
    busy = asyncio.ensure_future(database_sync_to_async(time.sleep)(2.0))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await mod.send_json_to({"type": "approve", "question": question.pk, "ref": "go"})
    frames = await until(mod, "ack", timeout=5)
    waited = time.monotonic() - started
    assert frames[-1]["ref"] == "go"
    assert not busy.done() and waited < 1.0, waited
    await busy
    await mod.disconnect()
