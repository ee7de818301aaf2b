"""Moderators' services in detail (input rules, e-mails) and the staff queue selectors (filters, counts, query cost)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from core.errors import TransitionNotAllowed
from qa import services
from qa.deadlines import DeadlineClock
from qa.models import AnswerTemplate, Channel, InternalNote, Question, QuestionEvent
from qa.models import QuestionStatus as S
from qa.staff import selectors as staff_selectors
from qa.staff.selectors import QueueFilters, staff_queue, staff_queue_counts
from tests.factories import AgencyFactory, TopicFactory, UserFactory
from tests.qa.staff_fixtures import moderator, question_in, staff

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


# --- Reject ---------------------------------------------------------------------------------


def test_reject_needs_a_reason_and_a_message(django_capture_on_commit_callbacks):
    agency = AgencyFactory()
    mod = moderator(agency)
    question = question_in(S.SUBMITTED, agency)
    with pytest.raises(ValidationError) as invalid:
        services.question_reject(actor=mod, question=question, reason="boring", message="x")
    assert "reason" in invalid.value.message_dict
    with pytest.raises(ValidationError) as invalid:
        services.question_reject(actor=mod, question=question, reason="out_of_scope", message="  ")
    assert "message" in invalid.value.message_dict
    question.refresh_from_db()
    assert question.status == S.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        rejected = services.question_reject(
            actor=mod,
            question=question,
            reason="out_of_scope",
            message="Câu hỏi về án dân sự thuộc thẩm quyền của Tòa án.",
            internal_note="Đã gọi điện giải thích.",
        )
    assert (rejected.status, rejected.rejection_reason) == (S.REJECTED, "out_of_scope")
    event = QuestionEvent.objects.get(question=question, action="reject")
    assert event.note == "Câu hỏi về án dân sự thuộc thẩm quyền của Tòa án."
    assert event.internal_note == "Đã gọi điện giải thích." and event.data == {"reason": "out_of_scope"}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [question.contact.email]
    assert "Tòa án" in message.body
    assert "Đã gọi điện" not in message.body  # internal notes never reach the asker


def test_reject_as_duplicate_links_a_visible_question():
    agency = AgencyFactory()
    mod = moderator(agency)
    question = question_in(S.SUBMITTED, agency)
    same_agency = question_in(S.ACCEPTED, agency)
    other_private = question_in(S.ACCEPTED, AgencyFactory())
    other_published = question_in(S.PUBLISHED, AgencyFactory())
    for duplicate_of in (None, "KHONG-CO-MA", question.reference, other_private.reference):
        with pytest.raises(ValidationError) as invalid:
            services.question_reject(
                actor=mod, question=question, reason="duplicate", message="Trùng.", duplicate_of=duplicate_of
            )
        assert "duplicate_of" in invalid.value.message_dict, duplicate_of
    rejected = services.question_reject(
        actor=mod, question=question, reason="duplicate", message="Trùng.", duplicate_of=same_agency.reference.lower()
    )
    assert rejected.duplicate_of == same_agency
    second = question_in(S.SUBMITTED, agency)
    assert (
        services.question_reject(
            actor=mod, question=second, reason="duplicate", message="Đã trả lời.", duplicate_of=other_published
        ).duplicate_of
        == other_published
    )
    assert QuestionEvent.objects.get(question=second, action="reject").data["duplicate_of"] == other_published.reference


def test_bulk_reject_for_spam_reports_what_it_could_not_do():
    agency = AgencyFactory()
    mod = moderator(agency)
    spam = [question_in(S.SUBMITTED, agency) for _ in range(3)]
    answered = question_in(S.ANSWERED, agency)
    elsewhere = question_in(S.SUBMITTED, AgencyFactory())
    result = services.question_reject_many(actor=mod, questions=[*spam, answered, elsewhere], message="Tin rác.")
    assert result.done == [q.reference for q in spam]
    assert set(result.refused) == {answered.reference, elsewhere.reference}
    assert Question.objects.filter(pk__in=[q.pk for q in spam], status=S.REJECTED, rejection_reason="spam").count() == 3
    with pytest.raises(ValidationError):
        services.question_reject_many(actor=mod, questions=[question_in(S.SUBMITTED, agency)], message="")


# --- Transfer, request information, assign ---------------------------------------------------


def test_transfer_refuses_same_or_inactive_agency_and_needs_a_reason():
    agency = AgencyFactory()
    mod = moderator(agency)
    question = question_in(S.SUBMITTED, agency)
    inactive = AgencyFactory(is_active=False)
    for target, reason, field in ((agency, "x", "agency"), (inactive, "x", "agency"), (AgencyFactory(), "", "reason")):
        with pytest.raises(ValidationError) as invalid:
            services.question_transfer(actor=mod, question=question, to_agency=target, reason=reason)
        assert field in invalid.value.message_dict
    assert Question.objects.get(pk=question.pk).agency_id == agency.pk


def test_request_information_pauses_and_tells_the_asker(django_capture_on_commit_callbacks):
    agency = AgencyFactory()
    answerer = staff(agency, "answerer")
    question = question_in(S.ACCEPTED, agency)
    with pytest.raises(ValidationError):
        services.question_request_information(actor=answerer, question=question, message="")
    with django_capture_on_commit_callbacks(execute=True):
        waiting = services.question_request_information(
            actor=answerer, question=question, message="Xin gửi bản sao giấy chứng nhận quyền sử dụng đất."
        )
    assert waiting.status == S.INFORMATION_REQUESTED and waiting.paused_at is not None
    assert mail.outbox[0].to == [question.contact.email]
    assert "giấy chứng nhận" in mail.outbox[0].body
    assert question.tracking_path().split("?")[0] in mail.outbox[0].body


def test_assign_only_to_people_who_can_answer_in_that_agency(django_capture_on_commit_callbacks):
    agency = AgencyFactory()
    mod = moderator(agency)
    question = question_in(S.ACCEPTED, agency)
    for wrong in (staff(AgencyFactory(), "answerer"), staff(agency, "reviewer"), UserFactory(), 999999):
        with pytest.raises(ValidationError) as invalid:
            services.question_assign(actor=mod, question=question, assignee=wrong)
        assert "assignee" in invalid.value.message_dict
    answerer = staff(agency, "answerer")
    with django_capture_on_commit_callbacks(execute=True):
        assigned = services.question_assign(actor=mod, question=question, assignee=answerer.pk)
    assert assigned.assignee == answerer
    assert [m.to for m in mail.outbox] == [[answerer.email]]
    unassigned = services.question_assign(actor=mod, question=question, assignee=None)
    assert unassigned.assignee is None
    assert [e.data["assignee_id"] for e in QuestionEvent.objects.filter(question=question, action="assign")] == [
        answerer.pk,
        None,
    ]


def test_public_version_is_plain_text_and_reindexed_when_published():
    agency = AgencyFactory()
    mod = moderator(agency)
    question = question_in(S.PUBLISHED, agency, public_title="Cũ", public_body="Cũ")
    saved = services.question_public_version_save(
        actor=mod,
        question=question,
        public_title="Hỏi về <b>thuế</b> đất",
        public_body="Ông <script>x()</script>A hỏi &amp; đề nghị",
    )
    assert (saved.public_title, saved.public_body) == ("Hỏi về thuế đất", "Ông A hỏi & đề nghị")
    assert "thue dat" in Question.objects.get(pk=question.pk).search_text
    assert QuestionEvent.objects.filter(question=question, action="edit_public", is_public=False).count() == 1


# --- Notes, templates -----------------------------------------------------------------------


def test_internal_notes_for_staff_of_the_agency_only():
    agency = AgencyFactory()
    question = question_in(S.ANSWERED, agency)
    reviewer = staff(agency, "reviewer")
    note = services.internal_note_add(actor=reviewer, question=question, body="Đã xác minh với phòng Đăng ký đất.")
    assert (note.author, note.body) == (reviewer, "Đã xác minh với phòng Đăng ký đất.")
    with pytest.raises(PermissionDenied):
        services.internal_note_add(actor=moderator(AgencyFactory()), question=question, body="x")
    with pytest.raises(ValidationError):
        services.internal_note_add(actor=reviewer, question=question, body=" ")
    assert InternalNote.objects.filter(question=question).count() == 1


def test_answer_templates_are_kept_by_moderators_and_sanitised():
    agency = AgencyFactory()
    land = TopicFactory()
    mod = moderator(agency)
    template = services.answer_template_create(
        actor=mod, agency=agency, topic=land, title="Cấp sổ đỏ", body="<p>Kính gửi ông/bà,</p><script>x</script>"
    )
    assert template.body == "<p>Kính gửi ông/bà,</p>"
    general = services.answer_template_create(actor=mod, agency=agency, title="Chung", body="<p>Trân trọng.</p>")
    with pytest.raises(PermissionDenied):
        services.answer_template_create(actor=staff(agency, "answerer"), agency=agency, title="x", body="<p>x</p>")
    with pytest.raises(PermissionDenied):
        services.answer_template_delete(actor=moderator(AgencyFactory()), template=template)
    question = question_in(S.ACCEPTED, agency, topic=land)
    other_topic = question_in(S.ACCEPTED, agency)
    assert list(staff_selectors.answer_templates_for(question)) == [template, general]
    assert list(staff_selectors.answer_templates_for(other_topic)) == [general]
    services.answer_template_update(actor=mod, template=general, title="Chung 2", body="<p>Kính thư.</p>")
    services.answer_template_delete(actor=mod, template=template)
    assert list(AnswerTemplate.objects.values_list("title", flat=True)) == ["Chung 2"]


# --- Registration on the asker's behalf ------------------------------------------------------


def _register(actor, agency, **overrides):
    data = {
        "actor": actor,
        "agency": agency,
        "topic": TopicFactory(),
        "channel": Channel.PHONE,
        "title": "Hỏi về thời hạn nộp thuế đất",
        "body": "Bà Lan gọi điện hỏi thời hạn nộp tiền sử dụng đất năm nay.",
        "asker_type": "individual",
        "name": "Vũ Thị Lan",
        "phone": "0912 345 678",
    }
    data.update(overrides)
    return services.question_register(**data)


def test_staff_register_a_phone_question_without_email(django_capture_on_commit_callbacks):
    agency = AgencyFactory(code="HP-STC")
    mod, other_mod = moderator(agency), moderator(agency)
    with django_capture_on_commit_callbacks(execute=True):
        question = _register(mod, agency, received_on=datetime.date.today() - datetime.timedelta(days=1))
    assert (question.status, question.channel) == (S.SUBMITTED, Channel.PHONE)
    assert question.reference.startswith("HP-STC-")
    assert question.contact.email == "" and question.contact.phone == "0912345678"
    assert question.transfer_due_date is not None
    event = QuestionEvent.objects.get(question=question)
    assert (event.action, event.actor, event.from_status, event.data["channel"]) == (
        "register",
        mod,
        S.UNVERIFIED,
        "phone",
    )
    # No e-mail for the asker; the other moderator hears of the new question, the one who typed it does not.
    assert [m.to for m in mail.outbox] == [[other_mod.email]]
    assert [q.pk for q in staff_queue(user=mod, tab="new")] == [question.pk]


def test_registration_rules():
    agency = AgencyFactory()
    mod = moderator(agency)
    with pytest.raises(PermissionDenied):
        _register(staff(agency, "answerer"), agency)
    with pytest.raises(PermissionDenied):
        _register(moderator(AgencyFactory()), agency)
    with pytest.raises(ValidationError) as invalid:
        _register(mod, agency, channel=Channel.WEB, phone="", title="")
    assert {"channel", "phone", "title"} <= set(invalid.value.message_dict)
    with pytest.raises(ValidationError) as invalid:
        _register(mod, agency, channel=Channel.EMAIL, email="")
    assert "email" in invalid.value.message_dict
    with pytest.raises(ValidationError) as invalid:
        _register(mod, agency, received_on=datetime.date.today() + datetime.timedelta(days=2))
    assert "received_on" in invalid.value.message_dict
    by_email = _register(mod, agency, channel=Channel.EMAIL, email="Lan@Example.vn", phone="")
    assert by_email.contact.email == "lan@example.vn"
    assert Question.objects.count() == 1


# --- The queue -------------------------------------------------------------------------------


def test_queue_is_scoped_to_the_users_agencies():
    mine, theirs = AgencyFactory(), AgencyFactory()
    mod = moderator(mine)
    own = question_in(S.SUBMITTED, mine)
    question_in(S.SUBMITTED, theirs)
    question_in(S.UNVERIFIED, mine)  # not in any queue until confirmed
    assert [q.pk for q in staff_queue(user=mod, tab="all")] == [own.pk]
    assert staff_queue(user=UserFactory(), tab="all").count() == 0
    # Asking for another agency's queue gives nothing, not its questions.
    assert staff_queue(user=mod, tab="all", filters=QueueFilters(agency_ids=(theirs.pk,))).count() == 0


def test_queue_tabs_and_counts_in_one_query(django_assert_num_queries):
    agency = AgencyFactory()
    mod = moderator(agency)
    for status, n in ((S.SUBMITTED, 3), (S.ACCEPTED, 2), (S.APPROVED, 1), (S.INFORMATION_REQUESTED, 1)):
        for _ in range(n):
            question_in(status, agency)
    for status in (S.IN_REVIEW, S.ANSWERED, S.PUBLISHED, S.REJECTED, S.WITHDRAWN):
        question_in(status, agency)
    clock = DeadlineClock.for_today()
    staff_selectors.staff_agency_ids(mod)  # roles are cached on the user for the request
    with django_assert_num_queries(1):
        counts = staff_queue_counts(user=mod, clock=clock)
    assert counts == {
        "new": 3,
        "in_progress": 3,
        "waiting": 1,
        "review": 1,
        "answered": 2,
        "rejected": 1,
        "withdrawn": 1,
        "all": 12,
    }


def test_queue_filters():
    agency = AgencyFactory()
    mod = moderator(agency)
    answerer = staff(agency, "answerer")
    topic = TopicFactory()
    clock = DeadlineClock.for_today(datetime.date(2027, 3, 1))
    overdue = question_in(S.ACCEPTED, agency, due_date=datetime.date(2027, 2, 26), assignee=answerer)
    soon = question_in(S.IN_REVIEW, agency, due_date=datetime.date(2027, 3, 2), topic=topic)
    late_transfer = question_in(S.SUBMITTED, agency, transfer_due_date=datetime.date(2027, 2, 20))
    later = question_in(
        S.ACCEPTED, agency, due_date=datetime.date(2027, 4, 1), title="Hỏi về đền bù giải phóng mặt bằng"
    )
    paused = question_in(S.INFORMATION_REQUESTED, agency, due_date=datetime.date(2027, 2, 1))  # not overdue

    def refs(**kw):
        tab = kw.pop("tab", "all")
        ordering = kw.pop("ordering", "due")
        return [
            q.pk for q in staff_queue(user=mod, tab=tab, filters=QueueFilters(**kw), clock=clock, ordering=ordering)
        ]

    assert set(refs(due="overdue")) == {overdue.pk, late_transfer.pk}
    assert refs(due="soon") == [soon.pk]
    assert refs(topic_id=topic.pk) == [soon.pk]
    assert refs(assignee=answerer.pk) == [overdue.pk]
    assert overdue.pk not in refs(assignee="none")
    assert refs(search="den bu giai phong") == [later.pk]
    assert refs(search=later.reference) == [later.pk]
    assert refs(search=overdue.contact.email.upper()) == [overdue.pk]
    # Sorted by the deadline that matters now, soonest first, no deadline last.
    assert refs(ordering="due") == [paused.pk, late_transfer.pk, overdue.pk, soon.pk, later.pk]
    assert refs(ordering="-due") == [later.pk, soon.pk, overdue.pk, late_transfer.pk, paused.pk]
    counts = staff_queue_counts(user=mod, filters=QueueFilters(due="overdue"), clock=clock)
    assert (counts["new"], counts["in_progress"], counts["all"]) == (1, 1, 2)


def test_queue_query_count_is_constant_as_rows_grow(django_assert_num_queries):
    agency = AgencyFactory()
    mod = moderator(agency)
    answerer = staff(agency, "answerer")

    def page_queries():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        mod.__dict__.pop("_agency_roles_cache", None)
        with CaptureQueriesContext(connection) as captured:
            clock = DeadlineClock.for_today()
            staff_queue_counts(user=mod, clock=clock)
            rows = list(staff_queue(user=mod, tab="all", clock=clock)[:20])
            for row in rows:  # what a list row shows
                (row.agency.name, row.topic.name, row.assignee and row.assignee.email, clock.state(row))
        return len(captured), len(rows)

    for _ in range(2):
        question_in(S.ACCEPTED, agency, assignee=answerer)
    small, rows_small = page_queries()
    for _ in range(15):
        question_in(S.ACCEPTED, agency, assignee=staff(agency, "answerer"))
        question_in(S.SUBMITTED, agency)
    large, rows_large = page_queries()
    assert (rows_small, rows_large) == (2, 20)
    assert small == large <= 4


# --- The question page -------------------------------------------------------------------------


def test_staff_question_detail_is_complete_and_scoped(django_assert_max_num_queries):
    agency = AgencyFactory()
    mod, answerer = moderator(agency), staff(agency, "answerer")
    question = question_in(S.SUBMITTED, agency)
    services.question_accept(actor=mod, question=question, assignee=answerer)
    services.answer_draft_save(actor=answerer, question=question, body="<p>Bản nháp</p>", expected_version=None)
    services.internal_note_add(actor=mod, question=question, body="Ghi chú nội bộ")
    mod.__dict__.pop("_agency_roles_cache", None)
    with django_assert_max_num_queries(12):
        detail = staff_selectors.staff_question(user=mod, reference=question.reference)
        assert detail.contact.email == question.contact.email
        assert [e.actor.email for e in detail.events] == [mod.email]
    assert [n.body for n in detail.notes] == ["Ghi chú nội bộ"]
    assert detail.answer.body == "<p>Bản nháp</p>" and [r.version for r in detail.revisions] == [1]
    assert "assign" in detail.actions and "accept" not in detail.actions
    assert detail.can_add_note and detail.can_edit_answer
    assert detail.deadline == Question.objects.get(pk=question.pk).due_date
    # Another agency's question is "not found", like an unknown reference (issue 11: no existence leak).
    with pytest.raises(Http404):
        staff_selectors.staff_question(user=moderator(AgencyFactory()), reference=question.reference)
    with pytest.raises(Http404):
        staff_selectors.staff_question(user=mod, reference="HP-KHONG-CO")
    with pytest.raises(TransitionNotAllowed):
        services.question_accept(actor=mod, question=question)
