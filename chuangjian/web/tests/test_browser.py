"""Headless Chromium through the main pages, with screenshots for people to look at.

Everything the pages load must come from the product itself (127.0.0.1): the
intranet has no internet, so a CDN font or script would silently break the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from chuangjian.org import actions
from chuangjian.org.demo import build_demo
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.web.testing import SHOTS, assert_local, login, record

pytestmark = pytest.mark.browser

@pytest.fixture
def demo(built_once: Callable[..., Any]) -> None:
    built_once(__name__, _build_demo)


def _build_demo() -> None:
    build_demo()
    # A few changes by a real person, so the audit log reads like a working office's.
    admin = User.objects.get(username="cg_admin")
    actions.update_unit(actor=admin, scope=Scope.for_user(admin), unit=Unit.objects.get(code="QY-01-A-03"), name="文昌里社区",
                        effective=dt.date(2026, 3, 1))
    actions.update_unit(actor=admin, scope=Scope.for_user(admin), unit=Unit.objects.get(code="QY-01-B-02"),
                        division_code="330102003001")
    actions.add_membership(actor=admin, user=User.objects.get(username="nm_worker"),
                           unit=Unit.objects.get(code="QY-01-A-03"), role="worker", scope=Scope.for_user(admin))


def test_a_street_admin_walks_through_the_main_pages(page, live_server, demo) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    requests, failures = record(page)
    base = live_server.url

    page.goto(f"{base}/login/")
    assert page.locator("h1").inner_text() == "社区创建工作管理平台"
    page.screenshot(path=SHOTS / "login.png", full_page=True)

    login(page, base, "cg_admin")
    assert "黄晓" in page.locator(".app-topbar").inner_text()
    # The stylesheet really applied: the top bar has its red gradient.
    assert "gradient" in page.eval_on_selector(".app-topbar", "e => getComputedStyle(e).backgroundImage")
    page.screenshot(path=SHOTS / "home.png", full_page=True)

    page.click(".app-sidebar >> text=组织架构")
    page.wait_for_url(f"{base}/tree/")
    area = Unit.objects.get(code="QY-01-A")
    page.click(f'button[aria-controls="children-{area.pk}"]')
    page.wait_for_selector("text=幸福里社区")
    assert page.is_visible("text=南门社区")
    page.screenshot(path=SHOTS / "tree.png", full_page=True)
    # A second click collapses without asking the server again.
    page.click(f'button[aria-controls="children-{area.pk}"]')
    assert not page.is_visible("text=南门社区")
    page.click(f'button[aria-controls="children-{area.pk}"]')

    page.click("a.name >> text=幸福里社区")
    page.wait_for_url(f"{base}/units/QY-01-A-01/")
    assert page.is_visible("text=幸福里第一网格")
    page.screenshot(path=SHOTS / "unit.png", full_page=True)

    page.click(".app-sidebar >> text=用户与任职")
    page.wait_for_url(f"{base}/people/")
    page.screenshot(path=SHOTS / "users.png", full_page=True)

    # The audit log is the 审计管理员's alone (三员分立): not in the admin's sidebar.
    assert not page.is_visible(".app-sidebar >> text=操作日志")

    page.goto(f"{base}/units/QY-01-A-01/new/")
    # The 统计用区划代码 field asks the division picker as one types.
    with page.expect_request(lambda r: "/divisions/search/" in r.url and "=3301" in r.url):
        page.type("#id_division_code", "3301")
    assert not page.is_visible("#id_department_type")
    page.check("input[name=kind][value=department]")
    assert page.is_visible("#id_department_type")
    page.check("input[name=kind][value=area]")
    page.fill("#id_division_code", "")
    page.fill("#id_code", "QY-01-A-02")
    page.fill("#id_name", "幸福里第三网格")
    page.click("main button[type=submit]")
    expect(page.get_by_text("编码「QY-01-A-02」已被使用")).to_be_visible()
    page.screenshot(path=SHOTS / "unit_create_errors.png", full_page=True)

    assert_local(requests)
    assert not failures, failures


def test_the_auditor_reads_the_audit_log(page, live_server, demo) -> None:
    requests, failures = record(page)
    base = live_server.url
    login(page, base, "qy_auditor")
    page.click(".app-sidebar >> text=操作日志")
    page.wait_for_url(f"{base}/audit/")
    assert page.is_visible("text=文昌里社区")
    page.screenshot(path=SHOTS / "audit.png", full_page=True)
    assert not failures, failures
    assert_local(requests)


def test_moving_a_unit_in_the_browser_asks_for_confirmation(page, live_server, demo) -> None:
    requests, failures = record(page)
    base = live_server.url
    login(page, base, "cg_admin")
    page.goto(f"{base}/units/QY-01-A-03/move/")
    page.select_option("#id_new_parent", "QY-01-B")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=请确认移动")
    page.screenshot(path=SHOTS / "unit_move_confirm.png", full_page=True)
    page.click("main button:has-text(\"确认移动\")")
    page.wait_for_url(f"{base}/units/QY-01-A-03/")
    assert page.is_visible("text=已将「文昌里社区」移至「城西管区」之下")
    assert Unit.objects.get(code="QY-01-A-03").parent == Unit.objects.get(code="QY-01-B")
    assert_local(requests)
    assert not failures, failures


def test_the_english_unit_page(page, live_server, demo) -> None:
    requests, failures = record(page)
    login(page, live_server.url, "cg_admin")
    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("text=My roles")
    page.goto(f"{live_server.url}/units/QY-01/")
    assert page.is_visible("text=Departments (条)")
    page.screenshot(path=SHOTS / "unit_en.png", full_page=True)
    assert_local(requests)
    assert not failures, failures


def test_the_home_page_fits_a_phone(browser, live_server, demo) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN",
                                  device_scale_factor=2, is_mobile=True, has_touch=True)
    page = context.new_page()
    requests, failures = record(page)
    login(page, live_server.url, "cg_leader")
    # No sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=SHOTS / "home_phone.png", full_page=True)
    page.click("button[aria-controls=sidebar]")
    page.wait_for_selector("#sidebar.show")
    page.screenshot(path=SHOTS / "home_phone_menu.png")
    assert_local(requests)
    assert not failures, failures
    context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_search_and_the_error_pages_fit_the_screen(browser, live_server, demo, width) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN")
    page = context.new_page()
    requests, failures = record(page)
    login(page, live_server.url, "cg_leader")
    page.goto(f"{live_server.url}/search/?q=幸福")
    assert page.locator("#results-units a").first.inner_text().startswith("幸福")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=SHOTS / f"search_{width}.png", full_page=True)
    page.goto(f"{live_server.url}/no-such-page/")
    assert page.locator("h1").inner_text() == "页面不存在"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=SHOTS / f"404_{width}.png", full_page=True)
    assert_local(requests)
    assert [f for f in failures if "/no-such-page/" not in f[1]] == []
    context.close()
