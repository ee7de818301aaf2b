"""The session's and the live question's transition tables: every legal move, illegal ones refused and unchanged."""

import itertools

import pytest
from django.db import transaction

from core.errors import TransitionNotAllowed
from dialogues import workflow
from dialogues.models import (
    EventScope,
    LiveQuestion,
    LiveQuestionStatus,
    SessionEvent,
    SessionStatus,
    SessionStatusChange,
)

from .factories import DialogueSessionFactory, LiveQuestionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

S, Q = SessionStatus, LiveQuestionStatus

SESSION_MOVES = [
    (action, source, t.target) for action, t in workflow.SESSION_TRANSITIONS.items() for source in sorted(t.sources)
]
SESSION_REFUSALS = [
    (action, status)
    for action, t in workflow.SESSION_TRANSITIONS.items()
    for status in S.values
    if status not in t.sources
]
QUESTION_MOVES = [
    (action, source, session_state, t.target)
    for action, t in workflow.QUESTION_TRANSITIONS.items()
    for source, session_state in itertools.product(sorted(t.sources), sorted(t.session_states))
]


def test_expected_session_moves_are_the_table():
    """The table itself, written out: a change to it must be deliberate (and this test changed with it)."""
    moves = {(a, s, t) for a, s, t in SESSION_MOVES}
    assert moves == {
        ("open", S.SCHEDULED, S.OPEN),
        ("start", S.SCHEDULED, S.LIVE),
        ("start", S.OPEN, S.LIVE),
        ("end", S.LIVE, S.ENDED),
        ("publish_transcript", S.ENDED, S.TRANSCRIPT_PUBLISHED),
    }


def test_every_status_is_reached_or_left_by_some_move():
    session_states = {s for _a, s, _t in SESSION_MOVES} | {t for _a, _s, t in SESSION_MOVES}
    assert session_states == set(S.values)
    question_states = {s for _a, s, _ss, _t in QUESTION_MOVES} | {t for *_x, t in QUESTION_MOVES}
    assert question_states == set(Q.values)
    for table in (workflow.SESSION_CHECKS, workflow.QUESTION_CHECKS):
        assert all(t.target is None for t in table.values())
    assert not set(workflow.SESSION_CHECKS) & set(workflow.SESSION_TRANSITIONS)
    assert not set(workflow.QUESTION_CHECKS) & set(workflow.QUESTION_TRANSITIONS)


@pytest.mark.parametrize(("action", "source", "target"), SESSION_MOVES)
def test_every_legal_session_move_changes_the_status_audits_it_and_tells_watchers(
    action, source, target, agency, moderator
):
    session = DialogueSessionFactory(agency=agency, status=source)
    with transaction.atomic():
        change = workflow.apply_session_transition(session, action, actor=moderator, note="ghi chú")
    session.refresh_from_db()
    assert session.status == target
    assert (change.action, change.from_status, change.to_status, change.actor, change.note) == (
        action,
        source,
        target,
        moderator,
        "ghi chú",
    )
    event = SessionEvent.objects.get(session=session)
    assert (event.type, event.seq, event.scope, event.actor) == ("session.status", 1, EventScope.PUBLIC, moderator)
    assert event.payload["session"]["status"] == target


@pytest.mark.parametrize(("action", "status"), SESSION_REFUSALS)
def test_an_illegal_session_move_is_refused_and_nothing_is_written(action, status, agency, moderator):
    session = DialogueSessionFactory(agency=agency, status=status)
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.apply_session_transition(session, action, actor=moderator)
    assert refused.value.current_state == status
    session.refresh_from_db()
    assert session.status == status
    assert not SessionStatusChange.objects.filter(session=session).exists()
    assert not SessionEvent.objects.filter(session=session).exists()
    assert action not in workflow.available_session_actions(session)


def test_open_is_refused_when_the_session_takes_no_early_questions(agency, moderator):
    session = DialogueSessionFactory(agency=agency, allow_questions_before_start=False)
    assert workflow.available_session_actions(session) == ["start"]
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.apply_session_transition(session, "open", actor=moderator)
    assert refused.value.code == "no_early_questions"


def test_a_check_is_not_a_move():
    session = DialogueSessionFactory.build(status=S.LIVE)
    assert workflow.check_session(session, "announce").target is None
    with pytest.raises(ValueError):
        workflow.apply_session_transition(session, "announce")


@pytest.mark.parametrize(("action", "source", "session_state", "target"), QUESTION_MOVES)
def test_every_legal_question_move_changes_the_status_and_writes_the_event_of_its_audience(
    action, source, session_state, target, agency, moderator
):
    session = DialogueSessionFactory(agency=agency, status=session_state)
    question = LiveQuestionFactory(session=session, status=source)
    was_public = question.is_public
    with transaction.atomic():
        event = workflow.apply_question_transition(session, question, action, actor=moderator)
    question.refresh_from_db()
    assert question.status == target
    assert event.actor == moderator and event.seq == 1
    expected = workflow.QUESTION_TRANSITIONS[action].event
    if expected is not None:
        assert (event.type, event.scope) == (expected, EventScope.PUBLIC)
    elif question.is_public:
        assert event.type == ("question.updated" if was_public else "question.approved")
    elif was_public:
        assert (event.type, event.payload) == ("question.removed", {"id": question.pk})
    else:  # never public: only moderators hear of it
        assert event.scope == EventScope.MODERATORS
        assert event.type == "question.rejected"
    if event.scope == EventScope.PUBLIC and event.type != "question.removed":
        assert event.payload["question"]["status"] == target


@pytest.mark.parametrize(
    ("action", "status", "session_state", "code"),
    [
        ("approve", Q.APPROVED, S.LIVE, "transition_not_allowed"),
        ("approve", Q.REJECTED, S.LIVE, "transition_not_allowed"),
        ("approve", Q.PENDING, S.ENDED, "session_state"),
        ("approve", Q.PENDING, S.SCHEDULED, "session_state"),
        ("reject", Q.ANSWERED, S.LIVE, "transition_not_allowed"),
        ("reject", Q.PENDING, S.TRANSCRIPT_PUBLISHED, "session_state"),
        ("reject_muted", Q.APPROVED, S.LIVE, "transition_not_allowed"),
        ("mark_answering", Q.PENDING, S.LIVE, "transition_not_allowed"),
        ("mark_answering", Q.APPROVED, S.OPEN, "session_state"),
        ("unmark_answering", Q.APPROVED, S.LIVE, "transition_not_allowed"),
        ("answer", Q.PENDING, S.LIVE, "transition_not_allowed"),
        ("answer", Q.REJECTED, S.ENDED, "transition_not_allowed"),
        ("answer", Q.APPROVED, S.OPEN, "session_state"),
        ("answer", Q.APPROVED, S.TRANSCRIPT_PUBLISHED, "session_state"),
    ],
)
def test_an_illegal_question_move_is_refused_and_nothing_is_written(
    action, status, session_state, code, agency, moderator
):
    session = DialogueSessionFactory(agency=agency, status=session_state)
    question = LiveQuestionFactory(session=session, status=status)
    with pytest.raises(TransitionNotAllowed) as refused:
        workflow.apply_question_transition(session, question, action, actor=moderator)
    assert refused.value.code == code
    assert refused.value.current_state == (status if code == "transition_not_allowed" else session_state)
    assert LiveQuestion.objects.get(pk=question.pk).status == status
    assert not SessionEvent.objects.filter(session=session).exists()


@pytest.mark.parametrize(
    ("action", "status", "session_state", "allowed"),
    [
        ("edit", Q.ANSWERED, S.TRANSCRIPT_PUBLISHED, True),
        ("edit", Q.REJECTED, S.LIVE, False),
        ("vote", Q.ANSWERING, S.LIVE, True),
        ("vote", Q.PENDING, S.LIVE, False),
        ("vote", Q.APPROVED, S.ENDED, False),
        ("forward", Q.APPROVED, S.ENDED, True),
        ("forward", Q.ANSWERED, S.ENDED, False),
    ],
)
def test_question_checks_change_nothing_and_give_their_own_message(action, status, session_state, allowed):
    session = DialogueSessionFactory.build(status=session_state)
    question = LiveQuestionFactory.build(session=session, status=status)
    check = workflow.QUESTION_CHECKS[action]
    if allowed:
        assert workflow.check_question(session, question, action) is check
        with pytest.raises(ValueError):  # a check is not a move
            workflow.apply_question_transition(session, question, action)
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            workflow.check_question(session, question, action)
        assert refused.value.message == check.refusal
    assert question.status == status


@pytest.mark.parametrize(
    ("action", "allowed_states"),
    [
        ("set_questions_open", {S.OPEN, S.LIVE}),
        ("announce", {S.SCHEDULED, S.OPEN, S.LIVE}),
        ("subscribe", {S.SCHEDULED, S.OPEN}),
        ("forward_questions", {S.ENDED, S.TRANSCRIPT_PUBLISHED}),
    ],
)
def test_session_checks_allow_exactly_their_states(action, allowed_states):
    check = workflow.SESSION_CHECKS[action]
    for status in S.values:
        session = DialogueSessionFactory.build(status=status)
        assert workflow.session_allows(session, action) is (status in allowed_states)
        if status in allowed_states:
            assert workflow.check_session(session, action) is check
        else:
            with pytest.raises(TransitionNotAllowed) as refused:
                workflow.check_session(session, action)
            assert refused.value.message == check.refusal
            assert refused.value.current_state == (status if check.with_state else None)


def test_the_audit_row_of_a_start_is_dated_like_the_start(agency, moderator):
    from dialogues import services

    session = DialogueSessionFactory(agency=agency)
    services.session_start(session_id=session.pk, actor=moderator)
    session.refresh_from_db()
    change = SessionStatusChange.objects.get(session=session, action="start")
    assert change.created_at == session.started_at
