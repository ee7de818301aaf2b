"""Fan-out of session events to the sockets of this process: the per-process hub.

Why not one Channels group per session: with thousands of watchers every
event became thousands of channel-layer messages, consumer dispatches and
thread hops (measured in ../shared/stack-notes.md: 15–23 s to reach 5,000
sockets). Here each process holds a map session → local consumers, subscribes
once per session to Redis pub/sub (one reader task), decodes each event once
and writes the same text frame to every local socket in a plain loop. A
service publishes ONE Redis message per event, after commit, whatever the
number of watchers.

Bursts are coalesced without delaying single events: the reader takes every
message already received along with the first one, and one pass over the
sockets writes them as ONE `batch` frame per socket (the encoded frames joined,
not re-encoded). Writing a frame costs a socket about the same whatever its
size, so while a pass over thousands of sockets runs, the events that arrive
meanwhile go out together in the next pass: the number of passes a second
adapts to the CPU and a burst does not build a backlog.

Wire format on Redis (channels `<prefix>:<session>:public|moderators|votes`):
events are `b"<seq>\\n" + frame` (the frame is the JSON text sent to sockets);
votes are `b"<question id>:<count>"`.

Guarantees kept here, once per process rather than per socket:
- order and no gaps: a frame that arrives ahead of its predecessor is held,
  and after GAP_WAIT the missing events are read from the database;
- no duplicates: frames at or below the last delivered seq are dropped;
- replay without a query: the last DIALOGUES_REPLAY_CACHE frames are kept so
  a reconnecting client resumes from memory;
- vote and viewer counts are coalesced into one `counts` frame per interval.

A pass gives the event loop back every FAIR_SLICE: the same process serves HTTP
requests and the sockets' own messages (a moderator's approve, its ack), and
those must not wait for a pass over thousands of sockets to end (measured in
bench/fanout.py: the action's response time while the fan-out runs).

Without a Redis URL (the embedded run) the same hub runs on an in-process bus.
"""

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

import orjson
from channels.db import database_sync_to_async
from django.conf import settings

from . import wire
from .metrics import EVENTS_FANNED_OUT, EVENTS_PUBLISHED, FRAMES_SENT

if TYPE_CHECKING:
    import redis
    import redis.asyncio

    from .consumers import DialogueConsumer

# What the in-process bus calls with each frame: (channel, data).
BusCallback = Callable[[str, bytes], None]

log = logging.getLogger(__name__)

PUBLIC = "public"
MODERATORS = "moderators"
VOTES = "votes"
KINDS = (PUBLIC, MODERATORS, VOTES)
GAP_WAIT = 0.3  # seconds to wait for a late frame before reading the missing events from the database
ROOM_LINGER = 30.0  # a room outlives its last socket this long, so a reconnect storm finds its cache warm
SNAPSHOT_MAX_AGE = 2.0
VIEWERS_EVERY = 2.0  # seconds between exchanges of viewer counts between processes
VIEWERS_STALE = 10.0
SLOW_SEND = 2.0  # a send that makes no progress this long times out: that socket is dropped (it stopped reading)
BATCH_MAX_CHARS = 64 * 1024  # events beyond this go in the next frame of the same pass (clients' frame limits)
FAIR_SLICE = 0.004  # a send pass yields to the event loop at least this often (seconds)

PROCESS_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def hub_config() -> tuple[str, str]:
    """(Redis URL or "" for in-process, channel prefix), read at call time so tests can repoint it."""
    return settings.DIALOGUES_HUB_REDIS_URL or settings.REDIS_URL or "", settings.DIALOGUES_HUB_PREFIX


def channel_name(prefix: str, session_id: int, kind: str) -> str:
    return f"{prefix}:{session_id}:{kind}"


def batch_frames(texts: list[str]) -> list[str]:
    """Encoded event frames as few frames as possible, in order: one alone as itself, more as `batch` frames.

    Built by joining the texts (each is already a JSON object), so nothing is
    encoded twice; a batch stops at about BATCH_MAX_CHARS and the rest starts another.
    """
    if len(texts) == 1:
        return texts
    frames: list[str] = []
    group: list[str] = []
    size = 0
    for text in texts:
        if group and size + len(text) > BATCH_MAX_CHARS:
            frames.append(_batch(group))
            group, size = [], 0
        group.append(text)
        size += len(text)
    if group:
        frames.append(_batch(group))
    return frames


def _batch(texts: list[str]) -> str:
    return texts[0] if len(texts) == 1 else '{"type":"batch","events":[' + ",".join(texts) + "]}"


# --- Publishing (sync: services call these after commit) -------------------------------------

_sync_clients: dict[str, "redis.Redis"] = {}
_sync_lock = threading.Lock()


def _sync_client(url: str) -> "redis.Redis":
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    from core.redis_pool import sync_client

    with _sync_lock:
        client = _sync_clients.get(url)
        if client is None:
            # One immediate retry: redis-py's default back-off held a request ~9 s per publish while Redis was down.
            client = sync_client(url, socket_timeout=5, socket_connect_timeout=2, retry=Retry(NoBackoff(), 1))
            _sync_clients[url] = client
        return client


def _publish(channel: str, data: bytes, url: str) -> None:
    if not url:
        local_bus.publish(channel, data)
        return
    import redis

    try:
        _sync_client(url).publish(channel, data)
    except redis.RedisError as exc:
        # The event is in the database: hubs fill the gap when the next one arrives, clients on reconnect.
        log.warning("dialogues: could not publish on %s: %s", channel, exc)


def publish_event(session_id: int, scope: str, seq: int, frame: bytes) -> None:
    """Send one committed event to every process: one PUBLISH."""
    kind = PUBLIC if scope == PUBLIC else MODERATORS
    EVENTS_PUBLISHED.labels(kind).inc()
    url, prefix = hub_config()
    _publish(channel_name(prefix, session_id, kind), b"%d\n" % seq + frame, url)


def publish_votes(session_id: int, question_id: int, count: int) -> None:
    url, prefix = hub_config()
    _publish(channel_name(prefix, session_id, VOTES), b"%d:%d" % (question_id, count), url)


# --- The in-process bus (embedded run) --------------------------------------------------------


class LocalBus:
    """Pub/sub inside one process: publishers in worker threads, subscribers on event loops."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, list[tuple[asyncio.AbstractEventLoop, BusCallback]]] = {}

    def subscribe(self, channel: str, loop: asyncio.AbstractEventLoop, callback: BusCallback) -> None:
        with self._lock:
            self._subscribers.setdefault(channel, []).append((loop, callback))

    def unsubscribe(self, channel: str, callback: BusCallback) -> None:
        with self._lock:
            remaining = [(lp, cb) for lp, cb in self._subscribers.get(channel, []) if cb is not callback]
            if remaining:
                self._subscribers[channel] = remaining
            else:
                self._subscribers.pop(channel, None)

    def publish(self, channel: str, data: bytes) -> None:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
        for loop, callback in targets:
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody listens there any more
                loop.call_soon_threadsafe(callback, channel, data)


local_bus = LocalBus()


class _LocalSubscription:
    def __init__(self, room: "Room", prefix: str) -> None:
        self.room = room
        self.names = {channel_name(prefix, room.session_id, kind): kind for kind in KINDS}
        self.queue: asyncio.Queue = asyncio.Queue()
        for name in self.names:
            local_bus.subscribe(name, asyncio.get_running_loop(), self._on_message)
        self.task = asyncio.create_task(self._read())

    def _on_message(self, channel: str, data: bytes) -> None:
        self.queue.put_nowait((self.names[channel], data))

    async def _read(self) -> None:
        while True:
            messages = [await self.queue.get()]
            while not self.queue.empty():  # everything that arrived during the last pass goes out together
                messages.append(self.queue.get_nowait())
            try:
                await self.room.handle_batch(messages)
            except Exception:
                log.exception("dialogues: hub messages of session %s not delivered", self.room.session_id)

    async def close(self) -> None:
        for name in self.names:
            local_bus.unsubscribe(name, self._on_message)
        self.task.cancel()


class LocalBackend:
    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    async def subscribe(self, room: "Room") -> _LocalSubscription:
        return _LocalSubscription(room, self.prefix)

    async def viewers(self, room: "Room", local_count: int) -> int:
        return local_count

    async def forget_viewers(self, room: "Room") -> None:
        return None

    async def close(self) -> None:
        return None


# --- Redis pub/sub ---------------------------------------------------------------------------


class _RedisSubscription:
    def __init__(self, room: "Room", client: "redis.asyncio.Redis", prefix: str) -> None:
        self.room = room
        self.names = {channel_name(prefix, room.session_id, kind).encode(): kind for kind in KINDS}
        self.pubsub = client.pubsub()
        self.subscribed = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.confirmations = 0

    async def start(self) -> None:
        await self.pubsub.subscribe(*self.names)
        self.task = asyncio.create_task(self._read())
        await asyncio.wait_for(self.subscribed.wait(), timeout=10)

    async def _read(self) -> None:
        backoff = 0.1
        while True:
            batch: list[tuple[str, bytes]] = []
            try:
                message = await self.pubsub.get_message(ignore_subscribe_messages=False, timeout=None)
                # Then every message already read from the connection (timeout 0 never waits): a burst that
                # arrived during the last send pass becomes one pass.
                while message is not None:
                    self._take(message, batch)
                    message = await self.pubsub.get_message(ignore_subscribe_messages=False, timeout=0)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Redis restarts: redis-py reconnects and resubscribes on the next read
                log.warning("dialogues: pub/sub of session %s lost: %s", self.room.session_id, exc)
                self.room.set_live(False)
                if not batch:
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
                    continue
            else:
                backoff = 0.1
            if not batch:
                continue
            try:
                await self.room.handle_batch(batch)
            except Exception:
                log.exception("dialogues: hub messages of session %s not delivered", self.room.session_id)

    def _take(self, message: dict, batch: list[tuple[str, bytes]]) -> None:
        kind = message["type"]
        if kind == "subscribe":
            self.confirmations += 1
            if self.confirmations % len(self.names) == 0:
                if self.subscribed.is_set():
                    # Resubscribed after a lost connection: events published meanwhile are only in the database.
                    self.room.schedule_resync()
                self.subscribed.set()
        elif kind == "message":
            batch.append((self.names[message["channel"]], message["data"]))

    async def close(self) -> None:
        if self.task is not None:
            self.task.cancel()
        with contextlib.suppress(Exception):
            await self.pubsub.aclose()


class RedisBackend:
    def __init__(self, url: str, prefix: str) -> None:
        import redis.asyncio.retry
        from redis.backoff import NoBackoff

        from core.redis_pool import async_client

        self.prefix = prefix
        # No socket timeout: a quiet session must not look like a dead connection (the redis-py 8 pitfall).
        # One immediate retry on a lost connection (the reader backs off itself): redis-py's default back-off
        # held every joining socket ~9 s while Redis was down.
        # A redis+sentinel:// URL: every reconnect asks the sentinels for the master, so after a failover the
        # readers resubscribe on the new one and fill the gap from the database (_RedisSubscription._take).
        self.client = async_client(
            url,
            socket_timeout=None,
            socket_connect_timeout=5,
            socket_keepalive=True,
            retry=redis.asyncio.retry.Retry(NoBackoff(), 1),
        )

    async def subscribe(self, room: "Room") -> _RedisSubscription:
        subscription = _RedisSubscription(room, self.client, self.prefix)
        try:
            await subscription.start()
        except BaseException:
            await subscription.close()
            raise
        return subscription

    def _viewers_key(self, room: "Room") -> str:
        return f"{self.prefix}:{room.session_id}:viewers"

    async def viewers(self, room: "Room", local_count: int) -> int:
        """Share this process's count and add up everyone's (entries older than VIEWERS_STALE are ignored)."""
        key = self._viewers_key(room)
        now = time.time()
        try:
            async with self.client.pipeline(transaction=False) as pipe:
                pipe.hset(key, PROCESS_ID, f"{local_count}:{now:.0f}")
                pipe.expire(key, int(VIEWERS_STALE * 6))
                pipe.hgetall(key)
                *_, entries = await pipe.execute()
        except Exception as exc:
            log.warning("dialogues: viewer count exchange failed: %s", exc)
            return local_count
        total = 0
        for value in entries.values():
            count, _, stamp = value.partition(b":")
            with contextlib.suppress(ValueError):
                if now - float(stamp) <= VIEWERS_STALE:
                    total += int(count)
        return total

    async def forget_viewers(self, room: "Room") -> None:
        with contextlib.suppress(Exception):
            await self.client.hdel(self._viewers_key(room), PROCESS_ID)

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            await self.client.aclose()


# --- Rooms: one per session per process ------------------------------------------------------


@database_sync_to_async
def _recent_events(session_id: int, count: int) -> tuple[int, int, list[tuple[int, str]]]:
    from . import payloads, selectors

    last_seq, last_mod_seq, events = selectors.recent_events(session_id, count)
    return last_seq, last_mod_seq, [(e.seq, payloads.encode_event(e).decode()) for e in events]


@database_sync_to_async
def _missing_events(session_id: int, scope: str, after: int, before: int) -> list[tuple[int, str]]:
    from . import payloads, selectors

    return [
        (e.seq, payloads.encode_event(e).decode()) for e in selectors.events_between(session_id, scope, after, before)
    ]


@database_sync_to_async
def _snapshot_text(session_id: int) -> tuple[int, str]:
    from . import payloads, selectors

    data = selectors.snapshot(session_id)
    seq = data.pop("seq")
    return seq, payloads.encode({"type": "snapshot", "seq": seq, "data": data})


class Room:
    """The sockets of one session in this process, and the ordered stream they share.

    Consumers are registered while `buffering` is true: frames for them are
    appended to `consumer.buffer` until they have sent their replay or
    snapshot, then flushed without duplicates (see consumers.DialogueConsumer).
    """

    def __init__(self, hub: "Hub", session_id: int) -> None:
        self.hub = hub
        self.session_id = session_id
        self.consumers: set[DialogueConsumer] = set()
        self.moderators: set[DialogueConsumer] = set()
        self.last = {PUBLIC: 0, MODERATORS: 0}
        self.held: dict[str, dict[int, str]] = {PUBLIC: {}, MODERATORS: {}}
        self.ring: deque = deque(maxlen=max(settings.DIALOGUES_REPLAY_CACHE, 0))
        self.lock = asyncio.Lock()
        self.initialised = asyncio.Event()
        self.subscription: _RedisSubscription | _LocalSubscription | None = None
        self.tasks: set[asyncio.Task] = set()
        self.gap_tasks: dict[str, asyncio.Task] = {}
        self.votes: dict[int, int] = {}
        self.votes_dirty: dict[int, int] = {}
        self.viewers_total = 0
        self.viewers_sent = -1
        self.counts_at = float("-inf")  # loop time the last counts frame went to every socket
        self.next_beat = 0.0  # a counts frame goes out by then even if nothing changed (the heartbeat)
        self.snapshot_cache: tuple[int, str, float] | None = None
        self.snapshot_pending: asyncio.Future | None = None
        self.linger_handle: asyncio.TimerHandle | None = None
        self.closed = False
        self.live = True  # False while the pub/sub connection is lost (set_live)
        # What the send loop is doing (see _send_all): the socket being written to, and frames written.
        self.sending: DialogueConsumer | None = None
        self.sends = 0
        # Delivery passes so far: a consumer that finishes joining during pass N records N (consumers.py), so
        # that pass, which yields to the loop, does not send it events its replay already held.
        self.passes = 0

    # Life cycle

    async def start(self) -> None:
        self.subscription = await self.hub.backend.subscribe(self)
        # Subscribed first, then read the database: every event after this point arrives by pub/sub.
        last_seq, last_mod_seq, recent = await _recent_events(self.session_id, self.ring.maxlen or 0)
        self.last = {PUBLIC: last_seq, MODERATORS: last_mod_seq}
        self.ring.extend(recent)
        # The first counts frame an interval after the room opens (joiners get the full counts at `ready`).
        self.counts_at = asyncio.get_running_loop().time()
        self.initialised.set()
        self._spawn(self._tick())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task:
        task = asyncio.create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def close(self) -> None:
        self.closed = True
        for task in [*self.tasks, *self.gap_tasks.values()]:
            task.cancel()
        if self.subscription is not None:
            await self.subscription.close()
        await self.hub.backend.forget_viewers(self)

    def add(self, consumer: "DialogueConsumer", *, moderator: bool) -> None:
        if self.linger_handle is not None:
            self.linger_handle.cancel()
            self.linger_handle = None
        self.consumers.add(consumer)
        if moderator:
            self.moderators.add(consumer)

    def remove(self, consumer: "DialogueConsumer") -> None:
        self.consumers.discard(consumer)
        self.moderators.discard(consumer)
        if not self.consumers and not self.closed and self.linger_handle is None:
            self.linger_handle = asyncio.get_running_loop().call_later(ROOM_LINGER, self.hub.retire, self)

    # Incoming frames

    async def handle(self, kind: str, data: bytes) -> None:
        """One pub/sub message (see handle_batch)."""
        await self.handle_batch([(kind, data)])

    async def handle_batch(self, messages: list[tuple[str, bytes]]) -> None:
        """Messages read together from pub/sub: accepted in order, then delivered in one pass."""
        if not self.initialised.is_set():
            await self.initialised.wait()
        events: list[tuple[str, int, str]] = []
        for kind, data in messages:
            try:
                if kind == VOTES:
                    question, _, count = data.partition(b":")
                    question_id, value = int(question), int(count)
                    if value > self.votes.get(question_id, 0):
                        self.votes[question_id] = value
                        self.votes_dirty[question_id] = value
                    continue
                head, _, frame = data.partition(b"\n")
                events.append((kind, int(head), frame.decode()))
            except ValueError:  # UnicodeDecodeError included: one bad message must not lose the others
                log.error("dialogues: bad hub message on session %s: %r", self.session_id, data[:100])
        if events:
            async with self.lock:
                ready: list[tuple[str, int, str]] = []
                for scope, seq, text in events:
                    self._accept(scope, seq, text, ready)
                await self._deliver(ready)

    def _accept(self, scope: str, seq: int, text: str, ready: list[tuple[str, int, str]]) -> None:
        """Take one frame in: append it to `ready`, with the held frames it makes deliverable, in order."""
        last = self.last[scope]
        if seq <= last:
            return
        held = self.held[scope]
        if seq > last + 1:
            held[seq] = text
            if scope not in self.gap_tasks:
                self.gap_tasks[scope] = self._spawn(self._fill_gap(scope))
            return
        self._ready(scope, seq, text, ready)
        while held and (self.last[scope] + 1) in held:
            following = self.last[scope] + 1
            self._ready(scope, following, held.pop(following), ready)
        # Frames held at or below what is now delivered are stale copies.
        for stale in [s for s in held if s <= self.last[scope]]:
            del held[stale]

    def _ready(self, scope: str, seq: int, text: str, ready: list[tuple[str, int, str]]) -> None:
        self.last[scope] = seq
        if scope == PUBLIC:
            self.ring.append((seq, text))
        ready.append((scope, seq, text))

    async def _deliver(self, ready: list[tuple[str, int, str]]) -> None:
        """The hot path: the events of one pass as one frame (usually) to every socket, in a plain loop.

        Watchers get the public events; moderators get those and the moderators'
        events, in the order they were accepted. A socket still sending its replay
        gets each event as its own buffer entry (see consumers.DialogueConsumer).
        """
        if not ready:
            return
        self.passes += 1
        EVENTS_FANNED_OUT.inc(len(ready))  # once per pass: nothing is counted per socket
        public = [entry for entry in ready if entry[0] == PUBLIC]
        # Counts due now ride with the public events: the same write to each socket, not a pass of their own.
        counts = self._take_counts() if public and self._counts_due() else []
        if len(public) == len(ready):
            await self._send_all(tuple(self.consumers), self._messages(public) + counts, public, counts)
            return
        if public:
            watchers = tuple(c for c in self.consumers if c not in self.moderators)
            await self._send_all(watchers, self._messages(public) + counts, public, counts)
        await self._send_all(tuple(self.moderators), self._messages(ready) + counts, ready, counts)

    @staticmethod
    def _messages(entries: list[tuple[str, int, str]]) -> list[dict]:
        return [{"type": "websocket.send", "text": text} for text in batch_frames([e[2] for e in entries])]

    async def _send_all(
        self,
        targets: tuple,
        messages: list[dict],
        entries: list[tuple[str, int, str]],
        counts: list[dict] | None = None,
    ) -> None:
        """Write the messages to every socket in turn; buffering sockets get `entries` in their buffer.

        `counts`: the counts frame that ends `messages`, if any (not an event: never buffered, and
        a socket that finished joining during the pass still gets it after its fresh events).

        A send only waits when that socket's transport is full (a client that stopped
        reading). Each send has a deadline: one that makes no progress for SLOW_SEND
        (at least 3/4 of it) raises TimeoutError; that socket is dropped and closed (it
        resumes from its last seq when it reconnects) and the pass goes on with the others.

        The deadline is one asyncio.timeout_at per pass, moved forward at most every
        SLOW_SEND/4 rather than per send: a timeout context per send cost about 11 µs, as
        much as 5,000 plain sends (measured on the benchmark machine, see docs/architecture.md).
        """
        sends_before = self.sends
        loop = asyncio.get_running_loop()
        remaining = iter(targets)
        # Framed once for the whole pass; sockets with a direct wire take these bytes (dialogues/wire.py).
        frames = wire.Frames([message["text"] for message in messages])
        pass_no = self.passes
        yield_at = loop.time() + FAIR_SLICE
        while True:
            try:
                first_deadline = loop.time() + SLOW_SEND
                async with asyncio.timeout_at(first_deadline) as deadline:
                    renew_at = first_deadline - SLOW_SEND * 3 / 4
                    now = loop.time()
                    for consumer in remaining:
                        if consumer.buffering:
                            consumer.buffer.extend(entries)
                            continue
                        outgoing = messages
                        direct = consumer.wire
                        if consumer.live_pass == pass_no and entries:
                            # It finished joining while this pass yielded: its replay may hold some of these.
                            fresh = [e for e in entries if e[1] > consumer.last[e[0]]]
                            outgoing = (self._messages(fresh) if fresh else []) + (counts or [])
                            direct = None
                        self.sending = consumer
                        try:
                            if direct is not None and direct.write(frames):  # never waits
                                self.sends += frames.count
                                outgoing = []
                                now = loop.time()
                            for message in outgoing:
                                now = loop.time()
                                if now > renew_at:  # this send gets between 3/4 and all of SLOW_SEND
                                    deadline.reschedule(now + SLOW_SEND)
                                    renew_at = now + SLOW_SEND / 4
                                self.sends += 1
                                # The raw ASGI send Channels stored (tests/dialogues/test_channels_assumptions.py).
                                await consumer.base_send(message)
                        except Exception:  # a socket that went away must not stop the others
                            self.remove(consumer)
                        if now > yield_at:
                            # Let the loop serve requests and other sockets; this socket is done, so a deadline
                            # expiring here blames nobody.
                            self.sending = None
                            await asyncio.sleep(0)
                            now = loop.time()
                            yield_at = now + FAIR_SLICE
                break
            except TimeoutError:
                # `remaining` resumes after the socket whose send ran out of time.
                stuck, self.sending = self.sending, None
                if stuck is not None:  # set unless the deadline expired while the pass yielded
                    self.remove(stuck)
                    stuck.kick()
        self.sending = None
        FRAMES_SENT.inc(self.sends - sends_before)

    async def _fill_gap(self, scope: str) -> None:
        """A frame came ahead of its predecessor: wait briefly, then read what is missing from the database."""
        try:
            await asyncio.sleep(GAP_WAIT)
            held = self.held[scope]
            while held:
                after, before = self.last[scope], min(held)
                missing = [] if before == after + 1 else await _missing_events(self.session_id, scope, after, before)
                async with self.lock:
                    ready: list[tuple[str, int, str]] = []
                    for seq, text in missing:
                        self._accept(scope, seq, text, ready)
                    if held and min(held) > self.last[scope] + 1 and self.last[scope] == after:
                        # Not in the database either (cannot happen after a commit): skip rather than stall.
                        log.error(
                            "dialogues: session %s %s events %s..%s missing",
                            self.session_id,
                            scope,
                            after + 1,
                            min(held) - 1,
                        )
                        self.last[scope] = min(held) - 1
                    if held and min(held) == self.last[scope] + 1:
                        first = min(held)
                        self._accept(scope, first, held.pop(first), ready)
                    await self._deliver(ready)
        finally:
            self.gap_tasks.pop(scope, None)

    def schedule_resync(self) -> None:
        """After pub/sub reconnects: read from the database whatever was published while it was down."""
        self._spawn(self._resync())

    async def _resync(self) -> None:
        for scope in (PUBLIC, MODERATORS):
            missing = await _missing_events(self.session_id, scope, self.last[scope], 2**31)
            async with self.lock:
                ready: list[tuple[str, int, str]] = []
                for seq, text in missing:
                    self._accept(scope, seq, text, ready)
                await self._deliver(ready)
        self.set_live(True)  # after the missed events: the page is current when its banner goes

    # Whether live events flow (pub/sub connected): pages show "reconnecting" while they do not

    def set_live(self, live: bool) -> None:
        """Tell this room's sockets once that live events stopped (Redis lost) or flow again."""
        if self.live == live or self.closed:
            return
        self.live = live
        self._spawn(self._send_status())

    def status_frame(self) -> str:
        return orjson.dumps({"type": "status", "data": {"live": self.live}}).decode()

    async def _send_status(self) -> None:
        async with self.lock:
            # Sockets still catching up are skipped: they ask for the status after `ready` (consumers).
            await self._send_all(tuple(self.consumers), [{"type": "websocket.send", "text": self.status_frame()}], [])

    # What a joining consumer needs

    def replay_from_memory(self, after: int) -> list[tuple[int, str]] | None:
        """Frames after `after` if the ring still holds them all (None: ask the database)."""
        if after > self.last[PUBLIC]:
            return None
        if after == self.last[PUBLIC]:
            return []
        if not self.ring or self.ring[0][0] > after + 1:
            return None
        return [(seq, text) for seq, text in self.ring if seq > after]

    async def snapshot(self) -> tuple[int, str]:
        """(seq, snapshot frame): reused while nothing changed, built once for many concurrent joiners."""
        cached = self.snapshot_cache
        if cached and cached[0] == self.last[PUBLIC] and time.monotonic() - cached[2] < SNAPSHOT_MAX_AGE:
            return cached[0], cached[1]
        if self.snapshot_pending is None:
            task = asyncio.ensure_future(_snapshot_text(self.session_id))
            self.snapshot_pending = task

            def done(finished: asyncio.Future) -> None:
                self.snapshot_pending = None
                if not finished.cancelled() and finished.exception() is None:
                    seq, text = finished.result()
                    self.snapshot_cache = (seq, text, time.monotonic())

            task.add_done_callback(done)
        # Shielded: one joiner going away must not cancel the read the others wait for.
        return await asyncio.shield(self.snapshot_pending)

    def counts_frame(self, *, full: bool) -> str:
        votes = self.votes if full else self.votes_dirty
        viewers = self.viewers_total if self.viewers_sent >= 0 else len(self.consumers)
        return orjson.dumps(
            {"type": "counts", "data": {"viewers": viewers, "votes": {str(k): v for k, v in votes.items()}}}
        ).decode()

    def _counts_due(self) -> bool:
        """Something changed and the last counts frame is at least an interval old (the rate clients are promised)."""
        changed = bool(self.votes_dirty) or self.viewers_total != self.viewers_sent
        return changed and asyncio.get_running_loop().time() - self.counts_at >= settings.DIALOGUES_COUNTS_INTERVAL

    def _take_counts(self) -> list[dict]:
        """The counts frame of what changed since the last one, as a message; the changes count as sent."""
        now = asyncio.get_running_loop().time()
        self.counts_at = now
        self.next_beat = now + settings.DIALOGUES_HEARTBEAT_SECONDS
        self.viewers_sent = self.viewers_total
        message = {"type": "websocket.send", "text": self.counts_frame(full=False)}
        self.votes_dirty = {}
        return [message]

    async def _tick(self) -> None:
        """Coalesced counts: at most one frame per interval, only when something changed.

        While events flow, the counts usually go with them (_deliver); this sends them when no event came.
        Heartbeat: a counts frame at least every DIALOGUES_HEARTBEAT_SECONDS even when nothing changed, so a
        client that hears nothing for longer knows its connection stalled (docs/live-protocol.md, "Heartbeat").
        """
        interval = settings.DIALOGUES_COUNTS_INTERVAL
        loop = asyncio.get_running_loop()
        next_viewers = 0.0
        self.next_beat = loop.time() + settings.DIALOGUES_HEARTBEAT_SECONDS
        while True:
            await asyncio.sleep(interval)
            if loop.time() >= next_viewers:
                self.viewers_total = await self.hub.backend.viewers(self, len(self.consumers))
                next_viewers = loop.time() + VIEWERS_EVERY
            async with self.lock:
                if not self._counts_due() and loop.time() < self.next_beat:
                    continue  # nothing changed, or an event's pass took the counts less than an interval ago
                await self._send_all(tuple(self.consumers), self._take_counts(), [])


class Hub:
    """The process's rooms, bound to one event loop and one configuration."""

    def __init__(self, loop: asyncio.AbstractEventLoop, url: str, prefix: str) -> None:
        self.loop = loop
        self.config = (url, prefix)
        self.backend = RedisBackend(url, prefix) if url else LocalBackend(prefix)
        self.rooms: dict[int, Room] = {}
        self.starting: dict[int, asyncio.Future] = {}
        self.closing: set[asyncio.Future] = set()

    async def join(self, consumer: "DialogueConsumer", session_id: int, *, moderator: bool) -> Room:
        room = self.rooms.get(session_id)
        if room is None:
            room = Room(self, session_id)
            self.rooms[session_id] = room
            self.starting[session_id] = asyncio.ensure_future(room.start())
        starting = self.starting.get(session_id)
        if starting is not None:
            try:
                await asyncio.shield(starting)
            except Exception:
                if self.rooms.get(session_id) is room:
                    del self.rooms[session_id]
                    self.starting.pop(session_id, None)
                    await room.close()
                raise
            self.starting.pop(session_id, None)
        room.add(consumer, moderator=moderator)
        return room

    def leave(self, consumer: "DialogueConsumer", session_id: int) -> None:
        room = self.rooms.get(session_id)
        if room is not None:
            room.remove(consumer)

    def retire(self, room: Room) -> None:
        """Close a room whose sockets all left ROOM_LINGER ago."""
        if room.consumers or self.rooms.get(room.session_id) is not room:
            return
        del self.rooms[room.session_id]
        task = asyncio.ensure_future(room.close())
        self.closing.add(task)
        task.add_done_callback(self.closing.discard)

    async def close(self) -> None:
        rooms, self.rooms = list(self.rooms.values()), {}
        for room in rooms:
            await room.close()
        await self.backend.close()


_current: Hub | None = None


def get_hub() -> Hub:
    """This process's hub for the running loop and the current settings."""
    global _current
    loop = asyncio.get_running_loop()
    config = hub_config()
    if _current is None or _current.loop is not loop or _current.config != config:
        _current = Hub(loop, *config)
    return _current


async def close_hub() -> None:
    """Close the current hub's rooms and connections (tests, shutdown)."""
    global _current
    hub, _current = _current, None
    if hub is not None and hub.loop is asyncio.get_running_loop():
        await hub.close()
