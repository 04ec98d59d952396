"""Computing the register-backed data elements for a city (一数一源 at scale).

    python -m benchmarks.registers [--size M] [--residents 600] [--keep]

Builds the synthetic city's tree (``benchmarks.generate`` shapes) in its own throwaway
database (``var/bench/registers-<size>.sqlite3``), fills every community's registers —
residents and households, BP readings, volunteers and service records, family honours,
mediation cases, placements, facilities — with ``bulk_create``, then times what the
assessment and the report forms do with them:

- every register element for the year, for every unit of the city (one grouped query
  per element, as the assessment asks the source);
- the figures a yearly report form shows read-only, for the district (its whole
  subtree) and for one street;
- the rows page's breakdown by child unit at the district.

ID and phone numbers are left empty: their encryption is the import's cost (measured by
``chuangjian registers import``), not the computation's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from benchmarks.environment import BENCH_DIR


def _timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), result


def fill(residents: int, seed: int, year: int) -> dict[str, int]:
    from chuangjian.org.levels import Level
    from chuangjian.org.models import Unit
    from chuangjian.registers.models import (
        BPReading,
        Facility,
        FacilityKind,
        FamilyHonour,
        FamilyKind,
        HonourLevel,
        Household,
        MediationCase,
        MediationOutcome,
        Person,
        Placement,
        ServiceRecord,
        Volunteer,
    )

    rng = random.Random(seed)
    counts: dict[str, int] = {}

    def add(model: Any, rows: list[Any]) -> list[Any]:
        made = model.objects.bulk_create(rows, batch_size=2000)
        counts[model.__name__] = counts.get(model.__name__, 0) + len(made)
        return made

    for unit in Unit.objects.filter(level=Level.COMMUNITY, kind="area").order_by("pk"):
        homes = add(Household, [Household(unit=unit, address=f"{unit.code}-{i}",
                                          building=f"{i // 20}幢")
                                for i in range(residents // 3)])
        people = add(Person, [
            Person(unit=unit, household=homes[i % len(homes)], name=f"居民{i}",
                   birth_date=dt.date(year - rng.randint(1, 90), rng.randint(1, 12), 1),
                   moved_out_on=dt.date(year, 6, 1) if rng.random() < 0.03 else None)
            for i in range(residents)])
        day = lambda: dt.date(year, rng.randint(1, 12), rng.randint(1, 28))  # noqa: E731
        add(BPReading, [BPReading(person=p, measured_on=day(), systolic=rng.randint(100, 170),
                                  diastolic=rng.randint(60, 95))
                        for p in people if rng.random() < 0.6])
        volunteers = add(Volunteer, [Volunteer(unit=unit, person=p,
                                               registered_on=dt.date(year - 1, 3, 1))
                                     for p in rng.sample(people, residents // 12)])
        add(ServiceRecord, [ServiceRecord(volunteer=v, date=day(), place="社区",
                                          hours=Decimal(rng.choice(["1", "2", "3.5"])))
                            for v in volunteers for _ in range(4)])
        add(FamilyHonour, [FamilyHonour(household=h, kind=FamilyKind.HEALTHY, year=year,
                                        awarded=rng.random() < 0.15,
                                        level=HonourLevel.STREET)
                           for h in rng.sample(homes, len(homes) // 6)])
        add(MediationCase, [MediationCase(unit=unit, kind="邻里纠纷", summary="x",
                                          received_on=day(),
                                          outcome=rng.choice(list(MediationOutcome.values)))
                            for _ in range(rng.randint(6, 14))])
        add(Placement, [Placement(unit=unit, person=p, employer="某单位", placed_on=day())
                        for p in rng.sample(people, residents // 10)])
        add(Facility, [Facility(unit=unit, kind=kind, name=f"{kind}{i}",
                                quantity=rng.randint(0, 3), working=rng.random() < 0.95,
                                area_m2=Decimal(rng.randint(100, 900)))
                       for kind in FacilityKind.values for i in range(8)])
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["T", "S", "M", "L"], default="M")
    parser.add_argument("--residents", type=int, default=600, help="每个社区的居民数")
    parser.add_argument("--keep", action="store_true", help="沿用已生成的数据库，只计时")
    args = parser.parse_args()

    import numpy as np

    from benchmarks.generate import SIZES, build_tree, prepare_database

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{BENCH_DIR / f'registers-{args.size}.sqlite3'}"
    prepare_database(url, fresh=not args.keep)
    from django.db import transaction

    from chuangjian.engine.periods import Period
    from chuangjian.org.models import Unit, UnitVersion
    from chuangjian.org.scope import Scope
    from chuangjian.registers import sources as feed
    from chuangjian.registers.selectors import element_breakdown

    year = 2026
    if not args.keep:
        started = time.perf_counter()
        tree = build_tree(SIZES[args.size], 1, np.random.default_rng(7))
        with transaction.atomic():
            Unit.objects.bulk_create(tree.units, batch_size=2000)
            UnitVersion.objects.bulk_create(tree.versions, batch_size=2000)
            counts = fill(args.residents, 11, year)
        rows = sum(counts.values())
        print(f"生成：{len(tree.units):,} 个单位，名册 {rows:,} 行 "
              f"（{', '.join(f'{k} {v:,}' for k, v in counts.items())}），"
              f"{time.perf_counter() - started:.1f} s")
    ids = list(Unit.objects.values_list("pk", flat=True))
    period = Period.year(year)

    def every_element() -> dict[str, dict[int, float]]:
        return {code: feed.element_values(code, period, ids) for code in feed.ELEMENTS}

    took, values = _timed(every_element)
    print(f"{len(feed.ELEMENTS)} 个名册数据元素 × {len(ids):,} 个单位（逐个元素）：{took:.2f} s")
    # What the assessment and the report forms ask: every element at once, one query per
    # register (``values_of``); the same figures.
    took, together = _timed(lambda: feed.elements_values(list(feed.ELEMENTS), period, ids))
    assert together == values, "一次读取与逐个元素读取的结果不同"
    print(f"{len(feed.ELEMENTS)} 个名册数据元素 × {len(ids):,} 个单位（考核读取，每个名册一次）："
          f"{took:.2f} s")
    root = Unit.objects.get(parent__isnull=True)
    street = Unit.objects.filter(parent=root).order_by("pk").first()
    for label, unit in (("区", root), ("街道", street)):
        subtree = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))  # type: ignore[union-attr]

        def form_figures(s: list[int] = subtree) -> dict[str, float]:
            return {c: sum(feed.element_values(c, period, s).values()) for c in feed.ELEMENTS}

        took, _ = _timed(form_figures)
        print(f"年报只读数字（{label}，{len(subtree):,} 个单位）：{took:.2f} s")
    took, b = _timed(lambda: element_breakdown(scope=Scope.system(), unit=root,
                                                code="residents_35plus_bp_measured",
                                                period=period))
    print(f"明细页按下级单位分解（区，血压覆盖）：{took:.3f} s，合计 {b.total:,.0f}")
    total_35 = sum(values["residents_35plus"].values())
    measured = sum(values["residents_35plus_bp_measured"].values())
    print(f"核对：35岁以上 {total_35:,.0f} 人，年内测过血压 {measured:,.0f} 人 "
          f"（{100 * measured / max(total_35, 1):.1f}%）")


if __name__ == "__main__":
    main()
