"""Pages of plans, tasks and meetings (计划与任务)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangjian.evidence.models import Activity
from chuangjian.inspections import selectors as inspection_selectors
from chuangjian.lib import workdays
from chuangjian.org.levels import Kind
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.standards.selectors import current_standards
from chuangjian.tasks import actions, forms, policy, selectors
from chuangjian.tasks.models import TaskState
from chuangjian.web.forms import apply_errors


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        return "；".join(m for ms in error.message_dict.values() for m in ms)
    return "；".join(error.messages)


def _units(scope: Scope, cap: Cap) -> Any:
    return scope.units(cap).filter(closed_on__isnull=True).order_by("path")


def _field(form: Any, name: str) -> Any:
    """A form field whose choices the view narrows to the person's scope."""
    return form.fields[name]


def _int(value: Any) -> int | None:
    text = str(value or "")[:12]
    return int(text) if text.isdigit() else None


# -- 我的任务 -------------------------------------------------------------------------------

@login_required
def mine(request: HttpRequest) -> HttpResponse:
    scope, now = _scope(request), timezone.now()
    box = selectors.my_tasks(scope=scope, user=request.user, now=now)  # type: ignore[arg-type]
    upcoming = list(selectors.meetings(scope=scope).filter(
        activity__isnull=True, day__gte=workdays.local_day(now))[:5])
    return render(request, "tasks/mine.html", {
        "box": box, "now": now, "upcoming": upcoming,
        "can_assign": scope.allows_any(Cap.ENTER_DATA)})


# -- tasks ----------------------------------------------------------------------------------

@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    if not scope.allows_any(Cap.ENTER_DATA):
        raise PermissionDenied
    item = parent = None
    if (pk := _int(request.GET.get("item") or request.POST.get("item"))) is not None:
        item = selectors.item_for(scope=scope, pk=pk)
    if (pk := _int(request.GET.get("parent") or request.POST.get("parent"))) is not None:
        parent = selectors.task_for(scope=scope, user=request.user, pk=pk)
    finding = None
    if (pk := _int(request.GET.get("finding") or request.POST.get("finding"))) is not None:
        finding = inspection_selectors.finding_for(scope=scope, pk=pk)
    units = _units(scope, Cap.ENTER_DATA)
    if parent is not None:
        units = units.filter(path__startswith=parent.unit.path)
    anchor = (parent.unit if parent else item.carrying_unit or item.plan.unit if item
              else finding.unit if finding else units.first())
    today = workdays.local_day(timezone.now())
    initial: dict[str, Any] = {"start": today, "working_days": 5,
                               "unit": anchor.pk if anchor else None}
    if item is not None:
        initial.update(title=item.name[:200], description=item.target_in_force,
                       deadline=dt.date(item.plan.year, 12, 15), working_days=None)
    if finding is not None:
        initial.update(title=f"{finding.category_label}整改"[:200],
                       description=finding.description[:2000])
    if parent is not None:
        initial.update(title=parent.title, deadline=workdays.local_day(parent.deadline),
                       working_days=None)
    form = forms.TaskForm(request.POST or None, initial=initial)
    _field(form, "unit").queryset = units
    people = selectors.people_on_line(scope=scope, unit=anchor) if anchor else None
    if people is not None:
        _field(form, "first_responsible").queryset = people
        _field(form, "direct_responsible").queryset = people
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = actions.create_task(
                actor=request.user, scope=scope, unit=data["unit"], title=data["title"],  # type: ignore[arg-type]
                description=data["description"], start=data["start"],
                deadline=data["deadline"], working_days=data["working_days"],
                first_responsible=data["first_responsible"],
                direct_responsible=data["direct_responsible"], priority=data["priority"],
                item=item, parent=parent, finding=finding,
                recurrence=data["recurrence"] or "",
                recurrence_until=data["recurrence_until"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("任务已交办：%(t)s") % {"t": task.title})
            return redirect("tasks:task", pk=task.pk)
    return render(request, "tasks/task_form.html", {"form": form, "item": item,
                                                     "parent": parent, "finding": finding})


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, now = _scope(request), timezone.now()
    task = selectors.task_for(scope=scope, user=request.user, pk=pk)
    user = request.user
    activities = []
    if policy.may_work(scope, user, task):
        activities = list(Activity.objects.filter(unit=task.unit).order_by("-date", "-id")
                          .only("id", "title", "date")[:30])
    return render(request, "tasks/task.html", {
        "task": task, "now": now, "overdue": task.is_overdue(now),
        "updates": selectors.updates_of(scope=scope, task=task), "children": selectors.children_of(scope=scope, task=task),
        "escalations": task.escalations.prefetch_related("recipients")[:10],
        "may_work": policy.may_work(scope, user, task),
        "may_verify": policy.may_verify(scope, user, task),
        "may_cancel": policy.may_cancel(scope, user, task),
        "may_split": task.state == TaskState.OPEN and scope.allows(task.unit, Cap.ENTER_DATA),
        "progress_form": forms.ProgressForm(initial={"progress": task.progress}),
        "done_form": forms.DoneForm(), "verify_form": forms.VerifyForm(),
        "activities": activities,
        "calendar_known": workdays.known_year(workdays.local_day(task.deadline).year)})


@login_required
@require_POST
def task_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = _scope(request)
    task = selectors.task_for(scope=scope, user=request.user, pk=pk)
    user = request.user
    version = _int(request.POST.get("version"))
    activity = None
    if (apk := _int(request.POST.get("activity"))) is not None:
        activity = Activity.objects.filter(pk=apk).select_related("unit").first()
    uploads = request.FILES.getlist("files")
    note = str(request.POST.get("note", ""))[:2001]
    try:
        if action == "progress":
            progress = _int(request.POST.get("progress"))
            if progress is None:
                raise ValidationError({"progress": _("请填写进度（0 到 100 的整数）")})
            actions.report_progress(actor=user, scope=scope, task=task, progress=progress,  # type: ignore[arg-type]
                                    note=note, uploads=uploads, activity=activity,
                                    version=version)
            messages.success(request, _("进展已记录"))
        elif action == "done":
            actions.complete_task(actor=user, scope=scope, task=task, note=note,  # type: ignore[arg-type]
                                  uploads=uploads, activity=activity, version=version)
            messages.success(request, _("已提交完成，等待交办人核验"))
        elif action in ("verify", "return"):
            actions.verify_task(actor=user, scope=scope, task=task, passed=action == "verify",  # type: ignore[arg-type]
                                reason=str(request.POST.get("reason", ""))[:301],
                                version=version)
            messages.success(request, _("已核验") if action == "verify" else _("已退回"))
        elif action == "cancel":
            actions.cancel_task(actor=user, scope=scope, task=task,  # type: ignore[arg-type]
                                reason=str(request.POST.get("reason", ""))[:301],
                                version=version)
            messages.success(request, _("任务已撤销"))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, _error_text(error))
    return redirect("tasks:task", pk=task.pk)


# -- plans ----------------------------------------------------------------------------------

@login_required
def plans(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    year = _int(request.GET.get("year")) or workdays.local_day(timezone.now()).year
    form = forms.PlanForm(request.POST or None, initial={"year": year})
    _field(form, "unit").queryset = _units(scope, Cap.APPROVE)
    _field(form, "standard").choices = [(s.code, s.name) for s in current_standards()]
    if request.method == "POST":
        if not scope.allows_any(Cap.APPROVE):
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                plan = actions.generate_plan(actor=request.user, scope=scope, unit=data["unit"],  # type: ignore[arg-type]
                                             standard_code=data["standard"], year=data["year"])
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("已生成「%(t)s」") % {"t": plan.title})
                return redirect("tasks:plan", pk=plan.pk)
    rows = list(selectors.plans(scope=scope, year=year)[:200])
    return render(request, "tasks/plans.html", {"plans": rows, "form": form, "year": year,
                                                "may_plan": scope.allows_any(Cap.APPROVE)})


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, now = _scope(request), timezone.now()
    plan = selectors.plan_for(scope=scope, pk=pk)
    view = selectors.plan_view(scope=scope, plan=plan, now=now)
    may_edit = policy.may_edit_plan(scope, plan)
    group_form = forms.GroupForm()
    _field(group_form, "user").queryset = selectors.people_on_line(scope=scope, unit=plan.unit)
    # 条: the functional departments beside the plan's unit or any unit above it.
    departments = Unit.objects.filter(kind=Kind.DEPARTMENT, closed_on__isnull=True,
                                      parent_id__in=[*plan.unit.ancestor_ids(), plan.unit.pk])
    carriers = Unit.objects.filter(path__startswith=plan.unit.path, closed_on__isnull=True,
                                   kind=Kind.AREA).order_by("path")[:200]
    return render(request, "tasks/plan.html", {
        "plan": plan, "view": view, "now": now, "group": selectors.group_of(scope=scope, plan=plan),
        "may_edit": may_edit, "may_assign": policy.may_assign(scope, plan.unit),
        "group_form": group_form, "departments": list(departments.order_by("path")[:100]),
        "carriers": list(carriers),
        "meetings": list(plan.meetings.order_by("-day")[:10]),
        "timeline": selectors.timeline_options(scope=scope, view=view, now=now)})


@login_required
@require_POST
def plan_item(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    item = selectors.item_for(scope=scope, pk=pk)
    if not policy.may_edit_plan(scope, item.plan):
        raise PermissionDenied
    form = forms.ItemForm(request.POST)
    _field(form, "guiding_unit").queryset = scope.units(Cap.VIEW).filter(kind=Kind.DEPARTMENT)
    _field(form, "carrying_unit").queryset = Unit.objects.filter(path__startswith=item.plan.unit.path)
    if not form.is_valid():
        messages.error(request, "；".join(str(m) for ms in form.errors.values() for m in ms))
    else:
        data = form.cleaned_data
        try:
            actions.set_item(actor=request.user, scope=scope, item=item,  # type: ignore[arg-type]
                             own_target=data["own_target"], score_own=data["score_own"],
                             guiding_unit=data["guiding_unit"],
                             carrying_unit=data["carrying_unit"])
            messages.success(request, _("目标「%(n)s」已保存") % {"n": item.name[:30]})
        except ValidationError as error:
            messages.error(request, _error_text(error))
    return redirect("tasks:plan", pk=item.plan_id)


@login_required
@require_POST
def plan_group(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    plan = selectors.plan_for(scope=scope, pk=pk)
    if not policy.may_edit_plan(scope, plan):
        raise PermissionDenied
    form = forms.GroupForm(request.POST)
    _field(form, "user").queryset = selectors.people_on_line(scope=scope, unit=plan.unit)
    if not form.is_valid():
        messages.error(request, "；".join(str(m) for ms in form.errors.values() for m in ms))
    else:
        try:
            actions.set_group_member(actor=request.user, scope=scope, plan=plan,  # type: ignore[arg-type]
                                     **form.cleaned_data)
            messages.success(request, _("领导小组已更新"))
        except ValidationError as error:
            messages.error(request, _error_text(error))
    return redirect("tasks:plan", pk=plan.pk)


# -- meetings -------------------------------------------------------------------------------

@login_required
def meetings(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = forms.MeetingForm(request.POST or None,
                             initial={"day": workdays.local_day(timezone.now())})
    _field(form, "unit").queryset = _units(scope, Cap.ENTER_DATA)
    if request.method == "POST":
        if not scope.allows_any(Cap.ENTER_DATA):
            raise PermissionDenied
        if form.is_valid():
            try:
                meeting = actions.schedule_meeting(actor=request.user, scope=scope,  # type: ignore[arg-type]
                                                   **form.cleaned_data)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("会议已安排"))
                return redirect("tasks:meeting", pk=meeting.pk)
    return render(request, "tasks/meetings.html", {
        "meetings": list(selectors.meetings(scope=scope)[:100]), "form": form,
        "may_schedule": scope.allows_any(Cap.ENTER_DATA)})


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    meeting = selectors.meeting_for(scope=scope, pk=pk)
    may_run = policy.may_run_meeting(scope, meeting)
    form = forms.HoldForm(request.POST or None)
    people = selectors.people_on_line(scope=scope, unit=meeting.unit)
    _field(form, "attended").queryset = people
    if request.method == "POST":
        if not may_run:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.hold_meeting(actor=request.user, scope=scope, meeting=meeting,  # type: ignore[arg-type]
                                     attended=data["attended"], minutes=data["minutes"],
                                     others=data["others"],
                                     decisions=data["decisions"].splitlines(),
                                     uploads=request.FILES.getlist("files"))
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("会议纪要已记录，并已登记为活动台账"))
                return redirect("tasks:meeting", pk=meeting.pk)
    decision_form = forms.DecisionTaskForm(initial={"unit": meeting.unit_id})
    _field(decision_form, "unit").queryset = _units(scope, Cap.ENTER_DATA).filter(
        path__startswith=meeting.unit.path)
    _field(decision_form, "direct_responsible").queryset = people
    return render(request, "tasks/meeting.html", {
        "meeting": meeting, "may_run": may_run, "form": form,
        "invitees": list(meeting.invitees.all()),
        "decisions": selectors.decisions_of(scope=scope, meeting=meeting), "decision_form": decision_form,
        "today": workdays.local_day(timezone.now())})


@login_required
@require_POST
def decision_task(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    decision = selectors.decision_for(scope=scope, pk=pk)
    if not policy.may_run_meeting(scope, decision.meeting):
        raise PermissionDenied
    form = forms.DecisionTaskForm(request.POST)
    _field(form, "unit").queryset = _units(scope, Cap.ENTER_DATA)
    _field(form, "direct_responsible").queryset = selectors.people_on_line(
        scope=scope, unit=decision.meeting.unit)
    if not form.is_valid():
        messages.error(request, "；".join(str(m) for ms in form.errors.values() for m in ms))
        return redirect("tasks:meeting", pk=decision.meeting_id)
    data = form.cleaned_data
    try:
        task = actions.decision_to_task(
            actor=request.user, scope=scope, decision=decision, unit=data["unit"],  # type: ignore[arg-type]
            start=workdays.local_day(timezone.now()), working_days=data["working_days"],
            direct_responsible=data["direct_responsible"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("tasks:meeting", pk=decision.meeting_id)
    messages.success(request, _("决定事项已转为任务"))
    return redirect("tasks:task", pk=task.pk)
