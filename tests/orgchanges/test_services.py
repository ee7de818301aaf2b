"""Merge, split, rename, move and close: what moves, what stays, what is refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.lineage import current_successor, name_then_and_now, predecessor_ids
from accounts.models import Agency, AgencySuccession, Membership
from core.errors import TransitionNotAllowed
from notifications.models import Notification
from orgchanges import services
from orgchanges.models import Reorganisation, ReorganisationEvent, Status
from qa.models import AnswerTemplate, Question, QuestionEvent, QuestionStatus
from qa.services.submission import next_reference
from tests.factories import AgencyFactory, QuestionFactory

from .helpers import PAST, merged, site_admin, two_departments

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def _snapshot(questions):
    return {
        q.pk: (q.status, q.due_date, q.transfer_due_date, q.paused_at, q.accepted_at, q.reference)
        for q in Question.objects.filter(pk__in=[q.pk for q in questions])
    }


def test_merge_into_a_new_agency_moves_open_questions_with_their_clocks():
    world = two_departments()
    admin = site_admin()
    before = _snapshot(world["open"])
    template = AnswerTemplate.objects.create(agency=world["tnmt"], title="Mẫu", body="Nội dung")

    operation = merged(world, admin)

    successor = Agency.objects.get(code="HP-SNNMT")
    assert operation.status == Status.APPLIED and operation.target == successor
    after = _snapshot(world["open"])
    assert after == before  # same state, same deadline, clock paused where it was, same reference
    assert set(Question.objects.filter(pk__in=before).values_list("agency_id", flat=True)) == {successor.pk}
    # History stays with the agency that answered.
    world["answered"].refresh_from_db()
    assert world["answered"].agency == world["tnmt"]
    # A public timeline event in the asker's language.
    event = QuestionEvent.objects.get(question=world["open"][1], action="reorganised")
    assert event.is_public
    assert event.note == "Chuyển sang Sở Nông nghiệp và Môi trường do sắp xếp tổ chức bộ máy"
    # Staff, templates, the tree and the lineage.
    assert Membership.objects.filter(agency=successor, user=world["moderator"], role="moderator").exists()
    assert Membership.objects.filter(agency=successor, user=world["answerer"], role="answerer").exists()
    assert not Membership.objects.filter(agency__in=[world["tnmt"], world["nnptnt"]]).exists()
    template.refresh_from_db()
    assert template.agency == successor
    assert successor.parent == world["parent"] and successor.review_required is False
    world["tnmt"].refresh_from_db()
    assert world["tnmt"].is_active is False
    assert current_successor(world["tnmt"]) == successor
    assert predecessor_ids([successor.pk]) == {world["tnmt"].pk, world["nnptnt"].pk}
    assert name_then_and_now(world["tnmt"], datetime.date(2024, 5, 1)) == (
        "Sở Tài nguyên và Môi trường (nay là Sở Nông nghiệp và Môi trường)"
    )
    # The audit log names the counts.
    applied = ReorganisationEvent.objects.get(operation=operation, action="apply")
    assert applied.data["open_questions"] == 3 and applied.actor == admin


def test_new_questions_get_the_successors_code_and_old_codes_stay():
    world = two_departments()
    old_reference = world["open"][0].reference
    merged(world, site_admin())
    successor = Agency.objects.get(code="HP-SNNMT")
    assert next_reference(successor, 2026).startswith("HP-SNNMT-2026-")
    world["open"][0].refresh_from_db()
    assert world["open"][0].reference == old_reference


def test_applying_twice_changes_nothing_the_second_time():
    world = two_departments()
    admin = site_admin()
    operation = merged(world, admin)
    counts = (QuestionEvent.objects.count(), Notification.objects.count(), Agency.objects.count())
    versions = list(Question.objects.order_by("pk").values_list("version", flat=True))

    again = services.reorganisation_apply(actor=admin, operation=operation)

    assert again.status == Status.APPLIED
    assert (QuestionEvent.objects.count(), Notification.objects.count(), Agency.objects.count()) == counts
    assert list(Question.objects.order_by("pk").values_list("version", flat=True)) == versions


def test_each_asker_is_notified_once_even_with_several_moved_questions():
    world = two_departments()
    same = world["open"][0].contact.email
    second = world["open"][1].contact
    second.email = same
    second.save()

    merged(world, site_admin())

    rows = Notification.objects.filter(kind="orgchanges.questions_moved", channel="email")
    assert sorted(rows.values_list("email", flat=True)) == sorted({same, world["open"][2].contact.email})
    mine = rows.get(email=same)
    assert sorted(q["reference"] for q in mine.context["questions"]) == sorted(
        [world["open"][0].reference, world["open"][1].reference]
    )


def test_unassigned_when_the_assignee_does_not_follow():
    world = two_departments()
    question = world["open"][1]
    question.assignee = world["moderator"]
    question.save()
    membership = Membership.objects.get(user=world["moderator"])
    admin = site_admin()
    merged_op = _merge_into_parent(world, admin)
    services.reorganisation_preview(actor=admin, operation=merged_op, membership_choices={membership.pk: None})
    services.reorganisation_apply(actor=admin, operation=merged_op)
    question.refresh_from_db()
    assert question.agency == world["parent"] and question.assignee is None
    assert not Membership.objects.filter(user=world["moderator"]).exists()


def test_merge_into_an_existing_agency_keeps_its_settings():
    world = two_departments()
    existing = AgencyFactory(name="Sở Nông nghiệp và Môi trường", code="HP-SNNMT", answer_deadline_days=20)
    merged_op = merged(world, site_admin(), target=existing, new_name="", new_slug="", new_code="")
    existing.refresh_from_db()
    assert merged_op.target == existing and existing.answer_deadline_days == 20
    assert Question.objects.filter(agency=existing).count() == 3
    assert set(AgencySuccession.objects.filter(successor=existing).values_list("predecessor__code", flat=True)) == {
        "HP-STNMT",
        "HP-SNNPTNT",
    }


def _refused(**values):
    world = two_departments()
    admin = site_admin()
    before = (
        list(Question.objects.order_by("pk").values_list("agency_id", "status", "version")),
        Agency.objects.filter(is_active=True).count(),
    )
    defaults = {"kind": "merge", "sources": [world["tnmt"], world["nnptnt"]], "effective_date": PAST}
    defaults.update({key: (value(world) if callable(value) else value) for key, value in values.items()})
    operation = services.reorganisation_create(actor=admin, **defaults)
    with pytest.raises(ValidationError) as caught:
        services.reorganisation_preview(actor=admin, operation=operation)
    operation.refresh_from_db()
    assert operation.status == Status.DRAFT
    after = (
        list(Question.objects.order_by("pk").values_list("agency_id", "status", "version")),
        Agency.objects.filter(is_active=True).count(),
    )
    assert after == before
    return " ".join(caught.value.messages)


def test_a_merge_without_a_successor_is_refused():
    assert "Sáp nhập cần có cơ quan kế thừa" in _refused()


def test_an_agency_code_already_in_use_is_refused():
    message = _refused(new_name="Sở mới", new_slug="so-moi", new_code="HP-STNMT")
    assert "Mã HP-STNMT đã được cơ quan khác dùng" in message


def test_closing_an_agency_with_open_questions_needs_a_successor():
    message = _refused(kind="close", sources=lambda w: [w["tnmt"]])
    assert "vẫn còn 2 câu hỏi chưa xử lý xong" in message


def test_a_cycle_in_the_agency_tree_is_refused():
    message = _refused(kind="move", sources=lambda w: [w["parent"]], new_parent=lambda w: w["tnmt"])
    assert "vòng lặp trong sơ đồ tổ chức" in message


def test_overlapping_split_rules_are_refused():
    message = _refused(
        kind="split",
        sources=lambda w: [w["tnmt"]],
        rules=lambda w: [(w["parent"], [w["land"]]), (w["nnptnt"], [w["land"]])],
    )
    assert "nằm trong hai quy tắc" in message


def test_a_refusal_reads_in_english_for_an_english_speaker():
    from django.utils import translation

    with translation.override("en"):
        message = _refused()
    assert "A merge needs a successor" in message


def test_a_split_places_questions_by_topic_and_by_the_admins_choice():
    world = two_departments()
    admin = site_admin()
    other_topic_question = QuestionFactory(agency=world["tnmt"], topic=world["farming"], status=QuestionStatus.ACCEPTED)
    land_office = AgencyFactory(name="Văn phòng Đăng ký đất đai", code="HP-VPDKDD")
    operation = services.reorganisation_create(
        actor=admin,
        kind="split",
        sources=[world["tnmt"]],
        effective_date=PAST,
        rules=[(land_office, [world["land"]])],
    )
    with pytest.raises(ValidationError, match="không có quy tắc"):
        services.reorganisation_preview(actor=admin, operation=operation)
    preview = services.reorganisation_preview(
        actor=admin, operation=operation, manual_choices={other_topic_question.pk: world["nnptnt"].pk}
    )
    assert preview["open_questions"] == 3
    services.reorganisation_apply(actor=admin, operation=operation)
    assert Question.objects.filter(agency=land_office).count() == 2
    other_topic_question.refresh_from_db()
    assert other_topic_question.agency == world["nnptnt"]


def test_rename_keeps_the_old_name_for_history_and_the_old_address():
    world = two_departments()
    admin = site_admin()
    operation = services.reorganisation_create(
        actor=admin,
        kind="rename",
        sources=[world["tnmt"]],
        effective_date=PAST,
        new_name="Sở Nông nghiệp và Môi trường",
        new_slug="so-nn-mt",
        new_code="HP-SNNMT",
    )
    services.reorganisation_preview(actor=admin, operation=operation)
    services.reorganisation_apply(actor=admin, operation=operation)
    agency = Agency.objects.get(pk=world["tnmt"].pk)
    assert (agency.name, agency.slug, agency.code, agency.is_active) == (
        "Sở Nông nghiệp và Môi trường",
        "so-nn-mt",
        "HP-SNNMT",
        True,
    )
    assert name_then_and_now(agency, datetime.date(2024, 1, 1)) == (
        "Sở Tài nguyên và Môi trường (nay là Sở Nông nghiệp và Môi trường)"
    )
    assert name_then_and_now(agency, datetime.date(2025, 6, 1)) == "Sở Nông nghiệp và Môi trường"
    # The old code can never be given to another agency.
    with pytest.raises(ValidationError, match="đã được cơ quan khác dùng"):
        services.reorganisation_preview(
            actor=admin,
            operation=services.reorganisation_create(
                actor=admin, kind="rename", sources=[world["nnptnt"]], effective_date=PAST, new_code="HP-STNMT"
            ),
        )


def test_move_under_another_parent():
    world = two_departments()
    admin = site_admin()
    operation = services.reorganisation_create(
        actor=admin, kind="move", sources=[world["nnptnt"]], effective_date=PAST, new_parent=world["tnmt"]
    )
    services.reorganisation_preview(actor=admin, operation=operation)
    services.reorganisation_apply(actor=admin, operation=operation)
    world["nnptnt"].refresh_from_db()
    assert world["nnptnt"].parent == world["tnmt"]


def _merge_into_parent(world, admin) -> Reorganisation:
    """A draft: both departments into the city committee (an existing agency)."""
    return services.reorganisation_create(
        actor=admin,
        kind="merge",
        sources=[world["tnmt"], world["nnptnt"]],
        effective_date=PAST,
        target=world["parent"],
    )


def test_apply_needs_a_preview_and_a_date_that_has_come():
    world = two_departments()
    admin = site_admin()
    operation = _merge_into_parent(world, admin)
    with pytest.raises(TransitionNotAllowed):
        services.reorganisation_apply(actor=admin, operation=operation)
    future = timezone.localdate() + datetime.timedelta(days=10)
    Reorganisation.objects.filter(pk=operation.pk).update(effective_date=future)
    operation.refresh_from_db()
    services.reorganisation_preview(actor=admin, operation=operation)
    with pytest.raises(ValidationError, match="hãy hẹn ngày thực hiện"):
        services.reorganisation_apply(actor=admin, operation=operation)
    assert Question.objects.filter(agency=world["parent"]).count() == 0


def test_a_scheduled_date_in_the_past_is_refused_and_beat_applies_on_the_date():
    world = two_departments()
    admin = site_admin()
    operation = _merge_into_parent(world, admin)
    services.reorganisation_preview(actor=admin, operation=operation)
    with pytest.raises(ValidationError, match="phải có ngày sau hôm nay"):
        services.reorganisation_schedule(actor=admin, operation=operation)
    operation.refresh_from_db()
    assert operation.status == Status.PREVIEWED

    date = timezone.localdate() + datetime.timedelta(days=3)
    Reorganisation.objects.filter(pk=operation.pk).update(effective_date=date)
    services.reorganisation_schedule(actor=admin, operation=operation)
    assert services.reorganisations_apply_due(today=date - datetime.timedelta(days=1)) == []
    assert services.reorganisations_apply_due(today=date) == [operation.pk]
    operation.refresh_from_db()
    assert operation.status == Status.APPLIED
    assert Question.objects.filter(agency=world["parent"]).count() == 3


def test_a_scheduled_operation_that_became_impossible_is_logged_not_applied():
    world = two_departments()
    admin = site_admin()
    operation = services.reorganisation_create(
        actor=admin, kind="close", sources=[world["nnptnt"]], effective_date=PAST, target=world["tnmt"]
    )
    services.reorganisation_preview(actor=admin, operation=operation)
    date = timezone.localdate() + datetime.timedelta(days=3)
    Reorganisation.objects.filter(pk=operation.pk).update(effective_date=date)
    services.reorganisation_schedule(actor=admin, operation=operation)
    Agency.objects.filter(pk=world["tnmt"].pk).update(is_active=False)  # the successor went away meanwhile
    assert services.reorganisations_apply_due(today=date) == []
    operation.refresh_from_db()
    assert operation.status == Status.SCHEDULED
    assert ReorganisationEvent.objects.filter(operation=operation, action="failed").exists()


def test_only_site_administrators_reorganise():
    world = two_departments()
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.reorganisation_create(
            actor=world["moderator"], kind="close", sources=[world["nnptnt"]], effective_date=PAST
        )
