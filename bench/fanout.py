"""Live fan-out: N watchers of one session, from the moderator's commit to each watcher's receipt.

Three designs are measured in the same run, one after the other, with the same
Node watchers and the same kind of frame:

- floor: bench/floor_server.py, a bare `websockets.broadcast` server fed by Redis pub/sub;
- hub: the platform as deployed (uvicorn, the per-process hub of dialogues/hub.py);
- group: the straightforward Channels design (bench/group.py: every consumer in a channels-redis
  core-layer group; the same server with DIALOGUES_FANOUT=group).

For the platform designs an event is a real moderator action: the harness calls
dialogues.services.live_question_approve on a pending question; t0 is taken by an
on_commit callback registered before the service's own (the publish), so it is
the commit time. For the floor, t0 is taken just before the PUBLISH.
"""

import contextlib
import datetime
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import orjson
import redis
from django.db import transaction
from django.utils import timezone

from . import stack
from .stack import PROCS, NodeWatchers, Server, percentile

FLOOR_CHANNEL = f"{stack.RUN_PREFIX}:floor"


class Latencies:
    """p50 and p99 of `latencies_ms` (the last watcher's receipt of each event)."""

    latencies_ms: list[float]

    @property
    def p50(self):
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self):
        return percentile(self.latencies_ms, 99)


@dataclass
class Round(Latencies):
    latencies_ms: list[float]  # per event: last watcher's receipt - commit
    first_ms: list[float]  # per event: first watcher's receipt - commit
    delivered: int  # events that reached every watcher
    events: int
    rate: float | None = None  # events per second actually triggered (bursts)


@dataclass
class DesignResult:
    design: str
    watchers: int
    processes: int
    connected: int = 0
    connect_s: float = 0.0
    rss_idle_kib: int = 0
    rss_per_watcher_kib: float | None = None
    single: list[Round] = field(default_factory=list)
    burst: list[Round] = field(default_factory=list)
    gaps: int = 0
    dups: int = 0
    errors: int = 0
    frames: int = 0  # WebSocket frames the watchers received in all (a batch frame counts once)
    redis: dict | None = None
    cpu_per_event_ms: float | None = None  # during the single events
    burst_cpu_per_event_ms: float | None = None  # during the bursts (events written together cost less)
    note: str = ""


# --- The session the platform designs broadcast ---------------------------------------------------


class LiveSession:
    """A live session with a moderator and a stock of pending questions to approve (one event each)."""

    def __init__(self) -> None:
        from accounts.models import Agency, Membership, User
        from dialogues import services

        agency, _ = Agency.objects.get_or_create(
            code="HP-BENCH-LIVE", defaults={"slug": "bench-live", "name": "Sở Thông tin và Truyền thông (bench)"}
        )
        self.moderator, _ = User.objects.get_or_create(
            email="bench-moderator@example.vn", defaults={"full_name": "Bench Moderator", "email_verified": True}
        )
        Membership.objects.get_or_create(user=self.moderator, agency=agency, role="moderator")
        start = timezone.now() + datetime.timedelta(minutes=5)
        session = services.session_create(
            agency=agency,
            actor=self.moderator,
            title="Đối thoại trực tuyến về chuyển đổi số (benchmark)",
            scheduled_start=start,
            scheduled_end=start + datetime.timedelta(hours=2),
        )
        services.session_open(session_id=session.pk, actor=self.moderator)
        services.session_start(session_id=session.pk, actor=self.moderator)
        services.session_set_questions_open(session_id=session.pk, actor=self.moderator, is_open=True)
        self.id = session.pk
        self.pending: list[int] = []

    def stock(self, count: int) -> None:
        from dialogues import services

        for i in range(count):
            question = services.live_question_ask(
                session_id=self.id,
                actor=None,
                text=f"Xin hỏi lộ trình cấp căn cước điện tử mức độ 2 cho người cao tuổi, câu hỏi số {i + 1}?",
                display_name="Người xem",
                browser_key=f"bench-{self.id}-{len(self.pending)}-{i}",
            )
            self.pending.append(question.pk)

    def trigger(self) -> tuple[float, int]:
        """Approve one pending question; return (commit time in ms, its event's seq). Thread-safe."""
        from dialogues import services
        from dialogues.models import DialogueSession

        question_id = self.pending.pop(0)
        stamp: list[float] = []
        with transaction.atomic():
            transaction.on_commit(lambda: stamp.append(time.time() * 1000))
            services.live_question_approve(question_id=question_id, actor=self.moderator)
            # Still inside the transaction that holds the session's lock: this is our event's number.
            seq = DialogueSession.objects.values_list("last_seq", flat=True).get(pk=self.id)
        return stamp[0], seq

    def frame(self) -> bytes:
        """A frame like the ones the platform sends, for the floor (seq filled in per event)."""
        from dialogues import payloads
        from dialogues.models import LiveQuestion

        question = LiveQuestion.objects.filter(session_id=self.id).order_by("id").first()
        return orjson.dumps(
            {"type": "question.approved", "seq": 0, "data": {"question": payloads.question_payload(question)}}
        )


class FloorTrigger:
    def __init__(self, template: bytes) -> None:
        self.client = redis.Redis.from_url(stack.REDIS_URL)
        self.template = orjson.loads(template)
        self.seq = 0
        self.lock = threading.Lock()

    def trigger(self) -> tuple[float, int]:
        with self.lock:  # seqs must be published in order, as the platform's commits are
            self.seq += 1
            data = orjson.dumps({**self.template, "seq": self.seq})
            t0 = time.time() * 1000
            self.client.publish(FLOOR_CHANNEL, data)
            return t0, self.seq


# --- Measuring ----------------------------------------------------------------------------------


def _single_round(watchers: NodeWatchers, trigger, events: int, spacing: float, timeout: float) -> Round:
    latencies, firsts, delivered = [], [], 0
    for _ in range(events):
        started = time.monotonic()
        t0, seq = trigger()
        done = watchers.wait_done([seq], timeout).get(seq)
        if done:
            delivered += 1
            latencies.append(done["last"] - t0)
            firsts.append(done["first"] - t0)
        else:
            latencies.append(timeout * 1000)  # counted as its timeout: never better than it was
        rest = spacing - (time.monotonic() - started)
        if rest > 0:
            time.sleep(rest)
    return Round(latencies, firsts, delivered, events)


def _burst_round(watchers: NodeWatchers, trigger, events: int, rate: float, timeout: float) -> Round:
    """`events` actions at `rate` a second, from a few threads (as several moderators would act).

    One action holds the session's row lock for a few milliseconds, longer on a busy
    machine, so one thread alone cannot always keep 20 a second.
    """
    futures = []
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=4) as pool:
        for i in range(events):
            pause = started + i / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            futures.append(pool.submit(trigger))
        sent = [f.result() for f in futures]
    last_commit = max(t0 for t0, _ in sent) / 1000
    first_commit = min(t0 for t0, _ in sent) / 1000
    actual_rate = (events - 1) / max(last_commit - first_commit, 1e-6) if events > 1 else rate
    done = watchers.wait_done([seq for _, seq in sent], timeout)
    latencies, firsts = [], []
    for t0, seq in sent:
        if seq in done:
            latencies.append(done[seq]["last"] - t0)
            firsts.append(done[seq]["first"] - t0)
        else:
            latencies.append(timeout * 1000)
    return Round(latencies, firsts, len(done), events, rate=actual_rate)


class RedisCommandCounter:
    """MONITOR on Redis, counting commands issued on the bench DB (and PUBLISHes, whatever the DB)."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.publishes = 0
        self.stop = threading.Event()
        self.client = redis.Redis.from_url(stack.REDIS_URL)
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        self.ready.wait(5)

    def _run(self) -> None:
        with self.client.monitor() as monitor:
            self.ready.set()
            for command in monitor.listen():
                if self.stop.is_set():
                    break
                name = command["command"].split(" ", 1)[0].strip('"').upper()
                if command.get("db") == stack.REDIS_DB or name == "PUBLISH":
                    self.counts[name] = self.counts.get(name, 0) + 1

    def finish(self) -> dict[str, int]:
        self.stop.set()
        # Wake the reader with one more command so it sees the flag.
        redis.Redis.from_url(stack.REDIS_URL).ping()
        self.thread.join(5)
        return dict(self.counts)


def run_design(
    design: str,
    watchers_n: int,
    *,
    database: str,
    rounds: int,
    events: int,
    burst_events: int,
    burst_rate: float,
    timeout: float,
    workers: int = 1,
    count_redis: int = 0,
) -> DesignResult:
    with group_override() if design == "group" else contextlib.nullcontext():
        return _run_design(
            design,
            watchers_n,
            database=database,
            rounds=rounds,
            events=events,
            burst_events=burst_events,
            burst_rate=burst_rate,
            timeout=timeout,
            workers=workers,
            count_redis=count_redis,
        )


def _run_design(
    design, watchers_n, *, database, rounds, events, burst_events, burst_rate, timeout, workers, count_redis
) -> DesignResult:
    result = DesignResult(design=design, watchers=watchers_n, processes=workers)
    server = None
    floor = None
    live = None
    if design == "floor":
        port = stack.free_port()
        floor = PROCS.start(
            "floor",
            [
                stack.PYTHON,
                "bench/floor_server.py",
                "--port",
                str(port),
                "--redis-url",
                stack.REDIS_URL,
                "--channel",
                FLOOR_CHANNEL,
            ],
        )
        wait_port(port, floor)
        url = f"ws://127.0.0.1:{port}/"
        origin = f"http://127.0.0.1:{port}"
        pid = floor.pid
        template_session = LiveSession()
        template_session.stock(1)
        floor_trigger = FloorTrigger(template_session.frame())
        trigger = floor_trigger.trigger
        protocol = "plain"
        result.processes = 1
    else:
        extra = {"DIALOGUES_FANOUT": "group"} if design == "group" else {}
        server = Server(database, workers=workers, extra_env=extra, label=design)
        live = LiveSession()
        url = f"ws://127.0.0.1:{server.port}/ws/dialogues/{live.id}/"
        origin = server.base
        pid = server.proc.pid
        trigger = live.trigger
        protocol = "hub"
        live.stock(rounds * events + rounds * burst_events + count_redis + 2)
    watchers = NodeWatchers()
    try:
        time.sleep(0.5)
        rss_before = stack.rss_kib(pid)
        watchers.call(cmd="config", url=url, origin=origin, protocol=protocol)
        connected = watchers.call(cmd="connect", n=watchers_n, concurrency=100, timeout=600)
        result.connected = connected["ready"]
        result.connect_s = connected["ms"] / 1000
        if connected["ready"] < watchers_n:
            result.note = f"only {connected['ready']} of {watchers_n} watchers connected"
        time.sleep(3)  # idle: what the sockets cost at rest
        result.rss_idle_kib = stack.rss_kib(pid)
        result.rss_per_watcher_kib = (result.rss_idle_kib - rss_before) / max(connected["ready"], 1)
        watchers.call(cmd="expect", n=connected["ready"])
        cpu_before = stack.cpu_seconds(pid)
        single_events = 0
        for _ in range(rounds):
            result.single.append(_single_round(watchers, trigger, events, 0.5, timeout))
            single_events += events
        result.cpu_per_event_ms = (stack.cpu_seconds(pid) - cpu_before) * 1000 / max(single_events, 1)
        cpu_before = stack.cpu_seconds(pid)
        for _ in range(rounds if burst_events else 0):
            result.burst.append(_burst_round(watchers, trigger, burst_events, burst_rate, timeout))
            time.sleep(1.0)
        if result.burst:
            burst_cpu = stack.cpu_seconds(pid) - cpu_before
            result.burst_cpu_per_event_ms = burst_cpu * 1000 / sum(r.events for r in result.burst)
        if count_redis:
            counter = RedisCommandCounter()
            round_ = _single_round(watchers, trigger, count_redis, 0.5, timeout)
            counts = counter.finish()
            result.redis = {
                "events": count_redis,
                "delivered": round_.delivered,
                "publish_per_event": counts.get("PUBLISH", 0) / count_redis,
                "commands_per_event": sum(counts.values()) / count_redis,
                "counts": counts,
            }
        report = watchers.call(cmd="report", seqs=[], timeout=60)
        result.gaps, result.dups, result.errors = report["gaps"], report["dups"], report["errors"]
        result.frames = report.get("frames", 0)
    finally:
        watchers.close()
        if server is not None:
            server.stop()
        if floor is not None:
            PROCS.stop(floor)
    return result


def wait_port(port: int, proc, timeout: float = 30.0) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("floor server exited")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("floor server did not start")


def group_override():
    """The harness publishes like a server configured for the straightforward design."""
    from . import group

    return group.publishing()


# --- Reconnect storm ------------------------------------------------------------------------------


@dataclass
class StormResult:
    watchers: int
    within_s: float
    resumed: int
    failed: int
    resume_p50_ms: float | None
    resume_p95_ms: float | None
    events: int
    all_delivered: bool
    gaps: int
    dups: int
    queries: int
    queries_per_client: float


def run_storm(database: str, watchers_n: int, *, within_s: float, rate: float, timeout: float) -> StormResult:
    """Every watcher drops and reconnects with last_seq within `within_s`, while events keep coming."""
    server = Server(database, label="storm")
    live = LiveSession()
    # Enough actions for a storm that takes much longer than planned on a busy machine.
    live.stock(int(rate * (within_s + 120)) + 10)
    watchers = NodeWatchers()
    sent: list[tuple[float, int]] = []
    stop = threading.Event()

    def keep_acting() -> None:
        while not stop.is_set() and len(live.pending) > 3:
            sent.append(live.trigger())
            stop.wait(1 / rate)

    try:
        watchers.call(
            cmd="config",
            url=f"ws://127.0.0.1:{server.port}/ws/dialogues/{live.id}/",
            origin=server.base,
            protocol="hub",
        )
        connected = watchers.call(cmd="connect", n=watchers_n, concurrency=100, timeout=600)
        watchers.call(cmd="expect", n=connected["ready"])
        time.sleep(1)
        queries_before = server.stats()["queries"]
        actor = threading.Thread(target=keep_acting, daemon=True)
        actor.start()
        time.sleep(0.5)
        storm = watchers.call(cmd="storm", within_ms=within_s * 1000, timeout=within_s + 120)
        time.sleep(1)
        stop.set()
        actor.join(10)
        for _ in range(3):  # after the storm: everyone must be live again
            sent.append(live.trigger())
            time.sleep(0.2)
        done = watchers.wait_done([seq for _, seq in sent], timeout)
        queries = server.stats()["queries"] - queries_before
        report = watchers.call(cmd="report", seqs=[], timeout=60)
        times = storm["resume_ms"]
        return StormResult(
            watchers=connected["ready"],
            within_s=within_s,
            resumed=storm["resumed"],
            failed=storm["failed"],
            resume_p50_ms=percentile(times, 50),
            resume_p95_ms=percentile(times, 95),
            events=len(sent),
            all_delivered=len(done) == len(sent),
            gaps=report["gaps"],
            dups=report["dups"],
            queries=queries,
            queries_per_client=queries / max(storm["resumed"], 1),
        )
    finally:
        stop.set()
        watchers.close()
        server.stop()
