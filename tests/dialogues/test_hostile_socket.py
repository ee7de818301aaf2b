"""Hostile frames on the live socket: each gets its error frame (docs/live-protocol.md), the socket stays open,
and nothing saved is lost. The same payloads as the HTTP table (tests/config/test_hostile_input.py)."""

import pytest
from channels.db import database_sync_to_async

from dialogues.models import LiveQuestion

from .wsutil import connect, hello, receive

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("redis_hub")]

RLO = "\u202e"

# (id, frame text or bytes, expected: an error code, or "ack")
FRAMES = [
    ("null-in-text", '{"type": "ask", "text": "Hỏi\\u0000 gì đó", "ref": 1}', "invalid"),
    ("null-in-name", '{"type": "ask", "text": "Hỏi gì đó", "name": "A\\u0000"}', "invalid"),
    ("null-in-ref", '{"type": "ping", "ref": "\\u0000"}', "invalid"),
    ("null-in-type", '{"type": "ask\\u0000"}', "invalid"),
    ("null-in-key", '{"type": "ping", "\\u0000": 1}', "invalid"),
    ("deep-in-limit", '{"type": "ask", "text": ' + "[" * 1500 + "]" * 1500 + "}", "bad_message"),
    ("deep-33", '{"type": "ask", "text": ' + "[" * 33 + "]" * 33 + "}", "bad_message"),
    ("depth-100000", "[" * 100_000 + "]" * 100_000, "too_large"),
    ("ten-mb", '{"type": "ask", "text": "' + "a" * (10 * 1024 * 1024) + '"}', "too_large"),
    ("binary-invalid-utf8", b"\xff\xfe\xfd", "bad_message"),
    ("not-json", "{type", "bad_json"),
    ("huge-int-id", '{"type": "vote", "question": ' + "9" * 40 + "}", None),  # bad_json or not_found: never a drop
    ("big-int-id", '{"type": "vote", "question": 9223372036854775807}', "not_found"),
    ("negative-id", '{"type": "vote", "question": -1}', "invalid"),
    ("text-not-string", '{"type": "ask", "text": {"a": 1}}', "invalid"),
    ("bidi-override", '{"type": "ask", "text": "Hỏi \\u202efdp.exe về sổ đỏ"}', "ack"),
    ("emoji", '{"type": "ask", "text": "Hỏi về thuế 🙏🏽"}', "ack"),
    ("nfd", '{"type": "ask", "text": "Ho\\u0309i thu\\u0309 tu\\u0323c"}', "ack"),
]


@pytest.mark.parametrize(("frame", "expected"), [f[1:] for f in FRAMES], ids=[f[0] for f in FRAMES])
async def test_a_hostile_frame_gets_its_answer_and_the_socket_stays_open(live_session, frame, expected, hub_cleanup):
    count = database_sync_to_async(LiveQuestion.objects.count)
    before = await count()
    socket = await connect(live_session.pk, browser="hostile")
    await hello(socket)
    if isinstance(frame, bytes):
        await socket.send_to(bytes_data=frame)
    else:
        await socket.send_to(text_data=frame)
    answer = await receive(socket)
    if expected == "ack":
        assert answer["type"] == "ack", answer
        assert await count() == before + 1
    else:
        assert answer["type"] == "error", answer
        assert expected is None or answer["code"] == expected, answer
        assert answer["message"]
        assert await count() == before
    await socket.send_json_to({"type": "ping", "ref": "still-there"})
    assert await receive(socket) == {"type": "pong", "ref": "still-there"}
    await socket.disconnect()


async def test_live_text_is_stored_nfc_without_bidi_controls(live_session, hub_cleanup):
    socket = await connect(live_session.pk, browser="bidi")
    await hello(socket)
    await socket.send_to(text_data='{"type": "ask", "text": "Ho\\u0309i \\u202efdp.exe\\u2066 ve\\u0302\\u0300 đất"}')
    ack = await receive(socket)
    question = await database_sync_to_async(LiveQuestion.objects.get)(pk=ack["data"]["question"])
    assert question.text == "Hỏi fdp.exe về đất"
    await socket.disconnect()


async def test_a_null_character_is_refused_in_vietnamese(live_session, hub_cleanup):
    socket = await connect(live_session.pk, browser="vi")
    await hello(socket)
    await socket.send_to(text_data='{"type": "ask", "text": "a\\u0000", "ref": "r1"}')
    error = await receive(socket)
    assert error == {
        "type": "error",
        "code": "invalid",
        "message": "Nội dung chứa ký tự rỗng (null), ký tự này không được phép.",
        "ref": "r1",
    }
    await socket.disconnect()
