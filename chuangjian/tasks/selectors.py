"""Reading plans, tasks and meetings through the person's scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from chuangjian.lib import workdays
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope
from chuangjian.tasks.models import (
    Decision,
    GroupMember,
    Meeting,
    Plan,
    PlanItem,
    Task,
    TaskState,
    TaskUpdate,
)

_TASK_RELATED = ("unit", "first_responsible", "direct_responsible", "assigned_by", "plan",
                 "item", "parent")


def visible_tasks(*, scope: Scope, user: Any = None) -> QuerySet[Task]:
    """Tasks of units the person sees, and tasks they are responsible for or assigned."""
    cond = scope.q(Cap.VIEW, field_name="unit__path")
    uid = getattr(user, "pk", None)
    if uid is not None:
        cond |= (Q(direct_responsible_id=uid) | Q(first_responsible_id=uid)
                 | Q(assigned_by_id=uid))
    return Task.objects.filter(cond)


def task_for(*, scope: Scope, user: Any, pk: int) -> Task:
    task = (visible_tasks(scope=scope, user=user).select_related(*_TASK_RELATED, "done_by",
                                                               "verified_by", "finding",
                                                               "decision__meeting")
            .filter(pk=pk).first())
    if task is None:
        raise Http404
    return task


def updates_of(*, scope: Scope, task: Task) -> QuerySet[TaskUpdate]:
    return (task.updates.select_related("author", "activity").prefetch_related("files")
            .order_by("-at", "-id"))


def children_of(*, scope: Scope, task: Task) -> QuerySet[Task]:
    return task.children.select_related("unit", "direct_responsible").order_by("deadline", "id")


@dataclass
class MyTasks:
    overdue: list[Task] = field(default_factory=list)
    today: list[Task] = field(default_factory=list)
    week: list[Task] = field(default_factory=list)
    later: list[Task] = field(default_factory=list)
    to_verify: list[Task] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.today) + len(self.week) + len(self.later)


def my_tasks(*, scope: Scope, user: User, now: dt.datetime) -> MyTasks:
    """我的任务: open tasks the person is responsible for, by when they fall due, and the
    tasks waiting for their verification."""
    today = workdays.local_day(now)
    week_end = today + dt.timedelta(days=6 - today.weekday())
    mine = (Task.objects.filter(state=TaskState.OPEN)
            .filter(Q(direct_responsible=user) | Q(first_responsible=user, direct_responsible__isnull=True))
            .select_related(*_TASK_RELATED).order_by("deadline", "id"))
    out = MyTasks()
    for task in mine:
        day = workdays.local_day(task.deadline)
        if task.is_overdue(now):
            out.overdue.append(task)
        elif day == today:
            out.today.append(task)
        elif day <= week_end:
            out.week.append(task)
        elif task.start <= today + dt.timedelta(days=30):
            out.later.append(task)
    out.to_verify = list(Task.objects.filter(state=TaskState.DONE, assigned_by=user)
                         .exclude(done_by=user).exclude(direct_responsible=user)
                         .select_related(*_TASK_RELATED).order_by("done_at"))
    return out


def escalated_to(*, scope: Scope, user: User) -> QuerySet[Task]:
    """Open tasks whose escalation (督办) reached this person, not their own to do."""
    return (Task.objects.filter(state=TaskState.OPEN, escalations__recipients=user)
            .exclude(direct_responsible=user)
            .exclude(first_responsible=user, direct_responsible__isnull=True).distinct()
            .select_related(*_TASK_RELATED).order_by("deadline", "id"))


def tasks_list(*, scope: Scope, unit: Unit | None = None, overdue_at: dt.datetime | None = None,
               state: str | None = None) -> QuerySet[Task]:
    qs = scope.filter(Task.objects.all(), Cap.VIEW, field_name="unit__path")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if overdue_at is not None:
        qs = qs.filter(state=TaskState.OPEN, deadline__lte=overdue_at)
    if state:
        qs = qs.filter(state=state)
    return qs.select_related(*_TASK_RELATED).order_by("deadline", "id")


# -- plans --------------------------------------------------------------------------------

def plans(*, scope: Scope, year: int | None = None) -> QuerySet[Plan]:
    qs = scope.filter(Plan.objects.all(), Cap.VIEW, field_name="unit__path")
    if year:
        qs = qs.filter(year=year)
    return qs.select_related("unit", "standard").order_by("-year", "unit__path", "standard_code")


def plan_for(*, scope: Scope, pk: int) -> Plan:
    plan = plans(scope=scope).filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


def item_for(*, scope: Scope, pk: int) -> PlanItem:
    item = (PlanItem.objects.filter(pk=pk).select_related("plan", "plan__unit").first())
    if item is None or not scope.allows(item.plan.unit, Cap.VIEW):
        raise Http404
    return item


_GROUP_ORDER = {"leader": 0, "deputy": 1, "member": 2, "office": 3}


def group_of(*, scope: Scope, plan: Plan) -> list[GroupMember]:
    rows = list(plan.group.select_related("user"))
    return sorted(rows, key=lambda m: (_GROUP_ORDER.get(m.role, 9), m.pk))


@dataclass
class ItemRow:
    item: PlanItem
    tasks: list[Task]
    progress: int
    overdue: bool
    responsible: list[str]
    deadline: dt.datetime | None

    @property
    def assigned(self) -> bool:
        return any(t.direct_responsible_id for t in self.tasks)


@dataclass
class UnitRow:
    name: str
    tasks: int = 0
    done: int = 0
    overdue: int = 0
    progress_sum: int = 0

    @property
    def progress(self) -> int:
        return round(self.progress_sum / self.tasks) if self.tasks else 0


@dataclass
class PlanView:
    plan: Plan
    rows: list[ItemRow]
    units: list[UnitRow]
    assigned: int
    total: int
    overdue: int

    @property
    def decomposition(self) -> int | None:
        return round(100 * self.assigned / self.total) if self.total else None


def _progress(task: Task) -> int:
    return 100 if task.state in (TaskState.DONE, TaskState.VERIFIED) else int(task.progress)


def plan_view(*, scope: Scope, plan: Plan, now: dt.datetime) -> PlanView:
    """Every target with its responsible people, progress and deadline; overdue flagged;
    progress by carrying unit. Three queries whatever the plan's size."""
    items = list(plan.items.select_related("guiding_unit", "carrying_unit").order_by("order", "id"))
    tasks = list(Task.objects.filter(item__plan=plan, parent__isnull=True)
                 .exclude(state=TaskState.CANCELLED)
                 .select_related("unit", "direct_responsible", "first_responsible")
                 .order_by("deadline", "id"))
    by_item: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        if task.item_id is not None:
            by_item[task.item_id].append(task)
    rows: list[ItemRow] = []
    units: dict[int, UnitRow] = {}
    for item in items:
        ts = by_item.get(item.pk, [])
        names = sorted({t.direct_responsible.display_name for t in ts if t.direct_responsible})
        rows.append(ItemRow(item=item, tasks=ts,
                            progress=round(sum(_progress(t) for t in ts) / len(ts)) if ts else 0,
                            overdue=any(t.is_overdue(now) for t in ts), responsible=names,
                            deadline=max((t.deadline for t in ts), default=None)))
        for t in ts:
            row = units.setdefault(t.unit_id, UnitRow(t.unit.name))
            row.tasks += 1
            row.done += t.state in (TaskState.DONE, TaskState.VERIFIED)
            row.overdue += t.is_overdue(now)
            row.progress_sum += _progress(t)
    return PlanView(plan=plan, rows=rows, units=list(units.values()),
                    assigned=sum(r.assigned for r in rows), total=len(rows),
                    overdue=sum(r.overdue for r in rows))


def timeline_options(*, scope: Scope, view: PlanView, now: dt.datetime) -> dict[str, Any]:
    """A Gantt-like ECharts option: one bar per task from its start to its deadline,
    stacked on an invisible bar; red when overdue, green when done."""
    year_start = dt.date(view.plan.year, 1, 1)
    labels, offsets, spans, colours = [], [], [], []
    for row in view.rows:
        for task in row.tasks:
            start = (task.start - year_start).days
            end = (workdays.local_day(task.deadline) - year_start).days
            labels.append(f"{task.title[:14]}·{task.unit.name[:6]}")
            offsets.append(start)
            spans.append(max(end - start, 1))
            colours.append("#dc3545" if task.is_overdue(now) else
                           "#198754" if task.state in (TaskState.DONE, TaskState.VERIFIED)
                           else "#0d6efd")
    today = (workdays.local_day(now) - year_start).days
    return {"year": view.plan.year, "labels": labels, "offsets": offsets, "spans": spans,
            "colours": colours, "today": today}


# -- meetings -----------------------------------------------------------------------------

def meetings(*, scope: Scope) -> QuerySet[Meeting]:
    return (scope.filter(Meeting.objects.all(), Cap.VIEW, field_name="unit__path")
            .select_related("unit", "activity").order_by("-day", "-id"))


def meeting_for(*, scope: Scope, pk: int) -> Meeting:
    meeting = meetings(scope=scope).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting


def decisions_of(*, scope: Scope, meeting: Meeting) -> list[Decision]:
    return list(meeting.decision_rows.prefetch_related(
        Prefetch("tasks", queryset=Task.objects.select_related("direct_responsible", "unit"))))


def decision_for(*, scope: Scope, pk: int) -> Decision:
    decision = Decision.objects.filter(pk=pk).select_related("meeting", "meeting__unit").first()
    if decision is None or not scope.allows(decision.meeting.unit, Cap.VIEW):
        raise Http404
    return decision


def people_on_line(*, scope: Scope, unit: Unit) -> QuerySet[User]:
    """People who may be made responsible for a unit's work: its own, those above, those
    below — the ones the actions accept."""
    ids = [*unit.ancestor_ids(), unit.pk]
    return (User.objects.filter(is_active=True)
            .filter(Q(memberships__unit_id__in=ids) | Q(memberships__unit__path__startswith=unit.path))
            .distinct().order_by("full_name", "username"))
