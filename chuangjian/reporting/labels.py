"""Display texts reporting composes from codes: periods, period types, kinds of report.

The engine names periods in Chinese only (it imports no Django); pages, messages and
files of this app name them through these helpers, in the reader's language.
"""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext_lazy, pgettext_lazy
from django.utils.translation import gettext as _

from chuangjian.engine.periods import Period, PeriodError, PeriodType

# A context keeps these one-character words apart from the same characters elsewhere.
PERIOD_TYPE_LABELS: dict[PeriodType, Promise] = {
    PeriodType.DAY: pgettext_lazy("period type", "日"),
    PeriodType.WEEK: pgettext_lazy("period type", "周"),
    PeriodType.MONTH: pgettext_lazy("period type", "月"),
    PeriodType.QUARTER: pgettext_lazy("period type", "季度"),
    PeriodType.YEAR: pgettext_lazy("period type", "年"),
}

# One kind of report per period type, as the missing list and the xlsx page name them.
REPORT_KIND_LABELS: dict[PeriodType, Promise] = {
    PeriodType.DAY: gettext_lazy("日报"),
    PeriodType.WEEK: gettext_lazy("周报"),
    PeriodType.MONTH: gettext_lazy("月报"),
    PeriodType.QUARTER: gettext_lazy("季报"),
    PeriodType.YEAR: gettext_lazy("年报"),
}


def period_type_label(period_type: PeriodType | str) -> str:
    return str(PERIOD_TYPE_LABELS[PeriodType(period_type)])


def report_kind_label(period_type: PeriodType | str) -> str:
    return str(REPORT_KIND_LABELS[PeriodType(period_type)])


def period_label(period: Period) -> str:
    """``2026年3月16日`` / ``Mar. 16, 2026``, ``2026年第1季度`` / ``Q1 2026`` …"""
    start = period.start
    if period.type is PeriodType.YEAR:
        return _("%(year)d年") % {"year": start.year}
    if period.type is PeriodType.QUARTER:
        return _("%(year)d年第%(quarter)d季度") % {"year": start.year,
                                                  "quarter": period.quarter_number}
    if period.type is PeriodType.MONTH:
        return date_format(start, "YEAR_MONTH_FORMAT")
    if period.type is PeriodType.WEEK:
        iso_year, week, _weekday = start.isocalendar()
        return _("%(year)d年第%(week)d周") % {"year": iso_year, "week": week}
    return date_format(start, "DATE_FORMAT")


def period_error(text: str, error: PeriodError) -> str:
    """Why ``text`` is no period. The engine says precisely why, but only in Chinese;
    a reader of another language gets the rule in theirs."""
    if (get_language() or "zh-hans").startswith("zh"):
        return str(error)
    return _("无法识别的期间「%(text)s」：应为 2026、2026Q1、2026-03、2026W12 或 2026-03-15 "
             "这样的格式，且是存在的日期") % {"text": text}
