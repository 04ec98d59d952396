"""Every write of plans, tasks and meetings (计划、任务、会议).

Each action takes the person's scope, checks what they may do (``policy``), validates with
Chinese messages that name the field, writes inside one transaction with its audit entry,
and tells the notification centre and the assessment (the decomposition indicator of
文明单位, ``tasks/sources.py``) what changed.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.evidence import actions as evidence_actions
from chuangjian.evidence.models import Activity, ActivityType
from chuangjian.files.models import FileKind, StoredFile
from chuangjian.files.storing import discarded_on_error, store_file
from chuangjian.inspections.actions.rectification import ESCALATE_UP_AFTER_DAYS, escalation_chain
from chuangjian.inspections.models import Finding
from chuangjian.lib import workdays
from chuangjian.notify.actions import notify_users
from chuangjian.org.levels import Kind
from chuangjian.org.models import Membership, Unit, User
from chuangjian.org.scope import Cap, Scope
from chuangjian.sources import changed
from chuangjian.standards.selectors import standard_for, unit_matches
from chuangjian.tasks import policy
from chuangjian.tasks.models import (
    Decision,
    GroupMember,
    GroupRole,
    Meeting,
    MeetingKind,
    Origin,
    Plan,
    PlanItem,
    Priority,
    Recurrence,
    Task,
    TaskEscalation,
    TaskState,
    TaskUpdate,
)

DECOMPOSITION_ELEMENTS = ("plan_tasks_total", "plan_tasks_assigned")
MAX_FILES = 9
MAX_NOTE = 2000
# A recurring rule must end; it may not run further than this from its start.
MAX_RECURRENCE_YEARS = 3
_MONTHS: dict[str, int] = {Recurrence.MONTHLY: 1, Recurrence.QUARTERLY: 3, Recurrence.YEARLY: 12}


def _deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


def _actor(actor: User | None) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _plan_changed(plan: Plan | None) -> None:
    """The decomposition indicator of the plan's unit and year is stale."""
    if plan is not None:
        changed(unit_id=plan.unit_id, element_codes=DECOMPOSITION_ELEMENTS,
                day=dt.date(plan.year, 12, 31))


def _task_url(task: Task) -> str:
    return reverse("tasks:task", args=[task.pk])


# -- plans --------------------------------------------------------------------------------

@transaction.atomic
def generate_plan(*, actor: User | None, scope: Scope, unit: Unit, standard_code: str,
                  year: int) -> Plan:
    """年度创建工作计划: one target per indicator of the standard that applies to the unit."""
    _deny_unless(policy.may_plan(scope, unit))
    try:
        standard = standard_for(standard_code)
    except Exception:
        raise ValidationError({"standard": _("没有编码为「%(c)s」的创建标准") % {"c": standard_code}}
                              ) from None
    if not unit_matches(standard.levels, standard.categories, unit):
        raise ValidationError({"standard": _("「%(s)s」不适用于「%(u)s」") % {
            "s": standard.name, "u": unit.name}})
    if year < standard.year_from or (standard.year_to and year > standard.year_to):
        raise ValidationError({"year": _("「%(s)s」适用于 %(y)s，不含 %(year)d 年") % {
            "s": standard.name, "y": standard.years_label, "year": year}})
    if Plan.objects.filter(unit=unit, standard_code=standard.code, year=year).exists():
        raise ValidationError({"year": _("「%(u)s」%(year)d 年的「%(s)s」工作计划已经存在") % {
            "u": unit.name, "year": year, "s": standard.campaign}})
    plan = Plan(unit=unit, standard=standard, standard_code=standard.code, year=year,
                title=_("%(u)s%(year)d年%(c)s创建工作计划") % {"u": unit.name, "year": year,
                                                              "c": standard.campaign},
                created_by=_actor(actor))
    plan.full_clean()
    plan.save()
    items = []
    for ind in standard.indicators.order_by("order"):
        if ind.level and not unit_matches([ind.level], standard.categories, unit):
            continue
        items.append(PlanItem(plan=plan, order=ind.order, indicator_code=ind.code,
                              group_name=ind.item_name, name=ind.name[:300],
                              standard_target=ind.target_text, carrying_unit=unit))
    PlanItem.objects.bulk_create(items)
    log_action(action="tasks.plan.created", actor=_actor(actor), obj=plan, unit=unit,
               data={"standard": standard.code, "year": year, "items": len(items)})
    _plan_changed(plan)
    return plan


@transaction.atomic
def set_item(*, actor: User | None, scope: Scope, item: PlanItem, own_target: str = "",
             score_own: bool = False, guiding_unit: Unit | None = None,
             carrying_unit: Unit | None = None) -> PlanItem:
    """A target's 条块 split and the unit's own stricter target (optional)."""
    plan = item.plan
    _deny_unless(policy.may_edit_plan(scope, plan))
    own_target = (own_target or "").strip()
    errors: dict[str, str] = {}
    if len(own_target) > 300:
        errors["own_target"] = _("本单位目标不能超过300字")
    if score_own and not own_target:
        errors["score_own"] = _("要按本单位目标考核，请先填写本单位目标")
    if guiding_unit is not None and (guiding_unit.kind != Kind.DEPARTMENT
                                     or not scope.allows(guiding_unit, Cap.VIEW)):
        errors["guiding_unit"] = _("「%(u)s」不是您范围内的职能部门（条）") % {"u": guiding_unit.name}
    if carrying_unit is not None and not carrying_unit.path.startswith(plan.unit.path):
        errors["carrying_unit"] = _("落实单位「%(u)s」不在「%(p)s」之下") % {
            "u": carrying_unit.name, "p": plan.unit.name}
    if errors:
        raise ValidationError(errors)
    item.own_target, item.score_own = own_target, score_own
    item.guiding_unit, item.carrying_unit = guiding_unit, carrying_unit or plan.unit
    item.save(update_fields=["own_target", "score_own", "guiding_unit", "carrying_unit"])
    log_action(action="tasks.plan.item_set", actor=_actor(actor), obj=plan, unit=plan.unit,
               data={"item": item.name, "own_target": own_target, "score_own": score_own,
                     "guiding": guiding_unit.name if guiding_unit else "",
                     "carrying": item.carrying_unit.name if item.carrying_unit else ""})
    return item


def _person_on_line(user: User, unit: Unit) -> bool:
    """A member of the unit, one above it, or one below it (条块: 管区书记 for a community)."""
    ids = [*unit.ancestor_ids(), unit.pk]
    return Membership.objects.filter(user=user).filter(
        Q(unit_id__in=ids) | Q(unit__path__startswith=unit.path)).exists()


@transaction.atomic
def set_group_member(*, actor: User | None, scope: Scope, plan: Plan, user: User, role: str,
                     duty: str = "") -> GroupMember:
    """创建领导小组: 组长, 副组长, 成员 and the 办公室 that coordinates."""
    _deny_unless(policy.may_edit_plan(scope, plan))
    if role not in GroupRole.values:
        raise ValidationError({"role": _("小组职务只能是：%(r)s") % {
            "r": "、".join(str(label) for label in GroupRole.labels)}})
    if not _person_on_line(user, plan.unit):
        raise ValidationError({"user": _("「%(p)s」不是「%(u)s」或其上下级单位的人员") % {
            "p": user.display_name, "u": plan.unit.name}})
    if len(duty) > 200:
        raise ValidationError({"duty": _("分工不能超过200字")})
    member, _created = GroupMember.objects.update_or_create(
        plan=plan, user=user, defaults={"role": role, "duty": duty.strip()})
    log_action(action="tasks.plan.group_set", actor=_actor(actor), obj=plan, unit=plan.unit,
               data={"user": user.display_name, "role": member.get_role_display()})
    return member


@transaction.atomic
def remove_group_member(*, actor: User | None, scope: Scope, member: GroupMember) -> None:
    _deny_unless(policy.may_edit_plan(scope, member.plan))
    log_action(action="tasks.plan.group_removed", actor=_actor(actor), obj=member.plan,
               unit=member.plan.unit, data={"user": member.user.display_name})
    member.delete()


# -- tasks --------------------------------------------------------------------------------

def _shift_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _deadline(start: dt.date, deadline: dt.date | None, working_days: int | None
              ) -> tuple[dt.datetime, int | None]:
    if (deadline is None) == (working_days is None):
        raise ValidationError({"deadline": _("请填写完成期限：一个日期，或开始后的工作日数（二选一）")})
    if working_days is not None:
        if working_days < 1 or working_days > workdays.MAX_WORKING_DAYS:
            raise ValidationError({"working_days": _("工作日数应在 1 到 %(n)d 之间") % {
                "n": workdays.MAX_WORKING_DAYS}})
        return workdays.due_after(start, working_days), working_days
    if deadline is None:
        raise ValidationError({"deadline": _("请填写完成期限")})
    if deadline < start:
        raise ValidationError({"deadline": _("完成期限（%(d)s）不能早于开始日期（%(s)s）") % {
            "d": deadline.isoformat(), "s": start.isoformat()}})
    return dt.datetime.combine(deadline, workdays.DUE_CLOCK, tzinfo=workdays.SHANGHAI), None


def _check_people(unit: Unit, people: dict[str, User | None]) -> None:
    labels = {"first_responsible": _("第一责任人"), "direct_responsible": _("直接责任人")}
    errors = {}
    for field, user in people.items():
        if user is not None and (not user.is_active or not _person_on_line(user, unit)):
            errors[field] = _("%(role)s「%(p)s」不是「%(u)s」或其上下级单位的人员") % {
                "role": labels[field], "p": user.display_name, "u": unit.name}
    if errors:
        raise ValidationError(errors)


def _occurrence_starts(start: dt.date, rule: str, until: dt.date | None) -> list[int]:
    """Month offsets of the occurrences after the first; refuses a rule without an end."""
    if not rule:
        return []
    if rule not in _MONTHS:
        raise ValidationError({"recurrence": _("重复规则只能是每月、每季度或每年")})
    if until is None:
        raise ValidationError({"recurrence_until": _("重复任务必须有截止日期：不设截止的重复规则会无限生成任务")})
    if until < start:
        raise ValidationError({"recurrence_until": _("重复截止日期不能早于开始日期")})
    if until > _shift_months(start, 12 * MAX_RECURRENCE_YEARS):
        raise ValidationError({"recurrence_until": _("重复任务最长 %(n)d 年，请缩短截止日期") % {
            "n": MAX_RECURRENCE_YEARS}})
    step, offsets, k = _MONTHS[rule], [], 1
    while _shift_months(start, step * k) <= until:
        offsets.append(step * k)
        k += 1
    return offsets


@discarded_on_error()
@transaction.atomic
def create_task(*, actor: User | None, scope: Scope, unit: Unit, title: str,
                start: dt.date, deadline: dt.date | None = None,
                working_days: int | None = None, description: str = "",
                first_responsible: User | None = None, direct_responsible: User | None = None,
                priority: int = Priority.NORMAL, origin: str = "",
                item: PlanItem | None = None, finding: Finding | None = None,
                decision: Decision | None = None, parent: Task | None = None,
                recurrence: str = "", recurrence_until: dt.date | None = None,
                now: dt.datetime | None = None) -> Task:
    """交办: a task to a unit and its responsible people, with a deadline; a recurring rule
    creates its occurrences at once (it must end)."""
    if not policy.may_assign(scope, unit):
        raise ValidationError({"unit": _("「%(u)s」不在您可以交办任务的范围内") % {"u": unit.name}})
    if unit.closed_on is not None:
        raise ValidationError({"unit": _("「%(u)s」已撤销，不能交办任务") % {"u": unit.name}})
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationError({"title": _("请填写任务名称（不超过200字）")})
    if len(description) > MAX_NOTE:
        raise ValidationError({"description": _("要求不能超过 %(n)d 字") % {"n": MAX_NOTE}})
    if priority not in Priority.values:
        raise ValidationError({"priority": _("优先级只能是紧急、一般或较低")})
    due, days = _deadline(start, deadline, working_days)
    _check_people(unit, {"first_responsible": first_responsible,
                         "direct_responsible": direct_responsible})
    plan = item.plan if item is not None else None
    if parent is not None:
        if not unit.path.startswith(parent.unit.path):
            raise ValidationError({"unit": _("子任务的责任单位应在「%(u)s」之下") % {
                "u": parent.unit.name}})
        if due > parent.deadline:
            raise ValidationError({"deadline": _("子任务的期限不能晚于上级任务的期限（%(d)s）") % {
                "d": timezone.localtime(parent.deadline).strftime("%Y-%m-%d")}})
        if parent.is_closed:
            raise ValidationError({"parent": _("上级任务已办结，不能再分解")})
        item, plan = item or parent.item, plan or parent.plan
    if item is not None and not scope.allows(item.plan.unit, Cap.VIEW):
        raise PermissionDenied
    if finding is not None and not scope.allows(finding.unit, Cap.VIEW):
        raise PermissionDenied
    offsets = _occurrence_starts(start, recurrence, recurrence_until)
    origin = origin or (Origin.TARGET if item else Origin.FINDING if finding
                        else Origin.DECISION if decision else Origin.FREE)
    common: dict[str, Any] = {
        "title": title, "description": description, "unit": unit, "origin": origin, "plan": plan, "item": item,
        "finding": finding, "decision": decision, "parent": parent,
        "first_responsible": first_responsible, "direct_responsible": direct_responsible,
        "assigned_by": _actor(actor), "priority": priority, "working_days": days}
    task = Task(start=start, deadline=due, recurrence=recurrence or "",
                recurrence_until=recurrence_until if recurrence else None, **common)
    task.full_clean()
    task.save()
    for months in offsets:
        occ_start = _shift_months(start, months)
        if days is not None:
            occ_due = workdays.due_after(occ_start, days)
        else:
            occ_day = workdays.add_workdays(_shift_months(workdays.local_day(due), months), 0)
            occ_due = dt.datetime.combine(occ_day, workdays.DUE_CLOCK, tzinfo=workdays.SHANGHAI)
        Task.objects.create(start=occ_start, deadline=occ_due, series=task, **common)
    log_action(action="tasks.task.created", actor=_actor(actor), obj=task, unit=unit,
               data={"title": title, "deadline": timezone.localtime(due).isoformat(),
                     "origin": origin, "occurrences": len(offsets) + 1,
                     "direct": direct_responsible.display_name if direct_responsible else ""})
    notify_users(scope=scope, users=[direct_responsible, first_responsible], kind="task.assigned",
                 title=_("新任务：%(t)s") % {"t": title},
                 body=_("%(u)s · 期限 %(d)s") % {"u": unit.name, "d": timezone.localtime(due)
                                                 .strftime("%Y-%m-%d %H:%M")},
                 url=_task_url(task), at=_now(now))
    if parent is not None:
        _roll_up(parent)
    _plan_changed(plan)
    return task


def _lock(task: Task, version: int | None) -> Task:
    fresh = (Task.objects.select_for_update(of=("self",))
             .select_related("unit", "plan", "item", "parent").get(pk=task.pk))
    if version is not None and fresh.version != version:
        raise ValidationError(_("任务「%(t)s」刚刚已被他人更新（现在是「%(s)s」），请刷新页面后再操作") % {
            "t": fresh.title, "s": fresh.get_state_display()}, code="stale")
    return fresh


def _effective(task: Task) -> int:
    return 100 if task.state in (TaskState.DONE, TaskState.VERIFIED) else int(task.progress)


def _roll_up(parent: Task | None) -> None:
    """A parent's progress is the mean of its live sub-tasks', up to the top of the tree."""
    while parent is not None:
        children = list(parent.children.exclude(state=TaskState.CANCELLED)
                        .only("state", "progress"))
        if children:
            mean = round(sum(_effective(c) for c in children) / len(children))
            if parent.state == TaskState.OPEN and parent.progress != mean:
                parent.progress = min(mean, 99)  # 100 only once the parent itself is done
                parent.save(update_fields=["progress"])
        parent = parent.parent


def _files(uploads: Sequence[Any], actor: User | None) -> list[StoredFile]:
    if len(uploads) > MAX_FILES:
        raise ValidationError({"files": _("一次最多上传 %(n)d 个照片或文件") % {"n": MAX_FILES}})
    stored, errors = [], []
    for index, upload in enumerate(uploads, start=1):
        try:
            stored.append(store_file(upload, user=actor, kinds=(FileKind.IMAGE, FileKind.DOCUMENT)))
        except ValidationError as error:
            errors.append(_("第%(i)d个文件「%(n)s」：%(e)s") % {
                "i": index, "n": getattr(upload, "name", ""), "e": "；".join(error.messages)})
    if errors:
        raise ValidationError({"files": errors})
    return stored


def _check_activity(scope: Scope, activity: Activity | None) -> None:
    if activity is not None and not scope.allows(activity.unit, Cap.VIEW):
        raise ValidationError({"activity": _("关联的活动不在您的范围内")})


@discarded_on_error()
@transaction.atomic
def report_progress(*, actor: User, scope: Scope, task: Task, progress: int, note: str = "",
                    uploads: Sequence[Any] = (), activity: Activity | None = None,
                    version: int | None = None, now: dt.datetime | None = None) -> TaskUpdate:
    """进展: a percentage and what was done, with photos, files or a recorded activity."""
    task = _lock(task, version)
    if not policy.may_work(scope, actor, task):
        if task.state != TaskState.OPEN:
            raise ValidationError(_("任务当前为「%(s)s」，不能再报进展") % {"s": task.get_state_display()})
        raise PermissionDenied
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("进度应在 0 到 100 之间")})
    if progress == 100:
        raise ValidationError({"progress": _("进度 100% 请用「完成，提交核验」")})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("进展情况不能超过 %(n)d 字") % {"n": MAX_NOTE}})
    _check_activity(scope, activity)
    stored = _files(uploads, actor)
    update = TaskUpdate.objects.create(task=task, author=actor, at=_now(now), progress=progress,
                                       note=note.strip(), activity=activity)
    update.files.set(stored)
    task.progress, task.version = progress, task.version + 1
    task.save(update_fields=["progress", "version"])
    log_action(action="tasks.task.progress", actor=actor, obj=task, unit=task.unit,
               data={"progress": progress, "files": len(stored),
                     "activity": activity.title if activity else ""})
    _roll_up(task.parent)
    return update


@discarded_on_error()
@transaction.atomic
def complete_task(*, actor: User, scope: Scope, task: Task, note: str = "",
                  uploads: Sequence[Any] = (), activity: Activity | None = None,
                  version: int | None = None, now: dt.datetime | None = None) -> Task:
    """完成: handed in for verification by the person who assigned it."""
    now = _now(now)
    task = _lock(task, version)
    if not policy.may_work(scope, actor, task):
        if task.state != TaskState.OPEN:
            raise ValidationError(_("任务当前为「%(s)s」，不能提交完成") % {"s": task.get_state_display()})
        raise PermissionDenied
    open_children = task.children.filter(state=TaskState.OPEN).count()
    if open_children:
        raise ValidationError(_("还有 %(n)d 个子任务未完成，完成后再提交") % {"n": open_children})
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("完成情况不能超过 %(n)d 字") % {"n": MAX_NOTE}})
    _check_activity(scope, activity)
    stored = _files(uploads, actor)
    update = TaskUpdate.objects.create(task=task, author=actor, at=now, progress=100,
                                       note=note.strip(), activity=activity, kind="done")
    update.files.set(stored)
    task.state, task.progress, task.done_at, task.done_by = TaskState.DONE, 100, now, actor
    task.version += 1
    task.save(update_fields=["state", "progress", "done_at", "done_by", "version"])
    log_action(action="tasks.task.done", actor=actor, obj=task, unit=task.unit,
               data={"files": len(stored), "on_time": now <= task.deadline})
    verifier = task.assigned_by if task.assigned_by_id not in (None, actor.pk) else None
    notify_users(scope=scope, users=[verifier], kind="task.to_verify",
                 title=_("待核验：%(t)s") % {"t": task.title},
                 body=_("%(p)s 已提交完成") % {"p": actor.display_name}, url=_task_url(task), at=now)
    _roll_up(task.parent)
    return task


@transaction.atomic
def verify_task(*, actor: User, scope: Scope, task: Task, passed: bool, reason: str = "",
                version: int | None = None, now: dt.datetime | None = None) -> Task:
    """核验: the assigner (or a leader over the unit) accepts the work or sends it back;
    nobody verifies work they did or were directly responsible for."""
    now = _now(now)
    task = _lock(task, version)
    if task.state != TaskState.DONE:
        raise ValidationError(_("任务当前为「%(s)s」，不是待核验") % {"s": task.get_state_display()})
    if actor.pk in (task.direct_responsible_id, task.done_by_id):
        raise ValidationError(_("不能核验自己负责或自己完成的任务，请由交办人核验"))
    _deny_unless(policy.may_verify(scope, actor, task))
    reason = (reason or "").strip()
    if not passed and not reason:
        raise ValidationError({"reason": _("退回时请写明理由")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("理由不能超过300字")})
    if passed:
        task.state, task.verified_at, task.verified_by = TaskState.VERIFIED, now, actor
        fields = ["state", "verified_at", "verified_by"]
    else:
        task.state, task.last_reason, task.progress = TaskState.OPEN, reason, 90
        task.done_at = None
        fields = ["state", "last_reason", "progress", "done_at"]
    task.version += 1
    task.save(update_fields=[*fields, "version"])
    TaskUpdate.objects.create(task=task, author=actor, at=now, progress=task.progress,
                              note=reason, kind="verified" if passed else "returned")
    log_action(action="tasks.task.verified" if passed else "tasks.task.returned", actor=actor,
               obj=task, unit=task.unit, data={"reason": reason})
    notify_users(scope=scope, users=[task.direct_responsible or task.done_by],
                 kind="task.verified" if passed else "task.returned",
                 title=(_("已核验：%(t)s") if passed else _("被退回：%(t)s")) % {"t": task.title},
                 body=reason, url=_task_url(task), at=now)
    _roll_up(task.parent)
    return task


@transaction.atomic
def cancel_task(*, actor: User, scope: Scope, task: Task, reason: str,
                version: int | None = None) -> Task:
    task = _lock(task, version)
    _deny_unless(policy.may_cancel(scope, actor, task))
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ValidationError({"reason": _("请写明撤销理由（不超过300字）")})
    task.state, task.last_reason, task.version = TaskState.CANCELLED, reason, task.version + 1
    task.save(update_fields=["state", "last_reason", "version"])
    log_action(action="tasks.task.cancelled", actor=actor, obj=task, unit=task.unit,
               data={"reason": reason})
    _roll_up(task.parent)
    _plan_changed(task.plan)
    return task


# -- escalation (督办), the same rule as rectification orders -----------------------------

def _first_unit(task: Task) -> Unit:
    """The unit where the 第一责任人 holds their post (the nearest on the task's line)."""
    if task.first_responsible_id is not None:
        ids = [*task.unit.ancestor_ids(), task.unit.pk]
        found = (Membership.objects.filter(user_id=task.first_responsible_id, unit_id__in=ids)
                 .select_related("unit").order_by("-unit__depth").first())
        if found is not None:
            return found.unit
    return task.unit


@transaction.atomic
def escalate_overdue_tasks(*, scope: Scope, now: dt.datetime | None = None
                           ) -> list[TaskEscalation]:
    """督办: every open task past its deadline is escalated once per local day — to its
    第一责任人, and from the third day overdue to the leaders one level up as well — until
    it is done. Safe to run as often as cron likes."""
    now = _now(now)
    today = workdays.local_day(now)
    done: list[TaskEscalation] = []
    overdue = (scope.filter(Task.objects.select_for_update(of=("self",)), field_name="unit__path")
               .filter(state=TaskState.OPEN, deadline__lte=now)
               .exclude(escalations__day=today)
               .select_related("unit", "first_responsible"))
    # Many tasks share a unit and a 第一责任人: look each chain up once per run.
    firsts: dict[tuple[int, int | None], Unit] = {}
    chains: dict[tuple[int, int], list[tuple[Unit, list[User]]]] = {}
    for task in overdue:
        overdue_days = (today - workdays.local_day(task.deadline)).days + 1
        level = 2 if overdue_days >= ESCALATE_UP_AFTER_DAYS else 1
        key = (task.unit_id, task.first_responsible_id)
        if key not in firsts:
            firsts[key] = _first_unit(task)
        first = firsts[key]
        if (first.pk, level) not in chains:
            chains[(first.pk, level)] = escalation_chain(first, level)
        chain = chains[(first.pk, level)]
        recipients: list[User] = []
        units: list[str] = []
        if task.first_responsible is not None:
            recipients.append(task.first_responsible)
            units.append(first.name)
        elif chain:
            recipients += chain[0][1]
            units.append(chain[0][0].name)
        if level >= 2 and len(chain) > 1:
            recipients += chain[-1][1]
            units.append(chain[-1][0].name)
        escalation = TaskEscalation.objects.create(task=task, day=today, level=level,
                                                   overdue_days=overdue_days, units=units)
        escalation.recipients.set(set(recipients))
        task.escalation_level = level
        task.save(update_fields=["escalation_level"])
        log_action(action="tasks.task.escalated", actor=None, obj=task, unit=task.unit,
                   data={"level": level, "overdue_days": overdue_days, "units": units,
                         "recipients": [u.display_name for u in recipients]})
        notify_users(scope=scope, users=recipients, kind="task.escalated",
                     title=_("逾期督办：%(t)s") % {"t": task.title},
                     body=_("%(u)s · 已逾期 %(n)d 天 · 第%(l)d级督办") % {
                         "u": task.unit.name, "n": overdue_days, "l": level},
                     url=_task_url(task), at=now)
        done.append(escalation)
    return done


# -- meetings -----------------------------------------------------------------------------

@transaction.atomic
def schedule_meeting(*, actor: User | None, scope: Scope, unit: Unit, kind: str, title: str,
                     day: dt.date, place: str, agenda: str, invitees: Iterable[User] = (),
                     plan: Plan | None = None) -> Meeting:
    """例会 / 专题会: scheduled with an agenda and the people invited."""
    if not scope.allows(unit, Cap.ENTER_DATA):
        raise ValidationError({"unit": _("「%(u)s」不在您可以安排会议的范围内") % {"u": unit.name}})
    errors: dict[str, str] = {}
    if kind not in MeetingKind.values:
        errors["kind"] = _("会议类型只能是例会或专题会")
    if not title.strip() or len(title) > 200:
        errors["title"] = _("请填写会议名称（不超过200字）")
    if not place.strip() or len(place) > 200:
        errors["place"] = _("请填写会议地点（不超过200字）")
    if not agenda.strip() or len(agenda) > MAX_NOTE:
        errors["agenda"] = _("请填写议程（不超过 %(n)d 字）") % {"n": MAX_NOTE}
    if plan is not None and plan.unit_id != unit.pk:
        errors["plan"] = _("工作计划应是本单位的计划")
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(unit=unit, plan=plan, kind=kind, title=title.strip(),
                                     day=day, place=place.strip(), agenda=agenda.strip(),
                                     created_by=_actor(actor))
    people = list(invitees)
    for person in people:
        if not _person_on_line(person, unit):
            raise ValidationError({"invitees": _("「%(p)s」不是「%(u)s」或其上下级单位的人员") % {
                "p": person.display_name, "u": unit.name}})
    meeting.invitees.set(people)
    log_action(action="tasks.meeting.scheduled", actor=_actor(actor), obj=meeting, unit=unit,
               data={"title": meeting.title, "day": day.isoformat(), "kind": kind})
    return meeting


@transaction.atomic
def hold_meeting(*, actor: User | None, scope: Scope, meeting: Meeting, attended: Iterable[User],
                 minutes: str, decisions: Sequence[str], others: str = "",
                 uploads: Sequence[Any] = ()) -> Activity:
    """The meeting took place: its minutes, attendance and decisions become the evidence
    app's activity (例会 / 专题会) — written once — and each decision a line that may
    become a task in one step."""
    if not policy.may_run_meeting(scope, meeting):
        raise PermissionDenied
    if meeting.held:
        raise ValidationError(_("这次会议已经记录过纪要"))
    present = list(attended)
    decisions = [d.strip() for d in decisions if d.strip()]
    errors: dict[str, str] = {}
    if not minutes.strip():
        errors["minutes"] = _("请填写会议纪要")
    if not present and not others.strip():
        errors["attended"] = _("请勾选出席人员")
    if any(len(d) > 300 for d in decisions):
        errors["decisions"] = _("每条决定事项不能超过300字")
    if len(decisions) > 30:
        errors["decisions"] = _("决定事项最多30条")
    if errors:
        raise ValidationError(errors)
    names = "、".join([p.display_name for p in present] + ([others.strip()] if others.strip() else []))
    activity = evidence_actions.create_activity(
        actor=actor, scope=scope, unit=meeting.unit,
        type=ActivityType.objects.get(code=meeting.kind), title=meeting.title, date=meeting.day,
        place=meeting.place, organiser=meeting.unit.name,
        participants_count=max(len(present) + (1 if others.strip() else 0), 1),
        description=meeting.agenda, minutes=minutes.strip(), attendance=names,
        decisions="\n".join(f"{i}. {d}" for i, d in enumerate(decisions, start=1)),
        uploads=uploads)
    meeting.activity = activity
    meeting.save(update_fields=["activity"])
    Decision.objects.bulk_create([Decision(meeting=meeting, order=i, text=d)
                                  for i, d in enumerate(decisions, start=1)])
    log_action(action="tasks.meeting.held", actor=_actor(actor), obj=meeting, unit=meeting.unit,
               data={"attended": len(present), "decisions": len(decisions)})
    return activity


def decision_to_task(*, actor: User | None, scope: Scope, decision: Decision, unit: Unit,
                     start: dt.date, deadline: dt.date | None = None,
                     working_days: int | None = None,
                     direct_responsible: User | None = None,
                     first_responsible: User | None = None,
                     priority: int = Priority.NORMAL, now: dt.datetime | None = None) -> Task:
    """决定事项 → 任务 in one step: the decision's words become the task."""
    if not policy.may_run_meeting(scope, decision.meeting):
        raise PermissionDenied
    if decision.tasks.exclude(state=TaskState.CANCELLED).exists():
        raise ValidationError(_("这条决定事项已经转为任务"))
    meeting = decision.meeting
    item = None
    return create_task(actor=actor, scope=scope, unit=unit, title=decision.text[:200],
                       description=_("%(m)s（%(d)s）决定事项") % {
                           "m": meeting.title, "d": meeting.day.isoformat()},
                       start=start, deadline=deadline, working_days=working_days,
                       direct_responsible=direct_responsible,
                       first_responsible=first_responsible, priority=priority,
                       origin=Origin.DECISION, decision=decision, item=item, now=now)
