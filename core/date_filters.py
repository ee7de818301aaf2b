"""{{ value|vn_date }} → "14/12/2026"; {{ value|vn_date:"datetime" }} → "11:14, 07/12/2026";
{{ value|vn_date:"time" }} → "11:14". A template builtin (settings.TEMPLATES), so no {% load %} is needed.
"""

import datetime
from collections.abc import Callable
from typing import Any

from django import template

from .dates import format_date, format_datetime, format_time

register = template.Library()

_FORMATTERS: dict[str, Callable[[Any], str]] = {"date": format_date, "datetime": format_datetime, "time": format_time}


@register.filter(name="vn_date", expects_localtime=False)
def vn_date(value: datetime.date | datetime.datetime | datetime.time | None, kind: str = "date") -> str:
    try:
        return _FORMATTERS[kind](value)
    except (KeyError, AttributeError, TypeError, ValueError):
        return ""
