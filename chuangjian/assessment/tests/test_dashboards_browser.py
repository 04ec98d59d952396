"""The dashboards in headless Chromium on the demo district, with screenshots to look at.

The demo is the one ``make db demo`` builds (``built_demo``, shared with the Done-when
tests): the org tree, the standards, the reports and the assessment demo (自查 and 考核 of
every standard in force), served by ``runserver`` from a copy of its database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from chuangjian.assessment.tests.built_demo import Demo
from chuangjian.web.testing import SHOTS, assert_local, login, record, wait_until

pytestmark = pytest.mark.browser


@pytest.fixture
def served(built_demo: Demo, tmp_path: Path) -> Iterator[str]:
    """A copy of the built demo behind a server of its own: the URL to browse."""
    assert "wenming_shequ" in built_demo.dump["runs"]
    with built_demo.copy(tmp_path) as copy, copy.serve(tmp_path / "server.log") as url:
        yield url


def _charts_drawn(page: Any) -> None:
    wait_until(page,
        "document.querySelectorAll('[data-chart]').length === "
        "document.querySelectorAll('[data-chart][data-drawn]').length")
    assert page.locator("[data-chart]:has(canvas)").count() == page.locator("[data-chart]").count()


def test_a_street_leader_then_the_district_read_the_dashboards(page: Any, served: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    requests, failures = record(page)
    base = served
    login(page, base, "cg_leader")
    q = "standard=wenming_shequ&kind=review"

    page.goto(f"{base}/dashboards/league/?{q}&unit=QY-01")
    assert page.locator("h1").inner_text() == "城关街道 · 排名与达标率"
    _charts_drawn(page)
    # Six communities, and 长安社区 moved in from 东湖街道 in mid-2025.
    assert page.locator(".league-table tbody tr").count() == 7
    page.screenshot(path=SHOTS / "dashboards-league.png", full_page=True)

    # 南门社区 reported an unplanned birth in the demo: vetoed whatever its score.
    page.click(".league-table >> text=南门社区")
    page.wait_for_selector(".verdict[role=status]")
    assert "一票否决" in page.locator(".verdict[role=status]").inner_text()
    assert page.locator("[data-verdict]").inner_text() == "一票否决"   # as on the league
    _charts_drawn(page)
    page.screenshot(path=SHOTS / "dashboards-scorecard-veto.png", full_page=True)

    page.goto(f"{base}/dashboards/scorecard/?{q}&unit=QY-01-A-01")
    _charts_drawn(page)
    page.screenshot(path=SHOTS / "dashboards-scorecard.png", full_page=True)
    # Every number opens its explanation.
    first = page.locator(".score-table td.num a").first
    href = first.get_attribute("href")
    explained = re.search(r"(/assessment/runs/\d+/u/\d+/i/)", href or "")
    assert explained, href
    _explanations_in_both_languages(page, base + explained.group(1))
    _run_and_score_sheet_on_a_phone(page, base + explained.group(1).removesuffix("i/"))

    page.goto(f"{base}/dashboards/heatmap/?{q}&unit=QY-01")
    _charts_drawn(page)
    page.click(".heat-fallback summary")
    assert page.locator(".heat-table tbody tr").count() == 7
    page.screenshot(path=SHOTS / "dashboards-heatmap.png", full_page=True)

    # The disputes are counted from the mediation register every month: the trend is
    # drawn month by month, with the year so far against the target.
    page.goto(f"{base}/dashboards/trend/?{q}&unit=QY-01-A-01&ind=mediation_rate")
    _charts_drawn(page)
    assert "2026 年逐月" in page.locator("main").inner_text()
    assert page.locator(".months-table tbody tr").count() == 11  # January to November
    page.screenshot(path=SHOTS / "dashboards-trend.png", full_page=True)
    # On a phone the month names are turned rather than drawn over each other.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{base}/dashboards/trend/?{q}&unit=QY-01-A-01&ind=small_activities_per_year")
    _charts_drawn(page)
    assert page.locator("[data-chart=chart-trend]").get_attribute("data-labels") == "turned"
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")
    page.screenshot(path=SHOTS / "dashboards-trend-390.png", full_page=True)
    page.goto(f"{base}/dashboards/league/?{q}&unit=QY-01")
    _charts_drawn(page)
    assert page.locator("[data-chart=chart-league]").get_attribute("data-labels") == "turned"
    # The ranking table is a card per unit: its name on one line, each figure named.
    row = page.locator(".league-table tbody tr").first
    assert not page.locator(".league-table thead").is_visible()
    name = row.locator("td.league-unit")
    assert name.evaluate("e => e.getBoundingClientRect().height") < 2 * float(
        name.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24"))
    label = row.locator("td[data-label]").first.evaluate(
        "e => getComputedStyle(e, '::before').content")
    assert "总分" in label
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")
    page.screenshot(path=SHOTS / "dashboards-league-390.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})

    page.goto(f"{base}/dashboards/risk/?{q}&unit=QY-01")
    page.screenshot(path=SHOTS / "dashboards-risk.png", full_page=True)

    page.goto(f"{base}/dashboards/compare/?standard=wenming_shequ&unit=QY-01-A-01")
    assert "自查" in page.locator(".compare-table thead").inner_text()
    page.screenshot(path=SHOTS / "dashboards-compare.png", full_page=True)

    # The export runs in the background; its page shows the progress, then the file.
    page.goto(f"{base}/dashboards/league/?{q}&unit=QY-01")
    page.click("text=导出")
    # In tests the job runs inside the request, so the job page comes when the PDF is made.
    page.click("[data-export=report-pdf]", timeout=180_000)
    page.wait_for_selector("#job-status[data-status=done]", timeout=60_000)
    assert "考核报告.pdf" in page.locator("#job-status").inner_text()
    page.screenshot(path=SHOTS / "dashboards-export-job.png", full_page=True)

    # The district's leader, signed in afresh: the pass rate of its towns.
    page.context.clear_cookies()
    login(page, base, "qy_leader")
    page.goto(f"{base}/dashboards/league/?standard=wudu_xian&unit=QY")
    _charts_drawn(page)
    assert page.locator("[data-chart=chart-gauge]").count() == 1
    page.screenshot(path=SHOTS / "dashboards-district-passrate.png", full_page=True)
    page.goto(f"{base}/dashboards/")
    _charts_drawn(page)
    page.screenshot(path=SHOTS / "dashboards-district-index.png", full_page=True)

    assert_local(requests)
    assert not [f for f in failures if "favicon" not in f[1]], failures


def _run_and_score_sheet_on_a_phone(page: Any, sheet: str) -> None:
    """The list of runs, a run's results and a unit's score sheet at 390 px: a card per run,
    its standard's name first on a line of its own; a card per unit, its name on one line;
    a card per indicator, its name on a line of its own, the method, figure, score and
    points on the next; nothing wider than the screen."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(sheet.split("/assessment/")[0] + "/assessment/")  # the list of runs
    assert not page.locator(".run-list thead").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")
    card = page.locator(".run-list tbody tr").first
    title = card.locator("td.run-standard")
    assert title.evaluate("e => e.getBoundingClientRect().width") > 0.9 * card.evaluate(
        "e => e.getBoundingClientRect().width")  # the standard's name on its own line
    assert title.evaluate("e => e.getBoundingClientRect().top") < card.locator(
        "td").first.evaluate("e => e.getBoundingClientRect().top")  # and first
    page.screenshot(path=SHOTS / "assessment-runs-390.png", full_page=True)
    page.goto(sheet.split("/u/")[0] + "/")
    assert not page.locator(".run-results thead").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")
    name = page.locator(".run-results td.run-unit").first
    assert name.evaluate("e => e.getBoundingClientRect().height") < 2 * float(
        name.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 24"))
    page.screenshot(path=SHOTS / "assessment-run-390.png", full_page=True)
    page.goto(sheet)
    assert not page.locator(".score-sheet thead").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")
    rows = page.locator(".score-sheet tbody tr:not(.item-head)")
    assert rows.count() > 10
    for k in (0, rows.count() - 1):
        row = rows.nth(k)
        box = row.evaluate("e => e.getBoundingClientRect().width")
        name = row.locator("td.sheet-name").evaluate("e => e.getBoundingClientRect().width")
        assert name > 0.9 * box  # the name's own line
        tops = [row.locator(f"td.{c}").evaluate("e => e.getBoundingClientRect().top")
                for c in ("sheet-method", "sheet-value", "sheet-score", "sheet-max")]
        assert max(tops) - min(tops) < 12, tops  # one line of figures
        label = row.locator("td.sheet-score").evaluate(
            "e => getComputedStyle(e, '::before').content")
        assert "得分" in label
    page.screenshot(path=SHOTS / "assessment-unit-390.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(sheet)
    assert page.locator(".score-sheet thead").is_visible()
    page.screenshot(path=SHOTS / "assessment-unit.png", full_page=True)


# Items of a 文明社区 community whose explanation is read in both languages: a rate
# against its target, a count over three years, a yes/no veto item and a reviewer's item.
EXPLAINED = ("mediation_rate", "no_major_fire_3y", "no_unplanned_births")
CJK = re.compile(r"[\u4e00-\u9fff]")


def _explanations_in_both_languages(page: Any, items: str) -> None:
    """``items``: the URL of 幸福里社区's items in the current 考核 run, up to ``/i/``."""
    base = items.split("/assessment/")[0]
    for code in EXPLAINED:
        page.goto(f"{items}{code}/")
        target = page.locator(".card:has(.bi-bullseye) li").last.inner_text()
        assert target.startswith(("目标：", "适用")), target
        page.screenshot(path=SHOTS / f"explain-{code}-zh.png", full_page=True)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    for code in EXPLAINED:
        page.goto(f"{items}{code}/")
        assert page.locator("html").get_attribute("lang") == "en"
        target = page.locator(".card:has(.bi-bullseye) li").last.inner_text()
        note = page.locator(".card:has(.bi-award) .card-body").inner_text()
        # The target and how it was scored are English sentences; only names (of the
        # unit, the items, the categories) are Chinese, as the standard writes them.
        for text in (target, note):
            assert not CJK.search(re.sub(r"城镇|农村", "", text)), text
        assert target.startswith(("Target:", "target for")), target
        page.screenshot(path=SHOTS / f"explain-{code}-en.png", full_page=True)
    # On a phone the English pages fit too: a wide table scrolls inside its card.
    page.set_viewport_size({"width": 390, "height": 844})
    for code in EXPLAINED:
        page.goto(f"{items}{code}/")
        assert page.evaluate("document.documentElement.scrollWidth <= "
                             "document.documentElement.clientWidth"), code
        page.screenshot(path=SHOTS / f"explain-{code}-en-390.png", full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base}])
