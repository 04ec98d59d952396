"""The tasks in the API: listed and read within scope; progress through the same rules."""

from __future__ import annotations

import datetime as dt

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.tasks import actions
from chuangjian.tasks.models import Plan


def _task(world: World, plan: Plan) -> int:
    return actions.create_task(actor=world.street_leader, scope=Scope.for_user(world.street_leader),
                               unit=world.community, title="更新宣传栏", start=dt.date(2026, 3, 2),
                               deadline=dt.date(2026, 3, 10), item=plan.items.first(),
                               direct_responsible=world.community_worker).pk


def test_the_worker_lists_reads_and_reports_progress(world: World, plan: Plan) -> None:
    pk = _task(world, plan)
    client = world.client_for(world.community_worker)
    rows = client.get("/api/tasks?overdue=true").json()
    assert [(r["id"], r["overdue"], r["direct_responsible"]) for r in rows] == [(pk, True, "张小燕")]
    answer = client.post(f"/api/tasks/{pk}/progress", {"progress": 30, "note": "进行中"},
                         content_type="application/json")
    assert answer.status_code == 200 and answer.json()["progress"] == 30
    refused = client.post(f"/api/tasks/{pk}/progress", {"progress": 100},
                          content_type="application/json")
    assert refused.status_code == 422


def test_the_outsider_sees_no_task_and_no_plan(world: World, plan: Plan) -> None:
    pk = _task(world, plan)
    client = world.client_for(world.outsider)
    assert client.get("/api/tasks").json() == []
    assert client.get(f"/api/tasks/{pk}").status_code == 404
    assert client.get(f"/api/plans/{plan.pk}").status_code == 404
    assert client.post(f"/api/tasks/{pk}/progress", {"progress": 30},
                       content_type="application/json").status_code == 404


def test_the_plan_lists_every_target_with_its_responsible_person(world: World, plan: Plan) -> None:
    _task(world, plan)
    body = world.client_for(world.street_leader).get(f"/api/plans/{plan.pk}").json()
    assert body["targets"] == plan.items.count() and body["assigned"] == 1
    assert body["items"][0]["responsible"] == ["张小燕"] and body["items"][0]["overdue"] is True
