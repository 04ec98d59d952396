"""The report form shows register-backed figures read-only, each opening its rows; a level
above the community sees counts, never names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from chuangjian.engine.periods import Period, PeriodType
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.registers.models import (
    Household,
    MediationCase,
    MediationOutcome,
    MediationParty,
    Person,
)
from chuangjian.reporting.datasets import MergedDataset, catalog
from chuangjian.standards import actions as standards_actions
from chuangjian.standards.loader import load_builtin


@pytest.fixture
def builtin(db: None) -> None:
    standards_actions.load_standards(actor=None, result=load_builtin(), scope=Scope.system())


@pytest.fixture
def cases(world: World) -> None:
    zhang = Person.objects.create(unit=world.community, name="张三丰", birth_date=dt.date(1970, 1, 1))
    for day, outcome in [(dt.date(2025, 3, 1), MediationOutcome.SUCCEEDED),
                         (dt.date(2025, 5, 1), MediationOutcome.SUCCEEDED),
                         (dt.date(2025, 8, 1), MediationOutcome.FAILED)]:
        case = MediationCase.objects.create(unit=world.community, kind="邻里纠纷",
                                            summary="楼上漏水", received_on=day, outcome=outcome)
        MediationParty.objects.create(case=case, person=zhang, name=zhang.name)


def yearly(world: World) -> MergedDataset:
    return next(d for d in catalog().for_unit(world.community, 2026).values()
                if d.period_type is PeriodType.YEAR)


def test_the_yearly_report_asks_for_no_register_backed_element_and_shows_them(
        builtin: None, cases: None, world: World) -> None:
    ds = yearly(world)
    typed = {e.code for e in ds.elements}
    shown = {e.code for e in ds.computed}
    assert {"households_total", "green_area", "activity_space_area",
            "corridor_lights_installed"} <= shown
    assert not typed & shown
    page = world.client_for(world.community_worker).get(
        reverse("reporting:form", args=[world.community.code, ds.code, "2026"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "由名册和台账自动计算" in text
    assert reverse("registers:rows", args=["households_total", world.community.code, "2026"]) in text
    assert 'name="v_households_total"' not in text


def test_the_community_opens_the_rows_behind_its_mediation_figure(cases: None, world: World) -> None:
    url = reverse("registers:rows", args=["disputes_mediated", world.community.code, "2025"])
    page = world.client_for(world.community_worker).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count("楼上漏水") == 2 and "调解成功" in text
    assert 'id="element-total">2<' in text


def test_a_street_leader_sees_counts_not_names(cases: None, world: World) -> None:
    client = world.client_for(world.street_leader)
    street = client.get(reverse("registers:rows", args=["disputes_total", world.street.code,
                                                        "2025"])).content.decode()
    assert 'id="element-total">3<' in street and world.area.name in street
    community = client.get(reverse("registers:rows", args=["disputes_total",
                                                           world.community.code, "2025"]))
    text = community.content.decode()
    assert community.status_code == 200 and 'id="counts-only"' in text
    assert "楼上漏水" not in text and "张三丰" not in text


def test_an_outsider_cannot_open_another_streets_rows(cases: None, world: World) -> None:
    url = reverse("registers:rows", args=["disputes_total", world.community.code, "2025"])
    assert world.client_for(world.outsider).get(url).status_code == 404


def test_an_unknown_element_or_period_is_not_found(world: World) -> None:
    client = world.client_for(world.community_worker)
    for element, period in [("no_such_element", "2025"), ("disputes_total", "2025-13")]:
        url = reverse("registers:rows", args=[element, world.community.code, period])
        assert client.get(url).status_code == 404


def test_the_explanation_of_a_score_links_the_subtree_figure(cases: None, world: World) -> None:
    from chuangjian import sources

    source = sources.source_for("disputes_mediated")
    assert source is not None
    [record] = source.records("disputes_mediated", Period.year(2025), world.street.pk)
    assert record.value == 2 and "张三丰" not in record.label
    assert record.url == reverse("registers:rows", args=["disputes_mediated", world.street.code,
                                                         "2025"])


def test_a_typed_figure_is_checked_against_the_register(builtin: None, world: World) -> None:
    from chuangjian.reporting.actions import check_values

    home = Household.objects.create(unit=world.community, address="幸福里1幢101室")
    Person.objects.create(unit=world.community, household=home, name="甲",
                          birth_date=dt.date(1970, 1, 1))
    ds = yearly(world)
    assert any({"households_in_activities", "households_total"} <= r.names
               for r in ds.cross_rules)
    too_many = check_values(world.community, ds, Period.year(2026),
                            {"households_in_activities": "5"}, complete=False)
    assert "居民户总数 1" in too_many.errors["households_in_activities"]
    fits = check_values(world.community, ds, Period.year(2026),
                        {"households_in_activities": "1"}, complete=False)
    assert "households_in_activities" not in fits.errors


def test_a_submission_reads_only_the_computed_figures_its_cross_rules_name(
        builtin: None, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from chuangjian import sources
    from chuangjian.reporting.actions import check_values

    ds = yearly(world)
    named = {n for r in ds.cross_rules for n in r.names}
    computed = {e.code for e in ds.computed}
    assert computed - named  # the form shows more than the rules read
    asked: list[str] = []
    real = sources.source_for

    def spying(code: str) -> sources.Source | None:
        asked.append(code)
        return real(code)

    monkeypatch.setattr(sources, "source_for", spying)
    check_values(world.community, ds, Period.year(2026), {"households_in_activities": "0"},
                 complete=False)
    assert set(asked) & computed == named & computed
