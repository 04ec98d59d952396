"""What inspections feed to the assessment (数据来源): problems found and rectified,
按期整改率 (rectifications due / rectified on time), 六乱 and other category counts,
recurrences, deductions and supervision visits — each unit's own, per period.

Visibility: findings of a 明察暗访 round that is not yet published are invisible to the
inspected units (decision 0009), so they are neither counted nor listed in explanation
records until the round is published; publishing tells the assessment to recompute.

Attribution: problems, recurrences and deductions count at the unit where the problem
was found (属地); rectifications due and on time count at the unit the order went to
(责任单位); supervision visits count at the unit that organised the round.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangjian.engine.periods import Period
from chuangjian.inspections.models import Finding, RectificationOrder, Recurrence, RoundPoint, State
from chuangjian.inspections.taxonomy import ELEMENT_CATEGORIES, codes_under
from chuangjian.sources import PeriodFigures, Record, Source, register

FINDING_COUNTS = ("problems_found", "problems_rectified", *ELEMENT_CATEGORIES)


def _findings(element: str, period: Period, unit_ids: Sequence[int]) -> QuerySet[Finding]:
    return _findings_between(element, period.start_instant(), period.end_instant(), unit_ids)


def _findings_between(element: str, start: dt.datetime, end: dt.datetime,
                      unit_ids: Sequence[int]) -> QuerySet[Finding]:
    qs = (Finding.objects.filter(unit_id__ids_in=unit_ids, hidden=False,
                                 found_at__gte=start, found_at__lt=end)
          .exclude(order__state=State.CANCELLED))
    if element == "problems_rectified":
        qs = qs.filter(order__state=State.CLOSED)
    if element in ELEMENT_CATEGORIES:
        qs = qs.filter(category__code__in=codes_under(ELEMENT_CATEGORIES[element]))
    return qs


def _due(period: Period, unit_ids: Sequence[int]) -> QuerySet[RectificationOrder]:
    """Orders whose deadline fell in the period and has passed (or that are closed)."""
    now = timezone.now()
    return (RectificationOrder.objects.filter(
        assignee_unit_id__ids_in=unit_ids, finding__hidden=False,
        deadline__gte=period.start_instant(), deadline__lt=period.end_instant())
        .exclude(state__in=(State.CANCELLED, State.PENDING))
        .filter(Q(deadline__lte=now) | Q(state=State.CLOSED)))


def _grouped(qs: QuerySet[Any], field: str, unit_ids: Sequence[int], *, zero: bool,
             total: Any = None) -> dict[int, float]:
    rows = qs.order_by().values(field).annotate(n=total if total is not None else Count("pk",
                                                                                       distinct=True))
    values = {int(r[field]): float(r["n"] or 0) for r in rows}
    if zero:
        return {int(u): values.get(int(u), 0.0) for u in unit_ids}
    return values


_FINDING_ELEMENTS = frozenset((*FINDING_COUNTS, "inspection_deduction_points"))


def _findings_of(element_codes: Sequence[str], periods: Sequence[Period],
                 unit_ids: Sequence[int]) -> dict[str, list[dict[int, float]]]:
    """``values_by_period`` of several finding elements (``_FINDING_ELEMENTS``) from one
    query: the findings of every period's span, each kept by when it was found, the state
    of its order and its category, then counted per element and period as ``values``
    counts them (not cancelled; closed for 已销号; of the element's categories)."""
    if not element_codes or not periods:
        return {c: [] for c in element_codes}
    starts = [p.start_instant() for p in periods]
    ends = [p.end_instant() for p in periods]
    rows = sorted(
        (Finding.objects.filter(unit_id__ids_in=unit_ids, hidden=False,
                                found_at__gte=min(starts), found_at__lt=max(ends))
         .order_by().values_list("found_at", "unit_id", "deduction", "order__state",
                                 "category__code")),
        key=lambda row: row[0])
    kept = [row for row in rows if row[3] != State.CANCELLED]
    times = [row[0] for row in kept]
    categories = {c: codes_under(ELEMENT_CATEGORIES[c]) for c in element_codes
                  if c in ELEMENT_CATEGORIES}

    def counted(code: str) -> Callable[[tuple[Any, ...]], bool]:
        if code == "problems_rectified":
            return lambda row: row[3] == State.CLOSED
        if code in categories:
            codes = categories[code]
            return lambda row: row[4] in codes
        return lambda row: True  # problems found, and their deductions

    counts = {c: counted(c) for c in element_codes}
    zero = dict.fromkeys(map(int, unit_ids), 0.0)
    out: dict[str, list[dict[int, float]]] = {c: [] for c in element_codes}
    for start, end in zip(starts, ends, strict=True):
        inside = kept[bisect_left(times, start):bisect_left(times, end)]
        for code in element_codes:
            keep, total = counts[code], code == "inspection_deduction_points"
            sums: dict[int, Decimal] = {}
            for row in inside:
                if keep(row):
                    unit_id = int(row[1])
                    sums[unit_id] = sums.get(unit_id, Decimal(0)) + (
                        (row[2] or Decimal(0)) if total else 1)
            out[code].append({**zero, **{u: float(n) for u, n in sums.items()}})
    return out


@register
class InspectionSource(Source):
    key = "inspections"
    label = _("督查整改")
    elements = {
        "problems_found": _("督查和随手拍立案的问题数（按发现地）"),
        "problems_rectified": _("期内发现且已复核销号的问题数"),
        "six_disorder_problems": _("期内发现的“六乱”问题数"),
        "sanitation_problems": _("期内发现的社区、小区环境卫生问题数"),
        "key_road_stall_clusters": _("期内发现的马路市场与摊点群问题数"),
        "new_illegal_buildings": _("期内发现的违法建设问题数"),
        "rectifications_due": _("整改期限在期内且已到期的整改单数（按责任单位）"),
        "rectifications_on_time": _("其中在期限内整改并通过复核销号的整改单数"),
        "problems_recurred": _("销号后复发并重新派单的次数"),
        "inspection_deduction_points": _("期内发现问题的扣分合计"),
        "supervision_visits": _("组织的督查对点位的检查次数"),
    }
    # An order falls due at its deadline (``_due``), nothing changing.
    clock_elements = frozenset({"rectifications_due", "rectifications_on_time"})

    def values_by_period(self, element_code: str, periods: Sequence[Period],
                         unit_ids: Sequence[int]) -> list[dict[int, float]]:
        """Finding counts and deductions of any periods, recurrences and supervision
        visits of consecutive periods, in one query, bucketed by the instant of each row
        (the per-day and per-week targets ask for a year of periods at once)."""
        if element_code in _FINDING_ELEMENTS:
            return _findings_of([element_code], periods, unit_ids)[element_code]
        counted = self._counted(element_code, periods, unit_ids)
        if counted is None:
            return super().values_by_period(element_code, periods, unit_ids)
        return counted.as_dicts(len(periods), unit_ids)

    def figures_by_period(self, element_code: str, periods: Sequence[Period],
                          unit_ids: Sequence[int]) -> PeriodFigures:
        """Recurrences and supervision visits of a year of days as columns: the units and
        days with a visit, every other one a counted 0."""
        counted = self._counted(element_code, periods, unit_ids)
        if counted is None:
            return super().figures_by_period(element_code, periods, unit_ids)
        return counted

    def _counted(self, element_code: str, periods: Sequence[Period], unit_ids: Sequence[int]
                 ) -> PeriodFigures | None:
        """Recurrences or supervision visits of consecutive periods in one query, counted
        by unit and the period holding the instant of each row; None for the other
        elements or periods that are not consecutive."""
        starts = [p.start_instant() for p in periods]
        ends = [p.end_instant() for p in periods]
        if not periods or any(ends[k] != starts[k + 1] for k in range(len(periods) - 1)):
            return None
        start, end = starts[0], ends[-1]
        rows: Any
        if element_code == "problems_recurred":
            rows = (Recurrence.objects.filter(order__finding__unit_id__ids_in=unit_ids,
                                              order__finding__hidden=False,
                                              found_at__gte=start, found_at__lt=end)
                    .order_by().values_list("pk", "order__finding__unit_id", "found_at"))
        elif element_code == "supervision_visits":
            rows = (RoundPoint.objects.filter(round__unit_id__ids_in=unit_ids,
                                              visited_at__gte=start, visited_at__lt=end)
                    .order_by().values_list("pk", "round__unit_id", "visited_at"))
        else:
            return None
        counts: Counter[tuple[int, int]] = Counter()
        seen: set[int] = set()
        for row in rows:
            pk, unit_id, at = row[0], row[1], row[2]
            if pk in seen:  # counted once, as Count("pk", distinct=True) does
                continue
            seen.add(pk)
            k = bisect_right(starts, at) - 1
            if k < 0 or at >= ends[k]:
                continue
            counts[(int(unit_id), k)] += 1
        return PeriodFigures(unit=np.array([u for u, _k in counts], dtype=np.int64),
                             period=np.array([k for _u, k in counts], dtype=np.int64),
                             value=np.array(list(counts.values()), dtype=float),
                             zero_elsewhere=True)

    def values_of(self, element_codes: Sequence[str], periods: Sequence[Period],
                  unit_ids: Sequence[int]) -> dict[str, list[dict[int, float]]]:
        """The finding counts and deductions asked together come from one read of the
        findings of the whole window (what each counts is told apart here: closed, of a
        category); the other elements are asked one by one."""
        found = [c for c in element_codes if c in _FINDING_ELEMENTS]
        out = _findings_of(found, periods, unit_ids)
        out.update((c, self.values_by_period(c, periods, unit_ids))
                   for c in element_codes if c not in found)
        return {c: out[c] for c in element_codes}

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        if element_code in FINDING_COUNTS:
            return _grouped(_findings(element_code, period, unit_ids), "unit_id", unit_ids,
                            zero=True)
        if element_code == "inspection_deduction_points":
            return _grouped(_findings("problems_found", period, unit_ids), "unit_id", unit_ids,
                            zero=True, total=Sum("deduction"))
        if element_code == "problems_recurred":
            qs = Recurrence.objects.filter(order__finding__unit_id__ids_in=unit_ids,
                                           order__finding__hidden=False,
                                           found_at__gte=period.start_instant(),
                                           found_at__lt=period.end_instant())
            return _grouped(qs, "order__finding__unit_id", unit_ids, zero=True)
        if element_code == "rectifications_due":
            return _grouped(_due(period, unit_ids), "assignee_unit_id", unit_ids, zero=False)
        if element_code == "rectifications_on_time":
            due = _due(period, unit_ids)
            having = set(due.values_list("assignee_unit_id", flat=True))
            on_time = _grouped(due.filter(state=State.CLOSED, on_time=True), "assignee_unit_id",
                               unit_ids, zero=False)
            return {u: on_time.get(u, 0.0) for u in having}
        if element_code == "supervision_visits":
            visits = RoundPoint.objects.filter(round__unit_id__ids_in=unit_ids,
                                           visited_at__gte=period.start_instant(),
                                           visited_at__lt=period.end_instant())
            return _grouped(visits, "round__unit_id", unit_ids, zero=True)
        raise KeyError(element_code)

    def records(self, element_code: str, period: Period, unit_id: int) -> list[Record]:
        if element_code in ("rectifications_due", "rectifications_on_time"):
            qs = _due(period, [unit_id]).select_related("finding")
            if element_code == "rectifications_on_time":
                qs = qs.filter(state=State.CLOSED, on_time=True)
            return [Record(label=f"{o.number} {o.finding.description[:40]}",
                           date=timezone.localdate(o.deadline) if o.deadline else None,
                           url=reverse("inspections:order", args=[o.pk]))
                    for o in qs.order_by("-deadline")[:500]]
        if element_code == "supervision_visits":
            visits = (RoundPoint.objects.filter(round__unit_id=unit_id,
                                                visited_at__gte=period.start_instant(),
                                                visited_at__lt=period.end_instant())
                      .select_related("round", "point").order_by("-visited_at")[:500])
            return [Record(label=f"{v.round.title} · {v.point.name}",
                           date=timezone.localdate(v.visited_at) if v.visited_at else None,
                           url=reverse("inspections:round", args=[v.round_id])) for v in visits]
        if element_code == "problems_recurred":
            recs = (Recurrence.objects.filter(order__finding__unit_id=unit_id,
                                              order__finding__hidden=False,
                                              found_at__gte=period.start_instant(),
                                              found_at__lt=period.end_instant())
                    .select_related("order").order_by("-found_at")[:500])
            return [Record(label=f"{r.order.number} {r.note[:40]}",
                           date=timezone.localdate(r.found_at),
                           url=reverse("inspections:order", args=[r.order_id])) for r in recs]
        base = "problems_found" if element_code == "inspection_deduction_points" else element_code
        found = (_findings(base, period, [unit_id]).select_related("order", "category")
                 .order_by("-found_at")[:500])
        return [Record(label=f"{f.number} {f.category_label} {f.description[:30]}",
                       date=timezone.localdate(f.found_at),
                       url=reverse("inspections:order", args=[f.order.pk]),
                       value=float(f.deduction) if element_code == "inspection_deduction_points"
                       else None) for f in found]
