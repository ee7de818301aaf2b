"""Account e-mails. Tasks take a user id, reload the row and quietly stop if it no longer applies."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import User


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send_templated_email(*, to: str, template: str, context: dict, language: str) -> None:
    """Render emails/accounts/<template>{_subject.txt,.txt,.html} in the recipient's language and send."""
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "PORTAL_NAME": settings.PORTAL_NAME,
            "SITE_URL": settings.SITE_URL,
            "LANGUAGE_CODE": language,
            **context,
        }
        subject = " ".join(render_to_string(f"emails/accounts/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/accounts/{template}.txt", context)
        html = render_to_string(f"emails/accounts/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


@shared_task(bind=True, max_retries=5, default_retry_delay=30, name="accounts.send_email_verification")
def send_verification_email(self, user_id: int) -> None:
    """Send the verification link; nothing to do if the user is gone, inactive or already verified."""
    from .services import make_verification_token

    user = User.objects.filter(pk=user_id, is_active=True, email_verified=False).first()
    if user is None:
        return
    verify_url = _absolute(reverse("accounts:verify_email", kwargs={"token": make_verification_token(user)}))
    context = {
        "name": user.get_full_name(),
        "verify_url": verify_url,
        "valid_days": settings.ACCOUNTS_VERIFY_MAX_AGE // 86400,
    }
    try:
        send_templated_email(to=user.email, template="verify_email", context=context, language=user.language)
    except OSError as exc:  # SMTP unreachable: try again later
        raise self.retry(exc=exc) from exc


@shared_task(bind=True, max_retries=5, default_retry_delay=30, name="accounts.send_email_password_reset")
def send_password_reset_email(self, user_id: int) -> None:
    """Send a password reset link built from the user's current state (Django's token generator)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uidb64, "token": token})
    context = {
        "name": user.get_full_name(),
        "email": user.email,
        "reset_url": _absolute(path),
        "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
    }
    try:
        send_templated_email(to=user.email, template="password_reset", context=context, language=user.language)
    except OSError as exc:
        raise self.retry(exc=exc) from exc
