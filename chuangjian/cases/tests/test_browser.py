"""Headless Chromium at phone and desktop width: the 社工 works a case; the street's
leader sees counts only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from chuangjian.cases import demo as cases_demo
from chuangjian.cases.models import CaseAccess, Visit
from chuangjian.org.demo import build_demo
from chuangjian.org.scope import Scope
from chuangjian.registers.demo import ensure_residents
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.web.testing import SHOTS, assert_local, login, record

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(built_once: Callable[..., Any]) -> None:
    built_once(__name__, _build_demo)


def _build_demo() -> None:
    build_demo()
    standards_actions.load_standards(actor=None, scope=Scope.system(),
                                     result=loader.load_builtin().raise_for_errors())
    ensure_residents(scope=Scope.system(), low=20, high=30)
    cases_demo.run()


@pytest.mark.parametrize("width", [390, 1280])
def test_the_caseworker_records_a_visit_and_the_leader_sees_counts_only(
        page: Any, live_server: Any, demo: None, width: int) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": width, "height": 900})
    requests, failures = record(page)
    base = live_server.url
    login(page, base, "cg_caseworker")
    page.goto(f"{base}/cases/")
    page.screenshot(path=str(SHOTS / f"cases-index-{width}.png"), full_page=True)
    page.goto(f"{base}/cases/inbox/")
    assert page.locator("text=尿检提醒").count() == 1
    page.screenshot(path=str(SHOTS / f"cases-inbox-{width}.png"), full_page=True)
    page.locator(".list-group-item a.fw-semibold").first.click()
    page.wait_for_url(f"{base}/cases/*/")
    opened = CaseAccess.objects.filter(kind="open", user__username="cg_caseworker").count()
    assert opened >= 1
    before = Visit.objects.count()
    page.fill("#id_visit-place", "社区帮教室")
    page.fill("#id_visit-notes", "本周情绪平稳，已联系就业岗位")
    page.click("form[action$='/visit/'] button")
    page.wait_for_selector("text=谈心记录已保存")
    assert Visit.objects.count() == before + 1
    page.click("text=查看完整号码")
    page.wait_for_selector(".text-danger.font-monospace")
    page.screenshot(path=str(SHOTS / f"cases-detail-{width}.png"), full_page=True)
    assert CaseAccess.objects.filter(kind="reveal", user__username="cg_caseworker").count() >= 2
    page.goto(f"{base}/cases/exports/")
    page.fill("#export-reason", "区禁毒办季度核查")
    page.click("text=申请导出")
    page.wait_for_selector("text=待审批")
    page.screenshot(path=str(SHOTS / f"cases-export-{width}.png"), full_page=True)
    # The street's leader: numbers of the communities, no name.
    page.context.clear_cookies()
    login(page, base, "cg_leader")
    page.goto(f"{base}/cases/")
    body = page.inner_text("main") if page.locator("main").count() else page.content()
    assert "幸福里社区" in body and "我负责的在帮教对象" not in body
    page.screenshot(path=str(SHOTS / f"cases-leader-{width}.png"), full_page=True)
    assert not [f for f in failures if f[0] >= 500]
    assert_local(requests)
