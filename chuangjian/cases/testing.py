"""A case world on top of the org ``world``: two residents with cases in 幸福里社区, the
people each case names, and the personas that must see counts only."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from chuangjian.cases import actions
from chuangjian.cases.models import Case, CaseKind, TeamRole
from chuangjian.lib.personal import id_hash
from chuangjian.org import actions as org_actions
from chuangjian.org.models import Role, Unit, User
from chuangjian.org.scope import Scope
from chuangjian.org.testing import PASSWORD, World
from chuangjian.registers.models import Person

TODAY = dt.date(2026, 6, 15)
ID_A = "110101198001010037"
PHONE_A = "13800001234"
NOTE = "谈到母亲住院，情绪低落，约定下周再谈"


def make_person(world: World, name: str, number: str, unit: Unit | None = None) -> Person:
    return Person.objects.create(unit=unit or world.community, name=name, id_number=number,
                                 id_number_hash=id_hash(number), phone=PHONE_A)


@dataclass
class CaseWorld:
    world: World
    person: Person
    case: Case
    leader: User          # 包帮领导, a leader of 幸福里社区 named on the case
    team_user: User       # 社区民警 in the 五位一体 team
    neighbour: User       # a worker of 南门社区
    supervisor: User      # 帮教督导 of 城关街道
    other_caseworker: User  # 社工 of 东湖街道

    def client_for(self, user: User) -> Client:
        return self.world.client_for(user)


def _user(username: str, name: str, unit: Unit, role: str) -> User:
    return org_actions.create_user_with_membership(
        actor=None, scope=Scope.system(), username=username, full_name=name,
        password=PASSWORD, unit=unit, role=role)


def build_case_world(world: World) -> CaseWorld:
    leader = _user("baobang", "王包帮", world.community, Role.LEADER)
    team_user = _user("minjing", "赵民警", world.community, Role.WORKER)
    neighbour = _user("nanmen", "钱南门", world.community2, Role.WORKER)
    supervisor = _user("dudao", "孙督导", world.street, Role.CASE_SUPERVISOR)
    other_cw = _user("donghu_sg", "周东湖", world.other_street, Role.CASEWORKER)
    person = make_person(world, "陈帮教", ID_A)
    case = actions.open_case(
        actor=world.caseworker, scope=Scope.for_user(world.caseworker), person=person,
        unit=world.community, kind=CaseKind.DETOX, order_start=dt.date(2026, 1, 10),
        order_end=dt.date(2028, 1, 9), caseworker=world.caseworker, leader=leader,
        team=[actions.MemberIn(role=TeamRole.POLICE, user=team_user),
              actions.MemberIn(role=TeamRole.FAMILY, name="陈母")],
        today=TODAY)
    actions.record_visit(actor=world.caseworker, scope=Scope.for_user(world.caseworker),
                         case=case, date=dt.date(2026, 2, 1), place="幸福里社区活动室",
                         notes=NOTE, today=TODAY)
    return CaseWorld(world=world, person=person, case=case, leader=leader,
                     team_user=team_user, neighbour=neighbour, supervisor=supervisor,
                     other_caseworker=other_cw)


@pytest.fixture
def cases(world: World) -> CaseWorld:
    return build_case_world(world)
