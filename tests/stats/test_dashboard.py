"""The staff dashboard: figures per agency, links to the filtered queue, bounded queries, who sees what."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from qa import deadlines
from qa.models import QuestionEvent
from qa.models import QuestionStatus as S
from stats.dashboard import staff_dashboard
from stats.models import DailyDuration
from tests.factories import AgencyFactory, TopicFactory, UserFactory
from tests.qa.staff_fixtures import question_in, staff

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

R = Membership.Role


def _agency_with_work():
    agency = AgencyFactory()
    answerer = staff(agency, R.ANSWERER, full_name="Lê Văn Chuyên Viên")
    today = timezone.localdate()
    past = today - datetime.timedelta(days=3)
    soon = deadlines.add_working_days(today, 2)
    later = deadlines.add_working_days(today, 10)
    question_in(S.ACCEPTED, agency, due_date=past, assignee=answerer)  # overdue
    question_in(S.ACCEPTED, agency, due_date=soon, assignee=answerer)  # due soon
    question_in(S.SUBMITTED, agency, transfer_due_date=soon)  # due soon (transfer clock)
    question_in(S.ACCEPTED, agency, due_date=later)  # in work, nobody assigned
    question_in(S.INFORMATION_REQUESTED, agency, due_date=past)  # waiting: paused, not overdue
    returned = question_in(S.ACCEPTED, agency, due_date=later, assignee=answerer)
    QuestionEvent.objects.create(question=returned, action="return", from_status="in_review", to_status="accepted")
    topic = TopicFactory()
    for days, count in ((4, 2), (9, 1)):
        DailyDuration.objects.create(
            day=today, agency=agency, topic=topic, channel="web", working_days=days, count=count
        )
    return agency, answerer


def test_figures_per_agency():
    agency, answerer = _agency_with_work()
    admin = staff(agency, R.ADMIN)
    (board,) = staff_dashboard(admin)
    assert board.agency == agency
    assert (board.overdue, board.due_soon, board.waiting, board.returned) == (1, 2, 1, 1)
    assert board.workload == [{"user_id": answerer.pk, "name": "Lê Văn Chuyên Viên", "count": 3}]
    assert board.unassigned == 1
    assert (board.median_days, board.answered_this_month) == (4, 3)


def test_page_links_each_figure_to_the_filtered_queue(client):
    agency, answerer = _agency_with_work()
    client.force_login(staff(agency, R.MODERATOR))
    html = client.get(reverse("staff-dashboard")).content.decode()
    queue = reverse("staff:queue")
    assert f"{queue}?agency={agency.pk}&amp;tab=all&amp;due=overdue" in html
    assert f"{queue}?agency={agency.pk}&amp;tab=waiting" in html
    assert f"{queue}?agency={agency.pk}&amp;tab=in_progress&amp;assignee={answerer.pk}" in html
    assert reverse("staff-dashboard") in client.get(queue).content.decode()  # in the panel's navigation


def test_only_staff_and_their_agencies():
    agency, _ = _agency_with_work()
    other = AgencyFactory()
    member = staff(other, R.ANSWERER)
    assert [b.agency for b in staff_dashboard(member)] == [other]
    site_admin = UserFactory(is_staff=True)
    assert {b.agency for b in staff_dashboard(site_admin)} == {agency, other}


def test_citizens_are_refused(client):
    client.force_login(UserFactory())
    assert client.get(reverse("staff-dashboard")).status_code == 403


def test_queries_do_not_grow_with_agencies(client):
    site_admin = UserFactory(is_staff=True)
    client.force_login(site_admin)
    _agency_with_work()

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("staff-dashboard")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for _i in range(4):
        _agency_with_work()
    assert count() == before
