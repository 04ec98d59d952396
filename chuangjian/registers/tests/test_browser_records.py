"""Headless Chromium on the demo: the yearly 文明社区 and 健康社区 reports show the
register-backed figures read-only, each opening its rows; a clerk takes a BP reading from
a person's page in three taps on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from chuangjian.engine.periods import Period
from chuangjian.org.demo import build_demo
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.registers.demo_records import build_register_demo
from chuangjian.registers.models import BPReading, Person
from chuangjian.registers.sources import aged_35_plus
from chuangjian.reporting.datasets import catalog
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.web.testing import SHOTS, assert_local, login, record

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(built_once: Callable[..., Any]) -> None:
    built_once(__name__, _build_demo)


def _build_demo() -> None:
    build_demo()
    standards_actions.load_standards(actor=None, result=loader.load_builtin().raise_for_errors(),
                                     scope=Scope.system())
    build_register_demo()


def _yearly(code: str) -> str:
    unit = Unit.objects.get(code=code)
    year = timezone.localdate().year
    ds = next(d for d in catalog().for_unit(unit, year).values() if d.period_type == "year")
    return f"/reports/u/{code}/{ds.code}/{year}/"


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_the_yearly_reports_show_register_figures_read_only_and_open_their_rows(
        page, live_server, demo) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    requests, failures = record(page)
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, base, "xfl_worker")
    page.goto(base + _yearly("QY-01-A-01"))          # 幸福里社区 · 文明社区年报
    card = page.locator("#computed-figures")
    assert card.is_visible()
    assert "居民户总数" in card.inner_text() and "文化体育活动场所面积" in card.inner_text()
    assert page.locator("input[name=v_households_total]").count() == 0
    page.screenshot(path=str(SHOTS / "registers-wenming-annual-1366.png"), full_page=True)
    card.locator("li", has_text="居民户总数").locator("text=查看明细").click()
    page.wait_for_url("**/registers/rows/households_total/QY-01-A-01/**")
    assert page.locator(".rows-table tbody tr").count() > 10
    page.screenshot(path=str(SHOTS / "registers-rows-community-1366.png"), full_page=True)

    page.context.clear_cookies()
    login(page, base, "bs_leader")                    # 白石镇 · 健康社区年报 (town level)
    page.goto(base + _yearly("QY-03"))
    card = page.locator("#computed-figures")
    text = card.inner_text()
    assert "35岁以上居民数" in text and "年内测量过血压的35岁以上居民数" in text
    town = Unit.objects.get(code="QY-03")
    year = Period.year(timezone.localdate().year)
    measured = aged_35_plus(year).filter(unit__path__startswith=town.path,
                                         bp_readings__measured_on__year=year.start.year
                                         ).distinct().count()
    assert str(measured) in text
    page.screenshot(path=str(SHOTS / "registers-jiankang-annual-town-1366.png"), full_page=True)
    card.locator("li", has_text="年内测量过血压").locator("text=查看明细").click()
    page.wait_for_url("**/registers/rows/residents_35plus_bp_measured/QY-03/**")
    assert page.locator("#counts-only").is_visible()  # a town leader sees counts, not names
    assert "白石北管区" in page.inner_text("body")
    assert "白石派出所" not in page.inner_text("body")
    page.screenshot(path=str(SHOTS / "registers-rows-town-1366.png"), full_page=True)
    assert_local(requests)
    assert not [f for f in failures if f[0] >= 500]


def test_a_clerk_takes_a_bp_reading_in_three_taps_on_a_phone(page, live_server, demo) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    requests, failures = record(page)
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, base, "xfl_worker")
    person = (Person.objects.filter(unit__code="QY-01-A-01", moved_out_on__isnull=True)
              .order_by("pk").first())
    assert person is not None
    before = BPReading.objects.filter(person=person).count()
    page.goto(f"{base}/residents/person/{person.pk}/")
    _fits(page)
    page.screenshot(path=str(SHOTS / "registers-quick-entry-390.png"), full_page=True)
    page.fill("#q-systolic", "132")                   # tap 1 and type
    page.fill("#q-diastolic", "86")                   # tap 2 and type
    page.click("#quick-bp button[type=submit]")       # tap 3
    page.wait_for_load_state()
    assert "已登记血压测量" in page.inner_text("body")
    assert BPReading.objects.filter(person=person).count() == before + 1
    page.screenshot(path=str(SHOTS / "registers-quick-entry-saved-390.png"), full_page=True)
    page.goto(f"{base}/registers/bp/u/QY-01-A-01/")
    _fits(page)
    assert "132/86" in page.inner_text(".records-cards")
    page.screenshot(path=str(SHOTS / "registers-bp-list-390.png"), full_page=True)
    page.goto(f"{base}/registers/mediation/u/QY-01-A-01/new/")
    page.fill("#id_kind", "邻里纠纷")
    page.fill("#id_summary", "楼道堆物")
    page.fill("#id_parties", "张三、李四")
    page.fill("#id_received_on", "2026-11-01")
    page.select_option("#id_outcome", "succeeded")
    page.click("button[value=save]")
    page.wait_for_load_state()
    assert "请填写结案日期" in page.inner_text("body")
    _fits(page)
    page.screenshot(path=str(SHOTS / "registers-mediation-error-390.png"), full_page=True)
    assert_local(requests)
    assert not [f for f in failures if f[0] >= 500]
