"""Headless Chromium: a street leader opens a community's plan on a desktop (every target
with its person and progress, overdue in red, the timeline drawn); a community worker on a
phone opens 我的任务 and reports progress. Screenshots for people to look at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from chuangjian.org.demo import build_demo
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.standards import actions as standards_actions
from chuangjian.tasks import actions
from chuangjian.tasks.models import Plan, Task
from chuangjian.tasks.tests.conftest import _builtin
from chuangjian.web.testing import SHOTS, assert_local, login, record

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN",
           "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def plan(transactional_db: None) -> Plan:
    standards_actions.load_standards(actor=None, result=_builtin(), scope=Scope.system())
    build_demo()
    leader = User.objects.get(username="cg_leader")
    worker = User.objects.get(username="xfl_worker")
    unit = Unit.objects.get(code="QY-01-A-01")
    system = Scope.system()
    plan = actions.generate_plan(actor=leader, scope=system, unit=unit,
                                 standard_code="wenming_shequ", year=timezone.localdate().year)
    today = timezone.localdate()
    for i, item in enumerate(plan.items.order_by("order")[:6]):
        task = actions.create_task(actor=leader, scope=system, unit=unit, title=item.name[:40],
                                   start=today - dt.timedelta(days=40),
                                   deadline=today + dt.timedelta(days=(-5 if i % 3 == 0 else 20)),
                                   item=item, direct_responsible=worker, first_responsible=leader)
        if i % 3 == 1:
            actions.report_progress(actor=worker, scope=Scope.for_user(worker), task=task,
                                    progress=60, note="过半")
    return plan


def test_the_leader_sees_the_plan_and_the_worker_reports_from_a_phone(browser, live_server,
                                                                       plan: Plan) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    desk = browser.new_context(**DESKTOP).new_page()
    requests, failures = record(desk)
    login(desk, base, "cg_leader")
    desk.goto(f"{base}/tasks/plans/{plan.pk}/")
    assert desk.locator("h1").inner_text() == plan.title
    assert desk.locator("tr.overdue").count() == 2
    red = desk.locator("tr.overdue td").first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert red == "rgb(253, 236, 238)"
    desk.wait_for_selector("#plan-timeline canvas")
    desk.screenshot(path=str(SHOTS / "tasks-plan-desktop.png"), full_page=True)
    assert_local(requests)
    assert not failures, failures

    phone = browser.new_context(**PHONE).new_page()
    requests, failures = record(phone)
    login(phone, base, "xfl_worker")
    phone.goto(f"{base}/tasks/")
    assert phone.locator(".stat-danger .value").first.inner_text() == "2"
    phone.screenshot(path=str(SHOTS / "tasks-mine-phone.png"), full_page=True)
    task = Task.objects.filter(plan=plan).order_by("deadline").first()
    assert task is not None
    phone.goto(f"{base}/tasks/{task.pk}/")
    phone.fill("#id_progress", "45")
    phone.fill("#id_note", "已清理两栋楼道")
    phone.click("text=记录进展")
    phone.wait_for_selector(".alert-success")
    task.refresh_from_db()
    assert task.progress == 45
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SHOTS / "tasks-task-phone.png"), full_page=True)
    phone.goto(f"{base}/tasks/plans/{plan.pk}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(SHOTS / "tasks-plan-phone.png"), full_page=True)
    assert_local(requests)
    assert not failures, failures
