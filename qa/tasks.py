"""Celery tasks of the Q&A app. They take ids, reload rows and exit quietly if gone."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from .models import Question


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _send(to: str, template: str, context: dict, language: str) -> None:
    with translation.override(language):
        context = {"PORTAL_NAME": settings.PORTAL_NAME, "SITE_URL": settings.SITE_URL, **context}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(bind=True, max_retries=5, default_retry_delay=30, name="qa.send_email_to_asker")
def send_asker_email(self, question_id: int, kind: str, context: dict) -> None:
    question = Question.objects.select_related("contact", "agency", "topic").filter(pk=question_id).first()
    if question is None or not hasattr(question, "contact"):
        return
    ctx = {
        "question": question,
        "name": question.contact.name,
        "tracking_url": _absolute(question.tracking_path()),
        **context,
    }
    if kind == "confirm_email":
        from django.urls import reverse

        ctx["confirm_url"] = _absolute(reverse("qa:confirm", kwargs={"token": context["confirm_token"]}))
    try:
        _send(question.contact.email, f"qa/{kind}", ctx, question.language)
    except OSError as exc:  # SMTP down: try again later
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=5, default_retry_delay=30, name="qa.send_email_tracking_links")
def send_tracking_links_email(self, email: str, question_ids: list[int], language: str) -> None:
    questions = list(Question.objects.filter(pk__in=question_ids).select_related("agency").order_by("-created_at"))
    if not questions:
        return
    links = [(q, _absolute(q.tracking_path())) for q in questions]
    try:
        _send(email, "qa/tracking_links", {"links": links}, language)
    except OSError as exc:
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=5, default_retry_delay=30, name="qa.send_email_to_staff")
def send_staff_email(self, question_id: int, kind: str, user_ids: list[int], context: dict) -> None:
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    question = Question.objects.select_related("agency", "topic").filter(pk=question_id).first()
    if question is None:
        return
    staff_url = _absolute(reverse("staff:question", kwargs={"reference": question.reference}))
    for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True):
        ctx = {"question": question, "name": user.get_full_name(), "staff_url": staff_url, **context}
        try:
            _send(user.email, f"qa/staff_{kind}", ctx, user.language)
        except OSError as exc:
            raise self.retry(exc=exc) from exc
