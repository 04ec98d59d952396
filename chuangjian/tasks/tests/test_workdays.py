"""Working days on the official calendar with 调休."""

from __future__ import annotations

import datetime as dt

import pytest

from chuangjian.lib import workdays


def test_a_swapped_saturday_is_a_working_day_and_national_day_is_not() -> None:
    assert workdays.is_workday(dt.date(2026, 2, 14))      # Saturday, worked before 春节
    assert not workdays.is_workday(dt.date(2026, 10, 1))  # 国庆节
    assert not workdays.is_workday(dt.date(2026, 3, 14))  # an ordinary Saturday


def test_one_working_day_after_the_eve_of_national_day_is_after_the_holiday() -> None:
    assert workdays.add_workdays(dt.date(2026, 9, 30), 1) > dt.date(2026, 10, 7)


def test_five_working_days_from_a_monday_is_the_next_monday() -> None:
    assert workdays.add_workdays(dt.date(2026, 3, 16), 5) == dt.date(2026, 3, 23)


def test_a_year_not_yet_published_falls_back_to_weekdays() -> None:
    assert not workdays.known_year(2099)
    assert workdays.add_workdays(dt.date(2099, 1, 2), 1) == dt.date(2099, 1, 5)  # Fri → Mon


def test_it_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError):
        workdays.add_workdays(dt.date(2026, 1, 5), -1)
