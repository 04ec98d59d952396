"""Titles live on: recorded from a city's naming, counted by the 2211 elements, re-checked
every year and withdrawn (摘牌) with a reason; district quotas follow 篇13's 「1:1」."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangjian.assessment import actions as assessment_actions
from chuangjian.assessment.items import items_of
from chuangjian.assessment.models import UnitResult
from chuangjian.awards import actions, selectors
from chuangjian.awards.models import Title, TitleState
from chuangjian.awards.tests.conftest import NOW, family
from chuangjian.engine.periods import Period
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.registers.models import FamilyHonour
from chuangjian.sources import source_for
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader


def _record(world: World, scheme: str, holder: object, name: str, *, level: str = "city",
            year: int = 2026) -> Title:
    return actions.record_title(scope=Scope.for_user(world.district_admin), actor=world.district_admin,
                                scheme_code=scheme, level=level, year=year, recorder=world.district,
                                holder=holder, name=name, document="市爱卫会《关于命名2026年度先进的决定》",
                                named_on=dt.date(year, 11, 20))


def _value(code: str, unit_id: int, year: int = 2026) -> float:
    source = source_for(code)
    assert source is not None
    return source.values(code, Period.year(year), [unit_id])[unit_id]


def test_titles_feed_the_2211_elements_and_a_withdrawal_takes_them_back(world: World) -> None:
    unit_title = _record(world, "jiankang_danwei", world.community, "幸福里社区卫生服务站")
    _record(world, "jiankang_shequ", world.community2, "南门社区")
    assert _value("city_level_healthy_units", world.community.pk) == 1
    assert _value("city_level_health_awards", world.community.pk) == 1
    assert _value("city_level_health_awards", world.community2.pk) == 1
    assert _value("district_level_health_awards", world.community.pk) == 0
    gone = actions.withdraw_title(scope=Scope.for_user(world.district_admin),
                                  actor=world.district_admin, title=unit_title,
                                  reason="年度复查不合格", on=dt.date(2026, 12, 1))
    assert gone.state == TitleState.WITHDRAWN
    assert _value("city_level_healthy_units", world.community.pk) == 0
    assert _value("city_level_health_awards", world.community.pk) == 0


def test_a_district_quota_is_one_to_one_with_the_city_titles(world: World) -> None:
    leader = Scope.for_user(world.district_admin)
    with pytest.raises(ValidationError) as error:
        actions.open_round(scope=leader, actor=world.district_admin, scheme_code="jiankang_danwei",
                           organiser=world.district, year=2026, now=NOW)
    assert "按1:1比例对应2026年的市级称号数，目前为 0" in str(error.value)
    _record(world, "jiankang_danwei", world.community, "幸福里社区卫生服务站")
    _record(world, "jiankang_danwei", world.community2, "南门社区卫生服务站")
    r = actions.open_round(scope=leader, actor=world.district_admin, scheme_code="jiankang_danwei",
                           organiser=world.district, year=2026, now=NOW)
    assert r.quota == 2 and r.level == "county"


def test_a_street_cannot_open_a_round_the_scheme_has_no_quota_for(world: World) -> None:
    with pytest.raises(ValidationError) as error:
        actions.open_round(scope=Scope.for_user(world.street_leader), actor=world.street_leader,
                           scheme_code="jiankang_danwei", organiser=world.street, year=2026, now=NOW)
    assert "「建设健康单位先进」没有街道（乡镇）级的名额" in str(error.value)
    with pytest.raises(PermissionDenied):
        actions.open_round(scope=Scope.for_user(world.community_worker),
                           actor=world.community_worker, scheme_code="jiankang_jiating",
                           organiser=world.street, year=2026, now=NOW)


def test_the_yearly_recheck_lists_a_family_that_moved_away_and_withdraws_it(world: World) -> None:
    stays = family(world.community, "王", since=2024)
    leaves = family(world.community, "李", since=2024, living=False)
    for h in (stays, leaves):
        _record(world, "jiankang_jiating", h, f"{h.address}家庭", year=2025)
    assert FamilyHonour.objects.get(household=leaves, year=2025).awarded
    found = selectors.recheck(scope=Scope.system(), year=2025, now=NOW)
    assert [(f.title.household_id, f.reasons) for f in found] == [(leaves.pk, ["该户已无成员在册居住"])]
    title = found[0].title
    with pytest.raises(ValidationError) as error:
        actions.withdraw_title(scope=Scope.for_user(world.district_admin),
                               actor=world.district_admin, title=title, reason=" ")
    assert "请填写摘牌理由" in str(error.value)
    with pytest.raises(PermissionDenied):
        actions.withdraw_title(scope=Scope.for_user(world.street_leader), actor=world.street_leader,
                               title=title, reason="已迁出")
    actions.withdraw_title(scope=Scope.for_user(world.district_admin), actor=world.district_admin,
                           title=title, reason="该户已迁出本社区", on=dt.date(2026, 3, 5))
    honour = FamilyHonour.objects.get(household=leaves, year=2025)
    assert not honour.awarded and honour.level == ""
    history = selectors.history(scope=Scope.for_user(world.district_admin), title=title)
    assert [t.withdrawn_reason for t in history] == ["该户已迁出本社区"]


def test_a_certificate_code_that_does_not_exist_finds_nothing(world: World) -> None:
    t = _record(world, "jiankang_danwei", world.community, "幸福里社区卫生服务站")
    assert selectors.title_by_code(scope=Scope(user_id=None), code=t.code.lower()) == t
    assert selectors.title_by_code(scope=Scope(user_id=None), code="NOPE") is None


@pytest.mark.django_db
def test_the_new_round_health_standard_scores_its_2211_bonus_from_titles(world: World) -> None:
    standards_actions.load_standards(actor=None, scope=Scope.system(),
                                     result=loader.load_builtin().raise_for_errors())
    _record(world, "jiankang_danwei", world.village, "上林村卫生室")
    _record(world, "jiankang_danwei", world.rural_town, "白石镇卫生院")
    run = assessment_actions.start_run(actor=None, standard_code="jiankang_shequ_xinlun",
                                       year=2026, today=dt.date(2027, 1, 5),
                                       scope=Scope.system())
    town = UnitResult.objects.get(run=run, unit=world.rural_town)
    assert items_of(town)["award_units"]["v"] == 2.0  # 建设健康单位市级先进 1—2 个
    assert items_of(town)["award_units"]["p"] == 2.0  # the bonus earned
    assert items_of(town)["award_volunteers"]["v"] == 0.0  # none recorded: a true zero
