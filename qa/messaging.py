"""The one place where the Q&A app sends messages (to askers and to agency staff).

Callers are services, inside their transaction. These functions turn a question
into plain JSON data with ready-made absolute links and hand it to
notifications.notify, which writes outbox rows in the same transaction and
delivers them after commit (so a rollback sends nothing, a broker outage loses
nothing). Kinds become "qa.<kind>" for askers and "qa.staff_<kind>" for staff;
their e-mails are rendered from templates/emails/qa/<kind>… (see docs/notifications.md).
"""

import datetime
import secrets
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.urls import reverse
from django.utils.functional import Promise

from accounts.phones import normalise_mobile
from notifications.kinds import spec_for
from notifications.models import Channel
from notifications.services import Recipient, notify

from .models import AskerContact, Question

_SHORT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


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


def short_url(question: Question) -> str:
    """The question's short tracking link for SMS (/s/<token>/), made the first time it is needed."""
    if not question.short_token:
        token = "".join(secrets.choice(_SHORT_ALPHABET) for _ in range(10))
        Question.objects.filter(pk=question.pk, short_token__isnull=True).update(short_token=token)
        question.short_token = Question.objects.filter(pk=question.pk).values_list("short_token", flat=True).get()
    return _absolute(reverse("qa:short_link", kwargs={"token": question.short_token}))


def notify_asker(question: Question, kind: str, *, event: str = "", **context) -> None:
    """Send the asker the message `kind` about `question`: e-mail (plus in-app if they asked with their
    account), or SMS with a short link when they gave a mobile number and no e-mail.

    `event` tells apart messages of one kind at one version (each confirmation code sent).
    """
    # The submission has just saved the contact (and so cached it on the question): no need to read it back.
    if Question.contact.is_cached(question):
        contact = getattr(question, "contact", None)  # None when known to be missing
    else:
        contact = AskerContact.objects.filter(question_id=question.pk).first()
    if contact is None:
        return
    mobile = None if contact.email else normalise_mobile(contact.phone)
    if not contact.email and mobile is None:
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
    if mobile is not None:
        recipient = Recipient(phone=mobile, language=question.language)
        if kind != "confirm_phone" and Channel.SMS in spec_for(f"qa.{kind}").channels:
            data["short_url"] = short_url(question)
    elif asker is not None and asker.is_active and asker.email.lower() == contact.email.lower():
        recipient = asker
    else:
        recipient = Recipient(email=contact.email, language=question.language)
    key = _event_key(f"qa.{kind}", question)
    notify(
        kind=f"qa.{kind}",
        recipients=[recipient],
        context=data,
        idempotency_key=f"{key}:{event}" if event else key,
    )


def notify_lost_links(email: str, question_ids: list[int], language: str, *, phone: str = "") -> None:
    """Send an address (or, with `phone`, a mobile number by SMS with short links) the tracking links of its
    questions (each request is its own message)."""
    questions = Question.objects.filter(pk__in=question_ids).select_related("agency", "topic").order_by("-created_at")
    if phone:
        questions = list(questions)[:3]  # an SMS is short: the three newest
        links = [
            [question_data(question), _absolute(question.tracking_path()), short_url(question)]
            for question in questions
        ]
    else:
        links = [[question_data(question), _absolute(question.tracking_path())] for question in questions]
    if not links:
        return
    notify(
        kind="qa.tracking_links",
        recipients=[Recipient(phone=phone, language=language) if phone else Recipient(email=email, language=language)],
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


def notify_erasure_link(question: Question, contact: AskerContact, confirm_url: str) -> None:
    """E-mail the asker the link that confirms the erasure of their personal data (each request its own message);
    by SMS to an asker who gave only a mobile number."""
    mobile = None if contact.email else normalise_mobile(contact.phone)
    data = {
        "question": question_data(question),
        "name": contact.name,
        "confirm_url": _absolute(confirm_url),
        "url": _absolute(confirm_url),
        "valid_days": 7,
    }
    notify(
        kind="qa.erasure_confirm",
        recipients=[
            Recipient(phone=mobile, language=question.language)
            if mobile
            else Recipient(email=contact.email, language=question.language)
        ],
        context=data,
        idempotency_key=f"qa.erasure_confirm:q{question.pk}:{uuid.uuid4().hex}",
    )
