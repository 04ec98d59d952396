"""The home page is each person's work list (我的待办): what I owe across the apps,
what waits for my decision, my units' red items on top, and what others decided lately —
each with its deadline and one link to act."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chuangjian.inspections.actions import rectification as orders
from chuangjian.inspections.actions.findings import create_finding
from chuangjian.inspections.tests.conftest import category, photo
from chuangjian.org.scope import Cap, Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions as reporting
from chuangjian.reporting.tests.conftest import STANDARDS_DIR, shanghai
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.web import inbox
from chuangjian.web.inbox import Item, Section
from chuangjian.web.views import home

NOW = shanghai(2026, 12, 2, 12)


@pytest.fixture
def standards(db: None) -> None:
    """The reporting tests' daily and monthly reports, and the built-in problem categories."""
    for result in (loader.load_paths([STANDARDS_DIR], builtin_elements=False),
                   loader.load_builtin()):
        standards_actions.load_standards(actor=None, result=result.raise_for_errors(),
                                         scope=Scope.system())


def _box(user):
    return inbox.collect(scope=Scope.for_user(user), user=user, now=NOW)


def _dispatched_order(world: World):
    finding, _created = create_finding(
        actor=world.inspector, scope=Scope.for_user(world.inspector), unit=world.community,
        description="小区北门人行道电动车乱停，占用盲道", severity="一般",
        category=category("disorderly_parking"), photos=[photo()], now=NOW - dt.timedelta(days=3))
    return orders.dispatch_order(actor=world.inspector, scope=Scope.for_user(world.inspector),
                                 order=finding.order, user=world.community_worker,
                                 now=NOW - dt.timedelta(days=3))


def test_a_worker_sees_every_overdue_report_and_the_order_to_rectify(world: World, standards) -> None:
    order = _dispatched_order(world)
    box = _box(world.community_worker)
    # Ten monthly reports are overdue, January to October: one line that says so and
    # opens the oldest, so a phone's list stays short and nothing old is hidden.
    monthly = next(i for i in box.owe if "月报" in i.title)
    assert (monthly.title, monthly.count, monthly.overdue) == ("社区/村月报：10 期逾期未报", 10, True)
    assert monthly.note == "2026年1月 至 2026年10月" and monthly.unit == "幸福里社区"
    assert monthly.url.endswith("/2026-01/") and monthly.action == "从最早一期补报"
    # The order dispatched three days ago (a one-day category) is overdue and asks to be taken on.
    mine = next(i for i in box.owe if i.url == reverse("inspections:order", args=[order.pk]))
    assert (mine.kind, mine.action, mine.overdue, mine.due) == ("整改", "接单", True, order.deadline)
    # Overdue first, then by deadline; the counters add up.
    flags = [i.overdue for i in box.owe]
    assert flags == sorted(flags, reverse=True)
    assert box.overdue == sum(i.count or 1 for i in box.owe if i.overdue) >= 11
    assert not box.decide and not box.red


def test_the_street_leader_decides_and_sees_the_red_line_of_the_units_below(
        world: World, standards) -> None:
    sub = reporting.submit_values(actor=world.community_worker, unit=world.community,
                                  dataset_code="community-day", period="2026-12-01",
                                  values={"t_patrols": 2, "t_found": 1, "t_fixed": 1,
                                          "t_note": "正常"},
                                  now=shanghai(2026, 12, 1, 15),
                                  scope=Scope.for_user(world.community_worker)).submission
    box = _box(world.street_leader)
    review = next(i for i in box.decide if i.unit == "幸福里社区")
    assert review.action == "审核" and review.url.endswith("/community-day/2026-12-01/")
    assert box.to_decide == len(box.decide)
    assert any("份日报未报" in i.title and i.url == reverse("reporting:missing") for i in box.red)
    # Once the street returns it, the worker finds the decision and the comment at home.
    reporting.review_submission(actor=world.street_leader, submission=sub, accept=False,
                                comment="巡查次数有误", scope=Scope.for_user(world.street_leader),
                                now=NOW - dt.timedelta(hours=1))
    worker = _box(world.community_worker)
    changed = next(i for i in worker.changed if i.url.endswith("/community-day/2026-12-01/"))
    assert "李卫东 退回：巡查次数有误" in changed.note
    owed = next(i for i in worker.owe if i.url.endswith("/community-day/2026-12-01/"))
    assert owed.action == "修改" and "巡查次数有误" in owed.note


def test_the_inspector_is_asked_to_dispatch_a_new_finding(world: World, standards) -> None:
    finding, _created = create_finding(
        actor=world.inspector, scope=Scope.for_user(world.inspector), unit=world.community,
        description="垃圾桶满溢", severity="一般", category=category("disorderly_parking"),
        photos=[photo()], now=NOW)
    box = _box(world.inspector)
    item = next(i for i in box.decide if i.url == reverse("inspections:order", args=[finding.order.pk]))
    assert (item.kind, item.action, item.unit) == ("整改", "派单", "幸福里社区")
    assert not box.owe


def test_another_app_adds_its_work_through_the_registry(world: World, standards, monkeypatch) -> None:
    """The extension point for the registers' tasks and the cases' follow-ups to come."""
    monkeypatch.setattr(inbox, "_providers", dict(inbox._providers))

    @inbox.provider("example-tasks")
    def tasks(*, scope, user, now):
        if scope.allows(world.community, Cap.ENTER_DATA):
            yield Item(Section.OWE, "任务", "核对辖区户籍人口", "/tasks/1/", "办理",
                       due=now - dt.timedelta(hours=1), overdue=True)

    box = _box(world.community_worker)
    assert any(i.title == "核对辖区户籍人口" for i in box.owe)
    assert not any(i.title == "核对辖区户籍人口" for i in _box(world.inspector).owe)
    with pytest.raises(ValueError):
        inbox.provider("example-tasks")(lambda **kw: [])


def test_the_home_page_lists_the_work_with_deadlines_and_no_raw_log(world: World, standards,
                                                                    monkeypatch) -> None:
    order = _dispatched_order(world)
    # The page reads the clock; pin it to the day the counts below are written for.
    monkeypatch.setattr(home.timezone, "now", lambda: NOW)
    html = world.client_for(world.community_worker).get(reverse("web:home")).content.decode()
    assert "需要我办的" in html and "社区/村月报：10 期逾期未报" in html
    assert reverse("inspections:order", args=[order.pk]) in html and "接单" in html
    assert "截止，已逾期" in html
    assert "最近操作" not in html and "channel" not in html


def test_the_same_report_owed_by_many_offices_is_one_line(world: World, standards) -> None:
    from chuangjian.org import actions as org
    from chuangjian.org.levels import Kind, Level

    for i in range(4):
        org.create_unit(actor=None, code=f"T-01-K{i}", name=f"城关街道科室{i}", level=Level.COMMUNITY,
                        parent=world.street, kind=Kind.DEPARTMENT, department_type="城管办",
                        scope=Scope.system())
    box = _box(world.street_leader)
    grouped = [i for i in box.owe if i.count and not i.overdue]
    assert grouped, [i.title for i in box.owe]
    line = grouped[0]
    assert line.unit.endswith("个单位待报") and line.count > 3
    assert line.url == reverse("reporting:inbox") and line.action == "逐个填报"
    assert "城关街道科室0" in line.note and line.note.endswith("等")
