"""The one place where the Q&A app sends messages (to askers and to agency staff).

Callers are services, inside their transaction. These functions turn a question
into plain JSON data with ready-made absolute links and hand it to
notifications.notify, which writes outbox rows in the same transaction and
delivers them after commit (so a rollback sends nothing, a broker outage loses
nothing). Kinds become "qa.<kind>" for askers and "qa.staff_<kind>" for staff;
their e-mails are rendered from templates/emails/qa/<kind>… (see docs/notifications.md).
"""

import datetime
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise

from notifications.services import Recipient, notify

from .models import AskerContact, Question


def _absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else f"{settings.SITE_URL}{path}"


def _jsonable(value):
    """Plain JSON for the outbox: lazy text evaluated, dates as ISO text, model objects by name."""
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def _extra(context: dict) -> dict:
    """The caller's extra context, with site paths in *_url values made absolute for e-mail."""
    data = _jsonable(context)
    for key, value in list(data.items()):
        if key.endswith("_url") and isinstance(value, str) and value.startswith("/"):
            data[key] = _absolute(value)
    return data


def question_data(question: Question) -> dict:
    """What templates may show about a question (its private title too: only the asker and staff get these)."""
    agency = question.agency
    topic = question.topic
    return {
        "id": question.pk,
        "reference": question.reference,
        "title": question.title,
        "public_title": question.public_title,
        "status": question.status,
        "language": question.language,
        "due_date": question.due_date.isoformat() if question.due_date else None,
        "agency": {"id": agency.pk, "name": agency.name, "code": agency.code, "slug": agency.slug},
        "topic": {"id": topic.pk, "name": topic.name} if topic else None,
    }


def _event_key(prefix: str, question: Question) -> str:
    # Each state change bumps the version: one message per kind and change, however often a caller repeats it.
    return f"{prefix}:q{question.pk}:v{question.version}"


def notify_asker(question: Question, kind: str, **context) -> None:
    """Send the asker the message `kind` about `question` (e-mail, plus in-app if they asked with their account)."""
    # The submission has just saved the contact (and so cached it on the question): no need to read it back.
    if Question.contact.is_cached(question):
        contact = getattr(question, "contact", None)  # None when known to be missing
    else:
        contact = AskerContact.objects.filter(question_id=question.pk).first()
    if contact is None or not contact.email:
        return
    tracking_url = _absolute(question.tracking_path())
    data = {
        "question": question_data(question),
        "name": contact.name,
        "tracking_url": tracking_url,
        "url": tracking_url,
        **_extra(context),
    }
    if kind == "confirm_email":
        data["confirm_url"] = _absolute(reverse("qa:confirm", kwargs={"token": context["confirm_token"]}))
        data["url"] = data["confirm_url"]
    asker = question.asker
    if asker is not None and asker.is_active and asker.email.lower() == contact.email.lower():
        recipient = asker
    else:
        recipient = Recipient(email=contact.email, language=question.language)
    notify(
        kind=f"qa.{kind}",
        recipients=[recipient],
        context=data,
        idempotency_key=_event_key(f"qa.{kind}", question),
    )


def notify_lost_links(email: str, question_ids: list[int], language: str) -> None:
    """E-mail an address the tracking links of its questions (each request is its own message)."""
    questions = Question.objects.filter(pk__in=question_ids).select_related("agency", "topic").order_by("-created_at")
    links = [[question_data(question), _absolute(question.tracking_path())] for question in questions]
    if not links:
        return
    notify(
        kind="qa.tracking_links",
        recipients=[Recipient(email=email, language=language)],
        context={"links": links},
        idempotency_key=f"qa.tracking_links:{uuid.uuid4().hex}",
    )


def notify_staff(question: Question, kind: str, *, user_ids: list[int], **context) -> None:
    """Tell agency staff (by user id) about `kind` on `question`, by e-mail and in-app, per their preferences."""
    ids = sorted({pk for pk in user_ids if pk is not None})
    if not ids:
        return
    users = list(get_user_model().objects.filter(pk__in=ids, is_active=True))
    staff_url = _absolute(reverse("staff:question", kwargs={"reference": question.reference}))
    data = {"question": question_data(question), "staff_url": staff_url, "url": staff_url, **_extra(context)}
    notify(
        kind=f"qa.staff_{kind}",
        recipients=users,
        context=data,
        idempotency_key=_event_key(f"qa.staff_{kind}", question),
    )
