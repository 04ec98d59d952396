"""The trend inside a year (逐月趋势): each month's own figure and the year so far, from
the units' monthly rollups, by the elements' own rules; the year so far at December is
the year's value."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from chuangjian.assessment import months, selectors
from chuangjian.assessment.compute import unit_inputs
from chuangjian.assessment.dashboards import charts
from chuangjian.assessment.spec import StandardSpec, spec_for
from chuangjian.engine.periods import Period
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import rollups
from chuangjian.reporting.models import DataValue
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.standards.models import DataElement, StandardVersion

YAML = Path(__file__).with_name("months_standard.yaml")
YEAR = 2026
END = dt.date(YEAR + 1, 1, 5)


@pytest.fixture
def spec(world: World) -> StandardSpec:
    result = loader.load_paths([YAML])
    assert result.ok, result.errors
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    return spec_for(StandardVersion.objects.get(code="test_months"))


def _report(unit_id: int, code: str, period: Period, value: float) -> None:
    element = DataElement.objects.get(code=code)
    DataValue.objects.create(unit_id=unit_id, element=element, period=str(period),
                             period_type=period.type.value, period_start=period.start,
                             number=Decimal(str(value)), updated_at=timezone.now())


@pytest.fixture
def reported(world: World, spec: StandardSpec) -> World:
    # 幸福里 and 南门 report each month; 南门 skips March. The street adds them up.
    for month in range(1, 13):
        m = Period.month(YEAR, month)
        _report(world.community.pk, "mo_done", m, 9)
        _report(world.community.pk, "mo_total", m, 10)
        _report(world.community.pk, "mo_stock", m, month)
        if month != 3:
            _report(world.community2.pk, "mo_done", m, 10)
            _report(world.community2.pk, "mo_total", m, 10)
    for quarter in (1, 2, 3):
        _report(world.community.pk, "qu_count", Period.quarter(YEAR, quarter), 2)
    _report(world.community.pk, "yr_count", Period.year(YEAR), 3)
    rollups.rebuild()
    return world


def test_a_monthly_rate_is_drawn_month_by_month_and_as_the_year_so_far(
        reported: World, spec: StandardSpec) -> None:
    w = reported
    got = months.within_year(spec, "mo_rate", w.street, YEAR, as_of=END)
    assert [str(f.period) for f in got] == [f"{YEAR}-{m:02d}" for m in range(1, 13)]
    assert got[0].value == pytest.approx(95.0)     # (9 + 10) / (10 + 10)
    assert got[2].value == pytest.approx(90.0)     # March: 幸福里 alone
    assert got[2].to_date == pytest.approx(100 * (19 + 19 + 9) / (20 + 20 + 10))
    # December's year so far is the year's value, as the assessment reads it.
    year = unit_inputs(spec, w.street, YEAR, ["mo_done", "mo_total"], 0)
    done, total = year.value("mo_done", 0).get(), year.value("mo_total", 0).get()
    assert done is not None and total
    assert got[-1].to_date == pytest.approx(100 * done / total)


def test_a_stock_so_far_is_the_latest_month_and_only_ended_months_are_drawn(
        reported: World, spec: StandardSpec) -> None:
    got = months.within_year(spec, "mo_stock_ind", reported.community, YEAR,
                             as_of=dt.date(YEAR, 5, 20))
    assert [f.value for f in got] == [1, 2, 3, 4]    # May is still under way
    assert [f.to_date for f in got] == [1, 2, 3, 4]


def test_quarterly_data_give_quarters_and_yearly_data_no_trend_inside_the_year(
        reported: World, spec: StandardSpec) -> None:
    w = reported
    got = months.within_year(spec, "qu_ind", w.community, YEAR, as_of=END)
    assert [f.value for f in got] == [2, 2, 2, None]
    assert [f.to_date for f in got] == [2, 4, 6, 6]
    assert months.within_year(spec, "yr_ind", w.community, YEAR, as_of=END) == []
    # A formula that reads the year before cannot be drawn month by month.
    assert months.within_year(spec, "mo_growth", w.community, YEAR, as_of=END) == []
    # Nothing reported: nothing to draw.
    assert months.within_year(spec, "mo_rate", w.other_community, YEAR, as_of=END) == []


def test_the_chart_gets_words_months_and_a_sensible_axis(reported: World,
                                                        spec: StandardSpec) -> None:
    w = reported
    points = selectors.within_year(scope=Scope.for_user(w.street_leader), unit=w.street,
                                   spec=spec, indicator_code="mo_rate", year=YEAR, as_of=END)
    assert points[0].label == "1月" and points[0].shown == "95%"
    option = charts.within_year(points, 90.0, name="完成率", unit_label="%")
    assert option["xAxis"]["data"][:3] == ["1月", "2月", "3月"]
    own, so_far = option["series"]
    assert own["name"] == "当月" and so_far["name"] == "1月起累计"
    assert so_far["markLine"]["data"] == [{"yAxis": 90.0}]
    assert (option["yAxis"]["min"], option["yAxis"]["max"]) == (0, 100)   # a rate: 0–100%
    counts = selectors.within_year(scope=Scope.system(), unit=w.community, spec=spec,
                                   indicator_code="qu_ind", year=YEAR, as_of=END)
    option = charts.within_year(counts, 4.0, name="季度次数", unit_label="次")
    assert option["xAxis"]["data"] == ["第1季度", "第2季度", "第3季度", "第4季度"]
    assert option["series"][0]["type"] == "bar"
    # A count from 0, with room above the year so far (6) for its label.
    assert (option["yAxis"]["min"], option["yAxis"]["max"]) == (0, 8)


def test_an_outsider_cannot_read_another_streets_months(reported: World,
                                                       spec: StandardSpec) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.within_year(scope=Scope.for_user(reported.outsider), unit=reported.street,
                              spec=spec, indicator_code="mo_rate", year=YEAR, as_of=END)


@pytest.mark.parametrize(("suffix", "numbers", "want"), [
    ("%", [82.0, 90.0], (0, 100)),
    ("%", [126.0], (0, 130)),
    ("%", [-12.0, 40.0], (-15, 100)),
    ("次", [3.0], (0, 4)),
    ("次", [None], (0, 1)),
    ("件", [118.0], (0, 150)),
])
def test_axes_start_at_zero_and_stop_a_little_above_the_data(
        suffix: str, numbers: list[float | None], want: tuple[float, float]) -> None:
    axis = charts.axis_range(suffix, numbers)
    assert (axis["min"], axis["max"]) == want
