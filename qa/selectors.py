"""Reads of the Q&A app: the public archive, search, similar questions, tracking.

Public reads only ever return published questions, and the querysets select only
what public pages need; the asker's contact is never joined here.
"""

import datetime
import json

from django.db import connection
from django.db.models import BooleanField, Expression, FloatField, Prefetch, Q, QuerySet, TextField
from django.http import Http404

from accounts.models import Agency

from .common_terms import COMMON_TERMS
from .models import Answer, Question, QuestionEvent, QuestionStatus, Topic
from .text import fold

ORDERINGS = {
    "newest": ("-published_at", "-id"),
    "views": ("-view_count", "-published_at"),
    "helpful": ("-helpful_yes", "-published_at"),
}
# Ranking is the costly part of a search: only the newest matches are ranked (docs/performance.md).
SEARCH_RANK_CANDIDATES = 100
# Finding those candidates: first a walk down the date index over the newest SEARCH_WALK_ROWS rows, checking
# each against the query (cheap when matches are dense: common words); when that finds too few, a longer walk
# if the first one's hit rate says it will find enough within SEARCH_WALK_MAX_ROWS, else the GIN index
# (cheap when the words are rare). See _newest_matches.
# Unfiltered searches walk qa_search_terms (qa migration 0007): at a million rows about 0.7 µs a row (it was 3-5 µs
# on qa_question's TOASTed vector, still what filtered searches walk); the GIN path reads the posting lists (a few
# ms per common word) then visits each match: the walk is cheaper down to about 0.4% of rows matching, i.e. when
# the SEARCH_RANK_CANDIDATES newest matches are expected within 25,000 rows.
SEARCH_WALK_ROWS = 2000
SEARCH_WALK_MAX_ROWS = 25000
# Counts are exact up to this many rows; beyond it the planner's estimate (a million-row count(*) costs seconds).
COUNT_CAP = 1000
# "Similar questions": candidates hold one of the query's rarest terms, then are ranked by the terms they share.
SIMILAR_CANDIDATES = 100
SIMILAR_TERMS = 3


class CappedCountQuerySet(QuerySet):
    """A queryset whose count() is exact up to COUNT_CAP and the planner's estimate beyond it (PostgreSQL).

    Paginators call count() on every list page; with a million published
    questions an exact count(*) of a common search cost seconds (measured in
    bench/). Pages past the estimate come out empty, which paginators handle.
    A selector that already knows the count (the ranked candidates) sets
    `known_count`; it is kept by clones, so filter such a queryset no further.
    """

    known_count: int | None = None

    def _clone(self):
        clone = super()._clone()
        clone.known_count = self.known_count
        return clone

    def count(self) -> int:
        if self.known_count is not None and not self.query.is_sliced:
            return self.known_count
        if self._result_cache is not None or connection.vendor != "postgresql" or self.query.is_sliced:
            return super().count()
        capped = QuerySet.count(self.order_by().values("pk")[: COUNT_CAP + 1])
        if capped <= COUNT_CAP:
            return capped
        sql, params = self.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return max(int(plan[0]["Plan"]["Plan Rows"]), capped)


def _capped(queryset: QuerySet[Question]) -> QuerySet[Question]:
    capped = queryset._chain()
    capped.__class__ = CappedCountQuerySet
    return capped


def agency_with_descendants(agency: Agency) -> list[int]:
    """Ids of the agency and every agency below it (one query: agencies are few)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent_id in Agency.objects.values_list("pk", "parent_id"):
        children.setdefault(parent_id, []).append(pk)
    result, stack = [], [agency.pk]
    while stack:
        current = stack.pop()
        result.append(current)
        stack.extend(children.get(current, []))
    return result


def published_questions() -> QuerySet[Question]:
    return Question.objects.filter(status=QuestionStatus.PUBLISHED).select_related("agency", "topic", "answer")


def _search_terms(query: str) -> list[str]:
    return [term for term in fold(query).split() if term][:12]


def _tsquery(terms: list[str], *, operator: str = "&", prefix_last: bool = True) -> str:
    lexemes = [_ts_lexeme(t) for t in terms]
    if prefix_last:
        lexemes[-1] += ":*"
    return f" {operator} ".join(lexemes)


class _OnSearchVector(Expression):
    """SQL on qa_question.search_vector (qa migration 0004), a column the model does not know.

    The table's alias is read when the query is compiled, so the expression stays
    right inside a subquery (where Django renames the table U0): a fixed
    "qa_question." there would point at the outer query's row.
    """

    template = ""

    def __init__(self, tsquery: str) -> None:
        super().__init__(output_field=self.output_field)
        self.tsquery = tsquery

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(next(iter(compiler.query.alias_map)))
        return self.template.format(vector=f"{alias}.search_vector"), [self.tsquery]


class _Matches(_OnSearchVector):
    output_field = BooleanField()
    conditional = True
    template = "{vector} @@ to_tsquery('simple', %s)"


class _Vector(_OnSearchVector):
    output_field = TextField()
    template = "{vector}"

    def as_sql(self, compiler, connection):
        sql, _params = super().as_sql(compiler, connection)
        return sql, []


class _Rank(_OnSearchVector):
    output_field = FloatField()
    template = "ts_rank({vector}, to_tsquery('simple', %s))"


def _matching(queryset: QuerySet[Question], tsquery: str) -> QuerySet[Question]:
    return queryset.filter(_Matches(tsquery))


def _with_rank(queryset: QuerySet[Question], tsquery: str) -> QuerySet[Question]:
    return queryset.annotate(rank=_Rank(tsquery))


def search_filter(queryset: QuerySet[Question], query: str, *, rank: bool = True) -> QuerySet[Question]:
    """Restrict to questions whose folded text holds every term of the query.

    PostgreSQL: the stored search_vector (qa migration 0004; a prefix match on the
    last term, as people type) through its GIN index, with `rank` annotated when
    asked; SQLite: LIKE per term on the folded text.
    """
    terms = _search_terms(query)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        tsquery = _tsquery(terms)
        queryset = _matching(queryset, tsquery)
        return _with_rank(queryset, tsquery) if rank else queryset
    condition = Q()
    for term in terms:
        condition &= _word_prefix(term)
    return queryset.filter(condition)


def _word_prefix(term: str) -> Q:
    """SQLite: the folded text has a word starting with `term` ("hoi" finds "hoi", not "thoi")."""
    return Q(search_text__startswith=term) | Q(search_text__contains=f" {term}")


def _ts_lexeme(term: str) -> str:
    # Folded terms hold only [a-z0-9_]; quote them so to_tsquery never sees an operator.
    return "'" + term.replace("'", "") + "'"


def archive(
    *,
    search: str = "",
    agency: Agency | None = None,
    topic: Topic | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    ordering: str = "",
) -> QuerySet[Question]:
    """Published questions for the archive list and the API, filtered and sorted; count() is capped.

    With a search and the relevance order (the default when searching), the newest
    SEARCH_RANK_CANDIDATES matches are ranked and listed, most relevant first:
    ranking every match of a common word in a million questions is what made
    search slow. Any other order lists every match.
    """
    queryset = _capped(published_questions())
    if agency is not None:
        queryset = queryset.filter(agency_id__in=agency_with_descendants(agency))
    if topic is not None:
        queryset = queryset.filter(topic=topic)
    if date_from is not None:
        queryset = queryset.filter(published_at__date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(published_at__date__lte=date_to)
    if search:
        ranked = connection.vendor == "postgresql" and ordering in ("", "relevance") and bool(_search_terms(search))
        base = queryset
        queryset = search_filter(queryset, search, rank=False)
        if ranked:
            # The candidates are read once here: as a subquery, the paginator's count and the page would each
            # run the search again.
            filtered = agency is not None or topic is not None or date_from is not None or date_to is not None
            newest = _newest_matches(base if filtered else None, _search_terms(search), SEARCH_RANK_CANDIDATES)
            candidates = _capped(published_questions()).filter(pk__in=newest)
            result = _with_rank(candidates, _tsquery(_search_terms(search))).order_by("-rank", "-published_at", "-id")
            result.known_count = len(newest)
            return result
    return queryset.order_by(*ORDERINGS.get(ordering, ORDERINGS["newest"]))


def _walk(queryset: QuerySet[Question], tsquery: str, rows: int, limit: int, *, skip: int = 0) -> list[int]:
    """Ids of the newest `limit` matches among the newest `rows` rows of `queryset`, past the first `skip`.

    The inner query walks the date index newest first and stops after `rows`
    rows; the outer one checks each against the query. Cost is bounded by
    `rows` whatever the words, unlike the GIN index, whose cost grows with how
    common every word is (ten common syllables: 150-400 ms at a million rows).
    Used when the archive is filtered (agency, topic, dates); unfiltered searches
    walk qa_search_terms instead (_walk_terms).
    """
    inner = (
        queryset.order_by("-published_at", "-id")
        .annotate(vector=_Vector(""))
        .values_list("pk", "published_at", "vector")[skip:rows]
    )
    sql, params = inner.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.col1 FROM ({sql}) w (col1, col2, col3) "  # noqa: S608 (compiled by Django, parameters bound)
            "WHERE w.col3 @@ to_tsquery('simple', %s) ORDER BY w.col2 DESC, w.col1 DESC LIMIT %s",
            [*params, tsquery, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _walk_terms(tsquery: str, rows: int, limit: int, *, skip: int = 0) -> list[int]:
    """_walk over the whole archive, on qa_search_terms (qa migration 0007).

    That table holds each published question's date and words without
    positions, inline in about 735 bytes, so a walked row costs about 1 µs where
    qa_question's TOASTed search_vector cost 3-5 µs and four buffers.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.question_id FROM (SELECT question_id, published_at, terms FROM qa_search_terms "
            "ORDER BY published_at DESC, question_id DESC OFFSET %s LIMIT %s) w "
            "WHERE w.terms @@ to_tsquery('simple', %s) ORDER BY w.published_at DESC, w.question_id DESC LIMIT %s",
            [skip, rows - skip, tsquery, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _gin_matches(queryset: QuerySet[Question], terms: list[str], limit: int) -> list[int]:
    """The newest `limit` matches through the GIN index (cheap when a term of the query is rare)."""
    matching = _matching(queryset, _tsquery(terms))
    return list(matching.order_by("-published_at", "-id").values_list("pk", flat=True)[:limit])


def _gin_terms(tsquery: str, limit: int) -> list[int]:
    """_gin_matches over the whole archive, on qa_search_terms: its narrow rows make each match's visit cheaper.

    Always through the GIN index (MATERIALIZED keeps the planner from walking the
    date index instead): this runs only when the walks found matches sparse, and
    a planner that takes common words for independent may expect them dense and
    walk a million rows (about a second) to find a handful.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH m AS MATERIALIZED (SELECT question_id, published_at FROM qa_search_terms "
            "WHERE terms @@ to_tsquery('simple', %s)) "
            "SELECT question_id FROM m ORDER BY published_at DESC, question_id DESC LIMIT %s",
            [tsquery, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _rows_beyond(queryset: QuerySet[Question] | None, rows: int) -> bool:
    """Whether the archive (None: all of it) holds more than `rows` published questions."""
    if queryset is not None:
        return queryset.order_by("-published_at", "-id").values("pk")[rows : rows + 1].exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM qa_search_terms ORDER BY published_at DESC, question_id DESC OFFSET %s LIMIT 1", [rows]
        )
        return cursor.fetchone() is not None


def _newest_matches(queryset: QuerySet[Question] | None, terms: list[str], limit: int) -> list[int]:
    """Ids of the newest `limit` published questions matching `terms`, newest first (PostgreSQL).

    `queryset`: the filtered archive to search in, or None for all of it (then
    on qa_search_terms, the cheaper source). Which plan is cheapest depends on
    how dense the matches are, and the planner cannot tell: it assumes words independent, so ten common syllables that
    always come together ("thủ tục cấp giấy chứng nhận quyền sử dụng đất") are
    estimated at 86 rows when 14,000 match, and it visits all of them through the
    GIN index to keep the newest 300. So: a short walk of the newest rows first;
    its hit rate tells whether a longer walk will find `limit` matches within
    SEARCH_WALK_MAX_ROWS; if not (rare words), the GIN index, which is then cheap.
    Every path returns exactly the newest `limit` matches.
    """
    tsquery = _tsquery(terms)

    def walk(rows: int, wanted: int, skip: int = 0) -> list[int]:
        if queryset is None:
            return _walk_terms(tsquery, rows, wanted, skip=skip)
        return _walk(queryset, tsquery, rows, wanted, skip=skip)

    found = walk(SEARCH_WALK_ROWS, limit)
    if len(found) >= limit:
        return found
    if found and not _rows_beyond(queryset, SEARCH_WALK_ROWS):
        return found  # the walk saw every row
    if found:
        # Where the hit rate says the walk will have enough; it may read up to twice that (it stops as soon as it
        # has enough, so the margin costs nothing when the estimate is right).
        expected = limit * SEARCH_WALK_ROWS // len(found)
        needed = 2 * expected
        if expected <= SEARCH_WALK_MAX_ROWS:
            found += walk(needed, limit - len(found), skip=SEARCH_WALK_ROWS)
            if len(found) >= limit:
                return found
    if queryset is None:
        return _gin_terms(tsquery, limit)
    return _gin_matches(queryset, terms, limit)


def similar_questions(query: str, *, limit: int = 5, exclude_id: int | None = None) -> list[Question]:
    """Published questions that share words with `query` (shown while a citizen types a title).

    Ranked by how many of the query's terms they share, newest first on ties. On
    PostgreSQL, in one query: the candidates are the newest questions holding one
    of the query's rarest terms (syllables not in qa.common_terms, longest first),
    found through the GIN index, then ranked. Matching any term of a title like
    "thủ tục cấp giấy chứng nhận" would touch most of a large archive.
    """
    terms = list(dict.fromkeys(t for t in _search_terms(query) if len(t) > 1))
    if not terms:
        return []
    queryset = published_questions()
    if exclude_id:
        queryset = queryset.exclude(pk=exclude_id)
    if connection.vendor == "postgresql":
        rarest = sorted(terms, key=lambda t: (t in COMMON_TERMS, -len(t)))[:SIMILAR_TERMS]
        any_rare = _tsquery(rarest, operator="|", prefix_last=False)
        newest = _matching(queryset, any_rare).order_by("-published_at", "-id").values("pk")[:SIMILAR_CANDIDATES]
        score = _tsquery(terms, operator="|", prefix_last=False)
        return list(_with_rank(queryset.filter(pk__in=newest), score).order_by("-rank", "-published_at", "-id")[:limit])
    condition = Q()
    for term in terms:
        condition |= _word_prefix(term)
    candidates = list(queryset.filter(condition).order_by("-published_at")[:200])
    folded = {q.pk: set(fold(q.public_title).split()) for q in candidates}
    candidates.sort(key=lambda q: -len(folded[q.pk] & set(terms)))
    return candidates[:limit]


def public_question(reference: str) -> Question:
    """A published question with its answer; 404 for anything else."""
    try:
        return published_questions().get(reference=reference)
    except Question.DoesNotExist:
        raise Http404 from None


def tracked_question(reference: str, token: str | None) -> Question:
    """The asker's view of their question; a wrong or missing token is a 404, never a 403."""
    from .services.submission import check_tracking_token

    question = (
        Question.objects.select_related("agency", "topic")
        .prefetch_related(
            Prefetch("events", queryset=QuestionEvent.objects.filter(is_public=True).order_by("created_at", "id")),
            "attachments",
        )
        .filter(reference=reference)
        .first()
    )
    if question is None or question.status == QuestionStatus.UNVERIFIED or not check_tracking_token(question, token):
        raise Http404
    return question


def sent_answer(question: Question) -> Answer | None:
    """The answer the asker may read: only once it has been sent."""
    if question.status not in (QuestionStatus.ANSWERED, QuestionStatus.PUBLISHED):
        return None
    return Answer.objects.filter(question=question).first()


def active_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).select_related("parent").order_by("name")


def active_topics() -> QuerySet[Topic]:
    return Topic.objects.filter(is_active=True)
