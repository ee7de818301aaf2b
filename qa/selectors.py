"""Reads of the Q&A app: the public archive, search, similar questions, tracking.

Public reads only ever return published questions, and the querysets select only
what public pages need; the asker's contact is never joined here.
"""

import datetime

from django.db import connection
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import Agency

from .models import Answer, Question, QuestionEvent, QuestionStatus, Topic
from .text import fold

ORDERINGS = {
    "newest": ("-published_at", "-id"),
    "views": ("-view_count", "-published_at"),
    "helpful": ("-helpful_yes", "-published_at"),
}
SEARCH_RANK_CANDIDATES = 1000


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


def search_filter(queryset: QuerySet[Question], query: str, *, rank: bool = True) -> QuerySet[Question]:
    """Restrict to questions whose folded text holds every term of the query.

    PostgreSQL: full-text match on the stored folded text (GIN index, `simple`
    config, prefix match on the last term) ranked by ts_rank; SQLite: LIKE per term.
    """
    terms = _search_terms(query)
    if not terms:
        return queryset
    if connection.vendor == "postgresql":
        tsquery = " & ".join(_ts_lexeme(t) for t in terms[:-1]) if len(terms) > 1 else ""
        last = _ts_lexeme(terms[-1]) + ":*"
        tsquery = f"{tsquery} & {last}" if tsquery else last
        queryset = queryset.extra(
            where=["to_tsvector('simple', qa_question.search_text) @@ to_tsquery('simple', %s)"],
            params=[tsquery],
        )
        if rank:
            queryset = queryset.extra(
                select={"rank": "ts_rank(to_tsvector('simple', qa_question.search_text), to_tsquery('simple', %s))"},
                select_params=[tsquery],
            )
        return queryset
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=term)
    return queryset.filter(condition)


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
    """Published questions for the archive list and the API, filtered and sorted.

    With a search and the default order, the most relevant come first.
    """
    queryset = published_questions()
    if agency is not None:
        queryset = queryset.filter(agency_id__in=agency_with_descendants(agency))
    if topic is not None:
        queryset = queryset.filter(topic=topic)
    if date_from is not None:
        queryset = queryset.filter(published_at__date__gte=date_from)
    if date_to is not None:
        queryset = queryset.filter(published_at__date__lte=date_to)
    if search:
        ranked = connection.vendor == "postgresql" and ordering in ("", "relevance")
        queryset = search_filter(queryset, search, rank=ranked)
        if ranked:
            return queryset.order_by("-rank", "-published_at")
    return queryset.order_by(*ORDERINGS.get(ordering, ORDERINGS["newest"]))


def similar_questions(query: str, *, limit: int = 5, exclude_id: int | None = None) -> list[Question]:
    """Published questions that share words with `query` (shown while a citizen types a title).

    Matches any term (not all), ranked by how many terms match, newest first on ties.
    """
    terms = [t for t in _search_terms(query) if len(t) > 1]
    if not terms:
        return []
    queryset = published_questions()
    if exclude_id:
        queryset = queryset.exclude(pk=exclude_id)
    if connection.vendor == "postgresql":
        tsquery = " | ".join(_ts_lexeme(t) for t in terms)
        queryset = queryset.extra(
            where=["to_tsvector('simple', qa_question.search_text) @@ to_tsquery('simple', %s)"],
            params=[tsquery],
            select={"rank": "ts_rank(to_tsvector('simple', qa_question.search_text), to_tsquery('simple', %s))"},
            select_params=[tsquery],
        ).order_by("-rank", "-published_at")
        return list(queryset[:limit])
    condition = Q()
    for term in terms:
        condition |= Q(search_text__contains=term)
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
