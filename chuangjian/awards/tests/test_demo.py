"""The demo's awards: the done-when of issue 20 on the demo district."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from chuangjian.awards import demo
from chuangjian.awards.models import (
    Nomination,
    NominationState,
    ObjectionState,
    Round,
    Stage,
    Title,
    TitleState,
)
from chuangjian.engine.periods import Period
from chuangjian.org.demo import build_demo
from chuangjian.org.models import Unit
from chuangjian.registers.demo_records import build_register_demo
from chuangjian.sources import source_for

TODAY = dt.date(2026, 12, 2)


def _value(code: str, unit: Unit) -> float:
    from chuangjian.org.models import Unit as U

    source = source_for(code)
    assert source is not None
    ids = list(U.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    return sum(source.values(code, Period.year(2026), ids).values())


@pytest.mark.django_db
def test_the_demo_walks_a_round_to_naming_and_withdraws_a_title_at_the_recheck() -> None:
    build_demo()
    build_register_demo(today=TODAY)
    out = io.StringIO()
    demo.run(out, today=TODAY)
    titles = Title.objects.count()
    demo.run(out, today=TODAY)  # a second run changes nothing
    assert Title.objects.count() == titles
    assert "评选与称号：" in out.getvalue()

    walked = Round.objects.get(organiser__code="QY-01", year=2026)
    assert walked.stage == Stage.NAMED
    named = walked.titles.count()
    assert 0 < named <= walked.quota
    states = list(walked.nominations.values_list("state", flat=True))
    assert states.count(NominationState.REFUSED) == 1
    assert states.count(NominationState.WITHDRAWN) == 1
    assert walked.nominations.count() > walked.quota  # the quota chose among them
    objections = {o.state for n in walked.nominations.all() for o in n.objections.all()}
    assert objections == {ObjectionState.UPHELD, ObjectionState.ANSWERED}
    withdrawn = Nomination.objects.get(round=walked, state=NominationState.WITHDRAWN)
    assert withdrawn.objections.get().state == ObjectionState.UPHELD

    open_round = Round.objects.get(organiser__code="QY-02", year=2026)
    assert open_round.stage == Stage.NOMINATING

    last_year = Title.objects.filter(year=2025, scheme_code="jiankang_jiating")
    assert last_year.filter(state=TitleState.WITHDRAWN).count() == 1
    assert last_year.filter(state=TitleState.ACTIVE).count() >= 2
    assert "迁出" in last_year.get(state=TitleState.WITHDRAWN).withdrawn_reason

    # The 2211 elements of the new-round 健康社区 standard have values from titles (the
    # standard scores towns, 镇/乡; the demo district has none, so the elements are read).
    street = Unit.objects.get(code="QY-01")
    assert _value("city_level_healthy_units", street) == 2
    assert _value("city_level_health_volunteers", street) == 3
    assert _value("city_level_health_awards", street) == 6
    # 区级 at 1:1 (篇13): the district's own rounds named 2 健康单位 and 3 志愿者 of the
    # street; 健康社区's 区级 round waits for the year's 考核.
    county = Title.objects.filter(level="county", year=2026)
    assert sorted(county.values_list("scheme_code", flat=True)) == [
        "jiankang_danwei", "jiankang_danwei", "jiankang_zhiyuanzhe", "jiankang_zhiyuanzhe",
        "jiankang_zhiyuanzhe"]
    assert all(t.round is not None and t.round.organiser.code == "QY" for t in county)
    assert _value("district_level_health_awards", street) == 5
    # A family named by the street is 已命名 in the families register, which counts it.
    title = walked.titles.first()
    assert title is not None and title.household is not None
    honour = title.household.honours.get(kind="healthy", year=2026)
    assert honour.awarded and honour.level in ("street", "county", "city")
