"""The closed loop: 发现 → 立案 → 派单 → 接单 → 整改 → 复核 → 销号, and every way it can go
sideways: 退回 and 改派, 返工, extensions, escalation, recurrence, stale and illegal moves."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangjian.audit.models import AuditEntry
from chuangjian.inspections.actions import rectification as act
from chuangjian.inspections.actions.findings import create_finding
from chuangjian.inspections.models import Escalation, ExtensionRequest, RectificationOrder, State
from chuangjian.inspections.tests.conftest import category, photo, shanghai
from chuangjian.org import actions as org_actions
from chuangjian.org.models import Role
from chuangjian.org.scope import Scope

pytestmark = pytest.mark.django_db


def _finding(world, noon, **kw):
    finding, created = create_finding(
        actor=world.inspector, scope=Scope.for_user(world.inspector), unit=world.community,
        description="小区北门人行道电动车乱停，占用盲道", severity="一般",
        category=category("disorderly_parking"), photos=[photo()], now=noon, **kw)
    assert created
    return finding


def test_a_finding_runs_the_whole_loop_to_closure_with_a_different_reviewer(world, standards, noon):
    inspector = Scope.for_user(world.inspector)
    worker = Scope.for_user(world.community_worker)
    finding = _finding(world, noon)
    order = finding.order
    assert order.state == State.PENDING
    order = act.dispatch_order(actor=world.inspector, scope=inspector, order=order,
                               user=world.community_worker, now=noon)
    assert order.state == State.DISPATCHED
    # 乱停乱放 is a one-day category: due at 18:00 Shanghai the next day.
    assert order.deadline == shanghai(2026, 3, 17, 18)
    order = act.accept_order(actor=world.community_worker, scope=worker, order=order,
                             now=noon + dt.timedelta(hours=1))
    order = act.submit_rectification(actor=world.community_worker, scope=worker, order=order,
                                     note="已清理电动车，设置隔离桩", photos=[photo(color="green")],
                                     now=noon + dt.timedelta(hours=3))
    assert order.state == State.SUBMITTED
    order = act.verify_rectification(actor=world.inspector, scope=inspector, order=order,
                                     passed=True, now=noon + dt.timedelta(hours=5))
    assert order.state == State.CLOSED
    assert order.on_time is True
    actions = list(AuditEntry.objects.filter(object_type="inspections.rectificationorder",
                                             object_id=str(order.pk))
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["inspections.order.dispatched", "inspections.order.accepted",
                       "inspections.order.submitted", "inspections.order.closed"]


def test_the_rectifier_cannot_review_their_own_work(world, standards, noon):
    admin = Scope.for_user(world.district_admin)  # may both handle and supervise
    order = _finding(world, noon).order
    act.dispatch_order(actor=world.district_admin, scope=admin, order=order, now=noon)
    act.accept_order(actor=world.district_admin, scope=admin, order=order.__class__.objects.get(
        pk=order.pk), now=noon)
    order = RectificationOrder.objects.get(pk=order.pk)
    order = act.submit_rectification(actor=world.district_admin, scope=admin, order=order,
                                     note="已整改", photos=[photo(color="blue")], now=noon)
    with pytest.raises(ValidationError, match="整改人以外"):
        act.verify_rectification(actor=world.district_admin, scope=admin, order=order,
                                 passed=True, now=noon)
    assert RectificationOrder.objects.get(pk=order.pk).state == State.SUBMITTED


def test_a_wrong_unit_returns_the_order_and_it_is_dispatched_elsewhere(world, standards, noon):
    inspector = Scope.for_user(world.inspector)
    order = act.dispatch_order(actor=world.inspector, scope=inspector,
                               order=_finding(world, noon).order, now=noon)
    order = act.reject_order(actor=world.community_worker,
                             scope=Scope.for_user(world.community_worker), order=order,
                             reason="该路段由城管办负责", now=noon)
    assert order.state == State.REJECTED
    with pytest.raises(ValidationError, match="退回"):
        act.dispatch_order(actor=world.inspector, scope=inspector, order=order, now=noon)
    order = act.dispatch_order(actor=world.inspector, scope=inspector, order=order,
                               unit=world.department, now=noon)
    assert order.state == State.DISPATCHED
    assert order.assignee_unit == world.department
    assert order.returns == 1


def test_a_returned_rectification_is_redone_and_then_closed(world, standards, noon):
    inspector = Scope.for_user(world.inspector)
    worker = Scope.for_user(world.community_worker)
    order = act.dispatch_order(actor=world.inspector, scope=inspector,
                               order=_finding(world, noon).order, now=noon)
    order = act.accept_order(actor=world.community_worker, scope=worker, order=order, now=noon)
    order = act.submit_rectification(actor=world.community_worker, scope=worker, order=order,
                                     note="已清理", photos=[photo(color="green")], now=noon)
    with pytest.raises(ValidationError):
        act.verify_rectification(actor=world.inspector, scope=inspector, order=order,
                                 passed=False, note="", now=noon)
    order = act.verify_rectification(actor=world.inspector, scope=inspector, order=order,
                                     passed=False, note="盲道上仍有两辆电动车", now=noon)
    assert order.state == State.REWORK and order.reworks == 1
    order = act.submit_rectification(actor=world.community_worker, scope=worker, order=order,
                                     note="全部清理", photos=[photo(color="yellow")], now=noon)
    order = act.verify_rectification(actor=world.inspector, scope=inspector, order=order,
                                     passed=True, now=noon)
    assert order.state == State.CLOSED
    assert order.photo_links.filter(attempt=2).count() == 1


def test_an_illegal_transition_is_refused_listing_the_allowed_ones(world, standards, noon):
    order = _finding(world, noon).order
    with pytest.raises(ValidationError) as caught:
        act.accept_order(actor=world.community_worker,
                         scope=Scope.for_user(world.district_admin), order=order, now=noon)
    message = caught.value.messages[0]
    assert "待派单" in message and "不能「接单」" in message
    assert "派单" in message.split("现在可以进行的操作：")[1]
    assert RectificationOrder.objects.get(pk=order.pk).state == State.PENDING


def test_a_deadline_in_the_past_is_refused(world, standards, noon):
    order = _finding(world, noon).order
    with pytest.raises(ValidationError) as caught:
        act.dispatch_order(actor=world.inspector, scope=Scope.for_user(world.inspector),
                           order=order, deadline=noon - dt.timedelta(minutes=1), now=noon)
    assert "整改期限不能早于现在" in caught.value.message_dict["deadline"][0]
    assert RectificationOrder.objects.get(pk=order.pk).state == State.PENDING


def test_two_people_acting_on_one_order_at_once_lose_no_update(world, standards, noon):
    inspector = Scope.for_user(world.inspector)
    worker = Scope.for_user(world.community_worker)
    order = act.dispatch_order(actor=world.inspector, scope=inspector,
                               order=_finding(world, noon).order, now=noon)
    first = RectificationOrder.objects.get(pk=order.pk)
    second = RectificationOrder.objects.get(pk=order.pk)   # both opened the page
    act.accept_order(actor=world.community_worker, scope=worker, order=first, now=noon)
    with pytest.raises(ValidationError) as caught:
        act.reject_order(actor=world.community_worker, scope=worker, order=second,
                         reason="不归我们管", now=noon)
    assert "已被他人处理" in caught.value.messages[0]
    fresh = RectificationOrder.objects.get(pk=order.pk)
    assert fresh.state == State.ACCEPTED and fresh.returns == 0


def test_the_state_guard_holds_even_without_the_version_check(world, standards, noon):
    order = act.dispatch_order(actor=world.inspector, scope=Scope.for_user(world.inspector),
                               order=_finding(world, noon).order, now=noon)
    stale = RectificationOrder.objects.get(pk=order.pk)
    RectificationOrder.objects.filter(pk=order.pk).update(state=State.ACCEPTED)
    stale.reject()
    with pytest.raises(Exception, match=r"ConcurrentTransition|changed"):
        stale.save()


def test_only_the_responsible_unit_handles_and_outsiders_cannot_touch(world, standards, noon):
    order = act.dispatch_order(actor=world.inspector, scope=Scope.for_user(world.inspector),
                               order=_finding(world, noon).order, now=noon)
    for user in (world.outsider, world.readonly, world.inspector):
        with pytest.raises(PermissionDenied):
            act.accept_order(actor=user, scope=Scope.for_user(user), order=order, now=noon)
    with pytest.raises(PermissionDenied):
        act.dispatch_order(actor=world.outsider, scope=Scope.for_user(world.outsider),
                           order=order, now=noon)


def test_an_extension_needs_approval_and_moves_the_deadline(world, standards, noon):
    inspector = Scope.for_user(world.inspector)
    worker = Scope.for_user(world.community_worker)
    order = act.dispatch_order(actor=world.inspector, scope=inspector,
                               order=_finding(world, noon).order, now=noon)
    with pytest.raises(ValidationError):
        act.request_extension(actor=world.community_worker, scope=worker, order=order,
                              new_deadline=shanghai(2026, 3, 17, 17), reason="x",
                              now=noon)
    request = act.request_extension(actor=world.community_worker, scope=worker, order=order,
                                    new_deadline=shanghai(2026, 3, 20, 18), reason="需要协调物业",
                                    now=noon)
    with pytest.raises(PermissionDenied):
        act.decide_extension(actor=world.community_worker, scope=worker, request=request,
                             approve=True, now=noon)
    act.decide_extension(actor=world.inspector, scope=inspector, request=request, approve=True,
                         now=noon)
    order.refresh_from_db()
    assert order.deadline == shanghai(2026, 3, 20, 18)
    assert order.first_deadline == shanghai(2026, 3, 17, 18)
    assert ExtensionRequest.objects.get().status == "approved"


def test_overdue_orders_escalate_once_a_day_to_the_first_responsible_and_then_above(world,
                                                                                    standards,
                                                                                    noon):
    district_leader = org_actions.create_user(actor=None, username="dl", full_name="区领导",
                                              password=None, scope=Scope.system())
    org_actions.add_membership(actor=None, user=district_leader, unit=world.district,
                               role=Role.LEADER, scope=Scope.system())
    order = act.dispatch_order(actor=world.inspector, scope=Scope.for_user(world.inspector),
                               order=_finding(world, noon).order, now=noon)
    assert act.escalate_overdue(now=shanghai(2026, 3, 17, 17), scope=Scope.system()) == []   # not yet due
    day1 = act.escalate_overdue(now=shanghai(2026, 3, 17, 18, 30), scope=Scope.system())
    assert len(day1) == 1 and day1[0].level == 1
    assert set(day1[0].recipients.all()) == {world.street_leader}       # 第一责任人
    assert act.escalate_overdue(now=shanghai(2026, 3, 17, 22), scope=Scope.system()) == []    # idempotent per day
    act.escalate_overdue(now=shanghai(2026, 3, 18, 9), scope=Scope.system())
    day3 = act.escalate_overdue(now=shanghai(2026, 3, 19, 9), scope=Scope.system())
    assert day3[0].level == 2 and day3[0].overdue_days == 3
    assert set(day3[0].recipients.all()) == {world.street_leader, district_leader}
    assert Escalation.objects.filter(order=order).count() == 3
    # Closed orders stop escalating.
    worker = Scope.for_user(world.community_worker)
    order.refresh_from_db()
    order = act.accept_order(actor=world.community_worker, scope=worker, order=order,
                             now=shanghai(2026, 3, 19, 10))
    order = act.submit_rectification(actor=world.community_worker, scope=worker, order=order,
                                     note="好了", photos=[photo(color="white")],
                                     now=shanghai(2026, 3, 19, 11))
    order = act.verify_rectification(actor=world.inspector, scope=Scope.for_user(world.inspector),
                                     order=order, passed=True, now=shanghai(2026, 3, 19, 12))
    assert order.on_time is False
    assert act.escalate_overdue(now=shanghai(2026, 3, 20, 9), scope=Scope.system()) == []


def test_a_closed_order_reopens_when_the_problem_recurs(world, standards, noon):
    inspector = Scope.for_user(world.inspector)
    worker = Scope.for_user(world.community_worker)
    order = act.dispatch_order(actor=world.inspector, scope=inspector,
                               order=_finding(world, noon).order, now=noon)
    order = act.accept_order(actor=world.community_worker, scope=worker, order=order, now=noon)
    order = act.submit_rectification(actor=world.community_worker, scope=worker, order=order,
                                     note="好了", photos=[photo(color="green")], now=noon)
    order = act.verify_rectification(actor=world.inspector, scope=inspector, order=order,
                                     passed=True, now=noon)
    later = noon + dt.timedelta(days=10)
    act.reopen_order(actor=world.inspector, scope=inspector, order=order, note="电动车又停满了",
                     photos=[photo(color="purple")], now=later)
    order.refresh_from_db()
    assert order.state == State.DISPATCHED and order.reopenings == 1
    assert order.closed_at is None and order.deadline > later
