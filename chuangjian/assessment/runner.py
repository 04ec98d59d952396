"""Full runs and incremental refreshes: which units, which inputs, then compute.

``compute_full`` works entirely in memory and returns the rows to store, so a
failure anywhere leaves the stored results as they were; ``compute_runs`` does the same
for several runs of one standard whose roots lie apart, read and scored together
(decision 0042). ``compute_many`` is the
freshness path: the refresh job (``assessment.freshness``), after the writers have
committed, recomputes the changed units' rows and their ancestors' rows in the current
runs of a standard that read the changed elements, all such runs at once (decision
0039); ``write_units`` stores a run's rows and re-ranks their siblings.
``compute_units`` does the same unit by unit — the reference ``compute_many`` is tested
against — and ``refresh_unit`` at once for one unit (a reviewer's score).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import json
import operator
import random
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection
from django.db.models import JSONField, Q
from django.utils import timezone

from chuangjian.assessment.compute import (
    MAIN,
    ComputeError,
    Evaluation,
    Inputs,
    PeriodicFn,
    Review,
    ShareFn,
    UnitContext,
    UnitScore,
    UnitTree,
    full_inputs,
    indicators_for,
    open_during_year,
    periodic_fn,
    projected_inputs,
    score_unit,
    score_units,
    sheet_of,
    under_paths,
    unit_classes,
    unit_inputs,
)
from chuangjian.assessment.items import states_of
from chuangjian.assessment.models import AssessmentRun, Kind, ReviewerScore, RunStatus, UnitResult
from chuangjian.assessment.models.results import CompactJSONEncoder, JSONText, compact_json
from chuangjian.assessment.periodic import PeriodCounts, periodic_target
from chuangjian.assessment.spec import IndicatorSpec, StandardSpec, spec_for
from chuangjian.engine import expressions, scoring
from chuangjian.engine.expressions import PASSED
from chuangjian.engine.targets import TargetStatus
from chuangjian.engine.values import Missing, Values
from chuangjian.lib.bulk import update_each
from chuangjian.lib.collector import collector_paused
from chuangjian.org.models import Unit


@dataclass
class Computed:
    scores: list[UnitScore]
    parents: dict[int, int | None]   # unit id → parent id
    above: dict[int, int | None]     # unit id → nearest assessed ancestor id
    ranks: dict[int, tuple[int, int]]  # unit id → (rank, number ranked together)


def reviews_for(standard_code: str, year: int, kind: str, *, paths: Sequence[str] = (),
                unit_ids: Iterable[int] = ()) -> dict[int, dict[str, Review]]:
    qs = ReviewerScore.objects.filter(standard_code=standard_code, year=year, kind=kind)
    qs = qs.filter(under_paths("unit", paths)) if paths else qs.filter(
        unit_id__in=list(unit_ids))
    out: dict[int, dict[str, Review]] = {}
    for unit_id, code, score, comment, evidence in qs.values_list(
            "unit_id", "indicator_code", "score", "comment", "evidence"):
        out.setdefault(unit_id, {})[code] = Review(score, comment, list(evidence or []))
    return out


def spot_sample(units: Sequence[Unit], seed: str) -> list[int]:
    """A reproducible third of the units (at least one) for a spot check (抽查)."""
    rng = random.Random(seed)  # noqa: S311 - sampling, not security
    size = max(1, round(len(units) / 3))
    return sorted(u.pk for u in rng.sample(list(units), min(size, len(units))))


def assessed_units(spec: StandardSpec, tree: UnitTree, year: int, sample: Sequence[int] = ()
                   ) -> list[tuple[int, Unit, str]]:
    """(tree index, unit, sheet) of every unit the standard assesses under the root."""
    wanted = set(sample)
    out = []
    for i, unit in enumerate(tree.units):
        if not open_during_year(unit, year) or (wanted and unit.pk not in wanted):
            continue
        sheet = sheet_of(spec, unit)
        if sheet is not None:
            out.append((i, unit, sheet))
    return out


def _full_share(applicable: Mapping[str, np.ndarray], above: np.ndarray,
                passed: np.ndarray | None = None, scored: np.ndarray | None = None) -> ShareFn:
    """share_of_children(x) over the run's units; ``passed``/``scored`` hold the children's
    overall verdicts for share_of_children(passed), filled in as each depth is scored."""
    def share(code: str, ev: Evaluation) -> Values:
        n = ev.n
        if code == PASSED:
            child = above >= 0
            ok = np.zeros(n, dtype=bool) if passed is None else passed
            done = np.zeros(n, dtype=bool) if scored is None else scored
            den = np.bincount(above[child], minlength=n).astype(float)
            met = np.bincount(above[child & ok], minlength=n).astype(float)
            known = np.bincount(above[child & done], minlength=n)
            with np.errstate(all="ignore"):
                value = 100.0 * met / den
            return Values(value, _share_missing(den, known))
        status = ev.verdict(code)[0]
        member = applicable.get(code, np.zeros(n, dtype=bool)) & (above >= 0)
        den = np.bincount(above[member], minlength=n).astype(float)
        met = np.bincount(above[member & (status == TargetStatus.MET)], minlength=n).astype(float)
        known = np.bincount(above[member & (status != TargetStatus.UNKNOWN)], minlength=n)
        with np.errstate(all="ignore"):
            value = 100.0 * met / den
        return Values(value, _share_missing(den, known))
    return share


def _share_missing(den: np.ndarray, known: np.ndarray) -> np.ndarray:
    """No children → 没有下级单位; no child judged yet → 缺少数据. A child that cannot be
    judged counts as not passing once others can: it has not shown that it passed."""
    den, known = np.asarray(den), np.asarray(known)
    return np.where(den == 0, Missing.NO_CHILDREN,
                    np.where(known == 0, Missing.NO_DATA, 0)).astype(np.int8)



def rank_groups(groups: Mapping[tuple[Any, ...], Mapping[int, float | None]]
                ) -> dict[int, tuple[int, int]]:
    out: dict[int, tuple[int, int]] = {}
    for members in groups.values():
        ranks = scoring.rank({str(k): v for k, v in members.items()})
        for unit_id in members:
            out[unit_id] = (ranks[str(unit_id)], len(members))
    return out


def compute_full(run: AssessmentRun, *, fail_after: int | None = None,
                 per_unit: bool = False) -> Computed:
    """Every result row of a run, in memory. ``fail_after`` injects a failure (tests);
    ``per_unit`` scores unit by unit with ``score_unit``, the reference the vectorised
    ``score_units`` is tested against."""
    return compute_runs([run], fail_after=fail_after, per_unit=per_unit)[run.pk]


@collector_paused()
def compute_runs(runs: Sequence[AssessmentRun], *, fail_after: int | None = None,
                 per_unit: bool = False) -> dict[int, Computed]:
    """``compute_full`` for several runs at once: run id → its rows, in memory.

    The runs share a ``batch_key`` and their roots lie apart (none is another's or under
    it), such as one standard's runs over a city's districts. Their subtrees are read
    and scored together — the tree loaded once, each source and the rollups asked once
    for all of them — and each run's rows are what it computes alone (tested): a unit is
    ranked among its siblings in its own run only."""
    if not runs:
        return {}
    first = runs[0]
    if any(batch_key(r) != batch_key(first) for r in runs):
        raise ValueError("compute_runs: the runs differ in standard, year, kind or day of data")
    roots = [r.root for r in runs]
    order = sorted(range(len(runs)), key=lambda k: roots[k].path)
    paths = [roots[k].path for k in order]
    if any(b.startswith(a) for a, b in itertools.pairwise(paths)):
        raise ValueError("compute_runs: one run's root lies under another's")
    if len({bool(r.sample) for r in runs}) > 1:
        raise ValueError("compute_runs: either every run has a sample or none has")
    spec = spec_for(first.standard)
    year = first.year
    tree = UnitTree.forest(roots)
    assessed = assessed_units(spec, tree, year, sorted({i for r in runs for i in r.sample}))
    # The run of each assessed unit: the root whose path is the last one not after its own.
    owner = [order[bisect.bisect_right(paths, u.path) - 1] for _i, u, _s in assessed]
    empty = sorted(set(range(len(runs))) - set(owner))
    if empty:
        raise ComputeError(f"「{roots[empty[0]].name}」及其下级没有适用「{spec.version.name}」的单位")
    t_idx = np.array([i for i, _u, _s in assessed], dtype=np.int64)
    units = [u for _i, u, _s in assessed]
    pos = {u.pk: j for j, u in enumerate(units)}
    above = np.full(len(units), -1, dtype=np.int64)
    above_ids: dict[int, int | None] = {}
    for j, unit in enumerate(units):
        found = None
        for anc in reversed(unit.ancestor_ids()):
            if anc in pos:
                found = anc
                break
        above_ids[unit.pk] = found
        above[j] = pos[found] if found is not None else -1
    inds_of = [indicators_for(spec, u, s) for _i, u, s in assessed]
    applicable = {ind.code: np.zeros(len(units), dtype=bool) for ind in spec.indicators}
    for j, inds in enumerate(inds_of):
        for ind in inds:
            applicable[ind.code][j] = True
    classes = unit_classes(spec.version.code, year, paths=paths)
    contexts = [UnitContext(year, u.category, classes.get(u.pk)) for u in units]
    inputs = full_inputs(spec, tree, t_idx, year, spec.elements, spec.years_back,
                         spec.element_depths)
    passed = np.zeros(len(units), dtype=bool)
    scored = np.zeros(len(units), dtype=bool)
    share = _full_share(applicable, above, passed, scored)
    per_period = periodic_fn(spec, tree, t_idx, year, first.as_of)
    ev = Evaluation(spec, inputs, contexts, share, per_period)
    projection = projected_inputs(spec, inputs, first.as_of, year)
    projected = (Evaluation(spec, projection, contexts, share, per_period)
                 if projection is not None else None)
    reviews = reviews_for(spec.version.code, year, first.kind, paths=paths)
    if fail_after is not None and fail_after < len(assessed):
        raise RuntimeError("注入的计算故障（测试用）")
    # A pass rate of the children (share_of_children(passed)) reads their verdicts of this
    # run, so the deepest units are scored first and such indicators are read afterwards.
    reading = [i.code for i in spec.indicators
               if i.expression is not None and expressions.reads_children_verdicts(i.expression)]
    depths = [sorted({u.depth for u in units}, reverse=True)] if not reading else [
        [d] for d in sorted({u.depth for u in units}, reverse=True)]
    rows = [(unit.pk, sheet, inds_of[j]) for j, (_i, unit, sheet) in enumerate(assessed)]
    by_row: dict[int, UnitScore] = {}
    for level in depths:
        js = [j for j, u in enumerate(units) if u.depth in level]
        for e in (ev, projected):
            if e is not None:
                e.forget(reading)
        if per_unit:
            done = [score_unit(spec, rows[j][0], rows[j][1], inds_of[j], ev, j, contexts[j],
                               reviews.get(rows[j][0], {}), projected) for j in js]
        else:
            done = score_units(spec, rows, ev, contexts, reviews, projected, only=js)
        for j, got in zip(sorted(js), done, strict=True):
            by_row[j] = got
            passed[j] = got.passed
            scored[j] = True
    scores = [by_row[j] for j in range(len(units))]
    groups: dict[tuple[Any, ...], dict[int, float | None]] = {}
    for j, (unit, score) in enumerate(zip(units, scores, strict=True)):
        groups.setdefault((owner[j], unit.parent_id, score.sheet), {})[unit.pk] = score.total
    parents = {u.pk: u.parent_id for u in units}
    ranks = rank_groups(groups)
    return {run.pk: Computed(scores=[s for j, s in enumerate(scores) if owner[j] == k],
                             parents=parents, above=above_ids, ranks=ranks)
            for k, run in enumerate(runs)}


def result_rows(run: AssessmentRun, computed: Computed) -> list[UnitResult]:
    rows = []
    for s in computed.scores:
        rank, siblings = computed.ranks.get(s.unit_id, (None, 0))
        rows.append(UnitResult(
            run=run, unit_id=s.unit_id, parent_id_at_run=computed.parents.get(s.unit_id),
            above_id=computed.above.get(s.unit_id), rank=rank, siblings=siblings,
            **_fields(s)))
    return rows


@collector_paused()
def insert_results(run: AssessmentRun, computed: Computed) -> int:
    """Write a run's new result rows in bulk: COPY on PostgreSQL, one prepared INSERT
    executed for every row elsewhere (SQLite runs it in C). The rows are what
    ``UnitResult.objects.bulk_create(result_rows(...))`` would store — the same columns,
    the same JSON text (tested) — without building a model object per row and preparing
    each field through the ORM. Returns the number of rows."""
    fields = [f for f in UnitResult._meta.concrete_fields if not f.primary_key]
    updated = _now_for_db()
    dumps = _json_dumps(fields)
    in_order = operator.itemgetter(*(f.attname for f in fields))  # a row's tuple, in C
    ranks, parents, above = computed.ranks, computed.parents, computed.above
    rows: list[tuple[Any, ...]] = []
    for s in computed.scores:
        rank, siblings = ranks.get(s.unit_id, (None, 0))
        values: dict[str, object] = {
            "run_id": run.pk, "unit_id": s.unit_id,
            "parent_id_at_run": parents.get(s.unit_id),
            "above_id": above.get(s.unit_id), "rank": rank, "siblings": siblings,
            "updated_at": updated, **_fields(s)}
        for name, dump in dumps.items():
            values[name] = dump(values[name])
        rows.append(in_order(values))
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(UnitResult._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608 - names from the model
                               rows)
    return len(rows)


def _now_for_db() -> object:
    now = timezone.now()
    return now if connection.vendor == "postgresql" else (
        connection.ops.adapt_datetimefield_value(now))


def _json_dumps(fields: Iterable[Any]) -> dict[str, Callable[[Any], str]]:
    """The JSON text each JSON column of ``fields`` stores (as the ORM would write it):
    a ``JSONText``'s compact text, a ``JSONField``'s by its encoder."""
    return {f.attname: (compact_json if isinstance(f, JSONText) or f.encoder is CompactJSONEncoder
                        else _each_list_once(functools.partial(json.dumps, cls=f.encoder)))
            for f in fields if isinstance(f, JSONField | JSONText)}


def _each_list_once(dump: Callable[[Any], str]) -> Callable[[Any], str]:
    """``dump``, its text of each list of strings made once (the veto items: nearly every
    row's is the empty list; the standard library's encoder took 50 ms a city at L)."""
    texts: dict[tuple[str, ...], str] = {}

    def dump_once(value: Any) -> str:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return dump(value)
        key = tuple(value)
        text = texts.get(key)
        if text is None:
            text = texts[key] = dump(value)
        return text
    return dump_once


def _fields(s: UnitScore) -> dict[str, object]:
    # ``explanation`` (the Chinese sentence of runs made before reasons were kept) is
    # emptied: the pages word ``reasons`` in the reader's language (decision 0041).
    return {"sheet": s.sheet, "total": s.total, "base_total": s.base_total,
            "base_max": s.base_max, "bonus": s.bonus, "passed": s.passed, "vetoed": s.vetoed,
            "veto_items": s.veto_items, "tier": s.tier, "explanation": "",
            "reasons": s.reasons, "at_risk": s.at_risk, "items": s.items}


_FIELDS = ["sheet", "total", "base_total", "base_max", "bonus", "passed", "vetoed",
           "veto_items", "tier", "explanation", "reasons", "at_risk", "items"]


# -- freshness ----------------------------------------------------------------------------


def live_runs(unit: Unit, years: Iterable[int]) -> list[AssessmentRun]:
    """Current, unpublished runs of those years whose scope contains the unit."""
    # A run's root contains the unit when it is the unit or one of its ancestors.
    return list(AssessmentRun.objects.filter(status=RunStatus.DONE, current=True,
                                             published_at__isnull=True, year__in=list(years),
                                             root_id__in=[*unit.ancestor_ids(), unit.pk])
                .select_related("standard", "root"))


def refresh_unit(unit: Unit, *, day: dt.date, element_codes: frozenset[str] = frozenset(),
                 runs: Sequence[AssessmentRun] | None = None) -> int:
    """Recompute ``unit``'s and its ancestors' rows in the live runs a change touches.

    A change in year Y also touches later years whose indicators compare with Y
    (比上年, 连续3年). Returns the number of rows rewritten.
    """
    if runs is None:
        runs = live_runs(unit, range(day.year, day.year + 6))
    written = 0
    for run in runs:
        spec = spec_for(run.standard)
        if run.year < day.year or run.year - day.year > spec.years_back:
            continue
        if element_codes and not spec.uses(element_codes):
            continue
        written += _refresh_run(run, spec, unit)
    return written


def _refresh_run(run: AssessmentRun, spec: StandardSpec, unit: Unit) -> int:
    return refresh_units(run, spec, [unit])


def refresh_units(run: AssessmentRun, spec: StandardSpec, changed: Sequence[Unit]) -> int:
    """Recompute the rows of the changed units and of all their ancestors in ``run``,
    deepest first (a parent's shares read its children's new items), each row once
    however many of its descendants changed; then re-rank their siblings."""
    return write_units(run, compute_units(run, spec, changed))


def write_units(run: AssessmentRun, rows: Sequence[UnitResult]) -> int:
    """Store rows that ``compute_units`` recomputed and re-rank their siblings."""
    return write_many([(run, rows)])


def write_many(written: Sequence[tuple[AssessmentRun, Sequence[UnitResult]]]) -> int:
    """``write_units`` for several runs at once: every row in one prepared UPDATE, the
    siblings of all of them read in one query and re-ranked in one more."""
    written = [(run, rows) for run, rows in written if rows]
    if not written:
        return 0
    _update_rows([row for _run, rows in written for row in rows])
    _rerank(written)
    return sum(len(rows) for _run, rows in written)


def _update_rows(rows: Sequence[UnitResult]) -> None:
    """``bulk_update(rows, _FIELDS)`` and the time of the change, as one prepared UPDATE
    executed for every row (``lib.bulk.update_each``): the ORM's bulk update builds a CASE
    over every row for each of the thirteen columns, which was most of a small refresh's
    writing."""
    updated = timezone.now()
    for row in rows:
        row.updated_at = updated
    update_each(UnitResult, rows, [*_FIELDS, "updated_at"])


def compute_units(run: AssessmentRun, spec: StandardSpec,
                  changed: Sequence[Unit]) -> list[UnitResult]:
    """The rows of ``refresh_units`` recomputed in memory, nothing written: the reading
    and scoring can happen before the writer takes its lock (``freshness``)."""
    chain_ids = sorted({i for unit in changed for i in (*unit.ancestor_ids(), unit.pk)})
    rows = {r.unit_id: r for r in UnitResult.objects.filter(run=run, unit_id__in=chain_ids)}
    if not rows:
        return []
    units = sorted(Unit.objects.filter(pk__in=list(rows)), key=lambda u: -u.depth)
    classes = unit_classes(spec.version.code, run.year, unit_ids=list(rows))
    reviews = reviews_for(spec.version.code, run.year, run.kind, unit_ids=list(rows))
    children = _children_of(spec, [run], list(rows))
    for u in units:
        row = rows[u.pk]
        inds = indicators_for(spec, u, row.sheet)
        ctx = UnitContext(run.year, u.category, classes.get(u.pk))
        codes = spec.elements_for({i.code for i in inds})
        inputs = unit_inputs(spec, u, run.year, codes, spec.years_back, spec.element_depths)
        share = _stored_share([children.get((run.pk, u.pk), {})])
        per_period = _unit_periodic(spec, u, run)
        ev = Evaluation(spec, inputs, [ctx], share, per_period)
        projection = projected_inputs(spec, inputs, run.as_of, run.year)
        projected = (Evaluation(spec, projection, [ctx], share, per_period)
                     if projection is not None else None)
        score = score_unit(spec, u.pk, row.sheet, inds, ev, 0, ctx, reviews.get(u.pk, {}),
                           projected)
        for name, value in _fields(score).items():
            setattr(row, name, value)
        if row.above_id is not None and (run.pk, row.above_id) in children:
            children[(run.pk, row.above_id)][u.pk] = (states_of(score.items), score.passed)
    return list(rows.values())


def batch_key(run: AssessmentRun) -> tuple[int, int, str, dt.date]:
    """Runs with the same key read the same figures for a unit (``compute_many``)."""
    return (run.standard_id, run.year, run.kind, run.as_of)


_STORED = ("pk", "run_id", "unit_id", "sheet", "above_id", "parent_id_at_run", "rank", "siblings")


@collector_paused()
def compute_many(spec: StandardSpec, runs: Sequence[AssessmentRun],
                 changed: Sequence[Unit]) -> dict[int, list[UnitResult]]:
    """``compute_units`` for several runs of one ``batch_key`` at once: run id → its rows
    of the changed units and their ancestors, recomputed in memory, nothing written.

    Each unit's figures are read once for all the runs, over the union of the recomputed
    units' subtrees — one query for the reported elements and one call per source and
    element (``full_inputs``), where ``compute_units`` asks them once per unit — and
    scored with ``score_units``, one depth of a run's units at a time, deepest first, so
    that a parent's share of its children reads their new items. Equal to
    ``compute_units`` run by run (tested)."""
    if not runs:
        return {}
    first = runs[0]
    if any(batch_key(r) != batch_key(first) for r in runs):
        raise ValueError("compute_many: the runs differ in standard, year, kind or day of data")
    chain_ids = sorted({i for unit in changed for i in (*unit.ancestor_ids(), unit.pk)})
    stored = list(UnitResult.objects.filter(run__in=list(runs), unit_id__in=chain_ids)
                  .only(*_STORED).order_by("run_id", "unit_id"))
    if not stored:
        return {}
    units = list(Unit.objects.filter(pk__in={r.unit_id for r in stored}).order_by("path"))
    pos = {u.pk: j for j, u in enumerate(units)}
    tree = UnitTree.forest(units)
    t_idx = np.array([tree.index[u.pk] for u in units], dtype=np.int64)
    year, as_of, kind = first.year, first.as_of, first.kind
    inputs = full_inputs(spec, tree, t_idx, year, spec.elements, spec.years_back,
                         spec.element_depths)
    projection = projected_inputs(spec, inputs, as_of, year)
    periodic = _shared_periodic(spec, tree, t_idx, year, as_of)
    classes = unit_classes(spec.version.code, year, unit_ids=list(pos))
    reviews = reviews_for(spec.version.code, year, kind, unit_ids=list(pos))
    contexts = [UnitContext(year, u.category, classes.get(u.pk)) for u in units]
    kids = _children_of(spec, runs, list(pos))
    # A depth at a time, deepest first, the rows of every run together: a unit's children
    # are those of its own run (``kids`` is keyed by run), and one ``score_units`` per
    # depth costs what one per run and depth did for each.
    for depth in sorted({units[pos[r.unit_id]].depth for r in stored}, reverse=True):
        level = [r for r in stored if units[pos[r.unit_id]].depth == depth]
        idx = np.array([pos[r.unit_id] for r in level], dtype=np.int64)
        share = _stored_share([kids.get((r.run_id, r.unit_id), {}) for r in level])
        ctxs = [contexts[j] for j in idx.tolist()]

        def per_period(ind: IndicatorSpec, idx: np.ndarray = idx) -> PeriodCounts:
            counts = periodic(ind)
            return PeriodCounts(counts.periods, counts.counts[idx])

        ev = Evaluation(spec, _rows_of(inputs, idx), ctxs, share, per_period)
        projected = (Evaluation(spec, _rows_of(projection, idx), ctxs, share, per_period)
                     if projection is not None else None)
        rows = [(r.unit_id, r.sheet, indicators_for(spec, units[pos[r.unit_id]], r.sheet))
                for r in level]
        for row, score in zip(level, score_units(spec, rows, ev, ctxs, reviews, projected),
                              strict=True):
            for name, value in _fields(score).items():
                setattr(row, name, value)
            if row.above_id is not None and (row.run_id, row.above_id) in kids:
                kids[(row.run_id, row.above_id)][row.unit_id] = (states_of(score.items),
                                                                 score.passed)
    return {run.pk: [r for r in stored if r.run_id == run.pk] for run in runs}


def _rows_of(inputs: Inputs, idx: np.ndarray) -> Inputs:
    return Inputs(n=len(idx), values={k: v[idx] for k, v in inputs.values.items()},
                  counts={k: v[idx] for k, v in inputs.counts.items()})


def _shared_periodic(spec: StandardSpec, tree: UnitTree, rows: np.ndarray, year: int,
                     as_of: dt.date) -> PeriodicFn:
    """``periodic_fn`` over ``rows``, each indicator's counts read once."""
    read = periodic_fn(spec, tree, rows, year, as_of)
    done: dict[str, PeriodCounts] = {}

    def counts(ind: IndicatorSpec) -> PeriodCounts:
        if ind.code not in done:
            done[ind.code] = read(ind)
        return done[ind.code]
    return counts


# (run id, unit id) → each child's item verdicts by code (``items.states_of``), passed.
Children = dict[tuple[int, int], dict[int, tuple[Mapping[str, int], bool]]]


def _children_of(spec: StandardSpec, runs: Sequence[AssessmentRun],
                 unit_ids: Sequence[int]) -> Children:
    """(run id, unit id) → each stored child's (verdicts, passed), read only when an
    indicator of the standard takes a share of the children."""
    kids: Children = {}
    if any(i.expression is not None and "share_of_children" in i.expression_text
           for i in spec.indicators):
        for run_id, child_id, above_id, items, child_passed in (
                UnitResult.objects.filter(run__in=list(runs), above_id__in=list(unit_ids))
                .values_list("run_id", "unit_id", "above_id", "items", "passed")):
            if above_id is not None:
                kids.setdefault((run_id, above_id), {})[child_id] = (states_of(items),
                                                                     child_passed)
    return kids


def _stored_share(kids: Sequence[Mapping[int, tuple[Mapping[str, int], bool]]]) -> ShareFn:
    """share_of_children(x) for units whose children's item verdicts are at hand
    (stored, or recomputed just before): one child → (verdicts by code, passed) map per
    unit."""
    def share(code: str, ev: Evaluation) -> Values:
        value = np.full(len(kids), np.nan)
        missing = np.zeros(len(kids), dtype=np.int8)
        for j, children in enumerate(kids):
            if code == PASSED:
                if not children:
                    missing[j] = Missing.NO_CHILDREN
                    continue
                ok = sum(1 for _states, child_passed in children.values() if child_passed)
                value[j] = 100.0 * ok / len(children)
                continue
            states = [st[code] for st, _p in children.values() if code in st]
            if not states:
                missing[j] = Missing.NO_CHILDREN
                continue
            met = sum(1 for st in states if st == TargetStatus.MET)
            known = sum(1 for st in states if st != TargetStatus.UNKNOWN)
            value[j] = 100.0 * met / len(states)
            missing[j] = _share_missing(np.array([len(states)]), np.array([known]))[0]
        return Values(value, missing)
    return share


def _unit_periodic(spec: StandardSpec, unit: Unit, run: AssessmentRun) -> PeriodicFn | None:
    """Per-period counts for one unit's subtree, loaded only if a target needs them."""
    if not any(periodic_target(i.target) for i in spec.indicators):
        return None

    def counts(ind: IndicatorSpec) -> PeriodCounts:
        tree = UnitTree.load(unit)  # the unit is the first of its own subtree
        return periodic_fn(spec, tree, np.array([0], dtype=np.int64), run.year, run.as_of)(ind)
    return counts


def _rerank(written: Sequence[tuple[AssessmentRun, Sequence[UnitResult]]]) -> None:
    """Rank again the siblings of every changed row (those under the same parent on the
    same sheet of the same run), each group whole."""
    wanted: dict[int, set[int | None]] = defaultdict(set)
    for run, rows in written:
        wanted[run.pk].update(r.parent_id_at_run for r in rows)
    under = Q()
    for run_id, parents in wanted.items():
        named = [p for p in parents if p is not None]
        if named:
            under |= Q(run_id=run_id, parent_id_at_run__in=named)
        if None in parents:
            under |= Q(run_id=run_id, parent_id_at_run__isnull=True)
    siblings = list(UnitResult.objects.filter(under).values_list(
        "pk", "run_id", "unit_id", "parent_id_at_run", "sheet", "total", "rank", "siblings"))
    groups: dict[tuple[int, int | None, str], dict[int, float | None]] = {}
    for _pk, run_id, unit_id, parent_id, sheet, total, _rank, _n in siblings:
        groups.setdefault((run_id, parent_id, sheet), {})[unit_id] = total
    # Ranked group by group: ``rank_groups`` answers by unit, and a unit is in every run.
    ranks = {key: rank_groups({key: members}) for key, members in groups.items()}
    dirty = [(*new, pk) for pk, run_id, unit_id, parent_id, sheet, _total, rank, n in siblings
             if (new := ranks[(run_id, parent_id, sheet)][unit_id]) != (rank, n)]
    if dirty:
        meta = UnitResult._meta
        column = {f.attname: connection.ops.quote_name(f.column) for f in meta.concrete_fields}
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {connection.ops.quote_name(meta.db_table)} "  # noqa: S608 - the model's names
                f"SET {column['rank']} = %s, {column['siblings']} = %s WHERE {column['id']} = %s",
                dirty)


def kinds() -> list[str]:
    return [k.value for k in Kind]


def main_sheet(rows: Iterable[UnitResult]) -> list[UnitResult]:
    return [r for r in rows if r.sheet == MAIN]


def indicator_list(spec: StandardSpec, sheet: str) -> list[IndicatorSpec]:
    return [i for i in spec.indicators if (i.level is None) == (sheet == MAIN)
            and (sheet == MAIN or i.level == sheet)]
