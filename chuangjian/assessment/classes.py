"""动态升降 (篇9): the yearly step that suggests each unit's class from the year's results.

篇2 sorts towns by the drug users registered at the end of a year (保无毒 / 创无毒), and
篇9 asks to "及时调整工作类别，实行动态升降". The step reads the figures each class rule
names for every unit the standard applies to, the same way an assessment reads them
(subtrees added up, sources asked), and stores a suggestion for the next year that a
person confirms (``standards.actions.confirm_unit_classes``).
"""

from __future__ import annotations

import numpy as np
from django.db import transaction

from chuangjian.assessment.compute import MAIN, UnitTree, full_inputs
from chuangjian.assessment.runner import assessed_units
from chuangjian.assessment.spec import spec_for
from chuangjian.engine.syntax import names_used, parse
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope, require
from chuangjian.standards import actions as standards_actions
from chuangjian.standards.actions import ClassDecision


def class_values(*, scope: Scope, standard_code: str, year: int, unit: Unit
                 ) -> dict[int, dict[str, float | None]]:
    """Unit id → the figures the class rules name, over ``year``, for every unit under
    ``unit`` that the standard applies to the year after."""
    require(scope, unit, Cap.VIEW)
    standard = standards_actions.class_standard(standard_code)
    spec = spec_for(standard)
    codes: set[str] = set()
    for definition in standard.unit_classes.all():
        codes |= names_used(parse(definition.rule))
    tree = UnitTree.load(unit)
    main = [(i, u) for i, u, sheet in assessed_units(spec, tree, year + 1) if sheet == MAIN
            and scope.allows(u, Cap.VIEW)]
    if not main:
        return {}
    inputs = full_inputs(spec, tree, np.array([i for i, _u in main], dtype=np.int64), year,
                         codes, 0)
    values: dict[int, dict[str, float | None]] = {}
    for k, (_i, u) in enumerate(main):
        row: dict[str, float | None] = {}
        for code in codes:
            v = inputs.value(code, 0)
            row[code] = None if v.missing[k] or np.isnan(v.value[k]) else float(v.value[k])
        values[u.pk] = row
    return values


@transaction.atomic
def propose_next_year_classes(*, actor: User | None, scope: Scope, standard_code: str,
                              year: int, unit: Unit) -> list[ClassDecision]:
    """Suggest every unit's class for ``year + 1`` from its ``year`` results."""
    require(scope, unit, Cap.MANAGE_UNITS)
    values = class_values(scope=scope, standard_code=standard_code, year=year, unit=unit)
    if not values:
        return []
    return standards_actions.propose_unit_classes(
        actor=actor, scope=scope, standard=standards_actions.class_standard(standard_code),
        period=str(year + 1), values=values, based_on=str(year))
