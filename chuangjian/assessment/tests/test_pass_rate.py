"""考核总合格率: a parent's pass rate reads its children's own verdicts of the same run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from chuangjian.assessment import actions
from chuangjian.assessment.items import Items, items_of
from chuangjian.assessment.models import UnitResult
from chuangjian.assessment.spec import spec_for
from chuangjian.assessment.tests.conftest import SMALL, Small
from chuangjian.engine.targets import TargetStatus
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.standards.models import StandardVersion

TODAY = dt.date(2027, 1, 5)


@pytest.fixture
def passrate(world: World, tmp_path: Path) -> Small:
    text = (SMALL.read_text(encoding="utf-8")
            .replace("code: test_small", "code: test_passrate")
            .replace("share_of_children(done_rate)", "share_of_children(passed)"))
    path = tmp_path / "passrate.yaml"
    path.write_text(text, encoding="utf-8")
    result = loader.load_paths([path])
    assert result.ok, [str(e) for e in result.errors]
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    return Small(world, StandardVersion.objects.get(code="test_passrate"))


def _street(world: World) -> UnitResult:
    run = actions.start_run(actor=None, standard_code="test_passrate", year=2026, today=TODAY,
                            unit=world.district, scope=Scope.system())
    return UnitResult.objects.get(run=run, unit=world.street)


def _review(world: World, unit: Unit, score: int) -> None:
    actions.set_reviewer_score(actor=None, standard_code="test_passrate", year=2026, kind="考核",
                               unit=unit, indicator_code="rules_review", score=score,
                               comment="" if score == 30 else "记录不全", scope=Scope.system())


def test_towns_scoring_below_the_pass_mark_make_a_pass_rate_of_zero(passrate: Small) -> None:
    # The county's 考核总合格率 once read 100% for three towns scoring 48–53 against 80,
    # because a child counted as passing when it merely hit no failing criterion.
    w = passrate.world
    passrate.report(w.community, t_done=40, t_total=100, t_fires=0)
    passrate.report(w.community2, t_done=50, t_total=100, t_fires=0)
    street = _street(w)
    children = UnitResult.objects.filter(run=street.run, unit__in=[w.community, w.community2])
    assert all(not c.passed and not c.vetoed for c in children)
    assert items_of(street)["pass_share"]["v"] == 0
    assert items_of(street)["pass_share"]["s"] == TargetStatus.NOT_MET


def test_the_pass_rate_counts_score_and_veto_together(passrate: Small) -> None:
    w = passrate.world
    passrate.report(w.community, t_done=100, t_total=100)
    passrate.report(w.community2, t_done=100, t_total=100, t_fires=1)  # 一票否决
    _review(w, w.community, 30)
    _review(w, w.community2, 30)
    street = _street(w)
    results = {r.unit_id: r for r in UnitResult.objects.filter(run=street.run)}
    assert results[w.community.pk].passed
    assert results[w.community2.pk].vetoed and not results[w.community2.pk].passed
    assert items_of(street)["pass_share"]["v"] == 50  # 1 of 2 communities passes
    assert items_of(street)["pass_share"]["s"] == TargetStatus.MET  # 2026: ≥ 50


def test_scoring_unit_by_unit_gives_the_same_pass_rate(passrate: Small) -> None:
    from chuangjian.assessment.runner import compute_full

    w = passrate.world
    passrate.report(w.community, t_done=100, t_total=100)
    _review(w, w.community, 30)
    run = actions.start_run(actor=None, standard_code="test_passrate", year=2026, today=TODAY,
                            unit=w.district, scope=Scope.system())
    spec = spec_for(run.standard)
    fast = {s.unit_id: Items(s.items, spec) for s in compute_full(run).scores}
    slow = {s.unit_id: Items(s.items, spec) for s in compute_full(run, per_unit=True).scores}
    assert fast[w.street.pk]["pass_share"]["v"] == slow[w.street.pk]["pass_share"]["v"] == 50
