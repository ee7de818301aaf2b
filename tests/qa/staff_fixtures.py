"""Builders for the workflow tests: staff with roles in an agency, and questions already in a given state.

A question "in state X" is built with the fields a real one would have there
(accepted_at and due date once accepted, paused_at while waiting, an answer once
drafted, sent once answered), so services see realistic rows.
"""

import datetime

from django.utils import timezone

from accounts.models import Agency, Membership
from qa.models import Answer, AnswerRevision, Question, QuestionGroup, QuestionStatus
from tests.factories import AgencyFactory, MembershipFactory, QuestionFactory, UserFactory

S = QuestionStatus
ANSWER_HTML = "<p>Sở Tài nguyên và Môi trường trả lời: hồ sơ gồm đơn đề nghị và <strong>bản sao sổ đỏ</strong>.</p>"


def staff(agency: Agency, *roles: str, **user_fields):
    user = UserFactory(**user_fields)
    for role in roles:
        MembershipFactory(user=user, agency=agency, role=role)
    return user


def moderator(agency: Agency, **kw):
    return staff(agency, Membership.Role.MODERATOR, **kw)


def question_in(status: str, agency: Agency | None = None, **fields):
    """A question of `agency` in `status`, with the fields that state implies."""
    agency = agency or AgencyFactory()
    today = timezone.localdate()
    now = timezone.now()
    defaults: dict = {"status": status, "agency": agency}
    if status not in (S.UNVERIFIED,):
        defaults["transfer_due_date"] = today + datetime.timedelta(days=7)
    if status in (S.ACCEPTED, S.INFORMATION_REQUESTED, S.IN_REVIEW, S.APPROVED, S.ANSWERED, S.PUBLISHED):
        defaults["accepted_at"] = now
        defaults["due_date"] = today + datetime.timedelta(days=21)
    if status == S.INFORMATION_REQUESTED:
        defaults["paused_at"] = now
    if status == S.GROUPED:
        defaults["accepted_at"] = now
        defaults["due_date"] = today + datetime.timedelta(days=21)
    if status in (S.ANSWERED, S.PUBLISHED, S.ANSWERED_BY_REFERENCE):
        defaults["answered_at"] = now
    if status == S.PUBLISHED:
        defaults["published_at"] = now
    if status == S.REJECTED:
        defaults["rejection_reason"] = "spam"
    defaults.update(fields)
    question = QuestionFactory(**defaults)
    if status == S.GROUPED and "group" not in fields:
        # A member needs its group: a primary in progress of the same agency leads it.
        primary = question_in(S.ACCEPTED, agency)
        group = QuestionGroup.objects.create(agency=agency, primary=primary, size=2)
        Question.objects.filter(pk__in=[primary.pk, question.pk]).update(group=group)
        question.group = group
    if status in (S.IN_REVIEW, S.APPROVED, S.ANSWERED, S.PUBLISHED):
        answer = Answer.objects.create(
            question=question,
            body=ANSWER_HTML,
            version=1,
            sent_at=now if status in (S.ANSWERED, S.PUBLISHED) else None,
        )
        AnswerRevision.objects.create(answer=answer, version=1, body=ANSWER_HTML)
    return question


def sent(outbox) -> list[tuple[str, str]]:
    """(notification kind, recipient) of each e-mail, independent of the wording and language of templates."""
    return [(message.extra_headers.get("X-Notification-Kind", ""), message.to[0]) for message in outbox]
