"""Fill the database with a large, realistic Q&A archive for benchmarks: `generate_archive --questions 1000000`.

PostgreSQL only. Rows go in through COPY (psycopg), in chunks of one transaction
each, with the search text folded exactly as qa.services.indexing does (every
sentence is folded once with qa.text.fold when the pools are built, and a row's
text is the join of its sentences, which folds to the join of their folds; a
sample of rows is re-checked against build_search_text); the search's words
(qa_search_terms) are then written from the stored vectors as qa migration
0007's triggers would. Secondary indexes are
dropped while a large batch loads and rebuilt after it, which is several times
faster than maintaining them row by row, then the tables are vacuumed and
analysed so the planner sees the new sizes and term frequencies.

Published questions get an answer; with --states all the rows spread over every
state of the workflow (the staff queue benchmark). With --events (the statistics
benchmark) every question also gets the audit events the workflow would have
recorded (submit or register by channel, transfer, accept, a pause for the
asker's information, send, publish, reject by reason, withdraw, rate), finished
questions spread over --years like published ones, and --agencies tops the
agencies up with district offices under the district committees. Reference codes continue each
agency's sequence, and ReferenceSequence is moved past them so later submissions
never collide.
"""

import contextlib
import datetime
import json
import operator
import random
import secrets
import time
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Agency, Membership
from qa import deadlines
from qa.models import Answer, AskerContact, Question, QuestionEvent, QuestionStatus, ReferenceSequence, Topic
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
OPEN = {S.UNVERIFIED, S.SUBMITTED, S.ACCEPTED, S.INFORMATION_REQUESTED, S.IN_REVIEW, S.APPROVED}
# Open questions are the last weeks' (older ones were settled long ago): with --events over years, only this
# window's share of the STATE_MIX open questions stays open.
OPEN_WINDOW_DAYS = 60
# qa_search_terms and qa_search_pairs: the search's words and adjacent pairs of published questions (qa migrations
# 0007 and 0015), filled after the COPY.
TABLES = ("qa_question", "qa_answer", "qa_askercontact", "qa_search_terms", "qa_search_pairs", "qa_questionevent")
# --events: how questions arrive (the rest come through the web form), and what happens to some of them.
CHANNEL_MIX = [("api", 0.05), ("phone", 0.10), ("paper", 0.10), ("email", 0.08), ("dialogue", 0.04)]
TRANSFER_SHARE = 0.06
PAUSE_SHARE = 0.06
RATED_SHARE = 0.45
SATISFIED_SHARE = 0.78
REJECTION_MIX = ["out_of_scope", "out_of_scope", "duplicate", "incomplete", "spam", "abusive"]
# --agencies: district offices (every district committee has them) added under the district committees.
DISTRICT_OFFICES = [
    ("TNMT", "Phòng Tài nguyên và Môi trường"),
    ("TP", "Phòng Tư pháp"),
    ("GDDT", "Phòng Giáo dục và Đào tạo"),
    ("LDTBXH", "Phòng Lao động - Thương binh và Xã hội"),
    ("TCKH", "Phòng Tài chính - Kế hoạch"),
    ("NV", "Phòng Nội vụ"),
]
LOCAL = zoneinfo.ZoneInfo(settings.TIME_ZONE)
MINUTE = datetime.timedelta(minutes=1)
HALF_HOUR = datetime.timedelta(minutes=30)
FIVE_DAYS = datetime.timedelta(days=5)
THREE_WEEKS = datetime.timedelta(days=21)


@dataclass
class Piece:
    """A sentence and its folded form (what the search text is made of)."""

    text: str
    folded: str


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class Corpus:
    """Pools built once per run from the word lists: sentences, then bodies and answers combined from them.

    A row picks a title, a body and an answer core from its topic's pools (about
    10^10 combinations, so rows do not repeat), which keeps the per-row Python work
    to a few lookups; every sentence was folded once when its pool was built.
    """

    def __init__(self, rng: random.Random, agencies: list[Agency]) -> None:
        self.rng = rng
        self.places = [(ward, district) for district, wards in corpus.DISTRICTS.items() for ward in wards]
        self.topics = {}
        for slug, _name, procs, docs, laws, offices, situations in corpus.TOPICS:
            words = (procs, docs, laws, offices, situations)
            context = [self._piece(corpus.CONTEXT_PATTERNS, *words) for _ in range(300)]
            asks = [self._piece(corpus.ASK_PATTERNS, *words) for _ in range(150)]
            sentences = [self._piece(corpus.ANSWER_PATTERNS, *words) for _ in range(300)]
            bodies = []
            for _ in range(2000):
                parts = rng.sample(context, rng.randint(1, 2)) + rng.sample(asks, rng.randint(1, 2))
                bodies.append(_join(parts))
            cores = []
            for _ in range(2000):
                first, second = rng.sample(sentences, 2), rng.sample(sentences, rng.randint(1, 2))
                html = f"<p>{_join(first).text}</p><p>{_join(second).text}</p>"
                cores.append(Piece(html, f"{_join(first).folded} {_join(second).folded}"))
            self.topics[slug] = {
                "titles": [self._piece(corpus.TITLE_PATTERNS, *words) for _ in range(250)],
                "bodies": bodies,
                "answers": cores,
            }
        self.openings = {a.pk: [self._fixed(p.format(agency=a.name)) for p in corpus.ANSWER_OPENINGS] for a in agencies}
        self.closings = {
            a.pk: [self._fixed(_cap(p.format(agency=a.name))) for p in corpus.ANSWER_CLOSINGS] for a in agencies
        }
        self.people = [
            f"{f} {m} {g}" for f in corpus.FAMILY_NAMES for m in corpus.MIDDLE_NAMES for g in corpus.GIVEN_NAMES
        ]
        self.addresses = [
            f"Số {rng.randint(1, 300)} đường {rng.choice(corpus.GIVEN_NAMES)}, {ward}, {district}"
            for ward, district in self.places
            for _ in range(20)
        ]

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


def _join(pieces: list[Piece]) -> Piece:
    return Piece(" ".join(p.text for p in pieces), " ".join(p.folded for p in pieces))


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
        parser.add_argument(
            "--events",
            action="store_true",
            help="Also write each question's audit events, in every state and channel (the statistics benchmark).",
        )
        parser.add_argument(
            "--agencies", type=int, default=0, help="Top the agencies up to this many (district offices)."
        )

    def _say(self, message: str) -> None:
        if self.verbosity >= 1:
            self.stdout.write(message)

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        if connection.vendor != "postgresql":
            raise CommandError("generate_archive loads with COPY: it needs PostgreSQL.")
        count = options["questions"]
        if count <= 0:
            raise CommandError("--questions must be positive.")
        # Reproducible text, not secrets (tracking tokens use the secrets module).
        rng = random.Random(options["seed"] ^ count ^ Question.objects.count())  # noqa: S311
        if options["events"]:
            options["states"] = "all"
        agencies = self._agencies(options["agencies"])
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
            with self._bulk_session():
                self._load(count, options, rng, corpus_, target_agencies, topics)
        finally:
            if saved:
                self._recreate_indexes(saved)
        self._vacuum()
        self._check_sample()
        self._say(
            f"generate_archive: {count} questions in {time.monotonic() - started:.1f} s "
            f"(table now {Question.objects.count()} rows)"
        )

    # --- Reference data -----------------------------------------------------------------------

    def _agencies(self, at_least: int = 0) -> list[Agency]:
        by_code = {a.code: a for a in Agency.objects.all()}
        wanted = list(corpus.AGENCIES)
        districts = [(code, slug, name) for code, slug, name, kind, _parent in corpus.AGENCIES if kind == "district"]
        for office_code, office_name in DISTRICT_OFFICES:
            for code, slug, name in districts:
                place = name.removeprefix("Ủy ban nhân dân ")
                wanted.append(
                    (f"{code}-{office_code}", f"{slug}-{fold(office_code)}", f"{office_name} {place}", "other", code)
                )
        for code, slug, name, kind, parent in wanted:
            if len([a for a in by_code.values() if a.is_active]) >= max(at_least, len(corpus.AGENCIES)):
                break
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
        event_columns = [f for f in QuestionEvent._meta.concrete_fields if not f.primary_key]
        with_events = options["events"]
        calendar = deadlines._calendar_overrides()
        first_id = self._reserve_ids("qa_question", count)
        pairs = [(a, fold(a.code)) for a in agencies]
        years = max(options["years"], 1)
        # Published rows go in in publication order, as a real archive grows (ids and heap pages follow the date):
        # a sorted list of how long ago each one was published, oldest first.
        span = years * 365 * 86400
        ages = sorted((rng.random() * span for _ in range(count)), reverse=True)
        done = 0
        while done < count:
            size = min(CHUNK, count - done)
            questions, answers, contacts, events = [], [], [], []
            for offset in range(size):
                pk = first_id + done + offset
                status = self._state(rng) if states == "all" else S.PUBLISHED
                if with_events and status in OPEN and rng.random() > OPEN_WINDOW_DAYS / (years * 365):
                    while status in OPEN:
                        status = self._state(rng)
                age = ages[done + offset]
                row, answer, contact = self._row(
                    pk, status, rng, corpus_, pairs, topics, now, age, counters, spread=with_events and years
                )
                if with_events:
                    events += self._events(row, rng, pairs, calendar, now)
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
                self._copy("qa_questionevent", event_columns, events)
            done += size
            self._say(f"  {done}/{count} rows")
        self._fill_search_terms(first_id, first_id + count)
        for (agency_id, year), value in counters.items():
            sequence, _created = ReferenceSequence.objects.get_or_create(agency_id=agency_id, year=year)
            if sequence.last_value < value:
                ReferenceSequence.objects.filter(pk=sequence.pk).update(last_value=value)

    @staticmethod
    def _fill_search_terms(first_id: int, end_id: int) -> None:
        """qa_search_terms and qa_search_pairs rows of the published questions just loaded, as the triggers of qa
        migrations 0007 and 0015 write them.

        The triggers do not fire in a superuser's bulk session (session_replication_role = replica); for another
        user they already did, and this rewrites the same rows.
        """
        sources = [
            ("qa_search_terms", "terms", "strip(search_vector)"),
            ("qa_search_pairs", "pairs", "qa_adjacent_pairs(search_vector)"),
        ]
        with connection.cursor() as cursor:
            for table, column, expression in sources:
                cursor.execute(
                    f"""
                    INSERT INTO {table} (question_id, published_at, {column})
                    SELECT id, published_at, {expression} FROM qa_question
                    WHERE id >= %s AND id < %s AND status = 'published' ORDER BY published_at, id
                    ON CONFLICT (question_id) DO UPDATE
                    SET published_at = EXCLUDED.published_at, {column} = EXCLUDED.{column}
                    """,  # noqa: S608 (fixed names)
                    [first_id, end_id],
                )

    @staticmethod
    def _pick(rng: random.Random, mix: list[tuple[str, float]], rest: str) -> str:
        """A value drawn with the shares of `mix` (`rest` gets what the shares leave)."""
        roll = rng.random()
        for value, share in mix:
            if roll < share:
                return value
            roll -= share
        return rest

    def _state(self, rng: random.Random) -> str:
        return self._pick(rng, STATE_MIX, S.PUBLISHED)

    def _row(self, pk, status, rng, corpus_, agencies, topics, now, age, counters, spread=0):
        """One question (+ its answer and contact) as column values. Hot path: lookups and arithmetic only.

        A published question is published `age` seconds before now (no two share a
        time), and its earlier steps are dated backwards from there. With `spread`
        (years), finished questions of other states are spread over as many years.
        """
        rand = rng.random
        agency, agency_folded = agencies[int(rand() * len(agencies))]
        topic, slug = topics[int(rand() * len(topics))]
        pools = corpus_.topics[slug]
        title = pools["titles"][int(rand() * len(pools["titles"]))]
        body = pools["bodies"][int(rand() * len(pools["bodies"]))]
        finished = status in (S.ANSWERED, S.PUBLISHED, S.REJECTED, S.WITHDRAWN)
        if status == S.PUBLISHED:
            published = now - MINUTE - datetime.timedelta(seconds=age)
            answered = published - datetime.timedelta(hours=1 + rand() * 71)
            accepted = answered - datetime.timedelta(hours=24 + rand() * 456)
            received = accepted - datetime.timedelta(hours=2 + rand() * 70)
            created = received - datetime.timedelta(minutes=1 + rand() * 600)
        else:
            span = ((spread * 365 if spread else 400) if finished else 60) * 86400
            created = now - datetime.timedelta(seconds=3600 + int(rand() * span))
        year = created.astimezone(LOCAL).year
        key = (agency.pk, year)
        counters[key] = number = counters.get(key, 0) + 1
        reference = f"{agency.code}-{year}-{number:06d}"
        if status != S.PUBLISHED:
            received = None if status == S.UNVERIFIED else created + datetime.timedelta(minutes=1 + int(rand() * 600))
            accepted = answered = published = None
            if status not in (S.UNVERIFIED, S.SUBMITTED, S.REJECTED, S.WITHDRAWN):
                accepted = received + datetime.timedelta(hours=2 + int(rand() * 70))
            if status == S.ANSWERED:
                answered = min(accepted + datetime.timedelta(hours=24 + int(rand() * 456)), now - HALF_HOUR)
        public = status == S.PUBLISHED
        row = {
            "id": pk,
            "reference": reference,
            "tracking_token": secrets.token_urlsafe(24),
            "agency_id": agency.pk,
            "topic_id": topic.pk,
            "status": status,
            "title": title.text,
            "body": body.text,
            "public_title": title.text if public else "",
            "public_body": body.text if public else "",
            "asker_type": "individual",
            "consent_to_publish": public or rand() < 0.7,
            "channel": self._channel(rng) if spread else "web",
            "language": "vi",
            "received_at": received,
            "transfer_due_date": (received.astimezone(LOCAL).date() + FIVE_DAYS) if received else None,
            "accepted_at": accepted,
            "due_date": (accepted.astimezone(LOCAL).date() + THREE_WEEKS) if accepted else None,
            "answered_at": answered,
            "published_at": published,
            "rejection_reason": "out_of_scope" if status == S.REJECTED else "",
            "rating_comment": "",
            "rating_satisfied": None,
            "rated_at": None,
            "assignee_id": None,
            "view_count": int(rand() * 5000) if public else 0,
            "helpful_yes": int(rand() * 60) if public else 0,
            "helpful_no": int(rand() * 10) if public else 0,
            "search_text": "",
            # fold(reference) == fold(code) + year + number: codes are the only part with letters or dashes.
            "staff_search_text": f"{agency_folded} {year} {number:06d} {title.folded} {body.folded}",
            "version": 1,
            "created_at": created,
            "updated_at": published or answered or accepted or received or created,
        }
        answer = None
        if status in WITH_ANSWER:
            opening = corpus_.openings[agency.pk][int(rand() * len(corpus.ANSWER_OPENINGS))]
            closing = corpus_.closings[agency.pk][int(rand() * len(corpus.ANSWER_CLOSINGS))]
            core = pools["answers"][int(rand() * len(pools["answers"]))]
            answer = {
                "question_id": pk,
                "body": f"<p>{opening.text}</p>{core.text}<p>{closing.text}</p>",
                "signed_by": agency.name,
                "version": 1,
                "sent_at": answered,
                "created_at": accepted or created,
                "updated_at": answered or accepted or created,
            }
            if public:
                row["search_text"] = f"{title.folded} {body.folded} {opening.folded} {core.folded} {closing.folded}"
        contact = {
            "question_id": pk,
            "name": corpus_.people[int(rand() * len(corpus_.people))],
            "email": f"nguoidan{pk}@example.vn",
            "phone": f"09{10_000_000 + int(rand() * 89_999_999)}",
            "address": corpus_.addresses[int(rand() * len(corpus_.addresses))],
            "organisation_name": "",
            "tax_code": "",
            "email_verified_at": received,
        }
        return row, answer, contact

    def _channel(self, rng: random.Random) -> str:
        return self._pick(rng, CHANNEL_MIX, "web")

    @staticmethod
    def _events(row: dict, rng: random.Random, agencies, calendar, now) -> list[dict]:
        """The audit events the workflow would have written for `row` (and the rating it sets on the row).

        Shapes as qa.workflow records them (the statistics replay reads action, created_at and data).
        """
        received, accepted, answered = row["received_at"], row["accepted_at"], row["answered_at"]
        status = row["status"]
        if received is None:
            return []
        pk = row["id"]
        events = []

        def add(action, moment, from_status, to_status, data=None):
            events.append(
                {
                    "question_id": pk,
                    "action": action,
                    "from_status": from_status,
                    "to_status": to_status,
                    "note": "",
                    "internal_note": "",
                    "data": json.dumps(data or {}),
                    "is_public": True,
                    "created_at": moment,
                }
            )

        local_received = received.astimezone(LOCAL).date()
        if row["channel"] == "web":
            add("submit", received, S.UNVERIFIED, S.SUBMITTED)
        else:
            add("register", received, "", S.SUBMITTED, {"received_on": local_received.isoformat()})
        if status == S.SUBMITTED:
            return events
        if status == S.REJECTED:
            row["rejection_reason"] = reason = REJECTION_MIX[int(rng.random() * len(REJECTION_MIX))]
            add(
                "reject",
                received + datetime.timedelta(hours=2 + rng.random() * 40),
                S.SUBMITTED,
                S.REJECTED,
                {"reason": reason},
            )
            return events
        if status == S.WITHDRAWN:
            add("withdraw", received + datetime.timedelta(hours=1 + rng.random() * 60), S.SUBMITTED, S.WITHDRAWN)
            return events
        if accepted is None:
            return events
        if rng.random() < TRANSFER_SHARE:
            source = agencies[int(rng.random() * len(agencies))][0]
            if source.pk != row["agency_id"]:
                moment = received + (accepted - received) / 2
                add(
                    "transfer",
                    moment,
                    S.SUBMITTED,
                    S.SUBMITTED,
                    {"from_agency_id": source.pk, "to_agency_id": row["agency_id"]},
                )
        add("accept", accepted, S.SUBMITTED, S.ACCEPTED, {"due_date": row["due_date"].isoformat()})
        if answered is None:
            return events
        if rng.random() < PAUSE_SHARE:
            paused = 1 + int(rng.random() * 5)
            asked = accepted + (answered - accepted) / 3
            row["due_date"] = deadlines.add_working_days(row["due_date"], paused, calendar)
            add("request_information", asked, S.ACCEPTED, S.INFORMATION_REQUESTED)
            add(
                "receive_information",
                asked + (answered - asked) / 2,  # the asker replies before the answer is sent
                S.INFORMATION_REQUESTED,
                S.ACCEPTED,
                {"paused_working_days": paused, "due_date": row["due_date"].isoformat()},
            )
        add("send", answered, S.APPROVED, S.ANSWERED)
        published = row["published_at"]
        if published is not None:
            add("publish", published, S.ANSWERED, S.PUBLISHED)
        if status in (S.ANSWERED, S.PUBLISHED) and rng.random() < RATED_SHARE:
            rated = min((published or answered) + datetime.timedelta(hours=1 + rng.random() * 100), now)
            row["rating_satisfied"] = satisfied = rng.random() < SATISFIED_SHARE
            row["rated_at"] = rated
            add("rate", rated, status, status, {"satisfied": satisfied})
        return events

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
        """COPY rows (dicts with the same keys) into `table`; columns they lack get the field's default or NULL."""
        if not rows:
            return
        # Generated columns (Question.deadline) are computed by the database and may not be written.
        fields = [f for f in fields if not f.generated]
        present = [f for f in fields if f.attname in rows[0]]
        absent = [f for f in fields if f.attname not in rows[0]]
        missing = [f.attname for f in absent if not f.null and not f.has_default()]
        if missing:
            raise CommandError(f"{table}: no value for {', '.join(missing)} (update generate_archive).")
        extra = tuple(f.get_default() if f.has_default() else None for f in absent)
        columns = ", ".join(f.column for f in [*present, *absent])
        getter = operator.itemgetter(*(f.attname for f in present))
        raw = connection.connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(getter(row) + extra)

    @contextlib.contextmanager
    def _bulk_session(self):
        """Settings for this connection only, while loading.

        No wait for the WAL flush at each chunk's commit (a crash loses at most the
        last chunks, never consistency), and, for a superuser, no foreign-key
        trigger per row: every id written here was read from the database or
        reserved from the sequence just before, so the checks could not fail.
        """
        with connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            superuser = bool(cursor.fetchone()[0])
            cursor.execute("SET synchronous_commit = off")
            if superuser:
                cursor.execute("SET session_replication_role = replica")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
                if superuser:
                    cursor.execute("RESET session_replication_role")

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
        self._say(f"  dropped {len(saved)} secondary indexes for the load")
        return saved

    def _recreate_indexes(self, saved: list[tuple[str, str]]) -> None:
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in saved:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
        self._say(f"  rebuilt {len(saved)} indexes in {time.monotonic() - started:.1f} s")

    def _vacuum(self) -> None:
        started = time.monotonic()
        with connection.cursor() as cursor:
            # The visibility map lets counts use index-only scans; without it autovacuum would do this mid-benchmark.
            # qa_search_terms too: the search walks it, and a vacuum sets its pages' hint bits once, not mid-walk.
            for table in ("qa_question", "qa_search_terms", "qa_search_pairs"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")
            for table in ("qa_answer", "qa_askercontact", "qa_questionevent"):
                cursor.execute(f"ANALYZE {table}")
        self._say(f"  vacuum and analyse: {time.monotonic() - started:.1f} s")

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
