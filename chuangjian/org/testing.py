"""The test world: a small tree and named personas, built through the real actions.

Every permission test includes ``outsider`` — a community worker of *another*
street — who must never see or change anything of ``street``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.test import Client

from chuangjian.org import actions
from chuangjian.org.levels import Kind, Level
from chuangjian.org.models import Role, Unit, User
from chuangjian.org.scope import Scope

PASSWORD = "Test@2026pass"  # noqa: S105 - a test fixture, not a secret


@dataclass
class World:
    district: Unit
    street: Unit          # 城关街道
    area: Unit            # 城东管区
    community: Unit       # 幸福里社区
    community2: Unit      # 南门社区
    department: Unit      # 城关街道城管办
    other_street: Unit    # 东湖街道
    other_community: Unit  # 湖滨社区
    rural_town: Unit      # 白石镇
    village: Unit         # 上林村
    superuser: User
    district_admin: User
    street_leader: User
    community_worker: User
    outsider: User         # community worker of 东湖街道
    inspector: User
    caseworker: User
    readonly: User
    auditor: User          # 审计管理员 of the district: reads the audit log, changes nothing
    security_admin: User   # 安全管理员 of the district: unlocks accounts

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def build_world() -> World:
    on = dt.date(2020, 1, 1)

    def unit(code: str, name: str, level: str, parent: Unit | None, category: str = "城镇",
             **kw: str) -> Unit:
        return actions.create_unit(actor=None, scope=Scope.system(), code=code, name=name, level=level, parent=parent,
                                   category=category, opened_on=on, **kw)

    district = unit("T", "清源区", Level.DISTRICT, None)
    street = unit("T-01", "城关街道", Level.STREET, district)
    area = unit("T-01-A", "城东管区", Level.AREA, street)
    community = unit("T-01-A-01", "幸福里社区", Level.COMMUNITY, area)
    community2 = unit("T-01-A-02", "南门社区", Level.COMMUNITY, area)
    department = unit("T-01-D1", "城关街道城管办", Level.AREA, street, kind=Kind.DEPARTMENT,
                      department_type="城管办")
    other_street = unit("T-02", "东湖街道", Level.STREET, district)
    other_area = unit("T-02-A", "东湖第一管区", Level.AREA, other_street)
    other_community = unit("T-02-A-01", "湖滨社区", Level.COMMUNITY, other_area)
    rural_town = unit("T-03", "白石镇", Level.STREET, district, category="农村")
    rural_area = unit("T-03-A", "白石北管区", Level.AREA, rural_town, category="农村")
    village = unit("T-03-A-01", "上林村", Level.COMMUNITY, rural_area, category="农村")

    def person(username: str, name: str, at: Unit | None, role: str | None,
               superuser: bool = False) -> User:
        user = actions.create_user(actor=None, scope=Scope.system(), username=username, full_name=name,
                                   password=PASSWORD, is_superuser=superuser)
        if at is not None and role is not None:
            actions.add_membership(actor=None, scope=Scope.system(), user=user, unit=at,
                                   role=role)
        return user

    return World(
        district=district, street=street, area=area, community=community,
        community2=community2, department=department, other_street=other_street,
        other_community=other_community, rural_town=rural_town, village=village,
        superuser=person("root", "超级管理员", None, None, superuser=True),
        district_admin=person("district_admin", "周建国", district, Role.ADMIN),
        street_leader=person("street_leader", "李卫东", street, Role.LEADER),
        community_worker=person("community_worker", "张小燕", community, Role.WORKER),
        outsider=person("outsider", "曹丽娟", other_community, Role.WORKER),
        inspector=person("inspector", "郑凯", street, Role.INSPECTOR),
        caseworker=person("caseworker", "何静", street, Role.CASEWORKER),
        readonly=person("readonly", "孙丽", district, Role.READONLY),
        auditor=person("auditor", "温审计", district, Role.AUDITOR),
        security_admin=person("security_admin", "安保华", district, Role.SECURITY),
    )


@pytest.fixture
def world(db: None) -> World:
    return build_world()
