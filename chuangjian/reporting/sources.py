"""Sources the reporting app computes for the assessment (see chuangjian/sources).

信息报送 (篇4: 做好信息把关、汇总、上报工作): the number of news and experience items a
unit sent upward is counted from the items themselves, so nobody types it into a
report form (一数一源).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import Count, F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangjian.engine.periods import Period, PeriodType
from chuangjian.org.levels import Kind
from chuangjian.org.models import Unit
from chuangjian.reporting import datasets
from chuangjian.reporting.datasets import MergedDataset
from chuangjian.reporting.models import NewsItem, Submission
from chuangjian.sources import Record, Source, register

NEWS_ELEMENT = "info_items_submitted"


@register
class NewsSource(Source):
    key = "news"
    label = _("信息报送")
    elements = {NEWS_ELEMENT: _("期内报送的信息条数（工作动态与经验做法）")}

    def _items(self, period: Period) -> QuerySet[NewsItem]:
        return NewsItem.objects.filter(submitted_at__gte=period.start_instant(),
                                       submitted_at__lt=period.end_instant())

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        # Every unit asked is a true zero until it sends something: the count is kept
        # by the product, not reported, so no item means none was sent.
        counts = dict(self._items(period).filter(unit_id__ids_in=unit_ids)
                      .values_list("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
        return {unit_id: float(counts.get(unit_id, 0)) for unit_id in unit_ids}

    def records(self, element_code: str, period: Period, unit_id: int) -> list[Record]:
        rows = self._items(period).filter(unit_id=unit_id).order_by("-submitted_at")[:200]
        return [Record(label=f"{item.title}（{item.get_kind_display()}，{item.get_state_display()}）",
                       date=timezone.localtime(item.submitted_at).date(),
                       url=reverse("reporting:news"), value=1.0)
                for item in rows]


DUE_ELEMENT = "daily_reports_due"
ON_TIME_ELEMENT = "daily_reports_on_time"


@register
class TimelinessSource(Source):
    """篇10: 每天下午4点前各管区……汇总，报创城办公室 — the 16:00 on-time rate, counted from
    the daily reports themselves (the same submissions the missing list reads).

    A day is due for a unit that reports a daily data set once its deadline has passed,
    from the day the platform first took that data set's reports (days before it went
    live could not be reported here) and while the unit was open. A report is on time
    when it was first submitted before its deadline.
    """

    key = "timeliness"
    label = _("日报按时上报")
    elements = {DUE_ELEMENT: _("期内已过截止时间、应报的日报数"),
                ON_TIME_ELEMENT: _("期内在截止时间前首次上报的日报数")}
    clock_elements = frozenset(elements)  # a day falls due at its deadline, nothing changing

    def _window(self, unit: Unit, ds: MergedDataset, period: Period, first: dt.date | None,
                now: dt.datetime) -> tuple[dt.date, dt.date] | None:
        start = max(d for d in (period.start, first, unit.opened_on) if d is not None)
        end = period.end
        if unit.closed_on is not None:
            end = min(end, unit.closed_on - dt.timedelta(days=1))
        # The last day whose deadline has passed (a daily deadline is a day or two after).
        last = min(end, timezone.localdate(now))
        while last >= start and ds.deadline_for(Period.containing(PeriodType.DAY, last)) > now:
            last -= dt.timedelta(days=1)
        return (start, last) if last >= start else None

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        return self.values_of([element_code], [period], unit_ids)[element_code][0]

    def values_by_period(self, element_code: str, periods: Sequence[Period],
                         unit_ids: Sequence[int]) -> list[dict[int, float]]:
        return self.values_of([element_code], periods, unit_ids)[element_code]

    def values_of(self, element_codes: Sequence[str], periods: Sequence[Period],
                  unit_ids: Sequence[int]) -> dict[str, list[dict[int, float]]]:
        """Both counts for every period from one read of the units and of the day each
        daily data set began: the days due follow from each unit's window, the reports on
        time are counted by the database."""
        now = timezone.now()
        units = list(Unit.objects.filter(pk__ids_in=unit_ids, kind__in=[Kind.AREA, Kind.DEPARTMENT]))
        firsts: dict[str, dt.date | None] = {}
        out: dict[str, list[dict[int, float]]] = {c: [] for c in element_codes}
        for period in periods:
            windows = self._windows(units, period, firsts, now)
            for code in element_codes:
                out[code].append(self._due(windows) if code == DUE_ELEMENT
                                 else self._on_time(windows))
        return out

    def _windows(self, units: Sequence[Unit], period: Period,
                 firsts: dict[str, dt.date | None], now: dt.datetime
                 ) -> dict[int, tuple[str, dt.date, dt.date]]:
        """Unit id → (its daily data set, the first and last day due in ``period``); a unit
        with none due has an empty window. ``firsts`` keeps the day each data set began."""
        cat = datasets.catalog()
        windows: dict[int, tuple[str, dt.date, dt.date]] = {}
        for unit in units:
            ds = next((d for d in cat.for_unit(unit, period.start.year).values()
                       if d.period_type is PeriodType.DAY), None)
            if ds is None:
                continue
            if ds.code not in firsts:
                first = (Submission.objects.filter(dataset_code=ds.code,
                                                   first_submitted_at__isnull=False)
                         .order_by("period").values_list("period", flat=True).first())
                firsts[ds.code] = Period.parse(first).start if first else None
            if firsts[ds.code] is None:
                continue
            window = self._window(unit, ds, period, firsts[ds.code], now)
            if window is None:
                windows[unit.pk] = (ds.code, period.start, period.start - dt.timedelta(days=1))
            else:
                windows[unit.pk] = (ds.code, *window)
        return windows

    @staticmethod
    def _due(windows: dict[int, tuple[str, dt.date, dt.date]]) -> dict[int, float]:
        return {u: float(max((end - start).days + 1, 0)) for u, (_c, start, end)
                in windows.items()}

    @staticmethod
    def _on_time(windows: dict[int, tuple[str, dt.date, dt.date]]) -> dict[int, float]:
        out: dict[int, float] = dict.fromkeys(windows, 0.0)
        # Counted by the database, one grouped query per distinct window (most units share
        # one): not one Python step per report (190,000 daily reports at L).
        spans: dict[tuple[str, dt.date, dt.date], list[int]] = defaultdict(list)
        for unit_id, (code, start, end) in windows.items():
            if end >= start:
                spans[(code, start, end)].append(unit_id)
        for (code, start, end), members in spans.items():
            counted = (Submission.objects
                       .filter(unit_id__ids_in=members, dataset_code=code,
                               period_type=PeriodType.DAY.value, period__gte=start.isoformat(),
                               period__lte=end.isoformat(), first_submitted_at__isnull=False,
                               due_at__isnull=False, first_submitted_at__lte=F("due_at"))
                       .values_list("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
            for unit_id, n in counted:
                out[unit_id] = float(n)
        return out

    def records(self, element_code: str, period: Period, unit_id: int) -> list[Record]:
        rows = (Submission.objects.filter(unit_id=unit_id, period_type=PeriodType.DAY.value,
                                          period__gte=period.start.isoformat(),
                                          period__lte=period.end.isoformat(),
                                          first_submitted_at__isnull=False)
                .order_by("-period")[:200])
        return [Record(label=f"{s.period} 日报（{_on_time_text(s)}）",
                       date=dt.date.fromisoformat(s.period), value=1.0 if _on_time(s) else 0.0)
                for s in rows]


def _on_time(s: Submission) -> bool:
    return bool(s.first_submitted_at and s.due_at and s.first_submitted_at <= s.due_at)


def _on_time_text(s: Submission) -> str:
    return str(_("按时")) if _on_time(s) else str(_("迟报"))
