"""Computing assessment results: from rollups and sources to scores, for many units at once.

A full run reads the rollups of the run's subtree once (one query), adds them up the
tree in numpy, evaluates each indicator's expression once over every unit
(``engine.evaluation``), judges targets with ``engine.targets.evaluate_many`` and
scores each unit with ``engine.scoring``. An incremental refresh after one submission
recomputes only that unit and its ancestors, reading their subtree figures with one
grouped query each. Both paths share the evaluation and scoring code below, so they
agree (tested).

Nothing here writes; ``actions`` stores what these functions return.
"""

from __future__ import annotations

import bisect
import calendar
import contextlib
import contextvars
import datetime as dt
import functools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from django.db import connection
from django.db.models import F, Q

from chuangjian import sources as registry
from chuangjian.assessment.periodic import (
    PeriodCounts,
    element_of,
    failures_reason,
    period_counts,
    periodic_target,
    window,
)
from chuangjian.assessment.spec import IndicatorSpec, StandardSpec
from chuangjian.engine import aggregation, expressions, scoring, targets
from chuangjian.engine.periods import Period, PeriodType
from chuangjian.engine.reasons import Reason
from chuangjian.engine.values import Missing, Values, reason_text
from chuangjian.lib.lookups import Ids
from chuangjian.org import selectors as org_selectors
from chuangjian.org.models import Unit, UnitVersion
from chuangjian.reporting.models import Rollup
from chuangjian.reporting.rollups import figures_as_it_stood, grain
from chuangjian.standards.models import DataElement, UnitClassAssignment
from chuangjian.standards.selectors import unit_matches

MAIN = ""  # the sheet of units the standard applies to; else a level code


class ComputeError(Exception):
    """A run that cannot be computed; the message is Chinese."""


# -- which units, which indicators ------------------------------------------------------


def sheet_of(spec: StandardSpec, unit: Unit) -> str | None:
    """MAIN when the standard applies to the unit, a level code when only a ``level:``
    indicator does, None when nothing applies."""
    if unit_matches(spec.levels, spec.categories, unit):
        return MAIN
    for level in spec.extra_levels:
        if unit_matches([level], spec.categories, unit):
            return level
    return None


def profile_of(unit: Unit) -> tuple[str, str, str]:
    """All that ``sheet_of`` and ``indicators_for`` read of a unit: units alike in kind,
    level and category are assessed on the same sheet and items."""
    return (unit.kind, unit.level, unit.category)


def indicators_for(spec: StandardSpec, unit: Unit, sheet: str) -> list[IndicatorSpec]:
    """The indicators of ``sheet`` that apply to ``unit``: one list, not to be changed, for
    every unit of the same profile (``profile_of``; ``StandardSpec.by_profile``)."""
    profile = (sheet, *profile_of(unit))
    found = spec.by_profile.get(profile)
    if found is None:
        found = ([i for i in spec.indicators
                  if i.level is None or unit_matches([i.level], spec.categories, unit)]
                 if sheet == MAIN else [i for i in spec.indicators if i.level == sheet])
        spec.by_profile[profile] = found
    return found


def open_during_year(unit: Unit, year: int) -> bool:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (unit.opened_on is None or unit.opened_on <= end) and (
        unit.closed_on is None or unit.closed_on > start)


# -- inputs -------------------------------------------------------------------------------


@dataclass
class Inputs:
    """Element figures for n units: (code, years back) → value array (NaN = no data) and count."""

    n: int
    values: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)
    counts: dict[tuple[str, int], np.ndarray] = field(default_factory=dict)
    # (code, years back) → where each figure came from, for the explanation (n == 1 only)
    origin: dict[tuple[str, int], str] = field(default_factory=dict)

    def value(self, code: str, back: int) -> Values:
        arr = self.values.get((code, back))
        if arr is None:
            return Values.all_missing(self.n)
        return Values(arr, np.zeros(self.n, dtype=np.int8))

    def count(self, code: str, back: int) -> Values:
        arr = self.counts.get((code, back))
        if arr is None:
            return Values(np.zeros(self.n), np.zeros(self.n, dtype=np.int8))
        return Values(arr, np.zeros(self.n, dtype=np.int8))


_F = "CAST({} AS DOUBLE PRECISION)"


def _tables() -> tuple[str, str]:
    return Rollup._meta.db_table, Unit._meta.db_table


def _in(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "-1"


def _positions(ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """The position in ``ids`` of each of ``wanted``, -1 where it is not there."""
    if not len(ids):
        return np.full(len(wanted), -1, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    at = np.minimum(np.searchsorted(ids, wanted, sorter=order), len(ids) - 1)
    found = order[at]
    return np.where(ids[found] == wanted, found, -1)


def _place_rollups(table: np.ndarray, row_ids: np.ndarray, reported: Sequence[DataElement],
                   year: int, years_back: int, elements: Sequence[DataElement],
                   own: np.ndarray, own_count: np.ndarray) -> None:
    """Put yearly rollup rows (unit, element, year, total, count, maximum, last) into the
    ``own`` figures by row (the unit of each row is ``row_ids``) and column, each under
    its element's time aggregation. The columns are ``(element, years back)`` for
    ``elements`` in order."""
    unit_ids = table[:, 0].astype(np.int64)
    element_ids = table[:, 1].astype(np.int64)
    back = year - table[:, 2].astype(np.int64)
    idx = _positions(row_ids, unit_ids)
    position = {e.pk: k for k, e in enumerate(elements)}
    reported_ids = np.array([e.pk for e in reported], dtype=np.int64)
    at = _positions(reported_ids, element_ids)
    element_col = np.array([position[e.pk] for e in reported], dtype=np.int64)
    aggs = np.array([e.time_agg for e in reported])
    ok = (idx >= 0) & (at >= 0) & (back >= 0) & (back <= years_back)
    idx, at, back, table = idx[ok], at[ok], back[ok], table[ok]
    col = element_col[at] * (years_back + 1) + back
    count = table[:, 4]
    own[idx, col] = aggregation.over_time_arrays(aggs[at], table[:, 3], count, table[:, 5],
                                                  table[:, 6])
    own_count[idx, col] = count


def full_inputs(spec: StandardSpec, tree: UnitTree, targets_idx: np.ndarray, year: int,
                codes: Iterable[str], years_back: int,
                depths: Mapping[str, int] | None = None) -> Inputs:
    """Subtree figures for the target units: the rollups read, then summed up the tree in
    numpy.

    ``depths`` (``StandardSpec.element_depths``) limits the years an element is read for
    to those the indicators read: the rollups in one query per window of years, each
    source once, for its window. Without it every element is read for all
    ``years_back`` years. Inside ``figures_remembered`` the units' own figures are read
    again only for the units changed since (``OwnFigures``)."""
    elements = _elements_of(spec, codes)
    columns: list[tuple[DataElement, int]] = [(e, b) for e in elements for b in range(years_back + 1)]
    own, own_count = OwnFigures(spec, tree, year, elements, years_back, depths).read()
    agg = tree.aggregate(own, own_count, [e.tree_agg for e, _b in columns])
    # Units whose subtree changed since the first year read: their reported figures are
    # added up over the tree as it stood in each period instead (rarely more than a few).
    moved = moved_paths(tree.tops, dt.date(year - years_back, 1, 1))
    if moved:
        stale = [(i, tree.units[i]) for i in targets_idx.tolist()
                 if any(p.startswith(tree.units[i].path) for p in moved)]
        if stale:
            reported = [e for e in elements if registry.source_for(e.code) is None]
            figures = inputs_as_it_stood([u for _i, u in stale], reported, year, years_back)
            figures.update(sourced_as_it_stood([u for _i, u in stale], elements, year,
                                               years_back))
            for k, (element, back) in enumerate(columns):
                if element.tree_agg == "none":
                    continue
                for i, u in stale:
                    then, reports = figures.get((u.pk, element.code, back), (np.nan, 0.0))
                    agg[0][i, k], agg[1][i, k] = then, reports
    result = Inputs(n=len(targets_idx))
    for k, (element, back) in enumerate(columns):
        result.values[(element.code, back)] = agg[0][targets_idx, k]
        result.counts[(element.code, back)] = agg[1][targets_idx, k]
    return result


def _elements_of(spec: StandardSpec, codes: Iterable[str]) -> list[DataElement]:
    """The standard's elements of ``codes``, in code order (the columns' order)."""
    return [spec.elements[c] for c in sorted(set(codes)) if c in spec.elements]


@dataclass
class OwnFigures:
    """Each unit's own figures (not its subtree's) for the columns ``(element, years back)``
    of a standard: the yearly rollups of reported elements, each source's values.

    Outside ``figures_remembered`` every unit of the tree is read. Inside it (the rounds of
    a refresh drain, decision 0046, carried by the queue worker from one drain to the next,
    0050) the figures read are kept, and the next read of the
    same units asks again only for the units whose changes were marked since, and only for
    the elements their marks name (``forget_figures``) — a handful, where the tree is the
    whole city — and for the elements that read the clock (``Source.clock_elements``:
    what is due by now changes without a record changing), read for every unit each
    time."""

    spec: StandardSpec
    tree: UnitTree
    year: int
    elements: Sequence[DataElement]
    years_back: int
    depths: Mapping[str, int] | None

    def read(self) -> tuple[np.ndarray, np.ndarray]:
        tree = self.tree
        remembered = _remembered.get()
        if remembered is None:
            own, own_count = self._empty(len(tree.ids))
            self._read_into(self.elements, None, own, own_count, tree.ids)
            return own, own_count
        kept = self.keep()
        ids = tree.ids.tolist()
        at = np.array([kept.row[i] for i in ids], dtype=np.int64)
        own, own_count = kept.own[at], kept.own_count[at]  # copies
        clocked = [e for e in self.elements if _reads_the_clock(e)]
        if clocked:
            self._read_into(clocked, None, own, own_count, tree.ids)
        return own, own_count

    def keep(self) -> _Kept:
        """Inside ``figures_remembered``: read into the kept figures the tree's units not
        kept yet and those marked since; the figures kept."""
        remembered = _remembered.get()
        if remembered is None:
            raise RuntimeError("OwnFigures.keep outside figures_remembered")
        key = self._key()
        kept = remembered.kept.setdefault(key, _Kept(*self._empty(0)))
        try:
            self._catch_up(kept)
        except BaseException:
            del remembered.kept[key]  # half read: read afresh the next time
            raise
        return kept

    def _key(self) -> tuple[object, ...]:
        # Kept by unit, not by tree: the forest a round reads depends on what was marked.
        return (self.spec.version.pk, self.year, self.years_back,
                tuple(e.pk for e in self.elements),
                tuple(sorted(self.depths.items())) if self.depths else None)

    def _catch_up(self, kept: _Kept) -> None:
        """Read into ``kept`` the tree's units it lacks, and the marked units again for
        the elements their marks name (the clock's elements are not kept)."""
        tree = self.tree
        steady = [e for e in self.elements if not _reads_the_clock(e)]
        new = [i for i in tree.ids.tolist() if i not in kept.row]
        if new:
            kept.grow(new)
            if steady:
                self._read_into(steady, Ids(new), kept.own, kept.own_count, kept.ids)
        fresh = set(new)
        for i in fresh.intersection(kept.changed):
            del kept.changed[i]  # just read whole
        marked = {i: codes for i, codes in kept.changed.items() if i in tree.index}
        # The reported figures in one query for every unit marked for any of them (the
        # others' rows read again are the same); each source for its own units.
        by_units: dict[tuple[int, ...], list[DataElement]] = {}
        rolled = [e for e in steady if registry.source_for(e.code) is None]
        unit_ids = tuple(sorted(i for i, codes in marked.items()
                                if any(e.code in codes for e in rolled)))
        if unit_ids:
            by_units[unit_ids] = [e for e in rolled if any(e.code in marked[i] for i in unit_ids)]
        for e in steady:
            if e in rolled:
                continue
            unit_ids = tuple(sorted(i for i, codes in marked.items() if e.code in codes))
            if unit_ids:
                by_units.setdefault(unit_ids, []).append(e)
        for unit_ids, again in by_units.items():
            kept.clear(np.array([kept.row[i] for i in unit_ids], dtype=np.int64),
                       self._columns(again))
            self._read_into(again, Ids(unit_ids), kept.own, kept.own_count, kept.ids)
        for i in marked:  # read: until the next mark
            del kept.changed[i]

    def _columns(self, elements: Sequence[DataElement]) -> np.ndarray:
        """The columns of ``elements``: (element, years back) in the standard's order."""
        width = self.years_back + 1
        position = {e.pk: j for j, e in enumerate(self.elements)}
        return np.array([position[e.pk] * width + b for e in elements for b in range(width)],
                        dtype=np.int64)

    def _empty(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        width = len(self.elements) * (self.years_back + 1)
        return np.full((n, width), np.nan), np.zeros((n, width))

    def _read_into(self, elements: Sequence[DataElement], unit_ids: Ids | None,
                   own: np.ndarray, own_count: np.ndarray, row_ids: np.ndarray) -> None:
        """Read ``elements`` for ``unit_ids`` (every unit of the tree when None) into
        ``own`` and ``own_count``, whose rows are the units ``row_ids``."""
        tree, year, years_back, every = self.tree, self.year, self.years_back, self.elements
        col_of = {(e.pk, year - b): k
                  for k, (e, b) in enumerate((e, b) for e in every for b in range(years_back + 1))}
        reported = [e for e in elements if registry.source_for(e.code) is None]
        if reported:
            rollup, unit = _tables()
            # Driven from the subtree's ids: SQLite's LIKE cannot use the path index, so a
            # join would start from (element, period) and read the whole city; the IN form
            # reads through the (unit, element, period) index. A forest lists its ids.
            # A forest of a few roots (a city's districts) is read by their paths as well.
            within, within_params = (
                (f"(SELECT u.id FROM {unit} u WHERE "  # noqa: S608 - a table name
                 f"{' OR '.join(['u.path LIKE %s'] * len(tree.tops))})",
                 [top.path + "%" for top in tree.tops])
                if unit_ids is None and tree.by_path
                else (f"({_in(tree.ids.tolist() if unit_ids is None else unit_ids)})", []))
            # The period comes back as its year (only yearly rows are asked for), so every
            # column is a number and the rows become one float matrix in C; NULL reads as
            # NaN. One query per window of years: most elements are read for the run's
            # year only, and an IN list per column keeps the (unit, element, period) index
            # in use.
            # SQLite probes the (unit, element, period) key for every unit of the list; when
            # the list is a large part of the city (a full assessment), reading the
            # element-years' rows from the index that holds their figures
            # (``reporting_rollup_figures``) and keeping the tree's is 2.5 times faster
            # (0.36 → 0.14 s at L). The unary plus keeps SQLite off the unit's key;
            # PostgreSQL plans by its statistics.
            unit_col = ("+r.unit_id" if connection.vendor == "sqlite" and unit_ids is None
                        and _much_of_the_city(tree) else "r.unit_id")
            windows: dict[int, list[int]] = {}
            for e in reported:
                windows.setdefault(self._deepest(e), []).append(e.pk)
            found = []
            with connection.cursor() as cursor:
                for deepest, element_ids in sorted(windows.items()):
                    wanted = [str(year - b) for b in range(deepest + 1)]
                    sql = (f"SELECT r.unit_id, r.element_id, CAST(r.period AS INTEGER), "  # noqa: S608 - ids and table names only
                           f"{_F.format('r.total')}, r.count, "
                           f"{_F.format('r.maximum')}, {_F.format('r.last_value')} "
                           f"FROM {rollup} r WHERE {unit_col} IN {within} "
                           f"AND r.element_id IN ({_in(element_ids)}) AND r.period IN "
                           f"({','.join('%s' for _ in wanted)})")
                    cursor.execute(sql, [*within_params, *wanted])
                    found.extend(cursor.fetchall())
            if found:
                _place_rollups(np.array(found, dtype=float), row_ids, reported, year,
                               years_back, every, own, own_count)
        ids = tree.id_list if unit_ids is None else unit_ids
        # Each source asked once for its elements of the same window (``values_of``).
        asked: dict[tuple[str, int], tuple[registry.Source, list[DataElement]]] = {}
        for element in elements:
            source = registry.source_for(element.code)
            if source is not None:
                asked.setdefault((source.key, self._deepest(element)), (source, []))[1].append(
                    element)
        for (_key, deepest), (source, of_source) in asked.items():
            backs = list(range(deepest, -1, -1))  # the window's years in order
            answered = source.values_of([e.code for e in of_source],
                                        [Period.year(year - b) for b in backs], ids)
            for element in of_source:
                for back, got in zip(backs, answered[element.code], strict=True):
                    if not got:
                        continue
                    k = col_of[(element.pk, year - back)]
                    at = _positions(row_ids, np.fromiter(got, dtype=np.int64, count=len(got)))
                    value = np.array(list(got.values()), dtype=float)  # None reads as NaN
                    ok = (at >= 0) & ~np.isnan(value)
                    own[at[ok], k] = value[ok]
                    own_count[at[ok], k] = 1

    def _deepest(self, element: DataElement) -> int:
        if self.depths is None:
            return self.years_back
        return min(self.years_back, self.depths.get(element.code, self.years_back))


def _much_of_the_city(tree: UnitTree) -> bool:
    """Whether ``tree`` holds a quarter of all units or more."""
    return len(tree.ids) * 4 >= Unit.objects.count()


def _reads_the_clock(element: DataElement) -> bool:
    source = registry.source_for(element.code)
    return source is not None and element.code in source.clock_elements


@dataclass
class _Kept:
    """Own figures kept by unit: ``row`` gives a unit's row of ``own``."""

    own: np.ndarray
    own_count: np.ndarray
    ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    row: dict[int, int] = field(default_factory=dict)
    # Units marked since they were read, and the elements their marks name.
    changed: dict[int, set[str]] = field(default_factory=dict)

    def grow(self, unit_ids: Sequence[int]) -> None:
        """Rows for units not kept yet (empty until read)."""
        if not unit_ids:
            return
        start = len(self.ids)
        self.row.update((i, start + k) for k, i in enumerate(unit_ids))
        self.ids = np.concatenate([self.ids, np.array(unit_ids, dtype=np.int64)])
        width = self.own.shape[1]
        self.own = np.vstack([self.own, np.full((len(unit_ids), width), np.nan)])
        self.own_count = np.vstack([self.own_count, np.zeros((len(unit_ids), width))])

    def clear(self, rows: np.ndarray, columns: np.ndarray) -> None:
        self.own[np.ix_(rows, columns)] = np.nan
        self.own_count[np.ix_(rows, columns)] = 0


@dataclass
class RememberedFigures:
    """The own figures ``OwnFigures`` keeps inside ``figures_remembered``, by standard,
    year and columns, each kept by unit; ``handled``, the count of marks every refresh
    had handled when they were last known to agree with the database (the refresh
    ticket's ``handled``, decision 0050), when keeping them began, and whether they were
    read ahead for every current run and not dropped since."""

    kept: dict[tuple[object, ...], _Kept] = field(default_factory=dict)
    handled: int | None = None
    since: float = field(default_factory=time.monotonic)
    whole: bool = False  # every current run's tree read ahead, nothing dropped since


_remembered: contextvars.ContextVar[RememberedFigures | None] = contextvars.ContextVar(
    "remembered_figures", default=None)


@contextlib.contextmanager
def figures_remembered(figures: RememberedFigures | None = None) -> Iterator[None]:
    """Within the block, the units' own figures read by ``full_inputs`` are kept (in
    ``figures``, which may carry them from an earlier block) and read again only for the
    units passed to ``forget_figures`` since (and for the sources that read the clock).
    For the rounds of refresh drains, which forget the units of the marks each round
    reads before it reads anything: every change to a unit's records marks it
    (``sources.changed``) in the transaction that makes it, so a change the kept figures
    miss is in a mark a later round reads. Not a cache across requests."""
    if _remembered.get() is not None:
        yield
        return
    token = _remembered.set(figures if figures is not None else RememberedFigures())
    try:
        yield
    finally:
        _remembered.reset(token)


@contextlib.contextmanager
def figures_read_afresh() -> Iterator[None]:
    """Within the block every figure is read from the database, none kept: for a
    computation that must not trust what an earlier read kept (a refresh overtaken by
    another's write reads again under the lock)."""
    token = _remembered.set(None)
    try:
        yield
    finally:
        _remembered.reset(token)


def remembered_figures() -> RememberedFigures | None:
    """The figures kept in the enclosing ``figures_remembered``, if any."""
    return _remembered.get()


def keep_own_figures(spec: StandardSpec, tree: UnitTree, year: int) -> None:
    """Inside ``figures_remembered``: read and keep the own figures of ``tree``'s units
    that a refresh of ``spec``'s runs of ``year`` reads (``runner.compute_many``), so
    that its rounds read only what was marked since."""
    OwnFigures(spec, tree, year, _elements_of(spec, spec.elements), spec.years_back,
               spec.element_depths).keep()


def forget_figures(marked: Mapping[int, Iterable[str]]) -> None:
    """Inside ``figures_remembered``: these units' records changed, moving the elements
    named (a mark's ``element_codes``); read those again."""
    remembered = _remembered.get()
    if remembered is None:
        return
    for kept in remembered.kept.values():
        for unit_id, codes in marked.items():
            kept.changed.setdefault(unit_id, set()).update(codes)


def moved_paths(roots: Unit | Sequence[Unit], since: dt.date) -> set[str]:
    """The places (old and new paths) of units under ``roots`` that moved on or after ``since``.

    A unit whose current path is a prefix of one of them had a different subtree at some
    point since then; every other unit's subtree is the same as today's.
    """
    roots = [roots] if isinstance(roots, Unit) else roots
    moves = _shared_moves.get()
    if moves is not None:  # inside ``trees_shared``: the moves read once, filtered here
        if not moves:
            moves.append(list(UnitVersion.objects.filter(valid_to__isnull=False)
                              .exclude(path=F("unit__path"))
                              .values_list("path", "unit__path", "valid_to")))
        since_then = [(old, new) for old, new, valid_to in moves[0]
                      if valid_to is not None and valid_to > since]
        if not any(p.startswith(r.path) for old, new in since_then for p in (old, new)
                   for r in roots):
            return set()
        return {p for pair in since_then for p in pair}
    if not org_selectors.moved_since(roots, since):
        return set()
    paths: set[str] = set()
    for old, new in (UnitVersion.objects.filter(valid_to__gt=since).exclude(path=F("unit__path"))
                     .values_list("path", "unit__path")):
        paths.update((old, new))
    return paths


def inputs_as_it_stood(units: Sequence[Unit], elements: Sequence[DataElement], year: int,
                       years_back: int) -> dict[tuple[str | int, ...], tuple[float, float]]:
    """(unit id, element code, years back) → (subtree figure, number of reports), each
    month's (quarter's) data added up over the tree valid at that month's end
    (``reporting.rollups.figures_as_it_stood``): a community moved from street A to
    street B on 1 December counts under A for January to November and under B for
    December, so re-assessing a past year after a move leaves its data where it was
    reported."""
    out: dict[tuple[str | int, ...], tuple[float, float]] = {}
    code = {e.pk: e.code for e in elements}
    for back in range(years_back + 1):
        figures = figures_as_it_stood(units, elements, Period.year(year - back))
        for (unit_id, element_id), (value, reports) in figures.items():
            out[(unit_id, code[element_id], back)] = (float(value), float(reports))
    return out


def sourced_as_it_stood(units: Sequence[Unit], elements: Sequence[DataElement], year: int,
                        years_back: int) -> dict[tuple[str | int, ...], tuple[float, float]]:
    """``inputs_as_it_stood`` for the elements a source computes (activities, inspections,
    timeliness, news): the source is asked month by month (by the element's ``grain``)
    and each unit's value is placed where it stood at that month's end, then added up
    with the element's time and tree rules. So a community moved in July keeps its
    activities of January to June with its old street. The number of reports is the
    number of units with a value, as on the current tree."""
    out: dict[tuple[str | int, ...], tuple[float, float]] = {}
    sourced = [e for e in elements
               if registry.source_for(e.code) is not None and e.tree_agg != "none"]
    if not sourced or not units:
        return out
    members = _members_ever(units)
    ids = [m.pk for m in members]
    # The days the tree changed under these units: a year in which it did not change
    # between the ends of its first and last parts is read whole, in one call.
    changes = sorted(set(UnitVersion.objects.filter(unit__in=members)
                         .values_list("valid_from", flat=True)))
    trees: dict[dt.date, tuple[dict[int, str], dict[int, str]]] = {}

    def tree_on(day: dt.date) -> tuple[dict[int, str], dict[int, str]]:
        if day not in trees:
            trees[day] = (org_selectors.paths_on(units, day), org_selectors.paths_on(members, day))
        return trees[day]

    for back in range(years_back + 1):
        whole = Period.year(year - back)
        for element in sourced:
            source = registry.source_for(element.code)
            assert source is not None  # noqa: S101 - filtered above
            parts = whole.subperiods(grain(element, whole))
            if not any(parts[0].end < d <= parts[-1].end for d in changes if d is not None):
                parts = [whole]
            acc: dict[tuple[int, int], aggregation.Summary[float]] = {}
            for part in parts:
                got = source.values(element.code, part, ids)
                if not got:
                    continue
                prefixes, places = tree_on(part.end)
                for member, value in got.items():
                    place = places.get(member)
                    if value is None or place is None:
                        continue
                    v = float(value)
                    for unit in units:
                        if place.startswith(prefixes[unit.pk]):
                            key = (unit.pk, member)
                            acc[key] = acc.get(key, _NOTHING).then(
                                aggregation.Summary(v, 1, v, v))
            figures: dict[int, list[float | None]] = {}
            for (unit_id, _member), summary in acc.items():
                figures.setdefault(unit_id, []).append(
                    aggregation.over_time(summary, element.time_agg))
            for unit in units:
                figure = aggregation.over_tree(None, figures.get(unit.pk, []), element.tree_agg)
                out[(unit.pk, element.code, back)] = (
                    (np.nan, 0.0) if figure is None else
                    (float(figure), float(len(figures.get(unit.pk, [])))))
    return out


_NOTHING: aggregation.Summary[float] = aggregation.Summary(0.0, 0, None, None)


def _members_ever(units: Sequence[Unit]) -> list[Unit]:
    """Every unit that ever stood under one of ``units``: under any place they held, now
    or in their history, by its current place or by one it held."""
    prefixes = {u.path for u in units} | set(
        UnitVersion.objects.filter(unit__in=list(units)).values_list("path", flat=True))
    held = UnitVersion.objects.filter(_any_prefix("path", prefixes)).values_list("unit_id",
                                                                                 flat=True)
    return list(Unit.objects.filter(_any_prefix("path", prefixes) | Q(pk__in=held))
                .order_by("path"))


def _any_prefix(field: str, prefixes: Iterable[str]) -> Q:
    cond = Q()
    for prefix in prefixes:
        cond |= Q(**{f"{field}__startswith": prefix})
    return cond


def unit_inputs(spec: StandardSpec, unit: Unit, year: int, codes: Iterable[str],
                years_back: int, depths: Mapping[str, int] | None = None) -> Inputs:
    """One unit's subtree figures, from one grouped query (the incremental path);
    ``depths`` as in ``full_inputs``."""
    codes = sorted(c for c in set(codes) if c in spec.elements)
    result = Inputs(n=1)
    if not codes:
        return result
    elements = [spec.elements[c] for c in codes]
    reported = [e for e in elements if registry.source_for(e.code) is None]
    years = [str(year - b) for b in range(years_back + 1)]
    if reported:
        groups: dict[str, list[int]] = {"sum": [], "max": [], "mean": []}
        for e in reported:
            if e.time_agg in groups:
                groups[e.time_agg].append(e.pk)
        t = (f"CASE WHEN r.element_id IN ({_in(groups['sum'])}) THEN {_F.format('r.total')} "
             f"WHEN r.element_id IN ({_in(groups['max'])}) THEN {_F.format('r.maximum')} "
             f"WHEN r.element_id IN ({_in(groups['mean'])}) THEN {_F.format('r.total')} / r.count "
             f"ELSE {_F.format('r.last_value')} END")
        rollup, _unit_table = _tables()
        # The subtree's ids first (a few rows for a community), then the rollups through
        # their (unit, element, period) index: never a scan of every unit's rollups.
        subtree_ids = list(Unit.objects.filter(path__startswith=unit.path)
                           .values_list("pk", flat=True))
        sql = (f"SELECT r.element_id, r.period, SUM({t}), COUNT({t}), MAX({t}), SUM(r.count), "  # noqa: S608 - ids and table names only
               f"SUM(CASE WHEN r.unit_id = %s THEN {t} END), "
               f"SUM(CASE WHEN r.unit_id = %s THEN r.count END) "
               f"FROM {rollup} r WHERE r.unit_id IN ({_in(subtree_ids)}) "
               f"AND r.element_id IN ({_in(e.pk for e in reported)}) "
               f"AND r.period IN ({','.join('%s' for _ in years)}) "
               f"GROUP BY r.element_id, r.period")
        with connection.cursor() as cursor:
            cursor.execute(sql, [unit.pk, unit.pk, *years])
            rows = cursor.fetchall()
        by_id = {e.pk: e for e in reported}
        for element_id, period, s, n, mx, cnt, own, own_cnt in rows:
            element = by_id[element_id]
            back = year - int(period)
            tree_agg = element.tree_agg
            if tree_agg == "sum":
                value, count = s, cnt
            elif tree_agg == "mean":
                value, count = (float(s) / n if n else None), cnt
            elif tree_agg == "max":
                value, count = mx, cnt
            else:
                value, count = own, own_cnt
            if value is None:
                continue
            result.values[(element.code, back)] = np.array([float(value)])
            result.counts[(element.code, back)] = np.array([float(count or 0)])
        # After a move, the subtree of each past period is the one valid then (as above).
        moved = moved_paths(unit, dt.date(year - years_back, 1, 1))
        if any(p.startswith(unit.path) for p in moved):
            figures = inputs_as_it_stood([unit], reported, year, years_back)
            for element in reported:
                if element.tree_agg == "none":
                    continue
                for back in range(years_back + 1):
                    key = (element.code, back)
                    value, count = figures.get((unit.pk, element.code, back), (np.nan, 0.0))
                    result.values.pop(key, None)
                    result.counts.pop(key, None)
                    if not np.isnan(value):
                        result.values[key] = np.array([value])
                        result.counts[key] = np.array([count])
    sourced = [e for e in elements if registry.source_for(e.code) is not None]
    if sourced:
        subtree = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
        for element in sourced:
            source = registry.source_for(element.code)
            assert source is not None  # noqa: S101 - filtered just above
            deepest = years_back if depths is None else min(
                years_back, depths.get(element.code, years_back))
            backs = list(range(deepest, -1, -1))
            answers = source.values_by_period(
                element.code, [Period.year(year - b) for b in backs],
                subtree if element.tree_agg != "none" else [unit.pk])
            for back, got in zip(backs, answers, strict=True):
                present = [float(v) for v in got.values() if v is not None]
                own = got.get(unit.pk)
                value = aggregation.over_tree(
                    None if own is None else float(own),
                    [float(v) for u, v in got.items() if u != unit.pk and v is not None],
                    element.tree_agg)
                if value is None:
                    continue
                result.values[(element.code, back)] = np.array([value])
                result.counts[(element.code, back)] = np.array([float(len(present))])
        moved = moved_paths(unit, dt.date(year - years_back, 1, 1))
        if any(p.startswith(unit.path) for p in moved):
            then = sourced_as_it_stood([unit], sourced, year, years_back)
            for (_u, code, years_ago), (value, count) in then.items():
                key = (str(code), int(years_ago))
                result.values.pop(key, None)
                result.counts.pop(key, None)
                if not np.isnan(value):
                    result.values[key] = np.array([value])
                    result.counts[key] = np.array([count])
    return result


# -- the tree -----------------------------------------------------------------------------


_shared_trees: contextvars.ContextVar[dict[tuple[int, ...], UnitTree] | None] = (
    contextvars.ContextVar("shared_trees", default=None))
# The units' past places that differ from today's (path then, path now, valid until),
# read once inside ``trees_shared`` (``moved_paths``); empty until read.
_shared_moves: contextvars.ContextVar[list[list[tuple[str, str, dt.date | None]]] | None] = (
    contextvars.ContextVar("shared_moves", default=None))


def sharing_trees() -> bool:
    """Whether the caller runs inside ``trees_shared``."""
    return _shared_trees.get() is not None


@contextlib.contextmanager
def trees_shared() -> Iterator[None]:
    """Within the block, ``UnitTree.forest`` loads the subtrees of the same roots once: the
    standards of one full assessment read the same city (nine loads of 4,000 units at L);
    ``moved_paths`` reads the units' moves once.
    The trees are read-only; a block is one batch of work, not a cache across requests
    (a unit moved meanwhile is seen by the next batch)."""
    if _shared_trees.get() is not None:
        yield
        return
    token, moves = _shared_trees.set({}), _shared_moves.set([])
    try:
        yield
    finally:
        _shared_moves.reset(moves)
        _shared_trees.reset(token)


@dataclass
class UnitTree:
    """Every unit under a root (open or not: closed units' data still adds up), or under
    several (``forest``: the refresh reads the subtrees of the units it recomputes, a
    full assessment the subtrees of the roots it assesses together)."""

    FEW: ClassVar[int] = 16  # a forest of up to this many roots is read by path, beyond by id

    units: list[Unit]
    ids: np.ndarray
    index: dict[int, int]
    parent: np.ndarray  # index of the parent within the tree, -1 at a root
    depth: np.ndarray
    tops: list[Unit]  # the roots: one, or a forest's

    @classmethod
    def load(cls, root: Unit) -> UnitTree:
        return cls._of(list(Unit.objects.filter(path__startswith=root.path).order_by("path")),
                       [root])

    @classmethod
    def forest(cls, units: Iterable[Unit]) -> UnitTree:
        """The union of the subtrees of ``units``; a unit under another adds nothing.
        Inside ``trees_shared`` the same roots' forest is loaded once."""
        wanted = {u.pk: u for u in units}
        tops = sorted((u for u in wanted.values()
                       if not any(a in wanted for a in u.ancestor_ids())), key=lambda u: u.path)
        shared = _shared_trees.get()
        key = tuple(t.pk for t in tops)
        if shared is not None:
            if key in shared:
                return shared[key]
            # Roots inside trees already read (a standard that applies to some of the
            # districts, a refresh's streets; the districts together after each was read
            # alone): their subtrees are slices of those.
            holders: list[UnitTree] = []
            for top in tops:
                holder = next((w for w in shared.values() if top.pk in w.index), None)
                if holder is None:
                    break
                holders.append(holder)
            if tops and len(holders) == len(tops):
                if all(w is holders[0] for w in holders):  # one tree holds them all
                    shared[key] = holders[0].sub_forest(tops)
                    return shared[key]
                parts = [w.sub_forest([t]) for t, w in zip(tops, holders, strict=True)]
                shared[key] = cls._of([u for part in parts for u in part.units],
                                      [part.tops[0] for part in parts])
                return shared[key]
        if len(tops) == 1:
            tree = cls.load(tops[0])
        else:
            tree = cls._of(list(Unit.objects.filter(under_paths("", [t.path for t in tops]))
                                .order_by("path")) if tops else [], tops)
        if shared is not None:
            shared[key] = tree
        return tree

    def sub_forest(self, tops: Sequence[Unit]) -> UnitTree:
        """The forest of ``tops`` (units of this tree, none under another) cut from this
        one. In the paths sorted as Python sorts text, a subtree is the run of paths from
        its root's up to the first one that no longer starts with it (the database's
        order may differ under a language's collation, which skips the slashes)."""
        paths, order = self._sorted
        units: list[Unit] = []
        for top in tops:
            start = bisect.bisect_left(paths, top.path)
            end = bisect.bisect_left(paths, top.path[:-1] + chr(ord(top.path[-1]) + 1), start)
            units.extend(self.units[i] for i in order[start:end])
        return self._of(units, [self.units[self.index[t.pk]] for t in tops])

    @functools.cached_property
    def _sorted(self) -> tuple[list[str], list[int]]:
        """The units' paths in Python's order, and the unit of each."""
        order = sorted(range(len(self.units)), key=lambda i: self.units[i].path)
        return [self.units[i].path for i in order], order

    @classmethod
    def _of(cls, units: list[Unit], tops: list[Unit]) -> UnitTree:
        ids = np.array([u.pk for u in units], dtype=np.int64)
        index = {u.pk: i for i, u in enumerate(units)}
        parent = np.array([index.get(u.parent_id, -1) if u.parent_id else -1 for u in units],
                          dtype=np.int64)
        depth = np.array([u.depth for u in units], dtype=np.int64)
        return cls(units, ids, index, parent, depth, tops)

    @property
    def by_path(self) -> bool:
        """Whether queries find the tree's units by their roots' paths (a few roots) rather
        than by listing their ids (a larger forest)."""
        return 0 < len(self.tops) <= self.FEW

    def within(self, field: str) -> Q:
        """Rows whose ``field`` (a unit) is in the tree: by path under a few roots, by id
        in a larger forest."""
        if self.by_path:
            return under_paths(field, [top.path for top in self.tops])
        return Q(**{f"{field}_id__ids_in": self.id_list})  # inlined: no parameter limit

    @functools.cached_property
    def id_list(self) -> Ids:
        """The units' ids for the sources and ``ids_in`` (passed whole, not walked)."""
        return Ids(self.ids.tolist())

    def rows_of(self, unit_ids: np.ndarray) -> np.ndarray:
        """The row of each unit id in the tree, -1 for a unit outside it."""
        return _positions(self.ids, unit_ids)

    def aggregate(self, own: np.ndarray, own_count: np.ndarray, tree_aggs: Sequence[str]
                  ) -> tuple[np.ndarray, np.ndarray]:
        """Subtree figures per unit and column (``engine.aggregation.over_tree``)."""
        return aggregation.over_tree_arrays(own, own_count, self.parent, self.depth, tree_aggs)


# -- evaluation -------------------------------------------------------------------------

ShareFn = Callable[[str, "Evaluation"], Values]
# The per-period counts of a 每天/每月… indicator for the evaluation's units (periodic.py).
PeriodicFn = Callable[[IndicatorSpec], PeriodCounts]


class _Env:
    def __init__(self, ev: Evaluation, back: int) -> None:
        self.ev = ev
        self.back = back

    @property
    def n(self) -> int:
        return self.ev.n

    def value(self, name: str) -> Values:
        return self.ev.get(name, self.back)

    def previous(self, name: str) -> Values:
        return self.ev.get(name, self.back + 1)

    def history(self, name: str, years: int) -> list[Values]:
        return [self.ev.get(name, self.back + k) for k in range(years - 1, -1, -1)]

    def count(self, name: str) -> Values:
        return self.ev.inputs.count(name, self.back)

    def share_of_children(self, indicator: str) -> Values:
        return self.ev.share(indicator)


@dataclass(frozen=True)
class UnitContext:
    year: int
    category: str | None
    unit_class: str | None


class Evaluation:
    """Indicator values and target verdicts for n units, each formula evaluated once."""

    def __init__(self, spec: StandardSpec, inputs: Inputs, contexts: Sequence[UnitContext],
                 share_fn: ShareFn, periodic_fn: PeriodicFn | None = None) -> None:
        self.spec = spec
        self.periodic_fn = periodic_fn
        self._periods: dict[str, PeriodCounts | None] = {}
        self.inputs = inputs
        self.n = inputs.n
        self.contexts = contexts
        self.share_fn = share_fn
        self._values: dict[tuple[str, int], Values] = {}
        self._verdicts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._plain_contexts: list[targets.TargetContext] | None = None
        self._contexts: dict[str, list[targets.TargetContext]] = {}  # with history

    def get(self, name: str, back: int) -> Values:
        if name in self.spec.indicator_codes:
            return self.indicator(name, back)
        return self.inputs.value(name, back)

    def indicator(self, code: str, back: int = 0) -> Values:
        key = (code, back)
        found = self._values.get(key)
        if found is None:
            expr = self.spec.by_code[code].expression
            if expr is None:
                found = Values.all_missing(self.n, Missing.NOT_APPLICABLE)
            else:
                found = expressions.evaluate(expr, _Env(self, back))
                if back:
                    code_ = Missing.NO_PREVIOUS_YEAR if back == 1 else Missing.NO_HISTORY
                    found = found.with_missing_code(Missing.NO_DATA, code_)
            self._values[key] = found
        return found

    def share(self, code: str) -> Values:
        return self.share_fn(code, self)

    def target_contexts(self, ind: IndicatorSpec) -> list[targets.TargetContext]:
        depth = _depth_of(ind)
        if not depth:
            # Without history every indicator has the same contexts: made once.
            if self._plain_contexts is None:
                self._plain_contexts = [
                    targets.TargetContext(year=c.year, category=c.category,
                                          unit_class=c.unit_class, history=())
                    for c in self.contexts]
            return self._plain_contexts
        found = self._contexts.get(ind.code)
        if found is None:
            # Each unit's figures of the years before, oldest first (None where missing).
            history = [[None if x != x else x for x in
                        self.indicator(ind.code, back).value.astype(float).tolist()]
                       for back in range(depth, 0, -1)]
            found = self._contexts[ind.code] = [
                targets.TargetContext(year=c.year, category=c.category,
                                      unit_class=c.unit_class,
                                      history=(*(h[i] for h in history), None))
                for i, c in enumerate(self.contexts)]
        return found

    def verdict(self, code: str) -> tuple[np.ndarray, np.ndarray]:
        """(status, attainment) arrays for an indicator with a target."""
        found = self._verdicts.get(code)
        if found is None:
            ind = self.spec.by_code[code]
            values = self.indicator(code)
            if ind.target is None:
                found = (np.zeros(self.n, dtype=np.int8), np.full(self.n, np.nan))
            else:
                per_period = periodic_target(ind.target)
                if per_period is not None:
                    # Judged on the share of periods that met the count, not the year's total.
                    counts = self.period_counts(ind)
                    share = (np.full(self.n, np.nan) if counts is None
                             else per_period.share_of_periods(counts.counts))
                    values = Values(share, np.where(np.isnan(share), np.int8(Missing.NO_DATA),
                                                    np.int8(0)).astype(np.int8))
                found = targets.evaluate_many(ind.target, values, self.target_contexts(ind))
            self._verdicts[code] = found
        return found


    def forget(self, codes: Iterable[str]) -> None:
        """Drop cached values and verdicts, once the children's verdicts they read are known."""
        for code in codes:
            self._verdicts.pop(code, None)
            self._contexts.pop(code, None)
            for key in [k for k in self._values if k[0] == code]:
                del self._values[key]

    def period_counts(self, ind: IndicatorSpec) -> PeriodCounts | None:
        """Per-period counts of a 每天/每月… indicator, or None when this evaluation has none."""
        if ind.code not in self._periods:
            self._periods[ind.code] = self.periodic_fn(ind) if self.periodic_fn else None
        return self._periods[ind.code]

    def periods_reason(self, ind: IndicatorSpec, i: int) -> Reason | None:
        """Which periods unit ``i`` missed, as a reason; None for other targets."""
        per_period = periodic_target(ind.target)
        counts = self.period_counts(ind) if per_period is not None else None
        if per_period is None or counts is None:
            return None
        return failures_reason(per_period, counts.periods, counts.counts[i])


def periodic_fn(spec: StandardSpec, tree: UnitTree, rows: np.ndarray, year: int,
                as_of: dt.date) -> PeriodicFn:
    """Per-period counts read over ``tree`` for the units at ``rows``."""
    def counts(ind: IndicatorSpec) -> PeriodCounts:
        per_period = periodic_target(ind.target)
        assert per_period is not None and ind.expression is not None  # noqa: S101 - callers check
        element = spec.elements[element_of(ind.expression)]
        return period_counts(element, per_period.per, window(year, as_of, per_period.per),
                             tree, rows)
    return counts


def _depth_of(ind: IndicatorSpec) -> int:
    from chuangjian.assessment.spec import target_depth

    return target_depth(ind.target)


# -- scoring one unit -------------------------------------------------------------------


@dataclass
class Review:
    score: float
    comment: str
    evidence: list[dict[str, str]]


@dataclass
class UnitScore:
    """Everything a result row stores for one unit."""

    unit_id: int
    sheet: str
    total: float | None
    base_total: float | None
    base_max: float
    bonus: float
    passed: bool
    vetoed: bool
    veto_items: list[str]
    tier: str
    at_risk: int
    items: dict[str, dict[str, Any]]
    reasons: list[dict[str, Any]] = field(default_factory=list)


_applied_cache: dict[tuple[int, str, int, str | None, str | None], targets.Applied] = {}


def _applied(ind: IndicatorSpec, ctx: UnitContext) -> targets.Applied:
    """The target that applies to a unit, and why none applies (cached per case)."""
    assert ind.target is not None  # noqa: S101 - callers check
    key = (id(ind.target), ind.unit, ctx.year, ctx.category, ctx.unit_class)
    found = _applied_cache.get(key)
    if found is None:
        tctx = targets.TargetContext(year=ctx.year, category=ctx.category, unit_class=ctx.unit_class)
        found = ind.target.applied(tctx, ind.unit)
        if len(_applied_cache) > 20000:
            _applied_cache.clear()
        _applied_cache[key] = found
    return found


def _unknown(ind: IndicatorSpec, ev: Evaluation, i: int, value: float | None, missing: int,
             found: targets.Applied) -> tuple[str, Reason | None]:
    """Why a target item could not be judged, in Chinese and as a reason."""
    told = _not_judged(value, missing, found)
    if told is not None:
        return told
    assert ind.target is not None  # noqa: S101 - scored by target
    result = ind.target.evaluate(value, ev.target_contexts(ind)[i], unit=ind.unit)
    return result.reason or "", result.why


def _not_judged(value: float | None, missing: int, found: targets.Applied
                ) -> tuple[str, Reason | None] | None:
    """Why a target item could not be judged, when the item's figures tell: it has no
    figure, or no target applies to the unit. None when only the unit's history tells."""
    if value is None:
        return (f"缺少指标数值（{reason_text(missing)}）",
                Reason("value_missing", {"code": int(missing)}))
    if found.none_reason:
        return found.none_reason, found.why
    return None


def _six(x: float | None) -> float | None:
    """A figure as a stored row keeps it: six decimals, as ``_Columns`` rounds them."""
    return None if x is None or x != x else float(np.round(x, 6))


def _r(x: float | None, digits: int = 6) -> float | None:
    if x is None or x != x:
        return None
    return round(x if type(x) is float else float(x), digits)


def score_unit(spec: StandardSpec, unit_id: int, sheet: str, inds: Sequence[IndicatorSpec],
               ev: Evaluation, i: int, ctx: UnitContext, reviews: Mapping[str, Review],
               projected: Evaluation | None) -> UnitScore:
    """What a result row stores for one unit: figures, verdicts, points and the reasons
    behind them; pages word the reasons in the reader's language (``assessment.wording``)."""
    items: list[scoring.ItemScore] = []
    bonus_items: list[scoring.ItemScore] = []
    columns = _Columns(1, len(inds))
    at_risk = 0
    for c, ind in enumerate(inds):
        value: float | None = None
        missing = 0
        if ind.expression is not None:
            vals = ev.indicator(ind.code)
            value = vals.get(i)
            missing = int(vals.missing[i])
        status = targets.TargetStatus.UNKNOWN
        attainment: float | None = None
        risk = False
        projected_value: float | None = None
        if ind.is_reviewer:
            review = reviews.get(ind.code)
            assert isinstance(ind.scorer, scoring.Reviewer)  # noqa: S101 - is_reviewer
            item = ind.scorer.score(
                ind.code, review.score if review else None, missing_policy=ind.missing,
                note=review.comment if review else "")
            status = item.status
        elif isinstance(ind.scorer, scoring.DeductPerOccurrence):
            item = ind.scorer.score(ind.code, value, missing_policy=ind.missing,
                                    reason=reason_text(missing) if missing else None,
                                    veto=ind.veto, why=_missing_why(missing))
            status = item.status
        else:
            st, att = ev.verdict(ind.code)
            status = targets.TargetStatus(int(st[i]))
            attainment = None if np.isnan(att[i]) else float(att[i])
            found = _applied(ind, ctx)
            reason, why = None, None
            if status is targets.TargetStatus.UNKNOWN:
                reason, why = _unknown(ind, ev, i, value, missing, found)
            verdict = targets.TargetResult(status, attainment, found.text, reason, found.reason,
                                           why)
            scorer = ind.scorer
            assert isinstance(scorer, scoring.AllOrNothing | scoring.Proportional)  # noqa: S101
            item = scorer.score(ind.code, verdict, missing_policy=ind.missing, veto=ind.veto)
            if projected is not None and ind.expression is not None:
                pv = projected.indicator(ind.code)
                projected_value = pv.get(i)
                pst = int(projected.verdict(ind.code)[0][i])
                risk = pst == targets.TargetStatus.NOT_MET
        if risk:
            at_risk += 1
        (bonus_items if ind.bonus else items).append(item)
        columns.put(c, value=value, missing=missing, status=int(status), attainment=attainment,
                    points=item.score, risk=risk, projected=projected_value)
        note_reasons = [r.as_json() for r in item.reasons]
        if (periods := ev.periods_reason(ind, i)) is not None:
            note_reasons.append(periods.as_json())
        comment = None
        if ind.is_reviewer and (review := reviews.get(ind.code)) is not None:
            comment = columns.comments[0][ind.code] = review.comment
        # Kept only when the figures cannot give them again (decision 0049).
        if note_reasons != note_reasons_of(ind, _six(value), missing, int(status), attainment,
                                           ctx, points=_six(item.score), comment=comment):
            columns.notes[0][ind.code] = note_reasons
    factor = 1.0
    if sheet != MAIN:
        base_max = sum(i.max_score for i in items)
        factor = base_max / spec.standard.total if spec.standard.total else 1.0
    veto_codes = [ind.code for ind in inds if ind.veto]
    total = scoring.score_standard(
        items, pass_mark=spec.standard.pass_mark * factor,
        tiers=[(name, minimum * factor) for name, minimum in spec.tiers],
        bonus_items=bonus_items, bonus_cap=spec.standard.bonus_cap, veto_codes=veto_codes)
    return UnitScore(
        unit_id=unit_id, sheet=sheet, total=_r(total.total), base_total=_r(total.base_total),
        base_max=total.base_max, bonus=float(total.bonus), passed=total.passed,
        vetoed=total.vetoed, veto_items=list(total.veto_items), tier=total.tier or "",
        at_risk=at_risk, items=columns.rows([ind.code for ind in inds], [_context_json(ctx)])[0],
        reasons=[r.as_json() for r in total.reasons])


def score_units(spec: StandardSpec, rows: Sequence[tuple[int, str, Sequence[IndicatorSpec]]],
                ev: Evaluation, contexts: Sequence[UnitContext],
                reviews: Mapping[int, Mapping[str, Review]], projected: Evaluation | None,
                only: Sequence[int] | None = None) -> list[UnitScore]:
    """``score_unit`` for every unit of a run: each item scored once over all units that
    share its indicator list (``engine.scoring.score_many``), totals likewise, the items
    stored as columns with only the reasons the figures cannot give again (``_keep_notes``).
    Equal to ``score_unit`` (tested).
    ``only`` limits it to those rows (a depth of the tree at a time, see the runner)."""
    groups: dict[tuple[str, tuple[str, ...]], list[int]] = {}
    wanted = None if only is None else set(only)
    codes_of: dict[int, tuple[str, ...]] = {}  # by list: units of a profile share theirs
    for j, (_uid, sheet, inds) in enumerate(rows):
        if wanted is None or j in wanted:
            codes = codes_of.get(id(inds))
            if codes is None:
                codes = codes_of[id(inds)] = tuple(i.code for i in inds)
            groups.setdefault((sheet, codes), []).append(j)
    out: list[UnitScore | None] = [None] * len(rows)
    notes: dict[tuple[Any, ...], _Reasons] = {}
    context_ids: dict[UnitContext, int] = {}
    context_json: dict[int, list[Any]] = {}
    for (sheet, _codes), members in groups.items():
        idx = np.array(members, dtype=np.int64)
        inds = rows[members[0]][2]
        m = len(members)
        # Units with equal contexts (year, category, class) have the same target applied.
        cids = [context_ids.setdefault(contexts[j], len(context_ids)) for j in members]
        items: list[scoring.ItemArrays] = []
        bonus_items: list[scoring.ItemArrays] = []
        columns = _Columns(m, len(inds))
        at_risk = np.zeros(m, dtype=np.int64)
        for c, ind in enumerate(inds):
            if ind.expression is not None:
                vals = ev.indicator(ind.code)
                value = vals.value[idx]
                missing = vals.missing[idx].astype(np.int64)
            else:
                value = np.full(m, np.nan)
                missing = np.zeros(m, dtype=np.int64)
            attainment = np.full(m, np.nan)
            risk = np.zeros(m, dtype=bool)
            projected_value = np.full(m, np.nan)
            scorer = ind.scorer
            verdict: np.ndarray | None = None  # target items store the target's verdict
            if ind.is_reviewer:
                given = np.full(m, np.nan)
                for k, j in enumerate(members) if reviews else ():
                    if (r := reviews.get(rows[j][0], {}).get(ind.code)) is not None:
                        given[k] = r.score
                arr = scoring.score_many(scorer, ind.code, value=given, missing_policy=ind.missing)
            elif isinstance(scorer, scoring.DeductPerOccurrence):
                arr = scoring.score_many(scorer, ind.code, value=value,
                                         missing_policy=ind.missing, veto=ind.veto)
            else:
                st_all, att_all = ev.verdict(ind.code)
                attainment = att_all[idx]
                verdict = st_all[idx]
                arr = scoring.score_many(scorer, ind.code, status=verdict,
                                         attainment=attainment, missing_policy=ind.missing,
                                         veto=ind.veto)
                if projected is not None and ind.expression is not None:
                    projected_value = projected.indicator(ind.code).value[idx]
                    risk = projected.verdict(ind.code)[0][idx] == targets.TargetStatus.NOT_MET
            at_risk += risk
            (bonus_items if ind.bonus else items).append(arr)
            status = arr.status if verdict is None else verdict
            columns.put(c, value=value, missing=missing, status=status, attainment=attainment,
                        points=arr.points, risk=risk, projected=projected_value)
            _keep_notes(ind, ev, members, value, missing, status, attainment, contexts,
                        [rows[j][0] for j in members], reviews, notes, columns)
        stored = columns.rows([ind.code for ind in inds],
                              [context_json.setdefault(cids[k], _context_json(contexts[j]))
                               for k, j in enumerate(members)])
        factor = 1.0
        if sheet != MAIN:
            base_max = sum(i.max_score for i in inds if not i.bonus)
            factor = base_max / spec.standard.total if spec.standard.total else 1.0
        total = scoring.score_standard_many(
            items, m, pass_mark=spec.standard.pass_mark * factor,
            tiers=[(name, minimum * factor) for name, minimum in spec.tiers],
            bonus_items=bonus_items, bonus_cap=spec.standard.bonus_cap,
            veto_codes=[ind.code for ind in inds if ind.veto])
        for k, j in enumerate(members):
            out[j] = UnitScore(
                unit_id=rows[j][0], sheet=sheet, total=_r(total.total[k]),
                base_total=_r(total.base_total[k]), base_max=total.base_max,
                bonus=float(total.bonus[k]), passed=bool(total.passed[k]),
                vetoed=bool(total.vetoed[k]), veto_items=list(total.veto_items(k)),
                tier=total.tier[k] or "", at_risk=int(at_risk[k]), items=stored[k],
                reasons=total.reasons_json(k))
    return [s for s in out if s is not None]


def _missing_why(missing: int) -> Reason | None:
    return Reason("missing", {"code": int(missing)}) if missing else None


class _Columns:
    """The items of ``m`` units × ``n`` indicators as columns, filled an indicator at a
    time and given back as each unit's stored items (decision 0049): the figures in the
    sheet's order — value ``v``, missing code ``m``, verdict ``s``, attainment ``a``,
    points ``p``, year-end risk ``r`` and projected figure ``pv`` — the unit's context
    ``x`` (year, category, class: which target applied), the reviewers' comments ``c``
    of the items reviewed, and in ``n`` only the reasons the figures cannot give again
    (``note_reasons_of``). Values, points and projections are kept to six decimals; the
    attainment as computed, because the note's reasons made from it must equal the
    engine's."""

    def __init__(self, m: int, n: int) -> None:
        self.value = np.full((m, n), np.nan)
        self.attainment = np.full((m, n), np.nan)
        self.points = np.full((m, n), np.nan)
        self.projected = np.full((m, n), np.nan)
        self.missing = np.zeros((m, n), dtype=np.int64)
        self.status = np.zeros((m, n), dtype=np.int64)
        self.risk = np.zeros((m, n), dtype=np.int8)
        self.notes: list[dict[str, _Reasons]] = [{} for _ in range(m)]
        self.comments: list[dict[str, str]] = [{} for _ in range(m)]

    def put(self, c: int, *, value: Any, missing: Any, status: Any, attainment: Any,
            points: Any, risk: Any, projected: Any) -> None:
        """Column ``c``: an array over the units, or one unit's figure (None: none)."""
        self.value[:, c] = np.nan if value is None else value
        self.attainment[:, c] = np.nan if attainment is None else attainment
        self.points[:, c] = np.nan if points is None else points
        self.projected[:, c] = np.nan if projected is None else projected
        self.missing[:, c] = missing
        self.status[:, c] = status
        self.risk[:, c] = risk

    def rows(self, codes: list[str], contexts: Sequence[list[Any]]) -> list[dict[str, Any]]:
        value, attainment = _floats(self.value, 6), _floats(self.attainment, None)
        points, projected = _floats(self.points, 6), _floats(self.projected, 6)
        missing, status, risk = self.missing.tolist(), self.status.tolist(), self.risk.tolist()
        out = []
        for k in range(len(value)):
            row: dict[str, Any] = {"k": codes, "v": value[k], "m": missing[k], "s": status[k],
                                   "a": attainment[k], "p": points[k], "r": risk[k],
                                   "pv": projected[k], "x": contexts[k]}
            if self.comments[k]:
                row["c"] = self.comments[k]
            if self.notes[k]:
                row["n"] = self.notes[k]
            out.append(row)
        return out


def _floats(matrix: np.ndarray, digits: int | None) -> list[list[float | None]]:
    """Each row as a list, rounded to ``digits`` (None: as it is), NaN as None."""
    rows = (matrix if digits is None else np.round(matrix, digits)).tolist()
    for k in np.flatnonzero(np.isnan(matrix).any(axis=1)).tolist():
        rows[k] = [None if x != x else x for x in rows[k]]
    return rows


def _context_json(ctx: UnitContext) -> list[Any]:
    return [ctx.year, ctx.category, ctx.unit_class]


def context_of(stored: Sequence[Any]) -> UnitContext:
    """The ``UnitContext`` a stored row's ``x`` names."""
    year, category, unit_class = stored
    return UnitContext(int(year), category, unit_class)


def stores_target(ind: IndicatorSpec) -> bool:
    """Whether the item is judged against a target (not a reviewer's or deduction item)."""
    return ind.target is not None and not ind.is_reviewer and not isinstance(
        ind.scorer, scoring.DeductPerOccurrence)


_applied_json_cache: dict[tuple[int, str, int, str | None, str | None], dict[str, Any]] = {}


def applied_json(ind: IndicatorSpec, ctx: UnitContext) -> dict[str, Any]:
    """``_applied(ind, ctx).reason.as_json()``, made once per case: every unit of a class
    and category stores the same target (the rows share the dict, which nobody changes)."""
    key = (id(ind.target), ind.unit, ctx.year, ctx.category, ctx.unit_class)
    found = _applied_json_cache.get(key)
    if found is None:
        found = _applied(ind, ctx).reason.as_json()
        if len(_applied_json_cache) > 20000:
            _applied_json_cache.clear()
        _applied_json_cache[key] = found
    return found


_Reasons = list[dict[str, Any]]


def _reasons(item: scoring.ItemScore) -> _Reasons:
    return [r.as_json() for r in item.reasons]


def _keep_notes(ind: IndicatorSpec, ev: Evaluation, members: Sequence[int], value: np.ndarray,
                missing: np.ndarray, status: np.ndarray, attainment: np.ndarray,
                contexts: Sequence[UnitContext], unit_ids: Sequence[int],
                reviews: Mapping[int, Mapping[str, Review]],
                cache: dict[tuple[Any, ...], _Reasons], columns: _Columns) -> None:
    """What ``ind``'s reasons need beyond its stored figures, into ``columns``: the
    reviewer's comment of an item reviewed, and the reasons themselves of a target not
    judged though its figure is there and a target applies (why reads the unit's
    history) or judged period by period (the periods missed). Every other item's reasons
    are made when read (``note_reasons_of``); ``score_unit`` keeps whatever differs from
    those, and the two agree (tested)."""
    if ind.is_reviewer:
        for k, uid in enumerate(unit_ids) if reviews else ():
            review = reviews.get(uid, {}).get(ind.code)
            if review is not None:
                columns.comments[k][ind.code] = review.comment
        return
    if isinstance(ind.scorer, scoring.DeductPerOccurrence):
        return
    unknown = int(targets.TargetStatus.UNKNOWN)
    periodic = periodic_target(ind.target) is not None
    undecided = np.flatnonzero(status == unknown).tolist()
    for k in undecided if not periodic else range(len(members)):
        j = members[k]
        v = _six(float(value[k]))
        m, st = int(missing[k]), int(status[k])
        att = None if attainment[k] != attainment[k] else float(attainment[k])
        note = note_reasons_of(ind, v, m, st, att, contexts[j])
        if periodic and (periods := ev.periods_reason(ind, j)) is not None:
            if note is None:
                note = _unknown_reasons(ind, ev, j, v, m, contexts[j], cache)
            columns.notes[k][ind.code] = [*note, periods.as_json()]
        elif note is None:
            columns.notes[k][ind.code] = _unknown_reasons(ind, ev, j, v, m, contexts[j], cache)


def _unknown_reasons(ind: IndicatorSpec, ev: Evaluation, j: int, value: float | None,
                     missing: int, ctx: UnitContext, cache: dict[tuple[Any, ...], _Reasons]
                     ) -> _Reasons:
    """The reasons of a target item that could not be judged: why, from the unit's own
    figures (units in the same case share one list, which nobody changes)."""
    applied = _applied(ind, ctx)
    reason, why = _unknown(ind, ev, j, value, missing, applied)
    key = (ind.code, applied.text, reason)
    found = cache.get(key)
    if found is None:
        scorer = ind.scorer
        assert isinstance(scorer, scoring.AllOrNothing | scoring.Proportional)  # noqa: S101
        found = _reasons(scorer.score(
            ind.code, targets.TargetResult(targets.TargetStatus.UNKNOWN, None, applied.text,
                                           reason, applied.reason, why),
            missing_policy=ind.missing, veto=ind.veto))
        cache[key] = found
    return found


_derived: dict[tuple[Any, ...], tuple[IndicatorSpec, _Reasons]] = {}


def note_reasons_of(ind: IndicatorSpec, value: float | None, missing: int, status: int,
                    attainment: float | None, ctx: UnitContext, *, points: float | None = None,
                    comment: str | None = None) -> _Reasons | None:
    """The reasons of an item's scoring line made from its stored figures, as the engine
    gives them: a reviewer's item reviewed (its ``points`` and ``comment``) or not yet, a
    deduction for its count, a target
    judged for its attainment against the target that applied in ``ctx``, or not judged
    for want of a figure or of a target. None for a target not judged though both are
    there: why reads the unit's history, and ``_keep_notes`` keeps it (as it keeps a
    review and the periods missed). Shared per case (nobody changes the list); the cache
    holds the indicator itself, so its id is not reused while cached."""
    scorer = ind.scorer
    applied: targets.Applied | None = None
    if ind.is_reviewer and comment is not None:
        assert isinstance(scorer, scoring.Reviewer)  # noqa: S101 - is_reviewer
        return _reasons(scorer.score(ind.code, points, missing_policy=ind.missing, note=comment))
    if ind.is_reviewer:
        key: tuple[Any, ...] = (id(ind), "r")
    elif isinstance(scorer, scoring.DeductPerOccurrence):
        key = (id(ind), "d", value, missing)
    elif status == targets.TargetStatus.UNKNOWN:
        applied = _applied(ind, ctx)
        if value is not None and not applied.none_reason:
            return None
        key = (id(ind), "u", ctx.year, ctx.category, ctx.unit_class, value is None, missing)
    else:
        att = None if attainment is None or attainment != attainment or isinstance(
            scorer, scoring.AllOrNothing) else float(attainment)
        key = (id(ind), "t", ctx.year, ctx.category, ctx.unit_class, int(status), att)
    found = _derived.get(key)
    if found is not None:
        return found[1]
    if ind.is_reviewer:
        assert isinstance(scorer, scoring.Reviewer)  # noqa: S101 - is_reviewer
        note = _reasons(scorer.score(ind.code, None, missing_policy=ind.missing))
    elif isinstance(scorer, scoring.DeductPerOccurrence):
        note = _reasons(scorer.score(ind.code, value, missing_policy=ind.missing,
                                     reason=reason_text(missing) if missing else None,
                                     veto=ind.veto, why=_missing_why(missing)))
    else:
        assert isinstance(scorer, scoring.AllOrNothing | scoring.Proportional)  # noqa: S101
        reason, why, att = None, None, key[-1]
        if applied is not None:  # not judged: no figure, or no target for the unit
            reason, why = _not_judged(value, missing, applied) or (None, None)
            att = None
        applied = applied or _applied(ind, ctx)
        note = _reasons(scorer.score(
            ind.code, targets.TargetResult(targets.TargetStatus(status), att, applied.text,
                                           reason, applied.reason, why),
            missing_policy=ind.missing, veto=ind.veto))
    if len(_derived) > 50000:
        _derived.clear()
    _derived[key] = (ind, note)
    return note


# -- projection (早期预警) -----------------------------------------------------------------


Elapsed = tuple[str, int, int]  # ("day" | "month" | "quarter", periods over, periods in the year)


def _elapsed(period_type: str, as_of: dt.date, year: int) -> tuple[float, Elapsed | None]:
    """Share of the year's periods of this type already over on ``as_of``, and which."""
    if as_of >= dt.date(year, 12, 31):
        return 1.0, None
    if as_of < dt.date(year, 1, 1):
        return 0.0, None
    days_in_year = 366 if calendar.isleap(year) else 365
    if period_type in (PeriodType.DAY, PeriodType.WEEK):
        done = (as_of - dt.date(year, 1, 1)).days + 1
        return done / days_in_year, ("day", done, days_in_year)
    if period_type == PeriodType.MONTH:
        done = as_of.month - 1 + (1 if as_of.day == calendar.monthrange(year, as_of.month)[1] else 0)
        return done / 12, (("month", done, 12) if done else None)
    if period_type == PeriodType.QUARTER:
        done = Period.containing(PeriodType.QUARTER, as_of).quarter_number - 1
        if as_of == Period.containing(PeriodType.QUARTER, as_of).end:
            done += 1
        return done / 4, (("quarter", done, 4) if done else None)
    return 0.0, None


def elapsed_text(part: Elapsed) -> str:
    """How a year-to-date figure is scaled, in the Chinese the run stores."""
    kind, done, total = part
    if kind == "day":
        return f"按已过 {done} 天推算全年（×{total}/{done}）"
    if kind == "month":
        return f"按已结束的 {done} 个月推算全年（×12/{done}）"
    return f"按已结束的 {done} 个季度推算全年（×4/{done}）"


def elapsed_share(period_type: str, as_of: dt.date, year: int) -> tuple[float, str]:
    """Share of the year's periods of this type already over on ``as_of``, and how it reads."""
    share, part = _elapsed(period_type, as_of, year)
    return share, elapsed_text(part) if part is not None else ""


def projection_parts(spec: StandardSpec, code: str, as_of: dt.date, year: int) -> list[Elapsed]:
    """How the year-end figure of indicator ``code`` is projected: one part per kind of
    summed element it reads; empty when nothing can be scaled (judged on the figures so
    far) or the year is over."""
    parts: set[Elapsed] = set()
    for element_code in spec.elements_for({code}):
        element = spec.elements.get(element_code)
        if element is None or element.time_agg != "sum":
            continue
        share, part = _elapsed(element.period, as_of, year)
        if 0 < share < 1 and part is not None:
            parts.add(part)
    return sorted(parts, key=elapsed_text)


def projected_inputs(spec: StandardSpec, inputs: Inputs, as_of: dt.date, year: int
                     ) -> Inputs | None:
    """Year-to-date figures of summed elements scaled to the whole year; None once the year is over."""
    if as_of >= dt.date(year, 12, 31):
        return None
    out = Inputs(n=inputs.n, values=dict(inputs.values), counts=dict(inputs.counts))
    for (code, back), arr in inputs.values.items():
        element = spec.elements.get(code)
        if back or element is None or element.time_agg != "sum":
            continue
        share, _part = _elapsed(element.period, as_of, year)
        if 0 < share < 1:
            out.values[(code, back)] = arr / share
    return out


# -- class and context ------------------------------------------------------------------


def under_paths(field: str, paths: Iterable[str]) -> Q:
    """Rows whose ``field`` (a unit; units themselves when "") lies under one of ``paths``."""
    lookup = f"{field}__path__startswith" if field else "path__startswith"
    cond = Q(pk__in=[])
    for path in paths:
        cond |= Q(**{lookup: path})
    return cond


def unit_classes(standard_code: str, year: int, *, paths: Sequence[str] = (),
                 unit_ids: Iterable[int] = ()) -> dict[int, str]:
    """Each unit's class (保无毒 / 创无毒) for the year: the latest assignment made for a
    period up to the year's end (a class holds until a later period changes it).

    Periods are ``2026`` or ``2026Q3``, which sort before ``2027`` as text.
    """
    qs = UnitClassAssignment.objects.filter(standard_code=standard_code,
                                            period__lt=str(year + 1),
                                            unit_class__isnull=False)
    qs = qs.filter(under_paths("unit", paths)) if paths else qs.filter(
        unit_id__ids_in=Ids(unit_ids))
    rows = (qs
            .order_by("period").values_list("unit_id", "unit_class__name"))
    return dict(rows)


def data_as_of(year: int, today: dt.date) -> dt.date:
    return min(today, dt.date(year, 12, 31))
