"""A synthetic city for timing the assessment (not used by the product itself).

``build_city`` writes a district with ``streets`` streets of ``per_street``
communities and year rollups of every element a standard reads, straight into
the tables (bulk inserts), so a full run and an incremental refresh can be timed
at the scale of DESIGN.md (~3,000 communities). ``python -m benchmarks.run`` may
reuse it; ``time_city`` prints the figures.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from decimal import Decimal

from django.db import transaction

from chuangjian.assessment import actions
from chuangjian.assessment.runner import refresh_unit
from chuangjian.assessment.spec import spec_for
from chuangjian.org.levels import Level
from chuangjian.org.models import Unit
from chuangjian.org.models.units import path_segment
from chuangjian.org.scope import Scope
from chuangjian.reporting.models import Rollup


@transaction.atomic
def build_city(*, standard_code: str, year: int, streets: int = 150, per_street: int = 20,
               years_back: int = 2, seed: int = 1) -> Unit:
    rng = random.Random(seed)  # noqa: S311 - synthetic data
    version = actions.standard_version(standard_code, year)
    spec = spec_for(version)
    district = Unit(code=f"BENCH-{seed}", name="基准测试市", level=Level.DISTRICT, depth=1)
    district.save()
    district.path = path_segment(district.pk)
    district.save(update_fields=["path"])
    street_rows = [Unit(code=f"BENCH-{seed}-{s:03d}", name=f"第{s}街道", level=Level.STREET,
                        parent=district, depth=2) for s in range(streets)]
    Unit.objects.bulk_create(street_rows)
    for u in street_rows:
        u.path = district.path + path_segment(u.pk)
    Unit.objects.bulk_update(street_rows, ["path"])
    communities = [Unit(code=f"{st.code}-{c:03d}", name=f"{st.name}第{c}社区",
                        level=Level.COMMUNITY, parent=st, depth=3, category="城镇")
                   for st in street_rows for c in range(per_street)]
    Unit.objects.bulk_create(communities, batch_size=1000)
    by_id = {s.pk: s for s in street_rows}
    for u in communities:
        u.path = by_id[u.parent_id or 0].path + path_segment(u.pk)
    Unit.objects.bulk_update(communities, ["path"], batch_size=1000)
    rows = []
    for u in communities:
        for element in spec.elements.values():
            for back in range(years_back + 1):
                base = rng.uniform(50, 150)
                value = Decimal(str(round(base, 2)))
                count = 12 if element.period == "month" else 1
                rows.append(Rollup(unit=u, element=element, period=str(year - back),
                                   period_type="year", total=value * count, count=count,
                                   maximum=value, last_value=value, last_period=str(year - back)))
    Rollup.objects.bulk_create(rows, batch_size=5000)
    return district


def time_city(*, standard_code: str = "wenming_shequ", year: int = 2026, streets: int = 150,
              per_street: int = 20) -> dict[str, float]:
    started = time.perf_counter()
    district = build_city(standard_code=standard_code, year=year, streets=streets,
                          per_street=per_street)
    built = time.perf_counter() - started
    started = time.perf_counter()
    run = actions.start_run(actor=None, standard_code=standard_code, year=year, unit=district,
                            today=dt.date(year, 11, 30), scope=Scope.system())
    full = time.perf_counter() - started
    leaf = Unit.objects.filter(path__startswith=district.path, level=Level.COMMUNITY).last()
    assert leaf is not None  # noqa: S101 - just built
    spec = spec_for(run.standard)
    started = time.perf_counter()
    with transaction.atomic():
        refresh_unit(leaf, day=dt.date(year, 6, 1), element_codes=frozenset(list(spec.elements)[:3]))
    incremental = time.perf_counter() - started
    return {"units": float(run.units_assessed), "build_s": built, "full_s": full,
            "incremental_s": incremental}
