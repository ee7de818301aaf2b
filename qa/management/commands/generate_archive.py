"""Fill the database with a large, realistic Q&A archive for benchmarks: `generate_archive --questions 1000000`.

PostgreSQL only. Rows go in through COPY (psycopg), in chunks of one transaction
each, with the search text folded exactly as qa.services.indexing does (every
sentence is folded once with qa.text.fold when the pools are built, and a row's
text is the join of its sentences, which folds to the join of their folds; a
sample of rows is re-checked against build_search_text). Secondary indexes are
dropped while a large batch loads and rebuilt after it, which is several times
faster than maintaining them row by row, then the tables are vacuumed and
analysed so the planner sees the new sizes and term frequencies.

Published questions get an answer; with --states all the rows spread over every
state of the workflow (the staff queue benchmark). Reference codes continue each
agency's sequence, and ReferenceSequence is moved past them so later submissions
never collide.
"""

import datetime
import random
import secrets
import time
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Agency, Membership
from qa.models import Answer, AskerContact, Question, QuestionStatus, ReferenceSequence, Topic
from qa.text import fold

from . import _archive_corpus as corpus

S = QuestionStatus
CHUNK = 20_000
# Share of each state with --states all (the rest are published).
STATE_MIX = [
    (S.UNVERIFIED, 0.02),
    (S.SUBMITTED, 0.15),
    (S.ACCEPTED, 0.15),
    (S.INFORMATION_REQUESTED, 0.05),
    (S.IN_REVIEW, 0.05),
    (S.APPROVED, 0.03),
    (S.ANSWERED, 0.10),
    (S.REJECTED, 0.07),
    (S.WITHDRAWN, 0.03),
]
WITH_ANSWER = {S.IN_REVIEW, S.APPROVED, S.ANSWERED, S.PUBLISHED}
TABLES = ("qa_question", "qa_answer", "qa_askercontact")


@dataclass
class Piece:
    """A sentence and its folded form (what the search text is made of)."""

    text: str
    folded: str


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Corpus:
    """Pools of filled-in sentences per topic, built once per run from the word lists."""

    def __init__(self, rng: random.Random, agencies: list[Agency]) -> None:
        self.rng = rng
        self.places = [(ward, district) for district, wards in corpus.DISTRICTS.items() for ward in wards]
        self.topics = {}
        for slug, _name, procs, docs, laws, offices, situations in corpus.TOPICS:
            words = (procs, docs, laws, offices, situations)
            self.topics[slug] = {
                "titles": [self._piece(corpus.TITLE_PATTERNS, *words) for _ in range(400)],
                "context": [self._piece(corpus.CONTEXT_PATTERNS, *words) for _ in range(900)],
                "ask": [self._piece(corpus.ASK_PATTERNS, *words) for _ in range(400)],
                "answer": [self._piece(corpus.ANSWER_PATTERNS, *words) for _ in range(900)],
            }
        self.openings = {a.pk: [self._fixed(p.format(agency=a.name)) for p in corpus.ANSWER_OPENINGS] for a in agencies}
        self.closings = {
            a.pk: [self._fixed(_cap(p.format(agency=a.name))) for p in corpus.ANSWER_CLOSINGS] for a in agencies
        }

    @staticmethod
    def _fixed(text: str) -> Piece:
        return Piece(text, fold(text))

    def _slots(self, procs, docs, laws, offices, situations) -> dict:
        rng = self.rng
        ward, district = rng.choice(self.places)
        asker = rng.choice(corpus.ASKERS)
        proc = rng.choice(procs)
        values = {
            "proc": proc,
            "Proc": _cap(proc),
            "doc": rng.choice(docs),
            "doc2": rng.choice(docs),
            "law": rng.choice(laws),
            "office": rng.choice(offices),
            "asker": asker,
            "Asker": _cap(asker),
            "ward": f"phường {ward}" if district.startswith("quận") else f"xã {ward}",
            "district": district,
            "n": rng.randint(1, 250),
            "m": rng.randint(1, 80),
            "k": rng.randint(1, 5),
            "days": rng.choice([3, 5, 7, 10, 15, 20, 30]),
            "area": rng.randint(40, 500),
            "year": rng.randint(1995, 2025),
            "month": rng.randint(1, 12),
            "day": rng.randint(1, 28),
            "age": rng.randint(60, 95),
            "grade": rng.randint(1, 12),
            "money": rng.randint(50, 5000),
            "floors": rng.randint(1, 6),
            "width": rng.randint(2, 8),
            "licence": rng.choice(["A1", "A2", "B1", "B2", "C"]),
            "years": rng.randint(1, 30),
            "months": rng.randint(1, 11),
            "staff": rng.randint(3, 300),
        }
        values["situation"] = rng.choice(situations).format(**values)
        return values

    def _piece(self, patterns, procs, docs, laws, offices, situations) -> Piece:
        text = self.rng.choice(patterns).format(**self._slots(procs, docs, laws, offices, situations))
        return self._fixed(_cap(text))

    def person(self) -> str:
        rng = self.rng
        return f"{rng.choice(corpus.FAMILY_NAMES)} {rng.choice(corpus.MIDDLE_NAMES)} {rng.choice(corpus.GIVEN_NAMES)}"

    def address(self) -> str:
        ward, district = self.rng.choice(self.places)
        return f"Số {self.rng.randint(1, 300)} đường {self.rng.choice(corpus.GIVEN_NAMES)}, {ward}, {district}"


def _join(pieces: list[Piece]) -> tuple[str, str]:
    return " ".join(p.text for p in pieces), " ".join(p.folded for p in pieces)


class Command(BaseCommand):
    help = "Generate N realistic Vietnamese questions (published with answers, or in every state) via COPY."

    def add_arguments(self, parser):
        parser.add_argument("--questions", type=int, required=True, help="How many questions to add.")
        parser.add_argument("--states", choices=["published", "all"], default="published")
        parser.add_argument("--agency", help="Code of the one agency to put every question in (default: spread).")
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument(
            "--drop-indexes",
            choices=["auto", "yes", "no"],
            default="auto",
            help="Drop secondary indexes during the load and rebuild them after (auto: for large batches).",
        )
        parser.add_argument("--years", type=int, default=8, help="Published questions spread over this many years.")

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_archive loads with COPY: it needs PostgreSQL.")
        count = options["questions"]
        if count <= 0:
            raise CommandError("--questions must be positive.")
        # Reproducible text, not secrets (tracking tokens use the secrets module).
        rng = random.Random(options["seed"] ^ count ^ Question.objects.count())  # noqa: S311
        agencies = self._agencies()
        topics = self._topics()
        if options["agency"]:
            chosen = [a for a in agencies if a.code == options["agency"]]
            if not chosen:
                raise CommandError(f"No agency with code {options['agency']}.")
            target_agencies = chosen
        else:
            target_agencies = agencies
        started = time.monotonic()
        corpus_ = Corpus(rng, agencies)
        existing = Question.objects.count()
        drop = options["drop_indexes"] == "yes" or (
            options["drop_indexes"] == "auto" and count >= max(50_000, existing)
        )
        saved = self._drop_indexes() if drop else []
        try:
            self._load(count, options, rng, corpus_, target_agencies, topics)
        finally:
            if saved:
                self._recreate_indexes(saved)
        self._vacuum()
        self._check_sample()
        self.stdout.write(
            f"generate_archive: {count} questions in {time.monotonic() - started:.1f} s "
            f"(table now {Question.objects.count()} rows)"
        )

    # --- Reference data -----------------------------------------------------------------------

    def _agencies(self) -> list[Agency]:
        by_code = {a.code: a for a in Agency.objects.all()}
        for code, slug, name, kind, parent in corpus.AGENCIES:
            if code not in by_code and not Agency.objects.filter(slug=slug).exists():
                by_code[code] = Agency.objects.create(
                    code=code, slug=slug, name=name, kind=kind, parent=by_code.get(parent) if parent else None
                )
        return [a for a in by_code.values() if a.is_active]

    def _topics(self) -> list[tuple[Topic, str]]:
        result = []
        for position, (slug, name, *_rest) in enumerate(corpus.TOPICS):
            topic, _created = Topic.objects.get_or_create(slug=slug, defaults={"name": name, "position": position})
            result.append((topic, slug))
        return result

    # --- Loading -------------------------------------------------------------------------------

    def _load(self, count, options, rng, corpus_, agencies, topics) -> None:
        now = timezone.now()
        states = options["states"]
        counters = {(r.agency_id, r.year): r.last_value for r in ReferenceSequence.objects.filter(agency__in=agencies)}
        assignees = {
            a.pk: list(
                Membership.objects.filter(agency=a, role__in=["answerer", "moderator"]).values_list(
                    "user_id", flat=True
                )
            )
            for a in agencies
        }
        question_columns = list(Question._meta.concrete_fields)
        first_id = self._reserve_ids("qa_question", count)
        years = max(options["years"], 1)
        done = 0
        while done < count:
            size = min(CHUNK, count - done)
            questions, answers, contacts = [], [], []
            for offset in range(size):
                pk = first_id + done + offset
                status = self._state(rng) if states == "all" else S.PUBLISHED
                row, answer, contact = self._row(pk, status, rng, corpus_, agencies, topics, now, years, counters)
                if status not in (S.SUBMITTED, S.UNVERIFIED, S.REJECTED, S.WITHDRAWN) and assignees[row["agency_id"]]:
                    row["assignee_id"] = rng.choice(assignees[row["agency_id"]])
                questions.append(row)
                if answer:
                    answers.append(answer)
                contacts.append(contact)
            with transaction.atomic():
                self._copy("qa_question", question_columns, questions)
                self._copy("qa_answer", [f for f in Answer._meta.concrete_fields if not f.primary_key], answers)
                self._copy(
                    "qa_askercontact", [f for f in AskerContact._meta.concrete_fields if not f.primary_key], contacts
                )
            done += size
            self.stdout.write(f"  {done}/{count} rows")
        for (agency_id, year), value in counters.items():
            sequence, _created = ReferenceSequence.objects.get_or_create(agency_id=agency_id, year=year)
            if sequence.last_value < value:
                ReferenceSequence.objects.filter(pk=sequence.pk).update(last_value=value)

    @staticmethod
    def _state(rng: random.Random) -> str:
        roll = rng.random()
        for state, share in STATE_MIX:
            if roll < share:
                return state
            roll -= share
        return S.PUBLISHED

    def _row(self, pk, status, rng, corpus_, agencies, topics, now, years, counters):
        agency = rng.choice(agencies)
        topic, slug = rng.choice(topics)
        pools = corpus_.topics[slug]
        title = rng.choice(pools["titles"])
        body_pieces = rng.sample(pools["context"], rng.randint(1, 2)) + rng.sample(pools["ask"], rng.randint(1, 2))
        body, body_folded = _join(body_pieces)
        finished = status in (S.ANSWERED, S.PUBLISHED, S.REJECTED, S.WITHDRAWN)
        span = years * 365 * 86400 if status == S.PUBLISHED else (400 if finished else 60) * 86400
        created = now - datetime.timedelta(seconds=rng.randint(3600, span))
        year = timezone.localtime(created).year
        counters[(agency.pk, year)] = counters.get((agency.pk, year), 0) + 1
        reference = f"{agency.code}-{year}-{counters[(agency.pk, year)]:06d}"
        received = None if status == S.UNVERIFIED else created + datetime.timedelta(minutes=rng.randint(1, 600))
        accepted = answered = published = None
        if status not in (S.UNVERIFIED, S.SUBMITTED, S.REJECTED, S.WITHDRAWN):
            accepted = received + datetime.timedelta(hours=rng.randint(2, 72))
        if status in (S.ANSWERED, S.PUBLISHED):
            answered = accepted + datetime.timedelta(hours=rng.randint(24, 480))
            answered = min(answered, now - datetime.timedelta(minutes=30))
        if status == S.PUBLISHED:
            published = answered + datetime.timedelta(hours=rng.randint(1, 72))
            published = min(published, now - datetime.timedelta(minutes=1))
        row = {
            "id": pk,
            "reference": reference,
            "tracking_token": secrets.token_urlsafe(24),
            "agency_id": agency.pk,
            "topic_id": topic.pk,
            "status": status,
            "title": title.text,
            "body": body,
            "public_title": title.text if status == S.PUBLISHED else "",
            "public_body": body if status == S.PUBLISHED else "",
            "asker_type": "individual",
            "consent_to_publish": status == S.PUBLISHED or rng.random() < 0.7,
            "channel": "web",
            "language": "vi",
            "received_at": received,
            "transfer_due_date": (timezone.localdate(received) + datetime.timedelta(days=5)) if received else None,
            "accepted_at": accepted,
            "due_date": (timezone.localdate(accepted) + datetime.timedelta(days=21)) if accepted else None,
            "answered_at": answered,
            "published_at": published,
            "rejection_reason": "out_of_scope" if status == S.REJECTED else "",
            "rating_comment": "",
            "assignee_id": None,
            "view_count": rng.randint(0, 5000) if status == S.PUBLISHED else 0,
            "helpful_yes": rng.randint(0, 60) if status == S.PUBLISHED else 0,
            "helpful_no": rng.randint(0, 10) if status == S.PUBLISHED else 0,
            "search_text": "",
            "staff_search_text": f"{fold(reference)} {title.folded} {body_folded}",
            "version": 1,
            "created_at": created,
            "updated_at": published or answered or accepted or received or created,
        }
        answer = None
        if status in WITH_ANSWER:
            paragraphs = [
                [rng.choice(corpus_.openings[agency.pk])],
                rng.sample(pools["answer"], 2),
                rng.sample(pools["answer"], rng.randint(1, 2)),
                [rng.choice(corpus_.closings[agency.pk])],
            ]
            html = "".join("<p>" + _join(p)[0] + "</p>" for p in paragraphs)
            answer_folded = " ".join(_join(p)[1] for p in paragraphs)
            answer = {
                "question_id": pk,
                "body": html,
                "signed_by": agency.name,
                "version": 1,
                "sent_at": answered,
                "created_at": accepted or created,
                "updated_at": answered or accepted or created,
            }
            if status == S.PUBLISHED:
                row["search_text"] = f"{title.folded} {body_folded} {answer_folded}"
        contact = {
            "question_id": pk,
            "name": corpus_.person(),
            "email": f"nguoidan{pk}@example.vn",
            "phone": f"09{rng.randint(10_000_000, 99_999_999)}",
            "address": corpus_.address(),
            "organisation_name": "",
            "tax_code": "",
            "email_verified_at": received,
        }
        return row, answer, contact

    def _reserve_ids(self, table: str, count: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            (sequence,) = cursor.fetchone()
            cursor.execute("SELECT nextval(%s)", [sequence])
            (first,) = cursor.fetchone()
            cursor.execute("SELECT COALESCE(MAX(id), 0) FROM " + table)  # noqa: S608 (fixed table name)
            (highest,) = cursor.fetchone()
            first = max(first, highest + 1)
            cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return first

    @staticmethod
    def _copy(table: str, fields, rows: list[dict]) -> None:
        if not rows:
            return
        missing = [
            f.attname
            for f in fields
            if f.attname not in rows[0] and not f.null and not f.has_default() and not f.primary_key
        ]
        if missing:
            raise CommandError(f"{table}: no value for {', '.join(missing)} (update generate_archive).")
        names = [f.attname for f in fields if f.attname in rows[0] or f.null or f.has_default()]
        defaults = {f.attname: (f.get_default() if f.has_default() else None) for f in fields}
        columns = [next(f.column for f in fields if f.attname == name) for name in names]
        sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
        raw = connection.connection
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([row[name] if name in row else defaults[name] for name in names])

    # --- Indexes and statistics -----------------------------------------------------------------

    def _drop_indexes(self) -> list[tuple[str, str]]:
        """Secondary indexes of the three tables (not those behind constraints), dropped; returns their definitions."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = to_regclass(i.indexname))
                """,
                [list(TABLES)],
            )
            saved = cursor.fetchall()
            for name, _definition in saved:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        self.stdout.write(f"  dropped {len(saved)} secondary indexes for the load")
        return saved

    def _recreate_indexes(self, saved: list[tuple[str, str]]) -> None:
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in saved:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
        self.stdout.write(f"  rebuilt {len(saved)} indexes in {time.monotonic() - started:.1f} s")

    def _vacuum(self) -> None:
        started = time.monotonic()
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"VACUUM (ANALYZE) {table}")
        self.stdout.write(f"  vacuum and analyse: {time.monotonic() - started:.1f} s")

    def _check_sample(self) -> None:
        """The stored search text of a few rows must equal what publishing would have computed."""
        from qa.services.indexing import build_search_text

        sample = list(
            Question.objects.filter(status=S.PUBLISHED).select_related("answer").order_by("-id")[:50].iterator()
        )
        for question in sample:
            if question.search_text != build_search_text(question):
                raise CommandError(f"search_text of {question.reference} differs from build_search_text")
            expected = fold(f"{question.reference} {question.title} {question.body}")
            if question.staff_search_text != expected:
                raise CommandError(f"staff_search_text of {question.reference} differs from fold()")
