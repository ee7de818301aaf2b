"""A merge into a group and the sending of the group's answer at the same moment, on PostgreSQL with real row locks.

Official 1 merges question B into A's group while official 2 sends A's answer. Whichever order the locks give,
every asker is told exactly once or not at all, and B either ends answered with A's answer (the merge came first)
or stays in progress on its own (the send came first: A is answered, so nothing can join its group any more).
Never a lost answer (B grouped under an answered primary, waiting for ever) nor a doubled one.
"""

import threading

import pytest
from django.db import close_old_connections, connection, transaction

from core.errors import TransitionNotAllowed
from notifications.models import Notification
from qa import services
from qa.models import Answer, AskerContact, Question, QuestionEvent, QuestionGroup
from qa.models import QuestionStatus as S
from tests.factories import AgencyFactory
from tests.qa.staff_fixtures import moderator, question_in
from tests.qa.test_concurrency import _run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ANSWER = "<p>Kính gửi ông/bà, hồ sơ cấp lại giấy chứng nhận bị mất gồm đơn đề nghị và giấy xác nhận.</p>"


def _world(*, member_first: bool, members: int = 1):
    """An agency without review, two officials, the primary A with its answer drafted and B (+ more) in progress.

    `member_first`: B gets the lower primary key, so a merge locks B before A (the questions are locked in
    primary-key order) while the send locks A first.
    """
    agency = AgencyFactory(review_required=False)
    merger, sender = moderator(agency), moderator(agency)
    made = [question_in(S.ACCEPTED, agency, title=f"Thủ tục cấp lại sổ đỏ bị mất {i}") for i in range(1 + members)]
    primary, others = (made[-1], made[:-1]) if member_first else (made[0], made[1:])
    for i, question in enumerate(made):
        AskerContact.objects.filter(question=question).update(email=f"nguoi-hoi-{question.pk}-{i}@example.vn")
    services.answer_draft_save(actor=sender, question=primary, body=ANSWER, expected_version=None)
    return {"merger": merger, "sender": sender, "primary": primary, "members": others}


def _merge(world):
    return services.group_merge(
        actor=world["merger"], question=world["primary"], references=[m.reference for m in world["members"]]
    )


def _send(world):
    return services.answer_send(actor=world["sender"], question=world["primary"])


def _told(question: Question) -> int:
    email = AskerContact.objects.get(question=question).email
    return Notification.objects.filter(kind="qa.answered", email=email).count()


def _check(world) -> str:
    """The invariants after both officials acted; returns which one won ("merge first" or "send first")."""
    primary = Question.objects.get(pk=world["primary"].pk)
    members = [Question.objects.get(pk=m.pk) for m in world["members"]]
    assert primary.status == S.ANSWERED
    assert _told(primary) == 1
    assert QuestionEvent.objects.filter(question=primary, action="send").count() == 1
    sent = Answer.objects.get(question=primary)
    if members[0].status == S.ANSWERED:
        outcome = "merge first"
        group = QuestionGroup.objects.get(primary=primary)
        assert group.size == 1 + len(members)
        for member in members:
            assert member.status == S.ANSWERED and member.group_id == group.pk
            copy = Answer.objects.get(question=member)
            assert (copy.body, copy.sent_at) == (sent.body, sent.sent_at)
            assert QuestionEvent.objects.filter(question=member, action="merge").count() == 1
            assert QuestionEvent.objects.filter(question=member, action="answer_group").count() == 1
            assert _told(member) == 1
    else:
        outcome = "send first"
        assert not QuestionGroup.objects.filter(primary=primary).exists()
        for member in members:
            assert member.status == S.ACCEPTED and member.group_id is None
            assert not Answer.objects.filter(question=member, sent_at__isnull=False).exists()
            assert not QuestionEvent.objects.filter(question=member).exclude(action="accept").exists()
            assert _told(member) == 0
    # Nobody is left waiting in a group whose answer went out without them.
    assert not Question.objects.filter(group__primary=primary, status=S.GROUPED).exists()
    return outcome


@pytest.mark.parametrize("member_first", [False, True], ids=["primary_locked_first", "member_locked_first"])
def test_merge_and_send_at_the_same_moment(member_first):
    outcomes = set()
    for _round in range(4):
        world = _world(member_first=member_first, members=2)
        results = _run_together(lambda w=world: _merge(w), lambda w=world: _send(w))
        merged, sent = results
        assert isinstance(sent, Question), results  # the send never fails: the merge only adds askers
        assert isinstance(merged, Question | TransitionNotAllowed), results
        outcome = _check(world)
        assert (outcome == "merge first") == isinstance(merged, Question), (outcome, results)
        outcomes.add(outcome)
    assert outcomes  # which order wins is up to the scheduler; both are checked by the tests below


def _held(first, second):
    """Run `first` in a transaction kept open (its locks held) while `second` starts; return both results."""
    inside, release = threading.Event(), threading.Event()
    outcome: dict = {}

    def hold():
        try:
            with transaction.atomic():
                outcome["first"] = first()
                inside.set()
                release.wait(timeout=10)
        except Exception as exc:  # the test inspects it
            outcome["first"] = exc
            inside.set()
        finally:
            connection.close()

    def wait_then_run():
        try:
            inside.wait(timeout=10)
            outcome["second"] = second()
        except Exception as exc:
            outcome["second"] = exc
        finally:
            outcome["second_done"] = True
            connection.close()

    threads = [threading.Thread(target=hold), threading.Thread(target=wait_then_run)]
    for thread in threads:
        thread.start()
    inside.wait(timeout=10)
    threads[1].join(timeout=0.5)
    blocked = "second_done" not in outcome  # waiting on a row lock, not reading the old rows
    release.set()
    for thread in threads:
        thread.join(timeout=20)
    close_old_connections()
    return outcome["first"], outcome["second"], blocked


@pytest.mark.parametrize("member_first", [False, True], ids=["primary_locked_first", "member_locked_first"])
def test_a_send_waiting_for_a_merge_answers_the_new_member_too(member_first):
    world = _world(member_first=member_first)
    merged, sent, blocked = _held(lambda: _merge(world), lambda: _send(world))
    assert blocked
    assert isinstance(merged, Question) and isinstance(sent, Question), (merged, sent)
    assert _check(world) == "merge first"


@pytest.mark.parametrize("member_first", [False, True], ids=["primary_locked_first", "member_locked_first"])
def test_a_merge_waiting_for_a_send_is_refused_and_the_member_keeps_its_own_course(member_first):
    world = _world(member_first=member_first)
    sent, merged, blocked = _held(lambda: _send(world), lambda: _merge(world))
    assert blocked
    assert isinstance(sent, Question), sent
    assert isinstance(merged, TransitionNotAllowed) and merged.current_state == S.ANSWERED, merged
    assert _check(world) == "send first"
    # B is still handled on its own: answered by itself later, told once.
    member = world["members"][0]
    services.answer_draft_save(actor=world["sender"], question=member, body=ANSWER, expected_version=None)
    services.answer_send(actor=world["sender"], question=member)
    assert _told(member) == 1


def test_sending_the_members_own_answer_while_it_is_merged():
    """Official 2 sends B's own answer as official 1 merges B into A: one wins, B is answered at most once."""
    for _round in range(3):
        world = _world(member_first=True)
        member = world["members"][0]
        services.answer_draft_save(actor=world["sender"], question=member, body=ANSWER, expected_version=None)
        merged, sent = _run_together(
            lambda w=world: _merge(w),
            lambda w=world, m=member: services.answer_send(actor=w["sender"], question=m),
        )
        member.refresh_from_db()
        if isinstance(merged, Question):  # B joined the group first: its own send is refused
            assert isinstance(sent, TransitionNotAllowed) and sent.current_state == S.GROUPED, sent
            assert member.status == S.GROUPED and _told(member) == 0
            services.answer_send(actor=world["sender"], question=world["primary"])
            member.refresh_from_db()
            assert member.status == S.ANSWERED and _told(member) == 1
        else:  # B was answered on its own first: it can no longer join
            assert isinstance(merged, TransitionNotAllowed) and isinstance(sent, Question), (merged, sent)
            assert member.status == S.ANSWERED and member.group_id is None and _told(member) == 1
            services.answer_send(actor=world["sender"], question=world["primary"])
            assert _told(member) == 1


def test_a_send_waiting_for_a_member_leaving_answers_the_others_only():
    """A member leaves the group while the primary's answer is being sent: the send waits for the member's row,
    then answers the members still in the group (not the one that left, and without failing)."""
    world = _world(member_first=True, members=2)
    _merge(world)
    leaving, staying = world["members"]
    left, sent, blocked = _held(
        lambda: services.group_leave(actor=world["merger"], question=leaving), lambda: _send(world)
    )
    assert blocked
    assert isinstance(left, Question) and isinstance(sent, Question), (left, sent)
    leaving.refresh_from_db()
    staying.refresh_from_db()
    assert (leaving.status, leaving.group_id) == (S.ACCEPTED, None)
    assert not Answer.objects.filter(question=leaving, sent_at__isnull=False).exists() and _told(leaving) == 0
    assert staying.status == S.ANSWERED and _told(staying) == 1
    assert _told(world["primary"]) == 1
    assert QuestionGroup.objects.get(primary=world["primary"]).size == 2


def test_a_member_leaving_as_the_answer_is_sent_never_deadlocks(monkeypatch):
    """The leave locks the member and then its group (and the primary); the send locks the primary and then the
    members. Both must take them in one order, or each waits for the other (PostgreSQL then kills one: a 500)."""
    import time

    from qa.services import groups

    locked_member = groups.lock_question

    def slow_lock(question):
        row = locked_member(question)
        time.sleep(0.5)  # the send takes the primary's lock meanwhile
        return row

    monkeypatch.setattr(groups, "lock_question", slow_lock)
    world = _world(member_first=True, members=2)
    _merge(world)
    leaving, staying = world["members"]
    left, sent = _run_together(
        lambda: services.group_leave(actor=world["merger"], question=leaving), lambda: _send(world)
    )
    assert isinstance(sent, Question), (left, sent)
    assert isinstance(left, Question | TransitionNotAllowed), (left, sent)
    leaving.refresh_from_db()
    staying.refresh_from_db()
    assert staying.status == S.ANSWERED and _told(staying) == 1 and _told(world["primary"]) == 1
    if isinstance(left, Question):  # left before the answer went out
        assert (leaving.status, leaving.group_id, _told(leaving)) == (S.ACCEPTED, None, 0)
    else:  # too late: answered with the group
        assert left.current_state == S.ANSWERED
        assert leaving.status == S.ANSWERED and _told(leaving) == 1


def test_a_member_withdrawn_while_the_answer_waits_for_its_row_is_skipped():
    """The asker of a member withdraws it as the group's answer is sent: the send waits for the member's row,
    then answers the others; the withdrawn question gets no answer and no message, and the send does not fail."""
    world = _world(member_first=False, members=2)
    _merge(world)
    withdrawn, staying = world["members"]
    withdrew, sent, blocked = _held(
        lambda: services.question_withdraw(question=withdrawn, token=withdrawn.tracking_token),
        lambda: _send(world),
    )
    assert blocked
    assert isinstance(withdrew, Question) and isinstance(sent, Question), (withdrew, sent)
    withdrawn.refresh_from_db()
    staying.refresh_from_db()
    assert (withdrawn.status, withdrawn.group_id, _told(withdrawn)) == (S.WITHDRAWN, None, 0)
    assert not Answer.objects.filter(question=withdrawn).exists()
    assert staying.status == S.ANSWERED and _told(staying) == 1 and _told(world["primary"]) == 1
    assert QuestionGroup.objects.get(primary=world["primary"]).size == 2
