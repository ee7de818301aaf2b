"""Beat jobs: deadline reminders (due tomorrow, overdue) with a frozen clock, and the schedule itself."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from accounts.models import Membership
from config.celery import app as celery_app
from notifications.models import Channel, Notification
from qa import tasks as qa_tasks
from qa.models import QuestionStatus
from tests.factories import AgencyFactory, MembershipFactory, QuestionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

HCM = ZoneInfo("Asia/Ho_Chi_Minh")
TUESDAY = datetime.datetime(2026, 3, 10, 7, 30, tzinfo=HCM)
FRIDAY = datetime.datetime(2026, 3, 13, 7, 30, tzinfo=HCM)
SATURDAY = datetime.datetime(2026, 3, 14, 7, 30, tzinfo=HCM)
D = datetime.date


@pytest.fixture
def office():
    agency = AgencyFactory()
    moderator = MembershipFactory(agency=agency, role=Membership.Role.MODERATOR, user=UserFactory(language="vi")).user
    admin = MembershipFactory(agency=agency, role=Membership.Role.ADMIN, user=UserFactory(language="en")).user
    answerer = MembershipFactory(agency=agency, role=Membership.Role.ANSWERER, user=UserFactory(language="en")).user
    MembershipFactory(agency=agency, role=Membership.Role.REVIEWER)  # reviewers are not reminded
    return {"agency": agency, "moderator": moderator, "admin": admin, "answerer": answerer}


def _q(office, status, *, due=None, transfer_due=None, assignee=None):
    return QuestionFactory(
        agency=office["agency"], status=status, due_date=due, transfer_due_date=transfer_due, assignee=assignee
    )


def _mails_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def test_due_tomorrow_and_overdue_reminders_on_a_working_day(office, django_capture_on_commit_callbacks):
    assigned_due = _q(office, QuestionStatus.ACCEPTED, due=D(2026, 3, 11), assignee=office["answerer"])
    unassigned_overdue = _q(office, QuestionStatus.IN_REVIEW, due=D(2026, 3, 9))
    transfer_due = _q(office, QuestionStatus.SUBMITTED, transfer_due=D(2026, 3, 11))
    _q(office, QuestionStatus.INFORMATION_REQUESTED, due=D(2026, 3, 1))  # clock paused
    _q(office, QuestionStatus.ANSWERED, due=D(2026, 3, 1))  # done
    _q(office, QuestionStatus.ACCEPTED, due=D(2026, 3, 20))  # not yet
    _q(office, QuestionStatus.ACCEPTED, due=D(2026, 3, 10), assignee=office["answerer"])  # due today: not "tomorrow"

    with time_machine.travel(TUESDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        result = qa_tasks.send_deadline_reminders.apply().get()
    assert result == {"due_tomorrow": 3, "overdue": 2}

    (answerer_mail,) = _mails_to(office["answerer"])
    assert answerer_mail.subject == "1 question is due tomorrow"
    assert assigned_due.reference in answerer_mail.body
    assert transfer_due.reference not in answerer_mail.body

    for keeper in (office["moderator"], office["admin"]):
        by_kind = {m.extra_headers["X-Notification-Kind"]: m for m in _mails_to(keeper)}
        assert sorted(by_kind) == ["qa.staff_due_tomorrow", "qa.staff_overdue"]
        assert transfer_due.reference in by_kind["qa.staff_due_tomorrow"].body
        assert unassigned_overdue.reference in by_kind["qa.staff_overdue"].body
        assert "/staff/questions/" in by_kind["qa.staff_overdue"].body
        assert assigned_due.reference not in by_kind["qa.staff_due_tomorrow"].body
    # One date format (dd/mm/yyyy) in every official's language; the text around it is translated.
    assert "11/03/2026" in _mails_to(office["moderator"])[0].body + _mails_to(office["moderator"])[1].body
    admin_bodies = _mails_to(office["admin"])[0].body + _mails_to(office["admin"])[1].body
    assert "09/03/2026" in admin_bodies and "March" not in admin_bodies
    # In-app too.
    assert Notification.objects.filter(channel=Channel.IN_APP, kind="qa.staff_overdue").count() == 2

    # Beat runs it again the same day (a restart): nothing new.
    sent = len(mail.outbox)
    with (
        time_machine.travel(TUESDAY + datetime.timedelta(hours=2), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        qa_tasks.send_deadline_reminders.apply()
    assert len(mail.outbox) == sent


def test_on_friday_due_tomorrow_means_the_next_working_day(office, django_capture_on_commit_callbacks):
    monday = _q(office, QuestionStatus.ACCEPTED, due=D(2026, 3, 16), assignee=office["answerer"])
    _q(office, QuestionStatus.ACCEPTED, due=D(2026, 3, 17), assignee=office["answerer"])
    with time_machine.travel(FRIDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        qa_tasks.send_deadline_reminders.apply()
    (reminder,) = _mails_to(office["answerer"])
    assert monday.reference in reminder.body
    assert reminder.subject == "1 question is due tomorrow"


def test_no_reminders_on_a_day_off(office, django_capture_on_commit_callbacks):
    _q(office, QuestionStatus.ACCEPTED, due=D(2026, 3, 9), assignee=office["answerer"])
    with time_machine.travel(SATURDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert qa_tasks.send_deadline_reminders.apply().get() == {"due_tomorrow": 0, "overdue": 0}
    assert mail.outbox == []


def test_several_questions_make_one_digest_per_person(office, django_capture_on_commit_callbacks):
    refs = [
        _q(office, QuestionStatus.ACCEPTED, due=D(2026, 3, day), assignee=office["answerer"]).reference
        for day in (2, 3, 4)
    ]
    with time_machine.travel(TUESDAY, tick=False), django_capture_on_commit_callbacks(execute=True):
        qa_tasks.send_deadline_reminders.apply()
    (digest,) = _mails_to(office["answerer"])
    assert digest.subject == "3 questions are overdue"
    assert all(ref in digest.body for ref in refs)


def test_beat_schedule_runs_the_jobs_in_code():
    schedule = celery_app.conf.beat_schedule
    assert schedule["notifications-sweep-outbox"]["schedule"] == 60.0
    entries = {entry["task"] for entry in schedule.values()}
    assert {
        "notifications.sweep_outbox",
        "notifications.send_digests",
        "qa.send_deadline_reminders",
        "qa.send_rating_requests",
        "dialogues.send_session_reminders",
    } <= entries
    celery_app.loader.import_default_modules()
    assert entries <= set(celery_app.tasks)


def test_the_reminder_entry_is_due_at_half_past_seven_local_time():
    entry = celery_app.conf.beat_schedule["qa-deadline-reminders"]["schedule"]
    last_run = datetime.datetime(2026, 3, 9, 7, 30, tzinfo=HCM)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 7, 0, tzinfo=HCM), tick=False):
        assert entry.is_due(last_run).is_due is False
    with time_machine.travel(datetime.datetime(2026, 3, 10, 7, 31, tzinfo=HCM), tick=False):
        assert entry.is_due(last_run).is_due is True
