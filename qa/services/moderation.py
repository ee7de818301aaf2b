"""What moderators do to a question: accept, reject, transfer, ask for information, assign, publish.

Every service here follows one contract: it runs in one transaction, re-reads the
question by primary key under `SELECT ... FOR NO KEY UPDATE` (so two officials
acting at once are serialised, and the second sees the first one's result),
checks the actor's roles in the question's current agency and the move against
qa.workflow's table, writes the change and its QuestionEvent, and queues
e-mails that leave only after commit (qa.messaging). `expected_version` is the
question version the actor's page showed: a different one means someone else
acted first, and the service refuses with TransitionNotAllowed("stale_version").
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Agency, User
from core.errors import DomainError

from .. import personal_data, workflow
from ..cache import archive_changed
from ..deadlines import answer_due_date, transfer_due_date
from ..messaging import notify_asker, notify_staff
from ..models import AnswerTemplate, InternalNote, Question, QuestionStatus, RejectionReason, TakedownReason, Topic
from ..permissions import can_be_assigned, can_manage_templates, staff_roles_or_deny
from ..sanitize import clean_answer_html, clean_plain_text
from ..text import nfc
from .indexing import question_reindex

MESSAGE_MAX = 5000
REASON_MAX = 1000
NOTE_MAX = 5000
PUBLIC_TITLE_MAX = 200
PUBLIC_BODY_MAX = 10000

# --- Helpers shared by the staff services ----------------------------------------------------


def lock_question(question: Question | int) -> Question:
    """Re-read the question under a row lock (its agency joined, not locked). Call inside a transaction."""
    pk = question.pk if isinstance(question, Question) else question
    return Question.objects.select_for_update(no_key=True, of=("self",)).select_related("agency").get(pk=pk)


def tell_asker(question: Question, kind: str, **context: Any) -> None:
    """notify_asker (which skips askers without an e-mail address, e.g. a question from a phone call)."""
    notify_asker(question, kind, **context)


def tell_staff(
    question: Question,
    kind: str,
    *,
    roles: Iterable[str] = (),
    user_ids: Iterable[int | None] = (),
    actor: User | None = None,
    **context: Any,
) -> None:
    """notify_staff for the given users plus everyone holding `roles` in the question's agency, minus the actor."""
    from ..staff.selectors import agency_staff_ids

    ids = {pk for pk in user_ids if pk is not None}
    if roles:
        ids |= set(agency_staff_ids(question.agency_id, roles))
    if actor is not None:
        ids.discard(actor.pk)
    notify_staff(question, kind, user_ids=sorted(ids), **context)


def required_text(value: str | None, *, field_name: str, message: str, max_length: int) -> str:
    """NFC text that must not be empty nor too long; ValidationError on the named field."""
    text = nfc(value)
    if not text:
        raise ValidationError({field_name: [message]})
    if len(text) > max_length:
        raise ValidationError(
            {
                field_name: [
                    _("This text can be at most %(max)d characters (it has %(n)d).")
                    % {"max": max_length, "n": len(text)}
                ]
            }
        )
    return text


def optional_text(value: str | None, *, field_name: str, max_length: int) -> str:
    text = nfc(value)
    if len(text) > max_length:
        raise ValidationError(
            {
                field_name: [
                    _("This text can be at most %(max)d characters (it has %(n)d).")
                    % {"max": max_length, "n": len(text)}
                ]
            }
        )
    return text


def _resolve_assignee(question: Question, assignee: User | int | str | None) -> User | None:
    if assignee is None:
        return None
    user = assignee if isinstance(assignee, User) else User.objects.filter(pk=assignee).first()
    if user is None or not user.is_active or not can_be_assigned(user, question.agency_id):
        raise ValidationError({"assignee": [_("This person cannot answer questions of this agency.")]})
    return user


def _raise_precondition(question: Question, action: str) -> None:
    error = workflow.precondition_error(question, action)
    if error is not None:
        raise error


STAFF_FOR_NEW_QUESTIONS = (workflow.MODERATOR, workflow.ADMIN)


# --- Accept, assign -------------------------------------------------------------------------


def question_accept(
    *,
    actor: User,
    question: Question,
    assignee: User | int | str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Question:
    """submitted → accepted: the answer clock starts (agency's working days from today).

    Locks the question. Optionally assigns an answerer (who is told after commit).
    """
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "accept", roles=roles, expected_version=expected_version)
        user = _resolve_assignee(locked, assignee)
        now = timezone.now()
        locked.accepted_at = now
        locked.due_date = answer_due_date(timezone.localdate(now), locked.agency.answer_deadline_days)
        locked.paused_at = None
        if user is not None:
            locked.assignee = user
        workflow.apply_transition(
            locked,
            "accept",
            actor=actor,
            roles=roles,
            internal_note=optional_text(note, field_name="note", max_length=NOTE_MAX),
            data={"due_date": locked.due_date.isoformat(), **({"assignee_id": user.pk} if user else {})},
        )
        if user is not None:
            tell_staff(locked, "assigned", user_ids=[user.pk], actor=actor)
    return locked


def question_assign(
    *,
    actor: User,
    question: Question,
    assignee: User | int | str | None,
    note: str = "",
    expected_version: int | None = None,
) -> Question:
    """Give the question to an answerer of its agency (None takes it back). The new assignee is told."""
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "assign", roles=roles, expected_version=expected_version)
        user = _resolve_assignee(locked, assignee)
        previous_id = locked.assignee_id
        locked.assignee = user
        workflow.apply_transition(
            locked,
            "assign",
            actor=actor,
            roles=roles,
            internal_note=optional_text(note, field_name="note", max_length=NOTE_MAX),
            data={
                "assignee_id": user.pk if user else None,
                "assignee_name": user.get_full_name() if user else "",
                "previous_assignee_id": previous_id,
            },
        )
        if user is not None and user.pk != previous_id:
            tell_staff(locked, "assigned", user_ids=[user.pk], actor=actor)
    return locked


# --- Reject ---------------------------------------------------------------------------------


def _resolve_duplicate(question: Question, duplicate_of: Question | str | None) -> Question:
    if duplicate_of is None or duplicate_of == "":
        raise ValidationError({"duplicate_of": [_("Give the reference code of the question this one duplicates.")]})
    original: Question | None
    if isinstance(duplicate_of, Question):
        original = duplicate_of
    else:
        original = Question.objects.filter(reference=nfc(duplicate_of).upper()).first()
    if original is None:
        raise ValidationError({"duplicate_of": [_("No question has this reference code.")]})
    if original.pk == question.pk:
        raise ValidationError({"duplicate_of": [_("A question cannot duplicate itself.")]})
    # Linking another agency's private question would show its existence to staff who may not see it.
    if original.agency_id != question.agency_id and original.status != QuestionStatus.PUBLISHED:
        raise ValidationError(
            {"duplicate_of": [_("Link a question of this agency, or a published question of another agency.")]}
        )
    return original


def question_reject(
    *,
    actor: User,
    question: Question,
    reason: str,
    message: str,
    duplicate_of: Question | str | None = None,
    internal_note: str = "",
    expected_version: int | None = None,
) -> Question:
    """Refuse a question with a reason (RejectionReason) and a message the asker receives.

    A duplicate names the question it duplicates (same agency, or published).
    The message is on the asker's timeline and in the e-mail sent after commit.
    """
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "reject", roles=roles, expected_version=expected_version)
        _raise_precondition(locked, "reject")  # a group's primary keeps its members
        if reason not in RejectionReason.values:
            raise ValidationError({"reason": [_("Choose a reason for rejecting the question.")]})
        text = required_text(
            message,
            field_name="message",
            message=_("Write a message to the asker explaining the rejection."),
            max_length=MESSAGE_MAX,
        )
        original = _resolve_duplicate(locked, duplicate_of) if reason == RejectionReason.DUPLICATE else None
        locked.rejection_reason = reason
        locked.duplicate_of = original
        locked.paused_at = None
        data = {"reason": reason}
        if original is not None:
            data["duplicate_of"] = original.reference
        workflow.apply_transition(
            locked,
            "reject",
            actor=actor,
            roles=roles,
            note=text,
            internal_note=optional_text(internal_note, field_name="internal_note", max_length=NOTE_MAX),
            data=data,
        )
        with translation.override(locked.language):
            reason_label = str(RejectionReason(reason).label)
        tell_asker(
            locked,
            "rejected",
            message=text,
            reason=reason,
            reason_label=reason_label,
            duplicate_of=original.reference if original else "",
        )
    return locked


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # reference → why


def question_reject_many(
    *,
    actor: User,
    questions: Iterable[Question],
    reason: str = RejectionReason.SPAM,
    message: str,
) -> BulkResult:
    """Bulk rejection (spam waves): each question in its own transaction, so one refusal stops nothing else."""
    result = BulkResult()
    for question in questions:
        try:
            question_reject(actor=actor, question=question, reason=reason, message=message)
        except ValidationError:
            raise  # the same input is wrong for every question: say so once
        except (DomainError, PermissionDenied) as exc:
            result.refused[question.reference] = str(getattr(exc, "message", exc))
        else:
            result.done.append(question.reference)
    return result


# --- Transfer -------------------------------------------------------------------------------


def question_transfer(
    *,
    actor: User,
    question: Question,
    to_agency: Agency | int,
    reason: str,
    internal_note: str = "",
    expected_version: int | None = None,
) -> Question:
    """Hand the question to the competent agency: it becomes `submitted` in that agency's queue.

    The assignee, acceptance and answer deadline are cleared (the new agency
    decides); its transfer clock (5 working days) starts today. The asker and the
    new agency's moderators are told after commit. The reference code stays, so
    the asker's link keeps working.
    """
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "transfer", roles=roles, expected_version=expected_version)
        _raise_precondition(locked, "transfer")  # a group's primary keeps its members
        target_id = to_agency.pk if isinstance(to_agency, Agency) else to_agency
        target = Agency.objects.filter(pk=target_id, is_active=True).first()
        if target is None:
            raise ValidationError({"agency": [_("Choose an active agency to transfer the question to.")]})
        if target.pk == locked.agency_id:
            raise ValidationError({"agency": [_("The question is already with this agency.")]})
        text = required_text(
            reason,
            field_name="reason",
            message=_("Say why the question belongs to the other agency."),
            max_length=REASON_MAX,
        )
        source = locked.agency
        now = timezone.now()
        locked.agency = target
        locked.assignee = None
        locked.accepted_at = None
        locked.due_date = None
        locked.paused_at = None
        locked.received_at = now
        locked.transfer_due_date = transfer_due_date(timezone.localdate(now))
        workflow.apply_transition(
            locked,
            "transfer",
            actor=actor,
            roles=roles,
            note=text,
            internal_note=optional_text(internal_note, field_name="internal_note", max_length=NOTE_MAX),
            data={
                "from_agency_id": source.pk,
                "from_agency": source.name,
                "to_agency_id": target.pk,
                "to_agency": target.name,
            },
        )
        tell_asker(locked, "transferred", from_agency=source.name, to_agency=target.name, reason=text)
        tell_staff(
            locked,
            "new_question",
            roles=STAFF_FOR_NEW_QUESTIONS,
            from_agency=source.name,
            transfer_due_date=locked.transfer_due_date,
        )
    return locked


# --- Request information --------------------------------------------------------------------


def question_request_information(
    *,
    actor: User,
    question: Question,
    message: str,
    expected_version: int | None = None,
) -> Question:
    """Ask the asker for more; the answer clock pauses until they reply from the tracking page.

    The message is on the asker's timeline and in the e-mail sent after commit.
    """
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "request_information", roles=roles, expected_version=expected_version)
        text = required_text(
            message,
            field_name="message",
            message=_("Write what the asker should add."),
            max_length=MESSAGE_MAX,
        )
        locked.paused_at = timezone.now()
        workflow.apply_transition(locked, "request_information", actor=actor, roles=roles, note=text)
        tell_asker(locked, "information_requested", message=text)
    return locked


# --- Public version, publish, unpublish -----------------------------------------------------


def _clean_public_version(public_title: str, public_body: str) -> tuple[str, str]:
    title = clean_plain_text(public_title).replace("\n", " ")
    body = clean_plain_text(public_body)
    errors: dict[str, list[str]] = {}
    if not title:
        errors["public_title"] = [_("Enter the public title.")]
    elif len(title) > PUBLIC_TITLE_MAX:
        errors["public_title"] = [
            _("The public title can be at most %(max)d characters (it has %(n)d).")
            % {"max": PUBLIC_TITLE_MAX, "n": len(title)}
        ]
    if not body:
        errors["public_body"] = [_("Enter the public text of the question.")]
    elif len(body) > PUBLIC_BODY_MAX:
        errors["public_body"] = [
            _("The public text can be at most %(max)d characters (it has %(n)d).")
            % {"max": PUBLIC_BODY_MAX, "n": len(body)}
        ]
    if errors:
        raise ValidationError(errors)
    return title, body


def _confirmed_audit(question: Question, confirmed_findings: Iterable[str]) -> dict:
    """Check what would become public; the event keeps the kinds the official confirmed, never the text."""
    confirmed = personal_data.check_publishable(
        question,
        public_title=question.public_title,
        public_body=question.public_body,
        confirmed=confirmed_findings,
    )
    if not confirmed:
        return {}
    return {"confirmed_personal_data": sorted({f"{ff.field}:{ff.finding.kind}" for ff in confirmed})}


def question_public_version_save(
    *,
    actor: User,
    question: Question,
    public_title: str,
    public_body: str,
    expected_version: int | None = None,
    confirmed_findings: Iterable[str] = (),
) -> Question:
    """Save the redacted public title and text (plain text); the original stays as the asker wrote it.

    On a published question the text is public at once, so it is checked like publishing (PersonalDataFound
    while the asker's own data is in it, unless each finding is confirmed).
    """
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "edit_public", roles=roles, expected_version=expected_version)
        locked.public_title, locked.public_body = _clean_public_version(public_title, public_body)
        data = {}
        if locked.status == QuestionStatus.PUBLISHED:
            data = _confirmed_audit(locked, confirmed_findings)
        workflow.apply_transition(locked, "edit_public", actor=actor, roles=roles, data=data)
        if locked.status == QuestionStatus.PUBLISHED:
            question_reindex(question=locked)
            archive_changed()
    return locked


def question_publish(
    *,
    actor: User,
    question: Question,
    public_title: str,
    public_body: str,
    expected_version: int | None = None,
    confirmed_findings: Iterable[str] = (),
) -> Question:
    """answered → published, with the moderator's redacted public version; only if the asker consented.

    Refused (PersonalDataFound) while the public title, text or the answer still hold the asker's own
    data or an ID number, unless the official confirms each finding. Reindexes the search text and tells
    the asker after commit.
    """
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "publish", roles=roles, expected_version=expected_version)
        _raise_precondition(locked, "publish")
        locked.public_title, locked.public_body = _clean_public_version(public_title, public_body)
        data = _confirmed_audit(locked, confirmed_findings)
        locked.published_at = timezone.now()
        workflow.apply_transition(locked, "publish", actor=actor, roles=roles, data=data)
        question_reindex(question=locked)
        archive_changed()
        tell_asker(locked, "published", public_url=locked.get_absolute_url())
    return locked


def question_unpublish(
    *,
    actor: User,
    question: Question,
    reason: str = "",
    category: str = "",
    expected_version: int | None = None,
) -> Question:
    """published → answered: the question leaves the archive (the asker keeps reading the answer).

    `category` (a TakedownReason, "other" when not given) is what the public takedown log shows; `reason` stays
    internal.
    """
    with transaction.atomic():
        locked = lock_question(question)
        roles = staff_roles_or_deny(actor, locked)
        workflow.authorize(locked, "unpublish", roles=roles, expected_version=expected_version)
        if category and category not in TakedownReason.values:
            raise ValidationError({"category": [_("Choose why the question leaves the archive.")]})
        locked.published_at = None
        workflow.apply_transition(
            locked,
            "unpublish",
            actor=actor,
            roles=roles,
            internal_note=optional_text(reason, field_name="reason", max_length=REASON_MAX),
            data={"category": category or TakedownReason.OTHER},
        )
        archive_changed()
    return locked


# --- Internal notes -------------------------------------------------------------------------


def internal_note_add(*, actor: User, question: Question, body: str) -> InternalNote:
    """A note only the agency's staff see. No lock: it adds a row and changes nothing it read."""
    fresh = Question.objects.select_related("agency").get(pk=question.pk)
    roles = staff_roles_or_deny(actor, fresh)
    workflow.authorize(fresh, "add_note", roles=roles)
    text = required_text(body, field_name="body", message=_("Write the note."), max_length=NOTE_MAX)
    return InternalNote.objects.create(question=fresh, author=actor, body=text)


# --- Answer templates (mẫu trả lời) ---------------------------------------------------------


def _template_fields(title: str, body: str, topic: Topic | int | None) -> dict:
    clean_title = required_text(title, field_name="title", message=_("Enter a title."), max_length=200)
    clean_body = clean_answer_html(body)
    if not clean_body:
        raise ValidationError({"body": [_("Enter the text of the template.")]})
    topic_obj = None
    if topic is not None:
        topic_obj = topic if isinstance(topic, Topic) else Topic.objects.filter(pk=topic).first()
        if topic_obj is None:
            raise ValidationError({"topic": [_("Choose a topic.")]})
    return {"title": clean_title, "body": clean_body, "topic": topic_obj}


def answer_template_create(
    *, actor: User, agency: Agency, title: str, body: str, topic: Topic | int | None = None
) -> AnswerTemplate:
    """A starting text for answers of this agency (optionally one topic); sanitised like answers."""
    if not can_manage_templates(actor, agency):
        raise PermissionDenied(_("Only moderators of this agency manage its answer templates."))
    return AnswerTemplate.objects.create(agency=agency, **_template_fields(title, body, topic))


def answer_template_update(
    *, actor: User, template: AnswerTemplate, title: str, body: str, topic: Topic | int | None = None
) -> AnswerTemplate:
    if not can_manage_templates(actor, template.agency_id):
        raise PermissionDenied(_("Only moderators of this agency manage its answer templates."))
    for name, value in _template_fields(title, body, topic).items():
        setattr(template, name, value)
    template.save()
    return template


def answer_template_delete(*, actor: User, template: AnswerTemplate) -> None:
    if not can_manage_templates(actor, template.agency_id):
        raise PermissionDenied(_("Only moderators of this agency manage its answer templates."))
    template.delete()
