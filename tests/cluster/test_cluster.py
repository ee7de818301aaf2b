"""`make test-cluster`: several web nodes behind HAProxy, a read replica and Redis through Sentinel, on loopback.

Steps, each asserted, with a summary printed at the end (run with -s):
1. WATCHERS sockets through the balancer on one live session, spread over the nodes; the moderator's
   ACTIONS approvals reach every watcher once, in order.
2. One web node is SIGKILLed mid-stream: its watchers reconnect through the balancer to the others and resume
   from last_seq with 0 missed and 0 duplicated events; p95 time to resume.
3. The Redis primary is SIGKILLed: Sentinel promotes the replica, events continue, SUBMISSIONS questions posted
   during the failover are all saved and each receipt e-mail is delivered exactly once.
4. The PostgreSQL replica is stopped: the archive keeps answering (from the primary); restarted, it serves again.
5. Rolling restart of every web node, one by one: no request lost (the balancer retries), no live event lost.

Sized for a 2-core machine shared with other work (CLUSTER_WATCHERS, CLUSTER_SUBMISSIONS to change it).
"""

import asyncio
import json
import os
import random
import shutil
import threading
import time
from collections import Counter

import pytest
import requests
import websockets

from tests.config.test_outages import ask_payload
from tests.dialogues.wsutil import unpack
from tests.notifications import live

from .stack import Cluster

pytestmark = [pytest.mark.slow, pytest.mark.cluster, pytest.mark.timeout(900)]

WATCHERS = int(os.environ.get("CLUSTER_WATCHERS", "300"))
ACTIONS = 50
SUBMISSIONS = int(os.environ.get("CLUSTER_SUBMISSIONS", "100"))
CONFIRM_KIND = "qa.confirm_email"


class Watchers:
    """WATCHERS live pages in one event loop (a thread): each resumes from its last seq after any disconnect."""

    def __init__(self, base: str, session_id: int, count: int) -> None:
        self.url = base.replace("http://", "ws://") + f"/ws/dialogues/{session_id}/"
        self.origin = base
        self.count = count
        self.events: list[list[int]] = [[] for _ in range(count)]
        self.duplicates = [0] * count
        self.gaps = [0] * count
        self.reconnects = [0] * count
        self.resume_seconds: list[float] = []
        self.ready = [False] * count
        self.stop = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    def start(self) -> None:
        self.thread.start()

    async def _main(self) -> None:
        await asyncio.gather(*(self._watch(i) for i in range(self.count)))

    async def _watch(self, i: int) -> None:
        last: int | None = None
        lost_at: float | None = None
        await asyncio.sleep(i * 0.004)  # a ramp, not a stampede
        while not self.stop.is_set():
            try:
                async with websockets.connect(self.url, origin=self.origin, open_timeout=30, max_size=2**22) as ws:
                    hello = {"type": "hello"} if last is None else {"type": "hello", "last_seq": last}
                    await ws.send(json.dumps(hello))
                    while not self.stop.is_set():
                        try:
                            frame = json.loads(await asyncio.wait_for(ws.recv(), timeout=0.5))
                        except TimeoutError:
                            continue
                        for message in unpack(frame):
                            kind, seq = message.get("type"), message.get("seq")
                            if kind == "snapshot":
                                last = seq if last is None else last
                            elif kind == "ready":
                                self.ready[i] = True
                                if lost_at is not None:
                                    self.resume_seconds.append(time.monotonic() - lost_at)
                                    lost_at = None
                            elif seq is not None and "." in kind:
                                if last is not None and seq <= last:
                                    self.duplicates[i] += 1
                                    continue
                                if last is not None and seq != last + 1:
                                    self.gaps[i] += 1
                                last = seq
                                self.events[i].append(seq)
            except (websockets.ConnectionClosed, OSError, TimeoutError, websockets.InvalidStatus):
                pass
            if self.stop.is_set():
                return
            if lost_at is None:
                lost_at = time.monotonic()
            self.reconnects[i] += 1
            self.ready[i] = False
            await asyncio.sleep(0.2 + random.random() * 0.5)

    def all_have(self, count: int) -> bool:
        return all(len(events) >= count for events in self.events)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)] if values else 0.0


def approve(cluster: Cluster, count: int, gap: float) -> threading.Thread:
    thread = threading.Thread(target=cluster.django, args=("approve", str(count), str(gap)))
    thread.start()
    return thread


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    for program in ("haproxy", "redis-server"):
        if not shutil.which(program, path=f"{os.environ['PATH']}:/usr/sbin"):
            pytest.skip(f"{program} is not installed")
    stack = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def test_cluster(cluster):
    summary: list[str] = [
        f"cluster up in {cluster.timings['start']:.0f} s (databases {cluster.timings['databases']:.0f} s)"
    ]
    data = cluster.django("seed", str(ACTIONS * 3 + 20))
    base = cluster.base

    # 1. Watchers over the nodes, 50 actions to everyone once and in order.
    watchers = Watchers(base, data["session"], WATCHERS)
    watchers.start()
    began = time.monotonic()
    assert live.wait_until(lambda: all(watchers.ready), 120, 0.5), f"{sum(watchers.ready)}/{WATCHERS} ready"
    connect_seconds = time.monotonic() - began
    spread = {name: int(s["scur"]) for name, s in cluster.proxy.servers().items()}
    assert all(count >= WATCHERS // (2 * len(spread)) for count in spread.values()), spread
    sent = time.monotonic()
    approve(cluster, ACTIONS, 0.02).join()
    assert live.wait_until(lambda: watchers.all_have(ACTIONS), 60, 0.2), Counter(len(e) for e in watchers.events)
    step1 = time.monotonic() - sent
    assert sum(watchers.duplicates) == 0 and sum(watchers.gaps) == 0
    assert all(e == list(range(e[0], e[0] + ACTIONS)) for e in watchers.events)
    summary.append(
        f"1. {WATCHERS} watchers connected in {connect_seconds:.1f} s, spread {spread}; {ACTIONS} actions reached "
        f"every watcher once and in order in {step1:.1f} s"
    )

    # 2. SIGKILL a node mid-stream.
    before_reconnects = sum(watchers.reconnects)
    actions = approve(cluster, ACTIONS, 0.05)
    time.sleep(0.8)
    victim = cluster.nodes[0]
    victim.kill()
    actions.join()
    assert live.wait_until(lambda: watchers.all_have(2 * ACTIONS), 90, 0.2), Counter(len(e) for e in watchers.events)
    moved = sum(watchers.reconnects) - before_reconnects
    assert moved > 0
    assert sum(watchers.duplicates) == 0 and sum(watchers.gaps) == 0
    summary.append(
        f"2. {victim.name} SIGKILLed: {moved} watchers reconnected and resumed, 0 missed, 0 duplicated; "
        f"resume p95 {p95(watchers.resume_seconds):.2f} s, max {max(watchers.resume_seconds):.2f} s"
    )
    victim.start()
    live.wait_until(lambda: cluster.proxy.servers()[victim.name]["status"] == "UP", 15, 0.2)

    # 3. Redis primary killed during submissions and events.
    old_port = cluster.redis.master_port()
    killed_at = cluster.redis.kill_primary()
    failover = threading.Thread(target=cluster.redis.wait_failover, args=(old_port, 30))
    failover.start()
    actions = approve(cluster, 20, 0.1)
    codes = Counter()
    for n in range(SUBMISSIONS):
        try:
            response = requests.post(
                f"{base}/api/v1/questions/", json=ask_payload(data["agency"], data["topic"], n), timeout=30
            )
            codes[response.status_code] += 1
        except requests.RequestException as exc:
            codes[type(exc).__name__] += 1
    actions.join()
    failover.join(timeout=40)
    assert cluster.redis.promoted_at is not None
    assert codes == {201: SUBMISSIONS}, codes
    assert live.wait_until(lambda: watchers.all_have(2 * ACTIONS + 20), 60, 0.2)
    assert sum(watchers.duplicates) == 0 and sum(watchers.gaps) == 0
    mails = live.wait_until(lambda: len(cluster.smtp.received(CONFIRM_KIND)) >= SUBMISSIONS, 120, 0.5)
    time.sleep(5)
    per_address = Counter(str(m["To"]) for m in cluster.smtp.received(CONFIRM_KIND))
    assert mails and per_address == {f"lan{n:03d}@example.vn": 1 for n in range(SUBMISSIONS)}, len(per_address)
    summary.append(
        f"3. Redis primary SIGKILLed: replica promoted in {cluster.redis.promoted_at - killed_at:.1f} s; "
        f"{SUBMISSIONS}/{SUBMISSIONS} submissions saved; {SUBMISSIONS} receipts, lost 0, duplicated 0; "
        f"20 events during the failover, missed 0"
    )

    # 4. Replica stopped, then restarted.
    cluster.replica.stop()
    paths = ["/questions/", f"/questions/{data['questions'][0]}/", "/api/v1/questions/"]
    answers = Counter(requests.get(f"{base}{p}", timeout=30).status_code for _ in range(10) for p in paths)
    assert answers == {200: 30}, answers
    cluster.replica.start()
    mark = len(cluster.replica.statements())
    back = live.wait_until(
        lambda: (
            requests.get(f"{base}{paths[1]}", timeout=30).status_code == 200
            and any("qa_question" in s for s in cluster.replica.statements()[mark:])
        ),
        30,
        0.3,
    )
    assert back
    summary.append("4. replica stopped: 30/30 archive requests 200 from the primary; restarted: reads return to it")

    # 5. Rolling restart with traffic and events.
    stop_traffic = threading.Event()
    traffic: Counter = Counter()

    def browse() -> None:
        while not stop_traffic.is_set():
            try:
                traffic[requests.get(f"{base}/api/v1/questions/", timeout=30).status_code] += 1
            except requests.RequestException as exc:
                traffic[type(exc).__name__] += 1

    browsers = [threading.Thread(target=browse) for _ in range(2)]
    for thread in browsers:
        thread.start()
    actions = approve(cluster, ACTIONS, 0.1)
    for node in cluster.nodes:
        cluster.proxy.command(f"disable server nodes/{node.name}")  # drained first, as an operator would
        time.sleep(0.5)
        node.terminate()
        node.start()
        cluster.proxy.command(f"enable server nodes/{node.name}")
        live.wait_until(lambda n=node: cluster.proxy.servers()[n.name]["status"] == "UP", 15, 0.2)
    actions.join()
    stop_traffic.set()
    for thread in browsers:
        thread.join(timeout=30)
    assert set(traffic) == {200}, traffic
    assert live.wait_until(lambda: watchers.all_have(3 * ACTIONS + 20), 60, 0.2)
    assert sum(watchers.duplicates) == 0 and sum(watchers.gaps) == 0
    watchers.close()
    rolling = (
        f"5. rolling restart of {len(cluster.nodes)} nodes: {traffic[200]} requests all 200, "
        f"{ACTIONS} events to {WATCHERS} watchers, missed 0, duplicated 0"
    )
    summary.append(rolling)
    summary.append(capacity(cluster))
    print("\n" + "\n".join(summary))


def capacity(cluster: Cluster, seconds: float = 4.0, clients: int = 6) -> str:
    """Archive API requests per second through the balancer with 1, 2 and 3 nodes in rotation (the others
    disabled in HAProxy). The load generator shares the machine's 2 cores with the nodes, PostgreSQL and Redis,
    so absolute figures are bounded by the machine; the ratios are what the model uses."""
    url = f"{cluster.base}/api/v1/questions/"
    rates = {}
    for enabled in range(1, len(cluster.nodes) + 1):
        for index, node in enumerate(cluster.nodes):
            cluster.proxy.command(f"{'enable' if index < enabled else 'disable'} server nodes/{node.name}")
        time.sleep(0.5)
        done = Counter()
        deadline = time.monotonic() + seconds

        def load(done=done, deadline=deadline) -> None:
            with requests.Session() as client:
                while time.monotonic() < deadline:
                    done[client.get(url, timeout=30).status_code] += 1

        threads = [threading.Thread(target=load) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert set(done) == {200}, done
        rates[enabled] = done[200] / seconds
    for node in cluster.nodes:
        cluster.proxy.command(f"enable server nodes/{node.name}")
    ratios = ", ".join(f"{n} nodes {rate:.0f}/s ({rate / rates[1]:.2f}×)" for n, rate in rates.items())
    return f"6. archive API through the balancer ({clients} clients on the same 2 cores): {ratios}"
