"""The demo registers give every register-backed figure a value, some meeting targets."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from chuangjian.engine.periods import Period
from chuangjian.org.demo import build_demo
from chuangjian.org.levels import Level
from chuangjian.org.models import Unit
from chuangjian.registers.demo_records import build_register_demo, run
from chuangjian.registers.models import Facility
from chuangjian.registers.sources import ELEMENTS, element_values

TODAY = dt.date(2026, 11, 20)


@pytest.mark.django_db
def test_every_community_gets_every_register_and_some_miss_the_targets() -> None:
    build_demo()
    filled, rows = build_register_demo(today=TODAY)
    communities = list(Unit.objects.filter(level=Level.COMMUNITY, kind="area"))
    assert filled == len(communities) and rows > 1000
    ids = [c.pk for c in communities]
    year = Period.year(2026)
    for code in ELEMENTS:
        got = element_values(code, year, ids)
        assert all(v > 0 for v in got.values()) or code in ("city_level_healthy_families",
                                                              "healthy_families_awarded"), code
    mediated = element_values("disputes_mediated", year, ids)
    received = element_values("disputes_total", year, ids)
    rates = [mediated[i] / received[i] for i in ids]
    assert any(r >= 0.9 for r in rates) and any(r < 0.9 for r in rates)
    placed = element_values("laid_off_reemployed", year, ids).values()
    assert any(n >= 80 for n in placed) and any(n < 80 for n in placed)
    measured = element_values("residents_35plus_bp_measured", year, ids)
    aged = element_values("residents_35plus", year, ids)
    assert any(measured[i] / aged[i] >= 0.9 for i in ids)
    assert any(measured[i] / aged[i] < 0.8 for i in ids)


@pytest.mark.django_db
def test_running_the_demo_again_changes_nothing() -> None:
    build_demo()
    run(io.StringIO(), today=TODAY)
    before = Facility.objects.count()
    out = io.StringIO()
    run(out, today=TODAY)
    assert Facility.objects.count() == before and "为 0 个社区" in out.getvalue()
