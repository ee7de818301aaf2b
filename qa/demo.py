"""Demo data of the Q&A app: topics, and questions in every state of their life.

Run by `manage.py load_demo` after accounts' demo (agencies, staff, citizen).
Questions go through the real services (question_submit, question_confirm_email,
question_register, question_accept, answer_* , question_publish, ...), acted by
the demo staff of HP-STNMT and, elsewhere, by each agency's non-login officer,
so the data looks exactly like what the product makes. Afterwards the dates are
moved into the past (services stamp "now"), spread over the last six months.

Idempotent: each demo question has a fixed number; its reference ends in
900000 + number (a block the agencies' real sequences never reach), which is how
a rerun recognises it and leaves it alone. Content is in qa.demo_content.
"""

import datetime
import random
import re
from collections import Counter
from html import escape

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.models import Agency

from . import demo_content as content
from . import personal_data
from .deadlines import add_working_days, answer_due_date, is_working_day, transfer_due_date
from .models import (
    Answer,
    AnswerRevision,
    AskerContact,
    AskerType,
    Channel,
    Question,
    QuestionEvent,
    RejectionReason,
    Topic,
)
from .services import (
    answer_approve,
    answer_draft_save,
    answer_send,
    answer_submit_for_review,
    question_accept,
    question_confirm_email,
    question_publish,
    question_rate,
    question_register,
    question_reject,
    question_request_information,
    question_submit,
    question_withdraw,
)
from .services.submission import make_confirmation_token
from .text import fold

DEMO_NUMBER_BASE = 900000
REDACTED = "[đã ẩn]"
# Calendar overrides are ignored for demo dates: public holidays (the `holidays` package) are enough.
_NO_OVERRIDES: tuple[set, set] = (set(), set())
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")

# Questions still in the work: (working days ago the question arrived, {action: working days after arrival}).
IN_PROGRESS_TIMELINE: dict[int, tuple[int, dict[str, int]]] = {
    101: (0, {}),
    102: (1, {}),
    103: (2, {}),
    104: (4, {}),
    105: (5, {"accept": 1}),
    106: (24, {"accept": 1}),
    107: (8, {"accept": 1, "request_information": 2}),
    108: (10, {"accept": 1, "submit_for_review": 8}),
    109: (12, {"accept": 1, "submit_for_review": 8, "approve": 11}),
    110: (16, {"accept": 1, "submit_for_review": 8, "approve": 9, "send": 10}),
    111: (6, {"reject": 1}),
    112: (5, {"withdraw": 2}),
    113: (20, {"accept": 1, "submit_for_review": 9, "approve": 10, "send": 11}),
    114: (2, {}),
    115: (3, {}),
    116: (4, {"accept": 1}),
    117: (9, {"accept": 1, "submit_for_review": 6}),
}
# Which moves each state needs, in order (after the question arrives).
STATE_STEPS: dict[str, list[str]] = {
    "unverified": [],
    "submitted": [],
    "accepted": ["accept"],
    "accepted_overdue": ["accept"],
    "information_requested": ["accept", "request_information"],
    "in_review": ["accept", "submit_for_review"],
    "approved": ["accept", "submit_for_review", "approve"],
    "answered": ["accept", "submit_for_review", "approve", "send"],
    "rejected": ["reject"],
    "withdrawn": ["withdraw"],
}


def demo_reference(item: content.DemoQuestion, year: int) -> str:
    return f"{item.agency}-{year}-{DEMO_NUMBER_BASE + item.number:06d}"


def demo_questions():
    """Every demo question present in the database (the loader's marker: the reserved reference block)."""
    return Question.objects.filter(reference__regex=r"-9\d{5}$")


def find_demo_question(item: content.DemoQuestion) -> Question | None:
    """By its number alone (unique in the demo): the demo reorganisation gives a question that arrived after a
    change the successor's code (orgchanges.demo)."""
    return demo_questions().filter(reference__endswith=f"-{DEMO_NUMBER_BASE + item.number:06d}").first()


def paragraphs(text: str) -> list[str]:
    """The content's wrapped text blocks as paragraphs of single-spaced text."""
    return [" ".join(block.split()) for block in _PARAGRAPH_BREAK.split(text) if block.strip()]


def plain(text: str) -> str:
    return "\n\n".join(paragraphs(text))


def answer_html(text: str) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs(text))


def redacted(text: str, parts: tuple[str, ...]) -> str:
    for part in parts:
        text = text.replace(part, REDACTED)
    return text


def asker_email(item: content.DemoQuestion) -> str:
    return f"{fold(item.asker).replace(' ', '.')}.{item.number}@{accounts_demo.DEMO_EMAIL_DOMAIN}"


# --- Dates -----------------------------------------------------------------------------------


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 (spreads demo dates and counts; nothing secret)


def _moment(day: datetime.date, rng: random.Random, hours: tuple[int, int]) -> datetime.datetime:
    naive = datetime.datetime.combine(day, datetime.time(rng.randint(*hours), rng.randint(0, 59)))
    return timezone.make_aware(naive)


def _working_days_before(day: datetime.date, count: int) -> datetime.date:
    while count > 0 or not is_working_day(day, _NO_OVERRIDES):
        day -= datetime.timedelta(days=1)
        if is_working_day(day, _NO_OVERRIDES):
            count -= 1
    return day


def _after(day: datetime.date, working_days: int) -> datetime.date:
    return add_working_days(day, working_days, _NO_OVERRIDES)


def published_timeline(item: content.DemoQuestion, position: int, total: int, review: bool) -> dict[str, object]:
    """Arrival and each staff move of a published question; `position` spreads arrivals over ~6 months."""
    rng = _rng(item.number)
    today = timezone.localdate()
    received_day = today - datetime.timedelta(days=20 + int(position * 170 / total) + rng.randint(0, 2))
    times: dict[str, object] = {"received": _moment(received_day, rng, (6, 22))}
    accept_day = _after(received_day, rng.randint(1, 2))
    times["accept"] = _moment(accept_day, rng, (8, 10))
    draft_day = _after(accept_day, rng.randint(2, 8))
    times["draft"] = _moment(draft_day, rng, (8, 11))
    if review:
        times["submit_for_review"] = _moment(draft_day, rng, (14, 16))
        approve_day = _after(draft_day, 1)
        times["approve"] = _moment(approve_day, rng, (8, 10))
        times["send"] = times["approve"] + datetime.timedelta(minutes=rng.randint(20, 90))
    else:
        times["send"] = _moment(draft_day, rng, (14, 16))
    send_day = timezone.localdate(times["send"])
    times["publish"] = _moment(_after(send_day, rng.randint(1, 3)), rng, (9, 16))
    # The asker rates the answer between receiving it and its publication.
    times["rate"] = times["send"] + (times["publish"] - times["send"]) * rng.uniform(0.2, 0.8)
    # Long holidays (Tết) can stretch the chain: keep the whole story at least two days in the past.
    overshoot = max(times["publish"], times["rate"]) - (timezone.now() - datetime.timedelta(days=2))
    if overshoot > datetime.timedelta(0):
        times = {key: when - overshoot - datetime.timedelta(days=1) for key, when in times.items()}
    return times


def in_progress_timeline(item: content.DemoQuestion) -> dict[str, object]:
    rng = _rng(item.number)
    now = timezone.now()
    ago, offsets = IN_PROGRESS_TIMELINE[item.number]
    if item.state == "unverified":
        return {"received": now - datetime.timedelta(hours=3, minutes=rng.randint(0, 50))}
    received_day = _working_days_before(timezone.localdate(now), ago)
    times: dict[str, object] = {"received": min(_moment(received_day, rng, (7, 20)), now)}
    for action, after in offsets.items():
        hours = (6, 22) if action == "withdraw" else (8, 16)
        times[action] = _moment(_after(received_day, after), rng, hours)
    if "submit_for_review" in times:
        times["draft"] = times["submit_for_review"] - datetime.timedelta(hours=2)
    return times


# --- Loading -----------------------------------------------------------------------------------


class _Actors:
    """Who makes each move: the HP-STNMT demo staff there, the agency's officer elsewhere."""

    def __init__(self) -> None:
        self.moderator = accounts_demo.account("moderator")
        self.answerer = accounts_demo.account("answerer")
        self.reviewer = accounts_demo.account("reviewer")
        self._officers: dict[str, object] = {}

    def for_agency(self, code: str):
        if code == accounts_demo.DEMO_AGENCY_CODE:
            return self.moderator, self.answerer, self.reviewer
        if code not in self._officers:
            self._officers[code] = accounts_demo.officer(code)
        officer = self._officers[code]
        return officer, officer, officer


def _load_topics() -> dict[str, Topic]:
    topics = {}
    for position, (slug, name, description) in enumerate(content.TOPICS, start=1):
        topics[slug], _created = Topic.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
    return topics


def _arrive(item, *, agency: Agency, topic: Topic, moderator, citizen, received: datetime.datetime) -> Question:
    """The question comes in: typed in by an official (phone, paper), or asked on the web and confirmed."""
    common = {
        "agency": agency,
        "topic": topic,
        "title": item.title,
        "body": plain(item.body),
        "asker_type": AskerType.ORGANISATION if item.organisation else AskerType.INDIVIDUAL,
        "name": item.asker,
        "organisation_name": item.organisation[0] if item.organisation else "",
        "tax_code": item.organisation[1] if item.organisation else "",
        "consent_to_publish": item.consent,
    }
    if item.channel != Channel.WEB:
        return question_register(
            actor=moderator,
            channel=item.channel,
            phone=f"09{item.number:08d}",
            received_on=timezone.localdate(received),
            **common,
        )
    if item.mine:
        return question_submit(email=citizen.email, user=citizen, **common)
    phone = f"09{item.number:08d}" if item.number % 3 else ""
    question = question_submit(email=asker_email(item), phone=phone, **common)
    # The reference is fixed before anything else is written about the question.
    question.reference = demo_reference(item, timezone.localdate(received).year)
    Question.objects.filter(pk=question.pk).update(reference=question.reference)
    if item.state != "unverified":
        question = question_confirm_email(token=make_confirmation_token(question))
    return question


def _run_steps(item, question: Question, steps: list[str], actors: tuple, answer_text: str) -> Question:
    moderator, answerer, reviewer = actors
    for step in steps:
        if step == "accept":
            question = question_accept(actor=moderator, question=question, assignee=answerer)
        elif step == "request_information":
            question = question_request_information(actor=answerer, question=question, message=plain(item.note))
        elif step == "submit_for_review":
            answer_draft_save(actor=answerer, question=question, body=answer_html(answer_text), expected_version=None)
            question = answer_submit_for_review(actor=answerer, question=question)
        elif step == "approve":
            question = answer_approve(actor=reviewer, question=question)
        elif step == "send":
            if question.status == "accepted":  # no review at this agency: the answer is drafted now
                answer_draft_save(
                    actor=answerer, question=question, body=answer_html(answer_text), expected_version=None
                )
            question = answer_send(actor=moderator, question=question)
        elif step == "reject":
            question = question_reject(
                actor=moderator, question=question, reason=RejectionReason.OUT_OF_SCOPE, message=plain(item.note)
            )
        elif step == "withdraw":
            question = question_withdraw(question=question, token=question.tracking_token, reason=plain(item.note))
        else:  # pragma: no cover - a typo in the tables above
            raise ValueError(step)
    return question


def _backdate(question: Question, times: dict, *, agency: Agency, extra: dict) -> None:
    """Move every stamp the services wrote ("now") to the planned moments in the past."""
    received = times["received"]
    fields: dict[str, object] = {"created_at": received, **extra}
    if question.received_at is not None:
        fields["received_at"] = received
        fields["transfer_due_date"] = transfer_due_date(timezone.localdate(received))
    if "accept" in times and question.accepted_at is not None:
        fields["accepted_at"] = times["accept"]
        fields["due_date"] = answer_due_date(timezone.localdate(times["accept"]), agency.answer_deadline_days)
    if "request_information" in times and question.paused_at is not None:
        fields["paused_at"] = times["request_information"]
    if question.answered_at is not None:
        fields["answered_at"] = times["send"]
    if question.published_at is not None:
        fields["published_at"] = times["publish"]
    if question.rated_at is not None:
        fields["rated_at"] = times["rate"]
    last = max(t for t in times.values() if isinstance(t, datetime.datetime))
    Question.objects.filter(pk=question.pk).update(updated_at=last, **fields)
    AskerContact.objects.filter(question=question, email_verified_at__isnull=False).update(email_verified_at=received)
    events = list(QuestionEvent.objects.filter(question=question))
    for event in events:
        event.created_at = received if event.action in ("submit", "register") else times.get(event.action, received)
        if event.action == "accept" and "due_date" in fields:
            event.data = {**event.data, "due_date": fields["due_date"].isoformat()}
    QuestionEvent.objects.bulk_update(events, ["created_at", "data"])
    if "draft" in times:
        answer_fields = {"created_at": times["draft"], "updated_at": times.get("send", times["draft"])}
        if question.answered_at is not None:
            answer_fields["sent_at"] = times["send"]
        Answer.objects.filter(question=question).update(**answer_fields)
        AnswerRevision.objects.filter(answer__question=question).update(created_at=times["draft"])


def _create(item, *, agencies, topics, actors: _Actors, citizen, times: dict, steps: list[str]) -> Question:
    agency = agencies[item.agency]
    staff = actors.for_agency(item.agency)
    question = _arrive(
        item, agency=agency, topic=topics[item.topic], moderator=staff[0], citizen=citizen, received=times["received"]
    )
    reference = demo_reference(item, timezone.localdate(times["received"]).year)
    if question.reference != reference:
        question.reference = reference
        Question.objects.filter(pk=question.pk).update(reference=reference)
    question = _run_steps(item, question, steps, staff, item.answer)
    extra: dict[str, object] = {}
    if item.state == "published":
        if "rate" in times:
            satisfied = item.number % 4 != 3
            question = question_rate(question=question, satisfied=satisfied, token=question.tracking_token)
        question = question_publish(
            actor=staff[0],
            question=question,
            public_title=item.title,
            # What the moderator marked, then whatever the detector still finds (a phone left in the text).
            public_body=personal_data.redact(redacted(plain(item.body), item.redact)),
        )
        rng = _rng(-item.number)
        age = (timezone.localdate() - timezone.localdate(times["publish"])).days
        views = int(rng.uniform(80, 300) + age * rng.uniform(4, 15))
        extra = {
            "view_count": views,
            "helpful_yes": int(views * rng.uniform(0.01, 0.05)),
            "helpful_no": int(views * rng.uniform(0.0, 0.008)),
        }
    question.refresh_from_db()
    _backdate(question, times, agency=agency, extra=extra)
    return question


def load(stdout) -> None:
    topics = _load_topics()
    agencies = {a.code: a for a in Agency.objects.all()}
    actors = _Actors()
    citizen = accounts_demo.account("citizen")
    created: Counter[str] = Counter()
    order = list(range(len(content.PUBLISHED)))
    _rng(2026).shuffle(order)
    for position, item in zip(order, content.PUBLISHED, strict=True):
        if find_demo_question(item) is not None:
            continue
        agency = agencies[item.agency]
        times = published_timeline(item, position, len(content.PUBLISHED), agency.review_required)
        if item.channel != Channel.WEB or item.number % 3 != 1:
            times.pop("rate")
        steps = ["accept", *(["submit_for_review", "approve"] if agency.review_required else []), "send"]
        with transaction.atomic():
            _create(item, agencies=agencies, topics=topics, actors=actors, citizen=citizen, times=times, steps=steps)
        created["published"] += 1
    for item in content.IN_PROGRESS:
        if find_demo_question(item) is not None:
            continue
        state = item.state
        steps = list(STATE_STEPS[state])
        if state == "answered" and not agencies[item.agency].review_required:
            steps = ["accept", "send"]
        with transaction.atomic():
            _create(
                item,
                agencies=agencies,
                topics=topics,
                actors=actors,
                citizen=citizen,
                times=in_progress_timeline(item),
                steps=steps,
            )
        created[state.removesuffix("_overdue")] += 1
    summary = ", ".join(f"{count} {state}" for state, count in sorted(created.items())) or "nothing new"
    stdout.write(f"qa: {len(topics)} topics; questions created: {summary}.")
    example = next(i for i in content.IN_PROGRESS if i.state == "information_requested")
    question = find_demo_question(example)
    if question is not None:
        stdout.write(
            "qa: a guest's tracking page (the agency asked for more information; reply as the asker): "
            f"{settings.SITE_URL}{question.tracking_path()}"
        )
