"""Every shape of the public archive, each timed on its own line with its query plan kind (issue 17).

A shape is what the archive's web page and API offer: a search (none, a common word, a phrase, a sentence as
citizens type it) × a filter (none, an agency with its sub-agencies, a topic, a month in the portal's time zone, all
three) × a sort (relevance when searching, newest, most viewed, most helpful) × a depth (page 1, the last numbered
page, and the archive's last page reached by its "older results" cursor). Each is asked `repeats` times of the API
list with the archive cache off, timed at the server (Server-Timing), and no figure is pooled across shapes.

The plan kind is read in this process: the selector is called as the server calls it, every statement it runs is
EXPLAINed (without ANALYZE), and the scans are summarised ("Index Scan qa_q_pub_views_idx", "Bitmap
qa_search_terms_gin", "Seq Scan qa_question" — the last is what a shape must never need at a million rows).
"""

import datetime
import json
from dataclasses import dataclass
from urllib.parse import urlencode

from .stack import Timed, percentile

SEARCHES = {
    "none": "",
    "word": "đất",
    "phrase": "giấy chứng nhận quyền sử dụng đất",
    "sentence": "cho tôi hỏi về việc đăng ký hộ khẩu thường trú cho con",
}
SORTS = ("relevance", "newest", "views", "helpful")
DEPTHS = ("page1", "last_numbered", "last_page")
PAGE_SIZE = 20


@dataclass
class Shape:
    search: str
    filter: str
    sort: str
    depth: str

    @property
    def label(self) -> str:
        return f"{self.search}/{self.filter}/{self.sort}/{self.depth}"


def shapes(*, quick: bool = False) -> list[Shape]:
    """The shapes measured: every sort and depth with and without a search for each filter; phrase and sentence
    searches in relevance order (their other sorts are the word's plans with rarer matches)."""
    filters = ("none", "agency", "topic", "month", "all")
    result = []
    for search in SEARCHES:
        for filter_name in filters:
            for sort in SORTS:
                if search == "none" and sort == "relevance":
                    continue
                if search in ("phrase", "sentence") and sort != "relevance":
                    continue
                for depth in DEPTHS:
                    result.append(Shape(search, filter_name, sort, depth))
    if quick:
        result = [s for s in result if s.filter in ("none", "all")]
    return result


def _filters(filter_name: str) -> dict:
    """Query parameters and selector arguments of a filter: the agency with most sub-agencies, the busiest topic,
    the month before the newest question."""
    from django.db.models import Count, Max

    from accounts.models import Agency
    from qa.models import Question, QuestionStatus, Topic

    published = Question.objects.filter(status=QuestionStatus.PUBLISHED)
    params: dict = {}
    if filter_name in ("agency", "all"):
        below = Agency.objects.filter(parent__isnull=False).annotate(below=Count("children"))
        parent = below.order_by("-below", "pk").first() or Agency.objects.first()
        params["agency"] = parent
    if filter_name in ("topic", "all"):
        params["topic"] = Topic.objects.order_by("pk").first()
    if filter_name in ("month", "all"):
        newest = published.aggregate(newest=Max("published_at"))["newest"]
        end = (newest or datetime.datetime.now(datetime.UTC)).date()
        params["date_from"] = end - datetime.timedelta(days=30)
        params["date_to"] = end
    return params


def _query_string(shape: Shape, arguments: dict, extra: dict) -> str:
    query = {"page_size": PAGE_SIZE, "ordering": shape.sort}
    if SEARCHES[shape.search]:
        query["search"] = SEARCHES[shape.search]
    if arguments.get("agency"):
        query["agency"] = arguments["agency"].pk
    if arguments.get("topic"):
        query["topic"] = arguments["topic"].pk
    for key in ("date_from", "date_to"):
        if arguments.get(key):
            query[key] = arguments[key].isoformat()
    query.update(extra)
    return "/api/v1/questions/?" + urlencode(query)


def _last_cursor(shape: Shape, arguments: dict) -> str | None:
    """A cursor whose page is the archive's last one: after the 21st row from the end of the shape's order."""
    from qa import selectors
    from qa.search import archive as archive_search
    from qa.search import keyset

    search = SEARCHES[shape.search]
    if shape.sort == "relevance":
        # The last tier's oldest rows: the cursor sits just after the oldest match (tiers 0-1 are the title tiers).
        tiers = archive_search.tiers(search)
        oldest = (
            selectors.archive(search=search, **arguments, ordering="newest")
            .order_by("published_at", "id")
            .values_list("published_at", "id")[PAGE_SIZE : PAGE_SIZE + 1]
        )
        row = next(iter(oldest), None)
        return keyset.encode("relevance", (1 + len(tiers), *row)) if row else None
    keys = selectors.SORT_KEYS[shape.sort]
    queryset = selectors.archive(search=search, **arguments, ordering=shape.sort)
    ascending = queryset.order_by(*keys).values_list(*keys)[PAGE_SIZE : PAGE_SIZE + 1]
    row = next(iter(ascending), None)
    return keyset.encode(shape.sort, tuple(row)) if row else None


def _page_arguments(shape: Shape, arguments: dict) -> tuple[dict, dict]:
    """(query-string extras, selector extras) of the shape's depth."""
    from qa.search import keyset

    if shape.depth == "page1":
        return {}, {}
    if shape.depth == "last_numbered":
        from qa import selectors

        first = selectors.archive_page(search=SEARCHES[shape.search], **arguments, ordering=shape.sort, size=PAGE_SIZE)
        # The last numbered page that has rows (a page past the end is a 404).
        number = max(1, min(keyset.MAX_NUMBERED_ROWS // PAGE_SIZE, -(-first.count // PAGE_SIZE)))
        return {"page": number}, {"page": number}
    cursor = _last_cursor(shape, arguments)
    return ({"cursor": cursor}, {"cursor": cursor}) if cursor else ({}, {})


def plan_kind(call) -> str:
    """The scans of every statement `call` runs, from EXPLAIN (FORMAT JSON) without ANALYZE."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    scans: list[str] = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.startswith("EXPLAIN") or not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        if "pg_class" in sql and "reltuples" in sql and "qa_search_terms" not in sql:
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        _collect(plan[0]["Plan"], scans)
    big = [s for s in scans if s.startswith("Seq Scan") and ("qa_question" in s or "qa_search_terms" in s)]
    kinds = list(dict.fromkeys(s for s in scans if not s.startswith("Seq Scan") or s in big))
    return "; ".join(kinds) or "no table"


def _collect(node: dict, scans: list[str]) -> None:
    node_type = node.get("Node Type", "")
    if node_type in ("Index Scan", "Index Only Scan", "Bitmap Index Scan"):
        scans.append(f"{node_type.replace('Bitmap Index Scan', 'Bitmap')} {node.get('Index Name')}")
    elif node_type == "Seq Scan":
        scans.append(f"Seq Scan {node.get('Relation Name')}")
    for child in node.get("Plans", []) or []:
        _collect(child, scans)


def run(base: str, *, repeats: int, quick: bool = False) -> list[dict]:
    """Each shape `repeats` times against the server at `base` (cache off), plus its plan kind; one dict a shape."""
    from qa import selectors

    results = []
    filters_cache: dict[str, dict] = {}
    for shape in shapes(quick=quick):
        # A connection a shape: reading the plans below can outlast the server's keep-alive.
        timed = Timed(base)
        try:
            arguments = filters_cache.setdefault(shape.filter, _filters(shape.filter))
            extra_query, extra_call = _page_arguments(shape, arguments)
            path = _query_string(shape, arguments, extra_query)
            timed.get(path)  # warm-up: the shape's pages in the database's cache, as a repeated visit finds them
            server, statuses, queries = [], {}, []
            for _ in range(repeats):
                status, server_ms, _client_ms, count, _body = timed.get(path)
                statuses[status] = statuses.get(status, 0) + 1
                if server_ms is not None:
                    server.append(server_ms)
                if count is not None:
                    queries.append(count)
            search = SEARCHES[shape.search]
            try:
                kind = plan_kind(
                    lambda search=search, arguments=arguments, extra_call=extra_call, shape=shape: (
                        selectors.archive_page(
                            search=search, **arguments, ordering=shape.sort, size=PAGE_SIZE, **extra_call
                        )
                    )
                )
            except Exception as exc:  # a plan that cannot be read is reported, not fatal to the run
                kind = f"(plan unavailable: {type(exc).__name__})"
            results.append(
                {
                    "shape": shape.label,
                    "path": path,
                    "requests": repeats,
                    "server_p50": percentile(server, 50),
                    "server_p95": percentile(server, 95),
                    "queries": f"{min(queries)}–{max(queries)}" if queries else "",
                    "statuses": statuses,
                    "plan": kind,
                }
            )
        finally:
            timed.close()
    return results
