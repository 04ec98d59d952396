"""Headless Chromium: the home page is each person's work list, on a phone (390 px) and
a desktop (1366 px) — a community worker, the street's leader and its inspector sign in
on the demo and find their reports and orders with deadlines and a button to act.
Screenshots: var/screenshots/home-inbox-*.png."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from chuangjian.inspections import demo as inspections_demo
from chuangjian.inspections.tests.conftest import _builtin
from chuangjian.org.demo import build_demo
from chuangjian.org.scope import Scope
from chuangjian.reporting.demo import build_reporting_demo
from chuangjian.standards import actions as standards_actions
from chuangjian.web.testing import SHOTS, assert_local, login, record

pytestmark = pytest.mark.browser

LATIN_WORD = re.compile(r"\b[a-z]+[_-][a-z_-]+\b")


@pytest.fixture
def demo(built_once: Callable[..., Any]) -> None:
    built_once(__name__, _build_demo)


def _build_demo() -> None:
    standards_actions.load_standards(actor=None, result=_builtin(), scope=Scope.system())
    build_demo()
    build_reporting_demo(today=timezone.localdate() - dt.timedelta(days=1), days=3, months=2)
    inspections_demo.run(io.StringIO())


@pytest.mark.parametrize("width", [390, 1366])
def test_each_role_finds_its_work_on_the_home_page(browser, live_server, demo, width) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for username, expect in (("xfl_worker", "#inbox-owe .inbox-item"),
                             ("cg_leader", "#inbox-decide .inbox-item"),
                             ("cg_inspector", "#inbox-decide .inbox-item")):
        context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        page = context.new_page()
        requests, failures = record(page)
        login(page, live_server.url, username)
        items = page.locator(expect)
        assert items.count() >= 1, username
        first = items.first
        # Each item names the work and its unit in words, and its button is on screen.
        button = first.locator(".inbox-act")
        box = button.bounding_box()
        assert box and box["x"] + box["width"] <= width, (username, box)
        text = page.locator("main").inner_text()
        assert not LATIN_WORD.search(text), (username, LATIN_WORD.findall(text)[:5])
        assert page.evaluate("document.documentElement.scrollWidth") <= width, username
        page.screenshot(path=SHOTS / f"home-inbox-{username}-{width}.png", full_page=True)
        href = button.get_attribute("href")
        button.click()
        page.wait_for_load_state()
        assert page.url.endswith(href), (page.url, href)
        assert_local(requests)
        assert not failures, failures
        context.close()
