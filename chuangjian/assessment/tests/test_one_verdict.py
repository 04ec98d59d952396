"""One truth per figure: a unit's verdict (考核结论) and the count of units with warnings
(有预警) read the same on the league table, the scorecard, the run's pages, the
comparison of kinds, the warning page and the exports — each asks one function."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from chuangjian.assessment import selectors
from chuangjian.assessment.models import UnitResult
from chuangjian.assessment.tests import dashboards_fixtures
from chuangjian.assessment.tests.conftest import Small
from chuangjian.assessment.verdicts import Verdict, judge, pass_mark_of, verdict_of
from chuangjian.engine.targets import TargetStatus
from chuangjian.org.scope import Scope

assessed = dashboards_fixtures.assessed

VERDICT = re.compile(r'data-verdict="([a-z-]+)">([^<]+)<')


def _with_state(stored: dict[str, Any], code: str, state: int,
                like: dict[str, Any] | None = None) -> dict[str, Any]:
    """A row's stored items with ``code``'s verdict set to ``state``; the item is taken
    from ``like`` (another row's stored items) when the row has none."""
    out = {key: list(value) if key in COLUMNS else value for key, value in stored.items()}
    if code not in out["k"]:
        assert like is not None
        for key in COLUMNS:
            out[key].append(like[key][like["k"].index(code)])
    out["s"][out["k"].index(code)] = int(state)
    return out


COLUMNS = ("k", "v", "m", "s", "a", "p", "r", "pv")


def _query(**params: Any) -> str:
    return "&".join(f"{k}={v}" for k, v in params.items())


def _verdicts(html: str) -> list[tuple[str, str]]:
    return VERDICT.findall(html)


def test_each_unit_reads_the_same_verdict_on_every_page(assessed: Small) -> None:
    w = assessed.world
    client = w.client_for(w.street_leader)
    q = _query(standard="test_small", year=2026, kind="review")
    league = client.get(f"{reverse('dashboards:league')}?{q}&unit={w.area.code}")
    rows = league.context["rows"]
    assert len(rows) == 2
    on_league = _verdicts(league.content.decode())
    assert len(on_league) == len(rows)
    seen = set()
    for row, shown in zip(rows, on_league, strict=True):
        expected = verdict_of(row.result)
        assert shown == (expected.value, expected.label)
        seen.add(expected)
        card = client.get(f"{reverse('dashboards:scorecard')}?{q}&unit={row.unit.code}")
        html = card.content.decode()
        # The banner says it as a sentence; the stat beside the tier in the same words.
        assert expected.headline in html
        assert _verdicts(html) == [shown]
        unit_page = client.get(reverse("assessment:unit", args=[row.result.run_id, row.unit.pk]))
        assert _verdicts(unit_page.content.decode()) == [shown]
        compare = client.get(f"{reverse('dashboards:compare')}?{q}&unit={row.unit.code}")
        assert shown in _verdicts(compare.content.decode())
    run_page = client.get(reverse("assessment:run", args=[rows[0].result.run_id]))
    listed = dict(zip([r.unit.name for r in run_page.context["rows"]],
                      _verdicts(run_page.content.decode()), strict=True))
    for row, shown in zip(rows, on_league, strict=True):
        assert listed[row.unit.name] == shown
    assert Verdict.VETOED in seen     # 测试社区二 reports a fire


def test_a_unit_above_the_pass_mark_with_a_veto_item_unknown_is_not_called_failed(
        assessed: Small) -> None:
    w = assessed.world
    result = UnitResult.objects.get(run__current=True, run__year=2026, run__kind="review",
                                    unit=w.community)
    # As the engine stores it when 无火灾's figure is missing: not passed, not vetoed.
    items = _with_state(result.items, "no_fire", TargetStatus.UNKNOWN)
    UnitResult.objects.filter(pk=result.pk).update(passed=False, vetoed=False, items=items,
                                                   total=75)
    result.refresh_from_db()
    judged = judge(result)
    assert judged.verdict == Verdict.UNDETERMINED
    assert [name for _code, name in judged.veto_unknown] == ["无火灾"]
    client = w.client_for(w.street_leader)
    q = _query(standard="test_small", year=2026, kind="review")
    league = client.get(f"{reverse('dashboards:league')}?{q}&unit={w.area.code}").content.decode()
    card = client.get(f"{reverse('dashboards:scorecard')}?{q}&unit={w.community.code}"
                      ).content.decode()
    assert ("undecided", "暂不能判定合格") in _verdicts(league)
    assert _verdicts(card) == [("undecided", "暂不能判定合格")]
    assert "未达到合格分" not in card and "不合格" not in re.sub(r"一票否决，考核不合格", "", card)


def test_the_league_and_the_warning_page_count_the_same_units(assessed: Small) -> None:
    w = assessed.world
    client = w.client_for(w.street_leader)
    for unit in (w.street, w.area):
        q = _query(standard="test_small", year=2026, kind="review", unit=unit.code)
        league = client.get(f"{reverse('dashboards:league')}?{q}")
        risk = client.get(f"{reverse('dashboards:risk')}?{q}")
        run = selectors.current_run(scope=Scope.for_user(w.street_leader), unit=unit,
                                    standard_code="test_small", year=2026, kind="review")
        assert run is not None
        warned = selectors.warned(scope=Scope.for_user(w.street_leader), run=run, parent=unit)
        assert league.context["counts"]["risk"] == risk.context["units"] == len(warned), unit


def test_a_rate_trend_of_one_year_keeps_its_axis_at_0_to_100_percent() -> None:
    from types import SimpleNamespace

    from chuangjian.assessment.dashboards import charts
    from chuangjian.engine.targets import TargetStatus

    one = [SimpleNamespace(year=2026, value=82.0, display="82%", status=TargetStatus.NOT_MET)]
    axis = charts.trend(one, [90.0], name="完成率", unit_label="%")["yAxis"]
    assert (axis["min"], axis["max"]) == (0, 100)
    over = [SimpleNamespace(year=2026, value=126.0, display="126%", status=TargetStatus.MET)]
    assert charts.trend(over, [100.0], name="超额率", unit_label="%")["yAxis"]["max"] == 130
    # A count starts at 0 and leaves room above its largest figure for the label.
    axis = charts.trend(one, [3.0], name="活动次数", unit_label="次")["yAxis"]
    assert (axis["min"], axis["max"]) == (0, 100)


def test_the_league_chart_names_every_unit_without_overlap(assessed: Small) -> None:
    from chuangjian.assessment.dashboards import charts

    w = assessed.world
    rows = selectors.league(scope=Scope.system(), parent=w.district, standard_code="test_small",
                            year=2026)
    label = charts.league_bars(rows, pass_mark=60)["xAxis"]["axisLabel"]
    # Each name wraps within its own column and all are shown; where the columns are
    # narrower than a name needs (a phone, many units), the page script turns them.
    option = charts.league_bars(rows * 4, pass_mark=60)
    assert label["interval"] == 0 and label["overflow"] == "break" and "rotate" not in label
    assert option["_fit"] == 72 and option["xAxis"]["axisLabel"]["interval"] == 0


def _street_sheet(assessed: Small) -> UnitResult:
    result = UnitResult.objects.get(run__current=True, run__year=2026, run__kind="review",
                                    unit=assessed.world.street)
    assert result.sheet == "street" and result.base_max == 10  # its one item, pass_share
    return result


def test_a_level_sheet_is_judged_against_the_pass_mark_scaled_to_its_own_maximum(
        assessed: Small) -> None:
    street = _street_sheet(assessed)
    standard = street.run.standard
    assert (standard.pass_mark, standard.total) == (60, 100)
    assert pass_mark_of(street, standard) == 6.0   # 60 of 100 on a sheet of 10 points
    community = UnitResult.objects.get(run=street.run, unit=assessed.world.community)
    assert pass_mark_of(community, standard) == 60
    # Over the sheet's mark, a veto item not yet judged: undecided, not failed (the
    # unscaled 60 would call every total of a 10-point sheet a failure).
    items = _with_state(street.items, "no_fire", TargetStatus.UNKNOWN, like=community.items)
    UnitResult.objects.filter(pk=street.pk).update(passed=False, vetoed=False, total=7,
                                                   items=items)
    street.refresh_from_db()
    assert judge(street).verdict == Verdict.UNDETERMINED
    UnitResult.objects.filter(pk=street.pk).update(total=5)
    street.refresh_from_db()
    assert judge(street).verdict == Verdict.FAILED


def test_the_scorecard_of_a_failed_level_sheet_names_the_sheets_own_pass_mark(
        assessed: Small) -> None:
    w = assessed.world
    street = _street_sheet(assessed)
    UnitResult.objects.filter(pk=street.pk).update(passed=False, vetoed=False, total=2)
    client = w.client_for(w.street_leader)
    q = _query(standard="test_small", year=2026, kind="review", unit=w.street.code)
    card = client.get(f"{reverse('dashboards:scorecard')}?{q}").content.decode()
    assert "未达到合格分，考核不合格" in card
    assert "合格分 6 分" in card and "合格分 60 分" not in card
