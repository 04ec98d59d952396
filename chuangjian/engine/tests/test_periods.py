from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangjian.engine.periods import (
    SHANGHAI,
    Period,
    PeriodError,
    PeriodType,
    deadline,
    is_on_time,
)

UTC = dt.UTC


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def shanghai(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


# -- parsing and printing -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "type_", "start", "end"),
    [
        ("2026", PeriodType.YEAR, dt.date(2026, 1, 1), dt.date(2026, 12, 31)),
        ("2026Q1", PeriodType.QUARTER, dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("2026Q4", PeriodType.QUARTER, dt.date(2026, 10, 1), dt.date(2026, 12, 31)),
        ("2026-02", PeriodType.MONTH, dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("2024-02", PeriodType.MONTH, dt.date(2024, 2, 1), dt.date(2024, 2, 29)),
        ("2026W12", PeriodType.WEEK, dt.date(2026, 3, 16), dt.date(2026, 3, 22)),
        ("2026-03-15", PeriodType.DAY, dt.date(2026, 3, 15), dt.date(2026, 3, 15)),
    ],
)
def test_it_parses_each_period_form(text: str, type_: PeriodType, start: dt.date, end: dt.date) -> None:
    period = Period.parse(text)
    assert (period.type, period.start, period.end) == (type_, start, end)
    assert str(period) == text


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2026Q5", "无法识别的期间「2026Q5」：季度应为 1–4"),
        ("2026Q0", "季度应为 1–4"),
        ("2026-13", "月份应为 01–12"),
        ("2026-02-29", "日期不存在"),
        ("2025W53", "2025 年共有 52 周"),
        ("2025W00", "周次应为 01–52"),
        ("0000", "年份应为"),
        ("26", "应为 2026、2026Q1"),
        ("2026-3", "应为 2026、2026Q1"),
        ("2026q1", "应为 2026、2026Q1"),
        ("", "无法识别的期间"),
    ],
)
def test_it_rejects_malformed_periods_in_chinese(text: str, fragment: str) -> None:
    with pytest.raises(PeriodError) as info:
        Period.parse(text)
    assert fragment in str(info.value)


def test_2020_and_2026_have_a_53rd_iso_week_but_2025_and_2027_do_not() -> None:
    # An ISO year has 53 weeks when it starts on a Thursday (2026, 2015) or is
    # a leap year starting on a Wednesday (2020).
    week = Period.parse("2020W53")
    assert (week.start, week.end) == (dt.date(2020, 12, 28), dt.date(2021, 1, 3))
    assert Period.parse("2026W53").end == dt.date(2027, 1, 3)
    for text in ("2025W53", "2027W53"):
        with pytest.raises(PeriodError, match="共有 52 周"):
            Period.parse(text)


def test_1_january_2026_belongs_to_iso_week_1_of_2026() -> None:
    week = Period.containing(PeriodType.WEEK, dt.date(2026, 1, 1))
    assert str(week) == "2026W01"
    assert week.start == dt.date(2025, 12, 29)


def test_1_january_2027_belongs_to_week_53_of_2026() -> None:
    week = Period.containing(PeriodType.WEEK, dt.date(2027, 1, 1))
    assert str(week) == "2026W53"
    assert week.label_zh == "2026年第53周"


def test_1_january_2021_belongs_to_week_53_of_2020() -> None:
    assert str(Period.containing(PeriodType.WEEK, dt.date(2021, 1, 1))) == "2020W53"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2026", "2026年"),
        ("2026Q1", "2026年第1季度"),
        ("2026-03", "2026年3月"),
        ("2026W12", "2026年第12周"),
        ("2026-03-15", "2026年3月15日"),
    ],
)
def test_each_period_has_a_chinese_label(text: str, label: str) -> None:
    assert Period.parse(text).label_zh == label


def test_period_types_have_chinese_labels() -> None:
    assert [t.label for t in PeriodType] == ["日", "周", "月", "季度", "年"]


def test_a_period_cannot_be_built_with_non_canonical_bounds() -> None:
    with pytest.raises(PeriodError):
        Period(PeriodType.MONTH, dt.date(2026, 3, 2), dt.date(2026, 3, 31))


# -- navigation ---------------------------------------------------------------


def test_the_quarter_after_q4_is_q1_of_the_next_year() -> None:
    assert str(Period.parse("2026Q4").next()) == "2027Q1"
    assert str(Period.parse("2027Q1").previous()) == "2026Q4"


def test_the_day_after_the_last_day_of_a_quarter_starts_the_next_quarter() -> None:
    q1 = Period.parse("2026Q1")
    assert q1.end == dt.date(2026, 3, 31)
    assert Period.containing(PeriodType.QUARTER, q1.end + dt.timedelta(days=1)) == q1.next()


def test_29_february_last_year_is_28_february() -> None:
    assert str(Period.parse("2024-02-29").same_period_last_year()) == "2023-02-28"


def test_week_53_last_year_falls_back_to_week_52() -> None:
    assert str(Period.parse("2021W01").same_period_last_year()) == "2020W01"
    assert str(Period.parse("2020W53").same_period_last_year()) == "2019W52"
    assert str(Period.parse("2027W01").same_period_last_year()) == "2026W01"


def test_the_same_period_last_year_keeps_quarter_and_month() -> None:
    assert str(Period.parse("2026Q3").same_period_last_year()) == "2025Q3"
    assert str(Period.parse("2026-03").same_period_last_year()) == "2025-03"
    assert str(Period.parse("2026").same_period_last_year()) == "2025"


def test_a_quarter_splits_into_its_three_months() -> None:
    months = Period.parse("2026Q2").subperiods(PeriodType.MONTH)
    assert [str(m) for m in months] == ["2026-04", "2026-05", "2026-06"]


def test_a_leap_february_has_29_days() -> None:
    feb = Period.parse("2024-02")
    assert feb.days == 29
    assert len(feb.subperiods(PeriodType.DAY)) == 29
    assert Period.parse("2024").days == 366


def test_a_year_splits_into_the_weeks_of_its_iso_week_year() -> None:
    weeks = Period.parse("2020").subperiods(PeriodType.WEEK)
    assert str(weeks[0]) == "2020W01"
    assert str(weeks[-1]) == "2020W53"
    assert len(Period.parse("2025").subperiods(PeriodType.WEEK)) == 52
    assert str(Period.parse("2025").subperiods(PeriodType.WEEK)[0]) == "2025W01"


def test_a_month_cannot_be_split_into_quarters() -> None:
    with pytest.raises(PeriodError, match="月不能拆分为季度"):
        Period.parse("2026-03").subperiods(PeriodType.QUARTER)


def test_contains_accepts_periods_and_dates() -> None:
    q1 = Period.parse("2026Q1")
    assert q1.contains(Period.parse("2026-03"))
    assert q1.contains(dt.date(2026, 3, 31))
    assert not q1.contains(dt.date(2026, 4, 1))
    assert not q1.contains(Period.parse("2026W14"))  # 30 March – 5 April straddles the quarter


def test_contains_judges_an_aware_instant_by_the_shanghai_date() -> None:
    assert Period.parse("2026-03-15").contains(utc(2026, 3, 14, 16, 0))
    assert not Period.parse("2026-03-14").contains(utc(2026, 3, 14, 16, 0))


# -- instants and deadlines ---------------------------------------------------


def test_2026_03_14t16_00z_is_already_15_march_in_shanghai() -> None:
    assert str(Period.of_instant(PeriodType.DAY, utc(2026, 3, 14, 16, 0))) == "2026-03-15"
    assert str(Period.of_instant(PeriodType.DAY, utc(2026, 3, 14, 15, 59, 59))) == "2026-03-14"


def test_2026_03_14t16_30z_is_day_2026_03_15() -> None:
    assert str(Period.of_instant(PeriodType.DAY, utc(2026, 3, 14, 16, 30))) == "2026-03-15"


def test_new_year_in_shanghai_comes_at_16_00_utc_on_31_december() -> None:
    assert str(Period.of_instant(PeriodType.YEAR, utc(2025, 12, 31, 16, 0))) == "2026"
    assert str(Period.of_instant(PeriodType.QUARTER, utc(2026, 3, 31, 16, 0))) == "2026Q2"


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(PeriodError, match="时区"):
        Period.of_instant(PeriodType.DAY, dt.datetime(2026, 3, 15, 12, 0))  # noqa: DTZ001


def test_instants_are_shanghai_midnights_and_the_end_is_exclusive() -> None:
    day = Period.parse("2026-03-15")
    assert day.start_instant() == shanghai(2026, 3, 15)
    assert day.end_instant() == shanghai(2026, 3, 16)
    assert day.start_instant() == utc(2026, 3, 14, 16, 0)
    assert Period.parse("2026Q1").end_instant() == shanghai(2026, 4, 1)


def test_a_daily_report_at_15_59_59_shanghai_is_before_the_16_00_deadline() -> None:
    due = deadline(Period.parse("2026-03-15"), day_offset=0, at=dt.time(16))
    assert due == shanghai(2026, 3, 15, 16, 0)
    assert is_on_time(shanghai(2026, 3, 15, 15, 59, 59), due)


def test_a_daily_report_at_16_00_00_shanghai_is_late() -> None:
    due = deadline(Period.parse("2026-03-15"), day_offset=0, at=dt.time(16))
    assert not is_on_time(shanghai(2026, 3, 15, 16, 0, 0), due)


def test_the_16_00_deadline_is_08_00_utc() -> None:
    due = deadline(Period.parse("2026-03-15"), day_offset=0, at=dt.time(16))
    assert is_on_time(utc(2026, 3, 15, 7, 59, 59), due)
    assert not is_on_time(utc(2026, 3, 15, 8, 0, 0), due)


def test_a_monthly_report_is_due_on_the_5th_of_the_next_month() -> None:
    due = deadline(Period.parse("2026-12"), day_offset=5, at=dt.time(17, 30))
    assert due == shanghai(2027, 1, 5, 17, 30)


def test_a_deadline_clock_time_is_always_shanghai_time() -> None:
    due = deadline(Period.parse("2026-03-15"), day_offset=0, at=dt.time(16, tzinfo=UTC))
    assert due == shanghai(2026, 3, 15, 16)


# -- properties ---------------------------------------------------------------

dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
types = st.sampled_from(list(PeriodType))
periods = st.builds(Period.containing, types, dates)


@settings(max_examples=300)
@given(periods)
def test_every_period_prints_and_parses_back_to_itself(period: Period) -> None:
    assert Period.parse(str(period)) == period


@settings(max_examples=200)
@given(periods)
def test_previous_and_next_are_inverse(period: Period) -> None:
    assert period.next().previous() == period
    assert period.previous().next() == period
    assert period.next().start == period.end + dt.timedelta(days=1)


@settings(max_examples=200)
@given(periods, types)
def test_subperiods_partition_the_period_exactly(period: Period, sub: PeriodType) -> None:
    if sub.rank > period.type.rank:
        return
    parts = period.subperiods(sub)
    if sub is PeriodType.WEEK and period.type is not PeriodType.WEEK:
        # Weeks straddle month and year edges; each belongs where its Thursday is.
        for a, b in itertools.pairwise(parts):
            assert b.start == a.end + dt.timedelta(days=1)
        assert all(period.contains(w.start + dt.timedelta(days=3)) for w in parts)
        return
    assert parts[0].start == period.start
    assert parts[-1].end == period.end
    for a, b in itertools.pairwise(parts):
        assert b.start == a.end + dt.timedelta(days=1)
    assert sum(p.days for p in parts) == period.days


@settings(max_examples=200)
@given(
    periods,
    # Hypothesis draws naive bounds; the instant is made aware (UTC) below.
    st.datetimes(min_value=dt.datetime(1990, 1, 2), max_value=dt.datetime(2100, 12, 30)),  # noqa: DTZ001
)
def test_an_instant_is_in_a_period_exactly_when_between_its_start_and_end_instants(
    period: Period, naive: dt.datetime
) -> None:
    instant = naive.replace(tzinfo=UTC)
    inside = period.start_instant() <= instant < period.end_instant()
    assert inside == (Period.of_instant(period.type, instant) == period)


@settings(max_examples=200)
@given(periods)
def test_the_same_period_last_year_is_one_year_earlier(period: Period) -> None:
    last = period.same_period_last_year()
    assert last.type is period.type
    if period.type is PeriodType.WEEK:
        assert last.start.isocalendar()[0] == period.start.isocalendar()[0] - 1
    else:
        assert last.start.year == period.start.year - 1
