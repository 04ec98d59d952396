"""Targets judged period by period: 每天 / 每周 / 每月 / 每季度 … 不少于 n 次.

城关街道 once stood 达标 on 「每天对各部门、各社区的工作情况进行督查指导」 with
nine inspections in the whole year, because the year's total was compared
with the daily count. Here each day (week, month, quarter) of the window gets
its own count, the target judges the share of periods that met it, and the
explanation names the periods that did not.

The window is the assessment year's periods that have ended by the run's
``as_of`` (all of them once the year is over): a day still under way cannot
have failed yet. The loader guarantees that such a target's expression is a
single summed element reported at least as often as the target's period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from chuangjian import sources as registry
from chuangjian.engine import aggregation, targets
from chuangjian.engine.periods import Period, PeriodType
from chuangjian.engine.reasons import Reason
from chuangjian.reporting.models import DataValue
from chuangjian.standards.models import DataElement

__all__ = [
    "PeriodCounts",
    "element_of",
    "failures_reason",
    "period_counts",
    "periodic_target",
    "summarize_failures",
    "window",
]

_THREE_DAYS = dt.timedelta(days=3)
# How many periods are counted: 365 天, 52 周, 12 个月, 4 个季度.
_COUNTED = {PeriodType.DAY: "天", PeriodType.WEEK: "周", PeriodType.MONTH: "个月",
            PeriodType.QUARTER: "个季度"}
_SHOWN = 12  # failing stretches listed before 「等」


def periodic_target(target: targets.Target | None) -> targets.AtLeastPerPeriod | None:
    """The target when it is judged period by period, else None."""
    if isinstance(target, targets.AtLeastPerPeriod) and target.periodic:
        return target
    return None


def element_of(expression: object) -> str:
    """The one element a per-period target counts (the loader allows nothing else)."""
    from chuangjian.engine import expressions

    names = sorted(expressions.names_used(expression))  # type: ignore[arg-type]
    return names[0]


def window(year: int, as_of: dt.date, per: PeriodType) -> list[Period]:
    """The periods of ``per`` in the year that have ended by ``as_of``."""
    whole = Period.year(year)
    periods = whole.subperiods(per)
    if as_of >= whole.end:
        return periods
    return [p for p in periods if p.end < as_of]


@dataclass
class PeriodCounts:
    """One count per unit (row) and period (column); NaN where nothing was recorded."""

    periods: list[Period]
    counts: np.ndarray


def _anchor(period: Period) -> dt.date:
    # A week belongs to the period holding its Thursday, as in the rollups.
    return period.start + _THREE_DAYS if period.type is PeriodType.WEEK else period.start


def period_counts(element: DataElement, per: PeriodType, periods: Sequence[Period],
                  tree: object, rows: np.ndarray) -> PeriodCounts:
    """Each target unit's subtree figure of ``element`` in every period of the window.

    ``tree`` is a ``compute.UnitTree``; ``rows`` are the indices of the target units in
    it. A source is asked for all the periods at once (``figures_by_period``); reported
    values are read raw (day and week values have no rollups) and added into the period
    that holds them.
    """
    from chuangjian.assessment.compute import UnitTree

    assert isinstance(tree, UnitTree)  # noqa: S101 - typed loosely to avoid an import cycle
    column = {str(p): k for k, p in enumerate(periods)}
    own = np.full((len(tree.ids), len(periods)), np.nan)
    own_count = np.zeros(own.shape)
    source = registry.source_for(element.code)
    if not periods:
        pass
    elif source is not None:
        # A year of days over the tree, as columns (``Source.figures_by_period``).
        figures = source.figures_by_period(element.code, periods, tree.id_list)
        if figures.zero_elsewhere:  # every unit of the tree was asked
            own[:], own_count[:] = 0.0, 1.0
        at = tree.rows_of(figures.unit)
        inside = at >= 0
        own[at[inside], figures.period[inside]] = figures.value[inside]  # None reads as NaN
        own_count[at[inside], figures.period[inside]] = ~np.isnan(figures.value[inside])
    else:
        first, last = periods[0].start, periods[-1].end
        values = (DataValue.objects
                 .filter(tree.within("unit"), element_id=element.pk,
                         number__isnull=False, period_start__gte=first - _THREE_DAYS,
                         period_start__lte=last)
                 .values_list("unit_id", "period", "number"))
        rows_read = list(values)
        if rows_read:
            unit_ids, texts, numbers = zip(*rows_read, strict=True)
            # Many units report the same periods: each distinct period text is placed once.
            distinct, where_text = np.unique(np.array(texts), return_inverse=True)
            col_of_text = np.array([
                -1 if (col := column.get(str(Period.containing(
                    per, _anchor(Period.parse(str(text))))))) is None else col
                for text in distinct.tolist()], dtype=np.int64)
            cols = col_of_text[where_text.reshape(-1)]
            where_unit = tree.rows_of(np.array(unit_ids, dtype=np.int64))
            number = np.array(numbers, dtype=float)
            ok = (cols >= 0) & (where_unit >= 0) & ~np.isnan(number)
            where = (where_unit[ok], cols[ok])
            sums = np.zeros(own.shape)
            np.add.at(sums, where, number[ok])
            np.add.at(own_count, where, 1.0)
            own = np.where(own_count > 0, sums, np.nan)
    agg, _counts = tree.aggregate(own, own_count, [element.tree_agg] * len(periods))
    if len(periods) and element.tree_agg != aggregation.TreeAgg.NONE:
        _as_it_stood(tree, rows, periods, own, element.tree_agg, agg)
    return PeriodCounts(list(periods), agg[rows] if len(periods) else np.zeros((len(rows), 0)))


def _as_it_stood(tree: object, rows: np.ndarray, periods: Sequence[Period], own: np.ndarray,
                 tree_agg: str, agg: np.ndarray) -> None:
    """Redo, in place, the counts of target units whose subtree changed during the window:
    each period's counts added up over the tree at the end of its month (the grain of the
    rollups, ``engine.aggregation``), so a community moved in July counts its June days
    under its old street."""
    from chuangjian.assessment.compute import UnitTree, moved_paths
    from chuangjian.org import selectors as org_selectors

    assert isinstance(tree, UnitTree)  # noqa: S101 - typed loosely to avoid an import cycle
    if not tree.units:
        return
    moved = moved_paths(tree.tops, periods[0].start)
    stale = [int(r) for r in rows if any(p.startswith(tree.units[int(r)].path) for p in moved)]
    if not stale:
        return
    places: dict[dt.date, list[str]] = {}
    for k, period in enumerate(periods):
        month_end = Period.containing(PeriodType.MONTH, _anchor(period)).end
        if month_end not in places:
            then = org_selectors.paths_on(tree.units, month_end)
            places[month_end] = [then.get(u.pk, u.path) for u in tree.units]
        where = places[month_end]
        for r in stale:
            prefix = where[r]
            figures = [float(own[i, k]) for i, place in enumerate(where)
                       if place.startswith(prefix) and not np.isnan(own[i, k])]
            value = aggregation.over_tree(None, figures, tree_agg)
            agg[r, k] = np.nan if value is None else value


def summarize_failures(target: targets.AtLeastPerPeriod, periods: Sequence[Period],
                       counts: np.ndarray) -> str:
    """「365 天中 9 天做到；未做到：1月1日至1月5日、…」 for one unit's row of counts."""
    word = _COUNTED.get(target.per, target.per_word)
    if not periods:
        return f"本年尚无已结束的{target.per_word}"
    met = np.nan_to_num(counts, nan=0.0) >= target.count
    done = int(met.sum())
    head = f"{len(periods)} {word}中 {done} {word}做到每{target.per_word}不少于 {target.count:g} 次"
    if done == len(periods):
        return head
    stretches: list[tuple[Period, Period]] = []
    for k, period in enumerate(periods):
        if met[k]:
            continue
        if stretches and k > 0 and not met[k - 1]:
            stretches[-1] = (stretches[-1][0], period)
        else:
            stretches.append((period, period))
    shown = [_label(a) if a == b else f"{_label(a)}至{_label(b)}" for a, b in stretches[:_SHOWN]]
    more = "等" if len(stretches) > _SHOWN else ""
    return f"{head}；未做到：{'、'.join(shown)}{more}（共 {len(periods) - done} {word}）"


def failures_reason(target: targets.AtLeastPerPeriod, periods: Sequence[Period],
                    counts: np.ndarray) -> Reason:
    """``summarize_failures`` as a structured reason, worded in ``wording.note_sentence``."""
    per = target.per.value
    if not periods:
        return Reason("periods_none", {"per": per})
    met = np.nan_to_num(counts, nan=0.0) >= target.count
    done = int(met.sum())
    if done == len(periods):
        return Reason("periods_all", {"periods": len(periods), "done": done, "per": per,
                                      "count": target.count})
    stretches: list[tuple[Period, Period]] = []
    for k, period in enumerate(periods):
        if met[k]:
            continue
        if stretches and k > 0 and not met[k - 1]:
            stretches[-1] = (stretches[-1][0], period)
        else:
            stretches.append((period, period))
    return Reason("periods_failed", {
        "periods": len(periods), "done": done, "per": per, "count": target.count,
        "stretches": tuple((str(a), str(b)) for a, b in stretches[:_SHOWN]),
        "more": len(stretches) > _SHOWN})


def _label(period: Period) -> str:
    # The year is the assessment's own; 1月5日 reads better than 2026年1月5日.
    text = period.label_zh
    year = f"{period.start.year}年"
    if period.type is PeriodType.WEEK:
        return text
    return text[len(year):] if text.startswith(year) else text
