"""Headless Chromium: the 健康家庭 round of 东湖街道 walked by its three roles — 湖滨社区
nominates on a phone, the street reviews and opens the vote on a desktop, 冯涛 votes on a
phone — and the public 公示 page on a phone takes an objection. Screenshots to look at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from chuangjian.awards import actions
from chuangjian.awards.models import Nomination, Round, Stage, Title
from chuangjian.awards.tests.conftest import family
from chuangjian.org.demo import build_demo
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.web.testing import SHOTS, assert_local, login, record

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}
DESKTOP = {"viewport": {"width": 1366, "height": 900}, "locale": "zh-CN",
           "timezone_id": "Asia/Shanghai"}
PAST = dt.timedelta(minutes=1)


@pytest.fixture
def round_(transactional_db: None) -> Round:
    build_demo()
    hubin = Unit.objects.get(code="QY-02-A-01")
    for surname in ("王", "李", "赵"):
        family(hubin, surname)
    return actions.open_round(scope=Scope.system(), actor=None, scheme_code="jiankang_jiating",
                              organiser=Unit.objects.get(code="QY-02"),
                              year=timezone.localdate().year)


def _no_overflow(page: object) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert width <= 390, width


def test_three_roles_walk_the_round_and_the_public_objects_on_a_phone(browser, live_server,
                                                                        round_: Round) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    # 1. The nominating community, on a phone.
    phone = browser.new_context(**PHONE).new_page()
    requests, failures = record(phone)
    login(phone, base, "hb_worker")
    phone.goto(f"{base}/awards/rounds/{round_.pk}/")
    for i, option in enumerate(("王家路", "李家路")):
        phone.select_option("#id_nominee", label=phone.locator(
            f"#id_nominee option:has-text('{option}')").inner_text())
        phone.fill("#id_name", f"{option}{i}号家庭")
        phone.fill("#id_reasons", "家庭成员坚持锻炼，每年测量血压，参加清洁家园公益劳动")
        phone.get_by_role("button", name="提交推荐").click()
        phone.wait_for_selector(".alert-success")
    _no_overflow(phone)
    phone.screenshot(path=str(SHOTS / "awards-nominate-phone.png"), full_page=True)
    # The same page at desktop width, for a community worker at the office.
    office = browser.new_context(**DESKTOP).new_page()
    login(office, base, "hb_worker")
    office.goto(f"{base}/awards/rounds/{round_.pk}/")
    assert office.locator("#nominations tr[data-nomination]").count() == 2
    office.screenshot(path=str(SHOTS / "awards-nominate-desktop.png"), full_page=True)
    # Nothing chosen: the Chinese error beside the field, nothing written.
    phone.fill("#id_name", "空白推荐")
    phone.fill("#id_reasons", "理由")
    phone.get_by_role("button", name="提交推荐").click()
    expect(phone.locator("#nominate")).to_contain_text("请选择推荐对象")
    assert Nomination.objects.filter(round=round_).count() == 2
    assert_local(requests)
    assert failures == [(400, f"{base}/awards/rounds/{round_.pk}/nominate/")], failures

    # 2. The organising street, on a desktop: 初审 and the vote.
    desk = browser.new_context(**DESKTOP).new_page()
    requests, failures = record(desk)
    login(desk, base, "dh_leader")
    desk.goto(f"{base}/awards/rounds/{round_.pk}/")
    forms = desk.locator("form.review-form")
    forms.first.locator("input[name=score]").fill("92")
    forms.first.locator("button[name=accept][value='1']").click()
    desk.wait_for_selector(".alert-success")
    forms = desk.locator("form.review-form")
    forms.first.locator("input[name=score]").fill("85")
    forms.first.locator("button[name=accept][value='1']").click()
    desk.wait_for_selector(".alert-success")
    desk.locator("#voting-form label:has-text('冯涛')").click()
    desk.locator("#voting-form button").click()
    desk.wait_for_selector("text=投票进行中")
    assert desk.locator("#stage").inner_text() == "投票中"
    assert "得票率" not in desk.locator("#nominations").inner_text()  # hidden while open
    desk.screenshot(path=str(SHOTS / "awards-round-desktop.png"), full_page=True)

    # 3. The voter, on a phone: one vote per candidate.
    voter = browser.new_context(**PHONE).new_page()
    login(voter, base, "dh_inspector")
    voter.goto(f"{base}/awards/")
    # The year's rounds: on a phone a card per round, its title on a line of its own.
    assert not voter.locator("main table thead").first.is_visible()
    _no_overflow(voter)
    voter.screenshot(path=str(SHOTS / "awards-index-phone.png"), full_page=True)
    voter.click(f"text={round_.title}")
    for voted in (1, 2):
        voter.locator(".candidate button[value='1']").first.click()
        # The old page already shows a success message: wait for the new one's tally.
        expect(voter.locator(".candidate .voted")).to_have_count(voted)
    assert voter.locator(".candidate button").count() == 0
    _no_overflow(voter)
    voter.screenshot(path=str(SHOTS / "awards-ballot-phone.png"), full_page=True)

    # The vote closes; the street evaluates and publicises.
    Round.objects.filter(pk=round_.pk).update(vote_until=timezone.now() - PAST)
    desk.goto(f"{base}/awards/rounds/{round_.pk}/")
    desk.get_by_role("button", name="投票截止后综合评定").click()
    desk.wait_for_selector(".alert-success, #round-error")
    assert desk.locator("#round-error").count() == 0, desk.locator("#round-error").inner_text()
    assert "得票率" in desk.locator("#nominations").inner_text()
    desk.get_by_role("button", name="按名次在名额内公示 5 天").click()
    desk.wait_for_selector(".alert-success")
    round_.refresh_from_db()
    assert round_.stage == Stage.PUBLICISING

    # 4. The public 公示 page, without login, on a phone: an objection.
    public = browser.new_context(**PHONE).new_page()
    requests, failures = record(public)
    public.goto(f"{base}/gongshi/{round_.public_code}/")
    assert public.locator(".nominee").count() == 2
    public.fill("#id_text", "该户楼道长期堆放杂物")
    public.fill("#id_name", "刘群众")
    public.fill("#id_phone", "1381234")
    public.get_by_role("button", name="提交异议").click()
    expect(public.locator("#objection")).to_contain_text("手机号码应为1开头的11位数字")
    assert failures == [(400, f"{base}/gongshi/{round_.public_code}/")], failures
    failures.clear()
    public.fill("#id_phone", "13812345678")
    public.get_by_role("button", name="提交异议").click()
    public.wait_for_selector("text=已收到您的异议")
    _no_overflow(public)
    public.screenshot(path=str(SHOTS / "awards-gongshi-phone.png"), full_page=True)
    wide = browser.new_context(**DESKTOP).new_page()
    wide.goto(f"{base}/gongshi/{round_.public_code}/")
    assert wide.locator(".nominee").count() == 2
    wide.screenshot(path=str(SHOTS / "awards-gongshi-desktop.png"), full_page=True)
    assert_local(requests)
    assert not failures, failures

    # The street answers, the publicity ends, the leader names within the quota.
    desk.goto(f"{base}/awards/rounds/{round_.pk}/")
    assert "138****5678" in desk.locator(".objection").inner_text()
    desk.fill(".objection textarea", "经核实已清理，异议不成立")
    desk.get_by_role("button", name="答复：异议不成立").click()
    desk.wait_for_selector(".alert-success")
    Round.objects.filter(pk=round_.pk).update(publicity_until=timezone.now() - PAST)
    desk.goto(f"{base}/awards/rounds/{round_.pk}/")
    desk.get_by_role("button", name="命名所选对象").click()
    desk.wait_for_selector(".alert-success")
    assert Title.objects.filter(round=round_).count() == 2
    title = Title.objects.filter(round=round_).first()
    assert title is not None
    desk.goto(f"{base}/awards/titles/{title.pk}/")
    desk.wait_for_selector("img[alt='证书查验二维码']")
    qr = desk.locator("img[alt='证书查验二维码']")
    assert qr.evaluate("e => e.complete && e.naturalWidth") > 0  # the QR code is drawn
    desk.screenshot(path=str(SHOTS / "awards-title-desktop.png"), full_page=True)
    # The certificate's check page, from a phone.
    public.goto(f"{base}/gongshi/zhengshu/{title.code}/")
    assert title.name in public.locator("#result").inner_text()
    public.screenshot(path=str(SHOTS / "awards-check-phone.png"), full_page=True)
    assert_local(requests)
    assert not failures, failures
