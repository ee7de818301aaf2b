"""The straightforward Channels design of the live fan-out, kept only to be measured against the hub.

Every socket joins Channels groups on the default layer (channels-redis) and
forwards each group message itself, through Channels' stock dispatch; a service's
event becomes one group_send, i.e. one channel-layer message per socket. Replays
and snapshots always read the database; counts are not coalesced. The product
(dialogues.hub, dialogues.consumers.DialogueConsumer) does none of this: see
docs/performance.md for why, and bench/fanout.py for the figures ("group").

Selected by the benchmark server's DIALOGUES_FANOUT=group (bench.settings, bench.asgi):
`install()` makes the hub's two publishers group_send instead, and `application()`
routes /ws/dialogues/<id>/ to GroupDialogueConsumer.
"""

import contextlib
import logging

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from dialogues import hub, payloads, permissions, selectors
from dialogues.consumers import DialogueConsumer
from dialogues.hub import MODERATORS, PUBLIC
from dialogues.metrics import EVENTS_PUBLISHED
from dialogues.models import DialogueSession

log = logging.getLogger(__name__)


def group_name(session_id: int, scope: str) -> str:
    """Channels group of one session's audience."""
    return f"dlg.{session_id}.{scope}"


# --- Publishing: one group_send per event ---------------------------------------------------------


def publish_event(session_id: int, scope: str, seq: int, frame: bytes) -> None:
    kind = PUBLIC if scope == PUBLIC else MODERATORS
    EVENTS_PUBLISHED.labels(kind).inc()
    _group_send(group_name(session_id, kind), {"type": "dlg.event", "scope": kind, "seq": seq, "text": frame.decode()})


def publish_votes(session_id: int, question_id: int, count: int) -> None:
    _group_send(group_name(session_id, PUBLIC), {"type": "dlg.votes", "question": question_id, "count": count})


def _group_send(group: str, message: dict) -> None:
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception as exc:  # a broken layer must not fail a request that already committed
        log.warning("dialogues: group_send to %s failed: %s", group, exc)


def install() -> None:
    """Make the services' after-commit publish go to the groups (the hub's module functions are replaced)."""
    hub.publish_event = publish_event
    hub.publish_votes = publish_votes


@contextlib.contextmanager
def publishing():
    """For the harness process: publish like a server of this design while the block runs."""
    saved = hub.publish_event, hub.publish_votes
    install()
    try:
        yield
    finally:
        hub.publish_event, hub.publish_votes = saved


# --- The consumer ---------------------------------------------------------------------------------


@database_sync_to_async
def _role(session_id: int, user) -> str | None:
    session = DialogueSession.objects.select_related("agency").filter(pk=session_id).first()
    return None if session is None else permissions.role_in(user, session)


@database_sync_to_async
def _snapshot(session_id: int) -> tuple[int, str]:
    data = selectors.snapshot(session_id)
    seq = data.pop("seq")
    return seq, payloads.encode({"type": "snapshot", "seq": seq, "data": data})


class GroupDialogueConsumer(DialogueConsumer):
    """The product's consumer with the hub replaced by Channels groups (same protocol, same actions)."""

    channel_layer_alias = "default"

    async def find_role(self) -> str | None:
        return await _role(self.session_id, self.user)

    async def dispatch(self, message) -> None:
        await AsyncWebsocketConsumer.dispatch(self, message)

    async def join(self) -> None:
        await self.channel_layer.group_add(group_name(self.session_id, PUBLIC), self.channel_name)
        if self.role == permissions.MODERATOR:
            await self.channel_layer.group_add(group_name(self.session_id, MODERATORS), self.channel_name)

    async def leave(self) -> None:
        if self.joined:
            for scope in (PUBLIC, MODERATORS):
                await self.channel_layer.group_discard(group_name(self.session_id, scope), self.channel_name)

    def replay_from_memory(self, after: int) -> None:
        return None

    async def snapshot(self) -> tuple[int, str]:
        return await _snapshot(self.session_id)

    def counts_frame(self) -> None:
        return None

    def status_frame(self) -> None:
        return None

    async def dlg_event(self, message: dict) -> None:
        scope, seq, text = message["scope"], message["seq"], message["text"]
        if self.buffering:
            self.buffer.append((scope, seq, text))
        elif seq > self.last[scope]:
            self.last[scope] = seq
            await self.send(text_data=text)

    async def dlg_votes(self, message: dict) -> None:
        if not self.buffering:
            body = {"type": "counts", "data": {"votes": {str(message["question"]): message["count"]}}}
            await self.send(text_data=payloads.encode(body))


def websocket_application():
    """The WebSocket side of a server of this design: the project's routes with the group consumer for dialogues."""
    from channels.auth import AuthMiddlewareStack
    from channels.routing import URLRouter
    from channels.security.websocket import AllowedHostsOriginValidator
    from django.urls import path

    from notifications.routing import websocket_urlpatterns as notification_routes

    routes = [path("ws/dialogues/<int:session_id>/", GroupDialogueConsumer.as_asgi()), *notification_routes]
    return AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(routes)))
