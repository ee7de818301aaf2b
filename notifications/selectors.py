"""Reads of the notifications app: a user's in-app list, unread count, preferences."""

from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.permissions import is_agency_staff

from .emails import render_title, target_url
from .kinds import ASKER, DIALOGUE, STAFF, Kind, kinds_for_audience
from .models import Channel, Notification, NotificationPreference


def inbox_for(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first (whatever their push status: the row is the message)."""
    rows = Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count_for(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, channel=Channel.IN_APP, read_at__isnull=True).count()


def inbox_item(*, user, notification_id: int) -> Notification:
    """One of the user's own in-app notifications; 404 for anyone else's."""
    return get_object_or_404(Notification, pk=notification_id, recipient=user, channel=Channel.IN_APP)


def notification_payload(notification: Notification, language: str | None = None) -> dict:
    """The JSON shape shared by the API list and the socket push."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": render_title(notification, language),
        "url": target_url(notification),
        "created_at": notification.created_at.isoformat(),
        "read": notification.read_at is not None,
    }


@dataclass(frozen=True)
class PreferenceRow:
    kind: Kind
    email_enabled: bool
    in_app_enabled: bool
    email_digest: bool

    @property
    def email_locked(self) -> bool:
        """Transactional e-mails (receipts, answers) cannot be switched off."""
        return self.kind.transactional


def preferences_for(*, user) -> list[PreferenceRow]:
    """Every kind this user can receive with their current choice (defaults: all on, no digest)."""
    audiences = [ASKER, DIALOGUE]
    if is_agency_staff(user):
        audiences.insert(1, STAFF)
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    rows = []
    for kind in kinds_for_audience(*audiences):
        pref = stored.get(kind.code)
        rows.append(
            PreferenceRow(
                kind=kind,
                email_enabled=True if kind.transactional else (pref.email_enabled if pref else True),
                in_app_enabled=pref.in_app_enabled if pref else True,
                email_digest=bool(pref and pref.email_digest and kind.digestible),
            )
        )
    return rows
