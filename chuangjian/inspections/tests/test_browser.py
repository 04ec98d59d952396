"""Headless Chromium: a resident on a phone files a 随手拍 report with a photo, an inspector
turns it into a finding; screenshots of the phone finding page, an order's timeline, the
inbox and the bulletin PDF for people to look at."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from chuangjian.inspections import bulletin as document
from chuangjian.inspections import demo as inspections_demo
from chuangjian.inspections.models import CitizenReport, RectificationOrder, ReportStatus, State
from chuangjian.inspections.tests.conftest import _builtin
from chuangjian.org.demo import build_demo
from chuangjian.org.models import User
from chuangjian.org.scope import Scope
from chuangjian.standards import actions as standards_actions
from chuangjian.web.testing import SHOTS, assert_local, login, record, wait_until

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def demo(built_once: Callable[..., Any]) -> None:
    built_once(__name__, _build_demo)


def _build_demo() -> None:
    standards_actions.load_standards(actor=None, result=_builtin(), scope=Scope.system())
    build_demo()
    inspections_demo.run(io.StringIO())


def _jpeg(path: Any) -> None:
    image = Image.new("RGB", (1200, 900), (90, 120, 150))
    image.save(path, "JPEG")


def test_a_resident_reports_from_a_phone_and_an_inspector_makes_it_a_finding(
        browser, live_server, demo, tmp_path) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    picture = tmp_path / "现场.jpg"
    _jpeg(picture)

    phone = browser.new_context(**PHONE, geolocation={"latitude": 30.2741, "longitude": 120.1551},
                                permissions=["geolocation"])
    page = phone.new_page()
    requests, failures = record(page)
    page.goto(f"{base}/inspections/suishoupai/")
    assert page.locator("h1").inner_text().endswith("文明城市随手拍")
    page.set_input_files("#photos", str(picture))
    page.wait_for_selector("#photo-preview img")
    page.select_option("#id_category", label="乱扯乱挂")
    page.fill("#id_description", "锦绣家园7幢楼下有人私拉电线给电动车充电，存在安全隐患。")
    page.click("[data-locate]")
    wait_until(page, "document.querySelector('[name=latitude]').value !== ''")
    page.fill("#id_address", "锦绣路8号锦绣家园7幢")
    page.fill("#id_phone", "13700001234")
    page.screenshot(path=SHOTS / "inspections-public-report-phone.png", full_page=True)
    page.click("button[type=submit]")
    page.wait_for_selector("#receipt-code")
    code = page.locator("#receipt-code").inner_text().strip()
    page.screenshot(path=SHOTS / "inspections-public-status-phone.png", full_page=True)
    report = CitizenReport.objects.get(code=code)
    assert report.latitude is not None and report.photo_links.count() == 1
    assert not failures, failures
    assert_local(requests)
    phone.close()

    desk = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                               viewport={"width": 1366, "height": 900})
    page = desk.new_page()
    requests, failures = record(page)
    login(page, base, "cg_inspector")
    page.goto(f"{base}/inspections/reports/")
    page.click(f"li:has-text('{code}') >> text=核实处理")
    page.select_option("#id_unit", label="锦绣社区")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/inspections/orders/*/")
    assert page.is_visible("text=群众随手拍")
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
    assert report.finding is not None and report.finding.order.state == State.DISPATCHED

    # The demo's returned-and-redone order: its whole timeline.
    redone = RectificationOrder.objects.filter(reworks__gte=1, state=State.CLOSED).first()
    page.goto(f"{base}/inspections/orders/{redone.pk}/")
    page.wait_for_selector("#timeline")
    assert page.is_visible("text=复核未通过，返工") and page.is_visible("text=复核通过，销号")
    page.screenshot(path=SHOTS / "inspections-order-timeline.png", full_page=True)
    page.goto(f"{base}/inspections/rounds/")
    page.click(f"text={inspections_demo.COVERT_TITLE}")
    page.screenshot(path=SHOTS / "inspections-round.png", full_page=True)
    page.goto(f"{base}/inspections/")
    page.screenshot(path=SHOTS / "inspections-index.png", full_page=True)
    assert not failures, failures
    assert_local(requests)
    desk.close()

    # The 第一责任人 of the overdue order opens the inbox: overdue first.
    desk = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai",
                               viewport={"width": 1366, "height": 900})
    page = desk.new_page()
    login(page, base, "nm_worker")
    page.goto(f"{base}/inspections/inbox/")
    assert page.is_visible("text=本单位待接单、待整改")
    page.screenshot(path=SHOTS / "inspections-inbox.png", full_page=True)
    desk.close()

    # An inspector on a phone records a finding at a point of the daily round.
    phone = browser.new_context(**PHONE, geolocation={"latitude": 30.27, "longitude": 120.15},
                                permissions=["geolocation"])
    page = phone.new_page()
    requests, failures = record(page)
    login(page, base, "cg_inspector")
    page.goto(f"{base}/inspections/rounds/")
    page.click(f"text={inspections_demo.DAILY_TITLE}")
    page.click("a:has-text('登记问题') >> nth=1")
    page.set_input_files("#photos", [str(picture)])
    page.select_option("#id_category", label="垃圾死角（一般，2天）")
    page.fill("#id_description", "小区东侧绿化带内堆积建筑垃圾。")
    page.click("[data-locate]")
    wait_until(page, "document.querySelector('.geo-status').classList.contains('ok')")
    # Viewport shots: the submit bar sticks to the bottom of the phone's screen.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=SHOTS / "inspections-finding-phone.png")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.screenshot(path=SHOTS / "inspections-finding-phone-bottom.png")
    page.click("button[type=submit] >> text=提交问题")
    page.wait_for_url("**/inspections/orders/*/")
    assert page.is_visible("text=垃圾死角")
    assert not failures, failures
    assert_local(requests)
    phone.close()


def test_the_bulletin_pdf_renders_as_a_chuangchengban_bulletin(demo, tmp_path) -> None:
    from chuangjian.inspections.models import Bulletin

    SHOTS.mkdir(parents=True, exist_ok=True)
    bulletin = Bulletin.objects.get()
    scope = Scope.for_user(User.objects.get(username="cg_inspector"))
    pdf = document.render_pdf(document.collect(scope, bulletin))
    path = tmp_path / "bulletin.pdf"
    path.write_bytes(pdf)
    # poppler's tools on a file this test wrote: no untrusted input reaches the command.
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"],  # noqa: S603, S607
                          capture_output=True, text=True, check=True).stdout
    flat = text.replace(" ", "").replace("\n", "")
    assert "城关街道创建全国文明城市工作领导小组办公室" in flat
    assert "一、基本情况" in flat and "四、逾期未整改问题清单" in flat
    assert "第1页共" in flat
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path),  # noqa: S603, S607
                    str(SHOTS / "inspections-bulletin")], check=True)
    (tmp_path / "bulletin.docx").write_bytes(document.render_docx(document.collect(scope, bulletin)))
