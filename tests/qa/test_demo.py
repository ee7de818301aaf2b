"""`manage.py load_demo`: the Vietnamese demo loads into an empty database, completely and only once."""

import io
import re
from collections import Counter

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts import demo as accounts_demo
from accounts.lineage import current_successor
from accounts.models import Agency, Membership, User
from qa import demo, demo_content, personal_data, selectors
from qa.models import Answer, AskerContact, Question, QuestionEvent, QuestionStatus, Topic

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

DEMO_REFERENCE = re.compile(r"^HP-[A-Z]+-\d{4}-9\d{5}$")
OTHER_STATES = [
    QuestionStatus.UNVERIFIED,
    QuestionStatus.SUBMITTED,
    QuestionStatus.ACCEPTED,
    QuestionStatus.INFORMATION_REQUESTED,
    QuestionStatus.IN_REVIEW,
    QuestionStatus.APPROVED,
    QuestionStatus.ANSWERED,
    QuestionStatus.REJECTED,
    QuestionStatus.WITHDRAWN,
]


@pytest.fixture(autouse=True)
def _staff_routes(settings):
    """Staff e-mails link to `staff:question`; use the suite's stub routes while the staff panel has none."""
    try:
        reverse("staff:question", kwargs={"reference": "X"})
    except NoReverseMatch:
        settings.ROOT_URLCONF = "tests.qa.urls_staff_stub"


def load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "agencies": list(Agency.objects.order_by("code").values_list("code", "name", "parent__code")),
        "users": list(User.objects.order_by("email").values_list("email", "password")),
        "memberships": Membership.objects.count(),
        "topics": list(Topic.objects.order_by("slug").values_list("slug", "name")),
        "questions": list(
            Question.objects.order_by("reference").values_list("reference", "status", "version", "updated_at")
        ),
        "answers": Answer.objects.count(),
        "events": QuestionEvent.objects.count(),
        "contacts": AskerContact.objects.count(),
    }


def test_load_demo_fills_an_empty_database(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        output = load_demo()
    now = timezone.now()

    # Agencies: the city committee at the root, departments and districts below, with their own settings.
    assert Agency.objects.count() >= 15
    root = Agency.objects.get(code="HP-UBND")
    assert root.parent is None and root.kind == Agency.Kind.COMMITTEE
    assert set(Agency.objects.exclude(pk=root.pk).values_list("parent__code", flat=True)) == {"HP-UBND"}
    assert Agency.objects.filter(kind=Agency.Kind.DEPARTMENT).count() >= 10
    assert Agency.objects.filter(kind=Agency.Kind.DISTRICT).count() >= 5
    assert Agency.objects.filter(review_required=True).exists()
    assert set(Agency.objects.values_list("answer_deadline_days", flat=True)) == {10, 15}
    assert Topic.objects.count() >= 12

    # One account per role at the demo department (HP-STNMT until the 2025 merger, whose staff moved to its
    # successor HP-SNNMT), a superuser, a verified citizen; all with the printed password.
    stnmt = current_successor(Agency.objects.get(code="HP-STNMT"))
    assert stnmt.code == "HP-SNNMT"
    for item in accounts_demo.ACCOUNTS:
        user = User.objects.get(email=item.email)
        assert user.check_password(accounts_demo.DEMO_PASSWORD)
        assert item.email in output
        if item.agency:
            assert set(user.memberships.values_list("agency__code", "role")) == {(stnmt.code, item.role)}
    roles = set(Membership.objects.filter(agency=stnmt).values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    admin = User.objects.get(email=accounts_demo.account("superuser").email)
    assert admin.is_superuser and admin.is_staff
    citizen = accounts_demo.account("citizen")
    assert citizen.email_verified and not citizen.memberships.exists()
    assert citizen.questions.count() >= 2
    # The other agencies' officers sign the demo history but cannot log in.
    assert not accounts_demo.officer("HP-SYT").has_usable_password()
    assert accounts_demo.DEMO_PASSWORD in output and "/staff/" in output and "/questions/" in output

    # Questions: every one a demo one with its reserved reference; published ones spread over months.
    questions = Question.objects.all()
    assert questions.count() == len(demo_content.PUBLISHED) + len(demo_content.IN_PROGRESS)
    assert all(DEMO_REFERENCE.match(ref) for ref in questions.values_list("reference", flat=True))
    assert demo.demo_questions().count() == questions.count()
    published = questions.filter(status=QuestionStatus.PUBLISHED)
    assert published.count() >= 50
    assert published.values("agency").distinct().count() >= 15
    assert published.values("topic").distinct().count() >= 12
    dates = sorted(published.values_list("published_at", flat=True))
    assert dates[-1] < now and (dates[-1] - dates[0]).days > 120
    for question in published.select_related("answer"):
        assert question.answer.body.startswith("<p>") and question.answer.sent_at < question.published_at
        assert question.received_at < question.accepted_at < question.answered_at < question.published_at
        assert question.search_text and question.view_count > 0

    # The staff panel has work in every state.
    states = Counter(questions.values_list("status", flat=True))
    assert all(states[state] >= 1 for state in OTHER_STATES), states
    for accepted in questions.filter(status=QuestionStatus.ACCEPTED):
        assert accepted.assignee is not None and accepted.due_date is not None
    assert questions.filter(status=QuestionStatus.ACCEPTED, due_date__lt=timezone.localdate()).exists()
    assert questions.get(status=QuestionStatus.INFORMATION_REQUESTED).paused_at is not None
    rejected = questions.get(status=QuestionStatus.REJECTED)
    assert rejected.rejection_reason and rejected.events.get(action="reject").note

    # Every stamp the services wrote as "now" was moved into the past, in the order things happened.
    for question in questions.prefetch_related("events"):
        stamps = [event.created_at for event in question.events.all()]  # id order
        assert stamps == sorted(stamps) and all(stamp < now for stamp in stamps), question.reference
        assert question.created_at < now

    # The public version hides what the moderator redacted; the original keeps it.
    redacted = [item for item in demo_content.PUBLISHED if item.redact]
    assert len(redacted) >= 5
    for item in redacted:
        question = demo.find_demo_question(item)
        assert demo.REDACTED in question.public_body
        for part in item.redact:
            assert part in question.body
            assert part not in question.public_body
    # Nothing the detector finds is left in any published demo question (a phone typed in the text).
    for question in questions.filter(status=QuestionStatus.PUBLISHED):
        assert personal_data.find(f"{question.public_title}\n{question.public_body}") == [], question.reference

    # The demo history's messages (confirmations to fictional askers, staff alerts) were not sent.
    assert callbacks == []
    assert mail.outbox == []


def test_archive_search_finds_a_demo_question_without_diacritics(client):
    load_demo()
    item = next(i for i in demo_content.PUBLISHED if i.title.startswith("Diện tích tối thiểu để tách thửa"))
    question = demo.find_demo_question(item)
    assert question.reference in [q.reference for q in selectors.archive(search="tach thua dat")]
    response = client.get(reverse("qa:archive"), {"q": "dien tich toi thieu tach thua"})
    assert response.status_code == 200
    assert question.reference in response.content.decode()
    # The redacted house number is not searchable.
    assert not selectors.archive(search="so 27 ngo 81").exists()


def test_running_load_demo_twice_changes_nothing():
    load_demo()
    first = snapshot()
    output = load_demo()
    assert snapshot() == first
    assert "nothing new" in output
