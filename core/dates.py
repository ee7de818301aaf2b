"""One way to show dates and times, in every language: "14/12/2026" and "11:14, 07/12/2026",
always in Asia/Ho_Chi_Minh (settings.TIME_ZONE), whatever zone is active or the server runs in.

Templates use the `vn_date` filter (a template builtin, core.date_filters); Python code calls these.
Machine-readable values (<time datetime=…>, ISO in the API) are not for people and stay as they are.
"""

import datetime
import zoneinfo

from django.conf import settings


def _local(value: datetime.datetime) -> datetime.datetime:
    if value.tzinfo is None:  # a naive value is already local time
        return value
    return value.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))


def format_date(value: datetime.date | datetime.datetime | None) -> str:
    """14/12/2026"""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value)
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def format_time(value: datetime.datetime | datetime.time | None) -> str:
    """11:14"""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value)
    return f"{value.hour:02d}:{value.minute:02d}"


def format_datetime(value: datetime.datetime | datetime.date | None) -> str:
    """11:14, 07/12/2026 (a date alone shows as a date)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime.datetime):
        return format_date(value)
    return f"{format_time(value)}, {format_date(value)}"
