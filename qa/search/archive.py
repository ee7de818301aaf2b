"""Archive search on PostgreSQL's full-text vectors: which rows to rank, and how to find them fast.

Why (bench/results/2026-11-30-2101.md, rows 11–13 at 1,000,000 published questions: the search page p95 33.5 ms,
the search API p95 22.5 ms, similar-question suggestions p95 5.4 ms; docs/performance.md, "Archive search"):
the planner assumes words independent and estimated 86 rows for a query that 14,000 match, so the plan is
chosen here, not by it: a walk of the newest rows when matches are dense, the GIN index when they are rare,
and relevance as tiers over every match, the first rows of the text tiers ordered by how much of the query their
titles hold (issue 17; docs/performance.md, "Every archive shape"; bench/results/newest .md, "Every archive shape"
and "Search relevance"). Unfiltered walks read qa_search_terms (qa migration 0007:
narrow rows, about 0.7 µs a row against 3–5 µs on qa_question's TOASTed vector); filtered walks check their rows
there by primary key; rare phrases are found through their pairs of adjacent words (qa_search_pairs, migration
0015). Both tables are written by database triggers. Raw SQL is used where the ORM cannot say "walk N rows in index
order, then filter".
On SQLite (the embedded run) the same functions fall back to LIKE on the folded text.

Domain code (qa.selectors) calls search_filter, can_rank, sorted_matches, all_terms, title_matches, tiers,
tier_matches, is_sentence_query, rerank_rows, title_order, loosest, count_matches and similar; nothing else here.
"""

import itertools
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Expression, FloatField, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL

from ..common_terms import COMMON_TERMS
from ..models import Question
from ..text import fold
from .keyset import RowBefore

# Finding the newest (or first, in a sort's order) matches: first a walk down the sort's index over the first
# SEARCH_WALK_ROWS rows, checking each against the query (cheap when matches are dense: common words); when that
# finds too few, a longer walk if the first one's hit rate says it will find enough within SEARCH_WALK_MAX_ROWS,
# else the GIN index (cheap when the words are rare). See _newest_matches.
# Unfiltered searches walk qa_search_terms (qa migration 0007): at a million rows about 0.7 µs a row (it was 3-5 µs
# on qa_question's TOASTed vector, still what filtered searches walk); the GIN path reads the posting lists (a few
# ms per common word) then visits each match: the walk is cheaper down to about 0.4% of rows matching, i.e. when
# the 100 newest matches are expected within 25,000 rows.
SEARCH_WALK_ROWS = 2000
SEARCH_WALK_MAX_ROWS = 25000

# "Similar questions": candidates hold one of the query's rarest terms, then are ranked by the terms they share.
SIMILAR_CANDIDATES = 100
SIMILAR_TERMS = 3


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


NEWEST = ("published_at", "id")


def _walk(
    queryset: QuerySet[Question], tsquery: str, rows: int, limit: int, *, skip: int = 0, keys: tuple = NEWEST
) -> list[int]:
    """Ids of the first `limit` matches among the first `rows` rows of `queryset` in the order of `keys` (all
    descending), past the first `skip`.

    The inner query walks the sort's index and stops after `rows`
    rows; the outer one checks each against the query. Cost is bounded by
    `rows` whatever the words, unlike the GIN index, whose cost grows with how
    common every word is (ten common syllables: 150-400 ms at a million rows).
    Used when the archive is filtered (agency, topic, dates) or sorted by views or votes; unfiltered newest-first
    searches walk qa_search_terms instead (_walk_terms). Each walked row is checked on its narrow qa_search_terms
    row, except for a phrase, whose positions only qa_question's vector holds.
    """
    ordered = queryset.order_by(*(f"-{key}" for key in keys))
    if "<->" not in tsquery:
        # The scope's rows in the sort's order (its index: no heap, no vector), each checked on its narrow
        # qa_search_terms row by primary key: 2,000 rows of a topic cost 39 ms on qa_question's TOASTed vectors.
        sql, params = ordered.values_list("pk", *keys)[skip:rows].query.sql_with_params()
        names = [f"col{i}" for i in range(1, len(keys) + 2)]
        order = ", ".join(f"w.{name} DESC" for name in names[1:])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT w.col1 FROM ({sql}) w ({', '.join(names)}) "  # noqa: S608 (compiled by Django, parameters bound)
                # LATERAL ... OFFSET 0: a lookup by primary key a walked row; as a join the planner read every
                # match of common words through the GIN index instead (27,946 rows, 175 ms, for 47).
                "CROSS JOIN LATERAL (SELECT terms FROM qa_search_terms WHERE question_id = w.col1 OFFSET 0) t "
                f"WHERE t.terms @@ to_tsquery('simple', %s) ORDER BY {order} LIMIT %s",
                [*params, tsquery, limit],
            )
            return [row[0] for row in cursor.fetchall()]
    inner = ordered.annotate(vector=_Vector("")).values_list("pk", "vector", *keys)[skip:rows]
    sql, params = inner.query.sql_with_params()
    names = [f"col{i}" for i in range(1, len(keys) + 3)]
    order = ", ".join(f"w.{name} DESC" for name in names[2:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.col1 FROM ({sql}) w ({', '.join(names)}) "  # noqa: S608 (compiled by Django, parameters bound)
            f"WHERE w.col2 @@ to_tsquery('simple', %s) ORDER BY {order} LIMIT %s",
            [*params, tsquery, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _walk_terms(tsquery: str, rows: int, limit: int, *, skip: int = 0, before: tuple | None = None) -> list[int]:
    """_walk over the whole archive, on qa_search_terms (qa migration 0007).

    That table holds each published question's date and words without
    positions, inline in about 735 bytes, so a walked row costs about 1 µs where
    qa_question's TOASTed search_vector cost 3-5 µs and four buffers.
    """
    where, where_params = _terms_before(before)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT w.question_id FROM (SELECT question_id, published_at, terms FROM qa_search_terms {where}"  # noqa: S608
            "ORDER BY published_at DESC, question_id DESC OFFSET %s LIMIT %s) w "
            "WHERE w.terms @@ to_tsquery('simple', %s) ORDER BY w.published_at DESC, w.question_id DESC LIMIT %s",
            [*where_params, skip, rows - skip, tsquery, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _gin_matches(queryset: QuerySet[Question], tsquery: str, limit: int, keys: tuple = NEWEST) -> list[int]:
    """The first `limit` matches in the order of `keys` through the GIN index (cheap when a term is rare).

    MATERIALIZED: the planner, taking common words for independent, may expect them dense and walk the sort's
    index over a million rows to find a handful.
    """
    matching = _matching(queryset, tsquery).values_list("pk", *keys)
    sql, params = matching.query.sql_with_params()
    names = [f"col{i}" for i in range(1, len(keys) + 2)]
    order = ", ".join(f"m.{name} DESC" for name in names[1:])
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH m ({', '.join(names)}) AS MATERIALIZED ({sql}) "  # noqa: S608 (compiled by Django, parameters bound)
            f"SELECT m.col1 FROM m ORDER BY {order} LIMIT %s",
            [*params, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _terms_before(before: tuple | None) -> tuple[str, list]:
    """A keyset condition on qa_search_terms: rows older than (published_at, question_id), served by its index."""
    if before is None:
        return "", []
    return "WHERE (published_at, question_id) < (%s, %s) ", list(before)


def _gin_terms(tsquery: str, limit: int, *, before: tuple | None = None, driver: str | None = None) -> list[int]:
    """_gin_matches over the whole archive, on qa_search_terms: its narrow rows make each match's visit cheaper.

    Always through the GIN index (MATERIALIZED keeps the planner from walking the
    date index instead): this runs only when the walks found matches sparse, and
    a planner that takes common words for independent may expect them dense and
    walk a million rows (about a second) to find a handful. With a `driver` (rarer terms every match holds),
    the index reads only the driver's postings and `tsquery` is checked on the rows it finds.
    """
    where, where_params = _terms_before(before)
    check = "WHERE terms @@ to_tsquery('simple', %s) " if driver else ""
    condition = f"AND {where[6:]}" if where and driver else where
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH m AS MATERIALIZED (SELECT question_id, published_at, terms FROM qa_search_terms "  # noqa: S608 (fixed)
            "WHERE terms @@ to_tsquery('simple', %s)) "
            f"SELECT question_id FROM m {check}{condition}ORDER BY published_at DESC, question_id DESC LIMIT %s",
            [driver or tsquery, *([tsquery] if driver else []), *where_params, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _rows_beyond(queryset: QuerySet[Question] | None, rows: int, before: tuple | None = None) -> bool:
    """Whether the archive (None: all of it, older than `before`) holds more than `rows` published questions."""
    if queryset is not None:
        return queryset.order_by("-published_at", "-id").values("pk")[rows : rows + 1].exists()
    where, where_params = _terms_before(before)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM qa_search_terms {where}"  # noqa: S608 (a fixed condition, parameters bound)
            "ORDER BY published_at DESC, question_id DESC OFFSET %s LIMIT 1",
            [*where_params, rows],
        )
        return cursor.fetchone() is not None


def _newest_matches(
    queryset: QuerySet[Question] | None,
    tsquery: str,
    limit: int,
    *,
    before: tuple | None = None,
    keys: tuple = NEWEST,
    driver: str | None = None,
) -> list[int]:
    """Ids of the newest `limit` published questions matching `tsquery`, newest first (PostgreSQL).

    `queryset`: the filtered archive to search in, or None for all of it (then
    on qa_search_terms, the cheaper source; a phrase query needs positions, so it
    goes through qa_question). `before`: (published_at, id) of the last row already
    shown (keyset pagination). Which plan is cheapest depends on
    how dense the matches are, and the planner cannot tell: it assumes words independent, so ten common syllables that
    always come together ("thủ tục cấp giấy chứng nhận quyền sử dụng đất") are
    estimated at 86 rows when 14,000 match, and it visits all of them through the
    GIN index to keep the newest 300. So: a short walk of the newest rows first;
    its hit rate tells whether a longer walk will find `limit` matches within
    SEARCH_WALK_MAX_ROWS; if not (rare words), the GIN index, which is then cheap.
    Every path returns exactly the newest `limit` matches.
    """
    if queryset is None and ("<->" in tsquery or keys != NEWEST):
        queryset = Question.objects.filter(status="published")
    if queryset is not None and before is not None:
        queryset = queryset.filter(RowBefore(keys, before))
    # A walked row costs 0.7 µs on qa_search_terms, about 3 µs through a scope's index and a lookup of its
    # qa_search_terms row (_walk), 3-5 µs and more on qa_question's TOASTed vector (a phrase needs its positions).
    max_rows = SEARCH_WALK_MAX_ROWS if queryset is None or "<->" not in tsquery else SEARCH_WALK_MAX_ROWS // 5

    def walk(rows: int, wanted: int, skip: int = 0) -> list[int]:
        if queryset is None:
            return _walk_terms(tsquery, rows, wanted, skip=skip, before=before)
        return _walk(queryset, tsquery, rows, wanted, skip=skip, keys=keys)

    found = walk(SEARCH_WALK_ROWS, limit)
    if len(found) >= limit:
        return found
    if found and not _rows_beyond(queryset, SEARCH_WALK_ROWS, before):
        return found  # the walk saw every row
    if found:
        # Where the hit rate says the walk will have enough; it may read up to twice that (it stops as soon as it
        # has enough, so the margin costs nothing when the estimate is right).
        expected = limit * SEARCH_WALK_ROWS // len(found)
        needed = 2 * expected
        if expected <= max_rows:
            found += walk(needed, limit - len(found), skip=SEARCH_WALK_ROWS)
            if len(found) >= limit:
                return found
    if queryset is None:
        return _gin_terms(tsquery, limit, before=before, driver=driver)
    return _gin_matches(queryset, tsquery, limit, keys)


def sorted_matches(
    queryset: QuerySet[Question] | None, query: str, limit: int, keys: tuple, *, before: tuple | None = None
) -> list[int]:
    """Ids of the first `limit` questions holding every term of `query`, in the order of `keys` (all descending),
    after `before` (keyset): a walk of the sort's index, or the GIN index when matches are sparse."""
    terms = _search_terms(query)
    return _newest_matches(queryset, _tsquery(terms), limit, before=before, keys=keys) if terms else []


def all_terms(query: str) -> str:
    """The tsquery of every term of `query` (what a search sorted by date, views or votes lists)."""
    terms = _search_terms(query)
    return _tsquery(terms) if terms else ""


# Counting the matches of a search: the newest COUNT_SAMPLE_ROWS rows of qa_search_terms are checked first (a few ms);
# when they project more than twice the cap, that projection is the estimate, and no index has to read every posting.
COUNT_SAMPLE_ROWS = 2000


def _sample(tsquery: str) -> tuple[int, int, float]:
    """(rows sampled, rows matching `tsquery` among them, the archive's rows by the planner's statistics): the
    newest COUNT_SAMPLE_ROWS rows of qa_search_terms, a few ms."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE s.terms @@ to_tsquery('simple', %s)), "
            "(SELECT reltuples FROM pg_class WHERE relname = 'qa_search_terms') "
            "FROM (SELECT terms FROM qa_search_terms ORDER BY published_at DESC, question_id DESC LIMIT %s) s",
            [tsquery, COUNT_SAMPLE_ROWS],
        )
        sampled, hits, total = cursor.fetchone()
    return sampled, hits, total or 0.0


def count_matches(queryset: QuerySet[Question] | None, tsquery: str) -> tuple[int, bool]:
    """(count, estimated) of the matches of `tsquery` in `queryset` (None: the whole archive), PostgreSQL.

    Exact up to counts.COUNT_CAP; beyond it an estimate: the share of matches among the archive's newest
    COUNT_SAMPLE_ROWS rows (qa_search_terms: narrow rows, a few ms) times the size of the scope (the whole
    archive, or the planner's estimate of the filtered scope, whose single-column statistics are good). The
    planner's own estimate of the matches, assuming words independent, was 86 rows for a query that 14,000 match.
    When the projection is below half the cap, the matches are counted up to the cap (few matches: the GIN index).
    """
    from .counts import COUNT_CAP, capped_count, estimated_rows

    if not tsquery:
        return 0, False
    sampled, hits, total = _sample(tsquery)
    if queryset is None and sampled < COUNT_SAMPLE_ROWS:
        return hits, False  # the sample was the whole archive
    scope = max(total or 0, sampled) if queryset is None else estimated_rows(queryset)
    projected = int(hits * scope / sampled) if sampled else 0
    if projected > COUNT_CAP // 2:
        # Counting even 500 matches in a filtered scope read their TOASTed vectors: 60 ms under load.
        return projected, True
    if queryset is not None:
        count, estimated = capped_count(_matching(queryset, tsquery))
        return (max(count, projected), True) if estimated else (count, False)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM qa_search_terms WHERE terms @@ to_tsquery('simple', %s) LIMIT %s) m",
            [tsquery, COUNT_CAP + 1],
        )
        exact = cursor.fetchone()[0]
    if exact <= COUNT_CAP:
        return exact, False
    return max(projected, exact), True


def can_rank(query: str) -> bool:
    """Whether relevance ranking applies: PostgreSQL and a query with at least one term."""
    return connection.vendor == "postgresql" and bool(_search_terms(query))


# --- Relevance: tiers over every match -----------------------------------------------------------------------------
#
# Ranking by ts_rank reads every match's positions (TOASTed, 3-5 µs each): 67,000 matches of a common word cost
# 300 ms, so only the newest 100 used to be ranked. Instead, relevance is an order of tiers, each a set the
# walk-or-GIN search above lists newest first, so every match has a place and a page costs a few of those
# searches (docs/performance.md, "Relevance"):
#   1. the typed text with its accents in the title (when the query has diacritics: exact above folded), then
#   2. the folded text in the title: both among the newest TITLE_SCAN phrase matches, at most TITLE_TIER_MAX each;
#   3. the terms as a phrase, adjacent and in order (Vietnamese words are several syllables);
#   4. every term anywhere;
#   5. the important terms (not in qa.common_terms: "xin", "hỏi", "tôi", "về", "việc" weigh little) with their runs
#      of adjacent terms as phrases, then 6. the important terms anywhere (a sentence as citizens type it);
#   7. for a sentence (three important terms or more): all its important terms but one, but two, ... down to half;
#   8. for a query of three terms or more, any important term (nothing required).
# A tier excludes the tiers above it, so each question appears once; within a tier, newest first, except the text
# tiers' first rows (60, a sentence's 100), ordered by their titles first (title_order, below).
# A sentence skips tiers 1-5 (5 too, its runs as phrases): checking the positions of a phrase rare among its terms'
# matches cost 50-100 ms at 100,000 rows ("khám bệnh trái tuyến" as a phrase), and the title order weighs adjacency.
TITLE_SCAN = 60
TITLE_TIER_MAX = 50
SENTENCE_TERMS = 8
SENTENCE_MIN_TERMS = 6
# The syllables that make a query a sentence rather than a name ("cho tôi hỏi ... được không"): two of them in
# SENTENCE_MIN_TERMS terms or more. A procedure's name ("cấp giấy chứng nhận quyền sử dụng đất") has none.
SENTENCE_WORDS = frozenset(
    [
        "xin",
        "hoi",
        "toi",
        "ve",
        "viec",
        "cho",
        "duoc",
        "co",
        "khong",
        "thi",
        "nhu",
        "the",
        "nao",
        "a",
        "muon",
        "lam",
        "gi",
        "dau",
        "bao",
        "lau",
        "minh",
        "em",
        "vay",
        "nhe",
        "roi",
    ]
)  # fmt: skip


def is_sentence(terms: list[str]) -> bool:
    """Whether folded `terms` read as a sentence as citizens type it (see SENTENCE_WORDS)."""
    return len(terms) >= SENTENCE_MIN_TERMS and sum(t in SENTENCE_WORDS for t in terms) >= 2


# A phrase (positions) is checked on qa_question for batches of candidates found without positions on
# qa_search_terms; a batch grows this many times, this many times at most, before the GIN index decides instead.
PHRASE_BATCH = 100
PHRASE_GROWTH = 4
PHRASE_ROUNDS = 4


@dataclass(frozen=True)
class Tier:
    """One relevance tier: its tsquery excluding the tiers above, and the tsquery alone (`base`)."""

    tsquery: str
    base: str
    required: tuple = ()  # terms every row of the tier holds (for a cheaper GIN driver, _driver)
    within_last: bool = False  # every row of it matches the last tier ("any important term"): no count needed
    pairs: str = ""  # a phrase tier: the adjacent pairs its rows hold (qa_search_pairs, _pair_matches)


# Pairs of adjacent words (qa migration 0015, qa_search_pairs): `a <-> b` holds exactly when the lexeme "a_b" does.
# Only terms the text-search parser keeps whole ([a-z0-9]) make pairs; "nd-cp" or "102/2024" are split by it.
_PAIR_TERM = re.compile(r"[a-z0-9]+")


def _pairs(terms: list[str], *, prefix_last: bool) -> str:
    """The ::tsquery of the adjacent pairs of a phrase of `terms` ("" without a pair, or with a term the parser
    would split). Built for ::tsquery, not to_tsquery, which would read "a_b" as the phrase a <-> b."""
    if len(terms) < 2 or not all(_PAIR_TERM.fullmatch(t) for t in terms):
        return ""
    pairs = [f"'{a}_{b}'" for a, b in itertools.pairwise(terms)]
    if prefix_last:
        pairs[-1] += ":*"
    return " & ".join(pairs)


# A sentence may be longer than the 12 terms a search keeps (_search_terms): its important terms are read from
# its first SENTENCE_MAX_WORDS words ("nhà nước thu hồi đất của gia đình tôi thì được bồi thường thế nào" names
# "bồi thường" in its 13th and 14th).
SENTENCE_MAX_WORDS = 24


def _ranking_terms(query: str) -> tuple[list[str], list[str], bool]:
    """(terms, important terms, sentence?) of `query` as the tiers and the title order read them."""
    terms = _search_terms(query)
    sentence = bool(terms) and is_sentence(terms)
    if sentence:
        terms = [term for term in fold(query).split() if term][:SENTENCE_MAX_WORDS]
    # A sentence's own words ("muốn", "được", "thế nào") name nothing, even when they are not common syllables:
    # "công ty tôi muốn tạm ngừng kinh doanh" is about "công ty", "ngừng", "kinh doanh".
    # (A sentence made only of such words keeps them: better loose matches than none.)
    named = [t for t in terms if t not in COMMON_TERMS and len(t) > 1]
    important = [t for t in named if t not in SENTENCE_WORDS] if sentence else named
    important = important or named
    return terms, important, sentence


def _phrase(terms: list[str], *, prefix_last: bool) -> str:
    lexemes = [_ts_lexeme(t) for t in terms]
    if prefix_last:
        lexemes[-1] += ":*"
    return " <-> ".join(lexemes) if len(lexemes) > 1 else lexemes[0]


def _runs(terms: list[str], important: set[str]) -> list[list[str]]:
    runs: list[list[str]] = [[]]
    for term in terms:
        if term in important:
            runs[-1].append(term)
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def tiers(query: str, *, phrases: bool = True) -> list[Tier]:
    """The full-text tiers of `query` (3 to 8 above), most relevant first; [] without a term.

    `phrases=False`: without the phrase tiers (when the phrase is too sparse among its terms' matches to list).
    """
    terms, important, sentence = _ranking_terms(query)
    if not terms:
        return []
    queries: list[str] = []
    required: dict[str, tuple] = {}
    pairs: dict[str, str] = {}
    whole = tuple(terms[:-1])  # the last term is a prefix: its frequency is unknown
    # A sentence (SENTENCE_MIN_TERMS terms or more, some of them common) is ranked on its important terms only:
    # every one of its words is in almost no question, and proving it through the GIN index cost 0.3-1 s.
    if len(terms) >= 2 and phrases and not sentence:
        queries.append(_phrase(terms, prefix_last=True))
        required[queries[-1]] = whole
        pairs[queries[-1]] = _pairs(terms, prefix_last=True)
    if not sentence:
        queries.append(_tsquery(terms))
        required[queries[-1]] = whole
    if important and important != terms:
        runs = _runs(terms, set(important))
        last_prefix = terms[-1] in important
        run_phrases = [
            _phrase(run, prefix_last=last_prefix and run is runs[-1] and run[-1] == terms[-1]) for run in runs
        ]
        firm = tuple(important[:-1]) if last_prefix else tuple(important)
        if any(len(run) > 1 for run in runs) and phrases and not sentence:
            queries.append(" & ".join(f"({p})" for p in run_phrases))
            required[queries[-1]] = firm
            run_pairs = [
                _pairs(run, prefix_last=last_prefix and run is runs[-1] and run[-1] == terms[-1])
                for run in runs
                if len(run) > 1
            ]
            pairs[queries[-1]] = " & ".join(run_pairs) if all(run_pairs) else ""
        queries.append(_tsquery(important, prefix_last=last_prefix))
        required[queries[-1]] = firm
    if len(terms) >= 3 and len(important) >= 3:
        # A sentence names things the answer may not: "at least all but one" of its important terms, then all but
        # two, ... down to half of them, each an OR of ANDs (at most SENTENCE_TERMS terms, so C(8, 4) = 70 clauses).
        kept = list(dict.fromkeys(important))[:SENTENCE_TERMS]
        for wanted in range(len(kept) - 1, max(1, (len(kept) + 1) // 2) - 1, -1):
            clauses = [_tsquery(list(combo), prefix_last=False) for combo in itertools.combinations(kept, wanted)]
            queries.append(" | ".join(f"({c})" for c in clauses))
    last = ""
    if len(terms) >= 3 and important:
        last = _tsquery(important, operator="|", prefix_last=False)
        queries.append(last)
    result: list[Tier] = []
    seen: list[str] = []
    for tsquery in dict.fromkeys(queries):
        exclude = " | ".join(f"({q})" for q in seen)
        held = required.get(tsquery, ())
        # Rows holding one important term exactly (the all-but-k tiers hold several) are in the last tier too.
        within = bool(last) and tsquery != last and (tsquery not in required or bool(set(held) & set(important)))
        result.append(
            Tier(f"({tsquery}) & !({exclude})" if exclude else tsquery, tsquery, held, within, pairs.get(tsquery, ""))
        )
        seen.append(tsquery)
    return result


def loosest(query: str) -> str:
    """The tsquery that every ranked match matches (the union of the tiers): what a count of matches counts.

    Phrase tiers are inside the tiers of the same terms anywhere, so they are left out: the union then needs no
    positions and qa_search_terms (stripped vectors) can count it. So are the tiers inside the last one ("any
    important term"): a sentence's union of 70 clauses cost 48 ms over the count's 2,000-row sample at 100,000 rows.
    """
    return " | ".join(f"({t.base})" for t in tiers(query, phrases=False) if not t.within_last)


def title_matches(
    queryset: QuerySet[Question] | None, query: str, *, memo: dict | None = None
) -> tuple[list[int], list[int]]:
    """Tiers 1 and 2: ids whose title holds the typed text with its accents, and those holding it folded.

    Looked for among the newest TITLE_SCAN matches of the phrase (one search and one read of their titles, a
    bounded cost), newest first, at most TITLE_TIER_MAX each.
    """
    terms = _search_terms(query)
    if not terms or is_sentence(terms):
        return [], []  # a sentence is nobody's title
    phrase = _phrase(terms, prefix_last=True)
    tier = Tier(phrase, phrase, tuple(terms[:-1]), pairs=_pairs(terms, prefix_last=True))
    ids = _newest_of(queryset, tier, TITLE_SCAN, None, memo)
    titles = dict(Question.objects.filter(pk__in=ids).values_list("pk", "public_title"))
    typed = " ".join(query.lower().split())
    folded = f" {fold(query)} "
    accented = typed != fold(typed)
    exact: list[int] = []
    loose: list[int] = []
    for pk in ids:
        title = titles.get(pk, "")
        if accented and typed in " ".join(title.lower().split()):
            exact.append(pk)
        elif folded in f" {fold(title)} ":
            loose.append(pk)
    return exact[:TITLE_TIER_MAX], loose[:TITLE_TIER_MAX]


def _checked_matches(
    queryset: QuerySet[Question] | None,
    tsquery: str,
    loose: str,
    limit: int,
    *,
    before: tuple | None = None,
    driver: str | None = None,
    pairs: str = "",
) -> list[int]:
    """The newest `limit` matches of a phrase tsquery: candidates found without positions, newest first, then
    checked on qa_question's positions, a batch at a time.

    The GIN index of qa_question cannot check positions: for "tách <-> thửa" it rechecked 10,000 TOASTed rows
    (1.04 s at a million questions). Candidates come from `loose` (the same terms without positions, a superset):
    most rows holding the words of a common phrase hold the phrase, so a few batches suffice. When the first batch
    says the phrase is rare (_pairs_cheaper), or the batches run out (a phrase rare among its words' rows: "giải <->
    thể" among "giải ... thế nào"), the rest come from `pairs` (its adjacent pairs, qa_search_pairs); without pairs
    (a term the parser splits), from the GIN index, correct but slow (1-2 s at a million questions).
    """
    found: list[int] = []
    batch, position = PHRASE_BATCH, before
    for attempt in range(PHRASE_ROUNDS):
        candidates = _newest_matches(queryset, loose, batch, before=position, driver=driver)
        if not candidates:
            return found
        checked = _holding(candidates, tsquery)
        held = [pk for pk in candidates if pk in checked]
        found += held[: limit - len(found)]
        if len(found) >= limit or len(candidates) < batch:
            return found
        last = candidates[-1]
        last_at = checked.get(last) or Question.objects.filter(pk=last).values_list("published_at", flat=True).first()
        position = (last_at, last)
        if (
            pairs
            and attempt == 0
            and len(held) < len(candidates)
            and _pairs_cheaper(queryset, loose, held, candidates, batch * PHRASE_GROWTH)
        ):
            break
        batch *= PHRASE_GROWTH
    if pairs:
        return found + _pair_matches(queryset, tsquery, pairs, limit - len(found), before=position)
    return _newest_matches(queryset, tsquery, limit, before=before)


def _holding(ids: list[int], tsquery: str) -> dict:
    """{id: published_at} of the questions of `ids` whose vector holds `tsquery` (positions), read by primary key.

    MATERIALIZED: left to itself, the planner checked a phrase on 1,600 candidates through the GIN index (every
    row holding its words rechecked: 1.03 s at a million questions) instead of reading the 1,600 rows (a few ms).
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH c AS MATERIALIZED (SELECT id, published_at, search_vector FROM qa_question WHERE id = ANY(%s)) "
            "SELECT id, published_at FROM c WHERE search_vector @@ to_tsquery('simple', %s)",
            [list(ids), tsquery],
        )
        return dict(cursor.fetchall())


# After the first batch of a phrase's candidates, the rest come from its pairs when the phrase is estimated in
# fewer than PAIR_ROWS questions, or when the next batch of its words' rows would go past a walk to the words'
# GIN index. The pairs' index reads every row holding them to sort them by date (about 6 µs a row at a million
# questions: 49,000 rows of a common pair took 305 ms); a walk finds `wanted` phrase rows in wanted / density rows
# (0.7 µs each): for a page's 100 rows the two cost the same near 3,000 rows; and the words' GIN index reads every
# row holding the words, which are more than the phrase's (10 common syllables: 181 ms where the pairs took 45 ms).
PAIR_ROWS = 3000


def _pairs_cheaper(
    queryset: QuerySet[Question] | None, loose: str, held: list[int], candidates: list[int], following: int
) -> bool:
    """Whether the rest of a phrase's rows cost less from its pairs than the `following` batch of its words' rows:
    the words' density is the share of the archive's newest rows holding them (`loose`, _sample), the phrase's
    that times the share of the checked `candidates` holding the phrase (`held`)."""
    sampled, hits, total = _sample(loose)
    words = hits / sampled if sampled else 0.0
    phrase = words * len(held) / len(candidates)
    rare = phrase * max(total, sampled) < PAIR_ROWS
    if queryset is not None:
        # The pairs' rows are the whole archive's, the scope's a share of them: only a rare phrase is cheaper so
        # (a common one in a month: 24,797 pairs' rows read for 95, 345 ms).
        return rare
    return rare or following > words * SEARCH_WALK_MAX_ROWS


def _pair_candidates(queryset: QuerySet[Question] | None, pairs: str, limit: int, before: tuple | None) -> list[tuple]:
    """(id, published_at) of the newest `limit` published questions (of `queryset`) holding every pair of `pairs`,
    after `before`: the pairs' GIN index (MATERIALIZED, as in _gin_terms: the planner may otherwise walk the date
    index over a million rows to find a handful)."""
    if queryset is None:
        where, where_params = _terms_before(before)
        with connection.cursor() as cursor:
            cursor.execute(
                "WITH m AS MATERIALIZED (SELECT question_id, published_at FROM qa_search_pairs "  # noqa: S608 (fixed)
                "WHERE pairs @@ %s::tsquery) "
                f"SELECT question_id, published_at FROM m {where}ORDER BY published_at DESC, question_id DESC LIMIT %s",
                [pairs, *where_params, limit],
            )
            return cursor.fetchall()
    # OFFSET 0 keeps the pairs' search a subquery of its own (through their index), joined to the scope's rows.
    holding = RawSQL("SELECT question_id FROM qa_search_pairs WHERE pairs @@ %s::tsquery OFFSET 0", [pairs])
    scoped = queryset.filter(pk__in=holding)
    if before is not None:
        scoped = scoped.filter(RowBefore(NEWEST, before))
    return list(scoped.order_by("-published_at", "-id").values_list("pk", "published_at")[:limit])


def _pair_matches(
    queryset: QuerySet[Question] | None, tsquery: str, pairs: str, limit: int, *, before: tuple | None = None
) -> list[int]:
    """The newest `limit` matches of a phrase tsquery among the rows holding its adjacent pairs (qa_search_pairs),
    their positions checked on qa_question a batch at a time. A two-word phrase's pair is the phrase itself;
    three words' pairs may stand apart in a row ("a b" here, "b c" there), and a tier's exclusions are only in
    `tsquery`: the check decides."""
    found: list[int] = []
    batch, position = max(PHRASE_BATCH, limit), before
    while len(found) < limit:
        candidates = _pair_candidates(queryset, pairs, batch, position)
        if not candidates:
            break
        ids = [pk for pk, _at in candidates]
        checked = _holding(ids, tsquery)
        found += [pk for pk in ids if pk in checked][: limit - len(found)]
        if len(candidates) < batch:
            break
        last, last_at = candidates[-1]
        position = (last_at, last)
        batch *= PHRASE_GROWTH
    return found


# GIN driver: a tier whose words are all common ("cho tôi hỏi về việc đăng ký ...") cost 150-320 ms in the GIN
# index, intersecting posting lists of hundreds of thousands of rows ("cho", "tôi", "hỏi" are in nearly every
# question), to find that nothing holds all twelve. Its DRIVER_TERMS rarest required terms under DRIVER_MAX_SHARE
# of rows (by the planner's statistics of qa_search_terms) find a superset cheaply; the whole condition is then
# checked on those narrow rows. (Driven by terms in 8% of rows, the superset cost 0.8-1 s: only rare ones drive.)
DRIVER_MAX_SHARE = 0.02
DRIVER_TERMS = 3
_frequencies: dict[str, float] | None = None


def _common_elements(table: str, column: str) -> dict[str, float]:
    """Share of rows holding each common lexeme of a tsvector column (pg_stats' most common elements)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = %s AND attname = %s",
            [table, column],
        )
        row = cursor.fetchone()
    return dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}


def _term_shares() -> dict[str, float]:
    """Share of rows holding each common lexeme of qa_search_terms (read once a process)."""
    global _frequencies
    if _frequencies is None:
        _frequencies = _common_elements("qa_search_terms", "terms")
    return _frequencies


def _driver(required: tuple) -> str | None:
    """The AND of the tier's rare required terms (None when there is none: then the tier's own query)."""
    if not required:
        return None
    shares = _term_shares()
    floor = min(shares.values()) if shares else 0.0
    rare = sorted(
        (t for t in dict.fromkeys(required) if shares.get(t, floor) < DRIVER_MAX_SHARE),
        key=lambda t: shares.get(t, floor),
    )
    if not rare or len(rare) == len(set(required)):
        return None  # no common term to leave out of the index search
    return _tsquery(rare[:DRIVER_TERMS], prefix_last=False)


def _newest_of(
    queryset: QuerySet[Question] | None, tier: Tier, limit: int, before: tuple | None, memo: dict | None = None
) -> list[int]:
    """The newest `limit` rows of a tier; `memo`: one page's searches already made (the title scan reads the
    phrase tier's first rows, which the title order reads again), reused when they hold these rows."""
    if memo is not None:
        key = (tier.tsquery, before)
        known = memo.get(key)
        if known is not None and (known[0] >= limit or len(known[1]) < known[0]):
            return known[1][:limit]
        memo[key] = (limit, _newest_of(queryset, tier, limit, before))
        return memo[key][1]
    driver = _driver(tier.required) if queryset is None else None
    if "<->" in tier.tsquery:
        return _checked_matches(
            queryset, tier.tsquery, tier.base.replace("<->", "&"), limit, before=before, driver=driver, pairs=tier.pairs
        )
    return _newest_matches(queryset, tier.tsquery, limit, before=before, driver=driver)


def tier_matches(
    queryset: QuerySet[Question] | None,
    tier: Tier,
    limit: int,
    *,
    before: tuple | None = None,
    listed=(),
    memo: dict | None = None,
) -> list[int]:
    """Ids of the newest `limit` questions of one tier, leaving out `listed` (the title tiers' rows)."""
    if not listed:
        return _newest_of(queryset, tier, limit, before, memo)
    found = _newest_of(queryset, tier, limit + len(listed), before, memo)
    excluded = set(listed)
    return [pk for pk in found if pk not in excluded][:limit]


# --- Relevance within the text tiers: the title first ---------------------------------------------------------------
#
# Newest first within a tier put, for "cho tôi hỏi về việc đăng ký thường trú", questions that name the words in
# their bodies above the ones about it (the title says what a question asks: the archive's own rule, bench/
# relevance.py). So the first RERANK_ROWS rows of the text tiers, in their order (a bounded read: what page 10 read
# before), are ordered by how much of the query their titles hold, then by tier, then newest first; the rest follow
# in tier order, newest first, from where those rows ended (a keyset position). Their titles are read with the rows
# a page shows anyway (one query by primary key): no positions, no ts_rank over the matches.
RERANK_ROWS = 100


def is_sentence_query(query: str) -> bool:
    """Whether `query` reads as a sentence (is_sentence on its search terms)."""
    terms = _search_terms(query)
    return bool(terms) and is_sentence(terms)


def rerank_rows(query: str) -> int:
    """How many text-tier rows the title order reads: RERANK_ROWS for a sentence (its tiers need no positions:
    a walk of narrow rows), else TITLE_SCAN, the phrase tier's first rows that the title scan has just read."""
    return RERANK_ROWS if is_sentence_query(query) else TITLE_SCAN


def title_scorer(query: str):
    """A function of a title: how much of `query` it holds, for ordering the first RERANK_ROWS text-tier rows.

    Each important term (not common, not a sentence's "xin", "hỏi", "muốn", ...) in the title counts 2; each pair
    of the query's adjacent terms adjacent in the title counts 1 when one of them is important, 0.5 for two common
    ones ("xã hội", "một lần"), nothing with a sentence's word ("thế nào", "có được"). The last term is a prefix.
    A title holding only one of several important terms, or none of the query's pairs, scores 0 (the tier's order
    stands): "Khẩu trang cho hộ gia đình" (one word) and "Đất ở và thuế" (the words apart) do not pass "hộ khẩu
    thường trú" and "thuế đất" adjacent in a body (the phrase tier).
    """
    terms, important, _sentence = _ranking_terms(query)
    keys = [t for t in dict.fromkeys(important) if t not in SENTENCE_WORDS] or list(dict.fromkeys(terms))
    weighty = set(keys)
    pairs = {
        (a, b): 1.0 if a in weighty or b in weighty else 0.5
        for a, b in itertools.pairwise(terms)
        if a not in SENTENCE_WORDS and b not in SENTENCE_WORDS
    }
    prefix = terms[-1] if terms else ""

    def score(title: str) -> float:
        words = fold(title).split()
        held = set(words)
        if prefix and prefix not in held and any(w.startswith(prefix) for w in words):
            held.add(prefix)
        covered = sum(t in held for t in keys)
        adjacent = set(itertools.pairwise(words))
        together = sum(w for pair, w in pairs.items() if pair in adjacent)
        if covered < min(2, len(keys)) or (pairs and not together):
            return 0.0  # the title names too little of the query, or its words apart: the tier's order stands
        return 2 * covered + together

    return score


def title_order(query: str, rows: list[tuple]) -> list[tuple]:
    """`rows` (id, tier, published_at, title) ordered by title_scorer's score, then tier, then newest first."""
    score = title_scorer(query)
    return sorted(rows, key=lambda r: (-score(r[3]), r[1], -r[2].timestamp(), -r[0]))


def similar(queryset: QuerySet[Question], query: str, *, limit: int = 5) -> list[Question]:
    """The questions of `queryset` that share words with `query` (shown while a citizen types a title).

    Ranked by how many of the query's terms they share, newest first on ties. On
    PostgreSQL, in one query: the candidates are the newest questions holding one
    of the query's rarest terms (syllables not in qa.common_terms, longest first),
    found through the GIN index, then ranked. Matching any term of a title like
    "thủ tục cấp giấy chứng nhận" would touch most of a large archive.
    """
    terms = list(dict.fromkeys(t for t in _search_terms(query) if len(t) > 1))
    if not terms:
        return []
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
