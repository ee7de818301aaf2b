"""The public archive at 10,000, 100,000 and 1,000,000 published questions.

Each size is reached by generating the missing rows (generate_archive, COPY), then
one uvicorn process serves the project and the harness sends sequential requests
of each kind, timed at the server (Server-Timing from bench.instrument), twice:
first with the archive cache turned off (QA_ARCHIVE_CACHE_SECONDS=0: every request
runs its queries and renders; these are the figures the targets are judged on),
then as deployed, with the cache (the same requests again: what repeated visitors
get during a spike). The throughput test puts 16 concurrent keep-alive clients
(one Node process) on the archive list API and on a hello-world Django view behind
the same middleware, alternating, and compares the medians, with and without the
cache.
"""

import random
import time
from dataclasses import dataclass, field
from urllib.parse import quote

from django.core.management import call_command

from . import stack
from .stack import Server, Timed

# What citizens type: with and without accents, common and rare words, one that matches nothing.
SEARCHES = [
    "thủ tục cấp giấy chứng nhận quyền sử dụng đất",
    "tach thua dat o",
    "so do bi rach",
    "quyet toan thue thu nhap ca nhan",
    "học phí",
    "giấy phép lái xe hạng B2",
    "dang ky khai sinh cho con",
    "rut bao hiem xa hoi mot lan",
    "tro cap that nghiep",
    "giấy phép xây dựng nhà ở riêng lẻ",
    "o nhiem nguon nuoc",
    "xét hộ nghèo",
    "nghị định 102/2024/NĐ-CP",
    "phuong dong khe",
    "xã Lại Xuân huyện Thủy Nguyên",
    "Lạch Tray",
    "chuyen truong tieu hoc",
    "che do thai san",
    "dang kiem xe o to",
    "hoan cong nha o",
    "thủ tục",
    "dat",
    "xin hỏi",
    "hop dong lao dong thu viec",
    "lệ phí trước bạ",
    "miễn giảm học phí hộ cận nghèo",
    "giấy chuyển tuyến bảo hiểm y tế",
    "vinh bao",
    "thành lập doanh nghiệp vốn điều lệ",
    "quang phuc tien lang",
    "cap lai bang tot nghiep",
    "khong co cau hoi nao nhu the nay",
]


@dataclass
class SizeResult:
    rows: int
    generate_s: float | None
    kinds: dict = field(default_factory=dict)  # kind -> Timed.run() result, cache off (every request computed)
    cached_kinds: dict = field(default_factory=dict)  # the same requests again with the cache, as deployed
    hello_rps: list[float] = field(default_factory=list)
    list_rps: list[float] = field(default_factory=list)
    uncached_hello_rps: list[float] = field(default_factory=list)
    uncached_list_rps: list[float] = field(default_factory=list)
    list_server_p95: list[float] = field(default_factory=list)
    throughput_errors: int = 0
    plans: dict = field(default_factory=dict)
    # Every archive shape on its own line (bench/archive_shapes.py), cache off, with its plan kind.
    shapes: list = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        hello, listing = stack.median(self.hello_rps), stack.median(self.list_rps)
        return listing / hello if hello and listing else None

    @property
    def uncached_ratio(self) -> float | None:
        hello, listing = stack.median(self.uncached_hello_rps), stack.median(self.uncached_list_rps)
        return listing / hello if hello and listing else None


def _published_count() -> int:
    from qa.models import Question, QuestionStatus

    return Question.objects.filter(status=QuestionStatus.PUBLISHED).count()


def grow_to(rows: int) -> float | None:
    """Generate published questions until the archive holds `rows`; returns seconds spent (None if none needed)."""
    missing = rows - _published_count()
    if missing <= 0:
        return None
    started = time.monotonic()
    call_command("generate_archive", questions=missing, verbosity=0)
    return time.monotonic() - started


def _samples(count: int, rng: random.Random) -> tuple[list[str], list[str]]:
    """References and titles of random published questions (by id range: no ORDER BY random() over a million)."""
    from django.db.models import Max, Min

    from qa.models import Question, QuestionStatus

    published = Question.objects.filter(status=QuestionStatus.PUBLISHED)
    bounds = published.aggregate(low=Min("id"), high=Max("id"))
    references, titles = [], []
    attempts = 0
    while len(references) < count and attempts < count * 20:
        attempts += 1
        pick = rng.randint(bounds["low"], bounds["high"])
        row = published.filter(id__gte=pick).order_by("id").values_list("reference", "public_title").first()
        if row:
            references.append(row[0])
            titles.append(row[1])
    return references, titles


def run_size(
    database: str,
    rows: int,
    *,
    per_kind: int,
    throughput_s: float,
    rounds: int,
    explain: bool = False,
    seed: int = 7,
    shape_repeats: int = 0,
    quick: bool = False,
) -> SizeResult:
    generated = grow_to(rows)
    result = SizeResult(rows=_published_count(), generate_s=generated)
    rng = random.Random(seed + rows)
    references, titles = _samples(per_kind, rng)
    # While typing a title: the first few words of an existing one.
    typed = [" ".join(t.split()[: rng.randint(3, 7)]) for t in titles]
    searches = [SEARCHES[i % len(SEARCHES)] for i in range(per_kind)]
    # Page numbers reach the first keyset.MAX_NUMBERED_ROWS rows (deeper pages go by cursor: archive_shapes times
    # those): the first page, the middle one and the last numbered one.
    from qa.search.keyset import MAX_NUMBERED_ROWS

    last_page = max(1, min(result.rows, MAX_NUMBERED_ROWS) // 20)
    depths = sorted({1, (last_page + 1) // 2 or 1, last_page})
    kinds = {
        "search_web": [f"/questions/?q={quote(s)}" for s in searches],
        "search_api": [f"/api/v1/questions/?search={quote(s)}" for s in searches],
        "similar_api": [f"/api/v1/questions/similar/?q={quote(t)}" for t in typed],
        "list_web": [f"/questions/?page={depths[i % len(depths)]}" for i in range(per_kind)],
        "list_api": [f"/api/v1/questions/?page={depths[i % len(depths)]}" for i in range(per_kind)],
        "detail_web": [f"/questions/{r}/" for r in references],
        "detail_api": [f"/api/v1/questions/{r}/" for r in references],
    }
    for cached in (False, True):
        extra = {} if cached else {"QA_ARCHIVE_CACHE_SECONDS": "0"}
        server = Server(database, extra_env=extra, label=f"archive-{rows}{'' if cached else '-nocache'}")
        try:
            timed = Timed(server.base)
            # Warm-up: imports, template loading, connection, the planner's first look (not the timed requests).
            timed.run([paths[-1] for paths in kinds.values()] * 2)
            target = result.cached_kinds if cached else result.kinds
            for kind, paths in kinds.items():
                target[kind] = timed.run(paths)
            timed.close()
            if not cached and shape_repeats:
                from . import archive_shapes

                result.shapes = archive_shapes.run(server.base, repeats=shape_repeats, quick=quick)
            _throughput(server, result, cached=cached, seconds=throughput_s, rounds=rounds)
        finally:
            server.stop()
    if explain:
        result.plans = plans()
    return result


def _throughput(server: Server, result: SizeResult, *, cached: bool, seconds: float, rounds: int) -> None:
    """16 keep-alive clients on hello-world, then on the list API, alternating, `rounds` times."""
    hello = {"base": server.base, "paths": ["/__bench/hello/"], "concurrency": 16, "warmup_s": 1}
    listing = {
        "base": server.base,
        "paths": [f"/api/v1/questions/?page={p}" for p in (1, 2, 3, 4, 5)],
        "concurrency": 16,
        "warmup_s": 1,
    }
    for _ in range(rounds):
        for target, args in (("hello", hello), ("list", listing)):
            summary = stack.node_load({**args, "duration_s": seconds}, timeout=seconds + 60)
            result.throughput_errors += summary["errors"] + sum(
                n for code, n in summary["status"].items() if code != "200"
            )
            if target == "hello":
                (result.hello_rps if cached else result.uncached_hello_rps).append(summary["rps"])
            else:
                (result.list_rps if cached else result.uncached_list_rps).append(summary["rps"])
                if cached and summary["server_ms"]["p95"] is not None:
                    result.list_server_p95.append(summary["server_ms"]["p95"])


def plans() -> dict[str, str]:
    """EXPLAIN ANALYZE of the selectors' queries as the server runs them (for docs/performance.md)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from qa import selectors

    calls = {
        "search, common words, relevance": lambda: list(selectors.archive(search="thu tuc cap giay chung nhan")[:20]),
        "search, rare words, relevance": lambda: list(selectors.archive(search="phuong dong khe")[:20]),
        "search, words in about 0.5% of questions, relevance": lambda: list(
            selectors.archive(search="thanh lap doanh nghiep von dieu le")[:20]
        ),
        "search, common word, newest": lambda: list(selectors.archive(search="dat", ordering="newest")[:20]),
        "search count (paginator)": lambda: selectors.archive(search="dat", ordering="newest").count(),
        "list, newest, page 1": lambda: list(selectors.archive()[:20]),
        "list count (paginator)": lambda: selectors.archive().count(),
        "similar questions": lambda: selectors.similar_questions("Thủ tục tách thửa đất ở tại xã Lại Xuân"),
    }
    result = {}
    for label, call in calls.items():
        with CaptureQueriesContext(connection) as captured:
            call()
        lines = []
        for query in captured.captured_queries:
            sql = query["sql"]
            if sql.startswith("EXPLAIN"):
                lines.append("(planner estimate: EXPLAIN without ANALYZE)")
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql)
                lines.extend(row[0] for row in cursor.fetchall())
        result[label] = "\n".join(lines)
    return result
