"""The state machine end to end: journeys through the services, the table's own rules, optimistic concurrency."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import TransitionNotAllowed
from qa import permissions, selectors, services, workflow
from qa.models import Answer, Question, QuestionEvent
from qa.models import QuestionStatus as S
from qa.staff.selectors import staff_queue, staff_queue_counts
from tests.factories import AgencyFactory, UserFactory
from tests.qa.staff_fixtures import moderator, question_in, sent, staff

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]
ALL = "all"


def _actions(question):
    return list(QuestionEvent.objects.filter(question=question).order_by("id").values_list("action", flat=True))


def test_journey_with_review_to_the_archive(django_capture_on_commit_callbacks):
    """Moderator accepts and assigns, answerer drafts, reviewer approves, moderator publishes a redacted version."""
    agency = AgencyFactory(review_required=True, name="Sở Tài nguyên và Môi trường")
    mod, answerer, reviewer = moderator(agency), staff(agency, "answerer"), staff(agency, "reviewer")
    question = question_in(S.SUBMITTED, agency, title="Hỏi về sổ đỏ của ông Nguyễn Văn Bí Mật")
    with django_capture_on_commit_callbacks(execute=True):
        question = services.question_accept(actor=mod, question=question, expected_version=question.version)
        question = services.question_assign(actor=mod, question=question, assignee=answerer)
        answer = services.answer_draft_save(
            actor=answerer, question=question, body="<p>Hồ sơ gồm <b>đơn</b>.</p>", expected_version=None
        )
        services.answer_submit_for_review(actor=answerer, question=question)
        services.answer_approve(actor=reviewer, question=question)
        services.answer_send(actor=reviewer, question=question, signed_by="Giám đốc Sở")
        question = services.question_publish(
            actor=mod, question=question, public_title="Hỏi về cấp sổ đỏ", public_body="Thủ tục cấp sổ đỏ thế nào?"
        )
    assert question.status == S.PUBLISHED
    assert _actions(question) == ["accept", "assign", "submit_for_review", "approve", "send", "publish"]
    answer.refresh_from_db()
    assert answer.approved_by == reviewer and answer.signed_by == "Giám đốc Sở" and answer.sent_at
    # The archive shows the redacted version and finds it without diacritics; the original title stays private.
    found = list(selectors.archive(search="so do"))
    assert [q.pk for q in found] == [question.pk]
    assert found[0].public_title == "Hỏi về cấp sổ đỏ"
    assert Question.objects.get(pk=question.pk).title == "Hỏi về sổ đỏ của ông Nguyễn Văn Bí Mật"
    asker = question.contact.email
    assert sent(mail.outbox) == [
        ("qa.staff_assigned", answerer.email),
        ("qa.staff_review_requested", reviewer.email),
        ("qa.answered", asker),
        ("qa.published", asker),
    ]


def test_send_from_accepted_only_without_review():
    no_review = AgencyFactory(review_required=False)
    with_review = AgencyFactory(review_required=True)
    for agency, allowed in ((no_review, True), (with_review, False)):
        answerer = staff(agency, "answerer")
        question = question_in(S.ACCEPTED, agency)
        services.answer_draft_save(actor=answerer, question=question, body="<p>Trả lời</p>", expected_version=None)
        question.refresh_from_db()
        assert permissions.can_act(answerer, question, "send") is allowed
        assert ("send" in permissions.allowed_actions(answerer, question)) is allowed
        if allowed:
            assert services.answer_send(actor=answerer, question=question).status == S.ANSWERED
        else:
            with pytest.raises(TransitionNotAllowed) as refused:
                services.answer_send(actor=answerer, question=question)
            assert refused.value.code == "review_required"
            question.refresh_from_db()
            assert question.status == S.ACCEPTED


def test_review_and_send_need_a_written_answer():
    agency = AgencyFactory()
    answerer = staff(agency, "answerer")
    question = question_in(S.ACCEPTED, agency)
    for service in (services.answer_submit_for_review, services.answer_send):
        with pytest.raises(TransitionNotAllowed) as refused:
            service(actor=answerer, question=question)
        assert refused.value.code == "no_answer"
    assert _actions(question) == []


def test_return_sends_the_answer_back_with_the_comment(django_capture_on_commit_callbacks):
    agency = AgencyFactory(review_required=True)
    answerer, reviewer = staff(agency, "answerer"), staff(agency, "reviewer")
    question = question_in(S.ACCEPTED, agency, assignee=answerer)
    services.answer_draft_save(actor=answerer, question=question, body="<p>Bản nháp</p>", expected_version=None)
    services.answer_submit_for_review(actor=answerer, question=question)
    services.answer_approve(actor=reviewer, question=question)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        returned = services.answer_return(actor=reviewer, question=question, comment="Thêm căn cứ pháp lý.")
    assert returned.status == S.ACCEPTED
    event = QuestionEvent.objects.filter(question=question, action="return").get()
    assert event.internal_note == "Thêm căn cứ pháp lý." and not event.is_public
    assert Answer.objects.get(question=question).approved_by is None
    assert [m.to for m in mail.outbox] == [[answerer.email]]
    assert "Thêm căn cứ pháp lý." in mail.outbox[0].body


def test_publish_needs_consent_and_a_public_version():
    agency = AgencyFactory()
    mod = moderator(agency)
    private = question_in(S.ANSWERED, agency, consent_to_publish=False)
    assert "publish" not in permissions.allowed_actions(mod, private)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.question_publish(actor=mod, question=private, public_title="Tiêu đề", public_body="Nội dung")
    assert refused.value.code == "no_consent"
    consenting = question_in(S.ANSWERED, agency)
    with pytest.raises(ValidationError) as invalid:
        services.question_publish(actor=mod, question=consenting, public_title="  ", public_body="<b></b>")
    assert set(invalid.value.message_dict) == {"public_title", "public_body"}
    consenting.refresh_from_db()
    assert consenting.status == S.ANSWERED


def test_unpublish_takes_it_out_of_the_archive():
    agency = AgencyFactory()
    mod = moderator(agency)
    question = question_in(S.ANSWERED, agency)
    services.question_publish(actor=mod, question=question, public_title="Hỏi về thuế", public_body="Thuế đất?")
    assert selectors.archive(search="thue").count() == 1
    services.question_unpublish(actor=mod, question=question, reason="Người hỏi yêu cầu.")
    question.refresh_from_db()
    assert (question.status, question.published_at) == (S.ANSWERED, None)
    assert selectors.archive(search="thue").count() == 0


def test_stale_version_is_refused_and_nothing_changes():
    agency = AgencyFactory()
    first, second = moderator(agency), moderator(agency)
    question = question_in(S.SUBMITTED, agency)
    seen = question.version
    services.question_accept(actor=first, question=question, expected_version=seen)
    with pytest.raises(TransitionNotAllowed) as refused:
        services.question_reject(
            actor=second, question=question, reason="spam", message="Quảng cáo.", expected_version=seen
        )
    assert refused.value.code == "stale_version"
    assert refused.value.current_state == S.ACCEPTED
    question.refresh_from_db()
    assert question.status == S.ACCEPTED and question.version == seen + 1
    assert _actions(question) == ["accept"]


def test_transfer_moves_the_question_between_queues(django_capture_on_commit_callbacks):
    source = AgencyFactory(name="Sở Tài nguyên và Môi trường")
    target = AgencyFactory(name="Sở Xây dựng")
    source_mod, target_mod = moderator(source), moderator(target)
    answerer = staff(source, "answerer")
    question = question_in(S.ACCEPTED, source, assignee=answerer)
    assert [q.pk for q in staff_queue(user=source_mod, tab="in_progress")] == [question.pk]
    assert staff_queue(user=target_mod, tab="new").count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        moved = services.question_transfer(
            actor=source_mod, question=question, to_agency=target, reason="Cấp phép xây dựng thuộc Sở Xây dựng."
        )
    assert (moved.status, moved.agency_id, moved.assignee_id, moved.due_date) == (S.SUBMITTED, target.pk, None, None)
    assert moved.transfer_due_date is not None
    assert staff_queue(user=source_mod, tab=ALL).count() == 0
    assert [q.pk for q in staff_queue(user=target_mod, tab="new")] == [question.pk]
    assert staff_queue_counts(user=target_mod)["new"] == 1
    event = QuestionEvent.objects.get(question=question, action="transfer")
    assert event.data["from_agency_id"] == source.pk and event.data["to_agency_id"] == target.pk
    assert event.is_public and event.note == "Cấp phép xây dựng thuộc Sở Xây dựng."
    # The source agency's staff have lost it; the target's may act.
    assert not permissions.can_view_staff(source_mod, moved)
    with pytest.raises(PermissionDenied):
        services.question_accept(actor=source_mod, question=moved)
    assert services.question_accept(actor=target_mod, question=moved).status == S.ACCEPTED
    # The asker and the target's moderators were told.
    asker_mail = [m for m in mail.outbox if m.to == [question.contact.email]]
    assert len(asker_mail) == 1 and "Sở Xây dựng" in asker_mail[0].body
    assert ("qa.staff_new_question", target_mod.email) in sent(mail.outbox)
    assert ("qa.transferred", question.contact.email) in sent(mail.outbox)


def test_apply_transition_checks_role_before_state_and_version():
    question = question_in(S.ANSWERED)
    # A role that may never accept gets 403 even where the state would also refuse.
    with pytest.raises(PermissionDenied):
        workflow.apply_transition(question, "accept", roles={"reviewer"}, expected_version=999)
    with pytest.raises(TransitionNotAllowed) as stale:
        workflow.apply_transition(question, "accept", roles={"moderator"}, expected_version=999)
    assert stale.value.code == "stale_version"
    with pytest.raises(TransitionNotAllowed) as wrong_state:
        workflow.apply_transition(question, "accept", roles={"moderator"})
    assert wrong_state.value.current_state == S.ANSWERED
    with pytest.raises(TransitionNotAllowed) as unknown:
        workflow.apply_transition(question, "teleport", roles={"moderator"})
    assert unknown.value.code == "unknown_action"
    drafting = question_in(S.ACCEPTED)
    with pytest.raises(ValueError, match="authorize"):
        workflow.apply_transition(drafting, "save_draft", roles={"answerer"})


def test_every_transition_is_well_formed():
    statuses = set(S.values)
    for name, transition in workflow.TRANSITIONS.items():
        assert transition.action == name
        assert transition.sources <= statuses, name
        assert transition.target is None or transition.target in statuses, name
        assert transition.roles, name
        assert str(transition.label), name
    # Closed states have no way out except notes.
    for closed in (S.REJECTED, S.WITHDRAWN):
        leaving = {n for n, t in workflow.TRANSITIONS.items() if closed in t.sources and t.target not in (None, closed)}
        assert leaving == set()


def test_allowed_actions_follow_roles_and_state():
    agency = AgencyFactory()
    question = question_in(S.SUBMITTED, agency)
    assert permissions.allowed_actions(moderator(agency), question) == [
        "accept",
        "assign",
        "edit_public",
        "transfer",
        "answer_by_reference",
        "reject",
    ]
    assert permissions.allowed_actions(staff(agency, "answerer"), question) == []
    assert permissions.allowed_actions(moderator(AgencyFactory()), question) == []
    assert permissions.allowed_actions(UserFactory(), question) == []


def test_events_record_actor_and_public_flag():
    agency = AgencyFactory()
    mod, answerer = moderator(agency), staff(agency, "answerer")
    question = question_in(S.SUBMITTED, agency)
    services.question_accept(actor=mod, question=question, assignee=answerer, note="Ưu tiên xử lý.")
    services.question_request_information(actor=answerer, question=question, message="Gửi bản sao sổ đỏ.")
    accept, request = QuestionEvent.objects.filter(question=question).order_by("id")
    assert (accept.actor, accept.is_public, accept.internal_note, accept.data["assignee_id"]) == (
        mod,
        True,
        "Ưu tiên xử lý.",
        answerer.pk,
    )
    assert (request.actor, request.is_public, request.note) == (answerer, True, "Gửi bản sao sổ đỏ.")
    # The asker's tracking page sees the public events and never internal notes.
    tracked = selectors.tracked_question(question.reference, question.tracking_token)
    assert [e.action for e in tracked.events.all()] == ["accept", "request_information"]
