"""Generated questions with known timelines, played through the real qa services at known moments.

`build_world(seed)` plans questions across a few agencies, topics and channels over five weeks
around Tết 2027 (a CalendarDay day off and a make-up Saturday too): receipt at odd hours (just
after midnight and just before midnight, Vietnam time), transfers before and after acceptance,
paused clocks, answers, rejections by reason, withdrawals, publication, unpublication and ratings,
plus live sessions whose questions are answered live or forwarded. It then plays every step in
time order through qa.services (the events carry exactly what production writes), calling
`on_tick` between steps so a test can run the periodic refresh mid-way. The plan itself is the
known truth the tests count by brute force.
"""

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import holidays
import time_machine

from accounts.models import Membership
from dialogues.models import DialogueSession, LiveQuestion, SessionStatus
from qa import services
from qa.models import CalendarDay, Channel
from qa.services.submission import make_confirmation_token
from tests.factories import AgencyFactory, MembershipFactory, TopicFactory, UserFactory

VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = datetime.date
START = D(2027, 1, 18)
DAY_OFF = D(2027, 1, 29)  # an extra day off (Friday)
MAKE_UP = D(2027, 2, 20)  # a Saturday made a working day


def brute_working_day(day: datetime.date) -> bool:
    if day == MAKE_UP:
        return True
    if day == DAY_OFF or day in holidays.country_holidays("VN", years=day.year):
        return False
    return day.weekday() < 5


def brute_between(start: datetime.date, end: datetime.date) -> int:
    return sum(1 for n in range(1, (end - start).days + 1) if brute_working_day(start + datetime.timedelta(days=n)))


def brute_add(start: datetime.date, days: int) -> datetime.date:
    current = start
    while days > 0:
        current += datetime.timedelta(days=1)
        days -= brute_working_day(current)
    return current


@dataclass
class Plan:
    """One question's known life: (local moment, action, extra) steps, and the facts they imply."""

    key: int
    channel: str
    agency: int  # index into world.agencies: the agency that first receives it
    topic: int
    steps: list[tuple[datetime.datetime, str, dict]] = field(default_factory=list)


@dataclass
class World:
    agencies: list
    topics: list
    moderator: object
    plans: list[Plan]
    live: list[dict]  # {"agency": index, "created": dt, "answered": dt | None, "forwarded": dt | None}
    sessions: list[dict]  # {"agency": index, "started": dt}
    questions: dict = field(default_factory=dict)  # plan key → Question


def _moment(day: datetime.date, rng: random.Random) -> datetime.datetime:
    hour, minute = rng.choice([(0, 20), (8, 5), (10, 30), (15, 0), (23, 40)])
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=VN)


def plan_world(seed: int, n: int = 36) -> tuple[list[Plan], list[dict], list[dict]]:
    rng = random.Random(seed)
    plans = []
    channels = [Channel.WEB, Channel.PHONE, Channel.PAPER, Channel.EMAIL, Channel.DIALOGUE, Channel.API]
    for key in range(n):
        plan = Plan(key, channels[key % len(channels)], rng.randrange(3), rng.randrange(2))
        day = START + datetime.timedelta(days=rng.randrange(21))
        backdate = plan.channel in (Channel.PHONE, Channel.PAPER) and rng.random() < 0.5
        plan.steps.append((_moment(day, rng), "receive", {"backdate": backdate}))
        agency = plan.agency

        def later(max_days: int = 6, plan: Plan = plan) -> datetime.datetime:
            """A moment after the previous step (same day or up to max_days later)."""
            nonlocal day
            day = day + datetime.timedelta(days=rng.randrange(0, max_days + 1))
            moment = max(_moment(day, rng), plan.steps[-1][0] + datetime.timedelta(minutes=7))
            day = moment.date()
            return moment

        fate = rng.random()
        if fate < 0.15:
            plan.steps.append((later(), "transfer", {"to": (agency + 1) % 3}))
            agency = (agency + 1) % 3
        if fate > 0.88:
            plan.steps.append((later(), "reject", {"reason": rng.choice(["spam", "out_of_scope", "incomplete"])}))
            plans.append(plan)
            continue
        if fate > 0.78:
            plan.steps.append((later(), "withdraw", {}))
            plans.append(plan)
            continue
        plan.steps.append((later(), "accept", {}))
        if rng.random() < 0.2:
            plan.steps.append((later(), "transfer", {"to": (agency + 1) % 3}))
            agency = (agency + 1) % 3
            plan.steps.append((later(), "accept", {}))
        if rng.random() < 0.3:
            plan.steps.append((later(), "request_information", {}))
            plan.steps.append((later(12), "receive_information", {}))
        if rng.random() < 0.12:
            plan.steps.append((later(), "reject", {"reason": "abusive"}))
            plans.append(plan)
            continue
        if rng.random() < 0.15:
            plans.append(plan)  # still open
            continue
        plan.steps.append((later(25), "send", {}))
        if rng.random() < 0.6:
            plan.steps.append((later(), "publish", {}))
            if rng.random() < 0.2:
                plan.steps.append((later(), "unpublish", {}))
        if rng.random() < 0.6:
            plan.steps.append((later(), "rate", {"satisfied": rng.random() < 0.7}))
        plans.append(plan)
    sessions, live = [], []
    for index in range(3):
        day = START + datetime.timedelta(days=3 + 7 * index)
        started = datetime.datetime(day.year, day.month, day.day, 20, 0, tzinfo=VN)
        sessions.append({"agency": index % 3, "started": started})
        for q in range(4):
            created = started - datetime.timedelta(hours=21 - q)  # some the day before
            answered = started + datetime.timedelta(hours=3, minutes=50 + q) if q % 2 == 0 else None
            forwarded = started + datetime.timedelta(days=1) if q == 1 else None
            live.append(
                {
                    "agency": index % 3,
                    "session": index,
                    "created": created,
                    "answered": answered,
                    "forwarded": forwarded,
                }
            )
    return plans, sessions, live


def build_world(seed: int = 7, n: int = 36, on_tick: Callable[[datetime.datetime], None] | None = None) -> World:
    agencies = [AgencyFactory(answer_deadline_days=d) for d in (5, 10, 15)]
    topics = [TopicFactory(), TopicFactory()]
    moderator = UserFactory()
    for agency in agencies:
        MembershipFactory(user=moderator, agency=agency, role=Membership.Role.MODERATOR)
    CalendarDay.objects.create(date=DAY_OFF, kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ bù")
    CalendarDay.objects.create(date=MAKE_UP, kind=CalendarDay.Kind.WORKING_DAY, name="Làm bù")
    plans, sessions, live = plan_world(seed, n)
    world = World(agencies, topics, moderator, plans, live, sessions)
    _play_live(world)  # stamped with their own moments, as the live console would have
    steps = sorted(
        ((moment, plan.key, index) for plan in plans for index, (moment, _, _) in enumerate(plan.steps)),
    )
    last_tick_day = None
    for moment, key, index in steps:
        if on_tick and last_tick_day not in (None, moment.date()):
            on_tick(moment)
        last_tick_day = moment.date()
        plan = next(p for p in plans if p.key == key)
        with time_machine.travel(moment, tick=False):
            _play(world, plan, *plan.steps[index][1:])
    return world


def _play(world: World, plan: Plan, action: str, extra: dict) -> None:
    mod = world.moderator
    q = world.questions.get(plan.key)
    if q is not None:
        q.refresh_from_db()
    if action == "receive":
        agency, topic = world.agencies[plan.agency], world.topics[plan.topic]
        text = {"title": f"Hỏi về thủ tục đất đai số {plan.key}", "body": "Xin hỏi thủ tục cấp sổ đỏ như thế nào?"}
        if plan.channel in (Channel.WEB, Channel.DIALOGUE, Channel.API):
            q = services.question_submit(
                agency=agency,
                topic=topic,
                asker_type="individual",
                name="Phạm Thị Riêng Tư",
                email=f"asker{plan.key}@example.vn",
                consent_to_publish=True,
                channel=plan.channel,
                **text,
            )
            q = services.question_confirm_email(token=make_confirmation_token(q))
        else:
            received_on = None
            if extra["backdate"]:
                received_on = plan.steps[0][0].date() - datetime.timedelta(days=1)
                plan.steps[0] = (plan.steps[0][0], "receive", {**extra, "received_on": received_on})
            q = services.question_register(
                actor=mod,
                agency=agency,
                topic=topic,
                channel=plan.channel,
                asker_type="individual",
                name="Phạm Thị Riêng Tư",
                phone="0912345678",
                email=f"reg{plan.key}@example.vn",
                consent_to_publish=True,
                received_on=received_on,
                **text,
            )
        world.questions[plan.key] = q
    elif action == "accept":
        services.question_accept(actor=mod, question=q)
    elif action == "transfer":
        services.question_transfer(
            actor=mod, question=q, to_agency=world.agencies[extra["to"]], reason="Sai thẩm quyền"
        )
    elif action == "request_information":
        services.question_request_information(actor=mod, question=q, message="Xin gửi thêm giấy tờ.")
    elif action == "receive_information":
        services.question_receive_information(question=q, token=q.tracking_token, body="Tôi gửi bổ sung.")
    elif action == "send":
        services.answer_draft_save(actor=mod, question=q, body="<p>Trả lời: hồ sơ gồm đơn.</p>", expected_version=None)
        services.answer_send(actor=mod, question=q)
    elif action == "publish":
        services.question_publish(actor=mod, question=q, public_title=q.title, public_body=q.body)
    elif action == "unpublish":
        services.question_unpublish(actor=mod, question=q, reason="Có thông tin cá nhân")
    elif action == "reject":
        services.question_reject(actor=mod, question=q, reason=extra["reason"], message="Không thuộc phạm vi.")
    elif action == "withdraw":
        services.question_withdraw(question=q, token=q.tracking_token)
    elif action == "rate":
        services.question_rate(question=q, satisfied=extra["satisfied"], token=q.tracking_token)
    else:  # pragma: no cover - a typo in the plan
        raise AssertionError(action)


def _play_live(world: World) -> None:
    sessions = []
    for entry in world.sessions:
        start = entry["started"]
        sessions.append(
            DialogueSession.objects.create(
                agency=world.agencies[entry["agency"]],
                title="Đối thoại trực tuyến",
                scheduled_start=start,
                scheduled_end=start + datetime.timedelta(hours=2),
                status=SessionStatus.ENDED,
                started_at=start,
                ended_at=start + datetime.timedelta(hours=4),
            )
        )
    for entry in world.live:
        LiveQuestion.objects.create(
            session=sessions[entry["session"]],
            text="Câu hỏi trực tiếp",
            public_text="Câu hỏi trực tiếp",
            status="answered" if entry["answered"] else "approved",
            created_at=entry["created"],
            answered_at=entry["answered"],
            forwarded_at=entry["forwarded"],
        )


def brute_force(world: World) -> tuple[dict, dict, dict]:
    """From the plans alone: {(day, agency index, topic index, channel): {counter: n}}, the durations
    {(day, agency index): sorted list of working days}, and the live figures {(day, agency index): {...}}."""
    counts: dict = {}
    durations: dict = {}

    def bump(day, agency, plan, counter, n=1):
        if not n:
            return
        key = (day, agency, plan.topic, plan.channel)
        counts.setdefault(key, {}).setdefault(counter, 0)
        counts[key][counter] += n

    for plan in world.plans:
        agency = plan.agency
        received = due = None
        paused = 0
        pause_start = None
        for moment, action, extra in plan.steps:
            day = moment.date()
            if action == "receive":
                received = extra.get("received_on") or day
                bump(received, agency, plan, "received")
            elif action == "accept":
                due = brute_add(day, (5, 10, 15)[agency])
                bump(day, agency, plan, "accepted")
            elif action == "transfer":
                bump(day, agency, plan, "transferred_out")
                agency = extra["to"]
                bump(day, agency, plan, "transferred_in")
                due = None
            elif action == "request_information":
                pause_start = day
            elif action == "receive_information":
                waited = brute_between(pause_start, day)
                paused += waited
                due = brute_add(due, waited)
            elif action == "send":
                bump(day, agency, plan, "answered")
                taken = max(0, brute_between(received, day) - paused)
                bump(day, agency, plan, "working_days_sum", taken)
                durations.setdefault((day, agency), []).append(taken)
                if day <= due:
                    bump(day, agency, plan, "answered_on_time")
            elif action == "reject":
                bump(day, agency, plan, f"rejected_{extra['reason']}")
            elif action == "withdraw":
                bump(day, agency, plan, "withdrawn")
            elif action in ("publish", "unpublish"):
                bump(day, agency, plan, action + "ed")
            elif action == "rate":
                bump(day, agency, plan, "ratings")
                if extra["satisfied"]:
                    bump(day, agency, plan, "ratings_satisfied")
    live: dict = {}
    for entry in world.sessions:
        live.setdefault((entry["started"].date(), entry["agency"]), {}).setdefault("sessions_held", 0)
        live[(entry["started"].date(), entry["agency"])]["sessions_held"] += 1
    for entry in world.live:
        for counter, moment in (
            ("live_received", entry["created"]),
            ("live_answered", entry["answered"]),
            ("live_forwarded", entry["forwarded"]),
        ):
            if moment is not None:
                slot = live.setdefault((moment.date(), entry["agency"]), {})
                slot[counter] = slot.get(counter, 0) + 1
    return counts, {k: sorted(v) for k, v in durations.items()}, live
