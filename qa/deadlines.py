"""Working-day arithmetic for the legal clocks (transfer within 5 working days, answer within N).

Working days are Monday–Friday minus Vietnam's public holidays (the `holidays`
package, lunar Tết included) and minus the days off an admin adds as CalendarDay;
a CalendarDay of kind "working day" turns a weekend date into a working day.
"""

import datetime
from functools import lru_cache

import holidays

TRANSFER_WORKING_DAYS = 5
DUE_SOON_WORKING_DAYS = 2


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.country_holidays("VN", years=year).keys())


def _calendar_overrides() -> tuple[set[datetime.date], set[datetime.date]]:
    from .models import CalendarDay

    off, working = set(), set()
    for date, kind in CalendarDay.objects.values_list("date", "kind"):
        (working if kind == CalendarDay.Kind.WORKING_DAY else off).add(date)
    return off, working


def is_working_day(day: datetime.date, overrides=None) -> bool:
    off, working = overrides if overrides is not None else _calendar_overrides()
    if day in working:
        return True
    if day in off or day in _public_holidays(day.year):
        return False
    return day.weekday() < 5


def add_working_days(start: datetime.date, days: int, overrides=None) -> datetime.date:
    """The date `days` working days after `start` (the day of receipt does not count)."""
    overrides = overrides if overrides is not None else _calendar_overrides()
    current = start
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_working_day(current, overrides):
            remaining -= 1
    return current


def working_days_between(start: datetime.date, end: datetime.date, overrides=None) -> int:
    """Working days after `start` up to and including `end` (0 if end <= start)."""
    overrides = overrides if overrides is not None else _calendar_overrides()
    count, current = 0, start
    while current < end:
        current += datetime.timedelta(days=1)
        if is_working_day(current, overrides):
            count += 1
    return count


def transfer_due_date(received: datetime.date) -> datetime.date:
    return add_working_days(received, TRANSFER_WORKING_DAYS)
