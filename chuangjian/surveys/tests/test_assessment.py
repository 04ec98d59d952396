"""The survey results reach the county 无毒 standard's 知晓率 indicators in an assessment:
the street's value is the pooled rate of its places' approved responses."""

from __future__ import annotations

import datetime as dt

import pytest

from chuangjian.assessment import actions as assessment
from chuangjian.assessment.items import items_of
from chuangjian.assessment.models import UnitResult
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.surveys import actions
from chuangjian.surveys.testing import AWARE, UNAWARE, drug_survey, submit

pytestmark = pytest.mark.django_db


def test_the_county_standard_reads_awareness_from_approved_responses(world: World) -> None:
    system = Scope.system()
    standards_actions.load_standards(actor=None, scope=system,
                                     result=loader.load_builtin().raise_for_errors())
    survey = drug_survey(world)
    for group, sheets in (("urban", [AWARE] * 3 + [UNAWARE]), ("migrants", [AWARE, UNAWARE])):
        for sheet in sheets:
            row, _ = submit(survey, world, sheet, group=group)
            actions.review_response(actor=None, scope=system, response=row, state="approved")
    rejected, _ = submit(survey, world, AWARE)
    actions.review_response(actor=None, scope=system, response=rejected, state="rejected",
                            reason="不在本社区居住")
    run = assessment.start_run(actor=None, scope=system, standard_code="wudu_xian", year=2026,
                               today=dt.date(2027, 1, 5), unit=world.district)
    street = UnitResult.objects.get(run=run, unit=world.street)
    assert items_of(street)["awareness_residents"]["v"] == 75.0  # 3 of 4; the rejected one left out
    assert items_of(street)["awareness_migrants"]["v"] == 50.0
    assert items_of(street)["awareness_students"]["v"] is None  # nobody surveyed: no value
