"""Question submissions through the public API, with their notification rows, and a Celery worker delivering them.

Guests ask (POST /api/v1/questions/, JSON); each submission writes the question,
the asker's contact, a reference code under the agency's sequence lock and an
outbox row (the confirmation e-mail) in one transaction, and queues the delivery
task on commit. A real Celery worker (Redis broker, DB 9) sends the e-mails with
Django's dummy backend while the load runs. Afterwards every reference returned
must exist once, and every question must have its notification row.

`workers` is the number of uvicorn processes: the deployment runs one per core
(2 on the 2-core benchmark machine); one process runs Django's sync views in
threads that share one interpreter lock. Also recorded: the CPU time the server
and the Celery worker spent per submission, and the queries each request made.
"""

import time
from dataclasses import dataclass

from . import stack
from .stack import PROCS, Server

EMAIL_PREFIX = "bench-submit-"


@dataclass
class SubmitResult:
    concurrency: int
    processes: int
    rps: float
    latency_p50: float | None
    latency_p95: float | None
    server_p50: float | None
    server_p95: float | None
    accepted: int
    errors: int
    statuses: dict
    in_database: int
    distinct_references: int
    missing: int
    duplicates: int
    notifications: int
    delivered: int
    queries: dict  # queries per request (X-Bench-Queries) -> requests
    server_cpu_ms: float | None  # uvicorn CPU time per accepted submission (all its processes)
    worker_cpu_ms: float | None  # Celery worker CPU time per delivered e-mail


def _wait_until_consuming(worker, timeout: float = 60.0) -> None:
    """Wait until the Celery worker blocks on its queues (BRPOP on the bench's Redis DB).

    So its start-up (importing Django) neither competes with the measured load nor counts as
    CPU time spent on e-mails.
    """
    import redis

    client = redis.Redis.from_url(stack.REDIS_URL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker exited with {worker.returncode}")
        if any(c.get("cmd") == "brpop" and c.get("db") == str(stack.REDIS_DB) for c in client.client_list()):
            return
        time.sleep(0.2)
    raise RuntimeError("the Celery worker did not start consuming in time")


def run(database: str, *, duration_s: float, concurrency: int, workers: int = 1, warmup_s: float = 2) -> SubmitResult:
    from accounts.models import Agency
    from notifications.models import Notification
    from qa.models import AskerContact, Topic

    # Its own agency and topic, so the part runs alone on a fresh database (--only submit).
    agency, _ = Agency.objects.get_or_create(
        code="HP-BENCH", defaults={"slug": "bench-submit", "name": "Sở Thử tải (bench)", "is_active": True}
    )
    topic, _ = Topic.objects.get_or_create(slug="bench-submit", defaults={"name": "Thử tải", "is_active": True})
    server = Server(database, workers=workers, label="submit")
    worker = PROCS.start(
        "celery",
        [
            str(stack.VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "-Q",
            "default,email",
            "--pool",
            "solo",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "WARNING",
        ],
        env=stack.bench_env(database),
    )
    try:
        _wait_until_consuming(worker)
        server_cpu, worker_cpu = server.cpu_seconds(), stack.cpu_seconds(worker.pid)
        run_prefix = f"{EMAIL_PREFIX}{int(time.time())}-"
        body = {
            "agency": agency.pk,
            "topic": topic.pk,
            "title": "Hỏi về thủ tục đăng ký thường trú cho con khi chuyển nơi ở",
            "body": (
                "Gia đình tôi vừa chuyển về phường Lạch Tray, quận Ngô Quyền. Xin hỏi thủ tục đăng ký thường trú "
                "cho con 5 tuổi cần những giấy tờ gì, nộp ở đâu và mất bao lâu?"
            ),
            "asker_type": "individual",
            "name": "Nguyễn Thị Lan",
            "phone": "0912345678",
            "consent_to_publish": True,
        }
        summary = stack.node_load(
            {
                "base": server.base,
                "post": {"path": "/api/v1/questions/", "email_prefix": run_prefix, "body": body},
                "concurrency": concurrency,
                "duration_s": duration_s,
                "warmup_s": warmup_s,
                "headers": {"Accept-Language": "vi"},
            },
            timeout=duration_s + warmup_s + 120,
        )
        server_cpu = server.cpu_seconds() - server_cpu
        references = summary["refs"]
        rows = list(
            AskerContact.objects.filter(email__startswith=run_prefix).values_list("question__reference", flat=True)
        )
        in_db = set(rows)
        # Give the worker a moment to finish what was queued last.
        deadline = time.monotonic() + 30
        notifications = Notification.objects.filter(email__startswith=run_prefix)
        while time.monotonic() < deadline and notifications.filter(status="pending").exists():
            time.sleep(0.5)
        worker_cpu = stack.cpu_seconds(worker.pid) - worker_cpu
        delivered = notifications.filter(status="sent").count()
        return SubmitResult(
            concurrency=concurrency,
            processes=workers,
            rps=summary["rps"],
            latency_p50=summary["latency_ms"]["p50"],
            latency_p95=summary["latency_ms"]["p95"],
            server_p50=summary["server_ms"]["p50"],
            server_p95=summary["server_ms"]["p95"],
            accepted=len(references),
            errors=summary["errors"],
            statuses=summary["status"],
            in_database=len(rows),
            distinct_references=len(in_db),
            missing=len(set(references) - in_db),
            duplicates=len(rows) - len(in_db) + (len(references) - len(set(references))),
            notifications=notifications.count(),
            delivered=delivered,
            queries=summary.get("queries") or {},
            server_cpu_ms=server_cpu * 1000 / len(references) if references else None,
            worker_cpu_ms=worker_cpu * 1000 / delivered if delivered else None,
        )
    finally:
        PROCS.stop(worker)
        server.stop()
