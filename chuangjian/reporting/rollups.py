"""Rollups (汇总) kept current on write, and their verification from raw values.

For every numeric value a unit reports, the month, quarter and year that contain
its period each hold one ``Rollup`` row of the unit's *own* data: total, count,
maximum and the latest value. These rows are updated in the submission's
transaction, so an assessment reads a year as one row per unit and element instead
of rescanning 365 daily values. A parent's figure is one query over the rollups
of units whose path starts with its own: moving a unit needs no rebuild, and a past
period is added up over the tree as it stood then (``subtree_values``).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from chuangjian.engine import aggregation
from chuangjian.engine.periods import Period, PeriodType
from chuangjian.lib.bulk import update_each
from chuangjian.org import selectors as org_selectors
from chuangjian.org.models import Unit
from chuangjian.reporting.models import DataValue, Rollup
from chuangjian.reporting.values import NUMERIC_TYPES
from chuangjian.standards.models import DataElement

ROLLUP_TYPES = (PeriodType.MONTH, PeriodType.QUARTER, PeriodType.YEAR)
_THREE_DAYS = dt.timedelta(days=3)


def _anchor(period: Period) -> dt.date:
    # A week belongs to the month, quarter and year holding its Thursday (ISO rule),
    # the same rule as Period.subperiods, so weeks are never counted twice.
    return period.start + _THREE_DAYS if period.type is PeriodType.WEEK else period.start


def rollup_periods(period: Period) -> list[Period]:
    """The month, quarter and year rollups a value of ``period`` feeds (coarser or equal)."""
    anchor = _anchor(period)
    return [Period.containing(t, anchor) for t in ROLLUP_TYPES if t.rank >= period.type.rank]


def _raw_in(unit_id: int, element_id: int, rollup: Period) -> QuerySet[DataValue]:
    finer = [t.value for t in PeriodType if t.rank <= rollup.type.rank and t is not PeriodType.WEEK]
    cond = Q(period_type__in=finer, period_start__gte=rollup.start, period_start__lte=rollup.end)
    if rollup.type.rank >= PeriodType.WEEK.rank:
        cond |= Q(period_type=PeriodType.WEEK.value, period_start__gte=rollup.start - _THREE_DAYS,
                  period_start__lte=rollup.end - _THREE_DAYS)
    return DataValue.objects.filter(cond, unit_id=unit_id, element_id=element_id,
                                    number__isnull=False)


@dataclass(frozen=True)
class Change:
    """One stored value moved from ``old`` to ``new`` (either may be None)."""

    element: DataElement
    period: Period
    old: Decimal | None
    new: Decimal | None


def apply_changes(*, unit: Unit, changes: Sequence[Change]) -> None:
    """Move the unit's rollups from each change's old value to its new one (call after
    saving the values). The rollup rows they feed are read, locked, in one query and
    written in one prepared update and one insert, whatever the number of values: a first report
    of a form feeds every element's month, quarter and year."""
    moves = [(c, rp) for c in changes if c.element.type in NUMERIC_TYPES and c.old != c.new
             for rp in rollup_periods(c.period)]
    for _attempt in range(3):
        if not moves:
            return
        # Moves whose new row another transaction inserted first (two reports of the same
        # unit for days of one month at once) come back, to be applied to its row; the
        # rest are written already.
        moves = _apply_moves(unit, moves)
    raise IntegrityError(f"rollup rows of unit {unit.pk} kept being created by others")


def _apply_moves(unit: Unit, moves: Sequence[tuple[Change, Period]]
                 ) -> list[tuple[Change, Period]]:
    """Apply ``moves``; the moves whose new row lost the race to be inserted (their
    inserts are undone, the rest of the work stands)."""
    rows = _locked_rows(unit, {c.element.pk for c, _rp in moves}, {str(rp) for _c, rp in moves})
    new_rows: dict[tuple[int, str], Rollup] = {}
    touched: dict[tuple[int, str], Rollup] = {}
    for change, rp in moves:
        key = (change.element.pk, str(rp))
        row = rows.get(key) or new_rows.get(key)
        if row is None:
            row = new_rows[key] = Rollup(unit=unit, element=change.element, period=str(rp),
                                         period_type=rp.type.value, total=Decimal(0), count=0)
        _move(row, unit, change, rp)
        touched[key] = row
    gone = [r.pk for r in touched.values() if r.pk is not None and r.count <= 0]
    if gone:
        Rollup.objects.filter(pk__in=gone).delete()
    kept = [r for r in touched.values() if r.pk is not None and r.count > 0]
    if kept:
        update_each(Rollup, kept, ["total", "count", "maximum", "last_value", "last_period"])
    created = [r for r in new_rows.values() if r.count > 0]
    if not created:
        return []
    try:
        with transaction.atomic():
            Rollup.objects.bulk_create(created)
    except IntegrityError:
        return [(c, rp) for c, rp in moves if (c.element.pk, str(rp)) in new_rows]
    return []


def _locked_rows(unit: Unit, elements: set[int], periods: set[str]
                 ) -> dict[tuple[int, str], Rollup]:
    """The unit's rollup rows of those elements and periods, locked for this transaction
    in primary-key order (so two transactions lock the rows they share in one order)."""
    return {(r.element_id, r.period): r for r in Rollup.objects.select_for_update().filter(
        unit=unit, element_id__in=elements, period__in=periods).order_by("pk")}


def _move(row: Rollup, unit: Unit, change: Change, rp: Period) -> None:
    """Move one rollup row's aggregates from the change's old value to its new one."""
    here, old, new = str(change.period), change.old, change.new
    row.total += (new or 0) - (old or 0)
    row.count += (new is not None) - (old is not None)
    if row.count <= 0:
        return
    recompute_max = recompute_last = False
    if new is not None and (row.maximum is None or new >= row.maximum):
        row.maximum = new
    elif old is not None and row.maximum is not None and old >= row.maximum:
        recompute_max = True  # the old maximum went down or away
    if new is not None and (not row.last_period or
                            _start(here) >= _start(row.last_period)):
        row.last_value, row.last_period = new, here
    elif new is None and row.last_period == here:
        recompute_last = True
    if recompute_max or recompute_last:
        raw = _raw_in(unit.pk, change.element.pk, rp)
        if recompute_max:
            row.maximum = max(n for n in raw.values_list("number", flat=True) if n is not None)
        if recompute_last:
            last = raw.order_by("-period_start").values_list("number", "period").first()
            if last is not None:  # always, as count > 0
                row.last_value, row.last_period = last


def _start(period_text: str) -> tuple[dt.date, int]:
    p = Period.parse(period_text)
    return (_anchor(p), -p.type.rank)


# -- reading --------------------------------------------------------------------------


def time_value(row: Rollup, time_agg: str) -> Decimal | None:
    """One unit's figure for the rollup's period under the element's time aggregation."""
    return _time_value(row.total, row.count, row.maximum, row.last_value, time_agg)


def _time_value(total: Decimal, count: int, maximum: Decimal | None,
                last_value: Decimal | None, time_agg: str) -> Decimal | None:
    # The rule itself is the engine's (engine.aggregation), the same for every path.
    return aggregation.over_time(aggregation.Summary(total, count, maximum, last_value), time_agg)


def tree_value(values: Iterable[Decimal | None], tree_agg: str) -> Decimal | None:
    """Combine the figures of every unit of a subtree (the unit itself among them): sum,
    mean or max, leaving out units without one; ``none`` has no combined figure (the
    unit's own figure stands alone, see ``subtree_values``)."""
    if tree_agg == aggregation.TreeAgg.NONE:
        return None
    return aggregation.over_tree(None, values, tree_agg)


def subtree_values(units: list[Unit], element: DataElement, period: str
                   ) -> dict[int, Decimal | None]:
    """For each unit, its subtree's figure for ``element`` in ``period``.

    A subtree is taken as the tree stood at the end of each month (quarter) the element
    is read by (``grain``): a unit moved from street A to street B in June counts under
    A for May and under B for July, its year split between them, and a unit closed (or
    split) later still counts where it stood. One small query asks
    whether anything under the units has moved since the period ended; when nothing
    has — every current period, and most past ones — the current paths are the paths
    of then, and the figures are one query over the path prefixes. Otherwise the
    same single query over the rollups reads each unit's place then from the org
    history (``UnitVersion``).
    """
    if not units:
        return {}
    whole = Period.parse(period)
    as_of = whole.end
    rollups = Rollup.objects.filter(element=element, period=period)
    moved = org_selectors.moved_since(units, whole.start)
    if moved and element.tree_agg != aggregation.TreeAgg.NONE and grain(element, whole) != whole.type:
        # Something moved during the period: each month (quarter) over its own tree.
        figures = figures_as_it_stood(units, [element], whole)
        return {u.pk: figures[(u.pk, element.pk)][0] if (u.pk, element.pk) in figures else None
                for u in units}
    if moved:
        prefixes = org_selectors.paths_on(units, as_of)
        rollups = rollups.annotate(place=org_selectors.path_on(as_of, unit_ref="unit"))
    else:
        prefixes = {u.pk: u.path for u in units}
        rollups = rollups.annotate(place=F("unit__path"))
    cond = Q()
    for prefix in set(prefixes.values()):
        cond |= Q(place__startswith=prefix)
    rows = sorted(rollups.filter(cond).values_list("place", "total", "count", "maximum",
                                                   "last_value"), key=lambda r: r[0])
    places = [r[0] for r in rows]
    result: dict[int, Decimal | None] = {}
    for unit in units:
        # Paths are digits and slashes, so a subtree is one contiguous run of the sorted
        # places: from the prefix up to the prefix followed by a character above them.
        prefix = prefixes[unit.pk]
        lo, hi = bisect_left(places, prefix), bisect_left(places, prefix + "~")
        own: Decimal | None = None
        below: list[Decimal | None] = []
        for place, total, count, maximum, last in rows[lo:hi]:
            figure = _time_value(total, count, maximum, last, element.time_agg)
            if place == prefix:
                own = figure
            else:
                below.append(figure)
        result[unit.pk] = aggregation.over_tree(own, below, element.tree_agg)
    return result


def grain(element: DataElement, period: Period) -> PeriodType:
    """The rollup each part of ``period`` is placed by: the month for daily to monthly
    reports, the quarter for quarterly ones, the whole period for yearly reports and for
    stocks (``last``), whose figure is the one at the period's end and so belongs where
    the unit stood then."""
    try:
        rank = PeriodType(element.period).rank
    except ValueError:
        return period.type
    if element.time_agg == aggregation.TimeAgg.LAST:
        return period.type
    if rank <= PeriodType.MONTH.rank:
        finest = PeriodType.MONTH
    elif rank <= PeriodType.QUARTER.rank:
        finest = PeriodType.QUARTER
    else:
        finest = PeriodType.YEAR
    return finest if finest.rank < period.type.rank else period.type


_NOTHING: aggregation.Summary[Decimal] = aggregation.Summary(Decimal(0), 0, None, None)


def figures_as_it_stood(units: Sequence[Unit], elements: Sequence[DataElement], period: Period
                        ) -> dict[tuple[int, int], tuple[Decimal, int]]:
    """(unit id, element id) → (subtree figure, number of reports) over ``period``, each
    part (``grain``) added up over the tree valid at that part's end.

    Each unit below keeps its own summary of the parts it stood under the unit, read
    with the element's time rule, and these figures are combined with its tree rule
    (``engine.aggregation``). Elements whose tree rule is ``none`` are left out. Two
    queries per part: the places then, and the rollups placed then.
    """
    out: dict[tuple[int, int], tuple[Decimal, int]] = {}
    by_grain: dict[PeriodType, dict[int, DataElement]] = {}
    for e in elements:
        if e.tree_agg != aggregation.TreeAgg.NONE:
            by_grain.setdefault(grain(e, period), {})[e.pk] = e
    for part_type, by_id in by_grain.items():
        parts = period.subperiods(part_type)
        # (unit, element, contributing unit) → its own summary over the parts it stood
        # under the unit, merged in period order.
        acc: dict[tuple[int, int, int], aggregation.Summary[Decimal]] = {}
        for part in parts:
            prefixes = org_selectors.paths_on(units, part.end)
            cond = Q()
            for prefix in set(prefixes.values()):
                cond |= Q(place__startswith=prefix)
            rows = (Rollup.objects.filter(element_id__in=list(by_id), period=str(part))
                    .annotate(place=org_selectors.path_on(part.end, unit_ref="unit"))
                    .filter(cond).values_list("place", "unit_id", "element_id", "total",
                                              "count", "maximum", "last_value"))
            for place, member, element_id, total, count, maximum, last in rows:
                for unit in units:
                    if place.startswith(prefixes[unit.pk]):
                        key = (unit.pk, element_id, member)
                        acc[key] = acc.get(key, _NOTHING).then(
                            aggregation.Summary(total, count, maximum, last))
        figures: dict[tuple[int, int], list[Decimal | None]] = {}
        counts: dict[tuple[int, int], int] = {}
        for (unit_id, element_id, _member), summary in acc.items():
            figures.setdefault((unit_id, element_id), []).append(
                aggregation.over_time(summary, by_id[element_id].time_agg))
            counts[(unit_id, element_id)] = counts.get((unit_id, element_id), 0) + summary.count
        for pair, values in figures.items():
            # ``none`` is left out above, so which member is the unit itself does not matter.
            value = aggregation.over_tree(None, values, by_id[pair[1]].tree_agg)
            if value is not None:
                out[pair] = (value, counts[pair])
    return out


# -- verification -----------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    total: Decimal
    count: int
    maximum: Decimal
    last_value: Decimal
    last_period: str


@dataclass(frozen=True)
class Difference:
    unit_code: str
    element_code: str
    period: str
    field: str
    stored: str
    expected: str

    def __str__(self) -> str:
        return _("%(unit)s %(element)s %(period)s %(field)s：汇总表 %(stored)s，按原始数据应为 "
                 "%(expected)s") % {"unit": self.unit_code, "element": self.element_code,
                                    "period": self.period, "field": self.field,
                                    "stored": self.stored, "expected": self.expected}


def expected_rollups(element_ids: Iterable[int] | None = None
                     ) -> Iterator[tuple[tuple[int, int, str], Expected]]:
    """Rollups recomputed from raw values, one element at a time to bound memory."""
    numeric = DataElement.objects.filter(type__in=NUMERIC_TYPES)
    if element_ids is not None:
        numeric = numeric.filter(pk__in=list(element_ids))
    for element_id in numeric.values_list("pk", flat=True):
        acc: dict[tuple[int, int, str], list] = {}
        rows = (DataValue.objects.filter(element_id=element_id, number__isnull=False)
                .values_list("unit_id", "period", "number").iterator(chunk_size=5000))
        for unit_id, period_text, number in rows:
            period = Period.parse(period_text)
            for rp in rollup_periods(period):
                key = (unit_id, element_id, str(rp))
                slot = acc.get(key)
                if slot is None:
                    acc[key] = [number, 1, number, number, period_text]
                    continue
                slot[0] += number
                slot[1] += 1
                slot[2] = max(slot[2], number)
                if _start(period_text) >= _start(slot[4]):
                    slot[3], slot[4] = number, period_text
        for key, (total, count, maximum, last_value, last_period) in acc.items():
            yield key, Expected(total, count, maximum, last_value, last_period)


def _same(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is b
    # SQLite keeps decimals as floating point; six decimal places is the stored precision.
    return abs(Decimal(a) - Decimal(b)) <= Decimal("0.000001") * max(Decimal(1), abs(Decimal(b)))


def verify() -> list[Difference]:
    """Every difference between the stored rollups and a recomputation from raw values."""
    expected = dict(expected_rollups())
    codes = dict(Unit.objects.values_list("pk", "code"))
    element_codes = dict(DataElement.objects.values_list("pk", "code"))
    diffs: list[Difference] = []
    seen: set[tuple[int, int, str]] = set()
    for row in Rollup.objects.all().iterator(chunk_size=5000):
        key = (row.unit_id, row.element_id, row.period)
        seen.add(key)
        want = expected.get(key)
        uc, ec = codes.get(row.unit_id, "?"), element_codes.get(row.element_id, "?")
        if want is None:
            diffs.append(Difference(uc, ec, row.period, _("整行"), f"n={row.count}",
                                    _("不应存在")))
            continue
        for name, stored, should in ((_("合计"), row.total, want.total),
                                     (_("个数"), Decimal(row.count), Decimal(want.count)),
                                     (_("最大值"), row.maximum, want.maximum),
                                     (_("最新值"), row.last_value, want.last_value)):
            if not _same(stored, should):
                diffs.append(Difference(uc, ec, row.period, name, str(stored), str(should)))
        if row.last_period != want.last_period:
            diffs.append(Difference(uc, ec, row.period, _("最新期间"), row.last_period,
                                    want.last_period))
    for key in expected.keys() - seen:
        unit_id, element_id, period = key
        diffs.append(Difference(codes.get(unit_id, "?"), element_codes.get(element_id, "?"),
                                period, _("整行"), _("缺失"), f"n={expected[key].count}"))
    return diffs


@transaction.atomic
def rebuild(element_ids: Iterable[int] | None = None) -> int:
    """Replace the rollups (of ``element_ids``, else all) by a recomputation from the raw
    values: the repair after a bulk load; returns the rows written."""
    ids = None if element_ids is None else list(element_ids)
    (Rollup.objects.all() if ids is None else Rollup.objects.filter(element_id__in=ids)).delete()
    batch: list[Rollup] = []
    n = 0
    for (unit_id, element_id, period), e in expected_rollups(ids):
        batch.append(Rollup(unit_id=unit_id, element_id=element_id, period=period,
                            period_type=Period.parse(period).type.value,
                            total=e.total, count=e.count, maximum=e.maximum,
                            last_value=e.last_value, last_period=e.last_period))
        if len(batch) >= 2000:
            Rollup.objects.bulk_create(batch)
            n += len(batch)
            batch = []
    Rollup.objects.bulk_create(batch)
    return n + len(batch)
