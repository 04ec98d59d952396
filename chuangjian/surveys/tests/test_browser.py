"""Headless Chromium at 390 px: a respondent answers the 禁毒 questionnaire from a link,
page by page; the connection drops just after the server stored the answers, the page
keeps them and sends again, and the server keeps one response. Then the results page on a
phone and on a desk. Screenshots land in var/screenshots for people to look at."""

from __future__ import annotations

from typing import Any

import pytest

from chuangjian.org.models import User
from chuangjian.org.scope import Scope
from chuangjian.org.testing import PASSWORD, World, build_world
from chuangjian.surveys import actions
from chuangjian.surveys.models import Response
from chuangjian.surveys.testing import AWARE, UNAWARE, drug_survey, submit
from chuangjian.web.testing import SHOTS, assert_local, login, record

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2, "locale": "zh-CN", "timezone_id": "Asia/Shanghai"}


@pytest.fixture
def built(transactional_db: None) -> World:
    return build_world()


def test_a_respondent_answers_on_a_phone_and_a_lost_reply_is_resent_once(
        browser: Any, live_server: Any, built: World) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    survey = drug_survey(built)
    link = actions.create_link(actor=None, scope=Scope.system(), survey=survey,
                               unit=built.community, group="urban")
    phone = browser.new_context(**PHONE)
    page = phone.new_page()
    requests, failures = record(page)
    page.goto(f"{live_server.url}/wenjuan/{link.token}/")
    assert "幸福里社区 · 城镇居民" in page.inner_text("header")
    assert page.inner_text("#sv-progress") == "第 1 / 3 页"
    # A constraint is checked before the next page, in Chinese.
    page.fill("#q-age", "3")
    page.click("#sv-next")
    assert "年龄应在 6 到 100 岁之间" in page.inner_text("[data-name=age] .sv-err")
    page.fill("#q-age", "34")
    page.check("input[name=sex][value=f]", force=True)
    page.screenshot(path=SHOTS / "surveys-answer-page1-phone.png", full_page=True)
    page.click("#sv-next")
    # Required questions are asked for before moving on.
    page.click("#sv-next")
    assert "必须回答" in page.inner_text("[data-name=q_day] .sv-err")
    for name, value in (("q_day", "drug_day"), ("q_drug", "meth"), ("q_quit", "no"),
                        ("q_report", "police")):
        page.check(f"input[name={name}][value={value}]", force=True)
    for value in ("brain", "disease", "family"):
        page.check(f"input[name=q_harm][value={value}]", force=True)
    page.screenshot(path=SHOTS / "surveys-answer-page2-phone.png", full_page=True)
    page.click("#sv-next")
    # A question shown only when 其他 is chosen (relevant).
    assert page.is_hidden("[data-name=source_other]")
    page.check("input[name=source][value=other]", force=True)
    assert page.is_visible("[data-name=source_other]")
    page.fill("#q-source_other", "居委会上门宣传")

    # The server stores the answers but the reply never reaches the phone.
    def lose_reply(route: Any) -> None:
        route.fetch()
        route.abort()

    page.route("**/tijiao/", lose_reply)
    page.click("#sv-send")
    page.wait_for_selector("#sv-status:has-text('网络不稳定')")
    page.screenshot(path=SHOTS / "surveys-answer-offline-phone.png", full_page=True)
    assert Response.objects.count() == 1
    stored = page.evaluate(f"JSON.parse(localStorage.getItem('survey-{link.token}')).uuid")
    assert stored == str(Response.objects.get().uuid)
    page.unroute("**/tijiao/")
    page.click("#sv-send")
    page.wait_for_selector("text=提交成功，谢谢您的参与！")
    page.screenshot(path=SHOTS / "surveys-answer-done-phone.png", full_page=True)
    assert Response.objects.count() == 1
    row = Response.objects.get()
    assert row.correct == 5 and row.positive and row.answers["source_other"] == "居委会上门宣传"
    assert len(row.page_seconds) == 3 and row.link == link
    assert page.evaluate(f"localStorage.getItem('survey-{link.token}')") is None
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not [f for f in failures if "/tijiao/" not in f[1]], failures
    assert_local(requests)
    phone.close()


def test_the_results_page_shows_each_group_with_its_interval(
        browser: Any, live_server: Any, built: World) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    survey = drug_survey(built)
    system = Scope.system()
    for group, answers in (("urban", [AWARE] * 9 + [UNAWARE]),
                           ("migrants", [AWARE] * 7 + [UNAWARE] * 2)):
        for a in answers:
            row, _ = submit(survey, built, a, group=group)
            actions.review_response(actor=None, scope=system, response=row, state="approved")
    leader: User = built.street_leader
    leader.set_password(PASSWORD)
    leader.save()
    for name, context in (("phone", PHONE), ("desk", {"viewport": {"width": 1366,
                                                                    "height": 900}})):
        ctx = browser.new_context(**context)
        page = ctx.new_page()
        requests, failures = record(page)
        login(page, live_server.url, leader.username, PASSWORD)
        page.goto(f"{live_server.url}/surveys/{survey.code}/?unit={built.community.pk}")
        text = page.inner_text("main")
        assert "90.0%" in text and "n=10" in text and "未达标" in text
        assert "77.8%" in text and "n=9" in text and "未达标（差异不显著）" in text
        page.screenshot(path=SHOTS / f"surveys-results-{name}.png", full_page=True)
        if name == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not failures, failures
        assert_local(requests)
        ctx.close()


def test_an_enumerator_enters_responses_on_a_phone(browser: Any, live_server: Any,
                                                   built: World) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    survey = drug_survey(built)
    worker: User = built.community_worker
    worker.set_password(PASSWORD)
    worker.save()
    for name, context in (("phone", PHONE), ("desk", {"viewport": {"width": 1366,
                                                                    "height": 900}})):
        ctx = browser.new_context(**context)
        page = ctx.new_page()
        requests, failures = record(page)
        login(page, live_server.url, worker.username, PASSWORD)
        # The list of surveys: on a phone a card per survey, each figure named.
        page.goto(f"{live_server.url}/surveys/")
        assert page.locator(f"text={survey.title}").is_visible()
        if name == "phone":
            assert not page.locator("main table thead").first.is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            page.screenshot(path=SHOTS / "surveys-list-phone.png", full_page=True)
        page.goto(f"{live_server.url}/surveys/{survey.code}/luru/")
        page.click("#sv-next")
        assert "请选择调查地点和调查对象" in page.inner_text("[data-page=start] .sv-err")
        page.select_option("#sv-unit", label="幸福里社区")
        page.select_option("#sv-group", label="外来务工人员")
        page.screenshot(path=SHOTS / f"surveys-enter-start-{name}.png", full_page=True)
        page.click("#sv-next")
        page.fill("#q-age", "41")
        page.click("#sv-next")
        for q, value in (("q_day", "drug_day"), ("q_drug", "meth"), ("q_quit", "no"),
                         ("q_harm", "brain"), ("q_report", "police")):
            page.check(f"input[name={q}][value={value}]", force=True)
        page.click("#sv-next")
        page.click("#sv-send")
        page.wait_for_selector("text=提交成功，谢谢您的参与！")
        if name == "phone":
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert not failures, failures
        assert_local(requests)
        ctx.close()
    rows = Response.objects.filter(enumerator=worker)
    assert rows.count() == 2 and {r.group for r in rows} == {"migrants"}
    assert all(r.correct == 4 and r.positive for r in rows)  # q_harm only partly right
