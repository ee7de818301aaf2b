"""The staff queue at scale: the stored deadline follows the rule through every transition, tab counts stop at
the cap (web and API say so), and the number of queries does not depend on the number of questions."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qa import services
from qa.deadlines import DeadlineClock
from qa.models import Question
from qa.models import QuestionStatus as S
from qa.staff import selectors as staff_selectors
from qa.staff import views as staff_views
from qa.staff.selectors import QueueFilters, staff_queue_counts
from tests.factories import AgencyFactory
from tests.qa.staff_fixtures import moderator, question_in, staff

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def assert_stored_deadline_follows_the_rule(question: Question) -> None:
    stored = Question.objects.get(pk=question.pk)
    assert stored.deadline == DeadlineClock.deadline(stored), stored.status
    # The rule by hand, so a wrong rule in both places still fails.
    expected = {S.SUBMITTED: stored.transfer_due_date}.get(stored.status)
    if stored.status in (S.ACCEPTED, S.INFORMATION_REQUESTED, S.IN_REVIEW, S.APPROVED):
        expected = stored.due_date
    assert stored.deadline == expected, stored.status


def test_stored_deadline_follows_every_transition():
    source, target = AgencyFactory(), AgencyFactory()
    mod, reviewer = moderator(source), staff(source, "reviewer", "answerer")
    target_mod = moderator(target)
    question = question_in(S.SUBMITTED, source)
    assert question.deadline == question.transfer_due_date  # returned by the insert
    assert_stored_deadline_follows_the_rule(question)

    question = services.question_transfer(actor=mod, question=question, to_agency=target, reason="Không thuộc Sở.")
    assert_stored_deadline_follows_the_rule(question)
    question = services.question_accept(actor=target_mod, question=question)
    assert_stored_deadline_follows_the_rule(question)
    assert Question.objects.get(pk=question.pk).deadline == question.due_date is not None
    question = services.question_request_information(actor=target_mod, question=question, message="Gửi sổ đỏ.")
    assert_stored_deadline_follows_the_rule(question)
    question.refresh_from_db()
    services.question_receive_information(question=question, body="Đây ạ.", token=question.tracking_token)
    assert_stored_deadline_follows_the_rule(question)

    # Review, approval, sending, publication: the answer clock, then no deadline at all.
    agency = AgencyFactory(review_required=True)
    mod, answerer, reviewer = moderator(agency), staff(agency, "answerer"), staff(agency, "reviewer")
    other = question_in(S.ACCEPTED, agency, assignee=answerer, consent_to_publish=True)
    services.answer_draft_save(actor=answerer, question=other, body="<p>Trả lời</p>", expected_version=None)
    steps = [
        lambda q: services.answer_submit_for_review(actor=answerer, question=q),
        lambda q: services.answer_approve(actor=reviewer, question=q),
        lambda q: services.answer_send(actor=reviewer, question=q, signed_by="Giám đốc"),
        lambda q: services.question_publish(actor=mod, question=q, public_title="Hỏi", public_body="Nội dung"),
    ]
    for step in steps:
        other.refresh_from_db()
        step(other)
        assert_stored_deadline_follows_the_rule(other)
    assert Question.objects.get(pk=other.pk).deadline is None

    for status in (S.SUBMITTED, S.ACCEPTED):
        rejected = question_in(status, agency)
        services.question_reject(actor=mod, question=rejected, reason="spam", message="Thư rác.")
        assert_stored_deadline_follows_the_rule(rejected)
        assert Question.objects.get(pk=rejected.pk).deadline is None


def test_queue_sorts_and_filters_on_the_stored_deadline():
    agency = AgencyFactory()
    mod = moderator(agency)
    today = datetime.date.today()
    late = question_in(S.SUBMITTED, agency, transfer_due_date=today - datetime.timedelta(days=3))
    paused = question_in(S.INFORMATION_REQUESTED, agency, due_date=today - datetime.timedelta(days=5))
    later = question_in(S.ACCEPTED, agency, due_date=today + datetime.timedelta(days=30))
    done = question_in(S.ANSWERED, agency, due_date=today - datetime.timedelta(days=9))
    rows = list(staff_selectors.staff_queue(user=mod, tab="all", ordering="due"))
    assert [q.pk for q in rows] == [paused.pk, late.pk, later.pk, done.pk]
    assert [q.deadline for q in rows] == [paused.due_date, late.transfer_due_date, later.due_date, None]
    overdue = staff_selectors.staff_queue(user=mod, tab="all", filters=QueueFilters(due="overdue"))
    assert [q.pk for q in overdue] == [late.pk]  # paused and answered questions are never overdue


def _fill(agency, status: str, count: int) -> None:
    questions = [question_in(status, agency) for _ in range(count)]
    assert len(questions) == count


def test_tab_counts_exact_below_the_cap_and_capped_above(django_assert_num_queries):
    agency = AgencyFactory()
    mod = moderator(agency)
    _fill(agency, S.SUBMITTED, 4)
    _fill(agency, S.ACCEPTED, 2)
    _fill(agency, S.REJECTED, 3)
    staff_selectors.staff_agency_ids(mod)
    clock = DeadlineClock.for_today()
    with django_assert_num_queries(1):
        counts = staff_queue_counts(user=mod, clock=clock, cap=3)
    assert counts == {
        "new": 3,
        "in_progress": 2,
        "waiting": 0,
        "review": 0,
        "answered": 0,
        "rejected": 3,
        "withdrawn": 0,
        "all": 3,
    }
    # Exactly at the cap is exact; above it is capped.
    assert counts.over_cap == {"new", "all"}
    assert not counts.capped("rejected") and counts.capped("new")
    exact = staff_queue_counts(user=mod, cap=1000)
    assert (exact["new"], exact["all"], exact.over_cap) == (4, 9, frozenset())


def test_search_counts_the_page_tab_and_marks_the_others_as_lower_bounds():
    agency = AgencyFactory()
    mod = moderator(agency)
    for status in (S.SUBMITTED, S.SUBMITTED, S.SUBMITTED, S.ACCEPTED, S.REJECTED):
        question_in(status, agency, title="Cấp giấy chứng nhận Quỳnhxyz")
    question_in(S.SUBMITTED, agency, title="Thuế thu nhập cá nhân")
    filters = QueueFilters(search="quynhxyz")
    below = staff_queue_counts(user=mod, filters=filters, tab="new", cap=10)
    assert (below["new"], below["in_progress"], below["rejected"], below["all"]) == (3, 1, 1, 5)
    assert below.over_cap == frozenset()
    above = staff_queue_counts(user=mod, filters=filters, tab="in_progress", cap=2)
    assert above["in_progress"] == 1 and not above.capped("in_progress")  # the page's own tab is exact
    assert above["all"] == 2 and above.capped("all")
    assert above.over_cap == {"new", "waiting", "review", "answered", "rejected", "withdrawn", "all"}
    assert staff_queue_counts(user=mod, filters=filters, tab="all", cap=2).capped("all")


def test_queue_tab_follows_the_status():
    agency = AgencyFactory()
    expected = {status: tab for tab, statuses in staff_selectors.TABS.items() for status in statuses}
    assert set(expected) == set(S.values) - {S.UNVERIFIED}  # every status but unverified is in exactly one tab
    for status in S.values:
        question = question_in(status, agency)
        assert Question.objects.get(pk=question.pk).queue_tab == expected.get(status), status
    # The overdue / due-soon filters read the tabs whose clock runs: the same statuses as the deadline rule's.
    running = {status for tab in staff_selectors._RUNNING_TABS for status in staff_selectors.TABS[tab]}
    assert running == {S.SUBMITTED, S.ACCEPTED, S.APPROVED, S.IN_REVIEW, S.GROUPED}


def _small_cap(monkeypatch, estimate: int) -> None:
    """Tab counts stop at 2, and the planner "estimates" `estimate` rows whatever the truth."""
    monkeypatch.setattr(staff_selectors, "TAB_COUNT_CAP", 2)
    monkeypatch.setattr(staff_selectors, "_estimated_count", lambda queryset: estimate)


@pytest.mark.parametrize("estimate", [3, 500])
def test_api_reaches_every_question_above_the_cap_whatever_the_estimate(client, monkeypatch, estimate):
    _small_cap(monkeypatch, estimate)
    agency = AgencyFactory()
    mod = moderator(agency)
    for _ in range(7):
        question_in(S.SUBMITTED, agency)
    expected = [q.reference for q in staff_selectors.staff_queue(user=mod, tab="new")]
    client.force_login(mod)
    url, seen, pages = "/api/v1/staff/questions/?tab=new&page_size=2", [], []
    while url:
        data = client.get(url).json()
        seen += [row["reference"] for row in data["results"]]
        pages.append((data["count"], data["count_exact"]))
        assert data["count"] >= len(seen)
        url = data["next"]
    assert seen == expected  # every question once, in order
    assert pages[0] == (max(estimate, 3), False)  # above the cap: the estimate, never below what a page proves
    assert pages[-1] == (7, True)  # the last page knows the size
    assert data["tabs"]["new"] == 2 and data["tabs_capped"] == ["all", "new"]
    # A page past the end of an estimated tab is empty; past the end of an exactly counted one, 404.
    past = client.get("/api/v1/staff/questions/?tab=new&page_size=2&page=40").json()
    assert (past["results"], past["next"], past["count_exact"]) == ([], None, False)
    assert "page=39&" in past["previous"]
    assert client.get("/api/v1/staff/questions/?tab=review&page=2").status_code == 404
    assert client.get("/api/v1/staff/questions/?page=0").status_code == 400


def test_web_pages_reach_every_question_above_the_cap(monkeypatch):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    _small_cap(monkeypatch, 3)
    monkeypatch.setattr(staff_views, "PAGE_SIZE", 2)
    agency = AgencyFactory()
    mod = moderator(agency)
    for _ in range(5):
        question_in(S.SUBMITTED, agency)
    expected = [q.reference for q in staff_selectors.staff_queue(user=mod, tab="new")]
    client.force_login(mod)
    first = client.get(reverse("staff:queue"))
    html = first.content.decode()
    assert '<span class="tab-count">2+</span>' in html
    assert "About 3 questions in" in html and 'rel="next"' in html
    seen, number = [], 1
    while True:
        response = client.get(reverse("staff:queue") + f"?page={number}")
        seen += [row.question.reference for row in response.context["rows"]]
        if not response.context["page"].has_next:
            break
        assert 'rel="next"' in response.content.decode()
        number += 1
    assert seen == expected and number == 3
    assert (response.context["page"].count, response.context["page"].count_exact) == (5, True)  # the last page
    past = client.get(reverse("staff:queue") + "?page=9").content.decode()
    assert "The list ends before this page." in past and 'rel="prev"' in past


def test_estimate_reads_the_plan():
    agency = AgencyFactory()
    mod = moderator(agency)
    for _ in range(3):
        question_in(S.SUBMITTED, agency)
    assert staff_selectors._estimated_count(staff_selectors.staff_queue(user=mod, tab="new")) >= 1


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "query",
    ["", "?tab=in_progress", "?tab=all&sort=newest&page=2", "?tab=all&q=gi%E1%BA%A5y", "?tab=all&due=overdue"],
)
def test_query_count_does_not_grow_with_the_queue(client, query):
    agency = AgencyFactory()
    mod = moderator(agency)
    client.force_login(mod)
    urls = [reverse("staff:queue") + query, "/api/v1/staff/questions/" + query.replace("sort=", "ordering=")]
    for status in (S.SUBMITTED, S.ACCEPTED, S.ANSWERED) * 10:  # two pages on the web and in the API
        question_in(status, agency, title="Giấy phép")
    small = [_queries(client, url) for url in urls]
    for status in (S.SUBMITTED, S.ACCEPTED, S.IN_REVIEW, S.ANSWERED, S.REJECTED) * 12:
        question_in(status, agency, title="Giấy phép")
    assert [_queries(client, url) for url in urls] == small


def _expected_search_counts(agency, term: str) -> dict[str, int]:
    rows = Question.objects.filter(agency=agency, queue_tab__isnull=False, staff_search_text__contains=term)
    tabs = {key: rows.filter(queue_tab=key).count() for key in staff_selectors.TABS}
    return {**tabs, "all": sum(tabs.values())}


def _assert_search_counts(counts, expected: dict[str, int], tab: str, cap: int) -> None:
    for key in (tab, "all"):  # the page's own tab and "all": exact up to the cap, marked above it
        assert counts[key] == min(expected[key], cap), (key, counts, expected)
        assert counts.capped(key) == (expected[key] > cap), (key, counts.over_cap, expected)
    for key in set(staff_selectors.TABS) - {tab}:
        if expected["all"] > cap:  # a sample of every tab: lower bounds, marked so
            assert counts[key] <= expected[key] and counts.capped(key), (key, counts, expected)
        else:
            assert counts[key] == expected[key] and not counts.capped(key), (key, counts, expected)


def test_search_counts_below_and_above_the_cap_whatever_the_agency_and_term(django_assert_num_queries):
    """With cap 2 the walk of the newest rows stops at 60: the small agency is read whole, the larger one is not.

    Every strategy of a search count (PostgreSQL: the walk decides, the probe sends a rare term to the trigram
    index, the walk ends without enough matches and the trigram index counts) gives the exact counts up to the
    cap and marks the ones above, in one query.
    """
    cap = 2
    small, larger = AgencyFactory(), AgencyFactory()
    mod, larger_mod = moderator(small), moderator(larger)
    statuses = (S.SUBMITTED, S.ACCEPTED, S.REJECTED)
    for i in range(6):  # "common": 4 of 6; "rarezz": 1
        title = ("Giấy chứng nhận " if i % 3 else "Thuế ") + ("rarezz" if i == 0 else "")
        question_in(statuses[i % 3], small, title=title, body="Nội dung.")
    for i in range(70):  # "common": every other row; "rarezz": the oldest only; "edgezz": the oldest and newest
        title = "Giấy chứng nhận " if i % 2 else "Thuế "
        title += ("rarezz " if i == 0 else "") + ("edgezz" if i in (0, 69) else "")
        question_in(statuses[i % 3], larger, title=title, body="Nội dung.")
    staff_selectors.staff_agency_ids(mod)
    staff_selectors.staff_agency_ids(larger_mod)
    clock = DeadlineClock.for_today()
    cases = [
        (mod, small, "giấy chứng nhận"),
        (mod, small, "rarezz"),
        (larger_mod, larger, "giấy chứng nhận"),
        (larger_mod, larger, "rarezz"),
        (larger_mod, larger, "edgezz"),
        (larger_mod, larger, "không có"),
    ]
    for user, agency, query in cases:
        expected = _expected_search_counts(agency, staff_selectors.fold(query))
        for tab in ("all", "new", "in_progress"):
            for tab_cap in (cap, 1000):
                filters = QueueFilters(search=query)
                with django_assert_num_queries(1):
                    counts = staff_queue_counts(user=user, filters=filters, clock=clock, tab=tab, cap=tab_cap)
                _assert_search_counts(counts, expected, tab, tab_cap)
    # The data is what the cases say it is.
    assert _expected_search_counts(small, "giay chung nhan")["all"] == 4
    assert _expected_search_counts(larger, "giay chung nhan")["all"] == 35
    assert _expected_search_counts(larger, "rarezz")["all"] == 1
    assert _expected_search_counts(larger, "edgezz")["all"] == 2


def test_search_by_email_and_phone_counts_exactly(django_assert_num_queries):
    agency = AgencyFactory()
    mod = moderator(agency)
    first = question_in(S.SUBMITTED, agency)
    other = question_in(S.ACCEPTED, agency)
    type(other.contact).objects.filter(pk=other.contact.pk).update(phone="0987654321")
    contact = first.contact
    staff_selectors.staff_agency_ids(mod)
    clock = DeadlineClock.for_today()
    for query in (contact.email, contact.phone):
        with django_assert_num_queries(1):
            counts = staff_queue_counts(user=mod, filters=QueueFilters(search=query), clock=clock, tab="all")
        assert (counts["all"], counts["new"], counts["in_progress"], counts.over_cap) == (1, 1, 0, frozenset())
