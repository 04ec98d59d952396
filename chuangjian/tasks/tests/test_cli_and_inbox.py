"""The command line (chuangjian tasks list / escalate) and the home page's inbox."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management import call_command
from django.urls import reverse

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.tasks import actions
from chuangjian.tasks.models import Task
from chuangjian.tasks.tests.conftest import shanghai
from chuangjian.web.inbox import Section, collect


def _two_tasks(world: World) -> tuple[Task, Task]:
    leader = Scope.for_user(world.street_leader)
    late = actions.create_task(actor=world.street_leader, scope=leader, unit=world.community,
                               title="清理楼道堆物", start=dt.date(2026, 3, 2),
                               deadline=dt.date(2026, 3, 10),
                               direct_responsible=world.community_worker,
                               first_responsible=world.street_leader)
    other = actions.create_task(actor=None, scope=Scope.system(),
                                unit=world.other_community, title="湖滨任务",
                                start=dt.date(2026, 3, 2), deadline=dt.date(2026, 12, 10))
    return late, other


def test_tasks_list_filters_by_unit_and_overdue(world: World, capsys: Any) -> None:
    _two_tasks(world)
    call_command("tasks", "list", "--overdue", "--now", "2026-03-16T09:00")
    out = capsys.readouterr().out
    assert "清理楼道堆物" in out and "逾期" in out and "湖滨任务" not in out
    call_command("tasks", "list", "--unit", world.other_street.code)
    out = capsys.readouterr().out
    assert "湖滨任务" in out and "清理楼道堆物" not in out and "共 1 项" in out


def test_tasks_escalate_runs_once_a_day(world: World, capsys: Any) -> None:
    _two_tasks(world)
    call_command("tasks", "escalate", "--now", "2026-03-16T09:00")
    assert "第2级督办：城关街道" in capsys.readouterr().out
    call_command("tasks", "escalate", "--now", "2026-03-16T10:00")
    assert "督办 0 件" in capsys.readouterr().out


def test_my_tasks_and_escalations_are_in_the_one_inbox(world: World) -> None:
    late, _other = _two_tasks(world)
    now = shanghai(2026, 3, 16, 9)
    actions.escalate_overdue_tasks(scope=Scope.system(), now=now)
    worker = collect(scope=Scope.for_user(world.community_worker), user=world.community_worker,
                     now=now)
    assert [(i.title, i.overdue) for i in worker.owe if i.kind == "任务"] == [("清理楼道堆物", True)]
    leader = collect(scope=Scope.for_user(world.street_leader), user=world.street_leader, now=now)
    assert any(i.section == Section.RED and "清理楼道堆物" in i.title for i in leader.red)
    page = world.client_for(world.community_worker).get(reverse("web:home")).content.decode()
    assert "清理楼道堆物" in page
    assert late.pk
