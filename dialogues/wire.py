"""One live frame to thousands of sockets: framed once per pass, the same bytes written to each.

Why: a server's WebSocket frame is not masked, so a text frame's bytes are the
same for every socket that negotiated no extension. Through ASGI each socket
costs a coroutine, an `Event.wait`, the text encoded again and the frame built
again by the websockets protocol object; here the hub frames each message once
per pass and writes those bytes to each transport, all the frames of a pass in one write (docs/performance.md, "Live:
frames built once"; bench/click.py and bench/fanout.py measure both).

This is exactly what uvicorn's own send does for `websocket.send` (frame it with
the connection's sans-I/O protocol, write to the transport), taken only when that
send would neither wait nor fail: the socket open, its transport writable, no
extension negotiated (permessage-deflate compresses per socket), no fragmented
message in progress. Otherwise `write` writes nothing and returns False, and the hub
uses the ASGI send, which waits for the transport to drain (its slow-socket
deadline applies) and raises on a closed socket.

It reads uvicorn's websockets-sansio protocol object (behind the ASGI send
callable, through Channels' session wrapper) and websockets' sans-I/O state: tests/dialogues/test_wire.py runs a real
uvicorn and fails if either changes. DIALOGUES_DIRECT_WRITES = False turns it off
(every frame through ASGI, as any other server would be used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from channels.sessions import InstanceSessionWrapper
from django.conf import settings
from websockets.frames import Frame, Opcode
from websockets.protocol import OPEN

if TYPE_CHECKING:
    from collections.abc import Sequence

try:  # uvicorn is the production server; under another (tests' communicator, daphne) nothing is direct
    from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
except ImportError:  # pragma: no cover - uvicorn is in requirements.txt
    WebSocketsSansIOProtocol = None  # type: ignore[assignment,misc]


def frame_bytes(text: str) -> bytes:
    """A final, unmasked text frame without extensions: what uvicorn writes for {"text": text}."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])


class Frames:
    """The frames of one pass, built once: `data` is all of them back to back, one transport write per socket."""

    __slots__ = ("count", "data")

    def __init__(self, texts: Sequence[str]) -> None:
        self.count = len(texts)
        self.data = b"".join(frame_bytes(text) for text in texts)


class DirectWire:
    """The transport of one uvicorn WebSocket, written to directly while that is what uvicorn would do."""

    __slots__ = ("conn", "protocol", "transport", "writable")

    def __init__(self, protocol: Any) -> None:
        self.protocol = protocol
        self.conn = protocol.conn
        self.writable = protocol.writable
        self.transport = protocol.transport

    def write(self, frames: Frames) -> bool:
        """Write the pass's frames if the socket takes them now as uvicorn's send would; False: nothing written.

        uvicorn clears `writable` (pause_writing) when the transport's buffer passes its high-water mark: the
        frames then go through the ASGI send, which waits for the drain.
        """
        protocol, conn = self.protocol, self.conn
        if (
            protocol.close_sent
            or protocol.disconnected
            or not self.writable.is_set()
            or conn.extensions
            or conn.expect_continuation_frame
            or conn.state is not OPEN
        ):
            return False
        self.transport.write(frames.data)
        return True


def direct_wire(send: Any) -> DirectWire | None:
    """The direct path to the socket behind this ASGI send callable, or None (then every frame goes through ASGI)."""
    if not settings.DIALOGUES_DIRECT_WRITES or WebSocketsSansIOProtocol is None:
        return None
    protocol = getattr(send, "__self__", None)
    # Channels' session middleware (in AuthMiddlewareStack) wraps send to save the session on an HTTP response
    # start; a WebSocket frame passes straight through it to the server's send.
    while isinstance(protocol, InstanceSessionWrapper):
        protocol = getattr(protocol.real_send, "__self__", None)
    if type(protocol) is not WebSocketsSansIOProtocol or not protocol.handshake_complete:
        return None
    if protocol.initial_response is not None:  # a denial response in progress, not a WebSocket
        return None
    return DirectWire(protocol)
