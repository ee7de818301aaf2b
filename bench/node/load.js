// HTTP load from one Node process: `concurrency` keep-alive clients for `duration_s` seconds.
//
// Usage: node load.js '<json>' with {base, paths:[...]} for GETs (taken in turn), or
// {base, post:{path, email_prefix, body}} for JSON POSTs (each with a unique e-mail),
// plus concurrency, duration_s, warmup_s, headers. Prints one JSON line: requests per
// second, client latency and the server's own time (Server-Timing) percentiles,
// status counts, query counts (X-Bench-Queries), and for POSTs the reference codes.
"use strict";

const http = require("http");

const args = JSON.parse(process.argv[2]);
const base = new URL(args.base);
const agent = new http.Agent({ keepAlive: true, maxSockets: args.concurrency });
const now = () => performance.now();

const pct = (values, p) => {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.min(sorted.length, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
};

let next = 0;
let serial = 0;
const latencies = [];
const serverTimes = [];
const status = {};
const queries = {};
const refs = [];
let errors = 0;
let measuring = false;
let stopping = false;
let measured = 0;
let inflight = 0;
const runId = `${process.pid}-${Date.now()}`;

function request(done) {
  let path;
  let body = null;
  const headers = { ...(args.headers || {}) };
  if (args.post) {
    path = args.post.path;
    const n = serial++;
    const payload = { ...args.post.body, email: `${args.post.email_prefix}${runId}-${n}@example.vn` };
    body = Buffer.from(JSON.stringify(payload));
    headers["Content-Type"] = "application/json";
    headers["Content-Length"] = body.length;
  } else {
    path = args.paths[next++ % args.paths.length];
  }
  const started = now();
  inflight++;
  const finish = () => {
    inflight--;
    done();
  };
  const req = http.request(
    { host: base.hostname, port: base.port, path, method: body ? "POST" : "GET", agent, headers },
    (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const elapsed = now() - started;
        if (measuring) {
          measured++;
          latencies.push(elapsed);
          status[res.statusCode] = (status[res.statusCode] || 0) + 1;
          const timing = /dur=([0-9.]+)/.exec(res.headers["server-timing"] || "");
          if (timing) serverTimes.push(parseFloat(timing[1]));
          const q = res.headers["x-bench-queries"];
          if (q !== undefined) queries[q] = (queries[q] || 0) + 1;
        }
        if (args.post && res.statusCode === 201) {
          try {
            refs.push(JSON.parse(Buffer.concat(chunks).toString()).reference);
          } catch (e) {
            errors++;
          }
        }
        finish();
      });
    },
  );
  req.on("error", () => {
    if (measuring) errors++;
    finish();
  });
  if (body) req.write(body);
  req.end();
}

function client() {
  if (stopping) return;
  request(client);
}

let measureStarted = 0;
for (let i = 0; i < args.concurrency; i++) client();
setTimeout(() => {
  measuring = true;
  measureStarted = now();
  setTimeout(() => {
    measuring = false;
    stopping = true;
    const seconds = (now() - measureStarted) / 1000;
    // Let requests in flight finish so POSTs that were accepted are all counted as references.
    const waitStarted = now();
    const report = () => {
      if (inflight > 0 && now() - waitStarted < 60000) {
        setTimeout(report, 20);
        return;
      }
      process.stdout.write(
        JSON.stringify({
          requests: measured,
          seconds,
          rps: measured / seconds,
          errors,
          status,
          queries,
          latency_ms: { p50: pct(latencies, 50), p95: pct(latencies, 95), p99: pct(latencies, 99) },
          server_ms: { p50: pct(serverTimes, 50), p95: pct(serverTimes, 95), p99: pct(serverTimes, 99) },
          refs: args.post ? refs : undefined,
        }) + "\n",
      );
      process.exit(0);
    };
    report();
  }, args.duration_s * 1000);
}, (args.warmup_s || 0) * 1000);
