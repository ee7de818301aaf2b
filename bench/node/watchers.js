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
"use strict";

const readline = require("readline");
const WebSocket = require("ws");

const now = () => performance.timeOrigin + performance.now();
const out = (obj) => process.stdout.write(JSON.stringify(obj) + "\n");
const CONTROL = new Set(["ready", "snapshot", "counts", "error", "ack", "pong", "moderation"]);

let config = null; // {url, origin, protocol: "hub" | "plain"}
let watchers = [];
let events = new Map(); // seq -> {count, first, last}
let expected = 0; // watchers that should receive each event (for "done" lines)
let gaps = 0;
let dups = 0;
let errors = 0;
let frames = 0;

class Watcher {
  constructor(index) {
    this.index = index;
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
    const ws = new WebSocket(config.url, { origin: config.origin, perMessageDeflate: false });
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
      if (type === "error") {
        errors++;
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
      errors++;
    });
    ws.on("close", () => {
      this.ready = false;
      if (!this.closedByUs && onFail) onFail(this);
    });
  }

  // One numbered event received at time t: per-watcher order checks, per-event counts.
  event(msg, t) {
    if (typeof msg.seq !== "number" || msg.scope === "moderators") return;
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

function report(seqs) {
  const result = {};
  for (const seq of seqs) {
    const ev = events.get(seq);
    result[seq] = ev ? { count: ev.count, first: ev.first, last: ev.last } : { count: 0, first: null, last: null };
  }
  const open = watchers.filter((w) => w.ws && w.ws.readyState === WebSocket.OPEN).length;
  const lastSeqs = {};
  for (const w of watchers) lastSeqs[w.lastSeq] = (lastSeqs[w.lastSeq] || 0) + 1;
  return { ev: "report", events: result, gaps, dups, errors, open, frames, last_seqs: lastSeqs };
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const cmd = JSON.parse(line);
  switch (cmd.cmd) {
    case "config":
      config = { url: cmd.url, origin: cmd.origin, protocol: cmd.protocol };
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
      out({ ev: "ok" });
      break;
    case "storm":
      storm(cmd.within_ms, (result) => out(result));
      break;
    case "report":
      out(report(cmd.seqs || []));
      break;
    case "close":
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
