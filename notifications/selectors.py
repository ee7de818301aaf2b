"""Reads of the notifications app: a user's in-app list, unread count, preferences."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from accounts.permissions import is_agency_staff

from .emails import render_title, target_url
from .kinds import ASKER, DIALOGUE, STAFF, Kind, kinds_for_audience
from .models import Channel, Notification, NotificationPreference, SmsNumber


def inbox_for(*, user: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's in-app notifications, newest first (whatever their push status: the row is the message)."""
    rows = Notification.objects.filter(recipient=user, channel=Channel.IN_APP)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-id")


def unread_count_for(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, channel=Channel.IN_APP, read_at__isnull=True).count()


def inbox_item(*, user: User, notification_id: int) -> Notification:
    """One of the user's own in-app notifications; 404 for anyone else's."""
    return get_object_or_404(Notification, pk=notification_id, recipient=user, channel=Channel.IN_APP)


def about_line(notification: Notification) -> str:
    """What the item is about, "HP-STP-2026-000123 · Đăng ký khai sinh…", or "" when it is about no question.

    Staff and the asker themself are the only recipients of items about a question, so its own title is fine.
    """
    question = (notification.context or {}).get("question")
    if not isinstance(question, dict):
        return ""
    parts = [str(question.get("reference") or ""), str(question.get("title") or "")]
    return " · ".join(part for part in parts if part)


@dataclass
class InboxGroup:
    """The newest item about one question and the earlier ones on the same page (an item about no
    question is a group of its own)."""

    key: str
    items: list[dict]

    @property
    def first(self) -> dict:
        return self.items[0]

    @property
    def earlier(self) -> list[dict]:
        return self.items[1:]

    @property
    def unread(self) -> int:
        return sum(1 for item in self.items if item["row"].read_at is None)


def inbox_groups(rows: Iterable[Notification]) -> list[InboxGroup]:
    """One page of the inbox (newest first) grouped by question, groups in the order of their newest item."""
    groups: dict[str, InboxGroup] = {}
    for row in rows:
        question = (row.context or {}).get("question")
        key = f"q{question.get('id')}" if isinstance(question, dict) and question.get("id") else f"n{row.pk}"
        item = {"row": row, "title": render_title(row), "url": target_url(row), "about": about_line(row)}
        groups.setdefault(key, InboxGroup(key=key, items=[])).items.append(item)
    return list(groups.values())


def notification_payload(notification: Notification, language: str | None = None) -> dict:
    """The JSON shape shared by the API list and the socket push."""
    return {
        "id": notification.pk,
        "kind": notification.kind,
        "title": render_title(notification, language),
        "about": about_line(notification),
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
    sms_enabled: bool = False
    # The kind can go by SMS and the user has a confirmed number.
    sms_available: bool = False

    @property
    def email_locked(self) -> bool:
        """Transactional e-mails (receipts, answers) cannot be switched off."""
        return self.kind.transactional


def preferences_for(*, user: User) -> list[PreferenceRow]:
    """Every kind this user can receive with their current choice (defaults: all on, no digest)."""
    audiences = [ASKER, DIALOGUE]
    if is_agency_staff(user):
        audiences.insert(1, STAFF)
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    has_number = SmsNumber.objects.filter(user=user, verified_at__isnull=False).exists()
    rows = []
    for kind in kinds_for_audience(*audiences):
        pref = stored.get(kind.code)
        rows.append(
            PreferenceRow(
                kind=kind,
                email_enabled=True if kind.transactional else (pref.email_enabled if pref else True),
                in_app_enabled=pref.in_app_enabled if pref else True,
                email_digest=bool(pref and pref.email_digest and kind.digestible),
                sms_enabled=bool(pref and pref.sms_enabled),
                sms_available=has_number and Channel.SMS in kind.channels,
            )
        )
    return rows


def sms_number_for(*, user: User) -> SmsNumber | None:
    return SmsNumber.objects.filter(user=user).first()
