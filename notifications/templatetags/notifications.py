"""Template helpers: the header bell's unread count and dates stored as ISO text in JSON contexts."""

import datetime

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from ..selectors import unread_count_for

register = template.Library()


@register.simple_tag
def unread_notifications_count(user) -> int:
    """One COUNT query for logged-in users, nothing for visitors."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return unread_count_for(user_id=user.pk)


@register.filter
def iso_datetime(value):
    """ISO text (as kept in a notification's JSON context) → an aware datetime in local time."""
    if isinstance(value, datetime.datetime):
        parsed = value
    elif isinstance(value, str):
        parsed = parse_datetime(value)
    else:
        return value
    if parsed is None:
        return value
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return timezone.localtime(parsed)


@register.filter
def iso_date(value):
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        return parse_date(value[:10]) or value
    return value
