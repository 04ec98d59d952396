"""Headless Chromium walks each role's day on the demo, on a phone (390 px) and a desktop
(1366 px), and checks every page it passes: nothing wider than the screen, no English
words on a Chinese page, and no code (「QY-01-A」, 「area-day」) where a name belongs.

- The filler of a report that locks at its deadline (the demo's 管区日报, filled by the
  管区's 马俊) finds every overdue period in the inbox, asks to file one late (申请补报),
  and once it is granted fills it, gets an error from the server and fixes that one
  figure without typing the others again.
- The street's leader (李卫东) grants a request from the inbox, and reviews with the
  filters and a batch approval.
- The street's inspector (郑凯) organises a round with a supervision group, dispatches a
  finding's order and verifies a rectified one.

Screenshots of each step: var/screenshots/day-<role>-<width>-<n>-<step>.png."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from chuangjian.inspections.models import RectificationOrder, Round, State, SupervisionGroup
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.reporting import actions, selectors
from chuangjian.reporting.models import LateRequest, LateRequestState, Status, Submission
from chuangjian.web.testing import SHOTS, assert_local, login, record
from chuangjian.web.tests.test_home_browser import demo  # noqa: F401 - the shared demo build

pytestmark = pytest.mark.browser

# A Latin word of three letters or more, outside the few Chinese offices write too.
ENGLISH = re.compile(r"\b[A-Za-z]{3,}\b")
ALLOWED_LATIN = {"PDF", "Excel", "xlsx", "Word", "docx", "csv", "CSV"}
# Codes: a unit's (QY-01-A), a data set's or element's (area-day, t_found).
CODE = re.compile(r"\bQY(?:-[A-Z0-9]+)*\b|\b[a-z]+[_-][a-z0-9_-]+\b")
AREA = "QY-01-A"          # 城东管区: its 管区日报 locks at 16:00 on the day


class Walk:
    """One person's day at one width: each step is looked at and photographed."""

    def __init__(self, browser: Any, base: str, role: str, width: int) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 844},
                                           locale="zh-CN", timezone_id="Asia/Shanghai",
                                           is_mobile=width < 576, has_touch=width < 576)
        self.page = self.context.new_page()
        self.requests, self.failures = record(self.page)
        self.base, self.role, self.width, self.step = base, role, width, 0
        # A refused form answers 400 on purpose; any other failed request is a bug.
        self.refused: set[str] = set()

    def look(self, name: str) -> str:
        """Check the page as it stands and keep a screenshot; returns the main text."""
        page = self.page
        page.wait_for_load_state()
        self.step += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        # From the top: a page left scrolled photographs its sticky bar half-way down.
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=SHOTS / f"day-{self.role}-{self.width}-{self.step:02d}-{name}.png",
                        full_page=True)
        wide = page.evaluate("""[...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)""")
        assert page.evaluate("document.documentElement.scrollWidth <= "
                             "document.documentElement.clientWidth"), (name, wide)
        text = page.locator("main").inner_text()
        english = [w for w in ENGLISH.findall(text) if w not in ALLOWED_LATIN]
        assert not english, (name, english[:8])
        codes = CODE.findall(text)
        assert not codes, (name, codes[:8])
        return text

    def close(self) -> None:
        assert_local(self.requests)
        assert not [(s, u) for s, u in self.failures
                    if not (s == 400 and u.removeprefix(self.base) in self.refused)], self.failures
        self.context.close()


def _overdue(username: str) -> list[selectors.Due]:
    user = User.objects.get(username=username)
    return [d for d in selectors.inbox(scope=Scope.for_user(user), now=timezone.now())
            if d.state == "overdue"]


@pytest.mark.parametrize("width", [390, 1366])
def test_the_filler_asks_to_file_late_and_fixes_an_error_without_retyping(
        browser, live_server, demo, width) -> None:  # noqa: F811
    walk = Walk(browser, live_server.url, "filler", width)
    page, base = walk.page, live_server.url
    owed = _overdue("cd_leader")
    assert len(owed) > 3
    login(page, base, "cd_leader")
    home = walk.look("home")
    # Every overdue report is on the home page: the tile counts them all, and the
    # 管区日报's many days are one line that opens the oldest.
    assert page.locator(".stat", has_text="已逾期").locator(".value").inner_text() == str(len(owed))
    daily = [d for d in owed if d.unit.code == AREA]
    assert f"管区日报：{len(daily)} 期逾期未报" in home
    page.click("#inbox-owe .inbox-item:has-text('期逾期未报') .inbox-act")
    oldest = min(daily, key=lambda d: d.period.start)
    form = f"/reports/u/{AREA}/area-day/{oldest.period}/"
    page.wait_for_url(f"{base}{form}")
    # And the reporting list names each overdue period, one row or card each.
    page.goto(f"{base}/reports/")
    text = walk.look("reports")
    for due in owed:
        assert page.locator(f'a[href="/reports/u/{due.unit.code}/{due.dataset.code}/{due.period}/"]'
                            ).count() == 1, due
    assert "逾期未报" in text

    page.goto(f"{base}{form}")
    text = walk.look("locked")
    assert "已锁定" in text
    page.fill("#late-reason", "当天全员参加防汛值守，未能按时填报")
    page.click("#late-request button:has-text('申请补报')")
    page.wait_for_selector(".alert-success >> text=补报申请已提交")
    text = walk.look("asked")
    assert "等待上级批准" in text
    late = LateRequest.objects.get(unit__code=AREA, period=str(oldest.period))
    assert late.state == LateRequestState.PENDING

    # The street's leader grants it (the leader's own walk does this on the page).
    leader = User.objects.get(username="cg_leader")
    actions.decide_late_filing(actor=leader, request=late, grant=True, hours=24,
                               scope=Scope.for_user(leader))
    page.reload()
    walk.look("granted")
    # Fill it with one figure wrong: more problems solved (5) than found (3).
    page.fill("#v_daily_work_items", "6")
    page.fill("#v_daily_problems_found", "3")
    page.fill("#v_daily_problems_resolved", "5")
    page.fill("#v_daily_coordination_requests", "1")
    # The check beside the field flags it as soon as the field is left (as a person
    # sees it before pressing 上报; and no check is still on its way when the form goes).
    page.press("#v_daily_coordination_requests", "Tab")
    page.wait_for_selector("#fb-daily_problems_resolved.errorlist")
    page.wait_for_selector("#fb-daily_coordination_requests.field-ok")
    walk.refused.add(form)
    page.click("button[name=action][value=submit]")
    # The server refuses it, the message beside the figures it names, in Chinese.
    page.wait_for_selector(".errorlist:has-text('当天解决的问题数不能多于发现的问题数')")
    walk.look("error")
    # Nothing typed is lost: the three good figures are still there.
    assert [page.locator(f"#v_{c}").input_value() for c in (
        "daily_work_items", "daily_problems_found", "daily_coordination_requests")] == ["6", "3", "1"]
    page.fill("#v_daily_problems_resolved", "2")
    page.press("#v_daily_problems_resolved", "Tab")
    page.wait_for_selector("#fb-daily_problems_resolved.field-ok")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector(".alert-success >> text=已上报（第 1 版）")
    text = walk.look("filed")
    assert "迟报" in text
    sub = Submission.objects.get(unit__code=AREA, dataset_code="area-day", period=str(oldest.period))
    assert sub.status == Status.SUBMITTED and sub.late
    assert sub.values.get(element__code="daily_problems_resolved").number == 2
    walk.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_the_leader_grants_late_filing_and_reviews_with_filters_and_a_batch(
        browser, live_server, demo, width) -> None:  # noqa: F811
    filler = User.objects.get(username="cd_leader")
    day = str(min(d.period for d in _overdue("cd_leader") if d.dataset.code == "area-day"))
    asked = actions.request_late_filing(actor=filler, unit=Unit.objects.get(code=AREA),
                                        dataset_code="area-day", period=day,
                                        reason="系统故障未能提交", scope=Scope.for_user(filler))
    walk = Walk(browser, live_server.url, "leader", width)
    page, base = walk.page, live_server.url
    login(page, base, "cg_leader")
    home = walk.look("home")
    assert "补报申请：管区日报" in home
    page.click("#inbox-decide .inbox-item:has-text('补报申请') .inbox-act")
    page.wait_for_url(f"{base}/reports/u/{AREA}/area-day/{day}/#late-request")
    text = walk.look("late-request")
    assert "系统故障未能提交" in text
    page.fill("#late-request input[name=hours]", "48")
    page.click("#late-request button[value=grant]")
    page.wait_for_selector(".alert-success >> text=已批准补报：48 小时内可以填报")
    walk.look("granted")
    asked.refresh_from_db()
    assert asked.state == LateRequestState.GRANTED

    # The review list: narrowed to one data set, then the clean ones approved at once.
    page.goto(f"{base}/reports/review/")
    walk.look("review")
    leader = User.objects.get(username="cg_leader")
    waiting = selectors.review_queryset(scope=Scope.for_user(leader), dataset_code="community-quarter")
    clean = [s.pk for s in waiting if not s.warnings]
    page.select_option("#rv-dataset", label="社区/村季报（自查）")
    page.click(".filter-bar button")
    page.wait_for_url(re.compile(r".*dataset=community-quarter.*"))
    text = walk.look("filtered")
    rows = page.locator("[data-keyboard-list] tbody tr")
    assert rows.count() == waiting.count() > 1
    # A department's report is another data set: filtered out.
    assert "城关街道物业办" not in page.locator("[data-keyboard-list] tbody").inner_text()
    page.check("[data-check-all=pk]")
    page.click("#review-batch button[type=submit]")
    page.wait_for_selector(f".alert-success >> text=已审核通过 {len(clean)} 份报表")
    walk.look("approved")
    assert set(Submission.objects.filter(pk__in=clean).values_list("status", flat=True)) == {
        Status.ACCEPTED}
    walk.close()


@pytest.mark.parametrize("width", [390, 1366])
def test_the_inspector_runs_a_round_with_a_group_dispatches_and_verifies(
        browser, live_server, demo, width, tmp_path) -> None:  # noqa: F811
    from PIL import Image

    from chuangjian.inspections.actions import rectification
    from chuangjian.inspections.tests.conftest import photo

    # The 城管办 has rectified its accepted order: it waits for the inspector's check.
    worker = User.objects.get(username="cgb_worker")
    done = RectificationOrder.objects.get(state=State.ACCEPTED, assignee_unit__code="QY-01-D-CGB")
    rectification.submit_rectification(actor=worker, scope=Scope.for_user(worker), order=done,
                                       note="已清理占道摊点，设置提示牌", photos=[photo()])
    picture = tmp_path / "现场.jpg"
    Image.new("RGB", (800, 600), (120, 110, 90)).save(picture, "JPEG")

    walk = Walk(browser, live_server.url, "inspector", width)
    page, base = walk.page, live_server.url
    login(page, base, "cg_inspector")
    walk.look("home")
    page.goto(f"{base}/inspections/rounds/")
    walk.look("rounds")
    page.goto(f"{base}/inspections/rounds/new/")
    walk.look("round-form")
    page.fill("#id_title", "城关街道第2轮交叉检查")
    group = SupervisionGroup.objects.get(name="第一督导组")
    page.check(f"input[name=groups][value='{group.pk}']")
    page.fill("#id_quota_compound", "2")      # two 居民小区, shared among the group
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/inspections/rounds/\d+/$"))
    text = walk.look("round")
    assert "城关街道第2轮交叉检查" in text
    round_ = Round.objects.get(title="城关街道第2轮交叉检查")
    assert list(round_.groups.all()) == [group]
    assert round_.points.count() >= 2 and "第一督导组" in text

    # A problem found on the round, kept back from the automatic dispatch, then dispatched.
    page.goto(f"{base}/inspections/findings/new/?round={round_.pk}")
    page.set_input_files("#photos", str(picture))
    page.select_option("#id_unit", label="幸福里社区")
    page.select_option("#id_category", index=1)
    page.fill("#id_description", "幸福里小区南门垃圾桶满溢，周边散落垃圾。")
    page.uncheck("#id_dispatch")
    walk.look("finding")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/inspections/orders/\d+/$"))
    walk.look("order-pending")
    order = RectificationOrder.objects.get(finding__description__startswith="幸福里小区南门垃圾桶")
    assert order.state == State.PENDING
    page.click("main form[action$='/dispatch/'] button[type=submit]")
    page.wait_for_selector(".alert-success >> text=已派单给「幸福里社区」")
    walk.look("dispatched")
    order.refresh_from_db()
    assert order.state == State.DISPATCHED

    # The rectified order: the inspector checks it and closes it.
    page.goto(f"{base}/inspections/inbox/")
    walk.look("inbox")
    page.goto(f"{base}/inspections/orders/{done.pk}/")
    text = walk.look("to-verify")
    assert "已清理占道摊点" in text
    page.check("main form[action$='/verify/'] input[name=passed][value='1']")
    page.click("main form[action$='/verify/'] button[type=submit]")
    page.wait_for_selector(".alert-success >> text=已销号")
    walk.look("closed")
    done.refresh_from_db()
    assert done.state == State.CLOSED
    walk.close()


# In either language no page shows a unit's code (QY-01-A) or an element's or indicator's
# (mediation_rate); English prose may hyphenate words (self-check), so only underscores
# count there. The labels the product itself writes (navigation, table heads, buttons,
# tabs) are English on an English page; names of units and indicators stay Chinese.
CODE_ANY_LANGUAGE = re.compile(r"\bQY(?:-[A-Z0-9]+)+\b|\b[a-z]+_[a-z0-9_]+\b")
CJK = re.compile(r"[\u4e00-\u9fff]")
CHROME = "#sidebar .nav-link, main thead th, main button, main .nav-tabs .nav-link"


def test_every_page_of_the_navigation_shows_names_in_chinese_and_in_english(
        browser, live_server, demo) -> None:  # noqa: F811
    walk = Walk(browser, live_server.url, "nav", 1366)
    page, base = walk.page, live_server.url
    login(page, base, "cg_leader")
    links = [h for h in page.eval_on_selector_all(
        "#sidebar .nav-link", "els => els.map(e => e.getAttribute('href'))")
        if not h.startswith("/api/")]
    assert "/awards/" in links and "/tree/" in links
    pages = [*links, "/search/?q=幸福里", "/tree/?q=幸福里", "/units/QY-01-A-01/"]
    for href in pages:
        page.goto(base + href)
        walk.look(href.strip("/").split("?")[0].replace("/", "-") or "home")
    # A code finds its unit; the page answers with the name and keeps the code for the
    # tooltip.
    page.goto(f"{base}/search/?q=QY-01-A-01")
    found = page.locator("#results-units a").first
    assert found.inner_text() == "幸福里社区"
    assert "QY-01-A-01" in (found.get_attribute("title") or "")
    assert not CODE_ANY_LANGUAGE.findall(page.locator("main").inner_text())

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    for n, href in enumerate(pages, start=1):
        page.goto(base + href)
        assert page.locator("html").get_attribute("lang") == "en"
        page.screenshot(path=SHOTS / f"day-nav-en-{n:02d}.png", full_page=True)
        codes = CODE_ANY_LANGUAGE.findall(page.locator("main").inner_text())
        assert not codes, (href, codes[:8])
        chrome = page.eval_on_selector_all(CHROME, "els => els.map(e => e.innerText.trim())")
        untranslated = [t for t in chrome if CJK.search(t)]
        assert not untranslated, (href, untranslated[:8])
    walk.close()
