"""Rounds, nominations and titles in the API: within scope, through the same actions, the
tallies hidden while the vote is open, refusals in Chinese."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from chuangjian.awards import actions
from chuangjian.awards.models import Round
from chuangjian.awards.tests.conftest import NOW, Setup, family
from chuangjian.awards.tests.test_titles import _record
from chuangjian.org.scope import Scope


def test_a_community_nominates_through_the_api_and_reads_only_its_own(setup: Setup) -> None:
    w = setup.world
    client = w.client_for(w.community_worker)
    Round.objects.filter(pk=setup.round.pk).update(nominate_until=timezone.now() + dt.timedelta(days=3))
    body = {"unit": w.community.code, "nominee": setup.families[0].pk, "name": "王家",
            "reasons": "坚持健康生活方式"}
    made = client.post(f"/api/awards/rounds/{setup.round.pk}/nominations", body,
                       content_type="application/json")
    assert made.status_code == 200, made.content
    assert [n["name"] for n in made.json()["nominations"]] == ["王家"]
    again = client.post(f"/api/awards/rounds/{setup.round.pk}/nominations", body,
                        content_type="application/json")
    assert again.status_code == 400 and "已被推荐，不能重复推荐" in again.json()["detail"]
    newcomer = family(w.community, "孙", since=2026)
    late = client.post(f"/api/awards/rounds/{setup.round.pk}/nominations",
                       {**body, "nominee": newcomer.pk, "name": "孙家"},
                       content_type="application/json")
    assert late.status_code == 400 and "不满1年" in late.json()["detail"]
    # 南门社区's nomination is not shown to 幸福里; the street sees both.
    sibling = family(w.community2, "周")
    actions.nominate(scope=Scope.system(), actor=None, round=setup.round, unit=w.community2,
                     nominee=sibling, name="周家", reasons="事迹")
    mine = client.get(f"/api/awards/rounds/{setup.round.pk}").json()
    assert [n["name"] for n in mine["nominations"]] == ["王家"]
    street = w.client_for(w.street_leader).get(f"/api/awards/rounds/{setup.round.pk}").json()
    assert sorted(n["name"] for n in street["nominations"]) == ["周家", "王家"]
    assert w.client_for(w.outsider).get(f"/api/awards/rounds/{setup.round.pk}").status_code == 404


def test_tallies_are_hidden_until_the_vote_closes(setup: Setup) -> None:
    w = setup.world
    n = setup.nominate(setup.families[0])
    actions.review(scope=Scope.for_user(w.street_leader), actor=w.street_leader, nomination=n,
                   accept=True, score=80, now=NOW)
    actions.start_voting(scope=Scope.for_user(w.street_leader), actor=w.street_leader,
                         round=setup.round, voters=[(w.readonly, 1)], now=NOW)
    actions.vote(scope=Scope.for_user(w.readonly), actor=w.readonly, nomination=n, approve=True,
                 now=NOW + dt.timedelta(days=1))
    row = w.client_for(w.street_leader).get("/api/awards/rounds?year=2026").json()[0]
    assert row["stage"] == "voting"
    assert row["nominations"][0]["vote_share"] is None and row["nominations"][0]["score"] is None
    actions.evaluate(scope=Scope.for_user(w.street_leader), actor=w.street_leader,
                     round=setup.round, now=NOW + dt.timedelta(days=8))
    row = w.client_for(w.street_leader).get("/api/awards/rounds?year=2026").json()[0]
    assert row["nominations"][0]["vote_share"] == 1.0 and row["nominations"][0]["combined"] == 92.0


def test_titles_in_scope(setup: Setup) -> None:
    w = setup.world
    t = _record(w, "jiankang_danwei", w.community, "幸福里社区卫生服务站")
    rows = w.client_for(w.community_worker).get("/api/awards/titles?year=2026").json()
    assert [(r["name"], r["level"], r["state"]) for r in rows] == [("幸福里社区卫生服务站", "city", "active")]
    assert w.client_for(w.community_worker).get(f"/api/awards/titles/{t.pk}").json()["code"] == t.code
    assert w.client_for(w.outsider).get("/api/awards/titles").json() == []
    assert w.client_for(w.outsider).get(f"/api/awards/titles/{t.pk}").status_code == 404
