"""Helpers for socket tests: connect through the project's full ASGI stack and read frames.

`receive` and the helpers built on it read events one by one: a `batch` frame is
unpacked into its events, in order (docs/live-protocol.md). `receive_frame` reads
frames as they came, for tests about batching itself.
"""

from collections import deque

from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from dialogues import identity

ORIGIN = (b"origin", b"http://testserver")


def session_cookie(user) -> str:
    """A logged-in Django session for `user` (call outside the event loop)."""
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def make_headers(*, session: str | None = None, browser: str | None = None, origin: bool = True) -> list:
    cookies = []
    if session:
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session}")
    if browser:
        cookies.append(f"{identity.COOKIE}={identity.cookie_value(browser)}")
    headers = [ORIGIN] if origin else []
    if cookies:
        headers.append((b"cookie", "; ".join(cookies).encode()))
    return headers


async def connect(session_id: int, **kwargs) -> WebsocketCommunicator:
    from config.asgi import application

    communicator = WebsocketCommunicator(application, f"/ws/dialogues/{session_id}/", headers=make_headers(**kwargs))
    connected, _ = await communicator.connect(timeout=15)  # generous: CI machines are shared and busy
    assert connected
    return communicator


def unpack(frame: dict) -> list[dict]:
    """The messages a frame carries: a batch's events in order, or the frame itself."""
    return list(frame["events"]) if frame.get("type") == "batch" else [frame]


def _pending(communicator: WebsocketCommunicator) -> deque:
    """Events of a batch frame not yet handed out by `receive`."""
    pending = getattr(communicator, "dlg_pending", None)
    if pending is None:
        pending = communicator.dlg_pending = deque()
    return pending


async def receive_frame(communicator: WebsocketCommunicator, *, timeout: float = 10) -> dict:
    """The next frame as sent (a batch stays a batch); events `receive` already unpacked must be read first."""
    assert not _pending(communicator), "events of an earlier batch are still unread"
    return await communicator.receive_json_from(timeout=timeout)


async def receive(communicator: WebsocketCommunicator, *, timeout: float = 10, skip_counts: bool = True) -> dict:
    pending = _pending(communicator)
    while True:
        if not pending:
            pending.extend(unpack(await communicator.receive_json_from(timeout=timeout)))
        message = pending.popleft()
        if not (skip_counts and message["type"] == "counts"):
            return message


async def until(communicator: WebsocketCommunicator, type_: str, *, timeout: float = 10) -> list[dict]:
    """Every frame up to and including the first of `type_` (counts frames left out)."""
    seen = []
    while True:
        message = await receive(communicator, timeout=timeout)
        seen.append(message)
        if message["type"] == type_:
            return seen


async def hello(communicator: WebsocketCommunicator, **fields) -> list[dict]:
    await communicator.send_json_to({"type": "hello", **fields})
    return await until(communicator, "ready")


async def nothing_more(communicator: WebsocketCommunicator, wait: float = 0.3) -> list[dict]:
    """Frames (other than counts) that arrive within `wait` seconds: [] when the socket is quiet.

    Reads only when a frame is already queued: a timed-out read would cancel the application.
    """
    pending = _pending(communicator)
    frames = [m for m in pending if m["type"] != "counts"]
    pending.clear()
    while not await communicator.receive_nothing(timeout=wait):
        for message in unpack(await communicator.receive_json_from(timeout=1)):
            if message["type"] != "counts":
                frames.append(message)
    return frames
