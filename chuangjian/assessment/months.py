"""An indicator month by month within its year (逐月趋势), for the trend dashboard.

The year's assessment evaluates an indicator's formula once over the year's figures.
Where every element behind the formula is reported monthly (or daily, weekly), the
same formula can be evaluated over each month's own figures (当月) and over the
figures from January to the month's end (累计, year to date); quarterly elements give
quarters instead. The 累计 of the last month of the year is the year's value, so it is
the series that reads against the year's target.

Elements add up over time and over the tree by their own rules
(``engine.aggregation``), read from the units' monthly rollups. The subtree is the
current one: a unit moved during the year counts under its present parent for every
month, which the yearly figures (tree as it stood) do not do; the chart is a trend
to read, the year's figure stays the one judged.

Elements a source computes from records (the mediation register, activities …) are
asked for month by month through the same source. Not drawn month by month: formulas
that read earlier years (``previous``, ``streak_zero``) or children's verdicts
(``share_of_children``), elements reported once a year, and averages a source computes
(their year so far cannot be made from the months'). The page then shows the yearly
trend.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from chuangjian import sources as registry
from chuangjian.assessment.periodic import window
from chuangjian.assessment.spec import StandardSpec
from chuangjian.engine import aggregation, expressions
from chuangjian.engine.aggregation import Summary
from chuangjian.engine.periods import Period, PeriodType
from chuangjian.org.models import Unit
from chuangjian.reporting.models import Rollup
from chuangjian.standards.models import DataElement

__all__ = ["PeriodFigure", "elements_behind", "grain", "within_year"]

# Functions whose value is not a function of the period's own figures.
_ACROSS_YEARS = frozenset({"previous", "streak_zero", "share_of_children"})


@dataclass(frozen=True)
class PeriodFigure:
    """An indicator over one month (quarter) and over the year up to its end."""

    period: Period
    value: float | None  # the month's own figures (当月)
    to_date: float | None  # 1 January to the month's end (累计)


def elements_behind(spec: StandardSpec, code: str) -> list[DataElement] | None:
    """The reported elements an indicator's formula reads, through the indicators it
    names; None when the formula cannot be evaluated month by month."""
    ind = spec.by_code.get(code)
    if ind is None or ind.expression is None:
        return None
    if any(isinstance(node, expressions.Call) and node.func in _ACROSS_YEARS
           for node in expressions.walk(ind.expression)):
        return None
    found: dict[str, DataElement] = {}
    for name in sorted(expressions.names_used(ind.expression)):
        if name in spec.indicator_codes:
            inner = elements_behind(spec, name)
            if inner is None:
                return None
            found.update((e.code, e) for e in inner)
        elif name in spec.elements and _readable(spec.elements[name]):
            found[name] = spec.elements[name]
        else:
            return None
    return list(found.values())


def _readable(element: DataElement) -> bool:
    # A source gives one figure per unit and period, not the summary a rollup keeps: the
    # year so far of a mean cannot be made from monthly means, so such an element is
    # left to the yearly trend.
    return (registry.source_for(element.code) is None
            or element.time_agg != aggregation.TimeAgg.MEAN)


def grain(elements: Sequence[DataElement]) -> PeriodType | None:
    """Months when every element is reported monthly or more often, quarters when some
    are quarterly, None when any is yearly (or there are none)."""
    if not elements:
        return None
    coarsest = max(PeriodType(e.period).rank for e in elements)
    if coarsest <= PeriodType.MONTH.rank:
        return PeriodType.MONTH
    if coarsest == PeriodType.QUARTER.rank:
        return PeriodType.QUARTER
    return None


def within_year(spec: StandardSpec, code: str, unit: Unit, year: int, *, as_of: dt.date
                ) -> list[PeriodFigure]:
    """The indicator for ``unit``'s subtree in each month (quarter) of ``year`` that has
    ended by ``as_of``; empty when it has no monthly form or nothing was reported."""
    elements = elements_behind(spec, code)
    per = grain(elements) if elements else None
    periods = window(year, as_of, per) if per is not None else []
    if not elements or not periods:
        return []
    k = len(periods)
    col = {str(p): i for i, p in enumerate(periods)}
    by_id = {e.pk: e for e in elements}
    # One unit's own summary per element and period: a subtree of a street is a few
    # dozen units, of a city a few thousand, times twelve months (one query).
    own: dict[tuple[int, int], list[Summary[Decimal] | None]] = {}
    reported = [pk for pk, e in by_id.items() if registry.source_for(e.code) is None]
    rows = (Rollup.objects.filter(unit__path__startswith=unit.path, element_id__in=reported,
                                  period__in=list(col))
            .values_list("unit_id", "element_id", "period", "total", "count", "maximum",
                         "last_value")) if reported else []
    for unit_id, element_id, period, total, count, maximum, last in rows:
        if not count:
            continue
        own.setdefault((unit_id, element_id), [None] * k)[col[period]] = Summary(
            Decimal(total), int(count), maximum, last)
    sourced = [e for e in elements if registry.source_for(e.code) is not None]
    subtree = (list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
               if sourced else [])
    for element in sourced:
        source = registry.source_for(element.code)
        assert source is not None  # noqa: S101 - filtered just above
        ids = subtree if element.tree_agg != aggregation.TreeAgg.NONE else [unit.pk]
        for i, got in enumerate(source.values_by_period(element.code, periods, ids)):
            for unit_id, value in got.items():
                if value is None:
                    continue
                own.setdefault((unit_id, element.pk), [None] * k)[i] = Summary.of(
                    [Decimal(str(value))], Decimal(0))
    n = 2 * k  # columns: each period's own figures, then each period's year to date
    values: dict[str, expressions.Values] = {}
    counts: dict[str, expressions.Values] = {}
    for element in elements:
        figures: dict[int, list[float | None]] = {}
        reports = np.zeros(n)
        for (unit_id, element_id), summaries in own.items():
            if element_id != element.pk:
                continue
            row: list[float | None] = []
            for s in summaries:
                row.append(_figure(s, element.time_agg))
            so_far: Summary[Decimal] | None = None
            for s in summaries:
                if s is not None:
                    so_far = s if so_far is None else so_far.then(s)
                row.append(_figure(so_far, element.time_agg))
            figures[unit_id] = row
            if element.tree_agg != aggregation.TreeAgg.NONE or unit_id == unit.pk:
                per_period = np.array([s.count if s else 0 for s in summaries], dtype=float)
                reports += np.concatenate([per_period, np.cumsum(per_period)])
        mine = figures.pop(unit.pk, [None] * n)
        values[element.code] = expressions.Values.of([
            aggregation.over_tree(mine[j], [f[j] for f in figures.values()], element.tree_agg)
            for j in range(n)], n)
        counts[element.code] = expressions.Values.of(reports, n)
    result = _evaluate(spec, code, values, counts, n)
    shown = [None if np.isnan(x) else float(x) for x in result.value]
    if all(x is None for x in shown[:k]):
        return []
    return [PeriodFigure(p, shown[i], shown[k + i]) for i, p in enumerate(periods)]


def _figure(summary: Summary[Decimal] | None, time_agg: str) -> float | None:
    if summary is None:
        return None
    value = aggregation.over_time(summary, time_agg)
    return None if value is None else float(value)


def _evaluate(spec: StandardSpec, code: str, values: dict[str, expressions.Values],
              counts: dict[str, expressions.Values], n: int) -> expressions.Values:
    expr = spec.by_code[code].expression
    assert expr is not None  # noqa: S101 - elements_behind checked it
    for name in sorted(expressions.names_used(expr)):
        if name in spec.indicator_codes and name not in values:
            values[name] = _evaluate(spec, name, values, counts, n)
    return expressions.evaluate(expr, expressions.DictEnvironment(values, counts=counts, n=n))
