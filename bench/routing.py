"""Routing suggestion (issue 15): accuracy on a held-out split, training cost at 1,000,000 questions, p95.

The history is generated (docs/intake.md says how far it resembles a real one): each question's text comes
from generate_archive's corpus for its topic (titles and bodies combined from per-topic sentence pools, with
wards and districts); the agency that finally answered it follows rules like a province's: the department in
charge of the topic, or — for local matters (land, building, civil status, environment, social policy,
schools) in a district that has its own committee — that district's committee when the text names it, most
of the time; a share of questions answered by another agency than the rule's (the city committee, or a
neighbouring department: what staff decide case by case); and the topic chosen by the asker is wrong now and
then. Training, measuring and the p95 go through qa.routing exactly as in production; the p95 is measured on
the API view in this process (Django's test client), with the model trained here stored in the database.

Duplicates (`duplicates`): the first of the same generated questions are written as open questions of their
agencies (routing_duplicates_questions: 100,000 in the full plan, far more than the open questions of a
province's agencies together), then the staff duplicates lookup is timed through its API, one request per
sampled question, the same way.
"""

import random
import resource
import statistics
import time
from dataclasses import dataclass, field

from qa.management.commands import _archive_corpus as corpus
from qa.management.commands.generate_archive import Corpus

# The department in charge of each topic of the corpus (codes of corpus.AGENCIES).
TOPIC_AGENCY = {
    "dat-dai": "HP-STNMT",
    "thue": "HP-CT",
    "giao-duc": "HP-SGDDT",
    "y-te": "HP-SYT",
    "giao-thong": "HP-SGTVT",
    "xay-dung": "HP-SXD",
    "lao-dong": "HP-SLDTBXH",
    "bao-hiem-xa-hoi": "HP-BHXH",
    "ho-tich": "HP-STP",
    "dau-tu-kinh-doanh": "HP-SKHDT",
    "moi-truong": "HP-STNMT",
    "chinh-sach-xa-hoi": "HP-SLDTBXH",
}
# A department that often gets the other's questions (shared matters).
NEIGHBOUR = {
    "HP-STNMT": "HP-SXD",
    "HP-SXD": "HP-STNMT",
    "HP-SLDTBXH": "HP-BHXH",
    "HP-BHXH": "HP-SLDTBXH",
    "HP-STP": "HP-SLDTBXH",
    "HP-CT": "HP-SKHDT",
    "HP-SKHDT": "HP-CT",
    "HP-SGTVT": "HP-SXD",
    "HP-SGDDT": "HP-SLDTBXH",
    "HP-SYT": "HP-BHXH",
}
LOCAL_TOPICS = {"dat-dai", "xay-dung", "ho-tich", "moi-truong", "chinh-sach-xa-hoi", "giao-duc"}
DISTRICT_AGENCY = {
    "quận Lê Chân": "HP-LC",
    "quận Ngô Quyền": "HP-NQ",
    "quận Hồng Bàng": "HP-HB",
    "huyện Thủy Nguyên": "HP-TN",
    "huyện An Dương": "HP-AD",
    "quận Kiến An": "HP-KA",
}
LOCAL_SHARE = 0.6  # a local matter naming a district with a committee goes there this often
OTHER_SHARE = 0.08  # answered elsewhere than the rule says (the city committee or the neighbour department)
TOPIC_NOISE = 0.05  # the asker picked another topic


@dataclass
class Reference:
    """Agencies and topics of the bench database, by corpus code and slug."""

    agencies: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)


def ensure_reference() -> Reference:
    """The corpus's agencies and topics in the database (created if missing, as generate_archive does)."""
    from accounts.models import Agency
    from qa.models import Topic

    found = Reference()
    by_code = {a.code: a for a in Agency.objects.all()}
    for code, slug, name, kind, parent in corpus.AGENCIES:
        if code not in by_code:
            by_code[code] = Agency.objects.create(
                code=code, slug=slug, name=name, kind=kind, parent=by_code.get(parent) if parent else None
            )
        found.agencies[code] = by_code[code].pk
    for position, (slug, name, *_rest) in enumerate(corpus.TOPICS):
        topic, _created = Topic.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
        found.topics[slug] = topic.pk
    return found


def history(count: int, reference: Reference, *, seed: int = 15):
    """`count` answered questions as qa.routing Examples (generated, never written to the database)."""
    from qa.routing.features import question_text
    from qa.routing.history import Example

    for pk, (title, body, agency_id, topic_id) in enumerate(generated(count, reference, seed=seed), start=1):
        yield Example(pk, question_text(title, body), agency_id, topic_id)


def generated(count: int, reference: Reference, *, seed: int = 15):
    """`count` generated questions as (title, body, agency id, topic id): the agency that finally answered."""
    from accounts.models import Agency

    rng = random.Random(seed)
    pools = Corpus(rng, list(Agency.objects.filter(code__in=reference.agencies)))
    slugs = list(TOPIC_AGENCY)
    for _pk in range(1, count + 1):
        slug = slugs[int(rng.random() * len(slugs))]
        titles, bodies = pools.topics[slug]["titles"], pools.topics[slug]["bodies"]
        title = titles[int(rng.random() * len(titles))].text
        body = bodies[int(rng.random() * len(bodies))].text
        code = TOPIC_AGENCY[slug]
        if slug in LOCAL_TOPICS:
            for district, local in DISTRICT_AGENCY.items():
                if district in body and rng.random() < LOCAL_SHARE:
                    code = local
                    break
        roll = rng.random()
        if roll < OTHER_SHARE:
            code = "HP-UBND" if roll < OTHER_SHARE / 3 else NEIGHBOUR.get(code, "HP-UBND")
        topic = slug if rng.random() >= TOPIC_NOISE else slugs[int(rng.random() * len(slugs))]
        yield title, body, reference.agencies[code], reference.topics[topic]


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(count: int, *, requests: int = 300) -> dict:
    """Train on `count` generated questions (90 %), measure on the held-out 10 %, then time the API."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    from qa.routing import forget, training

    reference = ensure_reference()
    rss_before = _peak_rss_mib()
    started, cpu_started = time.monotonic(), time.process_time()
    model = training.train(history(count, reference), compare_knn=False, min_questions=1)
    seconds, cpu_seconds = time.monotonic() - started, time.process_time() - cpu_started
    assert model is not None
    forget()
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0], secure=True)
    rng = random.Random(7)
    samples = [(e.text[:120], e.text[120:600]) for e in history(requests, reference, seed=99)]
    timings = []
    for i in range(requests + 20):
        title, body = samples[i % len(samples)] if i >= 20 else ("thủ tục cấp lại sổ đỏ bị mất", "")
        cache.clear()  # the suggestion throttle's counters: the bench is one client address
        started = time.perf_counter()
        response = client.get("/api/v1/questions/suggest-routing/", {"title": title, "body": body})
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (response.status_code, response.content[:300])
        if i >= 20:  # the first requests load the model and warm up
            timings.append(elapsed)
        rng.random()
    timings.sort()
    return {
        "questions": count,
        "trained_on": model.questions,
        "held_out": model.held_out,
        "agency_top1": model.agency_top1,
        "agency_top3": model.agency_top3,
        "topic_top1": model.topic_top1,
        "train_s": round(seconds, 1),
        # CPU seconds of this process (both cores count): what the training costs when the machine is shared.
        "train_cpu_s": round(cpu_seconds, 1),
        # The process's peak resident memory before and after training (the training's own peak is at most
        # the difference when the process had peaked earlier, and the whole after figure otherwise).
        "rss_peak_before_mib": round(rss_before, 1),
        "rss_peak_after_mib": round(_peak_rss_mib(), 1),
        "model_kib": round(len(model.weights) / 1024, 1),
        "suggest_p50_ms": round(statistics.median(timings), 2),
        "suggest_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "requests": len(timings),
        "version": model.pk,
    }


DUPLICATE_PREFIX = "BENCH-DUP-"


def write_open_questions(count: int, reference: Reference, *, seed: int = 15, chunk: int = 5000) -> tuple[int, float]:
    """The first `count` generated questions written as open (accepted) questions, as the duplicates lookup reads
    them (staff_search_text, the trigram index on it); kept with --keep-db. Returns (rows, seconds spent)."""
    import datetime

    from django.db import connection
    from django.utils import timezone

    from qa.models import Question, QuestionStatus
    from qa.text import fold

    started = time.monotonic()
    present = Question.objects.filter(reference__startswith=DUPLICATE_PREFIX).count()
    if present >= count:
        return present, 0.0
    now = timezone.now()
    rows: list[Question] = []
    for number, (title, body, agency_id, topic_id) in enumerate(generated(count, reference, seed=seed), start=1):
        if number <= present:
            continue
        code = f"{DUPLICATE_PREFIX}{number:07d}"
        created = now - datetime.timedelta(minutes=count - number)  # the newest last, as in a real queue
        rows.append(
            Question(
                reference=code,
                agency_id=agency_id,
                topic_id=topic_id,
                status=QuestionStatus.ACCEPTED,
                title=title[:200],
                body=body,
                public_title=title[:200],
                asker_type="individual",
                channel="web",
                received_at=created,
                accepted_at=created,
                created_at=created,
                # save() computes it; bulk_create does not call save().
                staff_search_text=fold(f"{code} {title[:200]} {body}"),
            )
        )
        if len(rows) >= chunk:
            Question.objects.bulk_create(rows)
            rows.clear()
    if rows:
        Question.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE qa_question")
    return Question.objects.filter(reference__startswith=DUPLICATE_PREFIX).count(), time.monotonic() - started


def _official(reference: Reference):
    """A moderator of every generated agency (a city-wide official): every sampled question may be looked at."""
    from accounts.models import Membership, User

    user, _created = User.objects.get_or_create(
        email="bench-duplicates@example.vn", defaults={"full_name": "Cán bộ thử tải", "email_verified": True}
    )
    for agency_id in reference.agencies.values():
        Membership.objects.get_or_create(user=user, agency_id=agency_id, role=Membership.Role.MODERATOR)
    return user


def duplicates(count: int, *, requests: int = 300) -> dict:
    """Time the staff duplicates lookup (qa.staff.duplicates.likely_duplicates, what the question's staff page
    and GET /api/v1/staff/questions/<reference>/duplicates/ show) over `count` generated open questions.

    Through the staff API with a token, in this process (Django's test client), like the suggestion's timing;
    each request asks about another of the written questions (spread over the whole set). The published half
    of the lookup searches whatever archive the database holds (the archive part's, in a full run).
    """
    from django.conf import settings
    from django.test import Client
    from rest_framework.authtoken.models import Token

    reference = ensure_reference()
    rows, write_s = write_open_questions(count, reference)
    token, _created = Token.objects.get_or_create(user=_official(reference))
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0], secure=True, HTTP_AUTHORIZATION=f"Token {token.key}")
    step = max(1, rows // max(1, requests))
    codes = [f"{DUPLICATE_PREFIX}{n:07d}" for n in range(1, rows + 1, step)][:requests]
    warm = 10
    timings, found = [], []
    for i, code in enumerate([*codes[:warm], *codes]):
        started = time.perf_counter()
        response = client.get(f"/api/v1/staff/questions/{code}/duplicates/")
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (response.status_code, response.content[:300])
        if i >= warm:  # the first requests warm the connection and the caches
            timings.append(elapsed)
            found.append(len(response.json()))
    timings.sort()
    return {
        "questions": rows,
        "write_s": round(write_s, 1),
        "requests": len(timings),
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[max(0, int(len(timings) * 0.95) - 1)], 2),
        "with_candidates": sum(1 for n in found if n),
        "mean_listed": round(sum(found) / len(found), 1) if found else 0.0,
    }
