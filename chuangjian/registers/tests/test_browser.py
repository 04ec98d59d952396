"""Headless Chromium: a community clerk on a phone (390 px) and a desktop (1366 px) finds a
resident by name, opens the person's page and reveals the ID number (swapped in place,
audited); the street's leader sees counts. Screenshots: var/screenshots/residents-*.png."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from chuangjian.audit.models import AuditEntry
from chuangjian.org.demo import build_demo
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.registers import demo as registers_demo
from chuangjian.registers.models import Person
from chuangjian.web.testing import SHOTS, assert_local, login, record

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(built_once: Callable[..., Any]) -> None:
    built_once(__name__, _build_demo)


def _build_demo() -> None:
    build_demo()
    registers_demo.ensure_residents(scope=Scope.system(), low=30, high=40,
                                    today=dt.date(2026, 6, 1))


@pytest.mark.parametrize("width", [390, 1366])
def test_a_clerk_finds_a_resident_and_reveals_the_number(browser, live_server, demo, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    community = Unit.objects.get(name="幸福里社区")
    someone = Person.objects.filter(unit=community, moved_out_on__isnull=True).order_by("pk")[0]
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    requests, failures = record(page)
    login(page, live_server.url, "xfl_worker")
    page.goto(f"{live_server.url}/residents/unit/{community.code}/")
    assert page.locator("table.table-cards tbody tr").count() >= 20
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=SHOTS / f"residents-list-{width}.png", full_page=False)
    page.fill("main input[name=q]", someone.name)
    page.click("main form[role=search] button[type=submit]")
    page.wait_for_load_state()
    assert someone.name not in page.url  # the search went by POST
    page.locator("main table a", has_text=someone.name).first.click()
    page.wait_for_url(f"**/residents/person/{someone.pk}/")
    assert someone.id_number not in page.content()
    page.screenshot(path=SHOTS / f"residents-person-{width}.png", full_page=True)
    page.locator("#reveal-id_number + form button").click()
    page.locator("[data-revealed=id_number]").wait_for()
    assert page.inner_text("[data-revealed=id_number]") == someone.id_number
    assert page.url.endswith(f"/residents/person/{someone.pk}/")
    assert AuditEntry.objects.filter(action="registers.person.revealed").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=SHOTS / f"residents-revealed-{width}.png", full_page=False)
    assert_local(requests)
    assert not failures, failures
    context.close()

    context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
    page = context.new_page()
    login(page, live_server.url, "cg_leader")
    page.goto(f"{live_server.url}/residents/unit/{community.code}/")
    assert someone.name not in page.content()
    assert page.locator("text=在册居民").count() >= 1
    page.screenshot(path=SHOTS / f"residents-counts-{width}.png", full_page=True)
    context.close()
