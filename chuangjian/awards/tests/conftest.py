"""A 健康家庭 round of 城关街道 with families of 幸福里社区 and 南门社区."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from chuangjian.awards import actions
from chuangjian.awards.models import Round
from chuangjian.engine.periods import SHANGHAI
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.registers.models import FamilyHonour, FamilyKind, Household, Person

NOW = dt.datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)


def family(unit: Any, surname: str, *, since: int = 2025, living: bool = True) -> Household:
    """A household of ``unit`` taking part in 健康家庭 since ``since``."""
    household = Household.objects.create(unit=unit, address=f"{surname}家路{unit.pk}号")
    Person.objects.create(unit=unit, household=household, name=f"{surname}建国",
                          moved_in_on=dt.date(2010, 1, 1),
                          moved_out_on=None if living else dt.date(2026, 3, 1))
    FamilyHonour.objects.create(household=household, kind=FamilyKind.HEALTHY, year=since)
    return household


@dataclass
class Setup:
    world: World
    round: Round
    families: list[Household]

    def scope(self, user: Any) -> Scope:
        return Scope.for_user(user)

    def nominate(self, household: Household, *, unit: Any = None, now: dt.datetime = NOW) -> Any:
        w = self.world
        return actions.nominate(scope=Scope.for_user(w.community_worker), actor=w.community_worker,
                                round=self.round, unit=unit or w.community, nominee=household,
                                name=f"{household.address}家庭", reasons="坚持健康生活方式，积极参加公益劳动",
                                now=now)


@pytest.fixture
def setup(world: World) -> Setup:
    r = actions.open_round(scope=Scope.for_user(world.street_leader), actor=world.street_leader,
                           scheme_code="jiankang_jiating", organiser=world.street, year=2026,
                           now=NOW - dt.timedelta(days=1))
    fams = [family(world.community, s) for s in ("王", "李", "赵", "钱")]
    return Setup(world, r, fams)
