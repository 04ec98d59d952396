"""Who may put a nominee forward, as each scheme says (``nominated_by``): a unit (单位推荐),
residents (群众推荐, recorded by the community with the recommender kept private) or the
nominee itself (自荐（申报）). Any other way is refused in Chinese and nothing is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chuangjian.awards import actions
from chuangjian.awards.models import Nomination, NominationWay, Round
from chuangjian.awards.tests.conftest import NOW, Setup
from chuangjian.awards.tests.test_titles import _record
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.registers.models import Person, Volunteer

DAY = dt.timedelta(days=1)


def _errors(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {f: "；".join(ms) for f, ms in error.value.message_dict.items()}


def _resident(world: World, name: str = "王德厚") -> Person:
    return Person.objects.create(unit=world.community, name=name, moved_in_on=dt.date(2010, 1, 1))


def _moral_models_round(world: World) -> Round:
    """城关街道's 道德模范 round: 单位推荐 and 群众推荐, no 自荐 (篇4)."""
    return actions.open_round(scope=Scope.for_user(world.street_leader), actor=world.street_leader,
                              scheme_code="daode_mofan", organiser=world.street, year=2026,
                              now=NOW - DAY)


def _nominate(world: World, round_: Round, nominee: Any, *, unit: Any = None,
              user: Any = None, **how: Any) -> Nomination:
    user = user or world.community_worker
    return actions.nominate(scope=Scope.for_user(user), actor=user, round=round_,
                            unit=unit or world.community, nominee=nominee, name="推荐对象",
                            reasons="多年照顾孤寡老人，热心邻里互助", now=NOW, **how)


def test_a_family_title_taken_only_from_units_refuses_residents_and_self(setup: Setup) -> None:
    for by, word in (("people", "群众推荐"), ("self", "自荐（申报）")):
        with pytest.raises(ValidationError) as error:
            _nominate(setup.world, setup.round, setup.families[0], by=by,
                      recommender_name="周邻居", recommender_phone="13700001111")
        assert _errors(error)["by"] == f"「健康家庭」只接受单位推荐，不接受{word}"
    with pytest.raises(ValidationError) as error:
        _nominate(setup.world, setup.round, setup.families[0], by="anyone")
    assert "推荐方式应为单位推荐、群众推荐或自荐（申报）之一" in _errors(error)["by"]
    assert not Nomination.objects.exists()
    assert setup.nominate(setup.families[0]).way == NominationWay.UNITS


def test_residents_recommend_a_moral_model_through_their_community(world: World) -> None:
    round_ = _moral_models_round(world)
    person = _resident(world)
    with pytest.raises(ValidationError) as error:
        _nominate(world, round_, person, by="people", recommender_name=" ",
                  recommender_phone="138")
    assert _errors(error) == {"recommender_name": "请填写推荐人姓名"}
    with pytest.raises(ValidationError) as error:
        _nominate(world, round_, person, by="people", recommender_name="周邻居",
                  recommender_phone="138")
    assert _errors(error)["recommender_phone"].startswith("推荐人联系电话：")
    with pytest.raises(ValidationError) as error:
        _nominate(world, round_, person, by="self")
    assert _errors(error)["by"] == "「道德模范」只接受单位推荐、群众推荐，不接受自荐（申报）"
    assert not Nomination.objects.exists()
    n = _nominate(world, round_, person, by="people", recommender_name="周邻居",
                  recommender_phone="137 0000 1111")
    assert (n.way, n.recommender_name, n.recommender_phone) == ("people", "周邻居", "13700001111")
    assert n.recommender_masked == "周** · 137****1111"
    # A 单位推荐 keeps no recommender, whatever was typed.
    other = _nominate(world, round_, _resident(world, "李善良"), by="units",
                      recommender_name="不该保存", recommender_phone="13700002222")
    other.refresh_from_db()
    assert (other.way, other.recommender_name, other.recommender_phone) == ("units", None, None)


def test_a_unit_recommending_itself_is_a_self_nomination(world: World) -> None:
    """无毒社区创建先进集体 is recommended by units only: a community cannot put itself
    forward; the street recommends it (and the eligibility is checked next)."""
    round_ = actions.open_round(scope=Scope.for_user(world.district_admin),
                                actor=world.district_admin, scheme_code="wudu_xianjin_danwei",
                                organiser=world.district, year=2026, now=NOW - DAY)
    with pytest.raises(ValidationError) as error:
        _nominate(world, round_, world.community)
    assert _errors(error)["nominee"] == ("幸福里社区推荐本单位属于自荐（申报），「无毒社区创建先进集体」"
                                         "只接受单位推荐，请由上级单位推荐")
    with pytest.raises(ValidationError) as error:
        _nominate(world, round_, world.community, unit=world.street, user=world.street_leader)
    assert set(_errors(error)) == {"nominee"} and "考核尚无结果" in _errors(error)["nominee"]
    assert not Nomination.objects.exists()


def test_a_self_nomination_names_the_nominating_unit_itself(world: World) -> None:
    round_ = actions.open_round(scope=Scope.for_user(world.street_leader),
                                actor=world.street_leader, scheme_code="wenming_danwei",
                                organiser=world.street, year=2026, now=NOW - DAY)
    with pytest.raises(ValidationError) as error:
        _nominate(world, round_, world.community2, unit=world.street, user=world.street_leader,
                  by="self")
    assert _errors(error) == {"by": "自荐（申报）时，推荐对象应为城关街道本身"}


def test_a_volunteer_may_put_themself_forward_but_residents_may_not(world: World) -> None:
    person = _resident(world, "赵志愿")
    volunteer = Volunteer.objects.create(unit=world.community, person=person,
                                         registered_on=dt.date(2024, 3, 5))
    _record(world, "jiankang_zhiyuanzhe", volunteer, "赵志愿")
    round_ = actions.open_round(scope=Scope.for_user(world.district_admin),
                                actor=world.district_admin, scheme_code="jiankang_zhiyuanzhe",
                                organiser=world.district, year=2026, now=NOW - DAY)
    with pytest.raises(ValidationError) as error:
        _nominate(world, round_, volunteer, by="people", recommender_name="周邻居",
                  recommender_phone="13700001111")
    assert _errors(error)["by"] == "「健康城市志愿者先进」只接受单位推荐、自荐（申报），不接受群众推荐"
    assert _nominate(world, round_, volunteer, by="self").way == NominationWay.SELF


def test_the_form_offers_the_schemes_ways_and_masks_the_recommender(world: World) -> None:
    round_ = _moral_models_round(world)
    Round.objects.filter(pk=round_.pk).update(nominate_until=timezone.now() + DAY)
    person = _resident(world)
    client = Client()
    client.force_login(world.community_worker)
    page = client.get(reverse("awards:round", args=[round_.pk])).content.decode()
    assert "推荐方式" in page and "群众推荐" in page and "自荐（申报）" not in page
    assert "推荐人联系电话" in page
    post = {"unit": world.community.pk, "nominee": f"person:{person.pk}", "name": "王德厚",
            "reasons": "多年照顾孤寡老人", "by": "people", "recommender_name": "周邻居",
            "recommender_phone": ""}
    bad = client.post(reverse("awards:nominate", args=[round_.pk]), post)
    assert bad.status_code == 400 and "推荐人联系电话" in bad.content.decode()
    assert not Nomination.objects.exists()
    ok = client.post(reverse("awards:nominate", args=[round_.pk]),
                     {**post, "recommender_phone": "13700001111"})
    assert ok.status_code == 302
    street = Client()
    street.force_login(world.street_leader)
    seen = street.get(reverse("awards:round", args=[round_.pk])).content.decode()
    assert "群众推荐" in seen and "周** · 137****1111" in seen
    assert "13700001111" not in seen and "周邻居" not in seen


def test_a_family_round_has_no_choice_of_way_on_its_form(setup: Setup) -> None:
    Round.objects.filter(pk=setup.round.pk).update(nominate_until=timezone.now() + DAY)
    client = Client()
    client.force_login(setup.world.community_worker)
    page = client.get(reverse("awards:round", args=[setup.round.pk])).content.decode()
    assert 'name="by"' not in page and "推荐人姓名" not in page


def test_the_api_takes_the_way_and_refuses_one_the_scheme_does_not(world: World) -> None:
    round_ = _moral_models_round(world)
    Round.objects.filter(pk=round_.pk).update(nominate_until=timezone.now() + DAY)
    person = _resident(world)
    client = world.client_for(world.community_worker)
    url = f"/api/awards/rounds/{round_.pk}/nominations"
    body = {"unit": world.community.code, "nominee": person.pk, "name": "王德厚",
            "reasons": "多年照顾孤寡老人", "by": "self"}
    refused = client.post(url, body, content_type="application/json")
    assert refused.status_code == 400
    assert "「道德模范」只接受单位推荐、群众推荐，不接受自荐（申报）" in refused.json()["detail"]
    made = client.post(url, {**body, "by": "people", "recommender_name": "周邻居",
                             "recommender_phone": "13700001111"},
                       content_type="application/json")
    assert made.status_code == 200, made.content
    assert [(n["name"], n["way"]) for n in made.json()["nominations"]] == [("王德厚", "people")]
    assert "13700001111" not in made.content.decode()
