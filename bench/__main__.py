"""`python -m bench` (make bench) and `python -m bench --quick` (make bench-quick).

One part alone: `python -m bench --only stats` (or any of PARTS, comma-separated).
Runs every benchmark of issues 6 and 14 against the real stack on this machine, prints one
table of targets (measured, met or not) and writes it, with the details, the
machine and the date, to bench/results/<date>[-quick].md (+ .json, + .svg plot).
The quick run uses tiny sizes: it checks that everything still runs, not speed.
"""

import argparse
import dataclasses
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
    "shape_repeats": 8,  # each archive shape (bench/archive_shapes.py), at the largest size
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
    # Statistics (issue 14): questions with their events across 50 agencies and 3 years; each shape asked this often.
    "stats_questions": 1_000_000,
    "stats_repeats": 3,
    # Live from the moderator's click (issue 17): watchers over several Node processes, churn and votes.
    "click_sizes": [5000],
    "click_clients": 3,
    "click_rounds": 2,
    "click_slots": 10,  # each slot: one approve through the API and one over the moderator's socket
    "click_spacing": 1.0,
    "click_churn_rate": 20.0,  # joins (and as many leaves) a second
    "click_churn_pool": 150,
    "click_vote_rate": 20.0,
    "click_logged_in_every": 10,
    "click_voters_every": 10,
    "click_workers": 1,
    # Routing suggestion (issue 15): generated answered questions (90 % trained on, 10 % held out), API requests.
    "routing_questions": 1_000_000,
    "routing_requests": 300,
    # Duplicates lookup (issue 15): the first of the same generated questions written as open questions, requests.
    "duplicates_questions": 100_000,
    "duplicates_requests": 300,
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
    "shape_repeats": 2,
    "throughput_s": 1.0,
    "throughput_rounds": 1,
    "staff_big": 600,
    "staff_small": 60,
    "staff_per_kind": 6,
    "submit_s": 2.0,
    "submit_rounds": 1,
    "submit_concurrency": 4,
    "submit_processes": [2],
    "stats_questions": 600,
    "stats_repeats": 1,
    "click_sizes": [40],
    "click_clients": 2,
    "click_rounds": 1,
    "click_slots": 3,
    "click_churn_rate": 4.0,
    "click_churn_pool": 4,
    "click_vote_rate": 4.0,
    "click_logged_in_every": 4,
    "click_voters_every": 3,
    "routing_questions": 3000,
    "routing_requests": 40,
    "duplicates_questions": 300,
    "duplicates_requests": 20,
}
PARTS = ("fanout", "click", "storm", "archive", "relevance", "staff", "submit", "stats", "routing")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: does everything still run?")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {', '.join(PARTS)}")
    parser.add_argument("--database", help="PostgreSQL database to use instead of the plan's (bench, bench_quick)")
    parser.add_argument("--keep-db", action="store_true", help="reuse the bench database (and its archive) if present")
    parser.add_argument("--results", default=str(stack.ROOT / "bench" / "results"))
    parser.add_argument("--archive-sizes", help="comma-separated archive sizes instead of the plan's (with --keep-db)")
    parser.add_argument("--fanout-sizes", help="comma-separated watcher counts instead of the plan's")
    parser.add_argument("--stats-questions", type=int, help="questions with events for the statistics part")
    parser.add_argument("--routing-questions", type=int, help="generated answered questions for the routing part")
    parser.add_argument(
        "--duplicates-questions", type=int, help="generated open questions for the routing part's duplicates lookup"
    )
    parser.add_argument("--designs", default="floor,hub,group", help="fan-out designs to run")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn processes for the platform's fan-out")
    parser.add_argument("--click-workers", type=int, help="uvicorn processes for the live part timed from the click")
    args = parser.parse_args(argv)
    plan = dict(QUICK if args.quick else FULL)
    if args.database:
        plan["database"] = args.database
    if args.archive_sizes:
        plan["archive_sizes"] = [int(x) for x in args.archive_sizes.split(",")]
    if args.fanout_sizes:
        plan["fanout_sizes"] = [int(x) for x in args.fanout_sizes.split(",")]
    if args.stats_questions:
        plan["stats_questions"] = args.stats_questions
    if args.routing_questions:
        plan["routing_questions"] = args.routing_questions
    if args.duplicates_questions:
        plan["duplicates_questions"] = args.duplicates_questions
    plan["designs"] = [d for d in args.designs.split(",") if d]
    plan["workers"] = args.workers
    if args.click_workers:
        plan["click_workers"] = args.click_workers
    parts = [p for p in args.only.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts: {', '.join(sorted(unknown))}")

    stack.install_signal_handlers()
    from . import db

    db.lock(plan["database"])  # before anything else: a second run on this database stops here
    _say(f"run {stack.RUN_ID}: database {plan['database']}, Redis keys under {stack.RUN_PREFIX}:")
    started = time.monotonic()
    load_before = _loadavg()
    db.prepare(plan["database"], keep=args.keep_db)
    stack.ensure_node_modules()
    results: dict = {"plan": plan, "parts": parts, "quick": args.quick}
    runners = {
        "fanout": _fanout,
        "click": _click,
        "storm": _storm,
        "archive": _archive,
        "relevance": _relevance,
        "staff": _staff,
        "submit": _submit,
        "stats": _stats,
        "routing": _routing,
    }
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
        db.flush_redis()  # this run's keys only
    results["errors"] = errors
    results["duration_s"] = time.monotonic() - started
    results["load_before"] = load_before
    results["load_after"] = _loadavg()

    from . import summary

    markdown, _rows, plot = summary.render(results)
    stem = stack.now().strftime("%Y-%m-%d-%H%M") + ("-quick" if args.quick else "")
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
    print(f"[bench {stack.now():%H:%M:%S}] {message}", flush=True)


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


def _click(plan: dict) -> list:
    from . import click

    results = []
    for n in plan["click_sizes"]:
        for design in ("floor", "hub"):
            _say(
                f"live from the click: {design}, {n} watchers over {plan['click_clients']} Node processes, "
                f"load {_loadavg()}"
            )
            result = click.run_click(
                design,
                n,
                database=plan["database"],
                clients=plan["click_clients"],
                slots=plan["click_slots"],
                rounds=plan["click_rounds"],
                spacing=plan["click_spacing"],
                timeout=plan["timeout"],
                workers=plan["click_workers"],
                churn_rate=plan["click_churn_rate"],
                churn_pool=plan["click_churn_pool"],
                vote_rate=plan["click_vote_rate"],
                logged_in_every=plan["click_logged_in_every"],
                voters_every=plan["click_voters_every"],
            )
            _say(
                f"  {result.delivered}/{result.events} events, p50 {result.p50} p99 {result.p99} ms; action p99 "
                f"{result.action_p99} ms; CPU/event {result.cpu_per_event_ms} ms; counts max/socket "
                f"{result.counts_max_per_socket} in {result.window_s:.1f} s; churn {result.churn}; votes {result.votes}"
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
            shape_repeats=plan["shape_repeats"] if rows == max(plan["archive_sizes"]) else 0,
            quick=plan["shape_repeats"] < 5,
        )
        _say(
            f"  generated in {result.generate_s or 0:.0f} s; "
            + ", ".join(f"{k} p95 {v['server_p95']:.1f}" for k, v in result.kinds.items() if v["server_p95"])
            + f"; ratio {result.ratio}"
        )
        results.append(result)
    return results


def _relevance(plan: dict):
    from . import archive, relevance

    # Over the archive the archive part generated (or this many questions: the quick run's small one).
    archive.grow_to(max(plan["archive_sizes"]))
    _say("relevance: labelled queries, nDCG@10 and recall@10")
    result = relevance.run()
    _say(f"  nDCG@10 {result.ndcg10:.3f}, recall@10 {result.recall10:.3f}, p95 {result.p95_ms:.0f} ms")
    return result


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


def _stats(plan: dict):
    from . import stats

    _say(f"statistics: {plan['stats_questions']:,} questions with their events, {stats.AGENCIES} agencies")
    result = stats.run(plan["database"], questions=plan["stats_questions"], repeats=plan["stats_repeats"])
    _say(
        f"  full rebuild {result.rebuild_s:.1f} s ({result.daily_rows:,} daily rows); days "
        + ", ".join(f"{s:.2f}" for s in result.days.values())
        + " s; PDF "
        + ", ".join(f"{s:.1f}" for s in result.pdf.values())
        + " s; "
        + ", ".join(f"{k} p95 {v['server_p95']:.0f}" for k, v in result.kinds.items() if v["server_p95"])
    )
    return result


def _routing(plan: dict) -> dict:
    from . import routing

    _say(f"routing: {plan['routing_questions']:,} generated answered questions, {plan['routing_requests']} requests")
    result = routing.run(plan["routing_questions"], requests=plan["routing_requests"])
    _say(
        f"  top-1 {result['agency_top1']:.1%}, top-3 {result['agency_top3']:.1%}, topic {result['topic_top1']:.1%}; "
        f"trained in {result['train_s']} s, peak RSS {result['rss_peak_after_mib']} MiB; "
        f"suggestion p95 {result['suggest_p95_ms']} ms"
    )
    _say(f"duplicates: {plan['duplicates_questions']:,} open questions, {plan['duplicates_requests']} requests")
    found = routing.duplicates(plan["duplicates_questions"], requests=plan["duplicates_requests"])
    _say(f"  written in {found['write_s']} s; duplicates p50 {found['p50_ms']} ms, p95 {found['p95_ms']} ms")
    result["duplicates"] = found
    return result


if __name__ == "__main__":
    sys.exit(main())
