"""The live socket of a session (/ws/dialogues/<id>/). Protocol: docs/live-protocol.md.

Thin on purpose: roles come from the Django session, every action goes through
dialogues.services in a small database_sync_to_async call, and outgoing events
are written by the per-process hub (dialogues.hub), not by this class.

Joining without gap or duplicate: the consumer registers with the hub in
"buffering" mode first, then sends the replay (from the hub's memory or the
database) or a snapshot, then flushes what the hub buffered meanwhile, dropping
every frame at or below the last seq it already sent. Replays and flushes of
several events go out as `batch` frames, like the hub's live passes.
"""

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

import orjson
import redis
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.permissions import forget_roles
from core.client_ip import client_ip_from_scope
from core.errors import DomainError
from core.input import NULL, contains_null, depth_message, json_too_deep, null_character_message
from core.responses import error_reply

from . import hub as hub_module
from . import identity, payloads, permissions, selectors, services, wire
from .hub import MODERATORS, PUBLIC
from .metrics import LIVE_SOCKETS
from .models import DialogueSession, LiveQuestion

log = logging.getLogger(__name__)

CLOSE_NOT_FOUND = 4404
CLOSE_FLOOD = 4008
CLOSE_UNAVAILABLE = 1011
CLOSE_TOO_SLOW = 4009
STRIKE_WINDOW = 10.0  # seconds without a refused message before the flood count starts again

# Moderators' and panelists' actions run on threads of their own. Every other database call of this process's
# sockets (joins, votes, questions) queues on one shared thread (thread-sensitive), and with thousands of
# watchers joining and voting a moderator's approve waited there behind them, for seconds (bench/click.py).
STAFF_LANE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="dialogues-staff")
# Watchers' votes and questions too: on that shared thread, 20 votes a second left joining sockets waiting
# seconds for their snapshot on a busy machine. Joins (role, replay, snapshot) keep the shared thread.
PARTICIPANT_LANE = ThreadPoolExecutor(max_workers=2, thread_name_prefix="dialogues-participants")


@database_sync_to_async
def _role(session_id: int, user) -> str | None:
    session = DialogueSession.objects.select_related("agency").filter(pk=session_id).first()
    if session is None:
        return None
    return permissions.role_in(user, session)


@database_sync_to_async
def _replay(session_id: int, after: int) -> tuple[int, list[tuple[int, str]] | None]:
    current, events = selectors.replay(session_id, after, settings.DIALOGUES_REPLAY_LIMIT)
    if events is None:
        return current, None
    return current, [(e.seq, payloads.encode_event(e).decode()) for e in events]


@database_sync_to_async
def _moderation_snapshot(session_id: int) -> tuple[int, str]:
    data = selectors.moderation_snapshot(session_id)
    seq = data.pop("seq")
    return seq, payloads.encode({"type": "moderation", "scope": MODERATORS, "seq": seq, "data": data})


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _text(value, limit: int = 6000) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _safe_ref(ref):
    """The client's `ref`, echoed only when it is a short string or number without a null character."""
    if isinstance(ref, str | int) and not isinstance(ref, bool) and len(str(ref)) <= 64 and NULL not in str(ref):
        return ref
    return None


class DialogueConsumer(AsyncWebsocketConsumer):
    """Hub fan-out (the default). No channel layer: nothing per socket on the event path but one send."""

    # Unknown alias: Channels gives no layer, so no channel and no second receive loop per socket.
    # Relies on Channels internals, checked in tests/dialogues/test_channels_assumptions.py.
    channel_layer_alias = "dialogues-hub-has-no-layer"

    # Messages a watcher may send; moderators and panelists add theirs (checked again in the services).
    WATCHER_TYPES = {"hello", "ping", "ask", "vote"}
    PANELIST_TYPES = {"answer", "answering"}

    async def connect(self) -> None:
        self.session_id = int(self.scope["url_route"]["kwargs"]["session_id"])
        self.buffering = True
        self.buffer: list[tuple[str, int, str]] = []
        self.live_pass = -1  # the hub's pass during which this socket stopped buffering (hub.Room._send_all)
        self.wire: wire.DirectWire | None = None
        self.last = {PUBLIC: 0, MODERATORS: 0}
        self.joined = False
        self.room = None
        self.user = getattr(self.scope.get("user"), "_wrapped", self.scope.get("user"))
        cookies = self.scope.get("cookies", {})
        self.browser_key = identity.read(cookies.get(identity.COOKIE))
        # Error messages in the language the visitor chose on the pages (context-local to this socket's task).
        language = cookies.get(settings.LANGUAGE_COOKIE_NAME)
        if language in dict(settings.LANGUAGES):
            translation.activate(language)
        self.client_ip = client_ip_from_scope(self.scope)
        loop = asyncio.get_running_loop()
        self.tokens = float(settings.DIALOGUES_WS_BURST)
        self.tokens_at = loop.time()
        self.strikes = 0
        self.last_strike = 0.0
        self.role = await self.find_role()
        if self.role is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        await self.accept()
        # After the handshake: frames the hub writes to this socket's transport directly (dialogues/wire.py).
        self.wire = wire.direct_wire(self.base_send)
        LIVE_SOCKETS.inc()
        self.counted = True

    async def find_role(self) -> str | None:
        """The socket's role, or None for an unknown session.

        A guest joining a session that this process already serves is a watcher
        without a query: the room proves the session exists, and a guest can hold
        no other role. So a reconnect storm of thousands of guests costs the
        database nothing (measured in bench/, docs/performance.md); database calls
        of consumers queue on one thread, and one per socket made resuming take seconds.
        """
        if not getattr(self.user, "is_authenticated", False):
            room = hub_module.get_hub().rooms.get(self.session_id)
            if room is not None and not room.closed:
                return permissions.WATCHER
        return await _role(self.session_id, self.user)

    async def disconnect(self, code) -> None:
        if getattr(self, "counted", False):
            self.counted = False
            LIVE_SOCKETS.dec()
        await self.leave()

    def kick(self) -> None:
        """The hub dropped this socket (it stopped reading): close it; the client resumes from its last seq."""
        self._kick = asyncio.ensure_future(self.close(code=CLOSE_TOO_SLOW))

    async def dispatch(self, message) -> None:
        # Channels closes stale DB connections through a thread hop before every handler; all database
        # work here already runs in database_sync_to_async (which does that itself), so skip the hop.
        # Checked against Channels in tests/dialogues/test_channels_assumptions.py.
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    # --- Incoming --------------------------------------------------------------------------------

    def _take_token(self) -> bool:
        now = asyncio.get_running_loop().time()
        burst = float(settings.DIALOGUES_WS_BURST)
        self.tokens = min(burst, self.tokens + (now - self.tokens_at) * settings.DIALOGUES_WS_REFILL_PER_SECOND)
        self.tokens_at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        if now - self.last_strike > STRIKE_WINDOW:
            self.strikes = 0
        self.strikes += 1
        self.last_strike = now
        return False

    async def receive(self, text_data=None, bytes_data=None) -> None:
        if not self._take_token():
            if self.strikes >= settings.DIALOGUES_WS_FLOOD_CLOSE_AFTER:
                await self.error("flood", _("Too many messages: the connection is closed."))
                await self.close(code=CLOSE_FLOOD)
            else:
                await self.error("rate_limited", _("Too many messages. Please slow down."))
            return
        if text_data is None:
            await self.error("bad_message", _("Messages must be JSON text."))
            return
        if len(text_data) > settings.DIALOGUES_WS_MAX_MESSAGE_BYTES:
            await self.error("too_large", _("This message is too long."))
            return
        if json_too_deep(text_data, settings.API_JSON_MAX_DEPTH):
            await self.error("bad_message", depth_message())
            return
        try:
            message = orjson.loads(text_data)
        except orjson.JSONDecodeError:
            await self.error("bad_json", _("This message is not valid JSON."))
            return
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            await self.error("bad_message", _("A message is a JSON object with a “type”."))
            return
        if contains_null(message):
            # The HTTP path refuses it the same way (core.input); the services could not store it anyway.
            await self.error("invalid", null_character_message(), _safe_ref(message.get("ref")))
            return
        ref = _safe_ref(message.get("ref"))
        kind = message["type"]
        handler = getattr(self, "on_" + kind.replace(".", "_"), None) if kind.replace(".", "_").isidentifier() else None
        if handler is None:
            await self.error("unknown_type", _("Unknown message type."), ref)
            return
        if kind not in self.WATCHER_TYPES and not (
            self.role == permissions.MODERATOR or (self.role == permissions.PANELIST and kind in self.PANELIST_TYPES)
        ):
            await self.error("forbidden", _("Your role does not allow this action."), ref)
            return
        if kind not in ("hello", "ping") and not self.joined:
            await self.error("hello_first", _("Send “hello” first."), ref)
            return
        await handler(message, ref)

    async def error(self, code: str, message: str, ref=None, fields: dict | None = None) -> None:
        body = {"type": "error", "code": code, "message": str(message)}
        if ref is not None:
            body["ref"] = ref
        if fields:
            body["fields"] = fields
        await self.send(text_data=payloads.encode(body))

    async def ack(self, ref, data: dict | None = None) -> None:
        body = {"type": "ack", "data": data or {}}
        if ref is not None:
            body["ref"] = ref
        await self.send(text_data=payloads.encode(body))

    # --- Joining: replay or snapshot, then live -------------------------------------------------

    async def join(self) -> None:
        self.room = await hub_module.get_hub().join(self, self.session_id, moderator=self.role == permissions.MODERATOR)

    async def leave(self) -> None:
        if self.room is not None:
            self.room.remove(self)
            self.room = None

    def replay_from_memory(self, after: int) -> list[tuple[int, str]] | None:
        return self.room.replay_from_memory(after)

    async def snapshot(self) -> tuple[int, str]:
        return await self.room.snapshot()

    def counts_frame(self) -> str | None:
        return self.room.counts_frame(full=True)

    def status_frame(self) -> str | None:
        return None if self.room.live else self.room.status_frame()

    async def on_hello(self, message: dict, ref) -> None:
        if self.joined:
            await self.error("already_started", _("“hello” was already sent on this connection."), ref)
            return
        last_seq = message.get("last_seq")
        if last_seq is not None and _int(last_seq) is None:
            await self.error("bad_message", _("“last_seq” must be a whole number, 0 or more."), ref)
            return
        self.joined = True
        try:
            await self.join()
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:  # Redis down: one line, no traceback
            log.warning("dialogues: could not join session %s, hub unavailable: %s", self.session_id, exc)
            await self.error("unavailable", _("The live service is unavailable. Trying again shortly."), ref)
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        except Exception:
            log.exception("dialogues: could not join session %s", self.session_id)
            await self.error("unavailable", _("The live service is unavailable. Trying again shortly."), ref)
            await self.close(code=CLOSE_UNAVAILABLE)
            return
        frames = None
        if last_seq is not None:
            frames = self.replay_from_memory(last_seq)
            if frames is None:
                current, frames = await _replay(self.session_id, last_seq)
                if frames is None and last_seq > current:
                    await self.error("bad_seq", _("Unknown “last_seq”: starting again from the current state."), ref)
        if frames is not None:
            # One write for many events, as the hub does live: a storm of resuming clients costs far less.
            for text in hub_module.batch_frames([text for _seq, text in frames]):
                await self.send(text_data=text)
            self.last[PUBLIC] = frames[-1][0] if frames else last_seq
        else:
            seq, text = await self.snapshot()
            await self.send(text_data=text)
            self.last[PUBLIC] = seq
        if self.role == permissions.MODERATOR:
            mod_seq, text = await _moderation_snapshot(self.session_id)
            await self.send(text_data=text)
            self.last[MODERATORS] = mod_seq
        ready = {"role": self.role, "seq": self.last[PUBLIC], "replayed": len(frames) if frames is not None else None}
        body = {"type": "ready", "data": ready}
        if ref is not None:
            body["ref"] = ref
        await self.send(text_data=payloads.encode(body))
        # What arrived while replaying: only frames newer than what was just sent, in order.
        while self.buffer:
            pending, self.buffer = self.buffer, []
            texts = []
            for scope, seq, text in pending:
                if seq > self.last[scope]:
                    texts.append(text)
                    self.last[scope] = seq
            for text in hub_module.batch_frames(texts):
                await self.send(text_data=text)
        self.buffering = False
        if self.room is not None:  # None in the benchmark's group design (bench/group.py), which has no hub
            self.live_pass = self.room.passes
        counts = self.counts_frame()
        if counts:
            await self.send(text_data=counts)
        status = self.status_frame()
        if status:  # live events are not flowing now (Redis lost): the page shows "reconnecting" until they do
            await self.send(text_data=status)

    async def on_ping(self, message: dict, ref) -> None:
        body = {"type": "pong"}
        if ref is not None:
            body["ref"] = ref
        await self.send(text_data=payloads.encode(body))

    # --- Actions (all through the services) -------------------------------------------------------

    def _call(self, function, kwargs: dict):
        forget_roles(self.user)  # memberships may have changed since the socket opened
        question_id = kwargs.get("question_id")
        # A socket acts on its own session only, whatever rights its user has elsewhere.
        if (
            question_id is not None
            and not LiveQuestion.objects.filter(pk=question_id, session=self.session_id).exists()
        ):
            raise ObjectDoesNotExist(_("This question does not exist."))
        return function(actor=self.user, **kwargs)

    async def act(self, ref, function, result=None, **kwargs) -> None:
        staff = self.role in (permissions.MODERATOR, permissions.PANELIST)
        lane = STAFF_LANE if staff else PARTICIPANT_LANE
        call = database_sync_to_async(self._call, thread_sensitive=False, executor=lane)
        try:
            value = await call(function, kwargs)
        except (PermissionDenied, ObjectDoesNotExist, ValidationError, DomainError) as exc:
            reply = error_reply(exc)  # the one mapping (core.responses): the same meaning as in the API
            await self.error(reply.socket_code, reply.message, ref, fields=reply.fields)
        else:
            await self.ack(ref, result(value) if result else {})

    async def _question_action(self, message: dict, ref, function, **kwargs) -> None:
        question_id = _int(message.get("question"))
        if question_id is None:
            await self.error("invalid", _("“question” must be a question id."), ref)
            return
        await self.act(ref, function, lambda q: {"question": question_id}, question_id=question_id, **kwargs)

    async def on_ask(self, message: dict, ref) -> None:
        await self.act(
            ref,
            services.live_question_ask,
            lambda q: {"question": q.pk, "status": q.status},
            session_id=self.session_id,
            text=_text(message.get("text")),
            display_name=_text(message.get("name"), 200),
            email=_text(message.get("email"), 254),
            browser_key=self.browser_key,
            client_ip=self.client_ip,
        )

    async def on_vote(self, message: dict, ref) -> None:
        question_id = _int(message.get("question"))
        if question_id is None:
            await self.error("invalid", _("“question” must be a question id."), ref)
            return
        await self.act(
            ref,
            services.live_question_vote,
            lambda count: {"question": question_id, "votes": count},
            question_id=question_id,
            browser_key=self.browser_key,
        )

    async def on_approve(self, message: dict, ref) -> None:
        await self._question_action(message, ref, services.live_question_approve)

    async def on_reject(self, message: dict, ref) -> None:
        reason = _text(message.get("reason"), 255)
        await self._question_action(message, ref, services.live_question_reject, reason=reason)

    async def on_edit(self, message: dict, ref) -> None:
        await self._question_action(message, ref, services.live_question_edit, text=_text(message.get("text")))

    async def on_answering(self, message: dict, ref) -> None:
        await self._question_action(message, ref, services.live_question_mark_answering)

    async def on_answer(self, message: dict, ref) -> None:
        kind = message.get("kind")
        await self._question_action(
            message,
            ref,
            services.live_question_answer,
            text=_text(message.get("text")),
            kind=kind if isinstance(kind, str) else None,
            panelist_id=_int(message.get("panelist")),
        )

    async def on_mute(self, message: dict, ref) -> None:
        await self._question_action(message, ref, services.participant_mute, reason=_text(message.get("reason"), 255))

    async def on_reorder(self, message: dict, ref) -> None:
        order = message.get("order")
        if not isinstance(order, list) or len(order) > 1000 or any(_int(pk) is None for pk in order):
            await self.error("invalid", _("“order” must be a list of question ids."), ref)
            return
        await self.act(
            ref, services.live_question_reorder, lambda new: {"order": new}, session_id=self.session_id, order=order
        )

    async def _session_action(self, ref, function, **kwargs) -> None:
        await self.act(ref, function, lambda s: {"status": s.status}, session_id=self.session_id, **kwargs)

    async def on_open_questions(self, message: dict, ref) -> None:
        await self._session_action(ref, services.session_set_questions_open, is_open=True)

    async def on_close_questions(self, message: dict, ref) -> None:
        await self._session_action(ref, services.session_set_questions_open, is_open=False)

    async def on_open(self, message: dict, ref) -> None:
        await self._session_action(ref, services.session_open)

    async def on_start(self, message: dict, ref) -> None:
        await self._session_action(ref, services.session_start)

    async def on_end(self, message: dict, ref) -> None:
        await self._session_action(ref, services.session_end)

    async def on_publish_transcript(self, message: dict, ref) -> None:
        await self._session_action(ref, services.session_publish_transcript)

    async def on_announce(self, message: dict, ref) -> None:
        await self.act(
            ref,
            services.announcement_post,
            lambda a: {"announcement": a.pk},
            session_id=self.session_id,
            text=_text(message.get("text"), 1000),
        )
