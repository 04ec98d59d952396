"""Annual work plans: generated from the standard, the leadership group, the 条块 split,
and the 文明单位 decomposition indicator computed from them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangjian.engine.periods import Period
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.sources import source_for
from chuangjian.standards.models import Indicator
from chuangjian.tasks import actions
from chuangjian.tasks.models import GroupRole, Plan


def test_a_plan_has_one_target_per_indicator_of_the_standard(world: World, plan: Plan) -> None:
    indicators = Indicator.objects.filter(standard=plan.standard)
    assert plan.items.count() == indicators.count() > 10
    item = plan.items.get(indicator_code="tasks_assigned_rate")
    assert item.standard_target and item.carrying_unit == world.community
    assert plan.title == "幸福里社区2026年文明单位创建工作计划"


def test_the_same_plan_twice_is_refused(world: World, plan: Plan) -> None:
    with pytest.raises(ValidationError, match="已经存在"):
        actions.generate_plan(actor=None, scope=Scope.system(), unit=world.community,
                              standard_code="wenming_danwei", year=2026)


def test_a_standard_that_does_not_apply_to_the_unit_is_refused(world: World, standards: object
                                                               ) -> None:
    with pytest.raises(ValidationError, match="不适用于"):
        actions.generate_plan(actor=None, scope=Scope.system(), unit=world.street,
                              standard_code="wenming_danwei", year=2026)


def test_a_worker_of_another_street_may_not_plan_for_the_community(world: World,
                                                                   standards: object) -> None:
    with pytest.raises(PermissionDenied):
        actions.generate_plan(actor=world.outsider, scope=Scope.for_user(world.outsider),
                              unit=world.community, standard_code="wenming_danwei", year=2026)


def test_the_leadership_group_takes_people_of_the_unit_or_above(world: World, plan: Plan) -> None:
    scope = Scope.for_user(world.street_leader)
    actions.set_group_member(actor=world.street_leader, scope=scope, plan=plan,
                             user=world.street_leader, role=GroupRole.LEADER, duty="全面抓")
    actions.set_group_member(actor=world.street_leader, scope=scope, plan=plan,
                             user=world.community_worker, role=GroupRole.OFFICE)
    assert [m.get_role_display() for m in plan.group.order_by("id")] == ["组长", "办公室"]
    with pytest.raises(ValidationError, match="不是"):
        actions.set_group_member(actor=world.street_leader, scope=scope, plan=plan,
                                 user=world.outsider, role=GroupRole.MEMBER)


def test_an_items_own_target_counts_only_when_the_unit_chose_so(world: World, plan: Plan) -> None:
    scope = Scope.for_user(world.street_leader)
    item = plan.items.first()
    assert item is not None
    actions.set_item(actor=world.street_leader, scope=scope, item=item, own_target="绿化率38%",
                     guiding_unit=world.department)
    item.refresh_from_db()
    assert item.target_in_force == item.standard_target
    assert item.guiding_unit == world.department
    actions.set_item(actor=world.street_leader, scope=scope, item=item, own_target="绿化率38%",
                     score_own=True)
    item.refresh_from_db()
    assert item.target_in_force == "绿化率38%"
    with pytest.raises(ValidationError, match="请先填写本单位目标"):
        actions.set_item(actor=world.street_leader, scope=scope, item=item, score_own=True)
    with pytest.raises(ValidationError, match="职能部门"):
        actions.set_item(actor=world.street_leader, scope=scope, item=item,
                         guiding_unit=world.area)


def test_the_decomposition_indicator_counts_targets_with_a_responsible_person(
        world: World, plan: Plan) -> None:
    source = source_for("plan_tasks_assigned")
    assert source is not None and source is source_for("plan_tasks_total")
    year = Period.parse("2026")
    total = plan.items.count()
    assert source.values("plan_tasks_total", year, [world.community.pk]) == {
        world.community.pk: float(total)}
    assert source.values("plan_tasks_assigned", year, [world.community.pk]) == {
        world.community.pk: 0.0}
    scope = Scope.for_user(world.street_leader)
    for item in plan.items.all()[:3]:
        actions.create_task(actor=world.street_leader, scope=scope, unit=world.community,
                            title=item.name[:200], start=dt.date(2026, 3, 2),
                            deadline=dt.date(2026, 6, 30), item=item,
                            direct_responsible=world.community_worker)
    # A task without a 直接责任人 does not decompose its target.
    actions.create_task(actor=world.street_leader, scope=scope, unit=world.community,
                        title="无人负责", start=dt.date(2026, 3, 2), deadline=dt.date(2026, 6, 30),
                        item=plan.items.last())
    assert source.values("plan_tasks_assigned", year, [world.community.pk]) == {
        world.community.pk: 3.0}
    # Another year has no plan: no value rather than a zero.
    assert source.values("plan_tasks_total", Period.parse("2025"), [world.community.pk]) == {}
    assert len(source.records("plan_tasks_assigned", year, world.community.pk)) == 3
