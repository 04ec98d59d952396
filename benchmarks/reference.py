"""The DuckDB reference (参照): the same indicator inputs, computed from raw values in memory.

The assessment never rescans raw values: it reads each unit's yearly ``Rollup`` rows
and adds them up the tree (``assessment.compute.full_inputs``). The reference starts
from the raw ``DataValue`` numbers instead, loaded once into numpy arrays and handed
to an in-memory DuckDB (DuckDB cannot read SQLite offline), and computes per unit,
element and year:

- the unit's own figure under the element's time aggregation (sum, max, mean, or the
  latest value by period), and
- the subtree figure of every unit (street, district …) under the element's tree
  aggregation (sum, mean or max of the units' own figures; ``none`` = own only),
  with the number of raw values behind it.

Only the DuckDB query is timed. ``compare`` proves our rollup-based figures equal.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import numpy as np

TIME_AGG = {"sum": 0, "max": 1, "mean": 2, "last": 3}
TREE_AGG = {"sum": 0, "mean": 1, "max": 2, "none": 3}


@dataclass
class Raw:
    """Raw numeric values and the tree, as numpy arrays (what DuckDB is fed)."""

    unit: np.ndarray
    element: np.ndarray
    year: np.ndarray
    order: np.ndarray       # (anchor date, finer first) as one sortable integer
    number: np.ndarray
    anc_unit: np.ndarray    # closure of the tree: (unit, ancestor-or-self)
    anc_of: np.ndarray
    element_ids: np.ndarray
    time_agg: np.ndarray
    tree_agg: np.ndarray
    codes: dict[int, str] = field(default_factory=dict)  # element id -> code
    load_seconds: float = 0.0

    @property
    def years(self) -> list[int]:
        return sorted({int(y) for y in np.unique(self.year)})


def load_raw() -> Raw:
    """Every numeric DataValue of the database, and the tree, into numpy (not timed)."""
    from django.db import connection

    from chuangjian.engine.periods import Period
    from chuangjian.org.models import Unit
    from chuangjian.reporting.models import DataValue
    from chuangjian.reporting.rollups import _anchor
    from chuangjian.standards.models import DataElement

    started = time.perf_counter()
    period_info: dict[str, tuple[int, int]] = {}

    def info(text: str) -> tuple[int, int]:
        found = period_info.get(text)
        if found is None:
            p = Period.parse(text)
            anchor = _anchor(p)
            found = (anchor.year, anchor.toordinal() * 16 + (8 - p.type.rank))
            period_info[text] = found
        return found

    units: list[np.ndarray] = []
    elements: list[np.ndarray] = []
    years: list[np.ndarray] = []
    orders: list[np.ndarray] = []
    numbers: list[np.ndarray] = []
    table = DataValue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT unit_id, element_id, period, CAST(number AS DOUBLE PRECISION) "  # noqa: S608 - table name only
                       f"FROM {table} WHERE number IS NOT NULL")
        while True:
            rows = cursor.fetchmany(500_000)
            if not rows:
                break
            u, e, p, x = zip(*rows, strict=True)
            pi = [info(t) for t in p]
            units.append(np.array(u, dtype=np.int64))
            elements.append(np.array(e, dtype=np.int64))
            years.append(np.array([a for a, _b in pi], dtype=np.int32))
            orders.append(np.array([b for _a, b in pi], dtype=np.int64))
            numbers.append(np.array(x, dtype=float))

    def cat(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
        return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

    anc_unit: list[int] = []
    anc_of: list[int] = []
    for pk, path in Unit.objects.values_list("pk", "path"):
        for part in path.strip("/").split("/"):
            anc_unit.append(pk)
            anc_of.append(int(part))
    meta = list(DataElement.objects.values_list("pk", "code", "time_agg", "tree_agg"))
    return Raw(
        unit=cat(units, np.int64), element=cat(elements, np.int64), year=cat(years, np.int32),
        order=cat(orders, np.int64), number=cat(numbers, float),
        anc_unit=np.array(anc_unit, dtype=np.int64), anc_of=np.array(anc_of, dtype=np.int64),
        element_ids=np.array([m[0] for m in meta], dtype=np.int64),
        time_agg=np.array([TIME_AGG[m[2]] for m in meta], dtype=np.int8),
        tree_agg=np.array([TREE_AGG[m[3]] for m in meta], dtype=np.int8),
        codes={m[0]: m[1] for m in meta}, load_seconds=time.perf_counter() - started)


_OWN = """
CREATE OR REPLACE TEMP TABLE own AS
SELECT v.unit, v.element, v.year, el.tree_agg,
       CASE el.time_agg WHEN 0 THEN sum(v.number) WHEN 1 THEN max(v.number)
                        WHEN 2 THEN sum(v.number) / count(*)
                        ELSE arg_max(v.number, v."order") END AS t,
       count(*) AS n
FROM v JOIN el ON el.element = v.element
GROUP BY v.unit, v.element, v.year, el.time_agg, el.tree_agg
"""

_SUBTREE = """
SELECT a.ancestor AS unit, o.element, o.year,
       CASE o.tree_agg WHEN 0 THEN sum(o.t) WHEN 1 THEN avg(o.t) WHEN 2 THEN max(o.t)
                       ELSE sum(o.t) END AS value,
       sum(o.n) AS count
FROM own o JOIN anc a ON a.unit = o.unit
WHERE o.tree_agg <> 3 OR a.ancestor = o.unit
GROUP BY a.ancestor, o.element, o.year, o.tree_agg
"""


@dataclass
class Reference:
    unit: np.ndarray
    element: np.ndarray
    year: np.ndarray
    value: np.ndarray
    count: np.ndarray
    seconds: float
    # CPU seconds of this process over the queries, DuckDB's threads included.
    cpu_seconds: float = 0.0


def compute(raw: Raw, *, threads: int = 2) -> Reference:
    """Subtree figures of every unit, element and year in DuckDB; only the queries are timed."""
    import duckdb

    con = duckdb.connect()
    con.execute(f"SET threads={int(threads)}")
    con.register("v", {"unit": raw.unit, "element": raw.element, "year": raw.year,
                       "order": raw.order, "number": raw.number})
    con.register("anc", {"unit": raw.anc_unit, "ancestor": raw.anc_of})
    con.register("el", {"element": raw.element_ids, "time_agg": raw.time_agg,
                        "tree_agg": raw.tree_agg})
    started, cpu = time.perf_counter(), time.process_time()
    con.execute(_OWN)
    result = con.execute(_SUBTREE).fetchnumpy()
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    con.close()

    def plain(a: Any, dtype: Any) -> np.ndarray:
        return np.asarray(np.ma.filled(a, np.nan) if np.ma.isMaskedArray(a) else a, dtype=dtype)

    return Reference(unit=plain(result["unit"], np.int64), element=plain(result["element"], np.int64),
                     year=plain(result["year"], np.int64), value=plain(result["value"], float),
                     count=plain(result["count"], float), seconds=seconds,
                     cpu_seconds=cpu)


# -- ours, from the rollups ----------------------------------------------------------------


@dataclass
class Ours:
    """Our figures from the rollups through ``assessment.compute.full_inputs``."""

    # (unit id, element id, year) -> (value, count); absent = no data
    figures: dict[tuple[int, int, int], tuple[float, float]]
    seconds: float


def ours(raw: Raw) -> Ours:
    """The assessment's own input path (one rollup query per root + numpy up the tree),
    for every reported element and year, for every unit of every root; timed."""
    from chuangjian.assessment.compute import UnitTree, full_inputs
    from chuangjian.org.models import Unit
    from chuangjian.standards.models import DataElement

    reported = sorted({int(e) for e in np.unique(raw.element)})
    elements = {e.code: e for e in DataElement.objects.filter(pk__in=reported)}
    years = raw.years
    if not years:
        return Ours({}, 0.0)
    last, back = years[-1], years[-1] - years[0]
    spec = SimpleNamespace(elements=elements)
    figures: dict[tuple[int, int, int], tuple[float, float]] = {}
    seconds = 0.0
    for root in Unit.objects.filter(parent__isnull=True).order_by("path"):
        started = time.perf_counter()
        tree = UnitTree.load(root)
        everyone = np.arange(len(tree.ids))
        inputs = full_inputs(spec, tree, everyone, last, list(elements), back)  # type: ignore[arg-type]
        seconds += time.perf_counter() - started
        for (code, b), values in inputs.values.items():
            counts = inputs.counts[(code, b)]
            element_id = elements[code].pk
            for i in np.nonzero(~np.isnan(values))[0].tolist():
                figures[(int(tree.ids[i]), element_id, last - b)] = (float(values[i]),
                                                                     float(counts[i]))
    return Ours(figures, seconds)


@dataclass
class Comparison:
    compared: int
    only_ours: int
    only_reference: int
    different: int
    examples: list[str]

    @property
    def equal(self) -> bool:
        return not (self.only_ours or self.only_reference or self.different)


def compare(mine: Ours, ref: Reference, raw: Raw, *, rtol: float = 1e-9,
            units: Sequence[int] | None = None) -> Comparison:
    """Every (unit, element, year) figure and count must agree."""
    wanted = set(units) if units is not None else None
    theirs: dict[tuple[int, int, int], tuple[float, float]] = {}
    for u, e, y, v, n in zip(ref.unit.tolist(), ref.element.tolist(), ref.year.tolist(),
                             ref.value.tolist(), ref.count.tolist(), strict=True):
        if v == v and (wanted is None or u in wanted):
            theirs[(u, e, y)] = (v, n)
    ours_keys = {k for k in mine.figures if wanted is None or k[0] in wanted}
    examples: list[str] = []
    different = 0
    for key in ours_keys & theirs.keys():
        (a, an), (b, bn) = mine.figures[key], theirs[key]
        if abs(a - b) > rtol * max(1.0, abs(b)) or an != bn:
            different += 1
            if len(examples) < 5:
                examples.append(f"{key} {raw.codes.get(key[1])}: ours {a} (n={an}), duckdb {b} (n={bn})")
    only_ours = ours_keys - theirs.keys()
    only_ref = theirs.keys() - ours_keys
    for key in list(only_ours)[:3]:
        examples.append(f"only ours {key} {raw.codes.get(key[1])}: {mine.figures[key]}")
    for key in list(only_ref)[:3]:
        examples.append(f"only duckdb {key} {raw.codes.get(key[1])}: {theirs[key]}")
    return Comparison(compared=len(ours_keys | theirs.keys()), only_ours=len(only_ours),
                      only_reference=len(only_ref), different=different, examples=examples)
