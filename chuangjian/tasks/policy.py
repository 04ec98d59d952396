"""Who may do what to plans, tasks and meetings — asked by the actions and the pages alike,
so a button is shown exactly when the action would be allowed."""

from __future__ import annotations

from typing import Any

from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.tasks.models import Meeting, Plan, Task, TaskState


def may_plan(scope: Scope, unit: Unit) -> bool:
    """Write a unit's plan: its leaders and responsible people, or those above (APPROVE)."""
    return scope.allows(unit, Cap.APPROVE)


def may_assign(scope: Scope, unit: Unit) -> bool:
    """Give a task to a unit: anyone who enters data there or above."""
    return scope.allows(unit, Cap.ENTER_DATA)


def _is(user: Any, field_id: int | None) -> bool:
    return field_id is not None and field_id == getattr(user, "pk", None)


def may_work(scope: Scope, user: Any, task: Task) -> bool:
    """Report progress and hand in: the responsible people, or the unit's people."""
    if task.state != TaskState.OPEN:
        return False
    return (_is(user, task.direct_responsible_id) or _is(user, task.first_responsible_id)
            or scope.allows(task.unit, Cap.ENTER_DATA))


def may_verify(scope: Scope, user: Any, task: Task) -> bool:
    """核验: the assigner, or a leader over the unit — never the person who did the work."""
    if task.state != TaskState.DONE:
        return False
    if _is(user, task.direct_responsible_id) or _is(user, task.done_by_id):
        return False
    return _is(user, task.assigned_by_id) or scope.allows(task.unit, Cap.APPROVE)


def may_cancel(scope: Scope, user: Any, task: Task) -> bool:
    if task.state not in (TaskState.OPEN, TaskState.DONE):
        return False
    return _is(user, task.assigned_by_id) or scope.allows(task.unit, Cap.APPROVE)


def may_edit_plan(scope: Scope, plan: Plan) -> bool:
    return may_plan(scope, plan.unit)


def may_run_meeting(scope: Scope, meeting: Meeting) -> bool:
    return scope.allows(meeting.unit, Cap.ENTER_DATA)
