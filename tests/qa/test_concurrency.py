"""Two officials acting on one question at the same moment, on PostgreSQL with real row locks.

Exactly one succeeds; the other gets TransitionNotAllowed and the audit trail
has one event. The second test holds the first transaction open to prove the
second one waits on the row lock instead of reading a stale row.
"""

import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from core.errors import TransitionNotAllowed
from notifications.models import Notification
from qa import services
from qa.models import Answer, AnswerRevision, Question, QuestionEvent
from qa.models import QuestionStatus as S
from qa.services import StaleAnswer, submission
from tests.factories import AgencyFactory, TopicFactory
from tests.qa.staff_fixtures import moderator, question_in, staff

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_together(*calls):
    """Start every call in its own thread (own connection) at the same instant; return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=10)
            results[index] = call()
        except Exception as exc:  # the test inspects what each thread raised
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    close_old_connections()
    return results


@pytest.mark.parametrize("expected_version", [True, False], ids=["with_version", "without_version"])
def test_accept_and_reject_at_once_one_wins(expected_version):
    agency = AgencyFactory()
    first, second = moderator(agency), moderator(agency)
    question = question_in(S.SUBMITTED, agency)
    version = question.version if expected_version else None
    results = _run_together(
        lambda: services.question_accept(actor=first, question=question, expected_version=version),
        lambda: services.question_reject(
            actor=second, question=question, reason="spam", message="Tin rác.", expected_version=version
        ),
    )
    question.refresh_from_db()
    events = list(QuestionEvent.objects.filter(question=question))
    if expected_version:
        # Both saw version 1: whoever locks second is told the question changed.
        winners = [r for r in results if isinstance(r, Question)]
        losers = [r for r in results if isinstance(r, TransitionNotAllowed)]
        assert len(winners) == 1 and len(losers) == 1, results
        assert losers[0].code == "stale_version"
        assert len(events) == 1 and events[0].to_status == question.status
        assert question.version == 2
    else:
        # Without a version the second still sees the first one's result: accept-then-reject is legal,
        # reject-then-accept is not. Either way the history is consistent and complete.
        assert all(not isinstance(r, Exception) or isinstance(r, TransitionNotAllowed) for r in results), results
        assert events[0].from_status == S.SUBMITTED
        assert question.version == 1 + len(events)
        assert events[-1].to_status == question.status


def test_two_accepts_at_once_give_one_event():
    agency = AgencyFactory()
    first, second = moderator(agency), moderator(agency)
    question = question_in(S.SUBMITTED, agency)
    results = _run_together(
        lambda: services.question_accept(actor=first, question=question),
        lambda: services.question_accept(actor=second, question=question),
    )
    refused = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert len(refused) == 1 and refused[0].current_state == S.ACCEPTED, results
    assert QuestionEvent.objects.filter(question=question, action="accept").count() == 1


def test_the_second_official_waits_for_the_lock_then_sees_the_change():
    agency = AgencyFactory()
    first, second = moderator(agency), moderator(agency)
    question = question_in(S.SUBMITTED, agency)
    accepted_inside = threading.Event()
    release = threading.Event()
    outcome: dict = {}

    def slow_accept():
        try:
            with transaction.atomic():
                services.question_accept(actor=first, question=question, expected_version=1)
                accepted_inside.set()
                release.wait(timeout=10)  # keep the row locked
        finally:
            connection.close()

    def reject():
        try:
            accepted_inside.wait(timeout=10)
            outcome["started"] = time.monotonic()
            services.question_reject(
                actor=second, question=question, reason="spam", message="Tin rác.", expected_version=1
            )
        except Exception as exc:
            outcome["error"] = exc
        finally:
            outcome["finished"] = time.monotonic()
            connection.close()

    holder = threading.Thread(target=slow_accept)
    waiter = threading.Thread(target=reject)
    holder.start()
    waiter.start()
    accepted_inside.wait(timeout=10)
    time.sleep(0.5)
    assert "finished" not in outcome  # blocked on the row lock, not reading the old row
    release.set()
    holder.join(timeout=10)
    waiter.join(timeout=10)
    close_old_connections()
    assert isinstance(outcome.get("error"), TransitionNotAllowed) and outcome["error"].code == "stale_version"
    assert outcome["finished"] - outcome["started"] >= 0.4
    assert list(QuestionEvent.objects.filter(question=question).values_list("action", flat=True)) == ["accept"]


def test_two_draft_saves_on_the_same_version_never_lose_text():
    agency = AgencyFactory()
    first, second = staff(agency, "answerer"), staff(agency, "answerer")
    question = question_in(S.ACCEPTED, agency)
    services.answer_draft_save(actor=first, question=question, body="<p>Gốc</p>", expected_version=None)
    results = _run_together(
        lambda: services.answer_draft_save(actor=first, question=question, body="<p>Của Một</p>", expected_version=1),
        lambda: services.answer_draft_save(actor=second, question=question, body="<p>Của Hai</p>", expected_version=1),
    )
    saved = [r for r in results if isinstance(r, Answer)]
    stale = [r for r in results if isinstance(r, StaleAnswer)]
    assert len(saved) == 1 and len(stale) == 1, results
    assert stale[0].current_body == saved[0].body and stale[0].current_version == 2
    answer = Answer.objects.get(question=question)
    assert (answer.version, answer.body) == (2, saved[0].body)
    assert list(AnswerRevision.objects.filter(answer=answer).order_by("version").values_list("version", flat=True)) == [
        1,
        2,
    ]


def _ask(agency, topic, number: int):
    return services.question_submit(
        agency=agency,
        topic=topic,
        title=f"Câu hỏi số {number}",
        body="Nội dung câu hỏi.",
        asker_type="individual",
        name="Người hỏi",
        email=f"nguoi{number}@example.vn",
        channel="api",
    )


def test_simultaneous_submissions_to_one_agency_get_consecutive_references():
    """The upsert on the agency's sequence serialises them: no duplicate, no gap, even for the year's first."""
    agency, topic = AgencyFactory(code="HP-DONG"), TopicFactory()
    results = _run_together(*[lambda n=n: _ask(agency, topic, n) for n in range(8)])
    assert not [r for r in results if isinstance(r, Exception)], results
    numbers = sorted(int(q.reference.rsplit("-", 1)[1]) for q in results)
    assert numbers == list(range(1, 9))
    assert Question.objects.filter(agency=agency).count() == 8
    assert Notification.objects.filter(kind="qa.confirm_email").count() == 8


def test_a_submission_rolled_back_gives_its_number_back(monkeypatch):
    agency, topic = AgencyFactory(code="HP-LUI"), TopicFactory()
    assert _ask(agency, topic, 1).reference.endswith("-000001")

    def broken(*args, **kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(submission, "notify_asker", broken)
    with pytest.raises(RuntimeError):
        _ask(agency, topic, 2)
    monkeypatch.undo()
    assert _ask(agency, topic, 3).reference.endswith("-000002")
    assert not Question.objects.filter(contact__email="nguoi2@example.vn").exists()
