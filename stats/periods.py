"""Reporting periods: a month, quarter, half-year, year or a custom range, as calendar days in Asia/Ho_Chi_Minh.

Codes are what links, the API and the report command use: `2026`, `2026-H2`,
`2026-Q3`, `2026-07`; a custom range is given by its first and last day.
Bad input raises ValidationError with a translated message per field.
"""

import calendar
import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dates import format_date

MAX_RANGE_DAYS = 5 * 366 + 1  # five years
_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|(?P<month>0[1-9]|1[0-2])))?$")
KINDS = {
    "month": gettext_lazy("Month"),
    "quarter": gettext_lazy("Quarter"),
    "half": gettext_lazy("Half-year"),
    "year": gettext_lazy("Year"),
    "custom": gettext_lazy("Custom range"),
}


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date  # inclusive
    code: str  # "2026-H2", or "custom"
    kind: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def label(self) -> str:
        if self.kind == "year":
            return _("Year %(year)s") % {"year": self.start.year}
        if self.kind == "half":
            return _("Half-year %(n)s/%(year)s") % {"n": 1 if self.start.month == 1 else 2, "year": self.start.year}
        if self.kind == "quarter":
            return _("Quarter %(n)s/%(year)s") % {"n": (self.start.month - 1) // 3 + 1, "year": self.start.year}
        if self.kind == "month":
            return _("Month %(month)s/%(year)s") % {"month": self.start.month, "year": self.start.year}
        return _("%(start)s to %(end)s") % {
            "start": format_date(self.start),
            "end": format_date(self.end),
        }

    def previous(self) -> "Period":
        """The period just before, of the same kind (a custom range: as many days just before)."""
        if self.kind == "custom":
            end = self.start - datetime.timedelta(days=1)
            return Period(end - datetime.timedelta(days=self.days - 1), end, "custom", "custom")
        return period_containing(self.start - datetime.timedelta(days=1), self.kind)


def _months(year: int, first: int, count: int, code: str, kind: str) -> Period:
    last = first + count - 1
    return Period(
        datetime.date(year, first, 1), datetime.date(year, last, calendar.monthrange(year, last)[1]), code, kind
    )


def from_code(code: str) -> Period:
    match = _CODE.match((code or "").strip().upper())
    if not match:
        raise ValidationError(
            {"period": [_("Unknown period “%(code)s”. Use e.g. 2026, 2026-H2, 2026-Q3 or 2026-07.") % {"code": code}]}
        )
    year = int(match["year"])
    if year < 2000:
        raise ValidationError({"period": [_("Statistics start in the year 2000.")]})
    if match["half"]:
        half = int(match["half"][1])
        return _months(year, 1 + 6 * (half - 1), 6, f"{year}-H{half}", "half")
    if match["quarter"]:
        quarter = int(match["quarter"][1])
        return _months(year, 1 + 3 * (quarter - 1), 3, f"{year}-Q{quarter}", "quarter")
    if match["month"]:
        month = int(match["month"])
        return _months(year, month, 1, f"{year}-{month:02d}", "month")
    return _months(year, 1, 12, str(year), "year")


def period_containing(day: datetime.date, kind: str) -> Period:
    if kind == "half":
        return from_code(f"{day.year}-H{1 if day.month <= 6 else 2}")
    if kind == "quarter":
        return from_code(f"{day.year}-Q{(day.month - 1) // 3 + 1}")
    if kind == "month":
        return from_code(f"{day.year}-{day.month:02d}")
    return from_code(str(day.year))


def _date(value: str, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value.strip())
    except (AttributeError, ValueError):
        raise ValidationError({field: [_("Enter a date as YYYY-MM-DD.")]}) from None


def parse_period(
    code: str | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    today: datetime.date | None = None,
) -> Period:
    """The period asked for: a code, or a custom range (both days given); the current year when neither.

    Refuses a period that starts after today, a reversed range and one longer than five years.
    """
    today = today or timezone.localdate()
    if start or end:
        if not (start and end):
            raise ValidationError({"start" if not start else "end": [_("Give both the first and the last day.")]})
        first, last = _date(start, "start"), _date(end, "end")
        if last < first:
            raise ValidationError({"end": [_("The last day is before the first day.")]})
        if (last - first).days + 1 > MAX_RANGE_DAYS:
            raise ValidationError({"end": [_("Choose a range of at most five years.")]})
        period = Period(first, last, "custom", "custom")
    elif code:
        period = from_code(code)
    else:
        period = period_containing(today, "year")
    if period.start > today:
        raise ValidationError({"period": [_("This period has not started yet.")]})
    if period.start.year < 2000:
        raise ValidationError({"start": [_("Statistics start in the year 2000.")]})
    return period


def recent_choices(today: datetime.date | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped period codes for the form's select: recent months, quarters, half-years and years."""
    today = today or timezone.localdate()
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    for kind, count in (("year", 4), ("half", 6), ("quarter", 8), ("month", 18)):
        options, period = [], period_containing(today, kind)
        for _i in range(count):
            options.append((period.code, period.label()))
            period = period.previous()
        groups.append((str(KINDS[kind]), options))
    return groups
