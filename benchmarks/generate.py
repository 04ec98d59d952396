"""A synthetic city (合成城市) for the benchmarks: the unit tree, reports, values and rollups.

Sizes (``SIZES``): S is one street, M a district of ~300 communities, L a city of ten
districts, 150 streets/towns and 3,000 communities; T is a tiny city for tests.
Every unit reports exactly the merged data sets (``reporting.datasets``) that the
built-in standards ask of its level and category, in every period of the years
generated, so the mix of daily/monthly/quarterly/annual values is the standards'
own. The built-in standards are in force from 2026; earlier years are reported on
the 2026 forms, as the history that 比上年 and 连续3年 indicators read.

What is written is what the reporting app would have written:
- ``Unit`` rows with the materialized path of ``org.actions.create_unit`` (zero-padded
  ids, depth, pinyin sort key) and one open ``UnitVersion`` each;
- one ``Submission`` per unit, merged data set and period that was reported (about 1%
  of reports are missing, 3% late; years before the last are accepted and locked);
- one ``DataValue`` per unit, element and period of those submissions;
- the ``Rollup`` rows of ``reporting.rollups`` (month, quarter and year of each value:
  total, count, maximum, latest value and period), computed with numpy here and
  proved equal to ``rollups.verify()``'s recomputation in ``benchmarks/tests``.

Not written: ``ValueChange`` history and audit entries (the assessment never reads
them). Values are drawn with numpy from a fixed seed, respecting the standards'
validation rules of the form ``a <= b`` and each element's bounds.

    python -m benchmarks.generate --size M [--database-url postgresql://...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Progress = Callable[[str], None]

# Ranks of the period types (engine.periods.PeriodType.rank order).
DAY, WEEK, MONTH, QUARTER, YEAR = "day", "week", "month", "quarter", "year"
ROLLUP_TYPES = (MONTH, QUARTER, YEAR)
UNIT_CODE_PREFIX = "BM"
OPENED_ON = dt.date(2020, 1, 1)


@dataclass(frozen=True)
class Shape:
    """How many units of each level, and which years."""

    districts: int
    streets_per_district: int
    areas_per_street: int
    communities_per_area: int
    departments_per_street: int
    first_year: int
    last_year: int
    rural_share: float = 0.35  # share of streets that are towns (镇, 农村) with villages (村)

    @property
    def communities(self) -> int:
        return (self.districts * self.streets_per_district * self.areas_per_street
                * self.communities_per_area)

    @property
    def years(self) -> list[int]:
        return list(range(self.first_year, self.last_year + 1))


SIZES: dict[str, Shape] = {
    # T: tiny, for the tests (two towns so that rural forms are covered too).
    "T": Shape(1, 2, 1, 2, 1, 2025, 2026, rural_share=0.5),
    "S": Shape(1, 1, 3, 5, 2, 2022, 2026, rural_share=0.0),
    "M": Shape(1, 20, 3, 5, 2, 2022, 2026),
    "L": Shape(10, 15, 4, 5, 2, 2022, 2026),
}

_PLACE = ["东湖", "西山", "南门", "北关", "城关", "白石", "青松", "红旗", "长安", "新华", "文昌", "锦绣", "学府", "望江", "滨江", "桃源", "梅林", "柳岸", "金桥", "银杏", "丰乐", "和平", "永安", "广济", "清河", "龙泉", "凤鸣", "云台", "石塘", "溪口", "岭头", "上林", "下林", "沙湾", "杏花", "荷塘", "松岗", "竹园", "枫桥", "兰亭"]
_DEPARTMENTS = [("CGB", "城管办"), ("PCS", "派出所"), ("ZFZD", "执法中队"), ("WYB", "物业办")]


def _place(i: int) -> str:
    n = len(_PLACE)
    return _PLACE[i % n] + ("" if i < n else _PLACE[(i // n) % n])


# -- the tree ---------------------------------------------------------------------------


@dataclass
class TreeSpec:
    units: list[Any]           # org.Unit instances with ids and paths set
    versions: list[Any]        # org.UnitVersion instances


def build_tree(shape: Shape, first_id: int, rng: np.random.Generator) -> TreeSpec:
    """Unit rows with explicit ids, so paths are known before the insert (as create_unit
    would leave them: parent path + zero-padded own id)."""
    from chuangjian.org.levels import Kind, Level
    from chuangjian.org.models import Unit, UnitVersion
    from chuangjian.org.models.units import path_segment, pinyin_key

    units: list[Unit] = []
    next_id = first_id

    def add(code: str, name: str, level: str, category: str, parent: Unit | None,
            kind: str = Kind.AREA, department_type: str = "") -> Unit:
        nonlocal next_id
        unit = Unit(id=next_id, code=code, name=name, level=level, kind=kind,
                    department_type=department_type, category=category, division_code="",
                    parent=parent, path=(parent.path if parent else "") + path_segment(next_id),
                    depth=(parent.depth + 1) if parent else 1, opened_on=OPENED_ON,
                    closed_on=None, sort_key=pinyin_key(name))
        next_id += 1
        units.append(unit)
        return unit

    street_no = 0
    for d in range(shape.districts):
        dcode = f"{UNIT_CODE_PREFIX}{d + 1:02d}"
        district = add(dcode, f"{_place(d * 7 + 3)}区", Level.DISTRICT, "城镇", None)
        for s in range(shape.streets_per_district):
            # Towns spread evenly among the streets (deterministic, whatever the seed).
            rural = int((street_no + 1) * shape.rural_share) > int(street_no * shape.rural_share)
            category = "农村" if rural else "城镇"
            scode = f"{dcode}-{s + 1:02d}"
            street = add(scode, f"{_place(street_no)}{'镇' if rural else '街道'}", Level.STREET,
                         category, district)
            street_no += 1
            for short, dtype in _DEPARTMENTS[:shape.departments_per_street]:
                add(f"{scode}-D-{short}", f"{street.name}{dtype}", Level.AREA, category, street,
                    kind=Kind.DEPARTMENT, department_type=dtype)
            for a in range(shape.areas_per_street):
                acode = f"{scode}-{chr(ord('A') + a)}"
                area = add(acode, f"{_place(street_no * 5 + a)}管区", Level.AREA, category, street)
                for c in range(shape.communities_per_area):
                    # A town's communities are mostly villages (村, 农村); a few are
                    # urban communities around the town centre (镇区社区).
                    urban_here = not rural or rng.random() < 0.15
                    name = _place(street_no * 31 + a * 7 + c + 11)
                    add(f"{acode}-{c + 1:02d}", f"{name}{'社区' if urban_here else '村'}",
                        Level.COMMUNITY, "城镇" if urban_here else "农村", area)
    versions = [UnitVersion(unit=u, parent=u.parent, name=u.name, path=u.path,
                            valid_from=OPENED_ON, valid_to=None) for u in units]
    return TreeSpec(units, versions)


# -- periods ----------------------------------------------------------------------------


@dataclass
class PeriodTable:
    """Every period of the years generated, indexed; with its month/quarter/year."""

    periods: list[Any] = field(default_factory=list)   # engine Period
    text: list[str] = field(default_factory=list)
    index: dict[str, int] = field(default_factory=dict)
    rank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int8))
    # Sort key of rollups' "latest value": (anchor date, -rank) as one integer.
    order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    up: dict[str, np.ndarray] = field(default_factory=dict)  # rollup type -> period index
    by_type_year: dict[tuple[str, int], list[int]] = field(default_factory=dict)
    text_rank: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @classmethod
    def for_years(cls, years: Sequence[int]) -> PeriodTable:
        from chuangjian.engine.periods import Period, PeriodType
        from chuangjian.reporting.rollups import _anchor

        table = cls()
        for year in years:
            start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
            groups = {
                YEAR: [Period.year(year)],
                QUARTER: [Period.quarter(year, q) for q in range(1, 5)],
                MONTH: [Period.month(year, m) for m in range(1, 13)],
                DAY: [Period.containing(PeriodType.DAY, start + dt.timedelta(days=i))
                      for i in range((end - start).days + 1)],
            }
            for kind, periods in groups.items():
                ids = []
                for p in periods:
                    table.index[str(p)] = len(table.periods)
                    ids.append(len(table.periods))
                    table.periods.append(p)
                    table.text.append(str(p))
                table.by_type_year[(kind, year)] = ids
        table.rank = np.array([p.type.rank for p in table.periods], dtype=np.int8)
        table.order = np.array([_anchor(p).toordinal() * 16 + (8 - p.type.rank)
                                for p in table.periods], dtype=np.int64)
        for kind in ROLLUP_TYPES:
            ptype = PeriodType(kind)
            table.up[kind] = np.array(
                [table.index[str(Period.containing(ptype, _anchor(p)))]
                 if p.type.rank <= ptype.rank else -1 for p in table.periods], dtype=np.int64)
        ordered = sorted(range(len(table.text)), key=table.text.__getitem__)
        table.text_rank = np.empty(len(ordered), dtype=np.int64)
        table.text_rank[ordered] = np.arange(len(ordered))
        return table


# -- values -----------------------------------------------------------------------------


_PAIR = re.compile(r"(\w+)\s*<=\s*([\w.]+)")
_NUMBER = re.compile(r"\d+(\.\d+)?")


def rule_pairs(rules: Iterable[Any]) -> list[tuple[str, str]]:
    """``a <= b`` pairs of a data set's validation rules (numerator, denominator or bound)."""
    pairs: list[tuple[str, str]] = []
    for rule in rules:
        for a, b in _PAIR.findall(rule.text):
            pairs.append((a, b))
    return pairs


def _magnitude(element: Any, period_type: str) -> tuple[str, float]:
    """How an element's values are drawn: ("stock"|"flow"|"rare"|"score", mean)."""
    unit = element.unit
    per_year = {DAY: 365, MONTH: 12, QUARTER: 4, YEAR: 1}[period_type]
    if unit == "分":
        return "score", 85.0
    if unit in ("起", "例", "克"):
        return "rare", 0.3 / per_year
    if unit == "平方米":
        return "stock", 900.0
    if element.time_agg == "last" or element.tree_agg == "max":
        mean = {"人": 400.0, "户": 900.0, "人次": 300.0, "口": 30.0, "份": 600.0}.get(unit, 25.0)
        return "stock", mean
    if unit in ("人", "户", "人次", "份", "口"):
        return "flow", 240.0 / per_year
    return "flow", 8.0 / per_year + (2.0 if period_type == DAY else 0.0)


def draw_values(element: Any, period_type: str, size: np.ndarray, rng: np.random.Generator
                ) -> np.ndarray:
    """Values for rows whose unit has relative ``size`` (≈1), within the element's bounds."""
    kind, mean = _magnitude(element, period_type)
    n = len(size)
    if kind == "score":
        values = np.round(rng.normal(mean, 6.0, n), 1)
    elif kind == "stock":
        values = np.round(mean * size * rng.lognormal(0.0, 0.08, n))
    else:
        values = rng.poisson(mean * size).astype(float)
    if element.type == "decimal" and kind != "score":
        values = np.round(values + rng.random(n) * (kind == "stock"), 1)
    low = element.min_value if element.min_value is not None else 0.0
    high = element.max_value
    values = np.maximum(values, low)
    if high is not None:
        values = np.minimum(values, high)
    return values


# -- the whole city ---------------------------------------------------------------------


@dataclass
class Generated:
    """Counts and timings of one generation."""

    size: str
    database: str
    units: int = 0
    communities: int = 0
    submissions: int = 0
    values: int = 0
    rollups: int = 0
    years: list[int] = field(default_factory=list)
    by_period_type: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


@dataclass
class _Chunk:
    unit: np.ndarray
    element: np.ndarray
    period: np.ndarray
    number: np.ndarray
    submission: np.ndarray
    stamp: np.ndarray


def _printer(stream: Any = None) -> Progress:
    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=stream or sys.stdout,
              flush=True)
    return say


def load_standards() -> None:
    """``chuangjian standards load``: the built-in standards (idempotent)."""
    from chuangjian.org.scope import Scope
    from chuangjian.standards import actions, loader

    actions.load_standards(actor=None, scope=Scope.system(), result=loader.load_builtin())


def forms_year(year: int) -> int:
    """The year whose standards give the forms: no earlier than the first in force."""
    from chuangjian.standards.models import StandardVersion

    first = min(StandardVersion.objects.values_list("year_from", flat=True), default=year)
    return max(year, first)


class _Stamps:
    """Submission instants per (data set, period), as database parameters, reused by rows."""

    def __init__(self) -> None:
        from django.db import connection

        self.ops = connection.ops
        self.values: list[Any] = []
        self.index: dict[Any, int] = {}

    def add(self, instant: dt.datetime | None) -> int:
        found = self.index.get(instant)
        if found is None:
            found = len(self.values)
            self.index[instant] = found
            self.values.append(self.ops.adapt_datetimefield_value(instant)
                               if instant is not None else None)
        return found


def generate(size: str, *, seed: int = 20261128, progress: Progress | None = None,
             fast_pragmas: bool = True, shape: Shape | None = None,
             unreported: Collection[str] = ()) -> Generated:
    """Write a synthetic city of ``size`` into the (empty) configured database.

    ``unreported``: periods (``2026-12-03``, ``2026Q4``) that no unit has reported yet,
    so that a benchmark can file them as first submissions (``benchmarks.burst``).
    """
    from django.db import connection, transaction

    from chuangjian.org.models import Unit, UnitVersion
    from chuangjian.reporting.datasets import catalog
    from chuangjian.reporting.models import DataValue, Rollup, Submission

    say = progress or _printer()
    shape = shape or SIZES[size]
    rng = np.random.default_rng(seed)
    out = Generated(size=size, database=connection.vendor, years=shape.years)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        out.seconds[name] = out.seconds.get(name, 0.0) + now - clock
        clock = now

    if Unit.objects.filter(code__startswith=UNIT_CODE_PREFIX).exists():
        raise SystemExit("数据库中已有合成城市；请使用新的数据库文件（或 run --keep 复用）")
    load_standards()
    lap("standards")
    say("已载入内置标准")

    fast = fast_pragmas and connection.vendor == "sqlite" and not connection.in_atomic_block
    if fast:
        _sqlite_pragmas(fast=True)
    try:
        first_id = (Unit.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        tree = build_tree(shape, first_id, rng)
        with transaction.atomic():
            Unit.objects.bulk_create(tree.units, batch_size=2000)
            UnitVersion.objects.bulk_create(tree.versions, batch_size=2000)
        _reset_sequences([Unit, UnitVersion])
        out.units = len(tree.units)
        out.communities = sum(1 for u in tree.units if u.level == "community")
        lap("tree")
        say(f"组织树：{out.units} 个单位，其中社区/村 {out.communities} 个")

        periods = PeriodTable.for_years(shape.years)
        cat = catalog()
        stamps = _Stamps()
        sub_rows: list[tuple[Any, ...]] = []
        chunks: list[_Chunk] = []
        next_sub = (Submission.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        profiles: dict[tuple[str, str, str], list[Any]] = {}
        for u in tree.units:
            profiles.setdefault((u.kind, u.level, u.category), []).append(u)
        # A unit's size (population, households, places) is fixed across years.
        unit_size = {u.pk: float(rng.lognormal(0.0, 0.35)) for u in tree.units}
        last_year = shape.years[-1]
        for year in shape.years:
            for members in profiles.values():
                datasets = cat.for_unit(members[0], forms_year(year))
                ids = np.array([u.pk for u in members], dtype=np.int64)
                sizes = np.array([unit_size[u.pk] for u in members])
                for ds in datasets.values():
                    kind = ds.period_type.value
                    pids = np.array([p for p in periods.by_type_year[(kind, year)]
                                     if periods.text[p] not in unreported], dtype=np.int64)
                    nu, npd = len(ids), len(pids)
                    reported = rng.random((nu, npd)) >= 0.01
                    late = rng.random((nu, npd)) < 0.03
                    ui, pi = np.nonzero(reported)
                    sub_ids = np.arange(next_sub, next_sub + len(ui), dtype=np.int64)
                    next_sub += len(ui)
                    locked = year < last_year
                    # One instant per period and lateness: on time (two hours before the
                    # deadline) or a day late.
                    on_time, too_late = {}, {}
                    for p in pids.tolist():
                        due = ds.deadline_for(periods.periods[p])
                        on_time[p] = (due, stamps.add(due - dt.timedelta(hours=2)), due - dt.timedelta(hours=2))
                        too_late[p] = (due, stamps.add(due + dt.timedelta(days=1)), due + dt.timedelta(days=1))
                    stamp_of = np.empty(len(ui), dtype=np.int64)
                    for j, (u_i, p_i) in enumerate(zip(ui.tolist(), pi.tolist(), strict=True)):
                        p = int(pids[p_i])
                        is_late = bool(late[u_i, p_i])
                        due, stamp, at = (too_late if is_late else on_time)[p]
                        stamp_of[j] = stamp
                        sub_rows.append((
                            int(sub_ids[j]), int(ids[u_i]), ds.code, periods.text[p], kind, 1,
                            "accepted" if locked else "submitted", "web", "{}", "{}",
                            stamps.values[stamps.add(due)], stamps.values[stamp],
                            stamps.values[stamp], None, is_late,
                            stamps.values[stamps.add(at + dt.timedelta(days=3))] if locked else None,
                            None, "", locked, "年度考核前已审核通过，数据已锁定" if locked else "", "",
                            stamps.values[stamp]))
                    by_code: dict[str, np.ndarray] = {}
                    row_sizes = sizes[ui]
                    for element in ds.elements:
                        by_code[element.code] = draw_values(element, kind, row_sizes, rng)
                    computed = {e.code for e in ds.computed}
                    for a, b in rule_pairs((*ds.rules, *ds.cross_rules)):
                        if a in by_code and b in computed:
                            # Bounded by a figure the registers compute (居民户总数 …): the
                            # synthetic city keeps no registers, so that figure is 0 and the
                            # form refuses anything above it, as it would for a real unit.
                            by_code[a] = np.zeros_like(by_code[a])
                        elif a in by_code and b in by_code:
                            share = rng.beta(18, 2, len(ui))
                            by_code[a] = np.minimum(np.floor(by_code[b] * share), by_code[b])
                        elif a in by_code and _NUMBER.fullmatch(b):
                            by_code[a] = np.minimum(by_code[a], float(b))
                    for element in ds.elements:
                        chunks.append(_Chunk(
                            unit=ids[ui], element=np.full(len(ui), element.pk, dtype=np.int64),
                            period=pids[pi], number=by_code[element.code], submission=sub_ids,
                            stamp=stamp_of))
                        out.by_period_type[kind] = out.by_period_type.get(kind, 0) + len(ui)
            say(f"{year} 年：已生成 {sum(len(c.unit) for c in chunks):,} 个数据值")
        lap("values (numpy)")

        values = _Chunk(*(np.concatenate([getattr(c, f) for c in chunks]) if chunks
                          else np.zeros(0, dtype=np.int64)
                          for f in ("unit", "element", "period", "number", "submission", "stamp")))
        del chunks
        rollup_rows = compute_rollups(values.unit, values.element, values.period, values.number,
                                      periods)
        lap("rollups (numpy)")
        say(f"汇总：{len(rollup_rows[0]):,} 行")

        _insert_submissions(sub_rows, Submission)
        out.submissions = len(sub_rows)
        del sub_rows
        lap("insert submissions")
        say(f"已写入 {out.submissions:,} 份上报")
        out.values = _insert_values(values, periods, stamps, DataValue, say)
        lap("insert values")
        out.rollups = _insert_rollups(rollup_rows, periods, Rollup)
        lap("insert rollups")
        _reset_sequences([Submission, DataValue, Rollup])
        _analyze([Unit, Submission, DataValue, Rollup])
        say(f"已写入 {out.values:,} 个数据值、{out.rollups:,} 行汇总")
    finally:
        if fast:
            _sqlite_pragmas(fast=False)
    lap("finish")
    return out


def compute_rollups(unit: np.ndarray, element: np.ndarray, period: np.ndarray,
                    number: np.ndarray, periods: PeriodTable
                    ) -> tuple[np.ndarray, ...]:
    """(unit, element, rollup period, total, count, maximum, last value, last period) arrays,
    the same figures ``reporting.rollups`` keeps: each value feeds the month, quarter and
    year containing it (when not finer than the value's own period)."""
    parts: list[tuple[np.ndarray, ...]] = []
    for kind in ROLLUP_TYPES:
        rp = periods.up[kind][period]
        keep = rp >= 0
        u, e, r, x, o, src = (unit[keep], element[keep], rp[keep], number[keep],
                              periods.order[period[keep]], period[keep])
        order = np.lexsort((o, r, e, u))
        u, e, r, x, src = u[order], e[order], r[order], x[order], src[order]
        if not len(u):
            continue
        new = np.ones(len(u), dtype=bool)
        new[1:] = (u[1:] != u[:-1]) | (e[1:] != e[:-1]) | (r[1:] != r[:-1])
        starts = np.nonzero(new)[0]
        ends = np.append(starts[1:], len(u)) - 1
        parts.append((u[starts], e[starts], r[starts], np.add.reduceat(x, starts),
                      np.diff(np.append(starts, len(u))), np.maximum.reduceat(x, starts),
                      x[ends], src[ends]))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return (empty,) * 8
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(8))


# -- writing ------------------------------------------------------------------------------


def _sqlite_pragmas(*, fast: bool) -> None:
    """No journal and no fsync while the throwaway database is filled; back to the
    product's settings (WAL, NORMAL) afterwards."""
    from django.db import connection

    with connection.cursor() as cursor:
        if fast:
            cursor.execute("PRAGMA journal_mode=OFF")
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-1000000")
            cursor.execute("PRAGMA temp_store=MEMORY")
        else:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")


def _reset_sequences(models: Sequence[Any]) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _analyze(models: Sequence[Any]) -> None:
    """PostgreSQL's planner statistics for the bulk-loaded tables, as autovacuum would make
    them a minute later. Measured right after generation without them (M, PostgreSQL 15),
    the rollup query of the input step took 0.93 s against 0.15 s once the tables were
    analysed. SQLite is left as a deployment has it: nothing runs its ANALYZE."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _columns(model: Any, names: Sequence[str]) -> list[str]:
    return [model._meta.get_field(n).column for n in names]


def _write(model: Any, names: Sequence[str], rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert rows in one transaction: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection, transaction

    table = model._meta.db_table
    cols = _columns(model, names)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
            with cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in cols)
            quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
            raw = cursor.cursor
            source = iter(rows)
            while True:
                batch = list(_take(source, 200_000))
                if not batch:
                    break
                # The DB-API cursor directly: Django's wrapper adds nothing for bulk rows.
                raw.executemany(f"INSERT INTO {connection.ops.quote_name(table)} ({quoted}) VALUES ({marks})",  # noqa: S608 - model metadata only
                                batch)


def _take(rows: Iterator[tuple[Any, ...]], n: int) -> Iterator[tuple[Any, ...]]:
    for _ in range(n):
        try:
            yield next(rows)
        except StopIteration:
            return


class _Indexes:
    """Drop a table's secondary indexes for a bulk load and build them again after
    (SQLite only; PostgreSQL loads through COPY with its indexes in place)."""

    def __init__(self, model: Any) -> None:
        from django.db import connection

        self.table = model._meta.db_table
        self.sql: list[tuple[str, str]] = []
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("SELECT name, sql FROM sqlite_master WHERE type='index' "
                               "AND tbl_name=%s AND sql IS NOT NULL", [self.table])
                self.sql = list(cursor.fetchall())

    def __enter__(self) -> _Indexes:
        from django.db import connection

        with connection.cursor() as cursor:
            for name, _sql in self.sql:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return self

    def __exit__(self, *exc: object) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            for _name, sql in self.sql:
                cursor.execute(sql)


_SUBMISSION_FIELDS = ["id", "unit", "dataset_code", "period", "period_type", "version", "status",
                      "channel", "draft", "warnings", "due_at", "first_submitted_at",
                      "submitted_at", "submitted_by", "late", "reviewed_at", "reviewed_by",
                      "comment", "locked", "locked_reason", "warning_reason", "updated_at"]


def _insert_submissions(rows: list[tuple[Any, ...]], model: Any) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        rows = [(*r[:8], Jsonb({}), Jsonb({}), *r[10:]) for r in rows]
    with _Indexes(model):
        _write(model, _SUBMISSION_FIELDS, rows)


def _insert_values(v: _Chunk, periods: PeriodTable, stamps: _Stamps, model: Any,
                   say: Progress) -> int:
    """DataValue rows in (unit, element, period) order, so the unique index grows at its end."""
    from django.db import connection

    order = np.lexsort((periods.text_rank[v.period], v.element, v.unit))
    ops = connection.ops
    starts = [ops.adapt_datefield_value(p.start) for p in periods.periods]
    types = [p.type.value for p in periods.periods]
    is_int = np.equal(np.mod(v.number, 1), 0)
    total = len(order)
    step = 1_000_000

    def rows() -> Iterator[tuple[Any, ...]]:
        for lo in range(0, total, step):
            sel = order[lo:lo + step]
            units = v.unit[sel].tolist()
            elements = v.element[sel].tolist()
            pids = v.period[sel].tolist()
            numbers = v.number[sel]
            ints = is_int[sel]
            nums = np.where(ints, numbers, 0).astype(np.int64).tolist()
            floats = numbers.tolist()
            flags = ints.tolist()
            subs = v.submission[sel].tolist()
            stamp = v.stamp[sel].tolist()
            for k in range(len(units)):
                p = pids[k]
                yield (units[k], elements[k], periods.text[p], types[p], starts[p],
                       nums[k] if flags[k] else floats[k], "", subs[k], stamps.values[stamp[k]],
                       None)
            say(f"  数据值 {min(lo + step, total):,}/{total:,}")

    with _Indexes(model):
        _write(model, ["unit", "element", "period", "period_type", "period_start", "number",
                       "text", "submission", "updated_at", "updated_by"], rows())
    return total


def _insert_rollups(r: tuple[np.ndarray, ...], periods: PeriodTable, model: Any) -> int:
    unit, element, rp, total, count, maximum, last, last_period = r
    order = np.lexsort((periods.text_rank[rp], element, unit))

    def num(x: float) -> float | int:
        return int(x) if x == int(x) else round(x, 6)

    def rows() -> Iterator[tuple[Any, ...]]:
        for k in order.tolist():
            p = int(rp[k])
            yield (int(unit[k]), int(element[k]), periods.text[p], periods.periods[p].type.value,
                   num(float(total[k])), int(count[k]), num(float(maximum[k])),
                   num(float(last[k])), periods.text[int(last_period[k])])

    with _Indexes(model):
        _write(model, ["unit", "element", "period", "period_type", "total", "count", "maximum",
                       "last_value", "last_period"], rows())
    return len(order)


# -- command line -------------------------------------------------------------------------


def prepare_database(database_url: str, *, fresh: bool) -> None:
    """Configure Django for ``database_url`` and migrate it (a new file when ``fresh``)."""
    from benchmarks.environment import configure, sqlite_file

    target = sqlite_file(database_url)
    if fresh and target is not None:
        for suffix in ("", "-wal", "-shm"):
            path = target.with_name(target.name + suffix)
            if path.exists():
                path.unlink()
    configure(database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    # The login's rate limit counts in the cache, the database's by default (as `make run`).
    call_command("createcachetable", verbosity=0)


def main(argv: Sequence[str] | None = None) -> Generated:
    from benchmarks.environment import default_url

    parser = argparse.ArgumentParser(description="生成合成城市（基准测试用）")
    parser.add_argument("--size", choices=sorted(SIZES), default="S")
    parser.add_argument("--database-url", default=None,
                        help="默认 var/bench/city-<size>.sqlite3（每次重建）")
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args(argv)
    url = args.database_url or default_url(args.size)
    prepare_database(url, fresh=args.database_url is None)
    result = generate(args.size, seed=args.seed)
    print(f"完成：{result.units} 个单位，{result.submissions:,} 份上报，{result.values:,} 个数据值，"
          f"{result.rollups:,} 行汇总，用时 {result.total_seconds:.1f} 秒")
    return result


if __name__ == "__main__":
    main()
