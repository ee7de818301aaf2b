"""Reads for the officials' panel and the staff API, always scoped to the user's agencies.

The queue costs a constant number of queries per page whatever its size: one for
the user's roles (cached on the user), one for every tab's capped count, one for
the planner's estimate of the page's tab, one page of rows with agency, topic and
assignee joined, one for the working-day calendar. Deadline states are computed in
Python from one DeadlineClock per request.

Its cost does not grow with the agency either (docs/performance.md): rows are
filtered on the stored Question.queue_tab and sorted on the stored deadline (or
creation, update time) through the (agency, queue_tab, ...) indexes, so a page is
one index range, and tab counts stop at TAB_COUNT_CAP. Above the cap a tab's size
is the planner's estimate; every page stays reachable (QueuePage).
"""

import datetime
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy

from accounts.models import Agency, Membership, User

from .. import workflow
from ..deadlines import DeadlineClock
from ..models import (
    Answer,
    AnswerRevision,
    AnswerTemplate,
    AskerContact,
    AskerReply,
    Attachment,
    InternalNote,
    Question,
    QuestionEvent,
    QuestionStatus,
)
from ..permissions import allowed_actions, can_add_note, can_edit_answer, staff_agency_ids, staff_roles
from ..search.counts import estimated_rows
from ..search.staff import capped_count_sql as _capped_count_sql
from ..search.staff import walk_or_trigram_sql as _walk_or_trigram_sql
from ..status import RUNNING_CLOCK_STATUSES, tab_statuses
from ..status import TAB_LABELS as _TAB_LABELS
from ..text import fold

S = QuestionStatus

# Queue tabs: what an official works through, in the panel's order (stored per question as Question.queue_tab).
# Both from qa.status.STATUS_TABLE.
TABS: dict[str, tuple[str, ...]] = tab_statuses()
ALL_TAB = "all"
TAB_LABELS = {**_TAB_LABELS, ALL_TAB: gettext_lazy("All")}
ORDERINGS = {
    "due": (F("deadline").asc(nulls_last=True), "-created_at", "-id"),
    "-due": (F("deadline").desc(nulls_last=True), "-created_at", "-id"),
    "newest": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
    "updated": ("-updated_at", "-id"),
}
DUE_FILTERS = ("soon", "overdue")
# Tab counts are exact up to here; above it the panel shows "1000+" (the page's own tab: the planner's estimate)
# and the API says so. Counting stops at the cap so a page view never reads every question of a large agency
# (index-only, at most TAB_COUNT_CAP + 1 entries per tab).
TAB_COUNT_CAP = 1000
# The tabs whose every question has a running clock (submitted, or answer clock running; not paused).
_RUNNING_TABS = tuple(key for key, statuses in TABS.items() if statuses and set(statuses) <= RUNNING_CLOCK_STATUSES)
_PHONE = re.compile(r"^\+?\d{9,12}$")


@dataclass(frozen=True)
class QueueFilters:
    """The panel's and the API's filters; empty values mean "any"."""

    agency_ids: tuple[int, ...] = ()
    topic_id: int | None = None
    assignee: str | int | None = None  # a user id, "me", or "none"
    due: str = ""  # "soon" or "overdue"
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    search: str = ""
    # A commune-level unit with the units merged into it (qa.places.unit_and_predecessors); empty: any place.
    place_ids: tuple[int, ...] = ()


def _scope_ids(user: User, agency_ids: tuple[int, ...] | list[int] = ()) -> list[int]:
    allowed = set(staff_agency_ids(user))
    if agency_ids:
        allowed &= {int(a) for a in agency_ids}
    return sorted(allowed)


def _scoped(user: User, agency_ids: tuple[int, ...] | list[int] = ()) -> QuerySet[Question]:
    allowed = _scope_ids(user, agency_ids)
    # Unverified questions are in no tab (queue_tab is NULL): a condition on the index, not on the row.
    return Question.objects.filter(agency_id__in=allowed)


def _in_tab(queryset: QuerySet[Question], tab: str) -> QuerySet[Question]:
    if tab == ALL_TAB:
        return queryset.filter(queue_tab__isnull=False)
    return queryset.filter(queue_tab=tab if tab in TABS else "new")


def _search(queryset: QuerySet[Question], query: str) -> QuerySet[Question]:
    """Staff search: the asker's e-mail or phone exactly, otherwise every folded term in reference, title and text.

    qa.selectors.search_filter reads the public search_text only (empty until
    published, and it must never hold the private original), so staff search
    their own folded copy of the original instead.
    """
    query = query.strip()
    kind = _search_kind(query)
    if kind == "email":
        return queryset.filter(contact__email__iexact=query)
    if kind == "phone":
        return queryset.filter(contact__phone__endswith=_compact(query)[-9:])
    if kind == "terms":
        return queryset.filter(_terms_condition(query))
    return queryset


def _terms_condition(query: str) -> Q:
    """Every folded term of a text search as a substring of staff_search_text."""
    condition = Q()
    for term in fold(query).split()[:12]:
        condition &= Q(staff_search_text__contains=term)
    return condition


def _compact(query: str) -> str:
    return re.sub(r"[\s.\-()]", "", query)


def searches_contact(query: str) -> bool:
    """Whether a queue search looks questions up by the asker's e-mail or phone (logged as a personal data access)."""
    return _search_kind((query or "").strip()) in ("email", "phone")


def _search_kind(query: str) -> str | None:
    """What a staff search looks for: "email" or "phone" (the asker's, exactly), "terms", or None (nothing)."""
    query = query.strip()
    if not query:
        return None
    if "@" in query and " " not in query:
        return "email"
    return "phone" if _PHONE.match(_compact(query)) else "terms"


def _filtered(user: User, filters: QueueFilters, clock: DeadlineClock) -> QuerySet[Question]:
    queryset = _scoped(user, filters.agency_ids)
    if filters.topic_id:
        queryset = queryset.filter(topic_id=filters.topic_id)
    if filters.assignee == "me":
        queryset = queryset.filter(assignee_id=user.pk)
    elif filters.assignee == "none":
        queryset = queryset.filter(assignee__isnull=True)
    elif filters.assignee is not None and filters.assignee != "":
        queryset = queryset.filter(assignee_id=int(filters.assignee))
    running = Q(queue_tab__in=_RUNNING_TABS)  # the clock runs: on the (agency, queue_tab, deadline) index
    if filters.due == "overdue":
        queryset = queryset.filter(running, deadline__lt=clock.today)
    elif filters.due == "soon":
        queryset = queryset.filter(running, deadline__gte=clock.today, deadline__lte=clock.soon_limit)
    if filters.date_from:
        queryset = queryset.filter(created_at__date__gte=filters.date_from)
    if filters.date_to:
        queryset = queryset.filter(created_at__date__lte=filters.date_to)
    if filters.place_ids:
        queryset = queryset.filter(place_id__in=filters.place_ids)
    if filters.search:
        queryset = _search(queryset, filters.search)
    return queryset


def staff_queue(
    *,
    user: User,
    tab: str = "new",
    filters: QueueFilters | None = None,
    ordering: str = "due",
    clock: DeadlineClock | None = None,
) -> QuerySet[Question]:
    """Questions of the user's agencies in one tab, filtered and sorted; slice it to paginate.

    Rows carry the stored `deadline`; the long texts are deferred.
    """
    filters = filters or QueueFilters()
    clock = clock or DeadlineClock.for_today()
    return (
        _in_tab(_filtered(user, filters, clock), tab)
        .select_related("agency", "topic", "assignee", "place")
        .defer("body", "public_body", "search_text", "staff_search_text", "rating_comment")
        .order_by(*ORDERINGS.get(ordering, ORDERINGS["due"]))
    )


class TabCounts(dict[str, int]):
    """{tab: questions in it}, each at most `cap`; a tab in `over_cap` holds more (its count is a lower bound)."""

    def __init__(self, raw: dict[str, int], cap: int = TAB_COUNT_CAP, lower_bounds: Iterable[str] = ()) -> None:
        super().__init__({tab: min(count, cap) for tab, count in raw.items()})
        self.cap = cap
        self.over_cap = frozenset(tab for tab, count in raw.items() if count > cap) | frozenset(lower_bounds)

    def capped(self, tab: str) -> bool:
        return tab in self.over_cap


def _walked_search_counts(base: QuerySet, condition: Q, tab: str, cap: int) -> list[tuple[int, str | None]]:
    """(count, queue_tab) of a sample of at most cap + 2 matches, plus (count of `tab`, None) unless it is "all"."""
    parts = [_walk_or_trigram_sql("sample_all", _in_tab(base, ALL_TAB), condition, cap)]
    select = "SELECT COUNT(*), queue_tab FROM sample_all GROUP BY queue_tab"
    if tab != ALL_TAB:
        parts.append(_walk_or_trigram_sql("sample_tab", _in_tab(base, tab), condition, cap))
        select = f"SELECT COUNT(*), NULL FROM sample_tab UNION ALL {select}"  # noqa: S608
    sql = "WITH " + ",".join(part for part, _ in parts) + "\n" + select
    with connections[base.db].cursor() as cursor:
        cursor.execute(sql, [p for _, params in parts for p in params])
        return cursor.fetchall()


def staff_queue_counts(
    *,
    user: User,
    filters: QueueFilters | None = None,
    clock: DeadlineClock | None = None,
    tab: str = "new",
    cap: int | None = None,
) -> TabCounts:
    """Every tab's count plus "all", with the same filters, each stopping at cap + 1, in one query.

    Without a search, one scalar subquery per tab, `SELECT count(*) FROM (... LIMIT cap + 1)`:
    each reads at most cap + 1 entries of the (agency, queue_tab, ...) index. A search matches
    through the trigram index, whose lookup costs the same for every tab, so it is done twice
    only: once for `tab` (the page's own count) and once for at most cap + 1 matches of every
    tab, split by tab. When those are more than the cap, the other tabs' counts are lower
    bounds (marked over the cap).
    """
    filters = filters or QueueFilters()
    clock = clock or DeadlineClock.for_today()
    cap = TAB_COUNT_CAP if cap is None else cap
    base = _filtered(user, filters, clock).order_by()
    tabs = {key: _in_tab(base, key) for key in (*TABS, ALL_TAB)}
    if not _scope_ids(user, filters.agency_ids):
        # Nothing in scope (a filter outside the user's agencies): the SQL below cannot be built on an empty IN.
        return TabCounts(dict.fromkeys(tabs, 0), cap)
    if not filters.search:
        parts = [_capped_count_sql(queryset, cap + 1) for queryset in tabs.values()]
        with connections[base.db].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(sql for sql, _ in parts), [p for _, params in parts for p in params])
            return TabCounts(dict(zip(tabs, cursor.fetchone(), strict=True)), cap)
    tab = tab if tab in tabs else "new"
    if connections[base.db].vendor == "postgresql" and _search_kind(filters.search) == "terms":
        unsearched = _filtered(user, replace(filters, search=""), clock).order_by()
        rows = _walked_search_counts(unsearched, _terms_condition(filters.search), tab, cap)
        return _sample_counts(rows, tab, cap)
    sample_sql, sample_params = tabs[ALL_TAB].values("queue_tab")[: cap + 1].query.sql_with_params()
    sql = f"SELECT COUNT(*), queue_tab FROM ({sample_sql}) AS sample GROUP BY queue_tab"  # noqa: S608
    params = list(sample_params)
    if tab != ALL_TAB:  # the sample counts "all" up to the cap: only another tab needs its own count
        own_sql, own_params = _capped_count_sql(tabs[tab], cap + 1)
        sql = f"SELECT {own_sql}, NULL UNION ALL SELECT * FROM ({sql}) AS by_tab"  # noqa: S608
        params = [*own_params, *params]
    with connections[base.db].cursor() as cursor:
        cursor.execute(sql, params)
        return _sample_counts(cursor.fetchall(), tab, cap)


def _sample_counts(rows: list[tuple[int, str | None]], tab: str, cap: int) -> TabCounts:
    """TabCounts from (count, queue_tab) of a sample of every tab's matches and (count of `tab`, None)."""
    per_tab = {key: count for count, key in rows if key is not None}
    raw = {key: per_tab.get(key, 0) for key in TABS}
    raw[ALL_TAB] = sum(per_tab.values())
    # More matches than the cap: the split is of a sample, so every other tab holds at least what it shows.
    lower_bounds = [key for key in raw if key not in (tab, ALL_TAB)] if raw[ALL_TAB] > cap else []
    if tab != ALL_TAB:
        raw[tab] = next(count for count, key in rows if key is None)
    return TabCounts(raw, cap, lower_bounds)


def _estimated_count(queryset: QuerySet[Question]) -> int:
    """The planner's estimate of a tab's rows (qa.search.counts): asked for on every page, used only above the cap,
    so that the number of queries does not depend on the data."""
    return estimated_rows(queryset)


class PageOutOfRange(Exception):
    """A page number past the last page of a tab whose size is known exactly."""


@dataclass
class QueuePage:
    """One page of a tab, reachable however large the tab is.

    `count` is exact when `count_exact`; above the cap it is the planner's estimate (at least
    cap + 1, and never less than the rows seen so far). Whether a next page exists is known from
    one row read past the page, not from the count, so every row can be reached by paging even
    when the estimate is low; a page past the real end is empty, and reaching the last page
    makes the count exact.
    """

    rows: list[Question]
    number: int
    page_size: int
    count: int
    count_exact: bool
    has_next: bool

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.rows else 0


def staff_queue_page(
    *,
    user: User,
    tab: str = "new",
    filters: QueueFilters | None = None,
    ordering: str = "due",
    clock: DeadlineClock | None = None,
    counts: TabCounts,
    number: int = 1,
    page_size: int = 25,
    clamp: bool = True,
) -> QueuePage:
    """Page `number` of staff_queue() (two queries: the estimate and the rows), counted from `counts`.

    A number past the last page of a tab counted exactly gives the last page (`clamp`) or raises
    PageOutOfRange; above the cap there is no known last page, and a page past the end is empty.
    """
    queryset = staff_queue(user=user, tab=tab, filters=filters, ordering=ordering, clock=clock)
    key = tab if tab in counts else "new"
    estimate = _estimated_count(queryset)
    exact = not counts.capped(key)
    number = max(1, number)
    if exact:
        last = max(1, math.ceil(counts[key] / page_size))
        if number > last:
            if not clamp:
                raise PageOutOfRange(number)
            number = last
    offset = (number - 1) * page_size
    # The page's ids first, from the index alone, then their rows with the joins: a deep page's OFFSET skips
    # index entries instead of joined rows.
    rows = list(queryset.filter(pk__in=queryset.values("pk")[offset : offset + page_size + 1]))
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    if exact:
        count = counts[key]
    elif has_next:
        count = max(estimate, counts.cap + 1, offset + page_size + 1)
    elif rows:  # the last page: now the size is known
        count, exact = offset + len(rows), True
    else:  # past the end: it lies before this page
        count = max(counts.cap + 1, min(estimate, offset))
    return QueuePage(rows=rows, number=number, page_size=page_size, count=count, count_exact=exact, has_next=has_next)


# --- One question, for staff -------------------------------------------------------------------


@dataclass
class StaffQuestion:
    """Everything the question page and the staff API show, read in a fixed number of queries."""

    question: Question
    roles: set[str]
    actions: list[str]
    deadline: datetime.date | None
    deadline_state: str | None
    answer: Answer | None
    revisions: list[AnswerRevision]
    events: list[QuestionEvent]
    notes: list[InternalNote]
    question_attachments: list[Attachment]
    answer_attachments: list[Attachment]
    replies: list[AskerReply]
    follow_ups: list[Question]
    can_edit_answer: bool
    can_add_note: bool

    @property
    def contact(self) -> AskerContact | None:
        return getattr(self.question, "contact", None)


def staff_question(*, user: User, reference: str, clock: DeadlineClock | None = None) -> StaffQuestion:
    """The question by reference for a member of its agency: 404 if unknown or another agency's.

    404 rather than 403 for another agency's question, so a reference's existence does not leak.
    """
    question = (
        Question.objects.select_related(
            "agency", "topic", "assignee", "contact", "duplicate_of", "follow_up_of", "asker", "place__successor"
        )
        .filter(reference=reference)
        .first()
    )
    if question is None or question.status == S.UNVERIFIED:
        raise Http404
    roles = staff_roles(user, question)
    if not roles:
        raise Http404
    clock = clock or DeadlineClock.for_today()
    answer = Answer.objects.filter(question=question).select_related("author", "approved_by").first()
    revisions = (
        list(AnswerRevision.objects.filter(answer=answer).select_related("author").order_by("-version"))
        if answer
        else []
    )
    attachments = list(Attachment.objects.filter(question=question).order_by("created_at", "id"))
    replies = list(
        AskerReply.objects.filter(question=question).prefetch_related(
            Prefetch("attachments", queryset=Attachment.objects.order_by("created_at", "id"))
        )
    )
    return StaffQuestion(
        question=question,
        roles=roles,
        actions=allowed_actions(user, question),
        deadline=clock.deadline(question),
        deadline_state=clock.state(question),
        answer=answer,
        revisions=revisions,
        events=list(
            QuestionEvent.objects.filter(question=question).select_related("actor").order_by("created_at", "id")
        ),
        notes=list(
            InternalNote.objects.filter(question=question).select_related("author").order_by("created_at", "id")
        ),
        question_attachments=[a for a in attachments if a.purpose == Attachment.Purpose.QUESTION],
        answer_attachments=[a for a in attachments if a.purpose == Attachment.Purpose.ANSWER],
        replies=replies,
        follow_ups=list(Question.objects.filter(follow_up_of=question).only("pk", "reference", "title", "status")),
        can_edit_answer=can_edit_answer(user, question),
        can_add_note=can_add_note(user, question),
    )


# --- People and templates ------------------------------------------------------------------


def agency_staff_ids(agency_id: int, roles: Iterable[str]) -> list[int]:
    """Active users holding any of `roles` in the agency (recipients of staff notifications)."""
    return list(
        Membership.objects.filter(agency_id=agency_id, role__in=list(roles), user__is_active=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def assignable_users(agency_id: int) -> QuerySet:
    """Who can be given a question of the agency: those who may draft answers there."""
    roles = [workflow.ANSWERER, workflow.MODERATOR, workflow.ADMIN]
    return (
        get_user_model()
        .objects.filter(is_active=True, memberships__agency_id=agency_id, memberships__role__in=roles)
        .distinct()
        .order_by("full_name", "email")
    )


def answer_templates_for(question: Question) -> QuerySet[AnswerTemplate]:
    """The agency's templates for the question's topic first, then the general ones."""
    return (
        AnswerTemplate.objects.filter(agency_id=question.agency_id)
        .filter(Q(topic_id=question.topic_id) | Q(topic__isnull=True))
        .order_by(F("topic_id").asc(nulls_last=True), "title")
    )


def agency_answer_templates(agency_id: int) -> QuerySet[AnswerTemplate]:
    """All templates of one agency, for its template management page."""
    return (
        AnswerTemplate.objects.filter(agency_id=agency_id)
        .select_related("topic")
        .order_by(F("topic_id").asc(nulls_first=True), "title")
    )


def staff_attachment(*, user: User, reference: str, attachment_id: int) -> Attachment:
    """A file of a question, for a member of the question's current agency: 404 if unknown or not theirs."""
    attachment = (
        Attachment.objects.select_related("question")
        .filter(pk=attachment_id, question__reference=reference)
        .exclude(question__status=S.UNVERIFIED)
        .first()
    )
    if attachment is None:
        raise Http404
    if not staff_roles(user, attachment.question):
        raise Http404
    return attachment


def personal_data_accesses(agency: Agency | int) -> QuerySet:
    """The agency's access log, newest first, with who and which question (for its admin)."""
    from ..models import PersonalDataAccess

    return (
        PersonalDataAccess.objects.filter(agency=agency)
        .select_related("user", "question")
        .only("created_at", "surface", "user__full_name", "user__email", "question__reference")
        .order_by("-created_at", "-id")
    )
