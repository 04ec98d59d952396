"""The tasks API (任务接口): list and read tasks, report progress, read a plan's targets.

Everything is limited to the caller's scope: a task is found only when its unit is in
scope or the caller is responsible for it; progress goes through the same action and rules
as the page (the responsible people or the unit's people, while the task is open).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from chuangjian.api.auth import scope_of
from chuangjian.org.selectors import unit_for
from chuangjian.tasks import actions, selectors
from chuangjian.tasks.models import Task, TaskState


class TaskOut(Schema):
    id: int
    title: str
    unit: str = Field(description="责任单位编码")
    unit_name: str
    state: str = Field(description="open 进行中 / done 已完成待核验 / verified 已核验 / cancelled 已撤销")
    progress: int = Field(description="进度（%）")
    start: dt.date
    deadline: dt.datetime = Field(description="完成期限（北京时间）")
    overdue: bool
    priority: int = Field(description="1 紧急 / 2 一般 / 3 较低")
    origin: str = Field(description="target 年度目标 / finding 督查问题 / decision 会议决定 / free 自定")
    first_responsible: str | None = Field(description="第一责任人姓名")
    direct_responsible: str | None = Field(description="直接责任人姓名")
    plan: int | None = Field(description="所属年度计划的编号")
    parent: int | None = Field(description="上级任务的编号")


class ProgressIn(Schema):
    progress: int = Field(ge=0, le=99, description="进度（%）；完成请在页面上提交核验")
    note: str = Field("", max_length=2000)
    version: int | None = Field(None, description="读取时的版本；他人已改则拒绝")


class ItemOut(Schema):
    name: str
    target: str = Field(description="考核所用的目标（本单位目标或标准目标）")
    responsible: list[str]
    progress: int
    overdue: bool
    tasks: list[int]


class PlanOut(Schema):
    id: int
    title: str
    unit: str
    year: int
    standard: str
    targets: int
    assigned: int = Field(description="已分解到责任人的目标数")
    items: list[ItemOut]


def _task_out(task: Task, now: dt.datetime) -> dict[str, Any]:
    return {"id": task.pk, "title": task.title, "unit": task.unit.code,
            "unit_name": task.unit.name, "state": task.state, "progress": task.progress,
            "start": task.start, "deadline": timezone.localtime(task.deadline),
            "overdue": task.is_overdue(now), "priority": task.priority, "origin": task.origin,
            "first_responsible": task.first_responsible.display_name
            if task.first_responsible else None,
            "direct_responsible": task.direct_responsible.display_name
            if task.direct_responsible else None,
            "plan": task.plan_id, "parent": task.parent_id}


def build_router() -> Router:
    router = Router(tags=["计划与任务"])

    @router.get("/tasks", response=list[TaskOut], summary="任务列表",
                description="调用者可见的任务，按期限先后，最多 500 项；可按单位（含下级）、"
                            "是否逾期和状态筛选。")
    def list_tasks(request: HttpRequest, unit: str | None = None, overdue: bool = False,
                   state: TaskState | None = None) -> list[dict[str, Any]]:
        scope, now = scope_of(request), timezone.now()
        root = unit_for(scope=scope, code=unit[:32]) if unit else None
        rows = selectors.tasks_list(scope=scope, unit=root, overdue_at=now if overdue else None,
                                    state=state.value if state else None)
        return [_task_out(t, now) for t in rows[:500]]

    @router.get("/tasks/{task_id}", response=TaskOut, summary="任务")
    def get_task(request: HttpRequest, task_id: int) -> dict[str, Any]:
        task = selectors.task_for(scope=scope_of(request), user=request.auth, pk=task_id)  # type: ignore[attr-defined]
        return _task_out(task, timezone.now())

    @router.post("/tasks/{task_id}/progress", response=TaskOut, summary="报进展",
                 description="记录进度和进展情况（与页面上的「记录进展」相同的规则）。")
    def post_progress(request: HttpRequest, task_id: int, payload: ProgressIn) -> dict[str, Any]:
        scope, user = scope_of(request), request.auth  # type: ignore[attr-defined]
        task = selectors.task_for(scope=scope, user=user, pk=task_id)
        actions.report_progress(actor=user, scope=scope, task=task, progress=payload.progress,
                                note=payload.note, version=payload.version)
        task.refresh_from_db()
        return _task_out(task, timezone.now())

    @router.get("/plans/{plan_id}", response=PlanOut, summary="年度工作计划",
                description="计划的每个目标：考核所用目标、责任人、进度、是否有逾期任务。")
    def get_plan(request: HttpRequest, plan_id: int) -> dict[str, Any]:
        scope = scope_of(request)
        plan = selectors.plan_for(scope=scope, pk=plan_id)
        view = selectors.plan_view(scope=scope, plan=plan, now=timezone.now())
        return {"id": plan.pk, "title": plan.title, "unit": plan.unit.code, "year": plan.year,
                "standard": plan.standard_code, "targets": view.total, "assigned": view.assigned,
                "items": [{"name": r.item.name, "target": r.item.target_in_force,
                           "responsible": r.responsible, "progress": r.progress,
                           "overdue": r.overdue, "tasks": [t.pk for t in r.tasks]}
                          for r in view.rows]}

    return router


router = build_router()
