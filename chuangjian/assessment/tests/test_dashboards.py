"""The dashboards: scoped, pinned in queries whatever the number of units, every number
linked to its explanation, charts handed over as JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chuangjian.assessment import actions, selectors
from chuangjian.assessment.items import items_of
from chuangjian.assessment.tests import dashboards_fixtures
from chuangjian.assessment.tests.conftest import Small
from chuangjian.jobs.models import Job, JobStatus
from chuangjian.org import actions as org_actions
from chuangjian.org.levels import Level
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope

assessed = dashboards_fixtures.assessed
assess = dashboards_fixtures.assess

PAGES = ["scorecard", "league", "heatmap", "trend", "risk", "compare"]


def url(name: str, **params: Any) -> str:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse(f'dashboards:{name}')}?{query}"


def chart(html: str, element_id: str) -> dict[str, Any]:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html,
                      re.S)
    assert found, f"no chart {element_id}"
    return json.loads(found.group(1))


def test_the_index_opens_the_readers_own_unit_at_the_latest_year(assessed: Small) -> None:
    w = assessed.world
    page = w.client_for(w.community_worker).get(reverse("dashboards:index"), follow=True)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0].startswith(reverse("dashboards:scorecard"))
    p = page.context["p"]
    assert (p.unit, p.standard_code, p.year, p.kind) == (w.community, "test_small", 2027,
                                                         "review")
    # A street is not scored on this standard's main sheet: its index shows its units.
    page = w.client_for(w.street_leader).get(reverse("dashboards:index"), follow=True)
    assert page.context["p"].unit == w.street


def test_the_scorecard_links_every_number_to_its_explanation(assessed: Small) -> None:
    w = assessed.world
    page = w.client_for(w.street_leader).get(url("scorecard", standard="test_small", year=2027,
                                                 unit=w.community.code))
    html = page.content.decode()
    card = page.context["card"]
    assert card.unit == w.community and card.previous_total is not None
    for row in card.rows:
        assert html.count(f'href="{row.explain_url}"') >= 2, row.code  # value and points
    assert "基本项目" in html and "比 2026 年" in html
    assert chart(html, "chart-items")["yAxis"]["data"] == ["基本项目"]
    assert "考核合格" in html or "未达到合格分" in html


def test_a_vetoed_unit_shows_the_veto_banner_with_the_item(assessed: Small) -> None:
    w = assessed.world
    html = w.client_for(w.street_leader).get(url("scorecard", standard="test_small", year=2026,
                                                 unit=w.community2.code)).content.decode()
    assert "一票否决，考核不合格" in html
    banner = html[html.index("一票否决，考核不合格"):html.index("一票否决，考核不合格") + 600]
    assert "无火灾" in banner


def test_the_league_ranks_the_units_with_last_years_change_and_a_bar_chart(assessed: Small
                                                                           ) -> None:
    w = assessed.world
    page = w.client_for(w.street_leader).get(url("league", standard="test_small", year=2027,
                                                 unit=w.street.code))
    html = page.content.decode()
    rows = page.context["rows"]
    assert [r.unit for r in rows] == [w.community, w.community2]
    bars = chart(html, "chart-league")
    assert bars["xAxis"]["data"] == ["幸福里社区", "南门社区"]
    assert bars["series"][0]["markLine"]["data"][0]["yAxis"] == 60
    change = {r.unit: c for r, c in page.context["table"]}
    assert change[w.community] is not None  # 2026 → 2027 for the same kind
    # The gauge shows the standard's own share indicator for the street (pass_share: the
    # share of its communities meeting done_rate), the figure its target is set for.
    gauge = chart(html, "chart-gauge")
    card = selectors.scorecard(scope=Scope.system(), unit=w.street, standard_code="test_small",
                               year=2027)
    assert card is not None
    share = next(r for r in card.rows if r.code == "pass_share")
    assert share.value is not None
    assert gauge["series"][-1]["data"][0]["value"] == round(share.value, 1)
    assert f'href="{share.explain_url}"' in html


def test_the_pass_rate_gauge_marks_the_years_target(assessed: Small) -> None:
    w = assessed.world
    page = w.client_for(w.street_leader).get(url("league", standard="test_small", year=2027,
                                                 unit=w.street.code))
    gauge = chart(page.content.decode(), "chart-gauge")
    # test_small's street-level pass_share: ≥ 60% in 2027 — the arc turns green there.
    marker, dial = gauge["series"]
    assert marker["data"][0]["value"] == 60 and marker["pointer"]["show"]
    assert dial["axisLine"]["lineStyle"]["color"][0][0] == 0.6
    assert "目标 60%" in dial["data"][0]["name"]


def test_the_heat_map_has_a_cell_per_unit_and_indicator_and_a_table(assessed: Small) -> None:
    w = assessed.world
    page = w.client_for(w.district_admin).get(url("heatmap", standard="test_small", year=2027,
                                                  unit=w.street.code))
    html = page.content.decode()
    heat = chart(html, "chart-heat")
    assert heat["yAxis"]["data"] == ["南门社区", "幸福里社区"]  # the first unit on top
    cells = heat["series"][0]["data"] + heat["series"][1]["data"]
    assert len(cells) == 2 * 6
    sample = next(c for c in cells if c["unit"] == "幸福里社区" and c["ind"] == "完成率")
    assert sample["shown"] == "86%" and "90%" in sample["target"]
    assert sample["url"].endswith("/i/done_rate/")
    assert "<caption" in html and html.count('<th scope="row">') == 2


def test_the_trend_draws_each_year_and_the_target_line(assessed: Small) -> None:
    w = assessed.world
    page = w.client_for(w.community_worker).get(url("trend", standard="test_small", year=2027,
                                                    unit=w.community.code, ind="done_rate"))
    line = chart(page.content.decode(), "chart-trend")
    assert line["xAxis"]["data"] == ["2026", "2027"]
    assert [p["value"] for p in line["series"][0]["data"]] == [80.0, 86.0]
    assert line["series"][1]["name"] == "目标" and line["series"][1]["data"] == [90.0, 90.0]


def test_the_risk_list_shows_what_the_selector_flags(assessed: Small) -> None:
    w = assessed.world
    actions.start_run(actor=None, standard_code="test_small", year=2027, kind="review",
                      today=dt.date(2027, 6, 30), scope=Scope.system())
    risks = selectors.at_risk(scope=Scope.system(), root=w.street, standard_code="test_small",
                              year=2027)
    assert risks, "the half-year run projects 南门社区 below its target"
    page = w.client_for(w.street_leader).get(url("risk", standard="test_small", year=2027,
                                                 unit=w.street.code))
    html = page.content.decode()
    for r in risks:
        assert f'href="{r.url}"' in html
    assert chart(html, "chart-risk")["series"][0]["data"]


def test_the_kinds_are_compared_side_by_side(assessed: Small) -> None:
    w = assessed.world
    page = w.client_for(w.community_worker).get(url("compare", standard="test_small", year=2027,
                                                    unit=w.community.code))
    html = page.content.decode()
    labels = [label for _k, label, _r, card in page.context["cmp"].columns if card]
    assert labels == ["自查", "考核"]
    # The reviewer scored 考核 only: the row differs between the two and is marked.
    assert page.context["differing"] >= 1 and 'class="differs"' in html


def test_the_outsider_sees_none_of_another_streets_dashboards(assessed: Small) -> None:
    w = assessed.world
    client = w.client_for(w.outsider)
    for name in PAGES:
        for unit in (w.street, w.community, w.district):
            assert client.get(url(name, standard="test_small", unit=unit.code)).status_code == 404
    # Their own unit works, and the unit list offers nothing of 城关街道.
    page = client.get(url("scorecard", standard="test_small"))
    assert page.status_code == 200 and page.context["p"].unit == w.other_community
    assert "幸福里社区" not in page.content.decode()
    assert client.post(reverse("dashboards:export"), {
        "standard": "test_small", "year": 2027, "unit": w.street.code, "what": "scoresheet",
        "format": "xlsx"}).status_code == 404
    anonymous = Client().get(url("scorecard"))
    assert anonymous.status_code == 302


def test_an_export_button_starts_a_job_and_the_job_page_offers_the_file(
        assessed: Small, django_capture_on_commit_callbacks: Any) -> None:
    w = assessed.world
    client = w.client_for(w.street_leader)
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("dashboards:export"), {
            "standard": "test_small", "year": 2027, "kind": "review", "unit": w.street.code,
            "what": "scoresheet", "format": "xlsx"})
    job = Job.objects.get()
    assert page.status_code == 302 and page["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.DONE, job.message
    assert job.filename == "2027年城关街道测试用小标准考核考核评分表.xlsx"
    assert client.get(reverse("jobs:download", args=[job.pk])).status_code == 200
    # A bad request starts nothing and says why.
    page = client.post(reverse("dashboards:export"), {
        "standard": "test_small", "unit": w.street.code, "what": "virus", "format": "exe"},
        follow=True)
    assert Job.objects.count() == 1 and "无法导出" in page.content.decode()


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_each_page_runs_a_pinned_number_of_queries_whatever_the_number_of_units(
        assessed: Small, django_assert_max_num_queries: Any) -> None:
    w = assessed.world
    client = w.client_for(w.street_leader)
    # Session, user, scope and the nav's roles are 4; the picker 3; whether the figures
    # wait for a refresh 1 (「数据更新中」); the rest the selectors'. The warning page
    # finds the league's units as the league does (2 queries for units not directly
    # below, as here).
    pinned = {"scorecard": 12, "league": 20, "heatmap": 11, "trend": 10, "risk": 11,
              "compare": 17}
    pages = {name: url(name, standard="test_small", year=2027,
                       unit=(w.community if name in ("scorecard", "trend", "compare")
                             else w.street).code) for name in PAGES}
    before = {}
    for name, path in pages.items():
        with django_assert_max_num_queries(pinned[name]):
            client.get(path)
        before[name] = _queries(client, path)
    # Five more communities with results: not one more query on any page.
    for n in range(3, 8):
        unit = org_actions.create_unit(actor=None, code=f"T-01-A-0{n}", name=f"新建{n}社区",
                                       level=Level.COMMUNITY, parent=w.area, category="城镇",
                                       opened_on=dt.date(2020, 1, 1), scope=Scope.system())
        assessed.report(unit, 2027, t_done=30 + n, t_total=50, t_events=n)
    assess(assessed, years=(2027,))
    assert Unit.objects.filter(parent=w.area).count() == 7
    after = {name: _queries(client, path) for name, path in pages.items()}
    assert after == before


def test_the_gauge_puts_the_years_target_beside_the_indicator_not_the_pass_count(
        assessed: Small) -> None:
    w = assessed.world
    page = w.client_for(w.street_leader).get(url("league", standard="test_small", year=2027,
                                                 unit=w.street.code))
    html = page.content.decode()
    share, rate = page.context["share"], page.context["rate"]
    verdict = "达到年度目标" if share.status == 1 else "未达年度目标"
    # The verdict follows the indicator it judges, on the same line.
    line = html[html.index(f'href="{share.explain_url}">{share.name}</a>'):]
    line = line[:line.index("</div>")]
    assert share.display in line and verdict in line
    # The overall pass count stands on its own line with no verdict of its own.
    count = f"考核合格 {rate.passed} / {rate.children} 个单位"
    count_line = html[html.index(count):]
    count_line = count_line[:count_line.index("</div>")]
    assert "年度目标" not in count_line
    assert page.context["share_differs"] == (abs(share.value - rate.rate) > 0.005)


def test_an_unreviewed_reviewer_item_is_grey_and_awaits_review(assessed: Small) -> None:
    w = assessed.world
    # 南门社区's 制度落实 was never scored; 幸福里社区's was (24 of 30, with a comment).
    waiting = selectors.scorecard(scope=Scope.system(), unit=w.community2, standard_code="test_small",
                                  year=2027)
    scored = selectors.scorecard(scope=Scope.system(), unit=w.community, standard_code="test_small",
                                 year=2027)
    assert waiting is not None and scored is not None
    row = next(r for r in waiting.rows if r.code == "rules_review")
    assert row.pending and row.light == "grey" and row.status_label == "待评审"
    done = next(r for r in scored.rows if r.code == "rules_review")
    assert not done.pending and done.light == "amber"
    html = w.client_for(w.street_leader).get(row.explain_url).content.decode()
    assert '<span class="light light-grey"></span>待评审' in html
    assert "light-amber" not in html


def test_a_heat_map_cell_shows_the_target_applied_to_that_unit(assessed: Small) -> None:
    from chuangjian.assessment.models import UnitResult

    w = assessed.world
    page = w.client_for(w.district_admin).get(url("heatmap", standard="test_small", year=2027,
                                                  unit=w.street.code))
    html = page.content.decode()
    heat = chart(html, "chart-heat")
    run = page.context["hm"].run
    for cell in heat["series"][0]["data"] + heat["series"][1]["data"]:
        unit = Unit.objects.get(name=cell["unit"])
        code = cell["url"].rstrip("/").rsplit("/", 1)[-1]
        applied = items_of(UnitResult.objects.get(run=run, unit=unit))[code].get("t")
        if applied:
            assert cell["target"] == applied, (cell["unit"], code)
            assert f'title="目标：{applied}"' in html
