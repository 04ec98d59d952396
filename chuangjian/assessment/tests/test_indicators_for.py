"""Which indicators apply to a unit: the same answer for every unit of a profile (kind,
level, category), computed once and shared."""

from __future__ import annotations

from chuangjian.assessment.compute import MAIN, indicators_for, sheet_of
from chuangjian.assessment.spec import IndicatorSpec, spec_for
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting.datasets import catalog
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.standards.selectors import unit_matches


def test_each_unit_gets_the_indicators_that_apply_to_it_one_list_per_profile(
        world: World) -> None:
    standards_actions.load_standards(actor=None, result=loader.load_builtin().raise_for_errors(),
                                     scope=Scope.system())
    units = list(Unit.objects.all())
    checked = shared = 0
    for version in catalog().in_force(2026):
        spec = spec_for(version)
        lists: dict[tuple[str, str, str, str], list[IndicatorSpec]] = {}
        for unit in units:
            sheet = sheet_of(spec, unit)
            if sheet is None:
                continue
            wanted = [i for i in spec.indicators
                      if (i.level is None or unit_matches([i.level], spec.categories, unit))
                      ] if sheet == MAIN else [i for i in spec.indicators if i.level == sheet]
            got = indicators_for(spec, unit, sheet)
            assert got == wanted, (version.code, unit.code)
            profile = (sheet, unit.kind, unit.level, unit.category)
            if profile in lists:
                assert got is lists[profile]
                shared += 1
            lists[profile] = got
            checked += 1
    assert checked > 20 and shared > 5
