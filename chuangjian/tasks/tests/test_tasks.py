"""Tasks: assigned with working-day deadlines, reported on with evidence, verified by the
assigner (never by oneself), recurring with an end, split down the tree, escalated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangjian.audit.models import AuditEntry
from chuangjian.notify.models import Notification
from chuangjian.org import actions as org_actions
from chuangjian.org.models import Role
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.tasks import actions
from chuangjian.tasks.models import Recurrence, Task, TaskEscalation, TaskState
from chuangjian.tasks.tests.conftest import shanghai


def _task(world: World, **kw: object) -> Task:
    args: dict[str, object] = {"actor": world.street_leader, "scope": Scope.for_user(world.street_leader),
                                   "unit": world.community, "title": "更新宣传栏", "start": dt.date(2026, 3, 16),
                                   "working_days": 5, "direct_responsible": world.community_worker,
                                   "first_responsible": world.street_leader}
    args.update(kw)
    return actions.create_task(**args)  # type: ignore[arg-type]


def test_five_working_days_from_a_monday_fall_due_the_next_monday_at_six(world: World) -> None:
    task = _task(world)
    assert task.deadline == shanghai(2026, 3, 23, 18)
    assert task.working_days == 5


def test_a_deadline_over_the_national_day_holiday_skips_it(world: World) -> None:
    task = _task(world, start=dt.date(2026, 9, 30), working_days=1)
    assert task.deadline.date() > dt.date(2026, 10, 7)


def test_the_responsible_person_is_told_in_the_notification_centre(world: World) -> None:
    task = _task(world)
    note = Notification.objects.get(user=world.community_worker)
    assert note.title == "新任务：更新宣传栏" and note.url.endswith(f"/tasks/{task.pk}/")


@pytest.mark.parametrize(("kw", "field", "words"), [
    ({"deadline": dt.date(2026, 3, 1), "working_days": None}, "deadline", "不能早于开始日期"),
    ({"deadline": dt.date(2026, 3, 30)}, "deadline", "二选一"),
    ({"recurrence": Recurrence.MONTHLY}, "recurrence_until", "必须有截止日期"),
    ({"recurrence": Recurrence.MONTHLY, "recurrence_until": dt.date(2030, 1, 1)},
     "recurrence_until", "最长"),
    ({"title": " "}, "title", "任务名称"),
])
def test_bad_input_is_refused_with_a_chinese_message_and_nothing_written(
        world: World, kw: dict[str, object], field: str, words: str) -> None:
    before = (Task.objects.count(), AuditEntry.objects.count(), Notification.objects.count())
    with pytest.raises(ValidationError) as caught:
        _task(world, **kw)
    assert words in "".join(caught.value.message_dict[field])
    assert (Task.objects.count(), AuditEntry.objects.count(),
            Notification.objects.count()) == before


def test_a_task_for_a_unit_outside_scope_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="不在您可以交办任务的范围内"):
        _task(world, actor=world.outsider, scope=Scope.for_user(world.outsider),
              direct_responsible=None, first_responsible=None)


def test_a_responsible_person_from_another_street_is_refused(world: World) -> None:
    with pytest.raises(ValidationError, match="直接责任人「曹丽娟」"):
        _task(world, direct_responsible=world.outsider)


def test_the_worker_reports_progress_and_the_assigner_verifies(world: World) -> None:
    task = _task(world)
    worker = Scope.for_user(world.community_worker)
    actions.report_progress(actor=world.community_worker, scope=worker, task=task, progress=40,
                            note="已设计版面")
    actions.complete_task(actor=world.community_worker, scope=worker, task=task, note="已更新")
    task.refresh_from_db()
    assert task.state == TaskState.DONE and task.progress == 100
    assert Notification.objects.filter(user=world.street_leader, kind="task.to_verify").exists()
    # The worker cannot verify their own work.
    with pytest.raises(ValidationError, match="不能核验自己"):
        actions.verify_task(actor=world.community_worker, scope=worker, task=task, passed=True)
    actions.verify_task(actor=world.street_leader, scope=Scope.for_user(world.street_leader),
                        task=task, passed=True)
    task.refresh_from_db()
    assert task.state == TaskState.VERIFIED and task.verified_by == world.street_leader


def test_a_leader_who_assigned_a_task_to_himself_cannot_verify_it(world: World) -> None:
    task = _task(world, direct_responsible=world.street_leader)
    scope = Scope.for_user(world.street_leader)
    actions.complete_task(actor=world.street_leader, scope=scope, task=task)
    with pytest.raises(ValidationError, match="不能核验自己"):
        actions.verify_task(actor=world.street_leader, scope=scope, task=task, passed=True)


def test_a_returned_task_is_open_again_with_the_reason(world: World) -> None:
    task = _task(world)
    actions.complete_task(actor=world.community_worker, scope=Scope.for_user(world.community_worker),
                          task=task)
    with pytest.raises(ValidationError, match="理由"):
        actions.verify_task(actor=world.street_leader, scope=Scope.for_user(world.street_leader),
                            task=task, passed=False)
    actions.verify_task(actor=world.street_leader, scope=Scope.for_user(world.street_leader),
                        task=task, passed=False, reason="照片不清楚")
    task.refresh_from_db()
    assert task.state == TaskState.OPEN and task.last_reason == "照片不清楚"


def test_the_outsider_can_neither_report_nor_verify(world: World) -> None:
    task = _task(world)
    with pytest.raises(PermissionDenied):
        actions.report_progress(actor=world.outsider, scope=Scope.for_user(world.outsider),
                                task=task, progress=10)


def test_a_monthly_task_is_created_once_for_every_month_until_its_end(world: World) -> None:
    task = _task(world, title="月度自查", recurrence=Recurrence.MONTHLY,
                 recurrence_until=dt.date(2026, 12, 31), working_days=3)
    series = [task, *task.occurrences.order_by("start")]
    assert [t.start.month for t in series] == list(range(3, 13))
    assert all(t.deadline.date() > t.start for t in series)


def test_sub_tasks_go_down_the_tree_and_roll_their_progress_up(world: World) -> None:
    leader = Scope.for_user(world.street_leader)
    parent = _task(world, unit=world.area, title="六乱整治", working_days=20,
                   direct_responsible=None)
    a = _task(world, parent=parent, title="幸福里整治", working_days=10)
    b = _task(world, parent=parent, unit=world.community2, title="南门整治", working_days=10,
              direct_responsible=None)
    actions.report_progress(actor=world.community_worker, scope=Scope.for_user(world.community_worker),
                            task=a, progress=60)
    parent.refresh_from_db()
    assert parent.progress == 30
    with pytest.raises(ValidationError, match="子任务未完成"):
        actions.complete_task(actor=world.street_leader, scope=leader, task=parent)
    with pytest.raises(ValidationError, match="应在「城东管区」之下"):
        _task(world, parent=parent, unit=world.other_community, direct_responsible=None,
              first_responsible=None, actor=None, scope=Scope.system())
    with pytest.raises(ValidationError, match="不能晚于上级任务"):
        _task(world, parent=parent, working_days=40)
    assert b.parent == parent


def test_an_overdue_task_escalates_daily_to_the_first_responsible_then_one_level_up(
        world: World) -> None:
    district_leader = org_actions.create_user(actor=None, scope=Scope.system(),
                                              username="qy_leader", full_name="区领导",
                                              password="Test@2026pass")
    org_actions.add_membership(actor=None, scope=Scope.system(), user=district_leader,
                               unit=world.district, role=Role.LEADER)
    task = _task(world)  # due 2026-03-23 18:00, 第一责任人 the street leader
    system = Scope.system()
    assert actions.escalate_overdue_tasks(scope=system, now=shanghai(2026, 3, 23, 17)) == []
    first = actions.escalate_overdue_tasks(scope=system, now=shanghai(2026, 3, 24, 9))
    assert [(e.level, set(e.recipients.all())) for e in first] == [(1, {world.street_leader})]
    assert actions.escalate_overdue_tasks(scope=system, now=shanghai(2026, 3, 24, 15)) == []
    third = actions.escalate_overdue_tasks(scope=system, now=shanghai(2026, 3, 26, 9))
    assert third[0].level == 2
    assert set(third[0].recipients.all()) == {world.street_leader, district_leader}
    assert Notification.objects.filter(user=district_leader, kind="task.escalated").count() == 1
    # Done: no more escalation.
    actions.complete_task(actor=world.community_worker, scope=Scope.for_user(world.community_worker),
                          task=task)
    assert actions.escalate_overdue_tasks(scope=system, now=shanghai(2026, 3, 27, 9)) == []
    assert TaskEscalation.objects.count() == 2
