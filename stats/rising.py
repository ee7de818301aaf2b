"""Rising issues: topics, words and two-word phrases whose count in the last 7 days is unusually high
against their own last 8 weeks.

Every question received (or, for the public page, every published question) in
the last nine weeks is read once: its topic, and the folded words (qa.text.fold:
no diacritics, đ→d) and adjacent two-word phrases of its title. Each key counts a
question once. A key rises when this week's count is at least MIN_COUNT, at least
RATIO times its weekly mean over the 8 weeks before, and at least Z standard
deviations above that mean (the deviation floored at 1, so a key never seen
before needs MIN_COUNT questions, not one). A quiet week raises nothing: a
steady key is within its own spread, whatever its size.
"""

import datetime
import itertools
import math
import zoneinfo
from collections import Counter, defaultdict

from django.db import transaction
from django.utils import timezone

from qa.common_terms import COMMON_TERMS
from qa.models import Question, QuestionStatus, Topic
from qa.text import fold

from .models import RisingItem

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
WEEKS = 8
MIN_COUNT = 5
RATIO = 3.0
Z = 3.0
KEEP = 15  # per list
SAMPLE_QUESTIONS = 10


def _keys(topic_id: int, title: str) -> set[tuple[str, str]]:
    words = [w for w in fold(title).split() if len(w) > 1 and not w.isdigit()]
    keys = {("topic", str(topic_id))}
    keys.update(("term", w) for w in words if w not in COMMON_TERMS)
    # Phrases keep common syllables ("tai dinh cu"): a steady phrase stays within its own spread anyway.
    keys.update(("term", f"{a} {b}") for a, b in itertools.pairwise(words))
    return keys


def rising_for(rows: list[tuple[int, int, str, datetime.date]], today: datetime.date) -> list[dict]:
    """Rising keys among (question id, topic id, title, day received) rows; the pure part, tested directly."""
    week_start = today - datetime.timedelta(days=6)
    current: Counter = Counter()
    weekly: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * WEEKS)
    samples: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pk, topic_id, title, day in rows:
        if day > today:
            continue
        keys = _keys(topic_id, title)
        if day >= week_start:
            current.update(keys)
            for key in keys:
                if len(samples[key]) < SAMPLE_QUESTIONS:
                    samples[key].append(pk)
            continue
        week = ((week_start - datetime.timedelta(days=1)) - day).days // 7
        if 0 <= week < WEEKS:
            for key in keys:
                weekly[key][week] += 1
    found = []
    for key, count in current.items():
        if count < MIN_COUNT:
            continue
        history = weekly.get(key, [0] * WEEKS)
        mean = sum(history) / WEEKS
        sd = max(1.0, math.sqrt(sum((c - mean) ** 2 for c in history) / WEEKS))
        score = (count - mean) / sd
        if count >= RATIO * max(mean, 1.0) and score >= Z:
            found.append(
                {
                    "kind": key[0],
                    "key": key[1],
                    "count": count,
                    "baseline": mean,
                    "score": score,
                    "question_ids": samples[key],
                }
            )
    # A phrase and its own words often rise together: keep the strongest first, drop words inside a kept phrase.
    found.sort(key=lambda item: (-item["score"], -len(item["key"])))
    return found


def _trim(found: list[dict]) -> list[dict]:
    kept, phrases = [], []
    for item in sorted(found, key=lambda i: (-i["count"], -len(i["key"]))):
        if item["kind"] == "term" and " " not in item["key"] and any(item["key"] in p.split() for p in phrases):
            continue
        if item["kind"] == "term" and " " in item["key"]:
            phrases.append(item["key"])
        kept.append(item)
    return sorted(kept, key=lambda i: -i["score"])[:KEEP]


def _rows(since: datetime.date, *, public: bool):
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=VN)
    queryset = Question.objects.filter(received_at__gte=start).exclude(status=QuestionStatus.UNVERIFIED)
    if public:
        queryset = queryset.filter(status=QuestionStatus.PUBLISHED)
    title = "public_title" if public else "title"
    for pk, agency_id, topic_id, text, received in queryset.values_list(
        "pk", "agency_id", "topic_id", title, "received_at"
    ):
        yield agency_id, (pk, topic_id, text, received.astimezone(VN).date())


def rising_refresh(*, today: datetime.date | None = None) -> int:
    """The daily job: today's rising topics and terms, over all agencies, per agency (staff) and public."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=7 * (WEEKS + 1))
    topic_names = dict(Topic.objects.values_list("pk", "name"))
    items: list[RisingItem] = []
    for public in (False, True):
        per_agency: dict[int, list] = defaultdict(list)
        everything = []
        for agency_id, row in _rows(since, public=public):
            per_agency[agency_id].append(row)
            everything.append(row)
        groups = [(None, everything)] + ([] if public else list(per_agency.items()))
        for agency_id, rows in groups:
            for item in _trim(rising_for(rows, today)):
                label = topic_names.get(int(item["key"]), item["key"]) if item["kind"] == "topic" else item["key"]
                items.append(RisingItem(day=today, public=public, agency_id=agency_id, label=label[:200], **item))
    with transaction.atomic():
        RisingItem.objects.filter(day=today).delete()
        RisingItem.objects.bulk_create(items)
        RisingItem.objects.filter(day__lt=today - datetime.timedelta(days=30)).delete()
    return len(items)


def latest(*, public: bool, agency_ids: list[int] | None = None) -> list[RisingItem]:
    """The newest day's rising items: public ones, or the staff's for the given agencies (None: all agencies)."""
    queryset = RisingItem.objects.filter(public=public)
    day = queryset.order_by("-day").values_list("day", flat=True).first()
    if day is None:
        return []
    queryset = queryset.filter(day=day)
    scope = {"agency__isnull": True} if agency_ids is None else {"agency_id__in": agency_ids}
    queryset = queryset.filter(**scope)
    return list(queryset.order_by("agency_id", "-score"))


def with_questions(items: list[RisingItem], *, public: bool) -> list[dict]:
    """Each item with the questions behind it (reference and title; public titles of published ones only)."""
    ids = {pk for item in items for pk in item.question_ids}
    queryset = Question.objects.filter(pk__in=ids)
    if public:
        queryset = queryset.filter(status=QuestionStatus.PUBLISHED)
    title = "public_title" if public else "title"
    found = {pk: (ref, text) for pk, ref, text in queryset.values_list("pk", "reference", title)}
    return [{"item": item, "questions": [found[pk] for pk in item.question_ids if pk in found]} for item in items]
