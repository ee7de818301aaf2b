"""Likely duplicates of a question, for its staff page and the staff API, and the question's group.

Why: staff must see that a new question repeats one already being handled (merge it into that one's group) or
one already answered in the archive (send that answer: "answered by reference") before they answer it again.

Candidates come from the existing search machinery, in a bounded number of queries whatever the archive's size:
- published answers: `qa.selectors.similar_questions` (the archive's rare-term search, one query);
- open questions of every agency: the newest holding the title's three rarest words in `staff_search_text`
  (substring conditions the trigram index answers; one query), then ranked here on their text.

What is shown of another agency's question where the user holds no role: its reference code, agency, status and
its public (redacted) title, never the original text or anything of the asker; it is also matched and its
shared words highlighted on that public title only, so nothing of its private text shows through the ranking.
"""

import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from accounts import permissions as account_permissions

from .. import selectors
from ..common_terms import COMMON_TERMS
from ..models import Question, QuestionGroup, QuestionStatus
from ..status import OPEN_STATUSES
from ..text import fold

DUPLICATES_OPEN = 8
DUPLICATES_PUBLISHED = 5
# Open candidates read before ranking, the rare words each must hold, and the least share of the question's
# words a candidate must hold to be listed.
OPEN_CANDIDATES = 40
RARE_WORDS = 3
MIN_SCORE = 0.3
_WORD = re.compile(r"\w+")


@dataclass
class Duplicate:
    """One likely duplicate: what may be shown of it, why it matches, and what may be done with it."""

    reference: str
    agency_name: str
    status: str
    status_label: str
    kind: str  # "open" or "published"
    title: SafeString  # escaped, shared words in <mark>
    score: float
    shared: list[str] = field(default_factory=list)  # shared phrases, for the "why" line
    full_view: bool = False  # the user works for its agency: may open its staff page
    can_merge: bool = False
    can_link: bool = False
    url: str = ""


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def _significant(words: list[str]) -> set[str]:
    return {w for w in words if len(w) > 1 and w not in COMMON_TERMS}


def _score(query_words: list[str], text: str) -> float:
    """The share of the question's significant words, and of its two-word phrases, found in `text`."""
    query_set = _significant(query_words)
    if not query_set:
        return 0.0
    words = _words(text)
    found = set(words)
    single = len(query_set & found) / len(query_set)
    query_pairs = set(itertools.pairwise(query_words))
    pairs = set(itertools.pairwise(words))
    double = len(query_pairs & pairs) / len(query_pairs) if query_pairs else single
    return round((single + double) / 2, 3)


def highlight(text: str, query_words: list[str]) -> tuple[SafeString, list[str]]:
    """`text` escaped, with the words it shares with the question in <mark>; and its shared phrases.

    A phrase is a run of two or more shared words, or one word that is not a common syllable.
    """
    wanted = set(query_words)
    significant = _significant(query_words)
    parts: list[str] = []
    phrases: list[str] = []
    run: list[str] = []
    position = 0

    def close_run() -> None:
        if len(run) >= 2 or (run and fold(run[0]) in significant):
            phrases.append(" ".join(run))
        run.clear()

    for match in _WORD.finditer(text):
        parts.append(str(conditional_escape(text[position : match.start()])))
        word = match.group(0)
        if fold(word) in wanted:
            parts.append(str(format_html("<mark>{}</mark>", word)))
            run.append(word)
        else:
            parts.append(str(conditional_escape(word)))
            close_run()
        position = match.end()
        if text[position : position + 1] not in (" ", ""):
            close_run()  # punctuation ends a phrase
    close_run()
    parts.append(str(conditional_escape(text[position:])))
    unique = list(dict.fromkeys(phrases))
    return mark_safe("".join(parts)), unique


def _open_candidates(question: Question, query: str) -> QuerySet[Question]:
    base = (
        Question.objects.filter(status__in=sorted(OPEN_STATUSES - {QuestionStatus.GROUPED.value}))
        .exclude(pk=question.pk)
        .select_related("agency")
        .only(
            "reference",
            "title",
            "body",
            "public_title",
            "status",
            "group_id",
            "agency_id",
            "agency__name",
            "created_at",
        )
    )
    if question.group_id is not None:
        base = base.exclude(group_id=question.group_id)
    # The newest open questions holding the title's RARE_WORDS rarest words (not common syllables, longest
    # first): substring conditions the trigram index on staff_search_text answers (qa migration 0005). A word
    # similarity condition instead (pg_trgm `%>`) took 12 s at 100,000 questions: its recheck scores every long
    # text the index lets through; these take about 0.2 s (docs/workflow.md, "Repeated questions").
    rare = sorted(_significant(_words(query)), key=lambda w: (-len(w), w))[:RARE_WORDS]
    if not rare:
        return base.none()
    condition = Q()
    for word in rare:
        condition &= Q(staff_search_text__contains=word)
    return base.filter(condition).order_by("-created_at")[:OPEN_CANDIDATES]


def _duplicate(other: Question, kind: str, shown: str, query_words: list[str], score: float, **flags: Any) -> Duplicate:
    title, shared = highlight(shown, query_words)
    return Duplicate(
        reference=other.reference,
        agency_name=other.agency.name,
        status=other.status,
        status_label=str(QuestionStatus(other.status).label),
        kind=kind,
        title=title,
        score=score,
        shared=shared,
        **flags,
    )


def likely_duplicates(*, user, question: Question) -> list[Duplicate]:
    """Open questions (any agency) and published answers that probably ask the same as `question`, best first.

    A fixed number of queries: the user's roles (cached), one for open questions, one for published answers.
    """
    query_text = question.title
    query_words = _words(query_text)
    if not _significant(query_words):
        return []
    roles = account_permissions.all_roles(user)
    merge_roles = {"moderator", "admin"}
    mine = roles.get(question.agency_id, set())
    found: list[Duplicate] = []
    for other in _open_candidates(question, fold(query_text)):
        full_view = bool(roles.get(other.agency_id))
        # Another agency's question is matched and shown by its public (redacted) title only.
        shown = other.title if full_view else other.public_title
        score = _score(query_words, f"{other.title} {other.body}" if full_view else other.public_title)
        if score < MIN_SCORE or not shown:
            continue
        can_merge = (
            other.agency_id == question.agency_id
            and other.status == QuestionStatus.ACCEPTED
            and question.status == QuestionStatus.ACCEPTED
            and bool(mine & merge_roles)
        )
        found.append(_duplicate(other, "open", shown, query_words, score, full_view=full_view, can_merge=can_merge))
    found.sort(key=lambda d: -d.score)
    found = found[:DUPLICATES_OPEN]
    may_link = question.status in (QuestionStatus.SUBMITTED, QuestionStatus.ACCEPTED) and bool(mine & merge_roles)
    published: list[Duplicate] = []
    for answered in selectors.similar_questions(query_text, limit=DUPLICATES_PUBLISHED, exclude_id=question.pk):
        score = _score(query_words, f"{answered.public_title} {answered.public_body}")
        if score < MIN_SCORE:
            continue
        published.append(
            _duplicate(
                answered,
                "published",
                answered.public_title,
                query_words,
                score,
                full_view=bool(roles.get(answered.agency_id)),
                can_link=may_link,
                url=answered.get_absolute_url(),
            )
        )
    published.sort(key=lambda d: -d.score)
    return [*published, *found]


@dataclass
class GroupView:
    """A question's group for staff: the primary and every member, each by reference, title and status."""

    id: int
    size: int
    primary: Question
    members: list[Question]  # the primary first
    is_primary: bool


def group_of(question: Question) -> GroupView | None:
    """The group the question is in (two queries), or None. Staff of the question's agency see every member:
    a group never spans agencies."""
    if question.group_id is None:
        return None
    group = QuestionGroup.objects.select_related("primary").filter(pk=question.group_id).first()
    if group is None:
        return None
    members = list(
        Question.objects.filter(group=group)
        .only("reference", "title", "status", "group_id", "created_at")
        .order_by("created_at", "pk")
    )
    members.sort(key=lambda m: m.pk != group.primary_id)
    return GroupView(
        id=group.pk, size=group.size, primary=group.primary, members=members, is_primary=group.primary_id == question.pk
    )
