"""Headless Chromium through the reporting pages: a community clerk fills today's daily
report, the street accepts it, and the 16:00 missing list; screenshots for people to
look at (var/screenshots/reporting-*.png). Every request stays on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangjian.org.demo import build_demo
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.reporting import actions
from chuangjian.reporting.demo import build_reporting_demo
from chuangjian.reporting.models import Status, Submission
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.web.testing import SHOTS, assert_local, login, record

from .conftest import STANDARDS_DIR

pytestmark = pytest.mark.browser

HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def demo(built_once: Callable[..., Any]) -> dt.date:
    return built_once(__name__, _build_demo)


def _build_demo() -> dt.date:
    """The demo district with the reporting tests' standards (a 16:00 daily report for
    communities that does not lock, so the test passes at any hour), its reports up to
    yesterday, and two communities that have already sent today's."""
    build_demo()
    result = loader.load_paths([STANDARDS_DIR], builtin_elements=False).raise_for_errors()
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    today = timezone.localdate()
    build_reporting_demo(today=today - dt.timedelta(days=1), days=3, months=1)
    for code in ("QY-01-A-02", "QY-01-B-01"):
        actions.submit_values(actor=None, unit=Unit.objects.get(code=code),
                              dataset_code="community-day", period=today.isoformat(),
                              values={"t_patrols": 2, "t_found": 1, "t_fixed": 1,
                                      "t_note": "已完成当日巡查"}, scope=Scope.system())
    return today


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"reporting-{name}.png", full_page=True)


def test_a_clerk_reports_today_and_the_street_accepts_it(page, live_server, demo) -> None:
    requests, failures = record(page)
    base, today = live_server.url, demo.isoformat()
    form = f"/reports/u/QY-01-A-01/community-day/{today}/"

    login(page, base, "xfl_worker")
    page.click(".app-sidebar >> text=数据上报")
    page.wait_for_url(f"{base}/reports/")
    row = page.locator("tr", has=page.locator(f'a[href="{form}"]'))
    assert "幸福里社区" in row.inner_text()
    assert row.locator(".state").inner_text() in ("待报", "逾期未报")
    shot(page, "inbox")

    row.locator(f'a[href="{form}"]').click()
    page.wait_for_url(f"{base}{form}")
    assert page.locator("h1").inner_text() == "幸福里社区 · 社区/村日报"
    # Inline check as the clerk types: the error appears beside the field, in Chinese.
    page.fill("#v_t_patrols", "三")
    page.press("#v_t_patrols", "Tab")
    page.wait_for_selector("#fb-t_patrols.errorlist")
    assert page.locator("#fb-t_patrols").inner_text().strip() == "「三」不是数字"
    page.fill("#v_t_found", "3")
    page.fill("#v_t_fixed", "5")
    page.press("#v_t_fixed", "Tab")
    page.wait_for_selector("#fb-t_fixed.errorlist")
    assert "整改问题数不能多于发现问题数" in page.locator("#fb-t_fixed").inner_text()
    shot(page, "form-inline-errors")

    page.fill("#v_t_patrols", "4")
    page.press("#v_t_patrols", "Tab")
    page.wait_for_selector("#fb-t_patrols.field-ok")
    page.fill("#v_t_fixed", "2")
    page.press("#v_t_fixed", "Tab")
    page.wait_for_selector("#fb-t_fixed.field-ok")
    page.click("button[name=action][value=draft]")
    page.wait_for_selector(".alert-success >> text=已暂存")
    assert page.locator("#v_t_patrols").input_value() == "4"
    assert page.locator(".status-strip .state").first.inner_text() == "草稿"
    sub = Submission.objects.get(unit__code="QY-01-A-01", period=today)
    assert sub.status == Status.DRAFT and sub.draft["t_fixed"] == "2"

    page.fill("#v_t_note", "巡查背街小巷，整改乱堆放 2 处")
    page.press("#v_t_note", "Tab")
    page.wait_for_selector("#fb-t_note.field-ok")  # no check still on its way when 上报 goes
    page.click("button[name=action][value=submit]")
    page.wait_for_selector(".alert-success >> text=已上报（第 1 版）")
    assert page.locator(".status-strip").inner_text().startswith("已上报")
    shot(page, "form-submitted")
    sub.refresh_from_db()
    assert (sub.status, sub.version, sub.channel) == (Status.SUBMITTED, 1, "web")

    # The clerk's other tabs: spreadsheets and 信息报送 (no 审核 tab: clerks do not review).
    page.click(".breadcrumb >> text=数据上报")
    expect(page.locator(".report-tabs a")).to_have_text(["我的待办", "未报名单", "表格导入导出", "信息报送"])
    page.click(".report-tabs >> text=表格导入导出")
    page.wait_for_url(f"{base}/reports/xlsx/")
    shot(page, "xlsx")
    page.click(".report-tabs >> text=信息报送")
    page.wait_for_url(f"{base}/reports/news/")
    shot(page, "news")

    # The street leader reviews it.
    page.context.clear_cookies()
    login(page, base, "cg_leader")
    page.goto(f"{base}/reports/review/")
    review_row = page.locator("tr", has=page.locator(f'a[href="{form}"]'))
    assert "幸福里社区" in review_row.inner_text()
    shot(page, "review-list")
    # On a keyboard: j / k move the current row, x ticks a clean one, o opens it.
    rows = page.locator("[data-keyboard-list] tbody tr")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert "kb-current" in (rows.nth(0).get_attribute("class") or "")
    assert "kb-current" not in (rows.nth(1).get_attribute("class") or "")
    clean = rows.nth(0).locator("input[name=pk]")
    if clean.count():
        page.keyboard.press("x")
        assert clean.is_checked()
        page.keyboard.press("x")
    first = rows.nth(0).locator("a[data-open]").get_attribute("href")
    page.keyboard.press("o")
    page.wait_for_url(f"{base}{first}")
    page.goto(f"{base}/reports/review/")
    review_row.locator(f'a[href="{form}"]').click()
    page.wait_for_url(f"{base}{form}")
    assert page.locator("#v_t_patrols").input_value() == "4"
    shot(page, "review-form")
    page.uncheck("input[type=checkbox][name=next]")   # stay on this report to see its lock
    page.click("button[name=decision][value=accept]")
    page.wait_for_selector(".alert-success >> text=已审核通过，数据已锁定")
    assert "李卫东 审核通过" in page.locator(".lock-reason").inner_text()
    assert page.locator("#v_t_patrols").is_disabled()
    shot(page, "accepted")
    sub.refresh_from_db()
    assert sub.status == Status.ACCEPTED and sub.locked

    # The 16:00 list: who in the street still has not sent today's report.
    page.click(".breadcrumb >> text=数据上报")
    page.click(".report-tabs >> text=未报名单")
    page.wait_for_url(f"{base}/reports/missing/")
    missing = page.locator("main").inner_text()
    assert "幸福里社区" not in missing and "南门社区" not in missing
    assert "文昌社区" in missing and "城东管区" in missing
    shot(page, "missing")
    page.check("#all")
    page.click(".filter-bar button")
    page.wait_for_url(re.compile(r".*all=1.*"))
    assert page.locator("tr", has_text="幸福里社区").locator(".state").inner_text() in ("按时", "迟报")
    shot(page, "missing-all")

    assert_local(requests)
    assert not failures, failures


def test_the_reporting_pages_in_english(page, live_server, demo) -> None:
    requests, failures = record(page)
    base, today = live_server.url, demo.isoformat()
    login(page, base, "cd_leader")
    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("text=My roles")
    page.goto(f"{base}/reports/")
    assert page.locator("h1").inner_text() == "Data reporting"
    # Labels the code writes are English; unit names stay as the data has them.
    for selector in ["h1", ".subtitle", ".report-tabs", ".stat .label", "thead", ".state"]:
        for text in page.locator(selector).all_inner_texts():
            assert not HAN.search(text), (selector, text)
    shot(page, "inbox-en")
    page.goto(f"{base}/reports/u/QY-01-A-01/community-day/{today}/")
    page.fill("#v_t_patrols", "-1")
    page.press("#v_t_patrols", "Tab")
    page.wait_for_selector("#fb-t_patrols.errorlist")
    assert page.locator("#fb-t_patrols").inner_text().strip() == "-1 cannot be negative"
    # Element names and their units of measure (次, 个) come from the standard: data.
    for selector in [".subtitle", ".status-strip", "thead", ".card-header", ".card-footer",
                     ".form-label"]:
        for text in page.locator(selector).all_inner_texts():
            assert not HAN.search(text), (selector, text)
    shot(page, "form-en")
    page.goto(f"{base}/reports/missing/")
    assert page.locator("h1").inner_text() == "Missing reports"
    shot(page, "missing-en")
    assert_local(requests)
    assert not failures, failures


def test_the_daily_form_fits_a_phone(browser, live_server, demo) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    requests, failures = record(page)
    login(page, live_server.url, "xfl_worker")
    page.goto(f"{live_server.url}/reports/u/QY-01-A-01/community-day/{demo.isoformat()}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "form-phone")
    assert_local(requests)
    assert not failures, failures
    context.close()


@pytest.mark.parametrize("username,path", [
    ("xfl_worker", "/reports/"),
    ("cg_leader", "/reports/"),
    ("cg_leader", "/reports/review/"),
])
def test_the_reporting_lists_fit_a_phone(browser, live_server, demo, username, path) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    requests, _failures = record(page)
    login(page, live_server.url, username)
    page.goto(live_server.url + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    shot(page, f"phone-{username}-{path.strip('/').replace('/', '-')}")
    wide = page.evaluate("""[...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > 391)
        .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
    assert width <= 390, (width, wide)
    # Every row's action button is on the screen, not scrolled off to the right.
    for box in page.locator("main .btn-primary, main .btn-outline-secondary").all()[:10]:
        rect = box.bounding_box()
        if rect is not None:
            assert rect["x"] + rect["width"] <= 390, rect
    # A report overdue or sent back is marked by its card's left edge, not by a bar drawn
    # over the label of its first line.
    marked = page.locator(".table-cards tr.due-overdue, .table-cards tr.due-returned")
    if username == "xfl_worker":
        assert marked.count() >= 1  # the demo sends one of 幸福里社区's reports back
    for row in marked.all()[:5]:
        assert row.locator("td").first.evaluate("e => getComputedStyle(e).boxShadow") == "none"
        assert row.evaluate("e => parseFloat(getComputedStyle(e).borderLeftWidth)") >= 3
    assert_local(requests)
    context.close()
