"""Question submissions through the public API, with their notification rows, and a Celery worker delivering them.

Guests ask (POST /api/v1/questions/, JSON); each submission writes the question,
the asker's contact, a reference code under the agency's sequence lock and an
outbox row (the confirmation e-mail) in one transaction, and queues the delivery
task on commit. A real Celery worker (Redis broker, DB 9) sends the e-mails with
Django's dummy backend while the load runs. Afterwards every reference returned
must exist once, and every question must have its notification row.
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


def run(database: str, *, duration_s: float, concurrency: int, workers: int = 1, warmup_s: float = 2) -> SubmitResult:
    from accounts.models import Agency
    from notifications.models import Notification
    from qa.models import AskerContact, Topic

    agency = Agency.objects.filter(is_active=True).order_by("id").first()
    topic = Topic.objects.filter(is_active=True).order_by("id").first()
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
        return SubmitResult(
            concurrency=concurrency,
            processes=workers,
            rps=summary["rps"],
            latency_p50=summary["latency_ms"]["p50"],
            latency_p95=summary["latency_ms"]["p95"],
            server_p95=summary["server_ms"]["p95"],
            accepted=len(references),
            errors=summary["errors"],
            statuses=summary["status"],
            in_database=len(rows),
            distinct_references=len(in_db),
            missing=len(set(references) - in_db),
            duplicates=len(rows) - len(in_db) + (len(references) - len(set(references))),
            notifications=notifications.count(),
            delivered=notifications.filter(status="sent").count(),
        )
    finally:
        PROCS.stop(worker)
        server.stop()
