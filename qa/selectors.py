"""Reads of the Q&A app: the public archive, search, similar questions, tracking.

Public reads only ever return published questions, and the querysets select only
what public pages need; the asker's contact is never joined here.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from accounts.collation import sorted_vi, vi_sort_key
from accounts.lineage import agency_name_then
from accounts.models import Agency

from .models import Answer, ArchiveAnswerDay, HelpfulVote, Question, QuestionEvent, QuestionGroup, QuestionStatus, Topic
from .search import archive as archive_search
from .search import keyset
from .search.counts import capped, capped_count

# Every sort ends in published_at, id (all descending), so the order is total and a keyset cursor is exact; each is
# served by a partial index on the published archive (qa migration archive_sort_indexes).
SORT_KEYS: dict[str, tuple[str, ...]] = {
    "newest": ("published_at", "id"),
    "views": ("view_count", "published_at", "id"),
    "helpful": ("helpful_yes", "published_at", "id"),
}
ORDERINGS = {sort: tuple(f"-{column}" for column in keys) for sort, keys in SORT_KEYS.items()}
RELEVANCE = "relevance"
# For the views: a bad "older results" cursor, and how deep page numbers go.
BadCursor = keyset.BadCursor
MAX_NUMBERED_ROWS = keyset.MAX_NUMBERED_ROWS


def agency_with_descendants(agency: Agency) -> list[int]:
    """Ids of the agency, every agency below it and every agency it succeeded in a reorganisation, so that the
    archive of a merged department shows its predecessors' answers (one query: agencies are few)."""
    children: dict[int | None, set[int]] = {}
    before: dict[int, set[int]] = {}
    for pk, parent_id, predecessor in Agency.objects.values_list("pk", "parent_id", "predecessions__predecessor_id"):
        children.setdefault(parent_id, set()).add(pk)
        if predecessor is not None:
            before.setdefault(pk, set()).add(predecessor)
    result, stack, seen = [], [agency.pk], {agency.pk}
    while stack:
        current = stack.pop()
        result.append(current)
        for other in children.get(current, set()) | before.get(current, set()):
            if other not in seen:
                seen.add(other)
                stack.append(other)
    return result


# What an archive list shows (the card, qa.serializers.PublicQuestionSerializer): reading only these, with the agency's
# and topic's names, halves the SQL the ORM compiles and the instances it builds for a page of 20 (no answer join).
# The group's size is "N people asked" (Question.askers), read in the same query (a left join on the group).
LIST_FIELDS = (
    "id",
    "reference",
    "status",
    "public_title",
    "public_body",
    "published_at",
    "answered_at",
    "view_count",
    "helpful_yes",
    "helpful_no",
    "agency__id",
    "agency__name",
    "agency__slug",
    "topic__id",
    "topic__name",
    "topic__slug",
    "group__id",
    "group__size",
)


def _listed(queryset: QuerySet[Question]) -> QuerySet[Question]:
    """The list's columns of `queryset`'s questions (LIST_FIELDS): an archive page reads nothing else."""
    return queryset.select_related(None).select_related("agency", "topic", "group").only(*LIST_FIELDS)


def published_questions() -> QuerySet[Question]:
    """Published questions with what their pages show: agency, topic, answer, and the group ("N people asked")."""
    return Question.objects.filter(status=QuestionStatus.PUBLISHED).select_related("agency", "topic", "answer", "group")


def search_filter(queryset: QuerySet[Question], query: str, *, rank: bool = True) -> QuerySet[Question]:
    """Restrict to questions whose folded public text holds every term of the query (qa.search.archive)."""
    return archive_search.search_filter(queryset, query, rank=rank)


def portal_day_bounds(
    date_from: datetime.date | None, date_to: datetime.date | None
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """[start, end) as aware datetimes: midnight in the portal's time zone (Asia/Ho_Chi_Minh) of date_from, and of
    the day after date_to, so that a question published at 23:30 local time on date_to is included.

    A comparison of published_at with these is served by the date indexes, where `published_at::date` in a time
    zone is computed per row and served by none (issue 17: 274-309 ms at 1,000,000 questions).
    """
    zone = timezone.get_default_timezone()
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=zone) if date_from else None
    end = (
        datetime.datetime.combine(date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        if date_to
        else None
    )
    return start, end


def filtered_archive(
    *,
    agency: Agency | None = None,
    topic: Topic | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[Question]:
    """Published questions under these filters (agency with the agencies below it), count() capped."""
    queryset = capped(published_questions())
    if agency is not None:
        queryset = queryset.filter(agency_id__in=agency_with_descendants(agency))
    if topic is not None:
        queryset = queryset.filter(topic=topic)
    start, end = portal_day_bounds(date_from, date_to)
    if start is not None:
        queryset = queryset.filter(published_at__gte=start)
    if end is not None:
        queryset = queryset.filter(published_at__lt=end)
    return queryset


def archive(
    *,
    search: str = "",
    agency: Agency | None = None,
    topic: Topic | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    ordering: str = "",
) -> QuerySet[Question]:
    """Published questions, filtered, every search term matched, in a sort's order (not relevance); count() capped.

    The home page and the feed read its first rows; the archive list and the API page with archive_page.
    """
    queryset = filtered_archive(agency=agency, topic=topic, date_from=date_from, date_to=date_to)
    if search:
        queryset = archive_search.search_filter(queryset, search, rank=False)
    return queryset.order_by(*ORDERINGS.get(ordering, ORDERINGS["newest"]))


@dataclass
class ArchivePage:
    """One page of the archive: its questions, the count (exact, or an estimate), and how to reach the next."""

    questions: list[Question]
    size: int
    count: int
    count_estimated: bool
    number: int | None  # None for a page reached by a cursor
    next_cursor: str | None
    last_number: int  # the last page reachable by its number (keyset.MAX_NUMBERED_ROWS)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def next_number(self) -> int | None:
        """The next page by number, while numbers reach it (else only the cursor does)."""
        if self.number is None or not self.has_next or self.number >= self.last_number:
            return None
        return self.number + 1


class PageOutOfRange(Exception):
    """A page number past the numbered pages (the cursor reaches those rows)."""


def archive_page(
    *,
    search: str = "",
    agency: Agency | None = None,
    topic: Topic | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    ordering: str = "",
    page: int = 1,
    cursor: str | None = None,
    size: int = 20,
) -> ArchivePage:
    """One page of the public archive (web list and API), by number or after a cursor (keyset.BadCursor if bad).

    Every shape is an index range or a bounded walk (docs/performance.md, "Every archive shape"): sorts on their
    partial indexes, dates as aware bounds, deep pages by keyset; with a search and relevance, the tiers of
    qa.search.archive over every match. A number past keyset.MAX_NUMBERED_ROWS raises PageOutOfRange.
    """
    filtered = any(value is not None for value in (agency, topic, date_from, date_to))
    sort = ordering if ordering in SORT_KEYS or ordering == RELEVANCE else "newest"
    if sort == RELEVANCE and not (search and archive_search.can_rank(search)):
        sort = "newest"
    last_number = max(1, keyset.MAX_NUMBERED_ROWS // size)
    if cursor is None and page > last_number:
        raise PageOutOfRange(page)
    offset = 0 if cursor is not None else (page - 1) * size
    base = filtered_archive(agency=agency, topic=topic, date_from=date_from, date_to=date_to)
    if sort == RELEVANCE:
        return _ranked_page(base if filtered else None, search, cursor, offset, size, last_number)
    keys = SORT_KEYS[sort]
    before = None
    if cursor is not None:
        before = keyset.decode(sort, cursor, tuple(datetime.datetime if key == "published_at" else int for key in keys))
    if search and archive_search.can_rank(search):
        # PostgreSQL: the sort's index walked and each row checked, or the GIN index when matches are sparse.
        scope = base if filtered or sort != "newest" else None
        ids = archive_search.sorted_matches(scope, search, offset + size + 1, keys, before=before)[offset:]
        by_pk = _listed(published_questions()).in_bulk(ids)
        rows = [by_pk[pk] for pk in ids if pk in by_pk]
        counted: tuple = (archive_search.count_matches, base if filtered else None, archive_search.all_terms(search))
    else:
        queryset = archive_search.search_filter(base, search, rank=False) if search else base
        ordered = _listed(queryset).order_by(*ORDERINGS[sort])
        if before is not None:
            ordered = ordered.filter(keyset.RowBefore(keys, before))
        rows = list(ordered[offset : offset + size + 1])
        counted = (capped_count, queryset)
    shown = rows[:size]
    next_cursor = None
    if len(rows) > size:
        next_cursor = keyset.encode(sort, tuple(getattr(shown[-1], key) for key in keys))
    if cursor is None and offset == 0 and len(rows) <= size:
        count, estimated = len(rows), False
    else:
        count, estimated = counted[0](*counted[1:])
    return ArchivePage(shown, size, count, estimated, None if cursor else page, next_cursor, last_number)


def _ranked_page(
    scope: QuerySet[Question] | None, search: str, cursor: str | None, offset: int, size: int, last_number: int
) -> ArchivePage:
    """A page of relevance order: the tiers of qa.search.archive; the cursor is (segment, date, id).

    Segments 0 and 1 are the title matches (id lists, bounded); then the first rows of the full-text
    tiers ordered by their titles (qa.search.archive.title_order; its segment number is 2 + the number of tiers),
    then the rest of the full-text tiers (2 onwards), each newest first.
    """
    position = None
    if cursor is not None:
        position = keyset.decode(RELEVANCE, cursor, (int, datetime.datetime, int))
    return _ranked_tiers(scope, search, position, offset, size, last_number)


def _title_head(
    scope: QuerySet[Question] | None, search: str, text_tiers: list, listed: list[int], memo: dict
) -> tuple[list[tuple[int, int]], tuple | None]:
    """The first rerank_rows(search) rows of the full-text tiers as (id, tier), in title order, and where the rest
    of the tiers starts: (tier, keyset position or None for its start), or None when they hold every match.

    The title tiers' rows (`listed`) count among the rows read and are left out after: the read is bounded by
    that number whatever the title tiers hold, and the rest of the text tiers leaves them out as before. In a
    filtered scope a query other than a sentence reads only its first tier's rows, those the title scan read
    (walking qa_question's TOASTed vectors, the next tiers' 60 rows cost 15-25 ms under load).
    """
    wanted = archive_search.rerank_rows(search)
    readable = text_tiers if scope is None or archive_search.is_sentence_query(search) else text_tiers[:1]
    rows: list[tuple[int, int]] = []
    for index, tier in enumerate(readable, start=2):
        ids = archive_search.tier_matches(scope, tier, wanted - len(rows), memo=memo)
        rows += [(pk, index) for pk in ids]
        if len(rows) >= wanted:
            break
    read = Question.objects.filter(pk__in=[pk for pk, _tier in rows]).values_list("pk", "published_at", "public_title")
    known = {pk: (at, title) for pk, at, title in read} if rows else {}
    rest: tuple | None = None
    if len(rows) >= wanted:
        last = next((row for row in reversed(rows) if row[0] in known), None)
        rest = (last[1], (known[last[0]][0], last[0])) if last else (2, None)  # none shown: all again
    elif len(readable) < len(text_tiers):
        rest = (2 + len(readable), None)  # the tiers it did not read, from their start
    excluded = set(listed)
    rows = [(pk, tier) for pk, tier in rows if pk in known and pk not in excluded]
    ordered = archive_search.title_order(search, [(pk, tier, *known[pk]) for pk, tier in rows])
    return [(row[0], row[1]) for row in ordered], rest


def _ranked_tiers(
    scope: QuerySet[Question] | None,
    search: str,
    position: tuple | None,
    offset: int,
    size: int,
    last_number: int,
) -> ArchivePage:
    memo: dict = {}  # the title scan's read of the phrase tier, which the head reads again
    exact, folded = archive_search.title_matches(scope, search, memo=memo)
    text_tiers = archive_search.tiers(search)
    listed = [*exact, *folded]
    head = 2 + len(text_tiers)  # the segment of the title-ordered first rows of the text tiers
    # Segments in order: the two title lists, the head, then the text tiers' rest.
    rank = {0: 0, 1: 1, head: 2}
    start, before = 0, None
    if position is not None:
        if not 0 <= position[0] <= head:
            raise keyset.BadCursor(str(position))
        start, before = position[0], position[1:]
    start_rank = rank.get(start, start + 1)
    needed = offset + size + 1
    found: list[tuple[int, int]] = []
    for index in (0, 1):
        if start_rank > index or len(found) >= needed:
            continue
        ids = (exact, folded)[index]
        if index == start and before is not None:
            ids = ids[ids.index(before[1]) + 1 :] if before[1] in ids else []
        found += [(pk, index) for pk in ids[: needed - len(found)]]
    # The rest of the text tiers: from where the head ended, or from the cursor's tier.
    rest: tuple | None = (start, before) if start_rank > 2 and before is not None else None
    if start_rank <= 2 and len(found) < needed and text_tiers:
        rows, rest = _title_head(scope, search, text_tiers, listed, memo)
        if start == head and before is not None:
            pks = [pk for pk, _tier in rows]
            rows = rows[pks.index(before[1]) + 1 :] if before[1] in pks else []
        found += [(pk, head) for pk, _tier in rows[: needed - len(found)]]
    if rest is not None and len(found) < needed:
        for index in range(rest[0], 2 + len(text_tiers)):
            tier_before = rest[1] if index == rest[0] else None
            ids = archive_search.tier_matches(
                scope, text_tiers[index - 2], needed - len(found), before=tier_before, listed=listed
            )
            found += [(pk, index) for pk in ids]
            if len(found) >= needed:
                break
    window = found[offset : offset + size]
    by_pk = _listed(published_questions()).in_bulk([pk for pk, _tier in window])
    window = [(pk, tier) for pk, tier in window if pk in by_pk]
    shown = [by_pk[pk] for pk, _tier in window]
    next_cursor = None
    if len(found) > offset + size and window:
        last_pk, last_tier = window[-1]
        next_cursor = keyset.encode(RELEVANCE, (last_tier, by_pk[last_pk].published_at, last_pk))
    if position is None and len(found) < needed:
        count, estimated = len(found), False
    else:
        count, estimated = archive_search.count_matches(scope, archive_search.loosest(search))
        count = max(count, len(found))
    number = None if position is not None else offset // size + 1
    return ArchivePage(shown, size, count, estimated, number, next_cursor, last_number)


def similar_questions(query: str, *, limit: int = 5, exclude_id: int | None = None) -> list[Question]:
    """Published questions that share words with `query` (shown while a citizen types a title; qa.search.archive)."""
    queryset = published_questions()
    if exclude_id:
        queryset = queryset.exclude(pk=exclude_id)
    return archive_search.similar(queryset, query, limit=limit)


def public_question(reference: str, *, name_then: bool = False) -> Question:
    """A published question with its answer; 404 for anything else. `name_then`: with the name its agency had
    when it answered (a rename since shows "<then> (now <today>)", accounts.lineage), which only the answer page
    shows: its subquery is a third of the ORM's work for the question's read (the API's detail and a vote skip it)."""
    queryset = published_questions()
    if name_then:
        queryset = queryset.annotate(answered_day=TruncDate("answered_at")).annotate(
            agency_name_then=agency_name_then("answered_day")
        )
    try:
        return queryset.get(reference=reference)
    except Question.DoesNotExist:
        raise Http404 from None


def tracked_question(reference: str, token: str | None) -> Question:
    """The asker's view of their question; a wrong or missing token is a 404, never a 403."""
    from .services.submission import check_tracking_token

    question = (
        Question.objects.select_related("agency", "topic", "contact")
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


def looked_up_question(reference: str) -> Question:
    """The read-only view of a question reached by lookup (the caller checked the session's grant)."""
    question = (
        Question.objects.select_related("agency", "topic", "contact")
        .prefetch_related(
            Prefetch("events", queryset=QuestionEvent.objects.filter(is_public=True).order_by("created_at", "id")),
        )
        .exclude(status=QuestionStatus.UNVERIFIED)
        .filter(reference=reference)
        .first()
    )
    if question is None:
        raise Http404
    return question


def sent_answer(question: Question) -> Answer | None:
    """The answer the asker may read: only once it has been sent."""
    # A question answered by reference or with its group holds its own copy of the answer it was sent.
    if question.status not in (QuestionStatus.ANSWERED, QuestionStatus.PUBLISHED, QuestionStatus.ANSWERED_BY_REFERENCE):
        return None
    return Answer.objects.filter(question=question).first()


def referenced_answer(question: Question) -> Question | None:
    """The published question whose answer a question answered by reference was sent, while it is still public."""
    if question.status != QuestionStatus.ANSWERED_BY_REFERENCE or question.duplicate_of_id is None:
        return None
    return (
        Question.objects.filter(status=QuestionStatus.PUBLISHED, pk=question.duplicate_of_id)
        .only("reference", "public_title")
        .first()
    )


def group_size(question: Question) -> int:
    """How many people asked this question: its group's size (1 for a question in no group).

    No query when the group was selected with the question (published_questions does), one at most otherwise.
    """
    if question.group_id is None:
        return 1
    if Question.group.is_cached(question):
        return question.askers
    size = QuestionGroup.objects.filter(pk=question.group_id).values_list("size", flat=True).first()
    return size or 1


def active_agencies() -> list[Agency]:
    """Active agencies in Vietnamese alphabetical order (accounts.collation), for every list and select."""
    return sorted_vi(Agency.objects.filter(is_active=True).select_related("parent"))


def active_topics() -> list[Topic]:
    """Active topics by the position an administrator gave them, then in Vietnamese alphabetical order."""
    return sorted(Topic.objects.filter(is_active=True), key=lambda topic: (topic.position, vi_sort_key(topic.name)))


def receipt_question(reference: str, token: str | None) -> Question:
    """The receipt's question: as tracked_question, and also one still waiting for its SMS code.

    A phone-only asker reaches the receipt (with the code form) before confirming; a question
    waiting for an e-mail confirmation stays a 404 until its link is opened.
    """
    from .services.submission import check_tracking_token

    question = (
        Question.objects.select_related("agency", "topic", "contact")
        .prefetch_related(
            Prefetch("events", queryset=QuestionEvent.objects.filter(is_public=True).order_by("created_at", "id")),
            "attachments",
        )
        .filter(reference=reference)
        .first()
    )
    if question is None or not check_tracking_token(question, token):
        raise Http404
    if question.status == QuestionStatus.UNVERIFIED:
        contact = getattr(question, "contact", None)
        if contact is None or contact.email or not contact.phone:
            raise Http404
    return question


def helpful_vote_of(question: Question, voter_key: str) -> bool | None:
    """This voter's answer to "was this helpful?" on the question (True/False), or None if they have not voted."""
    return (
        HelpfulVote.objects.filter(question=question, voter_key=voter_key[:80])
        .values_list("helpful", flat=True)
        .first()
    )


def archive_answered(start: datetime.date, end: datetime.date, topic_id: int | None = None) -> dict[str, int]:
    """Ask-form visits that opened a suggested answer from `start` to `end` (inclusive), those followed by a
    question, and the difference: the questions the archive answered (qa.services.archive_answers)."""
    rows = ArchiveAnswerDay.objects.filter(day__gte=start, day__lte=end)
    if topic_id is not None:
        rows = rows.filter(topic_id=topic_id)
    totals = rows.aggregate(opened=Sum("opened", default=0), followed=Sum("followed", default=0))
    return {**totals, "answered": max(totals["opened"] - totals["followed"], 0)}
