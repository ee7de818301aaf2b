"""dialogues.wire against a real uvicorn (websockets-sansio) and a real client.

The direct path reads uvicorn's protocol object behind the ASGI send and
websockets' sans-I/O state. These tests fail if an upgrade of either changes
what it relies on: the bytes it writes must be the frames uvicorn's own send
writes, and wherever uvicorn's send would wait or refuse it must write nothing.
"""

import asyncio
import contextlib
import socket

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.protocol import State
from websockets.server import ServerProtocol

from dialogues import wire


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Probe:
    """An ASGI app: on connect, records the wire it got and writes what the test asks, both ways, in order."""

    def __init__(self) -> None:
        self.wires: list = []
        self.plan: list[tuple[str, str]] = []  # ("direct" | "asgi", text)
        self.written: list[int] = []
        self.closed = asyncio.Event()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        assert (await receive())["type"] == "websocket.connect"
        await send({"type": "websocket.accept"})
        direct = wire.direct_wire(send)
        self.wires.append(direct)
        for how, text in self.plan:
            if how == "direct" and direct is not None:
                self.written.append(direct.write(wire.Frames([text])))
                if self.written[-1]:
                    continue
            await send({"type": "websocket.send", "text": text})  # as the hub does with what the wire did not take
        while (await receive())["type"] != "websocket.disconnect":
            pass
        self.closed.set()


@contextlib.asynccontextmanager
async def serving(app, *, deflate: bool = False):
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ws="websockets-sansio", ws_per_message_deflate=deflate, log_level="error"
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        await asyncio.sleep(0.01)
    try:
        yield f"ws://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await task


def test_a_frame_is_the_bytes_uvicorns_protocol_writes():
    for text in ("", "x", '{"type":"question.approved","seq":7,"data":{"text":"Xin hỏi về đất đai"}}', "ư" * 70_000):
        protocol = ServerProtocol()
        protocol.state = State.OPEN
        protocol.send_text(text.encode())
        assert wire.frame_bytes(text) == b"".join(protocol.data_to_send())


async def test_direct_frames_arrive_in_order_with_the_asgi_ones(settings):
    settings.DIALOGUES_DIRECT_WRITES = True
    app = Probe()
    texts = ["một", "hai", '{"type":"batch","events":[]}', "bốn" * 30_000, "năm"]
    app.plan = [("direct" if i % 2 == 0 else "asgi", text) for i, text in enumerate(texts)]
    async with serving(app) as url:
        async with connect(url, compression=None) as client:
            received = [await asyncio.wait_for(client.recv(), 5) for _ in texts]
        await asyncio.wait_for(app.closed.wait(), 5)
    assert received == texts
    assert isinstance(app.wires[0], wire.DirectWire)
    assert app.written == [True, True, True]  # every direct frame went the direct way


async def test_the_wire_is_found_through_the_projects_websocket_stack(settings):
    # config/asgi.py serves sockets through AuthMiddlewareStack, whose session wrapper stands in front of send.
    from channels.auth import AuthMiddlewareStack

    settings.DIALOGUES_DIRECT_WRITES = True
    app = Probe()
    app.plan = [("direct", "qua lớp phiên")]
    async with serving(AuthMiddlewareStack(app)) as url:
        async with connect(url, compression=None) as client:
            assert await asyncio.wait_for(client.recv(), 5) == "qua lớp phiên"
        await asyncio.wait_for(app.closed.wait(), 5)
    assert isinstance(app.wires[0], wire.DirectWire) and app.written == [True]


async def test_a_socket_with_compression_goes_through_asgi(settings):
    # permessage-deflate compresses per socket: the shared bytes would be wrong, so nothing is written directly.
    settings.DIALOGUES_DIRECT_WRITES = True
    app = Probe()
    app.plan = [("direct", "nén"), ("asgi", "rồi")]
    async with serving(app, deflate=True) as url:
        async with connect(url, compression="deflate") as client:
            assert client.protocol.extensions  # negotiated
            assert [await asyncio.wait_for(client.recv(), 5) for _ in range(2)] == ["nén", "rồi"]
        await asyncio.wait_for(app.closed.wait(), 5)
    assert app.written == [False]


async def test_nothing_is_written_to_a_closed_or_paused_socket(settings):
    settings.DIALOGUES_DIRECT_WRITES = True
    app = Probe()
    async with serving(app) as url:
        async with connect(url, compression=None) as client:
            for _ in range(100):
                if app.wires:
                    break
                await asyncio.sleep(0.01)
            direct = app.wires[0]
            direct.writable.clear()  # what uvicorn's pause_writing does when the transport is full
            assert direct.write(wire.Frames(["chờ"])) is False
            direct.writable.set()
            assert direct.write(wire.Frames(["đi", "tiếp"])) is True  # two frames in one write
            assert [await asyncio.wait_for(client.recv(), 5) for _ in range(2)] == ["đi", "tiếp"]
        await asyncio.wait_for(app.closed.wait(), 5)
        assert direct.write(wire.Frames(["muộn"])) is False  # the client left: uvicorn's send would raise


async def test_off_or_not_uvicorn_means_no_direct_wire(settings):
    settings.DIALOGUES_DIRECT_WRITES = False
    app = Probe()
    async with serving(app) as url, connect(url, compression=None):
        for _ in range(100):
            if app.wires:
                break
            await asyncio.sleep(0.01)
    assert app.wires == [None]
    settings.DIALOGUES_DIRECT_WRITES = True

    async def plain_send(message):
        return None

    assert wire.direct_wire(plain_send) is None


@pytest.mark.parametrize("takes", [True, False])
async def test_the_hub_writes_a_pass_once_to_the_wire_or_all_of_it_through_asgi(takes):
    from dialogues.hub import Room

    class Wire:
        """Takes the pass's frames, or reports the socket full (uvicorn paused writing)."""

        def __init__(self) -> None:
            self.writes: list[bytes] = []

        def write(self, frames):
            if takes:
                self.writes.append(frames.data)
            return takes

    class Sock:
        def __init__(self) -> None:
            self.buffering = False
            self.live_pass = -1
            self.wire = Wire()
            self.sent: list[str] = []

        async def base_send(self, message):
            self.sent.append(message["text"])

    room = Room(None, 1)  # type: ignore[arg-type]  # no hub needed to send
    socks = [Sock(), Sock()]
    texts = ["frame 0", "frame 1", "frame 2"]
    await room._send_all(tuple(socks), [{"type": "websocket.send", "text": t} for t in texts], [])
    for sock in socks:
        if takes:
            assert sock.wire.writes == [b"".join(wire.frame_bytes(t) for t in texts)] and sock.sent == []
        else:
            assert sock.wire.writes == [] and sock.sent == texts
    assert room.sends == 6
