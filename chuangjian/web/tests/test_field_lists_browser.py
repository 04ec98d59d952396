"""Headless Chromium: the lists a worker and an inspector open in the field — the
rectification inbox, the list of findings and orders, the activity list — fit a phone
(390 px: each row a card, its button on screen) and stay tables on a desktop (1366 px).
Screenshots: var/screenshots/field-*.png."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from chuangjian.evidence import actions as evidence
from chuangjian.evidence.builtin_types import ensure_builtin_types
from chuangjian.evidence.models import ActivityType
from chuangjian.inspections import demo as inspections_demo
from chuangjian.inspections.tests.conftest import _builtin
from chuangjian.org.demo import build_demo
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.standards import actions as standards_actions
from chuangjian.web.testing import SHOTS, assert_local, login, record

pytestmark = pytest.mark.browser

PAGES = [("nm_worker", "/inspections/inbox/", "a.btn"),
         ("cg_inspector", "/inspections/inbox/", "a.btn"),
         ("cg_inspector", "/inspections/", "a.btn"),
         ("xfl_worker", "/evidence/", "a.fw-semibold")]


@pytest.fixture
def demo(built_once: Callable[..., Any]) -> None:
    built_once(__name__, _build_demo)


def _build_demo() -> None:
    standards_actions.load_standards(actor=None, result=_builtin(), scope=Scope.system())
    build_demo()
    inspections_demo.run(io.StringIO())
    worker = User.objects.get(username="xfl_worker")
    ensure_builtin_types()   # a transactional test flushes what the migration made
    kind = ActivityType.objects.get(name="文体活动")
    for n in range(3):
        evidence.create_activity(
            actor=worker, unit=Unit.objects.get(code="QY-01-A-01"), type=kind,
            title=f"幸福里社区邻里文化节第{n + 1}场暨居民广场舞、合唱与书画联展",
            date=timezone.localdate() - dt.timedelta(days=n), place="幸福里社区文化广场东侧",
            organiser="社区文体队", participants_count=80 + n, scope=Scope.for_user(worker))


@pytest.mark.parametrize("width", [390, 1366])
def test_the_field_lists_fit_the_screen(browser, live_server, demo, width) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for username in dict.fromkeys(u for u, _p, _s in PAGES):
        context = browser.new_context(viewport={"width": width, "height": 844}, locale="zh-CN",
                                      timezone_id="Asia/Shanghai")
        page = context.new_page()
        requests, failures = record(page)
        login(page, live_server.url, username)
        for _u, path, action in (p for p in PAGES if p[0] == username):
            page.goto(live_server.url + path)
            rows = page.locator("table.table-cards tbody tr")
            assert rows.count() >= 1, (username, path)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (username, path)
            for i in range(min(rows.count(), 5)):
                box = rows.nth(i).locator(action).first.bounding_box()
                assert box and box["x"] + box["width"] <= width, (username, path, i, box)
            head_shown = page.locator("table.table-cards thead").first.is_visible()
            assert head_shown == (width > 576), (path, head_shown)
            name = path.strip("/").replace("/", "-")
            page.screenshot(path=SHOTS / f"field-{name}-{username}-{width}.png", full_page=True)
        assert_local(requests)
        assert not failures, failures
        context.close()
