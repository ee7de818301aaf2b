""" "Remind me": subscriptions to an upcoming session (the reminders themselves are the notifications app's)."""

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import ratelimit
from qa.text import nfc

from .. import workflow
from ..models import DialogueSession, Subscription
from .common import Actor


def subscription_create(
    *, session_id: int, user: Actor | None = None, email: str = "", language: str = "vi", client_ip: str | None = None
) -> Subscription:
    """Ask to be reminded before an upcoming session (idempotent per user or address)."""
    session = DialogueSession.objects.filter(pk=session_id).first()
    if session is None:
        raise ObjectDoesNotExist(_("This session does not exist."))
    workflow.check_session(session, "subscribe")
    is_user = getattr(user, "is_authenticated", False)
    address = nfc(email).lower()
    if not is_user:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"email": [_("Enter a valid e-mail address, for example ten@example.vn.")]}) from None
        if client_ip:
            ratelimit.hit("dlg-remind-ip", client_ip, "20/h")
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with transaction.atomic():
        if is_user:
            subscription, _created = Subscription.objects.get_or_create(
                session=session, user=user, defaults={"language": language}
            )
        else:
            subscription, _created = Subscription.objects.get_or_create(
                session=session, email=address, user=None, defaults={"language": language}
            )
    return subscription


def subscription_mark_reminded(*, subscription_id: int) -> bool:
    """Called by the notifications app after sending; False if it was already marked (sent once)."""
    return bool(
        Subscription.objects.filter(pk=subscription_id, reminded_at__isnull=True).update(reminded_at=timezone.now())
    )
