"""A round from nomination to naming: windows, quotas, eligibility, one vote per
candidate, tallies hidden until the vote closes, objections answered before naming."""

from __future__ import annotations

import datetime as dt
import threading
import time
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection

from chuangjian import sources
from chuangjian.awards import actions, selectors
from chuangjian.awards.models import (
    Nomination,
    NominationState,
    Objection,
    ObjectionState,
    Round,
    Stage,
    Title,
    Vote,
)
from chuangjian.awards.tests.conftest import NOW, Setup, family
from chuangjian.org.scope import Scope
from chuangjian.registers.models import FamilyHonour

DAY = dt.timedelta(days=1)


def _errors(error: pytest.ExceptionInfo[ValidationError]) -> str:
    return "；".join(m for ms in error.value.message_dict.values() for m in ms)


def _organise(s: Setup) -> dict[str, Any]:
    return {"scope": Scope.for_user(s.world.street_leader), "actor": s.world.street_leader}


def to_publicity(s: Setup, *, quota: int = 2, votes: dict[int, bool] | None = None) -> list[Nomination]:
    """Three nominations accepted with scores 90/80/70, voted and publicised."""
    Round.objects.filter(pk=s.round.pk).update(quota=quota)
    s.round.refresh_from_db()
    noms = [s.nominate(f) for f in s.families[:3]]
    for n, score in zip(noms, (90, 80, 70), strict=True):
        actions.review(**_organise(s), nomination=n, accept=True, score=score, now=NOW)
    w = s.world
    actions.start_voting(**_organise(s), round=s.round, voters=[(w.readonly, 1), (w.inspector, 2)],
                         now=NOW)
    for n in noms:
        actions.vote(scope=Scope.for_user(w.inspector), actor=w.inspector, nomination=n,
                     approve=n.pk != noms[0].pk, now=NOW + DAY)
    actions.evaluate(**_organise(s), round=s.round, now=NOW + 8 * DAY)
    actions.publicise(**_organise(s), round=s.round, now=NOW + 8 * DAY)
    return [Nomination.objects.get(pk=n.pk) for n in noms]


def test_a_nomination_is_checked_against_the_register_and_refused_with_the_reason(
        setup: Setup) -> None:
    newcomer = family(setup.world.community, "孙", since=2026)
    with pytest.raises(ValidationError) as error:
        setup.nominate(newcomer)
    assert "不符合评选条件：该户2026年起登记参加健康家庭创建，不满1年" in _errors(error)
    assert not Nomination.objects.exists()
    n = setup.nominate(setup.families[0])
    assert n.state == NominationState.SUBMITTED and all(c["ok"] for c in n.eligibility)


def test_nominations_close_with_the_window_and_the_units_quota(setup: Setup) -> None:
    with pytest.raises(ValidationError) as error:
        setup.nominate(setup.families[0], now=NOW + 30 * DAY)
    assert "推荐已于" in _errors(error) and "截止" in _errors(error)
    for f in setup.families[:3]:
        setup.nominate(f)
    with pytest.raises(ValidationError) as error:
        setup.nominate(setup.families[3])
    assert "幸福里社区的推荐名额已满（每个单位3个）" in _errors(error)
    with pytest.raises(ValidationError) as error:
        setup.nominate(setup.families[0])
    assert "已被推荐，不能重复推荐" in _errors(error)
    assert Nomination.objects.count() == 3


def test_a_unit_nominates_only_its_own_and_only_with_a_right(setup: Setup) -> None:
    w = setup.world
    other = family(w.community2, "周")
    with pytest.raises(ValidationError) as error:
        setup.nominate(other)
    assert "推荐对象不在幸福里社区的范围内" in _errors(error)
    with pytest.raises(PermissionDenied):
        actions.nominate(scope=Scope.for_user(w.outsider), actor=w.outsider, round=setup.round,
                         unit=w.community, nominee=setup.families[0], name="x", reasons="y", now=NOW)


def test_first_review_refuses_with_a_reason_and_accepts_with_a_score(setup: Setup) -> None:
    n = setup.nominate(setup.families[0])
    with pytest.raises(ValidationError) as error:
        actions.review(**_organise(setup), nomination=n, accept=False, reason="", now=NOW)
    assert "请填写不通过的理由" in _errors(error)
    with pytest.raises(ValidationError) as error:
        actions.review(**_organise(setup), nomination=n, accept=True, score="120", now=NOW)
    assert "评分应为0至100之间的数" in _errors(error)
    refused = actions.review(**_organise(setup), nomination=n, accept=False,
                             reason="事迹材料不全", now=NOW)
    assert refused.state == NominationState.REFUSED and refused.refusal_reason == "事迹材料不全"
    with pytest.raises(PermissionDenied):
        actions.review(scope=Scope.for_user(setup.world.community_worker),
                       actor=setup.world.community_worker, nomination=n, accept=True, score=90)


def test_one_vote_per_voter_and_candidate_inside_the_window_only(setup: Setup) -> None:
    w = setup.world
    n = setup.nominate(setup.families[0])
    actions.review(**_organise(setup), nomination=n, accept=True, score=80, now=NOW)
    actions.start_voting(**_organise(setup), round=setup.round, voters=[(w.readonly, 1)], now=NOW)
    voter = {"scope": Scope.for_user(w.readonly), "actor": w.readonly, "nomination": n}
    actions.vote(**voter, approve=True, now=NOW + DAY)
    with pytest.raises(ValidationError) as error:
        actions.vote(**voter, approve=False, now=NOW + DAY)
    assert "您已对" in _errors(error) and "只能投一票" in _errors(error)
    with pytest.raises(ValidationError) as error:
        actions.vote(**voter, approve=True, now=NOW + 8 * DAY)
    assert "投票已于" in _errors(error)
    with pytest.raises(PermissionDenied):
        actions.vote(scope=Scope.for_user(w.inspector), actor=w.inspector, nomination=n,
                     approve=True, now=NOW + DAY)
    with pytest.raises(ValidationError) as error:
        actions.evaluate(**_organise(setup), round=setup.round, now=NOW + DAY)
    assert "截止后才能综合评定" in _errors(error)
    assert Vote.objects.count() == 1


def test_evaluation_weights_votes_and_scores_and_publicises_within_quota(setup: Setup) -> None:
    first, second, third = to_publicity(setup, quota=2)
    # votes 60%, scores 40%: the inspector (weight 2 of 3) approved the second and third.
    assert first.vote_share == 0 and first.combined == 36.0
    assert second.vote_share == pytest.approx(0.6667) and second.combined == pytest.approx(72.0)
    assert third.combined == pytest.approx(68.0)
    assert [second.rank, third.rank, first.rank] == [1, 2, 3]
    assert second.state == third.state == NominationState.SHORTLISTED
    assert first.state == NominationState.NOT_SELECTED
    setup.round.refresh_from_db()
    assert setup.round.stage == Stage.PUBLICISING
    assert list(selectors.public_list(scope=Scope(user_id=None), round=setup.round)) == [second, third]


def test_objections_are_private_and_must_be_closed_before_naming(setup: Setup) -> None:
    _first, second, third = to_publicity(setup)
    anyone = Scope(user_id=None)
    with pytest.raises(ValidationError) as error:
        actions.object_to(scope=anyone, nomination=second, text="该户的情况与事迹不符", name="某人",
                          phone="123", now=NOW + 9 * DAY)
    assert "联系电话：手机号码应为1开头的11位数字" in _errors(error)
    kept = actions.object_to(scope=anyone, nomination=second, text="该户去年有违规搭建的情况",
                             name="刘群众", phone="13812345678", now=NOW + 9 * DAY)
    actions.object_to(scope=anyone, nomination=third, text="该户并不住在本社区", name="陈群众",
                      phone="13900001111", now=NOW + 9 * DAY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone FROM awards_objection WHERE id = %s", [kept.pk])
        raw = cursor.fetchone()
    assert "刘群众" not in raw[0] and "13812345678" not in raw[1]
    with pytest.raises(ValidationError) as error:
        actions.name_titles(scope=Scope.for_user(setup.world.street_leader),
                            actor=setup.world.street_leader, round=setup.round,
                            nominations=[second, third], now=NOW + 20 * DAY)
    assert "还有1条异议未答复，答复并关闭后才能命名" in _errors(error)
    actions.answer_objection(**_organise(setup), objection=kept, upheld=False,
                             answer="经核实已于当年拆除，异议不成立", now=NOW + 10 * DAY)
    upheld = Objection.objects.get(nomination=third)
    actions.answer_objection(**_organise(setup), objection=upheld, upheld=True,
                             answer="经核实该户已迁出，撤销推荐", now=NOW + 10 * DAY)
    third.refresh_from_db()
    assert third.state == NominationState.WITHDRAWN
    assert not Objection.objects.filter(state=ObjectionState.OPEN).exists()
    titles = actions.name_titles(scope=Scope.for_user(setup.world.street_leader),
                                 actor=setup.world.street_leader, round=setup.round,
                                 nominations=[second], now=NOW + 20 * DAY)
    assert [t.name for t in titles] == [second.name] and titles[0].level == "street"
    honour = FamilyHonour.objects.get(household=second.household, year=2026)
    assert honour.awarded and honour.level == "street"


def test_naming_needs_the_right_and_the_end_of_publicity(setup: Setup) -> None:
    _first, second, _third = to_publicity(setup)
    with pytest.raises(PermissionDenied):
        actions.name_titles(scope=Scope.for_user(setup.world.community_worker),
                            actor=setup.world.community_worker, round=setup.round,
                            nominations=[second], now=NOW + 20 * DAY)
    with pytest.raises(ValidationError) as error:
        actions.name_titles(**_organise(setup), round=setup.round, nominations=[second],
                            now=NOW + 9 * DAY)
    assert "期满后才能命名" in _errors(error)


def test_the_quota_cannot_be_exceeded(setup: Setup) -> None:
    _first, second, third = to_publicity(setup, quota=2)
    Round.objects.filter(pk=setup.round.pk).update(quota=1)
    with pytest.raises(ValidationError) as error:
        actions.name_titles(**_organise(setup), round=setup.round, nominations=[second, third],
                            now=NOW + 20 * DAY)
    assert "超出名额：本次评选名额1个，已命名0个，这次选了2个" in _errors(error)
    assert not Title.objects.exists()
    actions.name_titles(**_organise(setup), round=setup.round, nominations=[second],
                        now=NOW + 20 * DAY)
    with pytest.raises(ValidationError) as error:
        actions.name_titles(**_organise(setup), round=setup.round, nominations=[third],
                            now=NOW + 20 * DAY)
    assert "超出名额：本次评选名额1个，已命名1个" in _errors(error)
    assert Title.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_namings_at_once_stay_within_the_quota(setup: Setup, monkeypatch) -> None:
    _first, second, third = to_publicity(setup, quota=2)
    # Tests run the score refresh at once, after commit: on the in-memory database its
    # writes could be refused as "locked" after the naming itself committed, and the retry
    # below would then see its own title. The quota is what this test is about.
    monkeypatch.setattr(sources, "request_refresh", lambda: False)
    Round.objects.filter(pk=setup.round.pk).update(quota=1)
    barrier = threading.Barrier(2, timeout=20)
    outcomes: list[str] = []

    def name(n: Nomination) -> None:
        # The in-memory test database refuses a second writer instead of making it wait
        # as PostgreSQL (and SQLite on disk) do: the refused writer tries again, as a
        # waiting one would go on once the first commits.
        try:
            barrier.wait()
            for _attempt in range(400):
                try:
                    actions.name_titles(**_organise(setup), round=setup.round, nominations=[n],
                                        now=NOW + 20 * DAY)
                except OperationalError as error:
                    if "locked" not in str(error):
                        raise
                    time.sleep(0.02)
                    continue
                break
            outcomes.append("named")
        except ValidationError as error:
            outcomes.append("；".join(error.messages))
        except BaseException as error:
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=name, args=(n,)) for n in (second, third)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count("named") == 1 and len(outcomes) == 2, outcomes
    assert "超出名额：本次评选名额1个，已命名1个" in next(o for o in outcomes if o != "named")
    assert Title.objects.count() == 1
