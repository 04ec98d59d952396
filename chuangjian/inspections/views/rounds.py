"""督查轮次 and 督导组 pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangjian.inspections import forms, policy, selectors, taxonomy
from chuangjian.inspections.actions import rounds as act
from chuangjian.inspections.models import PointType, RoundKind, SupervisionGroup
from chuangjian.inspections.views.common import (
    error_text,
    now,
    require_any,
    scope_of,
    show_errors,
    units_with,
)
from chuangjian.org.models import Membership, User
from chuangjian.org.scope import Cap
from chuangjian.standards.selectors import current_standards


@login_required
@require_GET
def rounds(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    rows = list(selectors.rounds(scope=scope)[:200])
    return render(request, "inspections/rounds.html", {
        "rows": rows, "can_create": scope.allows_any(Cap.INSPECT), "tab": "rounds"})


def _round_form(request: HttpRequest, data: object = None) -> forms.RoundForm:
    scope = scope_of(request)
    today = timezone.localdate()
    form = forms.RoundForm(data, initial={"kind": RoundKind.WEEKLY, "starts_on": today,
                                          "ends_on": today, "standard": getattr(
                                              taxonomy.default_standard(), "pk", None)})
    form.fields["scope_unit"].queryset = units_with(scope, Cap.INSPECT)  # type: ignore[attr-defined]
    # The inspector's own street (the widest unit offered) is the usual range of a round.
    if data is None:
        form.initial["scope_unit"] = form.fields["scope_unit"].queryset.values_list(  # type: ignore[attr-defined]
            "pk", flat=True).first()
    form.fields["standard"].queryset = current_standards()  # type: ignore[attr-defined]
    # Only groups the inspector may organise a round with (INSPECT at the group's unit).
    form.fields["groups"].queryset = selectors.groups(scope=scope).filter(  # type: ignore[attr-defined]
        scope.q(Cap.INSPECT, field_name="unit__path")).order_by("unit__path", "name")
    return form


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    scope = require_any(request, Cap.INSPECT)
    form = _round_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        # The organiser is the highest unit of the inspector's own scope above the area.
        scope_unit = d["scope_unit"]
        organiser = next((u for u in scope.root_units()
                          if scope_unit.path.startswith(u.path) and scope.allows(u, Cap.INSPECT)),
                         scope_unit)
        # A round run with supervision groups is organised by the unit that formed them
        # (a street's groups for a street's round), so the groups the form offers work.
        group_units = {g.unit for g in d["groups"]}
        if len(group_units) > 1:
            form.add_error("groups", _("所选督导组分属不同单位，一轮督查只能用同一单位组建的督导组"))
        elif group_units:
            owner = group_units.pop()
            if scope_unit.path.startswith(owner.path):
                organiser = owner
            else:
                form.add_error("groups", _("督导组「%(g)s」由「%(u)s」组建，检查范围须在「%(u)s」之内") % {
                    "g": d["groups"][0].name, "u": owner.name})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            round_ = act.create_round(actor=request.user, scope=scope, unit=organiser,  # type: ignore[arg-type]
                                      scope_unit=scope_unit, kind=d["kind"], title=d["title"],
                                      starts_on=d["starts_on"], ends_on=d["ends_on"],
                                      standard=d["standard"], groups=d["groups"],
                                      quotas=form.quotas(), seed=d["seed"])
        except ValidationError as error:
            show_errors(form, error, "title")
        else:
            messages.success(request, _("已建立「%(t)s」，抽取点位 %(n)d 个") % {
                "t": round_.title, "n": round_.points.count()})
            return redirect(reverse("inspections:round", args=[round_.pk]))
    return render(request, "inspections/round_form.html", {
        "form": form, "point_types": PointType.choices, "tab": "rounds"},
        status=400 if form.is_bound else 200)


@login_required
@require_GET
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    round_ = selectors.round_for(scope=scope, pk=pk)
    rps = list(selectors.round_points(round_))
    checklist = list(round_.checklist.select_related("indicator", "category"))
    for rp in rps:
        rp.rows = [(item, rp.results.get(str(item.pk), "")) for item in checklist]  # type: ignore[attr-defined]
    findings = list(selectors.findings(scope=scope).filter(round=round_).order_by("-found_at"))
    return render(request, "inspections/round.html", {
        "round": round_, "points": rps, "findings": findings,
        "checklist": checklist,
        "can_organise": policy.may_organise(scope, round_),
        "visited": sum(1 for r in rps if r.visited_at), "tab": "rounds",
    })


@login_required
@require_POST
def round_visit(request: HttpRequest, pk: int, rp: int) -> HttpResponse:
    scope = scope_of(request)
    round_ = selectors.round_for(scope=scope, pk=pk)
    round_point = round_.points.filter(pk=rp).first()
    if round_point is None:
        return redirect(reverse("inspections:round", args=[pk]))
    results = {int(k[5:]): str(v) for k, v in request.POST.items() if k.startswith("item_")
               and k[5:].isdigit()}
    try:
        act.record_visit(actor=request.user, scope=scope, round_point=round_point,  # type: ignore[arg-type]
                         results=results, now=now())
        messages.success(request, _("已记录「%(p)s」的检查结果") % {"p": round_point.point.name})
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect(reverse("inspections:round", args=[pk]) + f"#rp-{rp}")


@login_required
@require_POST
def round_publish(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    round_ = selectors.round_for(scope=scope, pk=pk)
    try:
        if request.POST.get("what") == "finish":
            act.finish_round(actor=request.user, scope=scope, round_=round_)  # type: ignore[arg-type]
            messages.success(request, _("本轮督查已结束"))
        else:
            n = act.publish_round(actor=request.user, scope=scope, round_=round_, now=now())  # type: ignore[arg-type]
            messages.success(request, _("结果已公布，已派单 %(n)d 件") % {"n": n})
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect(reverse("inspections:round", args=[pk]))


@login_required
@require_http_methods(["GET", "POST"])
def groups(request: HttpRequest) -> HttpResponse:
    scope = require_any(request, Cap.INSPECT)
    units = units_with(scope, Cap.INSPECT)
    form = forms.GroupForm(request.POST if request.method == "POST" else None)
    people = User.objects.filter(pk__in=Membership.objects.filter(
        unit__in=units, role__in=("inspector", "leader", "responsible", "admin"))
        .values("user_id"), is_active=True).order_by("full_name")
    form.fields["leader"].queryset = people  # type: ignore[attr-defined]
    form.fields["members"].queryset = people  # type: ignore[attr-defined]
    form.fields["areas"].queryset = units.exclude(level__in=("grid", "building"))  # type: ignore[attr-defined]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        areas = list(d["areas"])
        root = next((u for u in scope.root_units() if scope.allows(u, Cap.INSPECT)
                     and all(a.path.startswith(u.path) for a in areas)), None)
        if root is None:
            form.add_error("areas", _("片区应在同一个您负责的单位之下"))
        else:
            try:
                act.create_group(actor=request.user, scope=scope, unit=root, name=d["name"],  # type: ignore[arg-type]
                                 leader=d["leader"], members=d["members"], areas=areas)
            except ValidationError as error:
                show_errors(form, error, "name")
            else:
                messages.success(request, _("督导组「%(n)s」已建立") % {"n": d["name"]})
                return redirect(reverse("inspections:groups"))
    rows: list[SupervisionGroup] = list(selectors.groups(scope=scope))
    return render(request, "inspections/groups.html", {"rows": rows, "form": form,
                                                        "tab": "groups"})
