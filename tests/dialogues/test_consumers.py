"""The live socket on the real Redis hub: order, replay without gap or duplicate, roles, errors, floods."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from dialogues import services
from dialogues.models import LiveQuestion

from .factories import LiveQuestionFactory, LiveSessionFactory
from .wsutil import connect, hello, make_headers, nothing_more, receive, session_cookie, until

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_hub")]


@pytest.fixture
def people(moderator, watcher):
    return {"moderator": session_cookie(moderator), "watcher": session_cookie(watcher)}


approve = database_sync_to_async(services.live_question_approve)
answer = database_sync_to_async(services.live_question_answer)
mark_answering = database_sync_to_async(services.live_question_mark_answering)
ask = database_sync_to_async(services.live_question_ask)
announce = database_sync_to_async(services.announcement_post)


def _is_event(message: dict) -> bool:
    return "seq" in message and message.get("scope") is None and message["type"] != "snapshot"


async def _events(communicator, count: int, already: list[dict] | None = None) -> list[dict]:
    """The next `count` numbered public events (counting those in `already`, frames read before)."""
    events = [m for m in already or [] if _is_event(m)]
    while len(events) < count:
        message = await receive(communicator)
        if _is_event(message):
            events.append(message)
    return events


async def _announcements(session, moderator, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        await announce(session_id=session.pk, actor=moderator, text=f"Thông báo số {i}")


async def test_question_from_ask_to_answered_in_order_with_consecutive_seq(
    live_session, moderator, people, hub_cleanup
):
    mod = await connect(live_session.pk, session=people["moderator"])
    watchers = [await connect(live_session.pk, browser=f"browser-{i}") for i in range(3)]
    frames = await hello(mod)
    assert frames[0]["type"] == "snapshot" and frames[0]["seq"] == 0
    assert frames[1]["type"] == "moderation" and frames[1]["data"]["pending"] == []
    assert frames[-1]["data"]["role"] == "moderator"
    for communicator in watchers:
        snapshot, ready = await hello(communicator)
        assert snapshot["type"] == "snapshot" and ready["data"]["role"] == "watcher"

    # A watcher asks over the socket: the moderator sees it, other watchers do not.
    await watchers[0].send_json_to({"type": "ask", "text": "Khi nào đường Lạch Tray được mở rộng?", "ref": "a1"})
    ack = await receive(watchers[0])
    assert ack == {"type": "ack", "ref": "a1", "data": {"question": ack["data"]["question"], "status": "pending"}}
    question_id = ack["data"]["question"]
    submitted = await receive(mod)
    assert submitted["type"] == "question.submitted" and submitted["scope"] == "moderators"
    assert submitted["data"]["question"]["original_text"].startswith("Khi nào")

    # The moderator acts over the socket; every watcher sees each step in order.
    mod_frames = []
    for kind, extra in (("approve", {}), ("answering", {}), ("answer", {"text": "Quý IV năm nay khởi công."})):
        await mod.send_json_to({"type": kind, "question": question_id, "ref": kind, **extra})
        frames = await until(mod, "ack")
        assert frames[-1]["ref"] == kind
        mod_frames.extend(frames)
    # Ten more events from another thread, as fast as the services go.
    await _announcements(live_session, moderator, 10)

    for communicator in [*watchers, mod]:
        events = await _events(communicator, 13, mod_frames if communicator is mod else None)
        assert [e["seq"] for e in events] == list(range(1, 14))
        assert [e["type"] for e in events[:3]] == ["question.approved", "question.answering", "question.answered"]
        assert events[2]["data"]["question"]["answer"]["text"] == "Quý IV năm nay khởi công."
        assert [e["data"]["announcement"]["text"] for e in events[3:]] == [f"Thông báo số {i}" for i in range(10)]
    for communicator in watchers:
        leftovers = await nothing_more(communicator)
        assert not [f for f in leftovers if f.get("scope") == "moderators" or f["type"] == "question.submitted"]
        await communicator.disconnect()
    await mod.disconnect()


@pytest.mark.parametrize("replay_cache", [500, 0], ids=["from-memory", "from-database"])
async def test_reconnect_with_last_seq_gets_exactly_what_was_missed(
    live_session, moderator, settings, replay_cache, hub_cleanup
):
    settings.DIALOGUES_REPLAY_CACHE = replay_cache
    keeper = await connect(live_session.pk, browser="keeper")  # keeps the room open while the other is away
    await hello(keeper)
    first = await connect(live_session.pk, browser="roamer")
    await hello(first)
    await _announcements(live_session, moderator, 3)
    seen = await _events(first, 3)
    assert [e["seq"] for e in seen] == [1, 2, 3]
    await first.disconnect()

    await _announcements(live_session, moderator, 4, start=3)  # missed: 4..7
    await _events(keeper, 7)

    again = await connect(live_session.pk, browser="roamer")
    frames = await hello(again, last_seq=3)
    replayed = [f for f in frames if f["type"] == "announcement"]
    assert [f["seq"] for f in replayed] == [4, 5, 6, 7]
    assert frames[-1]["data"]["replayed"] == 4
    assert not [f for f in frames if f["type"] == "snapshot"]
    await _announcements(live_session, moderator, 1, start=7)
    live = await _events(again, 1)
    assert live[0]["seq"] == 8
    assert await nothing_more(again) == []
    await again.disconnect()
    await keeper.disconnect()


async def test_events_committed_during_a_replay_are_neither_lost_nor_repeated(live_session, moderator, hub_cleanup):
    await _announcements(live_session, moderator, 5)
    producer = asyncio.create_task(_announcements(live_session, moderator, 15, start=5))
    clients = []
    for i in range(6):  # join at different moments while events keep coming
        communicator = await connect(live_session.pk, browser=f"late-{i}")
        await communicator.send_json_to({"type": "hello", "last_seq": i})
        clients.append((i, communicator))
        await asyncio.sleep(0.02)
    await producer
    for start, communicator in clients:
        events = await _events(communicator, 20 - start)
        assert [e["seq"] for e in events] == list(range(start + 1, 21))
        # The "ready" marker may still be queued when the replay covered every event; no event may follow.
        assert [f for f in await nothing_more(communicator) if _is_event(f)] == []
        await communicator.disconnect()


async def test_hello_without_last_seq_gets_a_snapshot_with_the_current_seq(live_session, moderator, hub_cleanup):
    question = await database_sync_to_async(LiveQuestionFactory)(session=live_session, text="Hỏi về học phí")
    await approve(question_id=question.pk, actor=moderator)
    pending = await database_sync_to_async(LiveQuestionFactory)(session=live_session, text="Câu chờ duyệt")
    communicator = await connect(live_session.pk)
    snapshot, ready = await hello(communicator)
    assert snapshot["seq"] == 1 and ready["data"]["seq"] == 1
    assert [q["id"] for q in snapshot["data"]["questions"]] == [question.pk]
    assert pending.text not in str(snapshot)
    assert snapshot["data"]["session"]["status"] == "live"
    await communicator.disconnect()


async def test_watcher_cannot_approve_see_pending_or_vote_twice(live_session, moderator, people, hub_cleanup):
    pending = await database_sync_to_async(LiveQuestionFactory)(session=live_session)
    approved = await database_sync_to_async(LiveQuestionFactory)(session=live_session)
    await approve(question_id=approved.pk, actor=moderator)
    communicator = await connect(live_session.pk, session=people["watcher"])
    frames = await hello(communicator)
    assert not [f for f in frames if f["type"] == "moderation"]
    assert pending.text not in str(frames)

    await communicator.send_json_to({"type": "approve", "question": pending.pk, "ref": 1})
    error = await receive(communicator)
    assert (error["type"], error["code"], error["ref"]) == ("error", "forbidden", 1)
    assert (await database_sync_to_async(LiveQuestion.objects.get)(pk=pending.pk)).status == "pending"

    counts = []

    async def reply() -> dict:
        """The next frame that is not a counts frame; counts frames seen meanwhile are kept."""
        while True:
            message = await receive(communicator, skip_counts=False)
            if message["type"] != "counts":
                return message
            counts.append(message)

    await communicator.send_json_to({"type": "vote", "question": approved.pk, "ref": 2})
    assert (await reply())["data"] == {"question": approved.pk, "votes": 1}
    await communicator.send_json_to({"type": "vote", "question": approved.pk, "ref": 3})
    error = await reply()
    assert (error["code"], error["ref"]) == ("already_voted", 3)
    # The vote count reaches watchers coalesced in a counts frame.
    while not any(c["data"]["votes"] for c in counts):
        counts.append(await communicator.receive_json_from(timeout=10))
    assert next(c for c in counts if c["data"]["votes"])["data"]["votes"] == {str(approved.pk): 1}
    await communicator.disconnect()


async def test_a_socket_acts_on_its_own_session_only(live_session, moderator, people, hub_cleanup):
    other_session = await database_sync_to_async(LiveSessionFactory)(agency=live_session.agency)
    elsewhere = await database_sync_to_async(LiveQuestionFactory)(session=other_session)
    communicator = await connect(live_session.pk, session=people["moderator"])
    await hello(communicator)
    await communicator.send_json_to({"type": "approve", "question": elsewhere.pk})
    assert (await receive(communicator))["code"] == "not_found"
    assert (await database_sync_to_async(LiveQuestion.objects.get)(pk=elsewhere.pk)).status == "pending"
    await communicator.disconnect()


async def test_moderator_of_another_agency_cannot_moderate(live_session, other_moderator, hub_cleanup):
    pending = await database_sync_to_async(LiveQuestionFactory)(session=live_session)
    cookie = await database_sync_to_async(session_cookie)(other_moderator)
    communicator = await connect(live_session.pk, session=cookie)
    frames = await hello(communicator)
    assert frames[-1]["data"]["role"] == "watcher"
    await communicator.send_json_to({"type": "approve", "question": pending.pk})
    assert (await receive(communicator))["code"] == "forbidden"
    await communicator.disconnect()


async def test_bad_json_and_floods_get_errors_while_others_keep_receiving(
    live_session, moderator, settings, hub_cleanup
):
    settings.DIALOGUES_WS_BURST = 5
    settings.DIALOGUES_WS_REFILL_PER_SECOND = 1
    settings.DIALOGUES_WS_FLOOD_CLOSE_AFTER = 10
    calm = await connect(live_session.pk, browser="calm")
    await hello(calm)
    await calm.send_to(text_data="{not json")
    assert (await receive(calm))["code"] == "bad_json"
    await calm.send_json_to({"type": "launch_rockets"})
    assert (await receive(calm))["code"] == "unknown_type"
    await calm.send_json_to(["hello"])
    assert (await receive(calm))["code"] == "bad_message"

    noisy = await connect(live_session.pk, browser="noisy")
    await hello(noisy)
    for _ in range(30):
        await noisy.send_json_to({"type": "ping"})
    codes = []
    while True:
        message = await noisy.receive_output(timeout=10)
        if message["type"] == "websocket.close":
            assert message["code"] == 4008
            break
        frame = __import__("json").loads(message["text"])
        if frame["type"] == "error":
            codes.append(frame["code"])
    assert codes.count("rate_limited") >= 5 and codes[-1] == "flood"

    # The calm client (which also spent tokens above) still gets events, and its socket is open.
    await _announcements(live_session, moderator, 1)
    assert (await _events(calm, 1))[0]["type"] == "announcement"
    await asyncio.sleep(1.1)
    await calm.send_json_to({"type": "ping", "ref": "p"})
    assert (await receive(calm)) == {"type": "pong", "ref": "p"}
    await calm.disconnect()


async def test_actions_before_hello_are_refused(live_session, hub_cleanup):
    communicator = await connect(live_session.pk, browser="eager")
    await communicator.send_json_to({"type": "vote", "question": 1})
    assert (await receive(communicator))["code"] == "hello_first"
    await communicator.disconnect()


async def test_socket_without_origin_or_for_unknown_session_is_refused(live_session, hub_cleanup):
    from config.asgi import application

    communicator = WebsocketCommunicator(
        application, f"/ws/dialogues/{live_session.pk}/", headers=make_headers(origin=False)
    )
    connected, _ = await communicator.connect(timeout=15)
    assert not connected
    communicator = WebsocketCommunicator(application, "/ws/dialogues/999999/", headers=make_headers())
    connected, code = await communicator.connect(timeout=15)
    assert not connected and code == 4404


@pytest.mark.slow
async def test_idle_socket_still_receives_after_more_than_five_seconds(live_session, moderator, hub_cleanup):
    """The redis-py 8 pitfall: a 5 s socket timeout killed quiet subscriptions."""
    communicator = await connect(live_session.pk, browser="idle")
    await hello(communicator)
    await asyncio.sleep(6.5)
    await _announcements(live_session, moderator, 1)
    event = (await _events(communicator, 1))[0]
    assert event["type"] == "announcement" and event["seq"] == 1
    await communicator.disconnect()


async def test_hub_fills_a_gap_from_the_database_when_a_publish_is_lost(
    live_session, moderator, monkeypatch, hub_cleanup
):
    """If a frame never arrives (Redis hiccup between commit and publish), watchers still get every seq."""
    from dialogues import hub

    communicator = await connect(live_session.pk, browser="gap")
    await hello(communicator)
    real_publish = hub.publish_event
    monkeypatch.setattr(hub, "publish_event", lambda *args: None)
    await _announcements(live_session, moderator, 1)  # seq 1 is committed but never published
    monkeypatch.setattr(hub, "publish_event", real_publish)
    await _announcements(live_session, moderator, 1, start=1)
    events = await _events(communicator, 2)
    assert [e["seq"] for e in events] == [1, 2]
    await communicator.disconnect()
