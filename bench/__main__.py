"""`python -m bench` (make bench) and `python -m bench --quick` (make bench-quick).

Runs every benchmark of issue 6 against the real stack on this machine, prints one
table of targets (measured, met or not) and writes it, with the details, the
machine and the date, to bench/results/<date>[-quick].md (+ .json, + .svg plot).
The quick run uses tiny sizes: it checks that everything still runs, not speed.
"""

import argparse
import dataclasses
import datetime
import sys
import time
import traceback
from pathlib import Path

from . import stack

FULL = {
    "database": "bench",
    "fanout_sizes": [1000, 5000],
    "rounds": 3,
    "events": 20,
    "burst_events": 100,  # 5 s at 20 events/s
    "burst_rate": 20.0,
    "timeout": 30.0,
    "group_events": {1000: 10, 5000: 3},
    "group_burst": {1000: 20},
    "group_timeout": 90.0,
    "redis_events": 5,
    "storm_watchers": 1000,
    "storm_within": 5.0,
    "storm_rate": 5.0,
    "archive_sizes": [10_000, 100_000, 1_000_000],
    "per_kind": 40,
    "throughput_s": 5.0,
    "throughput_rounds": 3,
    "staff_big": 100_000,
    "staff_small": 1_000,
    "staff_per_kind": 36,
    "submit_s": 10.0,
    "submit_rounds": 3,
    "submit_concurrency": 8,
    # uvicorn processes: the deployment runs one per core (2 here, the target's figure); 1 for comparison.
    "submit_processes": [2, 1],
}
QUICK = {
    **FULL,
    "database": "bench_quick",
    "fanout_sizes": [40],
    "rounds": 2,
    "events": 4,
    "burst_events": 6,
    "timeout": 20.0,
    "group_events": {40: 3},
    "group_burst": {40: 4},
    "group_timeout": 20.0,
    "redis_events": 2,
    "storm_watchers": 40,
    "storm_within": 1.0,
    "storm_rate": 5.0,
    "archive_sizes": [400],
    "per_kind": 4,
    "throughput_s": 1.0,
    "throughput_rounds": 1,
    "staff_big": 600,
    "staff_small": 60,
    "staff_per_kind": 6,
    "submit_s": 2.0,
    "submit_rounds": 1,
    "submit_concurrency": 4,
    "submit_processes": [2],
}
PARTS = ("fanout", "storm", "archive", "staff", "submit")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: does everything still run?")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}")
    parser.add_argument("--database", help="PostgreSQL database to use instead of the plan's (bench, bench_quick)")
    parser.add_argument("--keep-db", action="store_true", help="reuse the bench database (and its archive) if present")
    parser.add_argument("--results", default=str(stack.ROOT / "bench" / "results"))
    parser.add_argument("--archive-sizes", help="comma-separated archive sizes instead of the plan's (with --keep-db)")
    parser.add_argument("--fanout-sizes", help="comma-separated watcher counts instead of the plan's")
    parser.add_argument("--designs", default="floor,hub,group", help="fan-out designs to run")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes for the platform's fan-out")
    args = parser.parse_args(argv)
    plan = dict(QUICK if args.quick else FULL)
    if args.database:
        plan["database"] = args.database
    if args.archive_sizes:
        plan["archive_sizes"] = [int(x) for x in args.archive_sizes.split(",")]
    if args.fanout_sizes:
        plan["fanout_sizes"] = [int(x) for x in args.fanout_sizes.split(",")]
    plan["designs"] = [d for d in args.designs.split(",") if d]
    plan["workers"] = args.workers
    parts = [p for p in args.only.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")

    stack.install_signal_handlers()
    from . import db

    started = time.monotonic()
    load_before = _loadavg()
    db.prepare(plan["database"], keep=args.keep_db)
    db.flush_redis()
    stack.ensure_node_modules()
    results: dict = {"plan": plan, "parts": parts, "quick": args.quick}
    runners = {"fanout": _fanout, "storm": _storm, "archive": _archive, "staff": _staff, "submit": _submit}
    errors = {}
    try:
        for part in PARTS:
            if part not in parts:
                continue
            try:
                results[part] = runners[part](plan)
            except Exception:  # one broken part must not lose the others' figures
                errors[part] = traceback.format_exc()
                _say(f"{part} FAILED:\n{errors[part]}")
            finally:
                stack.PROCS.stop_all()
    finally:
        stack.PROCS.stop_all()
    results["errors"] = errors
    results["duration_s"] = time.monotonic() - started
    results["load_before"] = load_before
    results["load_after"] = _loadavg()

    from . import summary

    markdown, _rows, plot = summary.render(results)
    stem = datetime.datetime.now().strftime("%Y-%m-%d-%H%M") + ("-quick" if args.quick else "")
    from . import report

    markdown = markdown.replace("{stem}", stem)
    path = report.write(Path(args.results), stem, markdown, _plain(results), plot)
    print(markdown)
    print(f"\nwritten to {path}")
    if args.quick:
        db.drop(plan["database"])
    return 1 if errors else 0


def _loadavg() -> list[float]:
    import os

    return [round(x, 2) for x in os.getloadavg()]


def _plain(value):
    if dataclasses.is_dataclass(value):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _say(message: str) -> None:
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def _fanout(plan: dict) -> list:
    from . import fanout

    results = []
    for n in plan["fanout_sizes"]:
        for design in plan.get("designs", ("floor", "hub", "group")):
            group = design == "group"
            events = plan["group_events"].get(n, 3) if group else plan["events"]
            rounds = 1 if group else plan["rounds"]
            burst = plan["group_burst"].get(n, 0) if group else plan["burst_events"]
            _say(f"fan-out: {design}, {n} watchers ({rounds}×{events} events, burst {burst})")
            result = fanout.run_design(
                design,
                n,
                database=plan["database"],
                rounds=rounds,
                events=events,
                burst_events=burst,
                burst_rate=plan["burst_rate"],
                timeout=plan["group_timeout"] if group else plan["timeout"],
                count_redis=(2 if group else plan["redis_events"]) if (not group or n <= 1000) else 0,
                workers=plan.get("workers", 1) if design != "floor" else 1,
            )
            _say(
                f"  connected {result.connected} in {result.connect_s:.1f} s; "
                f"single p50/p99 {[(round(r.p50 or 0), round(r.p99 or 0)) for r in result.single]}; "
                f"burst {[(round(r.p50 or 0), round(r.p99 or 0), r.delivered) for r in result.burst]}"
            )
            results.append(result)
    return results


def _storm(plan: dict):
    from . import fanout

    _say(f"reconnect storm: {plan['storm_watchers']} watchers within {plan['storm_within']} s")
    result = fanout.run_storm(
        plan["database"],
        plan["storm_watchers"],
        within_s=plan["storm_within"],
        rate=plan["storm_rate"],
        timeout=plan["timeout"],
    )
    _say(f"  resumed {result.resumed}, p95 {result.resume_p95_ms} ms, queries {result.queries}")
    return result


def _archive(plan: dict) -> list:
    from . import archive

    results = []
    for rows in plan["archive_sizes"]:
        _say(f"archive: {rows:,} published questions")
        result = archive.run_size(
            plan["database"],
            rows,
            per_kind=plan["per_kind"],
            throughput_s=plan["throughput_s"],
            rounds=plan["throughput_rounds"],
            explain=rows == max(plan["archive_sizes"]),
        )
        _say(
            f"  generated in {result.generate_s or 0:.0f} s; "
            + ", ".join(f"{k} p95 {v['server_p95']:.1f}" for k, v in result.kinds.items() if v["server_p95"])
            + f"; ratio {result.ratio}"
        )
        results.append(result)
    return results


def _staff(plan: dict):
    from . import staff

    _say(f"staff queue: {plan['staff_big']:,} questions in one agency")
    result = staff.run(
        plan["database"], big=plan["staff_big"], small=plan["staff_small"], per_kind=plan["staff_per_kind"]
    )
    _say("  " + ", ".join(f"{k} p95 {v['server_p95']:.1f}" for k, v in result.kinds.items() if v["server_p95"]))
    return result


def _submit(plan: dict) -> list:
    from . import submit

    results = []
    for processes in plan["submit_processes"]:
        for _ in range(plan["submit_rounds"]):
            _say(
                f"submissions: {plan['submit_concurrency']} clients for {plan['submit_s']} s, "
                f"{processes} uvicorn process(es)"
            )
            result = submit.run(
                plan["database"],
                duration_s=plan["submit_s"],
                concurrency=plan["submit_concurrency"],
                workers=processes,
            )
            _say(
                f"  {result.rps:.0f}/s, p95 {result.latency_p95 or 0:.0f} ms, accepted {result.accepted}, "
                f"server CPU {result.server_cpu_ms or 0:.1f} ms, worker CPU {result.worker_cpu_ms or 0:.1f} ms each"
            )
            results.append(result)
    return results


if __name__ == "__main__":
    sys.exit(main())
