"""Working days on the official calendar with its 调休 (swapped working weekends).

China's State Council moves working days around each holiday: 2026-02-14 (a Saturday)
is a working day before 春节, while 2026-10-01…07 are rest days. Counting "5 working
days" by weekdays alone would put a deadline on a holiday, so deadlines that the plans
give in working days (整改 within N days, a task due in N working days) are counted on
the published calendar, kept by the ``chinesecalendar`` package (one update a year,
when the State Council publishes the next year's arrangement).

A year the package does not know yet (published each November) falls back to plain
weekdays, which is what the arrangement is on most days; the page says so through
``known_year``.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.utils import timezone

from chuangjian.engine.periods import SHANGHAI

# Work that falls due on a working day falls due at its end, Shanghai time.
DUE_CLOCK = dt.time(18, 0)
# Beyond this many working days a deadline is no longer "working days" but a date.
MAX_WORKING_DAYS = 366


def known_year(year: int) -> bool:
    """Whether the official arrangement (with 调休) of ``year`` is known."""
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def is_workday(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


def add_workdays(start: dt.date, days: int) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count);
    0 gives ``start`` if it is a working day, else the next working day."""
    if days < 0 or days > MAX_WORKING_DAYS:
        raise ValueError(days)
    day = start
    if days == 0:
        while not is_workday(day):
            day += dt.timedelta(days=1)
        return day
    counted = 0
    while counted < days:
        day += dt.timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_workday(day):
            count += 1
    return count


def due_after(start: dt.date, days: int) -> dt.datetime:
    """The end (18:00 Shanghai) of the ``days``-th working day after ``start``."""
    return dt.datetime.combine(add_workdays(start, days), DUE_CLOCK, tzinfo=SHANGHAI)


def local_day(instant: dt.datetime) -> dt.date:
    return timezone.localtime(instant, SHANGHAI).date()
