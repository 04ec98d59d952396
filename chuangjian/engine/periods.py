"""Calendar periods (期间) in Asia/Shanghai: years, quarters, months, ISO weeks, days.

Every report, target and assessment is tied to a period. Periods are plain
calendar ranges of local dates; instants (stored in UTC) are mapped onto them
only after conversion to Shanghai time, so that "today" and "16:00" mean what
a clerk in China means by them.
"""

from __future__ import annotations

import datetime
import enum
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

__all__ = [
    "SHANGHAI",
    "Period",
    "PeriodError",
    "PeriodType",
    "deadline",
    "is_on_time",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")

_ONE_DAY = datetime.timedelta(days=1)


class PeriodError(ValueError):
    """A period text or operation that makes no sense; the message is Chinese."""


class PeriodType(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def label(self) -> str:
        return _TYPE_LABELS[self]

    @property
    def rank(self) -> int:
        """Granularity, finest first; used to decide what may be split into what."""
        return _TYPE_RANKS[self]


_TYPE_LABELS = {
    PeriodType.DAY: "日",
    PeriodType.WEEK: "周",
    PeriodType.MONTH: "月",
    PeriodType.QUARTER: "季度",
    PeriodType.YEAR: "年",
}
_TYPE_RANKS = {
    PeriodType.DAY: 0,
    PeriodType.WEEK: 1,
    PeriodType.MONTH: 2,
    PeriodType.QUARTER: 3,
    PeriodType.YEAR: 4,
}

_YEAR_RE = re.compile(r"(\d{4})")
_QUARTER_RE = re.compile(r"(\d{4})Q(\d)")
_MONTH_RE = re.compile(r"(\d{4})-(\d{2})")
_WEEK_RE = re.compile(r"(\d{4})W(\d{2})")
_DAY_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def _bad(text: str, why: str) -> PeriodError:
    return PeriodError(f"无法识别的期间「{text}」：{why}")


def _check_year(text: str, year: int) -> None:
    if not datetime.MINYEAR <= year <= datetime.MAXYEAR:
        raise _bad(text, f"年份应为 {datetime.MINYEAR}–{datetime.MAXYEAR}")


def _iso_weeks_in(iso_year: int) -> int:
    # 28 December always lies in the last ISO week of its year.
    return datetime.date(iso_year, 12, 28).isocalendar()[1]


def _month_end(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - _ONE_DAY


@dataclass(frozen=True, order=True)
class Period:
    """An inclusive range of local dates of one calendar type.

    Only canonical periods can be built (a month runs from the 1st to its last
    day, a week from Monday to Sunday), so two equal-looking periods are equal.
    """

    type: PeriodType
    start: datetime.date
    end: datetime.date

    def __post_init__(self) -> None:
        canonical = Period._bounds(self.type, self.start)
        if canonical != (self.start, self.end):
            raise PeriodError(
                f"{self.start.isoformat()} 至 {self.end.isoformat()} 不是一个完整的{self.type.label}"
            )

    # -- construction -------------------------------------------------------

    @staticmethod
    def _bounds(type: PeriodType, day: datetime.date) -> tuple[datetime.date, datetime.date]:
        if type is PeriodType.DAY:
            return day, day
        if type is PeriodType.WEEK:
            monday = day - datetime.timedelta(days=day.weekday())
            return monday, monday + datetime.timedelta(days=6)
        if type is PeriodType.MONTH:
            return day.replace(day=1), _month_end(day.year, day.month)
        if type is PeriodType.QUARTER:
            first = 3 * ((day.month - 1) // 3) + 1
            return datetime.date(day.year, first, 1), _month_end(day.year, first + 2)
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)

    @classmethod
    def containing(cls, type: PeriodType, day: datetime.date) -> Period:
        """The period of `type` that contains the local date `day`."""
        if isinstance(day, datetime.datetime):
            # A datetime is a date subclass; silently dropping its time would
            # misfile instants near midnight, so route it through Shanghai time.
            return cls.of_instant(type, day)
        try:
            start, end = cls._bounds(type, day)
        except (OverflowError, ValueError) as exc:
            raise PeriodError(f"{day.isoformat()} 所在的{type.label}超出可表示的日期范围") from exc
        return cls(type, start, end)

    @classmethod
    def of_instant(cls, type: PeriodType, instant: datetime.datetime) -> Period:
        """The period containing an aware instant, judged by the Shanghai wall clock."""
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise PeriodError("时间必须带时区，无法判断属于哪个期间")
        return cls.containing(type, instant.astimezone(SHANGHAI).date())

    @classmethod
    def year(cls, year: int) -> Period:
        _check_year(str(year), year)
        return cls(PeriodType.YEAR, datetime.date(year, 1, 1), datetime.date(year, 12, 31))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        _check_year(f"{year}Q{quarter}", year)
        if not 1 <= quarter <= 4:
            raise _bad(f"{year}Q{quarter}", "季度应为 1–4")
        first = 3 * (quarter - 1) + 1
        return cls(PeriodType.QUARTER, datetime.date(year, first, 1), _month_end(year, first + 2))

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        _check_year(f"{year}-{month:02d}", year)
        if not 1 <= month <= 12:
            raise _bad(f"{year:04d}-{month:02d}", "月份应为 01–12")
        return cls(PeriodType.MONTH, datetime.date(year, month, 1), _month_end(year, month))

    @classmethod
    def week(cls, iso_year: int, week: int) -> Period:
        """ISO week `week` of ISO week-year `iso_year` (which may start in December)."""
        text = f"{iso_year:04d}W{week:02d}"
        _check_year(text, iso_year)
        weeks = _iso_weeks_in(iso_year)
        if not 1 <= week <= weeks:
            raise _bad(text, f"{iso_year} 年共有 {weeks} 周，周次应为 01–{weeks}")
        try:
            monday = datetime.date.fromisocalendar(iso_year, week, 1)
            return cls(PeriodType.WEEK, monday, monday + datetime.timedelta(days=6))
        except (OverflowError, ValueError) as exc:
            raise _bad(text, "超出可表示的日期范围") from exc

    @classmethod
    def day(cls, year: int, month: int, day: int) -> Period:
        text = f"{year:04d}-{month:02d}-{day:02d}"
        _check_year(text, year)
        try:
            date = datetime.date(year, month, day)
        except ValueError as exc:
            raise _bad(text, "日期不存在") from exc
        return cls(PeriodType.DAY, date, date)

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read `2026`, `2026Q1`, `2026-03`, `2026W12` or `2026-03-15`."""
        if not isinstance(text, str):
            raise PeriodError(f"期间应为文本，而不是 {type(text).__name__}")
        raw = text.strip()
        if m := _YEAR_RE.fullmatch(raw):
            year = int(m[1])
            _check_year(raw, year)
            return cls.year(year)
        if m := _QUARTER_RE.fullmatch(raw):
            year, quarter = int(m[1]), int(m[2])
            _check_year(raw, year)
            if not 1 <= quarter <= 4:
                raise _bad(raw, "季度应为 1–4")
            return cls.quarter(year, quarter)
        if m := _MONTH_RE.fullmatch(raw):
            year, month = int(m[1]), int(m[2])
            _check_year(raw, year)
            if not 1 <= month <= 12:
                raise _bad(raw, "月份应为 01–12")
            return cls.month(year, month)
        if m := _WEEK_RE.fullmatch(raw):
            return cls.week(int(m[1]), int(m[2]))
        if m := _DAY_RE.fullmatch(raw):
            year, month, day = int(m[1]), int(m[2]), int(m[3])
            _check_year(raw, year)
            if not 1 <= month <= 12:
                raise _bad(raw, "月份应为 01–12")
            return cls.day(year, month, day)
        raise _bad(
            raw, "应为 2026、2026Q1、2026-03、2026W12 或 2026-03-15 这样的格式"
        )

    # -- text ---------------------------------------------------------------

    def __str__(self) -> str:
        s = self.start
        if self.type is PeriodType.YEAR:
            return f"{s.year:04d}"
        if self.type is PeriodType.QUARTER:
            return f"{s.year:04d}Q{self.quarter_number}"
        if self.type is PeriodType.MONTH:
            return f"{s.year:04d}-{s.month:02d}"
        if self.type is PeriodType.WEEK:
            iso_year, week, _ = s.isocalendar()
            return f"{iso_year:04d}W{week:02d}"
        return s.isoformat()

    @property
    def label_zh(self) -> str:
        s = self.start
        if self.type is PeriodType.YEAR:
            return f"{s.year}年"
        if self.type is PeriodType.QUARTER:
            return f"{s.year}年第{self.quarter_number}季度"
        if self.type is PeriodType.MONTH:
            return f"{s.year}年{s.month}月"
        if self.type is PeriodType.WEEK:
            iso_year, week, _ = s.isocalendar()
            return f"{iso_year}年第{week}周"
        return f"{s.year}年{s.month}月{s.day}日"

    @property
    def quarter_number(self) -> int:
        return (self.start.month - 1) // 3 + 1

    # -- arithmetic ---------------------------------------------------------

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def contains(self, other: Period | datetime.date) -> bool:
        if isinstance(other, Period):
            return self.start <= other.start and other.end <= self.end
        if isinstance(other, datetime.datetime):
            if other.tzinfo is None or other.utcoffset() is None:
                raise PeriodError("时间必须带时区，无法判断属于哪个期间")
            other = other.astimezone(SHANGHAI).date()
        return self.start <= other <= self.end

    def previous(self) -> Period:
        if self.start == datetime.date.min:
            raise PeriodError(f"{self.label_zh}之前没有可表示的期间")
        return Period.containing(self.type, self.start - _ONE_DAY)

    def next(self) -> Period:
        if self.end == datetime.date.max:
            raise PeriodError(f"{self.label_zh}之后没有可表示的期间")
        return Period.containing(self.type, self.end + _ONE_DAY)

    def same_period_last_year(self) -> Period:
        """The comparable period one year earlier (同比).

        A week maps to the same ISO week number of the previous ISO year, and
        week 53 falls back to week 52 when that year has none; 29 February
        maps to 28 February.
        """
        s = self.start
        if self.type is PeriodType.WEEK:
            iso_year, week, _ = s.isocalendar()
            return Period.week(iso_year - 1, min(week, _iso_weeks_in(iso_year - 1)))
        year = s.year - 1
        _check_year(str(self), year)
        if self.type is PeriodType.YEAR:
            return Period.year(year)
        if self.type is PeriodType.QUARTER:
            return Period.quarter(year, self.quarter_number)
        if self.type is PeriodType.MONTH:
            return Period.month(year, s.month)
        if s.month == 2 and s.day == 29:
            return Period.day(year, 2, 28)
        return Period.day(year, s.month, s.day)

    def subperiods(self, type: PeriodType) -> list[Period]:
        """The periods of a finer `type` that make up this one, in order.

        Weeks straddle months and years, so a week belongs to the month,
        quarter or year holding its Thursday — the ISO rule, which for a year
        gives exactly the weeks of its ISO week-year.
        """
        if type is self.type:
            return [self]
        if type.rank > self.type.rank:
            raise PeriodError(f"{self.type.label}不能拆分为{type.label}")
        if type is PeriodType.WEEK:
            # The first week whose Thursday is on or after our start.
            first_thursday = self.start + datetime.timedelta(days=(3 - self.start.weekday()) % 7)
            result: list[Period] = []
            thursday = first_thursday
            while thursday <= self.end:
                result.append(Period.containing(PeriodType.WEEK, thursday))
                thursday += datetime.timedelta(days=7)
            return result
        result = []
        current = Period.containing(type, self.start)
        while True:
            result.append(current)
            if current.end >= self.end:
                return result
            current = current.next()

    # -- instants -----------------------------------------------------------

    def start_instant(self) -> datetime.datetime:
        """Midnight at the start of the first day, Shanghai time."""
        return datetime.datetime.combine(self.start, datetime.time(0), tzinfo=SHANGHAI)

    def end_instant(self) -> datetime.datetime:
        """Midnight after the last day (exclusive), Shanghai time."""
        return datetime.datetime.combine(self.end + _ONE_DAY, datetime.time(0), tzinfo=SHANGHAI)


def deadline(period: Period, *, day_offset: int, at: datetime.time) -> datetime.datetime:
    """When a report for `period` is due: Shanghai clock time `at`, `day_offset` days after its last day.

    Daily reports due by 16:00 the same day use ``day_offset=0, at=time(16)``;
    monthly reports due by the 5th of the next month use ``day_offset=5``.
    """
    # The clock time is always Shanghai's, whatever zone the caller attached.
    local = at.replace(tzinfo=None)
    return datetime.datetime.combine(
        period.end + datetime.timedelta(days=day_offset), local, tzinfo=SHANGHAI
    )


def is_on_time(submitted_at: datetime.datetime, due: datetime.datetime) -> bool:
    """True when an aware instant is strictly before the deadline (「16:00 前」)."""
    if submitted_at.tzinfo is None or submitted_at.utcoffset() is None:
        raise PeriodError("提交时间必须带时区")
    return submitted_at < due
