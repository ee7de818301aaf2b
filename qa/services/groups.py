"""Repeated questions answered once: linking a duplicate to a published answer, and groups of the same question.

Why: the same question asked by fifty people was answered fifty times. Two moves avoid it.

- **Answered by reference** (`question_answer_by_reference`): a new question that a published answer already
  answers is closed in the status `answered_by_reference`; the asker receives a copy of that answer (their own
  Answer row, so their tracking page and the "answered" message work as for any answer).
- **Groups** (`group_merge`, `group_leave`, `group_answer_members`): questions in progress of one agency join a
  primary question; the group is drafted, reviewed and answered once, on the primary. When the primary's answer
  is sent (`qa.services.answers.answer_send`) every member gets a copy, a `answer_group` event and its own
  message, under its own reference code and tracking link. A member may leave before that.

Who may merge: a moderator or admin of the agency, and only questions of that one agency (a group is answered
by one agency). A question in an agency where the actor holds no role is refused as unknown (PermissionDenied,
403): it says nothing about whether the reference exists. Questions of another agency the actor does work for
are refused with a 409 that tells to transfer first. An answer that names one of the askers cannot go to the
whole group: `group_answer_members` refuses it (409 `personal_data`) before anything is sent.

Every service here follows qa.services.moderation's contract: one transaction, rows locked, moves through
qa.workflow, messages after commit. The order of the locks keeps two officials from waiting for each other
(PostgreSQL would then abort one of them):
- a merge locks the primary and the questions it merges in primary-key order, so two merges never deadlock;
- everything that touches a group's existing members locks the group's primary first, then the members in
  primary-key order, then the group's row: sending the answer (answer_send locks the primary), a member leaving
  (group_leave locks the primary before the member), the primary withdrawn (group_release).
A member that left or was withdrawn while the answer was being sent is skipped, not answered
(group_members_to_answer re-reads the members under their locks). tests/qa/test_groups_concurrency.py runs them
against each other on PostgreSQL.
"""

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import TransitionNotAllowed

from .. import personal_data, workflow
from ..models import Answer, AskerContact, Attachment, Question, QuestionGroup, QuestionStatus
from ..permissions import staff_roles, staff_roles_or_deny
from ..sanitize import html_to_text
from ..text import nfc
from .moderation import NOTE_MAX, lock_question, optional_text, tell_asker

# At most this many questions are merged in one request (a form or API call lists their reference codes).
MERGE_MAX = 50


def _raise_precondition(question: Question, action: str) -> None:
    error = workflow.precondition_error(question, action)
    if error is not None:
        raise error


def _copy_answer(source: Answer, target: Question, *, sent_at: datetime.datetime) -> Answer:
    """The target's own copy of a sent answer (and of its documents, the same stored files)."""
    answer, _created = Answer.objects.update_or_create(
        question=target,
        defaults={
            "body": source.body,
            "author_id": source.author_id,
            "approved_by_id": source.approved_by_id,
            "signed_by": source.signed_by,
            "sent_at": sent_at,
            "version": 1,
        },
    )
    documents = Attachment.objects.filter(question_id=source.question_id, purpose=Attachment.Purpose.ANSWER)
    Attachment.objects.bulk_create(
        Attachment(
            question=target,
            purpose=Attachment.Purpose.ANSWER,
            file=document.file.name,
            original_name=document.original_name,
            content_type=document.content_type,
            size=document.size,
        )
        for document in documents
    )
    return answer


def _tell_answered(question: Question, answer: Answer, **context: Any) -> None:
    tell_asker(
        question,
        "answered",
        answer_html=answer.body,
        answer_text=html_to_text(answer.body),
        signed_by=answer.signed_by,
        **context,
    )


# --- Answered by reference -------------------------------------------------------------------


def _published_answer(question: Question, reference: str | Question | None) -> Question:
    """The published question whose answer is sent; ValidationError on `answer_reference` otherwise."""
    if isinstance(reference, Question):
        original: Question | None = reference
    else:
        code = nfc(reference).upper()
        if not code:
            raise ValidationError({"answer_reference": [_("Give the reference code of a published answer.")]})
        original = Question.objects.filter(reference=code).first()
    if original is not None and original.pk == question.pk:
        raise ValidationError({"answer_reference": [_("A question cannot be answered by itself.")]})
    # Only published answers: another agency's private question would otherwise reveal that it exists.
    if original is None or original.status != QuestionStatus.PUBLISHED:
        raise ValidationError(
            {"answer_reference": [_("No published answer has this reference code. Link a published answer.")]}
        )
    return original


def question_answer_by_reference(
    *,
    actor: User,
    question: Question,
    answer_reference: str | Question,
    note: str = "",
    expected_version: int | None = None,
) -> Question:
    """submitted / accepted → answered_by_reference: the asker receives the published answer of another question.

    Any agency's published answer may be linked (it is public). `note` goes to the asker with the answer.
    """
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "answer_by_reference", roles=roles, expected_version=expected_version)
        _raise_precondition(locked, "answer_by_reference")
        original = _published_answer(locked, answer_reference)
        source = Answer.objects.filter(question=original).first()
        if source is None or not html_to_text(source.body):
            raise ValidationError({"answer_reference": [_("This published question has no answer to send.")]})
        text = optional_text(note, field_name="note", max_length=NOTE_MAX)
        now = timezone.now()
        answer = _copy_answer(source, locked, sent_at=now)
        locked.duplicate_of = original
        locked.answered_at = now
        locked.paused_at = None
        workflow.apply_transition(
            locked,
            "answer_by_reference",
            actor=actor,
            roles=roles,
            note=text,
            data={"answer_reference": original.reference},
        )
        _tell_answered(locked, answer, message=text, published_url=original.get_absolute_url())
    return locked


# --- Groups ------------------------------------------------------------------------------------


def _references(value: str | Iterable[str]) -> list[str]:
    """Reference codes from a list or from text (commas, spaces or new lines between them), upper case, once each."""
    parts = value.replace(",", " ").split() if isinstance(value, str) else [str(v) for v in value]
    return list(dict.fromkeys(nfc(part).strip().upper() for part in parts if nfc(part).strip()))


def _lock_many(pks: Iterable[int]) -> dict[int, Question]:
    rows = (
        Question.objects.select_for_update(no_key=True, of=("self",))
        .select_related("agency")
        .filter(pk__in=sorted(set(pks)))
        .order_by("pk")
    )
    return {row.pk: row for row in rows}


def group_merge(
    *,
    actor: User,
    question: Question,
    references: str | Iterable[str],
    note: str = "",
    expected_version: int | None = None,
) -> Question:
    """Merge the questions named by `references` into `question`'s group, `question` being the primary.

    All must be in progress (accepted) in the primary's agency, none in another group; each member moves to
    `grouped` with its `merge` event, the primary gets a `group_merged` event. Refusals: no reference or the
    primary itself (400), a question not found or in an agency without the actor's role (403, the same for both),
    another agency, another state or another group (409). Nothing is merged unless everything can be.
    """
    codes = _references(references)
    if not codes:
        raise ValidationError({"references": [_("Give the reference codes of the questions to merge.")]})
    if len(codes) > MERGE_MAX:
        raise ValidationError(
            {"references": [_("At most %(max)d questions can be merged at once.") % {"max": MERGE_MAX}]}
        )
    with transaction.atomic():
        found = dict(Question.objects.filter(reference__in=codes).values_list("reference", "pk"))
        primary_pk = question.pk
        locked = _lock_many([primary_pk, *found.values()])
        primary = locked[primary_pk]
        roles = staff_roles_or_deny(actor, primary)
        workflow.authorize(primary, "merge", roles=roles, expected_version=expected_version)
        _raise_precondition(primary, "merge")
        if primary.reference in codes:
            raise ValidationError({"references": [_("A question cannot be merged with itself.")]})
        members: list[tuple[Question, set[str]]] = []
        for code in codes:
            member = locked.get(found.get(code, 0))
            member_roles = staff_roles(actor, member) if member is not None else set()
            if member is None or member.status == QuestionStatus.UNVERIFIED or not member_roles:
                raise PermissionDenied(
                    _("%(reference)s cannot be merged: no such question in an agency where you have a role.")
                    % {"reference": code}
                )
            if not workflow.TRANSITIONS["merge"].roles & member_roles:
                raise PermissionDenied(
                    _("Your role in the agency of %(reference)s does not allow merging.") % {"reference": code}
                )
            if member.agency_id != primary.agency_id:
                raise TransitionNotAllowed(
                    _(
                        "%(reference)s belongs to another agency. Only questions of one agency can be merged: "
                        "transfer it to %(agency)s first."
                    )
                    % {"reference": code, "agency": primary.agency.name},
                    code="other_agency",
                    current_state=member.status,
                )
            if member.group_id is not None:
                raise TransitionNotAllowed(
                    _("%(reference)s is already in a group.") % {"reference": code},
                    code="already_grouped",
                    current_state=member.status,
                )
            if member.status != primary.status:
                raise TransitionNotAllowed(
                    _(
                        "%(reference)s is “%(status)s”: only questions in progress can be merged, "
                        "all in the same state. Accept it first."
                    )
                    % {"reference": code, "status": QuestionStatus(member.status).label},
                    code="different_state",
                    current_state=member.status,
                )
            members.append((member, member_roles))
        group = QuestionGroup.objects.select_for_update().filter(primary=primary).first()
        if group is None:
            group = QuestionGroup.objects.create(agency_id=primary.agency_id, primary=primary, created_by=actor)
            primary.group = group
            primary.save(update_fields=["group", "updated_at"])
        text = optional_text(note, field_name="note", max_length=NOTE_MAX)
        for member, member_roles in members:
            member.group = group
            workflow.apply_transition(
                member,
                "merge",
                actor=actor,
                roles=member_roles,
                internal_note=text,
                data={"group": group.pk, "primary": primary.reference},
            )
        group.size = Question.objects.filter(group=group).count()
        group.save(update_fields=["size"])
        primary.version += 1
        primary.save(update_fields=["version", "updated_at"])
        workflow.record_event(
            primary,
            "group_merged",
            actor=actor,
            internal_note=text,
            data={"group": group.pk, "members": [m.reference for m, _r in members]},
        )
    return primary


def _leave(member: Question, group: QuestionGroup, *, actor: User | None, roles: set[str], note: str) -> None:
    """Move a locked member out of its locked group (and tell the primary's timeline)."""
    member.group = None
    workflow.apply_transition(
        member,
        "leave_group",
        actor=actor,
        roles=roles,
        internal_note=note,
        data={"group": group.pk, "primary": group.primary.reference},
    )
    workflow.record_event(
        group.primary, "group_left", actor=actor, internal_note=note, data={"member": member.reference}
    )


def _shrink(group: QuestionGroup) -> None:
    """Recount the group; a group left with its primary alone is dissolved."""
    size = Question.objects.filter(group=group).count()
    if size <= 1:
        Question.objects.filter(group=group).update(group=None)
        group.delete()
    else:
        group.size = size
        group.save(update_fields=["size"])


def group_leave(
    *,
    actor: User,
    question: Question,
    note: str = "",
    expected_version: int | None = None,
) -> Question:
    """grouped → accepted: a member leaves its group before the answer is sent and is handled on its own again."""
    with transaction.atomic():
        # The primary first, as the answer's sending does (it locks the primary, then its members): locking the
        # member first let a leave and a send each hold what the other waited for.
        primary_id = Question.objects.filter(pk=question.pk).values_list("group__primary_id", flat=True).first()
        if primary_id is not None and primary_id != question.pk:
            lock_question(primary_id)
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "leave_group", roles=roles, expected_version=expected_version)
        group = QuestionGroup.objects.select_for_update().select_related("primary").get(pk=locked.group_id or 0)
        _leave(
            locked, group, actor=actor, roles=roles, note=optional_text(note, field_name="note", max_length=NOTE_MAX)
        )
        _shrink(group)
    return locked


def group_release(*, question: Question) -> None:
    """The primary left the work (the asker withdrew it): every member goes back to its own handling.

    Called by the withdrawal inside its transaction, on the locked primary.
    """
    group = QuestionGroup.objects.select_for_update().select_related("primary").filter(primary=question).first()
    if group is None:
        return
    member_ids = Question.objects.filter(group=group, status=QuestionStatus.GROUPED).values_list("pk", flat=True)
    for member in _lock_many(member_ids).values():
        _leave(member, group, actor=None, roles={workflow.SYSTEM}, note="")
    Question.objects.filter(group=group).update(group=None)
    question.group = None  # the caller saves the primary next
    group.delete()


def group_member_left(*, question: Question) -> None:
    """A member withdrawn by its asker leaves its group's count (called by the withdrawal, row locked)."""
    if question.group_id is None:
        return
    group = QuestionGroup.objects.select_for_update().filter(pk=question.group_id).first()
    question.group = None
    Question.objects.filter(pk=question.pk).update(group=None)
    if group is not None:
        _shrink(group)


def _check_answer_names_nobody(answer: Answer, members: list[Question], primary: Question) -> None:
    """An answer that names one of the askers must not reach the others: refuse to send it to the group."""
    text = html_to_text(answer.body)
    contacts = AskerContact.objects.filter(question__in=[primary, *members], erased_at__isnull=True)
    for contact in contacts:
        if any(finding.own for finding in personal_data.find(text, contact)):
            raise TransitionNotAllowed(
                _(
                    "The answer contains the name or contact details of an asker of this group, and it goes to "
                    "every asker. Remove them from the answer (write a general salutation) and send again."
                ),
                code="personal_data",
                current_state=primary.status,
            )


def group_members_to_answer(primary: Question) -> list[Question]:
    """The members waiting for the primary's answer (locked), before it is sent; empty for a lone question.

    Called with the primary locked: no member can join meanwhile (a merge locks the primary). One that left or
    was withdrawn while this waited for its row is read again under the lock and skipped.
    """
    if primary.group_id is None or QuestionGroup.objects.filter(pk=primary.group_id, primary=primary).count() == 0:
        return []
    ids = Question.objects.filter(group_id=primary.group_id, status=QuestionStatus.GROUPED).values_list("pk", flat=True)
    return [
        member
        for member in _lock_many(ids).values()
        if member.group_id == primary.group_id and member.status == QuestionStatus.GROUPED
    ]


def group_answer_members(*, actor: User, primary: Question, answer: Answer, members: list[Question]) -> None:
    """Send the primary's answer to every member: a copy, an `answer_group` event and a message each.

    Called by answer_send inside its transaction, on locked rows, before the primary's own move (so a refusal
    sends nothing).
    """
    if not members:
        return
    _check_answer_names_nobody(answer, members, primary)
    now = answer.sent_at or timezone.now()
    for member in members:
        copy = _copy_answer(answer, member, sent_at=now)
        member.answered_at = now
        member.paused_at = None
        workflow.apply_transition(
            member,
            "answer_group",
            actor=actor,
            roles={workflow.SYSTEM},
            data={"group": primary.group_id, "primary": primary.reference, "answer_version": answer.version},
        )
        _tell_answered(member, copy)
