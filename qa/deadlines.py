"""Working-day arithmetic for the legal clocks (transfer within 5 working days, answer within N).

Working days are Monday–Friday minus Vietnam's public holidays (the `holidays`
package, lunar Tết included) and minus the days off an admin adds as CalendarDay;
a CalendarDay of kind "working day" turns a weekend date into a working day.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays
from django.utils import timezone

from . import status

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


def answer_due_date(start: datetime.date, days: int) -> datetime.date:
    """The answer deadline: `days` working days after the day the question was accepted."""
    return add_working_days(start, days)


def extend_for_pause(
    due_date: datetime.date | None, paused_at: datetime.datetime | None, resumed_at: datetime.datetime
) -> tuple[datetime.date | None, int]:
    """Push the answer deadline back by the working days spent waiting for the asker.

    Returns (new due date, working days paused). Counting whole working days after
    the day of the request up to the day of the reply matches how the deadline itself is counted.
    """
    if due_date is None or paused_at is None:
        return due_date, 0
    overrides = _calendar_overrides()
    paused = working_days_between(timezone.localdate(paused_at), timezone.localdate(resumed_at), overrides)
    return add_working_days(due_date, paused, overrides), paused


# What a question's deadline looks like today, for the panel, the API and the asker's tracking page.
OVERDUE = "overdue"
DUE_SOON = "due_soon"
ON_TIME = "on_time"
PAUSED = "paused"

# Statuses whose answer clock runs; waiting for the asker pauses it; submitted ones run the transfer clock
# (the `clock` column of qa.status.STATUS_TABLE).
ANSWER_CLOCK_STATUSES = status.ANSWER_CLOCK_STATUSES
TRANSFER_CLOCK_STATUSES = status.TRANSFER_CLOCK_STATUSES
PAUSED_STATUSES = status.PAUSED_STATUSES


@dataclass(frozen=True)
class DeadlineClock:
    """Today's view of deadlines, computed once per request so a list of questions costs no extra queries.

    `soon_limit` is the last date that still counts as "due soon" (DUE_SOON_WORKING_DAYS
    working days from today); anything before today is overdue.
    """

    today: datetime.date
    soon_limit: datetime.date
    next_working_day: datetime.date

    @classmethod
    def for_today(cls, today: datetime.date | None = None) -> "DeadlineClock":
        today = today or timezone.localdate()
        overrides = _calendar_overrides()
        return cls(
            today=today,
            soon_limit=add_working_days(today, DUE_SOON_WORKING_DAYS, overrides),
            next_working_day=add_working_days(today, 1, overrides),
        )

    @staticmethod
    def deadline(question) -> datetime.date | None:
        """The date that matters now: the transfer deadline while submitted, else the answer deadline."""
        if question.status in TRANSFER_CLOCK_STATUSES:
            return question.transfer_due_date
        if question.status in ANSWER_CLOCK_STATUSES or question.status in PAUSED_STATUSES:
            return question.due_date
        return None

    def state(self, question) -> str | None:
        """OVERDUE, DUE_SOON, ON_TIME, PAUSED, or None for a question with no running clock."""
        deadline = self.deadline(question)
        if deadline is None:
            return None
        if question.status in PAUSED_STATUSES:
            return PAUSED
        if deadline < self.today:
            return OVERDUE
        if deadline <= self.soon_limit:
            return DUE_SOON
        return ON_TIME


def deadline_state(question, today: datetime.date | None = None) -> str | None:
    """One question's deadline state (costs one query for the calendar; lists use one DeadlineClock)."""
    return DeadlineClock.for_today(today).state(question)
