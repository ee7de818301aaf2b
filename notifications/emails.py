"""Rendering a notification into an e-mail (and its title for the in-app list).

Templates are looked up per kind "<app>.<name>": first emails/<app>/<name>, then
emails/notifications/<app>/<name> (the ones this app ships). Each has a
_subject.txt, a .txt and a .html; a missing .txt is derived from the .html, a
missing .html sends text only, a missing subject is a permanent failure.
Everything is rendered in the recipient's language with the stored JSON context.
"""

import hashlib
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, select_template
from django.urls import reverse
from django.utils import translation

from accounts.plaintext import render_plain, text_from_html
from core import outbox

from .kinds import spec_for
from .models import Notification
from .tokens import make_unsubscribe_token


class NoAddress(Exception):
    """The row has nowhere to go (user without e-mail): retrying will not help."""


def language_of(code: str | None) -> str:
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def absolute(path: str) -> str:
    return path if path.startswith(("http://", "https://")) else f"{settings.SITE_URL}{path}"


def template_bases(kind: str) -> list[str]:
    spec = spec_for(kind)
    return [f"emails/{spec.app}/{spec.name}", f"emails/notifications/{spec.app}/{spec.name}"]


def _subject_template(kind: str) -> Any:
    return select_template([f"{base}_subject.txt" for base in template_bases(kind)])


def unsubscribe_url(notification: Notification) -> str:
    token = make_unsubscribe_token(
        kind=notification.kind,
        user_id=notification.recipient_id,
        email="" if notification.recipient_id else notification.email,
    )
    return absolute(reverse("notifications:unsubscribe", kwargs={"token": token}))


def render_context(notification: Notification, language: str) -> dict:
    spec = spec_for(notification.kind)
    context = dict(notification.context or {})
    recipient = notification.recipient if notification.recipient_id else None
    # Per-recipient greeting for messages that went to several people with one context.
    context.setdefault("name", recipient.get_full_name() if recipient else "")
    context.update(
        {
            "PORTAL_NAME": settings.PORTAL_NAME,
            "SITE_URL": settings.SITE_URL,
            "LANGUAGE_CODE": language,
            "notification_id": notification.pk,
            "kind_label": spec.label,
        }
    )
    # Links the kind's own app makes at send time (account e-mails: accounts/emails.py).
    context.update(outbox.send_time_context(notification.kind, recipient, notification.context or {}))
    if recipient is not None:
        context["preferences_url"] = absolute(reverse("notifications:preferences"))
    if not spec.transactional:
        context["unsubscribe_url"] = unsubscribe_url(notification)
    return context


def render_title(notification: Notification, language: str | None = None) -> str:
    """One line describing the notification: the e-mail subject, or the kind's label."""
    language = language_of(language or translation.get_language())
    with translation.override(language):
        try:
            template = _subject_template(notification.kind)
        except TemplateDoesNotExist:
            return str(spec_for(notification.kind).label)
        context = dict(notification.context or {})
        context.update({"PORTAL_NAME": settings.PORTAL_NAME, "SITE_URL": settings.SITE_URL})
        return " ".join(render_plain(template, context).split())


def target_url(notification: Notification) -> str:
    """Where the in-app item leads: the page the context names, kept on this site."""
    context = notification.context or {}
    for key in ("url", "staff_url", "tracking_url", "session_url"):
        value = context.get(key)
        if isinstance(value, str) and value and is_local_url(value):
            return value
    return reverse("notifications:list")


def is_local_url(url: str) -> bool:
    if url.startswith("/") and not url.startswith("//"):
        return True
    site = urlsplit(settings.SITE_URL)
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and parts.netloc == site.netloc


def _message_id(notification: Notification) -> str:
    """Stable per row, so a receiving system can drop the copy if a crash ever made us send twice."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    digest = hashlib.sha256(notification.idempotency_key.encode()).hexdigest()[:16]
    return f"<notification-{notification.pk}-{digest}@{domain}>"


def build_email(notification: Notification) -> EmailMultiAlternatives:
    """The message for one e-mail row, in its recipient's language. Raises TemplateDoesNotExist, NoAddress."""
    address = notification.address
    if not address:
        raise NoAddress(f"Notification {notification.pk} has no e-mail address.")
    recipient = notification.recipient if notification.recipient_id else None
    language = language_of(recipient.language if recipient is not None else notification.language)
    with translation.override(language):
        context = render_context(notification, language)
        subject_template = _subject_template(notification.kind)
        base = subject_template.origin.template_name.removesuffix("_subject.txt")
        subject = " ".join(render_plain(subject_template, context).split())
        html = None
        try:
            html = get_template(f"{base}.html").render(context)
        except TemplateDoesNotExist:
            pass
        try:
            text = render_plain(f"{base}.txt", context)
        except TemplateDoesNotExist:
            if html is None:
                raise
            text = text_from_html(html)
        if "unsubscribe_url" in context:
            text = text.rstrip("\n") + "\n\n" + render_plain("emails/notifications/footer.txt", context)
    headers = {
        "Message-ID": _message_id(notification),
        "Auto-Submitted": "auto-generated",
        "Content-Language": language,
        "X-Notification-Kind": notification.kind,
    }
    if "unsubscribe_url" in context:
        # RFC 8058: mail clients offer their own one-click button and POST to this URL.
        headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address], headers=headers)
    if html is not None:
        message.attach_alternative(html, "text/html")
    return message
