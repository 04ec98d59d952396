"""``chuangjian assess --json`` prints the run's results, the same data the API gives."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from chuangjian.assessment.models import AssessmentRun
from chuangjian.assessment.tests.conftest import Small
from chuangjian.org.scope import Scope
from chuangjian.standards import actions as standards_actions


def _data(small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=45, t_total=50, t_events=2, t_problems=3, t_bonus=2)
    small.report(w.community2, t_done=160, t_total=200, t_events=3, t_fires=1)
    standards_actions.set_unit_class(actor=None, scope=Scope.system(), unit=w.community,
                                     standard_code="test_small", period="2026",
                                     unit_class="小社区")


def test_assess_json_prints_one_object_per_unit_with_its_indicators(
        small: Small, capsys: pytest.CaptureFixture[str]) -> None:
    _data(small)
    call_command("assess", "--standard", "test_small", "--year", "2026", "--json")
    results = json.loads(capsys.readouterr().out)
    by_code = {r["unit"]: r for r in results}
    w = small.world
    good = by_code[w.community.code]
    assert set(good) >= {"unit", "name", "level", "parent", "total", "pass_mark", "passed",
                         "tier", "veto", "indicators"}
    assert good["name"] == "幸福里社区" and good["level"] == "community"
    assert good["parent"] == w.area.code
    assert good["pass_mark"] == 60 and good["passed"] is (good["total"] >= 60)
    rate = next(i for i in good["indicators"] if i["code"] == "done_rate")
    assert rate == {"code": "done_rate", "name": "完成率", "value": 90.0,
                    "target": rate["target"], "met": True, "score": 30.0, "max_score": 30.0,
                    "status": "met"}
    events = next(i for i in good["indicators"] if i["code"] == "events")
    assert events["met"] is True and "小社区" in events["target"]
    # 南门社区 had a fire: vetoed, failed whatever its score.
    fire = by_code[w.community2.code]
    assert fire["veto"] is True and fire["passed"] is False
    # 南门社区 has no class: its class target cannot be judged.
    assert next(i for i in fire["indicators"] if i["code"] == "events")["status"] == "unknown"


def test_the_api_gives_the_same_results_within_the_callers_scope(
        small: Small, capsys: pytest.CaptureFixture[str]) -> None:
    _data(small)
    call_command("assess", "--standard", "test_small", "--year", "2026", "--json")
    printed = json.loads(capsys.readouterr().out)
    run = AssessmentRun.objects.get(current=True, standard_code="test_small")
    w = small.world
    admin = w.client_for(w.district_admin).get(f"/api/assessment/runs/{run.pk}/results")
    assert admin.status_code == 200
    assert admin.json() == printed
    listed = w.client_for(w.district_admin).get("/api/assessment/runs?standard=test_small")
    assert [r["id"] for r in listed.json()] == [run.pk]
    # The worker of another street sees the run (it covers her unit) but none of 城关's units.
    outsider = w.client_for(w.outsider).get(f"/api/assessment/runs/{run.pk}/results")
    assert outsider.status_code == 200
    codes = {r["unit"] for r in outsider.json()}
    assert w.community.code not in codes and w.community2.code not in codes
    assert w.client_for(w.outsider).get("/api/assessment/runs/999999/results").status_code == 404


def test_unit_classes_through_the_api_need_the_right_to_manage_the_unit(small: Small) -> None:
    w = small.world
    body = {"standard": "test_small", "period": "2026", "unit_class": "大社区", "reason": "API"}
    url = f"/api/units/{w.community.code}/classes"
    refused = w.client_for(w.street_leader).put(url, body, content_type="application/json")
    assert refused.status_code == 403
    hidden = w.client_for(w.outsider).put(url, body, content_type="application/json")
    assert hidden.status_code == 404
    bad = w.client_for(w.district_admin).put(url, {**body, "unit_class": "巨型"},
                                             content_type="application/json")
    assert bad.status_code == 400 and "巨型" in bad.json()["detail"]
    ok = w.client_for(w.district_admin).put(url, body, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["unit_class"] == "大社区"
    listed = w.client_for(w.street_leader).get(
        f"/api/units/{w.street.code}/classes?standard=test_small&year=2027")
    rows = {r["unit"]: r for r in listed.json()}
    assert rows[w.community.code]["unit_class"] == "大社区"
    assert rows[w.community.code]["since"] == "2026"
    assert rows[w.community2.code]["unit_class"] is None
