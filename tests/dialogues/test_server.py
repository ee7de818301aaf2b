"""The real ASGI server with 200 real WebSocket clients: a question from ask to answered reaches everyone, in order."""

import asyncio
import json
import os
import statistics
import time
from collections import deque

import pytest
import redis.asyncio
import websockets

from dialogues import identity

from .conftest import HUB_REDIS_URL
from .server import asgi_server
from .wsutil import session_cookie, unpack

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WATCHERS = int(os.environ.get("DLG_TEST_WATCHERS", "200"))  # more for a one-off measurement, bounded by the caller
CONNECT_AT_ONCE = 50  # bounded: the machine is shared


async def _open(url: str, origin: str, cookie: str, limit: asyncio.Semaphore):
    async with limit:
        socket = await websockets.connect(url, origin=origin, additional_headers={"Cookie": cookie}, open_timeout=30)
        await socket.send(json.dumps({"type": "hello"}))
        while json.loads(await socket.recv())["type"] != "ready":
            pass
        return socket


async def _messages(socket):
    """Every message in order, the events of a batch frame one by one (as the page script reads them).

    Events of a batch not yet consumed wait on the socket for the next reader.
    """
    if not hasattr(socket, "dlg_pending"):
        socket.dlg_pending = deque()
    while True:
        if not socket.dlg_pending:
            socket.dlg_pending.extend(unpack(json.loads(await socket.recv())))
        yield socket.dlg_pending.popleft()


async def _until(socket, predicate) -> dict:
    async for message in _messages(socket):
        if predicate(message):
            return message
    raise AssertionError("unreachable")


async def _collect(socket, count: int) -> list[tuple[str, int, int, float]]:
    """(type, seq, question id, receipt time) of the next `count` question events."""
    seen = []
    async for message in _messages(socket):
        if message["type"].startswith("question."):
            seen.append((message["type"], message["seq"], message["data"]["question"]["id"], time.perf_counter()))
            if len(seen) == count:
                return seen
    return seen


async def _scenario(base: str, session_id: int, moderator_cookie: str, prefix: str) -> dict:
    url = base.replace("http://", "ws://") + f"/ws/dialogues/{session_id}/"
    limit = asyncio.Semaphore(CONNECT_AT_ONCE)

    def browser(name: str) -> str:
        return f"{identity.COOKIE}={identity.cookie_value(name)}"

    started = time.perf_counter()
    watchers = await asyncio.gather(*(_open(url, base, browser(f"watcher-{i}"), limit) for i in range(WATCHERS)))
    connect_seconds = time.perf_counter() - started
    readers = [asyncio.create_task(asyncio.wait_for(_collect(w, 3), timeout=90)) for w in watchers]
    moderator = await _open(url, base, f"sessionid={moderator_cookie}", limit)
    asker = await _open(url, base, browser("asker"), limit)

    client = redis.asyncio.Redis.from_url(HUB_REDIS_URL)
    subscribers = dict(await client.pubsub_numsub(f"{prefix}:{session_id}:public"))
    await client.aclose()

    await asker.send(json.dumps({"type": "ask", "text": "Bao giờ cầu Rào 1 được sửa xong?", "ref": "ask"}))
    question_id = (await _until(asker, lambda m: m.get("ref") == "ask"))["data"]["question"]
    submitted = await _until(moderator, lambda m: m["type"] == "question.submitted")
    assert submitted["data"]["question"]["id"] == question_id

    sent = {}
    for kind, extra in (("approve", {}), ("answering", {}), ("answer", {"text": "Dự kiến cuối quý này."})):
        sent[kind] = time.perf_counter()
        await moderator.send(json.dumps({"type": kind, "question": question_id, "ref": kind, **extra}))
        ack = await _until(moderator, lambda m, kind=kind: m.get("ref") == kind)
        assert ack["type"] == "ack", ack
    results = await asyncio.gather(*readers)
    for socket in [*watchers, moderator, asker]:
        await socket.close()
    return {
        "question": question_id,
        "results": results,
        "sent": sent,
        "connect_seconds": connect_seconds,
        "subscribers": subscribers,
    }


def test_200_real_clients_see_every_step_of_a_question_in_order(live_session, moderator, redis_hub):
    cookie = session_cookie(moderator)
    with asgi_server(hub_url=HUB_REDIS_URL, hub_prefix=redis_hub) as base:
        outcome = asyncio.run(_scenario(base, live_session.pk, cookie, redis_hub))

    expected = [("question.approved", 1), ("question.answering", 2), ("question.answered", 3)]
    for seen in outcome["results"]:
        assert [(kind, seq) for kind, seq, _, _ in seen] == expected
        assert {question for _, _, question, _ in seen} == {outcome["question"]}
    # One pub/sub subscription for the server process, not one per socket.
    assert list(outcome["subscribers"].values()) == [1]

    latencies = {}
    for index, kind in enumerate(("approve", "answering", "answer")):
        receipts = [seen[index][3] - outcome["sent"][kind] for seen in outcome["results"]]
        latencies[kind] = (statistics.median(receipts), max(receipts))
    report = ", ".join(f"{k}: median {m * 1000:.0f} ms, last {x * 1000:.0f} ms" for k, (m, x) in latencies.items())
    print(f"\n{WATCHERS} sockets connected in {outcome['connect_seconds']:.2f} s; action → receipt: {report}")
    assert all(last < 5 for _, last in latencies.values())
