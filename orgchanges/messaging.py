"""Telling askers that their open questions moved to a successor agency: once per asker and operation.

An asker with several moved questions gets one message listing them all (not one per question); the
idempotency key names the operation and the asker, so applying or retrying cannot send it twice. The rows are
written to the notifications outbox in the applying transaction and delivered after commit.
"""

from collections import defaultdict

from django.conf import settings
from django.urls import reverse

from accounts.phones import normalise_mobile
from notifications.services import Recipient, notify_each
from qa.messaging import short_url
from qa.models import AskerContact, QuestionStatus

from .models import Reorganisation

KIND = "orgchanges.questions_moved"


def _recipient(contact: AskerContact):
    """(grouping key, recipient) for a contact, or None when there is no way to reach the asker."""
    question = contact.question
    if contact.email:
        asker = question.asker
        if asker is not None and asker.is_active and asker.email.lower() == contact.email.lower():
            return f"u{asker.pk}", asker
        return f"e{contact.email.lower()}", Recipient(email=contact.email.lower(), language=question.language)
    mobile = normalise_mobile(contact.phone)
    if mobile is None:
        return None
    return f"p{mobile}", Recipient(phone=mobile, language=question.language)


def contacts_to_tell(questions) -> list[AskerContact]:
    """The contacts of these (open) questions worth a message: confirmed, not erased. Read before they move."""
    return list(
        AskerContact.objects.filter(question__in=questions.exclude(status=QuestionStatus.UNVERIFIED).values("pk"))
        .filter(erased_at__isnull=True)
        .select_related("question__asker")
        .only(
            "name",
            "email",
            "phone",
            "question__reference",
            "question__title",
            "question__tracking_token",
            "question__language",
            "question__short_token",
            "question__asker__email",
            "question__asker__is_active",
            "question__asker__language",
        )
    )


def notify_askers_moved(operation: Reorganisation, moves: list[tuple[list[AskerContact], str]]) -> int:
    """One message per asker of the moved questions (confirmed ones only); returns how many askers.

    `moves`: per move, the contacts read before it and the name of the agency their questions went to.
    """
    # The tracking address of every question, without resolving a URL per question (thousands of them).
    track_base = settings.SITE_URL + reverse("qa:track", kwargs={"reference": "REF"}).removesuffix("REF/")
    groups: dict[str, dict] = defaultdict(lambda: {"questions": [], "recipient": None, "name": "", "first": None})
    for contacts, to_agency in moves:
        for contact in contacts:
            found = _recipient(contact)
            if found is None:
                continue
            key, recipient = found
            group = groups[key]
            question = contact.question
            group["recipient"] = recipient
            group["name"] = group["name"] or contact.name
            group["first"] = group["first"] or question
            group["questions"].append(
                {
                    "reference": question.reference,
                    "title": question.title,
                    "to_agency": to_agency,
                    "tracking_url": f"{track_base}{question.reference}/?token={question.tracking_token}",
                }
            )
    messages = []
    for key, group in groups.items():
        questions = sorted(group["questions"], key=lambda item: item["reference"])
        context = {
            "name": group["name"],
            "questions": questions,
            "to_agency": questions[0]["to_agency"],
            "url": questions[0]["tracking_url"],
        }
        if isinstance(group["recipient"], Recipient) and group["recipient"].phone:
            context["short_url"] = short_url(group["first"])
        messages.append(([group["recipient"]], context, f"{KIND}:op{operation.pk}:{key}"))
    notify_each(kind=KIND, messages=messages)
    return len(groups)
