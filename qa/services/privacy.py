"""The privacy lifecycle of a question's personal data: who looked at it, erasure on request, retention.

- `personal_data_accessed` writes one PersonalDataAccess row per question a member of staff saw the
  personal data of (one INSERT for a whole page of rows).
- `erasure_request` (the asker, with the tracking token) e-mails a signed confirmation link;
  `erasure_confirm` (the link) erases. A question with only a phone number cannot get the link: there is
  no SMS channel yet, so the asker is told to contact the agency (see docs/security.md).
- `contacts_retention_sweep` (Celery beat) erases the contact data of questions closed for longer than
  QA_CONTACT_RETENTION_DAYS.

Erasing empties AskerContact, deletes the asker's private attachments, replaces the asker's own data in
the original title and text (and replies, rating comment) by the redactor's marker, unlinks the asker's
account and deletes the guest e-mail rows of the question (they hold the address and the name). The question and its
answer stay in the archive. The audit event holds no personal data.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import base36_to_int, int_to_base36
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.phones import normalise_mobile
from core.errors import DomainError, TransitionNotAllowed

from .. import personal_data, workflow
from .. import status as status_table
from ..cache import archive_changed
from ..messaging import notify_erasure_link
from ..models import AskerContact, Attachment, PersonalDataAccess, Question, QuestionStatus
from ..status import sorted_statuses
from .indexing import question_reindex
from .submission import check_tracking_token

logger = logging.getLogger(__name__)

ERASURE_SALT = "qa.erasure"
ERASURE_LINK_DAYS = 7
# Closed: nothing more will be asked of the asker, so their contact data is no longer needed.
CLOSED_STATUSES = tuple(sorted_statuses(status_table.CLOSED_STATUSES))  # qa.status.STATUS_TABLE
ERASABLE_STATUSES = (*CLOSED_STATUSES, QuestionStatus.UNVERIFIED)


class ErasureNotPossible(DomainError):
    code = "erasure_not_possible"


# --- Access log ----------------------------------------------------------------------------------


def personal_data_accessed(*, user: User, questions: Iterable[Question], surface: str) -> int:
    """Log that `user` saw the personal data of `questions` on `surface`: one INSERT whatever their number."""
    rows = [
        PersonalDataAccess(question_id=q.pk, agency_id=q.agency_id, user=user, surface=surface)
        for q in questions
        if q is not None
    ]
    if rows:
        PersonalDataAccess.objects.bulk_create(rows)
    return len(rows)


# --- Erasure on request ----------------------------------------------------------------------------


def _erasure_mac(pk: int, tracking_prefix: str, issued: int) -> str:
    # 80 bits of HMAC-SHA256, as Django's password-reset tokens truncate theirs: enough against guessing,
    # short enough that the SMS carrying the link stays one 160-character message.
    value = f"{pk}.{tracking_prefix}.{issued}"
    return salted_hmac(ERASURE_SALT, value, algorithm="sha256").hexdigest()[:20]


def make_erasure_token(question: Question) -> str:
    """A short signed link token: question id, issue time (both base 36) and a truncated HMAC.

    The tracking token's first characters are part of the signed value: a new tracking token would void old links.
    """
    issued = int(time.time())
    mac = _erasure_mac(question.pk, question.tracking_token[:8], issued)
    return f"{int_to_base36(question.pk)}-{int_to_base36(issued)}-{mac}"


def erasure_question(token: str) -> Question:
    invalid = ErasureNotPossible(_("This link is not valid or has expired. Ask again from the tracking page."))
    parts = token.split("-")
    if len(parts) != 3:
        raise invalid
    try:
        pk, issued = base36_to_int(parts[0]), base36_to_int(parts[1])
    except ValueError:
        raise invalid from None
    if not 0 <= time.time() - issued <= ERASURE_LINK_DAYS * 86400:
        raise invalid
    question = Question.objects.filter(pk=pk).select_related("agency").first()
    if question is None or not constant_time_compare(_erasure_mac(pk, question.tracking_token[:8], issued), parts[2]):
        raise invalid
    return question


def erasure_request(*, question: Question, token: str) -> None:
    """The asker asks to erase their personal data: a confirmation link goes to their e-mail address.

    Only for a closed question (answered, published, rejected, withdrawn) or one never confirmed: while the
    agency works on it, it needs a way to reach the asker. Records a public event (no personal data).
    """
    with transaction.atomic():
        locked = Question.objects.select_for_update(of=("self",)).select_related("agency").get(pk=question.pk)
        if not check_tracking_token(locked, token):
            raise TransitionNotAllowed(_("The tracking link is not valid."), code="bad_token")
        contact = AskerContact.objects.filter(question=locked).first()
        if contact is None or contact.erased_at is not None:
            raise ErasureNotPossible(_("The personal data of this question has already been erased."))
        if locked.status not in ERASABLE_STATUSES:
            raise ErasureNotPossible(
                _(
                    "The agency is still working on this question and needs your contact details. Withdraw the "
                    "question first, or ask again once it is answered."
                )
            )
        # A phone-only asker confirms by the link sent in an SMS to the number on the question.
        if not contact.email and normalise_mobile(contact.phone or "") is None:
            raise ErasureNotPossible(
                _(
                    "This question has no e-mail address or mobile number to confirm the request. Please contact "
                    "the agency, which will confirm your identity by phone."
                )
            )
        confirm_url = reverse("qa:erasure_confirm", kwargs={"token": make_erasure_token(locked)})
        notify_erasure_link(locked, contact, confirm_url)
        workflow.record_event(locked, "erasure_requested", is_public=True)


def erasure_confirm(*, token: str) -> Question:
    """The link from the e-mail: erase the asker's personal data now (idempotent: a second click changes nothing)."""
    question = erasure_question(token)
    return contact_erase(question=question, reason="request")


# --- The erasure itself ----------------------------------------------------------------------------


def _scrub(text: str, contact: AskerContact) -> str:
    """The text without the asker's own data, and without anything else that looks personal."""
    return personal_data.redact(text, contact) if text else text


def contact_erase(*, question: Question, reason: str) -> Question:
    """Anonymise one question's personal data (reason: "request" or "retention"); no-op if already erased."""
    with transaction.atomic():
        locked = Question.objects.select_for_update(of=("self",)).select_related("agency").get(pk=question.pk)
        contact = AskerContact.objects.select_for_update().filter(question=locked).first()
        if contact is None or contact.erased_at is not None:
            return locked
        old_email, old_phone = contact.email, normalise_mobile(contact.phone or "")
        locked.title = _scrub(locked.title, contact)[:200] or locked.reference
        locked.body = _scrub(locked.body, contact)
        locked.public_title = personal_data.redact_own(locked.public_title, contact)[:200]
        locked.public_body = personal_data.redact_own(locked.public_body, contact)
        locked.rating_comment = _scrub(locked.rating_comment, contact)
        locked.asker = None
        locked.save(update_fields=["title", "body", "public_title", "public_body", "rating_comment", "asker"])
        for reply in locked.replies.all():
            reply.body = _scrub(reply.body, contact)
            reply.save(update_fields=["body"])
        private_files = Attachment.objects.filter(question=locked).exclude(purpose=Attachment.Purpose.ANSWER)
        names = [a.file.name for a in private_files if a.file]
        removed = private_files.count()
        private_files.delete()
        for field in ("name", "email", "phone", "address", "organisation_name", "tax_code"):
            setattr(contact, field, "")
        contact.erased_at = timezone.now()
        contact.save()
        if old_email or old_phone:
            _scrub_outbox(locked, old_email, old_phone)
        if locked.status == QuestionStatus.PUBLISHED:
            question_reindex(question=locked)
            archive_changed()
        workflow.record_event(
            locked,
            "personal_data_erased",
            is_public=True,
            data={"reason": reason, "attachments_removed": removed},
        )
        transaction.on_commit(lambda: _delete_files(names))
    logger.info("personal data erased", extra={"question_id": locked.pk, "reason": reason})
    return locked


def _scrub_outbox(question: Question, email: str, phone: str | None = None) -> None:
    """Guest e-mail and SMS rows about this question go: each holds the address or number, the name and
    the original title.

    (Rows of a registered asker belong to their account and stay with it.)
    """
    from notifications.models import Notification

    guest = Q(email__iexact=email) if email else Q(pk__in=[])
    if phone:
        guest |= Q(phone=phone)
    Notification.objects.filter(guest, recipient__isnull=True, context__question__id=question.pk).delete()


def _delete_files(names: list[str]) -> None:
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            logger.warning("could not delete an erased attachment file", extra={"file": name})


# --- Retention ---------------------------------------------------------------------------------------


def contacts_retention_sweep(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Erase the contact data of questions closed for QA_CONTACT_RETENTION_DAYS (0 keeps everything).

    Closed since the answer for answered and published questions, since their last change for rejected
    and withdrawn ones. Idempotent (erased contacts are skipped); at most `limit` per run, the rest next run.
    """
    days = int(getattr(settings, "QA_CONTACT_RETENTION_DAYS", 0) or 0)
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    due = (
        Question.objects.filter(status__in=CLOSED_STATUSES, contact__isnull=False, contact__erased_at__isnull=True)
        .annotate(closed_at=Coalesce(F("answered_at"), F("updated_at")))
        .filter(Q(closed_at__lt=cutoff))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    erased = 0
    for pk in list(due):
        contact_erase(question=Question(pk=pk), reason="retention")
        erased += 1
    if erased:
        logger.info("contact data erased after the retention period", extra={"count": erased, "days": days})
    return erased
