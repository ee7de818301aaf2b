// Thousands of WebSocket watchers in one Node process, driven by the Python harness.
//
// Why Node: a Python asyncio client reads only about 10,000 frames a second on
// these machines and then measures itself; `ws` reads far more, so the figures
// are the server's. Commands arrive as JSON lines on stdin; results go out as JSON
// lines on stdout. Times are epoch milliseconds with sub-millisecond precision
// (performance.timeOrigin + performance.now()), comparable with Python's time.time().
//
// Per event (a frame with a numeric `seq`), the client keeps how many watchers got
// it and the first and last receipt time; per watcher it checks that seqs follow
// each other with no gap and no duplicate, across reconnects too. A `batch` frame
// (several events written together, docs/live-protocol.md) counts as each of its
// events, in order, received when the frame arrived; `frames` counts WebSocket frames.
//
// For the benchmark from the moderator's click (bench/fanout.py, run_click) the same process also:
// gives each watcher its own Cookie header (a session for the logged-in ones, the signed browser key
// that lets a guest vote); keeps a pool of unmeasured sockets joining and leaving at a given rate
// (`churn`); has some watchers vote (`votes`) on the questions they saw approved; counts the
// `counts` frames each measured socket gets (the coalescing the hub promises: at most one per
// interval); and holds one moderator socket that sends actions and times their acks (`act`).
"use strict";

const readline = require("readline");
const WebSocket = require("ws");

const now = () => performance.timeOrigin + performance.now();
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const CONTROL = new Set(["ready", "snapshot", "counts", "error", "ack", "pong", "moderation"]);

let config = null; // {url, origin, protocol: "hub" | "plain", cookies: [Cookie header per watcher], voters}
let watchers = [];
let events = new Map(); // seq -> {count, first, last}
let expected = 0; // watchers that should receive each event (for "done" lines)
let gaps = 0;
let dups = 0;
let errors = 0;
let frames = 0;
let countsFrames = 0; // `counts` frames at measured sockets after their first one
let countsMinGap = null; // shortest time between two `counts` frames at one socket (ms)
let countsMaxPerSocket = 0;
let approved = []; // ids of questions seen approved (what voters vote for)
let approvedSeen = new Set();
const churn = { timer: null, pool: [], joins: 0, leaves: 0, failed: 0 };
const votes = { timer: null, sent: 0, ok: 0, refused: 0, codes: {} };
let moderator = null; // {ws, pending: Map(ref -> t0), ready}
let refs = 0;
let dropped = 0; // measured sockets the server closed (they come back with last_seq, as a page does)

class Watcher {
  constructor(index, measured = true) {
    this.index = index;
    this.measured = measured;
    this.cookie = config.cookies && config.cookies.length ? config.cookies[index % config.cookies.length] : null;
    this.voter = measured && !!config.voters && index % config.voters === 0 && !!this.cookie;
    this.voted = new Set();
    this.countsSeen = 0;
    this.countsAt = 0;
    this.lastSeq = null; // null until the first snapshot / event
    this.ws = null;
    this.ready = false;
    this.reconnects = 0;
    this.resumeStarted = 0;
    this.resumeMs = null;
    this.closedByUs = false;
  }

  open(onReady, onFail) {
    this.ready = false;
    // Compression offered, as browsers offer it: the server decides (the project's uvicorn declines it).
    const options = { origin: config.origin, perMessageDeflate: true };
    if (this.cookie) options.headers = { Cookie: this.cookie };
    const ws = new WebSocket(config.url, options);
    this.ws = ws;
    ws.on("open", () => {
      if (config.protocol === "hub") {
        const hello = this.lastSeq === null ? { type: "hello" } : { type: "hello", last_seq: this.lastSeq };
        ws.send(JSON.stringify(hello));
      } else {
        this.ready = true;
        onReady(this);
      }
    });
    ws.on("message", (data) => {
      frames++;
      const text = data.toString();
      let msg;
      try {
        msg = JSON.parse(text);
      } catch (e) {
        errors++;
        return;
      }
      const type = msg.type;
      if (type === "ready") {
        if (this.lastSeq === null && typeof msg.data?.seq === "number") this.lastSeq = msg.data.seq;
        this.ready = true;
        if (this.resumeStarted) {
          this.resumeMs = now() - this.resumeStarted;
          this.resumeStarted = 0;
        }
        onReady(this);
        return;
      }
      if (type === "snapshot") {
        this.lastSeq = msg.seq;
        return;
      }
      if (type === "error" || type === "ack") {
        if (typeof msg.ref === "string" && msg.ref.startsWith("v")) {
          if (type === "ack") votes.ok++;
          else {
            votes.refused++;
            votes.codes[msg.code] = (votes.codes[msg.code] || 0) + 1;
          }
        } else if (type === "error") errors++;
        return;
      }
      if (type === "counts") {
        if (!this.measured) return;
        const t = now();
        if (this.countsSeen > 0) {
          // The first one comes with `ready` (the full counts); the hub's coalesced ones follow.
          countsFrames++;
          if (this.countsSeen > 1) {
            const gap = t - this.countsAt;
            if (countsMinGap === null || gap < countsMinGap) countsMinGap = gap;
          }
        }
        this.countsSeen++;
        this.countsAt = t;
        if (this.countsSeen - 1 > countsMaxPerSocket) countsMaxPerSocket = this.countsSeen - 1;
        return;
      }
      if (type === "batch") {
        const t = now();
        if (!Array.isArray(msg.events)) {
          errors++;
          return;
        }
        for (const event of msg.events) this.event(event, t);
        return;
      }
      if (CONTROL.has(type)) return;
      this.event(msg, now());
    });
    ws.on("error", () => {
      if (!this.closedByUs) errors++; // a churned socket closed during its handshake is no error
    });
    ws.on("close", () => {
      const wasReady = this.ready;
      this.ready = false;
      if (this.closedByUs) return;
      if (config.resume && this.measured && wasReady && this.lastSeq !== null) {
        // Dropped after joining (by the server, or the network): back in a moment with last_seq; the replay
        // brings what was missed, so its receipt of those events is late, not lost.
        dropped++;
        setTimeout(() => this.open(() => {}, () => {}), 200 + Math.random() * 300);
        return;
      }
      if (onFail) onFail(this);
    });
  }

  // One numbered event received at time t: per-watcher order checks, per-event counts.
  event(msg, t) {
    if (typeof msg.seq !== "number" || msg.scope === "moderators") return;
    if (msg.type === "question.approved" && msg.data && msg.data.question && !approvedSeen.has(msg.data.question.id)) {
      approvedSeen.add(msg.data.question.id);
      approved.push(msg.data.question.id);
    }
    if (!this.measured) return;
    const seq = msg.seq;
    if (this.lastSeq !== null) {
      if (seq <= this.lastSeq) {
        dups++;
        return;
      }
      if (seq > this.lastSeq + 1) gaps += seq - this.lastSeq - 1;
    }
    this.lastSeq = seq;
    let ev = events.get(seq);
    if (!ev) {
      ev = { count: 0, first: t, last: t };
      events.set(seq, ev);
    }
    ev.count++;
    ev.last = t;
    if (expected && ev.count === expected) out({ ev: "done", seq, first: ev.first, last: ev.last, count: ev.count });
  }
}

function connectAll(n, concurrency, done) {
  const started = now();
  let next = 0;
  let readyCount = 0;
  let failed = 0;
  let inflight = 0;
  const launch = () => {
    while (inflight < concurrency && next < n) {
      const w = new Watcher(watchers.length);
      watchers.push(w);
      next++;
      inflight++;
      let settled = false;
      w.open(
        () => {
          if (settled) return;
          settled = true;
          inflight--;
          readyCount++;
          finish();
        },
        () => {
          if (settled) return;
          settled = true;
          inflight--;
          failed++;
          finish();
        },
      );
    }
  };
  const finish = () => {
    if (readyCount + failed === n) {
      done({ ev: "connected", ready: readyCount, failed, ms: now() - started });
    } else {
      launch();
    }
  };
  launch();
}

// Every watcher drops its socket at a random moment within `within` ms and reconnects at once with last_seq.
function storm(within, done) {
  const started = now();
  let resumed = 0;
  let failed = 0;
  const total = watchers.length;
  const check = () => {
    if (resumed + failed === total) {
      const times = watchers.map((w) => w.resumeMs).filter((x) => x !== null).sort((a, b) => a - b);
      done({ ev: "storm", resumed, failed, ms: now() - started, resume_ms: times });
    }
  };
  for (const w of watchers) {
    setTimeout(() => {
      w.closedByUs = true;
      w.ws.terminate(); // an abrupt drop, as when a phone loses the network
      w.closedByUs = false;
      w.reconnects++;
      w.resumeMs = null;
      w.resumeStarted = now();
      let settled = false;
      w.open(
        () => {
          if (settled) return;
          settled = true;
          resumed++;
          check();
        },
        () => {
          if (settled) return;
          settled = true;
          failed++;
          check();
        },
      );
    }, Math.random() * within);
  }
}

// `rate` joins and as many leaves a second, spread over the pool of unmeasured sockets.
function startChurn(rate, pool, done) {
  stopChurn();
  let settled = 0;
  const begin = () => {
    done({ ev: "churning", pool: churn.pool.length });
    if (rate > 0) churn.timer = setInterval(churnOne, 1000 / rate);
  };
  const onSettled = (w) => {
    if (w.settled) return;
    w.settled = true;
    settled++;
    if (settled === pool) begin(); // the timer starts once the pool is open: it never cuts a handshake short
  };
  for (let i = 0; i < pool; i++) {
    const w = new Watcher(1000000 + i, false);
    churn.pool.push(w);
    w.open(onSettled, onSettled);
  }
  if (pool === 0) begin();
}

function churnOne() {
  const i = Math.floor(Math.random() * churn.pool.length);
  const old = churn.pool[i];
  old.closedByUs = true;
  if (old.ws) old.ws.close();
  churn.leaves++;
  const w = new Watcher(1000000 + Math.floor(Math.random() * 1e6), false);
  churn.pool[i] = w;
  w.open(
    () => churn.joins++,
    () => churn.failed++,
  );
}

function stopChurn() {
  if (churn.timer) clearInterval(churn.timer);
  churn.timer = null;
}

// Voters (config.voters: every n-th measured watcher with a browser cookie) vote `rate` times a second in all,
// each for a question it saw approved and has not voted for yet.
function startVotes(rate) {
  if (votes.timer) clearInterval(votes.timer);
  votes.timer = null;
  if (rate <= 0) return;
  const voters = watchers.filter((w) => w.voter);
  if (!voters.length) return;
  votes.timer = setInterval(() => {
    if (!approved.length) return;
    const w = voters[Math.floor(Math.random() * voters.length)];
    if (!w.ready || !w.ws || w.ws.readyState !== WebSocket.OPEN) return;
    const q = approved[Math.floor(Math.random() * approved.length)];
    if (w.voted.has(q)) return;
    w.voted.add(q);
    votes.sent++;
    w.ws.send(JSON.stringify({ type: "vote", question: q, ref: "v" + ++refs }));
  }, 1000 / rate);
}

// One moderator socket (logged in with its session cookie) that acts and times the ack.
function openModerator(url, cookie, done) {
  const ws = new WebSocket(url, { origin: config.origin, perMessageDeflate: true, headers: { Cookie: cookie } });
  moderator = { ws, pending: new Map(), ready: false };
  ws.on("open", () => ws.send(JSON.stringify({ type: "hello" })));
  ws.on("message", (data) => {
    let msg;
    try {
      msg = JSON.parse(data.toString());
    } catch (e) {
      return;
    }
    if (msg.type === "ready") {
      moderator.ready = true;
      done({ ev: "moderator", role: msg.data && msg.data.role });
      return;
    }
    if ((msg.type === "ack" || msg.type === "error") && moderator.pending.has(msg.ref)) {
      const t0 = moderator.pending.get(msg.ref);
      moderator.pending.delete(msg.ref);
      out({ ev: "acted", t0, ms: now() - t0, ok: msg.type === "ack", code: msg.code || null });
    }
  });
  ws.on("error", () => errors++);
  ws.on("close", (code) => {
    // Dropped (e.g. closed by the server): say so and come back, as the moderator's page would.
    process.stderr.write(`moderator socket closed: ${code}\n`);
    if (moderator && moderator.ws === ws && !moderator.closing) setTimeout(() => openModerator(url, cookie, () => {}), 100);
  });
}

function act(kind, question) {
  const ref = "m" + ++refs;
  const t0 = now();
  moderator.pending.set(ref, t0);
  moderator.ws.send(JSON.stringify({ type: kind, question, ref }));
}

function report(seqs) {
  const result = {};
  for (const seq of seqs) {
    const ev = events.get(seq);
    result[seq] = ev ? { count: ev.count, first: ev.first, last: ev.last } : { count: 0, first: null, last: null };
  }
  const open = watchers.filter((w) => w.ws && w.ws.readyState === WebSocket.OPEN).length;
  const lastSeqs = {};
  for (const w of watchers) lastSeqs[w.lastSeq] = (lastSeqs[w.lastSeq] || 0) + 1;
  return {
    ev: "report",
    events: result,
    gaps,
    dups,
    errors,
    open,
    frames,
    last_seqs: lastSeqs,
    dropped,
    counts_frames: countsFrames,
    counts_min_gap_ms: countsMinGap,
    counts_max_per_socket: countsMaxPerSocket,
    measured: watchers.length,
    churn: { joins: churn.joins, leaves: churn.leaves, failed: churn.failed, pool: churn.pool.length },
    votes: { sent: votes.sent, ok: votes.ok, refused: votes.refused, codes: votes.codes },
  };
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const cmd = JSON.parse(line);
  switch (cmd.cmd) {
    case "config":
      config = {
        url: cmd.url,
        origin: cmd.origin,
        protocol: cmd.protocol,
        cookies: cmd.cookies || [],
        voters: cmd.voters || 0,
        resume: !!cmd.resume,
      };
      out({ ev: "ok" });
      break;
    case "connect":
      connectAll(cmd.n, cmd.concurrency || 100, (result) => out(result));
      break;
    case "expect":
      expected = cmd.n;
      out({ ev: "ok" });
      break;
    case "reset":
      events = new Map();
      gaps = 0;
      dups = 0;
      errors = 0;
      frames = 0;
      countsFrames = 0;
      countsMinGap = null;
      countsMaxPerSocket = 0;
      for (const w of watchers) w.countsSeen = Math.min(w.countsSeen, 1);
      out({ ev: "ok" });
      break;
    case "storm":
      storm(cmd.within_ms, (result) => out(result));
      break;
    case "churn":
      startChurn(cmd.rate, cmd.pool || 0, (result) => out(result));
      break;
    case "votes":
      startVotes(cmd.rate);
      out({ ev: "ok" });
      break;
    case "moderator":
      openModerator(cmd.url, cmd.cookie, (result) => out(result));
      break;
    case "act":
      act(cmd.kind, cmd.question);
      break;
    case "report":
      out(report(cmd.seqs || []));
      break;
    case "close":
      stopChurn();
      if (votes.timer) clearInterval(votes.timer);
      if (moderator) {
        moderator.closing = true;
        moderator.ws.terminate();
      }
      for (const w of churn.pool) {
        w.closedByUs = true;
        if (w.ws) w.ws.terminate();
      }
      for (const w of watchers) {
        w.closedByUs = true;
        if (w.ws) w.ws.terminate();
      }
      out({ ev: "closed" });
      setTimeout(() => process.exit(0), 50);
      break;
    default:
      out({ ev: "error", message: "unknown command " + cmd.cmd });
  }
});
rl.on("close", () => process.exit(0));
