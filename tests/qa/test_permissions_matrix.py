"""The generated permission matrix: role × own/other agency × action × starting state, at the service level.

The expected rules are written out here from the issue (who may do what, from
which state), independently of qa.workflow's table, so a wrong entry in the
table fails these tests instead of being mirrored by them.
"""

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import TransitionNotAllowed
from qa import permissions, services
from qa.models import Answer, AnswerRevision, InternalNote, QuestionEvent
from qa.models import QuestionStatus as S
from tests.factories import AgencyFactory, UserFactory
from tests.qa.staff_fixtures import question_in, staff

# Not re-run on SQLite: the rules are database-agnostic and 2,000 cases cost minutes.
pytestmark = [pytest.mark.django_db]

MOD, ANS, REV, ADM = "moderator", "answerer", "reviewer", "admin"
ROLES = [MOD, ANS, REV, ADM, "none", "asker"]
AGENCIES = ["own", "other"]
STATES = [s.value for s in S]

# action: (roles that may, states it starts from, state it ends in (None: unchanged))
EXPECTED = {
    "accept": ({MOD, ADM}, {S.SUBMITTED}, S.ACCEPTED),
    "reject": ({MOD, ADM}, {S.SUBMITTED, S.ACCEPTED, S.INFORMATION_REQUESTED}, S.REJECTED),
    "transfer": ({MOD, ADM}, {S.SUBMITTED, S.ACCEPTED}, S.SUBMITTED),
    "request_information": ({MOD, ANS, ADM}, {S.ACCEPTED}, S.INFORMATION_REQUESTED),
    "assign": ({MOD, ADM}, {S.SUBMITTED, S.ACCEPTED, S.INFORMATION_REQUESTED, S.IN_REVIEW, S.APPROVED}, None),
    "submit_for_review": ({ANS, MOD, ADM}, {S.ACCEPTED}, S.IN_REVIEW),
    "approve": ({REV, ADM}, {S.IN_REVIEW}, S.APPROVED),
    "return": ({REV, ADM}, {S.IN_REVIEW, S.APPROVED}, S.ACCEPTED),
    "send": ({ANS, MOD, REV, ADM}, {S.ACCEPTED, S.APPROVED}, S.ANSWERED),
    "publish": ({MOD, ADM}, {S.ANSWERED}, S.PUBLISHED),
    "unpublish": ({MOD, ADM}, {S.PUBLISHED}, S.ANSWERED),
    "edit_public": (
        {MOD, ADM},
        {
            S.SUBMITTED,
            S.ACCEPTED,
            S.INFORMATION_REQUESTED,
            S.IN_REVIEW,
            S.APPROVED,
            S.GROUPED,
            S.ANSWERED,
            S.PUBLISHED,
            S.ANSWERED_BY_REFERENCE,
        },
        None,
    ),
    "save_draft": ({ANS, MOD, ADM}, {S.ACCEPTED, S.INFORMATION_REQUESTED}, None),
    # Issue 15: a duplicate of a published answer is closed with it; groups of the same question.
    "answer_by_reference": ({MOD, ADM}, {S.SUBMITTED, S.ACCEPTED}, S.ANSWERED_BY_REFERENCE),
    "merge": ({MOD, ADM}, {S.ACCEPTED}, S.GROUPED),
    "leave_group": ({MOD, ADM}, {S.GROUPED}, S.ACCEPTED),
    "add_note": ({MOD, ANS, REV, ADM}, set(STATES) - {S.UNVERIFIED}, None),
}
ACTIONS = list(EXPECTED)
# Actions whose audit record is their own row, not a QuestionEvent.
NO_EVENT = {"save_draft", "add_note"}


def _call(action, *, actor, question, world):
    """Call the action's service with valid input, so only role, agency and state decide the outcome."""
    kwargs = {"actor": actor, "question": question}
    if action == "accept":
        return services.question_accept(**kwargs)
    if action == "reject":
        return services.question_reject(**kwargs, reason="spam", message="Nội dung quảng cáo, không phải câu hỏi.")
    if action == "transfer":
        return services.question_transfer(**kwargs, to_agency=world["third"], reason="Thuộc thẩm quyền Sở Xây dựng.")
    if action == "request_information":
        return services.question_request_information(**kwargs, message="Xin gửi bản sao sổ đỏ.")
    if action == "assign":
        return services.question_assign(**kwargs, assignee=world["assignee"])
    if action == "submit_for_review":
        return services.answer_submit_for_review(**kwargs)
    if action == "approve":
        return services.answer_approve(**kwargs)
    if action == "return":
        return services.answer_return(**kwargs, comment="Cần dẫn chiếu điều luật cụ thể.")
    if action == "send":
        return services.answer_send(**kwargs)
    if action == "publish":
        return services.question_publish(**kwargs, public_title="Hỏi về sổ đỏ", public_body="Thủ tục cấp sổ đỏ?")
    if action == "unpublish":
        return services.question_unpublish(**kwargs, reason="Người hỏi đề nghị gỡ.")
    if action == "edit_public":
        return services.question_public_version_save(
            **kwargs, public_title="Hỏi về sổ đỏ", public_body="Thủ tục cấp sổ đỏ?"
        )
    if action == "save_draft":
        answer = Answer.objects.filter(question=question).first()
        return services.answer_draft_save(
            **kwargs, body="<p>Trả lời mới</p>", expected_version=answer.version if answer else None
        )
    if action == "add_note":
        return services.internal_note_add(**kwargs, body="Gọi điện cho người hỏi lúc 9h.")
    if action == "answer_by_reference":
        return services.question_answer_by_reference(
            **kwargs, answer_reference=question_in(S.PUBLISHED, world["third"])
        )
    if action == "merge":
        # `question` joins a primary of its agency in the same state (the state rule is the table's alone).
        primary = question_in(question.status, question.agency)
        return services.group_merge(actor=actor, question=primary, references=[question.reference])
    if action == "leave_group":
        return services.group_leave(**kwargs)
    raise AssertionError(action)


@pytest.fixture(scope="module")
def people(django_db_setup, django_db_blocker):
    """Agencies and one user per role and agency, made once for the module (1,680 cases share them)."""
    with django_db_blocker.unblock():
        own, other, third = AgencyFactory(), AgencyFactory(), AgencyFactory()
        actors = {("none", where): UserFactory() for where in AGENCIES}
        asker = UserFactory()
        for where in AGENCIES:
            actors[("asker", where)] = asker
        for role in (MOD, ANS, REV, ADM):
            actors[(role, "own")] = staff(own, role)
            actors[(role, "other")] = staff(other, role)
        data = {"own": own, "third": third, "asker": asker, "actors": actors, "assignee": staff(own, ANS)}
    yield data
    with django_db_blocker.unblock():
        users = {user.pk for user in actors.values()} | {data["assignee"].pk}
        UserFactory._meta.model.objects.filter(pk__in=users).delete()
        AgencyFactory._meta.model.objects.filter(pk__in=[own.pk, other.pk, third.pk]).delete()


def _world(people, state: str, role: str, where: str):
    question = question_in(state, people["own"], asker=people["asker"])
    if state in (S.ACCEPTED, S.INFORMATION_REQUESTED) and not Answer.objects.filter(question=question).exists():
        # A draft exists, so answer-dependent moves (review, send) are decided by role and state alone.
        answer = Answer.objects.create(question=question, body="<p>Dự thảo trả lời</p>", version=1)
        AnswerRevision.objects.create(answer=answer, version=1, body=answer.body)
    return {
        "question": question,
        "actor": people["actors"][(role, where)],
        "third": people["third"],
        "assignee": people["assignee"],
    }


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("where", AGENCIES)
@pytest.mark.parametrize("role", ROLES)
def test_service_matrix(people, role, where, action, state):
    world = _world(people, state, role, where)
    question, actor = world["question"], world["actor"]
    allowed_roles, sources, target = EXPECTED[action]
    events_before = QuestionEvent.objects.filter(question=question).count()
    version_before = question.version

    if role in ("none", "asker") or where == "other" or role not in allowed_roles:
        with pytest.raises(PermissionDenied):
            _call(action, actor=actor, question=question, world=world)
        assert QuestionEvent.objects.filter(question=question).count() == events_before
        question.refresh_from_db()
        assert (question.status, question.version) == (state, version_before)
        assert not permissions.can_act(actor, question, action)
        return

    if state not in sources:
        with pytest.raises(TransitionNotAllowed) as refused:
            _call(action, actor=actor, question=question, world=world)
        assert refused.value.current_state == state
        assert QuestionEvent.objects.filter(question=question).count() == events_before
        question.refresh_from_db()
        assert (question.status, question.version) == (state, version_before)
        assert not permissions.can_act(actor, question, action)
        return

    assert permissions.can_act(actor, question, action)
    _call(action, actor=actor, question=question, world=world)
    question.refresh_from_db()
    assert question.status == (target or state)
    if action == "save_draft":
        assert AnswerRevision.objects.filter(answer__question=question, author=actor).count() == 1
    elif action == "add_note":
        assert InternalNote.objects.filter(question=question, author=actor).count() == 1
    else:
        event = QuestionEvent.objects.filter(question=question).latest("id")
        assert (event.action, event.actor, event.from_status, event.to_status) == (
            action,
            actor,
            state,
            question.status,
        )
        assert QuestionEvent.objects.filter(question=question).count() == events_before + 1
        assert question.version == version_before + 1
    if action == "transfer":
        assert question.agency_id == world["third"].pk


def test_matrix_covers_every_staff_action_of_the_workflow():
    from qa import workflow

    staff_actions = {
        name
        for name, transition in workflow.TRANSITIONS.items()
        if transition.roles & workflow.STAFF_ROLES and name != "register"
    }
    assert staff_actions == set(EXPECTED)
