"""The unit page (单位详情) and its changes: create a child, edit, close, split."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chuangjian.lib.versions import StaleEdit, show_stale
from chuangjian.org import actions, selectors
from chuangjian.org.levels import DEPARTMENT_TYPES, Kind
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, require
from chuangjian.web.forms import (
    SplitDateForm,
    SplitFormSet,
    UnitCloseForm,
    UnitCreateForm,
    UnitEditForm,
    apply_errors,
)
from chuangjian.web.views.common import AuthedRequest, crumbs, scope_of


@login_required
def unit_detail(request: AuthedRequest, code: str) -> HttpResponse:
    scope = scope_of(request)
    unit = selectors.unit_for(scope=scope, code=code)
    children = list(selectors.children_of(scope=scope, unit=unit))
    versions, successions = selectors.unit_history(scope=scope, unit=unit)
    caps = scope.caps_at(unit)
    recent = []
    if Cap.VIEW_AUDIT in caps:
        recent = list(selectors.audit_entries(scope=scope).filter(unit=unit)[:10])
    for s in successions:
        other = s.successor if s.predecessor_id == unit.pk else s.predecessor
        s.other = other
        s.other_visible = scope.allows(other)
    return render(request, "web/unit_detail.html", {
        "unit": unit,
        "trail": crumbs(scope, unit),
        "areas": [c for c in children if c.kind == Kind.AREA],
        "departments": [c for c in children if c.kind == Kind.DEPARTMENT],
        "versions": versions,
        "successions": successions,
        "people": list(selectors.memberships_at_or_above(scope=scope, unit=unit)),
        "recent": recent,
        "can_manage": Cap.MANAGE_UNITS in caps,
        "can_audit": Cap.VIEW_AUDIT in caps,
    })


def _managed_unit(request: AuthedRequest, code: str) -> Unit:
    scope = scope_of(request)
    unit = selectors.unit_for(scope=scope, code=code)
    require(scope, unit, Cap.MANAGE_UNITS)
    return unit


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: AuthedRequest, code: str) -> HttpResponse:
    parent = _managed_unit(request, code)
    form = UnitCreateForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if parent.is_closed:
            form.add_error(None, _("上级单位「%(name)s」已撤销") % {"name": parent.name})
        else:
            try:
                unit = actions.create_unit(
                    actor=request.user, scope=scope_of(request), code=data["code"],
                    name=data["name"],
                    level=data["level"], parent=parent, kind=data["kind"],
                    category=data["category"], department_type=data["department_type"],
                    division_code=data["division_code"], opened_on=data["opened_on"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已新建单位「%(name)s」。") % {"name": unit.name})
                return redirect("web:unit", code=unit.code)
    return render(request, "web/unit_create.html", {
        "parent": parent, "form": form, "trail": crumbs(scope_of(request), parent),
        "department_types": DEPARTMENT_TYPES})


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: AuthedRequest, code: str) -> HttpResponse:
    unit = _managed_unit(request, code)
    form = UnitEditForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        changes = form.changes(unit)
        if not changes:
            messages.info(request, _("没有需要保存的修改。"))
            return redirect("web:unit", code=unit.code)
        try:
            actions.update_unit(actor=request.user, scope=scope_of(request), unit=unit,
                                effective=form.cleaned_data.get("effective"),
                                expected_version=form.cleaned_data.get("version"), **changes)
        except StaleEdit as stale:
            show_stale(form, stale)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已保存「%(name)s」的修改。") % {"name": form.cleaned_data["name"]})
            return redirect("web:unit", code=unit.code)
    return render(request, "web/unit_edit.html", {
        "unit": unit, "form": form, "trail": crumbs(scope_of(request), unit),
        "department_types": DEPARTMENT_TYPES}, status=409 if getattr(form, "stale", False) else 200)


@login_required
@require_http_methods(["GET", "POST"])
def unit_close(request: AuthedRequest, code: str) -> HttpResponse:
    unit = _managed_unit(request, code)
    form = UnitCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.close_unit(actor=request.user, scope=scope_of(request), unit=unit,
                               on=form.cleaned_data["on"],
                               reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(form, exc, "on", aliases={"closed_on": "on"})
        else:
            messages.success(request, _("已撤销「%(name)s」。") % {"name": unit.name})
            return redirect("web:unit", code=unit.code)
    return render(request, "web/unit_close.html", {
        "unit": unit, "form": form, "trail": crumbs(scope_of(request), unit)})


@login_required
@require_http_methods(["GET", "POST"])
def unit_split(request: AuthedRequest, code: str) -> HttpResponse:
    unit = _managed_unit(request, code)
    date_form = SplitDateForm(request.POST or None)
    formset = SplitFormSet(request.POST or None, prefix="parts",
                           initial=[{"category": unit.category}] * 3)
    errors: list[str] = []
    if request.method == "POST" and date_form.is_valid() and formset.is_valid():
        try:
            new_units = actions.split_unit(actor=request.user, scope=scope_of(request), unit=unit,
                                           on=date_form.cleaned_data["on"],
                                           parts=formset.parts())  # type: ignore[attr-defined]
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("已将「%(name)s」拆分为：%(parts)s。") % {
                "name": unit.name, "parts": "、".join(u.name for u in new_units)})
            return redirect("web:unit", code=unit.code)
    return render(request, "web/unit_split.html", {
        "unit": unit, "date_form": date_form, "formset": formset, "errors": errors,
        "trail": crumbs(scope_of(request), unit)})
