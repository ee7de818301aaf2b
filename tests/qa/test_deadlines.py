"""Working-day clocks: Tết and other public holidays, admin overrides, the answer clock paused while waiting."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from qa import deadlines, periodic, services
from qa.models import CalendarDay, QuestionEvent
from qa.models import QuestionStatus as S
from tests.factories import AgencyFactory
from tests.qa.staff_fixtures import moderator, question_in, sent

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

VN = ZoneInfo("Asia/Ho_Chi_Minh")
D = datetime.date


def at(day: datetime.date, hour: int = 9):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, hour, tzinfo=VN), tick=False)


def test_tet_2027_is_skipped():
    # Tết Đinh Mùi: 4–10 February 2027 are public holidays (with the weekend inside).
    assert [deadlines.is_working_day(D(2027, 2, d)) for d in range(3, 12)] == [
        True,  # Wed 3
        False,  # Thu 4, 29 Tết
        False,  # Fri 5, New Year's Eve
        False,
        False,
        False,
        False,
        False,  # Wed 10
        True,  # Thu 11
    ]
    # Accepted the day before Tết, 15 working days: 11–12, 15–19, 22–26 Feb, 1–3 Mar.
    assert deadlines.add_working_days(D(2027, 2, 3), 15) == D(2027, 3, 3)
    # A question received then must be transferred within 5 working days: 11, 12, 15, 16, 17 Feb.
    assert deadlines.transfer_due_date(D(2027, 2, 3)) == D(2027, 2, 17)
    assert deadlines.working_days_between(D(2027, 2, 3), D(2027, 2, 12)) == 2


def test_other_public_holidays_and_weekends():
    # 30 April and 1 May 2026 (Thu, Fri), then the weekend: Wednesday 29 + 1 working day is Monday 4 May.
    assert deadlines.add_working_days(D(2026, 4, 29), 1) == D(2026, 5, 4)
    # National Day 2026: 1–2 September (Tue, Wed) and the 31 August substitute day.
    assert deadlines.add_working_days(D(2026, 8, 28), 1) == D(2026, 9, 3)


def test_calendar_day_overrides_move_the_deadline():
    start = D(2027, 2, 3)
    CalendarDay.objects.create(date=D(2027, 2, 11), kind=CalendarDay.Kind.DAY_OFF, name="Nghỉ bù")
    assert deadlines.add_working_days(start, 1) == D(2027, 2, 12)
    # A Saturday made a working day (làm bù) counts.
    CalendarDay.objects.create(date=D(2027, 2, 13), kind=CalendarDay.Kind.WORKING_DAY, name="Làm bù")
    assert deadlines.add_working_days(start, 2) == D(2027, 2, 13)
    assert deadlines.add_working_days(start, 15) == D(2027, 3, 3)  # one lost, one gained


def test_accept_sets_the_due_date_in_working_days():
    agency = AgencyFactory(answer_deadline_days=15)
    question = question_in(S.SUBMITTED, agency)
    with at(D(2027, 2, 3)):
        accepted = services.question_accept(actor=moderator(agency), question=question)
    assert accepted.due_date == D(2027, 3, 3)
    assert accepted.accepted_at.astimezone(VN).date() == D(2027, 2, 3)
    agency.answer_deadline_days = 5
    agency.save()
    other = question_in(S.SUBMITTED, agency)
    with at(D(2027, 2, 3)):
        assert services.question_accept(actor=moderator(agency), question=other).due_date == D(2027, 2, 17)


def test_transfer_starts_the_five_day_clock_in_the_new_agency():
    source, target = AgencyFactory(), AgencyFactory()
    question = question_in(S.SUBMITTED, source)
    with at(D(2027, 2, 3)):
        moved = services.question_transfer(actor=moderator(source), question=question, to_agency=target, reason="x")
    assert moved.transfer_due_date == D(2027, 2, 17)


def test_the_answer_clock_pauses_while_waiting_for_the_asker(django_capture_on_commit_callbacks):
    agency = AgencyFactory(answer_deadline_days=15)
    mod = moderator(agency)
    question = question_in(S.SUBMITTED, agency)
    with at(D(2027, 1, 25)):  # Monday
        question = services.question_accept(actor=mod, question=question)
    assert question.due_date == D(2027, 2, 22)  # 15 working days, Tết inside
    with at(D(2027, 2, 1)):  # Monday: ask the asker
        question = services.question_request_information(actor=mod, question=question, message="Gửi sổ đỏ.")
    assert question.paused_at is not None
    assert deadlines.DeadlineClock.for_today(D(2027, 3, 1)).state(question) == deadlines.PAUSED
    with at(
        D(
            2027,
            2,
            12,
        ),
        hour=15,
    ):  # Friday after Tết: the asker replies
        services.question_receive_information(
            question=question, token=question.tracking_token, body="Tôi gửi bản chụp sổ đỏ."
        )
    question.refresh_from_db()
    # Paused working days: 2, 3, 11, 12 February = 4, so 22 Feb + 4 working days.
    assert question.status == S.ACCEPTED and question.paused_at is None
    assert question.due_date == D(2027, 2, 26)
    event = QuestionEvent.objects.get(question=question, action="receive_information")
    assert event.data["paused_working_days"] == 4 and event.data["due_date"] == "2027-02-26"


def test_extend_for_pause_counts_working_days_only():
    paused = datetime.datetime(2027, 2, 1, 10, tzinfo=VN)
    resumed = datetime.datetime(2027, 2, 12, 10, tzinfo=VN)
    assert deadlines.extend_for_pause(D(2027, 3, 3), paused, resumed) == (D(2027, 3, 9), 4)
    assert deadlines.extend_for_pause(None, paused, resumed) == (None, 0)
    same_day = datetime.datetime(2027, 2, 1, 16, tzinfo=VN)
    assert deadlines.extend_for_pause(D(2027, 3, 3), paused, same_day) == (D(2027, 3, 3), 0)


def test_deadline_states_for_panel_and_tracking_page():
    clock = deadlines.DeadlineClock.for_today(D(2027, 3, 1))  # Monday
    assert (clock.soon_limit, clock.next_working_day) == (D(2027, 3, 3), D(2027, 3, 2))
    agency = AgencyFactory()
    cases = [
        (question_in(S.ACCEPTED, agency, due_date=D(2027, 2, 26)), deadlines.OVERDUE),
        (question_in(S.ACCEPTED, agency, due_date=D(2027, 3, 1)), deadlines.DUE_SOON),
        (question_in(S.IN_REVIEW, agency, due_date=D(2027, 3, 3)), deadlines.DUE_SOON),
        (question_in(S.APPROVED, agency, due_date=D(2027, 3, 4)), deadlines.ON_TIME),
        (question_in(S.SUBMITTED, agency, transfer_due_date=D(2027, 2, 28)), deadlines.OVERDUE),
        (question_in(S.INFORMATION_REQUESTED, agency, due_date=D(2027, 2, 1)), deadlines.PAUSED),
        (question_in(S.ANSWERED, agency, due_date=D(2027, 2, 1)), None),
        (question_in(S.REJECTED, agency), None),
    ]
    assert [clock.state(q) for q, _ in cases] == [state for _, state in cases]
    assert deadlines.deadline_state(cases[0][0], D(2027, 3, 1)) == deadlines.OVERDUE


def test_due_tomorrow_and_overdue_selectors_per_agency():
    first, second = AgencyFactory(), AgencyFactory()
    friday = D(2027, 3, 5)
    due_monday = question_in(S.ACCEPTED, first, due_date=D(2027, 3, 8))
    transfer_monday = question_in(S.SUBMITTED, second, transfer_due_date=D(2027, 3, 8))
    overdue = question_in(S.IN_REVIEW, first, due_date=D(2027, 3, 4))
    question_in(S.ACCEPTED, first, due_date=D(2027, 3, 9))  # Tuesday: not yet
    question_in(S.INFORMATION_REQUESTED, first, due_date=D(2027, 3, 1))  # paused: never overdue
    question_in(S.ANSWERED, first, due_date=D(2027, 3, 1))  # done
    assert {q.pk for q in periodic.questions_due_tomorrow(today=friday)} == {due_monday.pk, transfer_monday.pk}
    assert [q.pk for q in periodic.questions_overdue(today=friday)] == [overdue.pk]
    grouped = periodic.deadlines_by_agency(today=friday)
    assert [q.pk for q in grouped[first.pk].due_tomorrow] == [due_monday.pk]
    assert [q.pk for q in grouped[first.pk].overdue] == [overdue.pk]
    assert [q.pk for q in grouped[second.pk].due_tomorrow] == [transfer_monday.pk]


def test_rating_requests_go_once(django_capture_on_commit_callbacks):
    from django.core import mail

    with at(D(2027, 3, 1)):
        answered = question_in(S.ANSWERED)
    with at(D(2027, 3, 4)):
        question_in(S.ANSWERED)  # answered yesterday: too early to ask
    later = datetime.datetime(2027, 3, 5, 9, tzinfo=VN)
    with at(D(2027, 3, 5)), django_capture_on_commit_callbacks(execute=True):
        assert periodic.rating_requests_send(now=later) == 1
        assert periodic.rating_requests_send(now=later) == 0
    assert sent(mail.outbox) == [("qa.rate_answer", answered.contact.email)]
