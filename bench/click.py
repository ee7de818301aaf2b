"""Live, timed from the moderator's click: a real action sent to the web processes, to the last watcher's receipt.

bench/fanout.py times the platform from a commit made inside the harness; here nothing
is called in-process. A moderator, logged in, approves pending questions as a browser
and a moderator's socket would:

- over HTTP, POST /api/v1/dialogues/<id>/moderation/questions/<q>/approve/ with its session
  cookie and CSRF token, through the production middleware and routes (t0: just before the
  request is written; its response time is the action's own);
- over its WebSocket, {"type": "approve", "question": q, "ref": …} (t0: just before the send;
  the action's time: until its `ack`).

Each slot is one action of each kind, the second sent as soon as the first has answered, so
it meets the first one's fan-out in progress (the response must not queue behind it).

The watchers are spread over several Node processes (bench/node/watchers.js): some logged in
(a session cookie each), every one with its signed browser key, some of them voting on the
questions they saw approved, and a pool of other sockets joining and leaving (`churn_rate`
joins and as many leaves a second). Their `counts` frames are counted per socket: the hub
coalesces viewer and vote counts to at most one frame per DIALOGUES_COUNTS_INTERVAL.

Two designs, one after the other with the same clients and the same actions:
- floor: the actions go to one uvicorn process of the project that holds no watcher; a bare
  `websockets.broadcast` server (bench/floor_server.py) subscribed to the session's real hub
  channel holds the watchers. It is the least any design can do with the same action.
- hub: the project as deployed (uvicorn, `workers` processes, the hub of dialogues/hub.py):
  the same processes serve the moderator's requests and socket, and the watchers.
Server CPU is every server process's (the floor's includes the web process that served the actions).
"""

import http.client
import os
import queue
import time
from dataclasses import dataclass, field

from . import stack
from .fanout import Latencies, LiveSession, wait_port
from .stack import PROCS, NodeFleet, Server, percentile


@dataclass
class ClickResult(Latencies):
    design: str
    watchers: int
    processes: int  # server processes holding the watchers (the floor: 1, plus the web process)
    clients: int  # Node processes
    logged_in: int = 0
    voters: int = 0
    connected: int = 0
    connect_s: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)  # per event: last watcher's receipt - click
    first_ms: list[float] = field(default_factory=list)
    http_ms: list[float] = field(default_factory=list)  # the approve request's response time
    ws_ms: list[float] = field(default_factory=list)  # the socket's approve until its ack
    during_ms: list[float] = field(default_factory=list)  # the second action of each slot (a fan-out running)
    events: int = 0
    delivered: int = 0
    action_failures: int = 0
    cpu_per_event_ms: float | None = None  # the servers' CPU during the actions, per event
    background_cpu_per_s: float | None = None  # the same servers' CPU a second with churn and votes but no action
    churn_cpu_per_s: float | None = None  # ... with the churn alone (before any question is approved: no votes)
    marginal_cpu_per_event_ms: float | None = None  # cpu_per_event_ms less the background over the same time
    # cpu_per_event_ms less the churn alone: the votes and the counts frames they cause counted as the events'.
    # The truth lies between the two: while events flow the counts ride with them (dialogues/hub.py), so part
    # of the background's work is done by the events' passes and the first figure understates the event.
    marginal_high_cpu_per_event_ms: float | None = None
    window_s: float = 0.0
    counts_frames: int = 0
    counts_max_per_socket: int = 0
    counts_min_gap_ms: float | None = None
    counts_interval_s: float = 0.0
    churn: dict = field(default_factory=dict)
    votes: dict = field(default_factory=dict)
    gaps: int = 0
    dups: int = 0
    errors: int = 0
    dropped: int = 0  # measured sockets closed by the server (they resumed with last_seq)
    load_start: list[float] = field(default_factory=list)
    load_end: list[float] = field(default_factory=list)
    note: str = ""

    @property
    def action_p99(self):
        return percentile(self.http_ms + self.ws_ms, 99)

    @property
    def counts_rate_max(self) -> float | None:
        """The most `counts` frames one socket got a second over the window (≤ 1 / interval)."""
        return self.counts_max_per_socket / self.window_s if self.window_s else None


WARM_APPROVALS = 2  # untimed approvals before the background is measured: something for the voters to vote on


def _loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


class Moderator:
    """The moderator's browser: a session cookie and a CSRF token, one keep-alive connection."""

    def __init__(self, user, base: str) -> None:
        from django.conf import settings
        from django.middleware.csrf import _get_new_csrf_string

        from .staff import session_cookie

        self.session = session_cookie(user)
        self.csrf = _get_new_csrf_string()
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={self.session}; {settings.CSRF_COOKIE_NAME}={self.csrf}"
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)

    def approve(self, session_id: int, question_id: int) -> tuple[float, float, int]:
        """(t0 in epoch ms, response time in ms, status) of one approve through the API."""
        path = f"/api/v1/dialogues/{session_id}/moderation/questions/{question_id}/approve/"
        headers = {"Cookie": self.cookie, "X-CSRFToken": self.csrf, "Content-Type": "application/json"}
        t0 = time.time() * 1000
        try:
            self.connection.request("POST", path, body=b"{}", headers=headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # The server closed the idle keep-alive connection (uvicorn: after 5 s), as a browser finds out
            # too: a new connection, timed from the same click.
            self.connection.close()
            self.connection.request("POST", path, body=b"{}", headers=headers)
            response = self.connection.getresponse()
        response.read()
        return t0, time.time() * 1000 - t0, response.status

    def close(self) -> None:
        self.connection.close()


def _watcher_cookies(n: int, logged_in_every: int, prefix: str) -> tuple[list[str], int]:
    """A Cookie header per watcher: every one has a signed browser key; every `logged_in_every`-th a session too."""
    from django.conf import settings

    from accounts.models import User
    from dialogues import identity

    from .staff import session_cookie

    cookies, logged_in = [], 0
    for i in range(n):
        cookie = f"{identity.COOKIE}={identity.cookie_value(identity.new_key())}"
        if logged_in_every and i % logged_in_every == 1:
            user, _ = User.objects.get_or_create(
                email=f"{prefix}-{i}@example.vn", defaults={"full_name": f"Người xem {i}", "email_verified": True}
            )
            cookie += f"; {settings.SESSION_COOKIE_NAME}={session_cookie(user)}"
            logged_in += 1
        cookies.append(cookie)
    return cookies, logged_in


def run_click(
    design: str,
    watchers_n: int,
    *,
    database: str,
    clients: int,
    slots: int,
    rounds: int,
    spacing: float,
    timeout: float,
    workers: int,
    churn_rate: float,
    churn_pool: int,
    vote_rate: float,
    logged_in_every: int,
    voters_every: int,
) -> ClickResult:
    from django.conf import settings

    from dialogues.hub import PUBLIC, channel_name
    from dialogues.models import DialogueSession

    clients = max(1, min(clients, watchers_n))
    result = ClickResult(design=design, watchers=watchers_n, processes=workers, clients=clients)
    result.counts_interval_s = settings.DIALOGUES_COUNTS_INTERVAL
    live = LiveSession()
    live.stock(rounds * slots * 2 + 2 + WARM_APPROVALS)
    servers: list = []
    floor = None
    fleet = None
    moderator = None
    try:
        if design == "floor":
            web = Server(database, workers=1, label="click-web")
            servers.append(web)
            port = stack.free_port()
            channel = channel_name(stack.HUB_PREFIX, live.id, PUBLIC)
            argv = [stack.PYTHON, "bench/floor_server.py", "--port", str(port), "--redis-url", stack.REDIS_URL]
            floor = PROCS.start("floor", [*argv, "--channel", channel, "--hub-format"])
            wait_port(port, floor)
            url, origin, protocol = f"ws://127.0.0.1:{port}/", f"http://127.0.0.1:{port}", "plain"
            pids = [web.proc.pid, floor.pid]
            result.processes = 1
        else:
            web = Server(database, workers=workers, label="click")
            servers.append(web)
            url, origin, protocol = f"ws://127.0.0.1:{web.port}/ws/dialogues/{live.id}/", web.base, "hub"
            pids = [web.proc.pid]
        cookies, result.logged_in = _watcher_cookies(watchers_n, logged_in_every, f"bench-click-{live.id}")
        fleet = NodeFleet(clients)
        shares = [watchers_n // clients + (1 if k < watchers_n % clients else 0) for k in range(clients)]
        starts = [sum(shares[:k]) for k in range(clients)]
        fleet.each(
            [
                {
                    "cmd": "config",
                    "url": url,
                    "origin": origin,
                    "protocol": protocol,
                    "cookies": cookies[start : start + share],
                    "voters": voters_every if protocol == "hub" else 0,
                    "resume": protocol == "hub",
                }
                for start, share in zip(starts, shares, strict=True)
            ]
        )
        result.voters = sum(len(range(0, share, voters_every)) for share in shares) if protocol == "hub" else 0
        connected = fleet.each([{"cmd": "connect", "n": share, "concurrency": 100} for share in shares], timeout=600)
        result.connected = sum(c["ready"] for c in connected)
        result.connect_s = max(c["ms"] for c in connected) / 1000
        if result.connected < watchers_n:
            result.note = f"only {result.connected} of {watchers_n} watchers connected"
        fleet.each([{"cmd": "expect", "n": c["ready"]} for c in connected])
        moderator = Moderator(live.moderator, web.base)
        mod_url = f"ws://127.0.0.1:{web.port}/ws/dialogues/{live.id}/"
        lead = fleet.members[0]
        role = lead.call(cmd="moderator", url=mod_url, cookie=moderator.cookie, timeout=60)
        if role.get("role") != "moderator":
            raise RuntimeError(f"the moderator's socket joined as {role.get('role')!r}")
        per = [max(churn_rate / clients, 0.0)] * clients
        pools = [churn_pool // clients + (1 if k < churn_pool % clients else 0) for k in range(clients)]
        fleet.each([{"cmd": "churn", "rate": r, "pool": p} for r, p in zip(per, pools, strict=True)], timeout=120)
        fleet.all(cmd="votes", rate=vote_rate / clients if protocol == "hub" else 0)

        def cpu_per_s(seconds: float) -> float:
            before, started = sum(stack.cpu_seconds(pid) for pid in pids), time.monotonic()
            time.sleep(seconds)
            return (sum(stack.cpu_seconds(pid) for pid in pids) - before) / (time.monotonic() - started)

        time.sleep(1)
        # Voters vote only for questions they saw approved: nothing is approved yet, so this is the churn alone.
        result.churn_cpu_per_s = cpu_per_s(3)
        # Two untimed approvals, so that the background below holds the votes (and the counts frames they
        # cause) as well as the churn.
        for _ in range(WARM_APPROVALS):
            moderator.approve(live.id, live.pending.pop(0))
        time.sleep(1)  # churn and votes under way before anything is timed
        result.background_cpu_per_s = cpu_per_s(3)  # what churn and votes cost without any action
        fleet.all(cmd="reset")
        result.load_start = _loadavg()
        cpu_before = sum(stack.cpu_seconds(pid) for pid in pids)
        window_started = time.monotonic()

        def last_seq() -> int:
            return DialogueSession.objects.values_list("last_seq", flat=True).get(pk=live.id)

        def via_http(during: bool) -> tuple[float, int]:
            t0, ms, status = moderator.approve(live.id, live.pending.pop(0))
            if status != 200:
                result.action_failures += 1
            (result.during_ms if during else result.http_ms).append(ms)
            return t0, last_seq()

        def via_socket(during: bool) -> tuple[float, int]:
            clicked = time.time() * 1000
            lead.send(cmd="act", kind="approve", question=live.pending.pop(0))
            try:
                acted = lead.acted.get(timeout=timeout)
            except queue.Empty:  # no ack: counted as a failure that took the whole timeout
                acted = {"t0": clicked, "ms": timeout * 1000, "ok": False}
            if not acted["ok"]:
                result.action_failures += 1
            (result.during_ms if during else result.ws_ms).append(acted["ms"])
            return acted["t0"], last_seq()

        for slot in range(rounds * slots):
            started = time.monotonic()
            first, second = (via_http, via_socket) if slot % 2 == 0 else (via_socket, via_http)
            sent = [first(False), second(True)]
            done = fleet.wait_done([seq for _, seq in sent], timeout)
            for t0, seq in sent:
                result.events += 1
                if seq in done:
                    result.delivered += 1
                    result.latencies_ms.append(done[seq]["last"] - t0)
                    result.first_ms.append(done[seq]["first"] - t0)
                else:
                    result.latencies_ms.append(timeout * 1000)  # counted as its timeout: never better
            rest = spacing - (time.monotonic() - started)
            if rest > 0:
                time.sleep(rest)
        result.window_s = time.monotonic() - window_started
        spent = sum(stack.cpu_seconds(pid) for pid in pids) - cpu_before
        result.cpu_per_event_ms = spent * 1000 / result.events
        background = result.background_cpu_per_s * result.window_s
        result.marginal_cpu_per_event_ms = max(spent - background, 0.0) * 1000 / result.events
        churn = result.churn_cpu_per_s * result.window_s
        result.marginal_high_cpu_per_event_ms = max(spent - churn, 0.0) * 1000 / result.events
        result.load_end = _loadavg()
        fleet.all(cmd="churn", rate=0, pool=0)
        fleet.all(cmd="votes", rate=0)
        reports = fleet.all(cmd="report", seqs=[], timeout=60)
        result.gaps = sum(r["gaps"] for r in reports)
        result.dups = sum(r["dups"] for r in reports)
        result.errors = sum(r["errors"] for r in reports)
        result.dropped = sum(r.get("dropped", 0) for r in reports)
        result.counts_frames = sum(r["counts_frames"] for r in reports)
        result.counts_max_per_socket = max(r["counts_max_per_socket"] for r in reports)
        gaps = [r["counts_min_gap_ms"] for r in reports if r["counts_min_gap_ms"] is not None]
        result.counts_min_gap_ms = min(gaps) if gaps else None
        result.churn = {k: sum(r["churn"][k] for r in reports) for k in ("joins", "leaves", "failed")}
        result.churn["rate"] = result.churn["joins"] / (result.window_s + 4)
        result.votes = {k: sum(r["votes"][k] for r in reports) for k in ("sent", "ok", "refused")}
        codes: dict[str, int] = {}
        for r in reports:
            for code, count in r["votes"]["codes"].items():
                codes[code] = codes.get(code, 0) + count
        result.votes["codes"] = codes
    finally:
        if moderator is not None:
            moderator.close()
        if fleet is not None:
            fleet.close()
        for server in servers:
            server.stop()
        if floor is not None:
            PROCS.stop(floor)
    return result


# --- The table's rows and the details (bench/summary.py) ------------------------------------------


def _fmt(value, unit: str = "ms", digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f} {unit}".strip()


def _load(values: list[float]) -> str:
    return "/".join(f"{v:g}" for v in values) if values else "–"


def rows(results: list[ClickResult], row) -> None:
    """The targets of issue 17's live part, judged on the largest size of the run."""
    if not results:
        return
    n = max(r.watchers for r in results)
    hub = next((r for r in results if r.design == "hub" and r.watchers == n), None)
    floor = next((r for r in results if r.design == "floor" and r.watchers == n), None)
    if hub is None:
        return
    load = f"load {_load(hub.load_start)} → {_load(hub.load_end)}"
    if floor is not None and floor.p99:
        ratio = hub.p99 / floor.p99
        row(
            f"Live from the click: one approve (API and socket) to {n:,} watchers, p99 against the floor "
            "including the action, same run",
            "≤ 2×",
            f"{ratio:.2f} × (hub p99 {_fmt(hub.p99)}, p50 {_fmt(hub.p50)}; floor p99 {_fmt(floor.p99)}, "
            f"p50 {_fmt(floor.p50)}; {load}, floor's {_load(floor.load_start)})",
            ratio <= 2,
        )
    if floor is not None and floor.marginal_high_cpu_per_event_ms:
        # Judged on the high bound: the votes and their counts frames counted as the events' (the floor has none).
        high = hub.marginal_high_cpu_per_event_ms / floor.marginal_high_cpu_per_event_ms
        low = (hub.marginal_cpu_per_event_ms or 0) / floor.marginal_high_cpu_per_event_ms
        raw = hub.cpu_per_event_ms / floor.cpu_per_event_ms
        row(
            "Live from the click: server CPU per event (the action and its fan-out, above the background) against "
            "the floor's; judged with the votes and the counts frames they cause counted as the events'",
            "≤ 1.5×",
            f"{high:.2f} × ({_fmt(hub.marginal_high_cpu_per_event_ms, 'ms', 1)} above the churn alone against "
            f"{_fmt(floor.marginal_high_cpu_per_event_ms, 'ms', 1)}; above churn and votes {low:.2f} ×: "
            f"{_fmt(hub.marginal_cpu_per_event_ms, 'ms', 1)}; everything {raw:.2f} ×: "
            f"{_fmt(hub.cpu_per_event_ms, 'ms', 1)} against {_fmt(floor.cpu_per_event_ms, 'ms', 1)}; {load})",
            high <= 1.5,
        )
    worst = max(p for p in (percentile(hub.http_ms, 99), percentile(hub.ws_ms, 99), percentile(hub.during_ms, 99)) if p)
    row(
        f"Live from the click: the moderator's action's own response p99, {n:,} watchers, fan-outs running",
        "≤ 100 ms",
        f"API approve p99 {_fmt(percentile(hub.http_ms, 99))}, socket approve to ack p99 "
        f"{_fmt(percentile(hub.ws_ms, 99))}, sent while the previous one fans out p99 "
        f"{_fmt(percentile(hub.during_ms, 99))}; {load}",
        worst <= 100,
    )
    allowed = hub.window_s / hub.counts_interval_s + 1
    row(
        f"Live: viewer and vote count frames per socket under {hub.churn.get('rate', 0):.0f} joins and leaves/s "
        f"and {hub.votes.get('ok', 0)} votes",
        f"≤ 1 per {hub.counts_interval_s:g} s",
        f"at most {hub.counts_max_per_socket} at one socket in {hub.window_s:.1f} s "
        f"({_fmt(hub.counts_rate_max, '/s', 2)}); shortest gap {_fmt(hub.counts_min_gap_ms)}",
        hub.counts_max_per_socket <= allowed,
    )
    lost = sum(r.events - r.delivered for r in results)
    broken = sum(r.gaps + r.dups + r.action_failures for r in results)
    row(
        "Live from the click: every event at every measured watcher, in order; every action accepted",
        "0 lost",
        f"{lost} not at every watcher within the timeout; {sum(r.gaps for r in results)} gaps, "
        f"{sum(r.dups for r in results)} duplicates, {sum(r.action_failures for r in results)} actions refused",
        lost == 0 and broken == 0,
    )


def details(results: list[ClickResult]) -> str:
    lines = [
        "## Live, timed from the moderator's click",
        "",
        "Latency = last watcher's receipt − the moderator's click (just before the API request or the socket "
        "message is written). Each slot is an approve through the API and one over the moderator's socket, the "
        "second sent as soon as the first answered (while its fan-out runs); slots are 1 s apart. The floor serves "
        "the same actions through one project process without watchers, and a bare websockets.broadcast server "
        "subscribed to the session's hub channel holds the watchers. Load average (1/5/15 min) at the start and "
        "end of each design.",
        "",
        "| design | processes | watchers (logged in, voters) | Node clients | load start → end | events | p50 | p99 | "
        "first p50 | API p50 / p99 | socket ack p50 / p99 | during a fan-out p99 | server CPU per event (above "
        "churn alone; above churn and votes) | background CPU (churn alone; with votes) | "
        "counts frames max/socket (window) | churn joins/leaves | votes ok/refused | dropped, resumed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.design} | {r.processes} | {r.watchers:,} ({r.logged_in:,}, {r.voters:,}) | {r.clients} | "
            f"{_load(r.load_start)} → {_load(r.load_end)} | {r.delivered}/{r.events} | {_fmt(r.p50)} | "
            f"{_fmt(r.p99)} | {_fmt(percentile(r.first_ms, 50))} | "
            f"{_fmt(percentile(r.http_ms, 50))} / {_fmt(percentile(r.http_ms, 99))} | "
            f"{_fmt(percentile(r.ws_ms, 50))} / {_fmt(percentile(r.ws_ms, 99))} | "
            f"{_fmt(percentile(r.during_ms, 99))} | {_fmt(r.cpu_per_event_ms, 'ms', 1)} "
            f"({_fmt(r.marginal_high_cpu_per_event_ms, 'ms', 1)}; {_fmt(r.marginal_cpu_per_event_ms, 'ms', 1)}) | "
            f"{_fmt((r.churn_cpu_per_s or 0) * 100, '%', 0)}; {_fmt((r.background_cpu_per_s or 0) * 100, '%', 0)} | "
            f"{r.counts_max_per_socket} ({r.window_s:.1f} s) | {r.churn.get('joins', 0)}/{r.churn.get('leaves', 0)} | "
            f"{r.votes.get('ok', 0)}/{r.votes.get('refused', 0)} | {r.dropped} |"
        )
    notes = [f"- {r.design} {r.watchers:,}: {r.note}" for r in results if r.note]
    codes = [
        f"- {r.design} {r.watchers:,}: votes refused by code {r.votes['codes']}"
        for r in results
        if r.votes.get("codes")
    ]
    return "\n".join([*lines, "", *notes, *codes, ""])
