"""点位台账: the register, one point's form, xlsx in and out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangjian.inspections import forms, io, selectors
from chuangjian.inspections.actions.points import may_manage_points, save_point
from chuangjian.inspections.models import PointType
from chuangjian.inspections.views.common import scope_of, show_errors
from chuangjian.lib.versions import StaleEdit, show_stale
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap


@login_required
@require_GET
def points(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.is_empty:
        raise PermissionDenied
    type_ = request.GET.get("type", "")
    q = request.GET.get("q", "").strip()
    qs = selectors.points(scope=scope, type=type_ if type_ in PointType.values else "", query=q)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "inspections/points.html", {
        "page": page, "types": PointType.choices, "type": type_, "q": q,
        "can_manage": scope.allows_any(Cap.INSPECT) or scope.allows_any(Cap.MANAGE_UNITS),
        "import_form": forms.ImportForm(), "tab": "points"})


def _unit(scope: object, code: str) -> Unit | None:
    unit = Unit.objects.filter(code=code.strip()).first()
    return unit if unit is not None and scope.allows(unit, Cap.VIEW) else None  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def point_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    scope = scope_of(request)
    point = selectors.point_for(scope=scope, pk=pk) if pk else None
    if point is not None and not may_manage_points(scope=scope, unit=point.unit):
        raise PermissionDenied
    if point is None and not (scope.allows_any(Cap.INSPECT) or scope.allows_any(Cap.MANAGE_UNITS)):
        raise PermissionDenied
    initial = {}
    if point is not None:
        initial = {"name": point.name, "type": point.type, "unit": point.unit.code,
                   "responsible_unit": point.responsible_unit.code, "address": point.address,
                   "latitude": point.latitude, "longitude": point.longitude,
                   "contact_name": point.contact_name, "contact_phone": point.contact_phone,
                   "note": point.note, "version": point.version}
    form = forms.PointForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        unit = _unit(scope, d["unit"])
        responsible = _unit(scope, d["responsible_unit"]) if d["responsible_unit"] else unit
        if unit is None:
            form.add_error("unit", _("单位编码「%(c)s」不存在或不在您的范围内") % {"c": d["unit"]})
        elif responsible is None:
            form.add_error("responsible_unit", _("单位编码「%(c)s」不存在或不在您的范围内")
                           % {"c": d["responsible_unit"]})
        else:
            try:
                saved = save_point(actor=request.user, scope=scope, point=point, unit=unit,  # type: ignore[arg-type]
                                   name=d["name"], type=d["type"], address=d["address"],
                                   responsible_unit=responsible, latitude=d["latitude"],
                                   longitude=d["longitude"], contact_name=d["contact_name"],
                                   contact_phone=d["contact_phone"], note=d["note"],
                                   expected_version=d.get("version"))
            except StaleEdit as stale:
                show_stale(form, stale, {"unit": lambda p: p.unit.code,
                                         "responsible_unit": lambda p: p.responsible_unit.code})
            except ValidationError as error:
                show_errors(form, error, "name")
            else:
                messages.success(request, _("点位「%(n)s」已保存") % {"n": saved.name})
                return redirect(reverse("inspections:points"))
    status = 409 if getattr(form, "stale", False) else 400 if form.is_bound else 200
    return render(request, "inspections/point_form.html", {"form": form, "point": point,
                                                            "tab": "points"}, status=status)


@login_required
@require_GET
def points_export(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.is_empty:
        raise PermissionDenied
    data = io.export_points(scope)
    response = HttpResponse(data, content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    name = f"点位台账{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(name)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
@require_POST
def points_import(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not (scope.allows_any(Cap.INSPECT) or scope.allows_any(Cap.MANAGE_UNITS)):
        raise PermissionDenied
    form = forms.ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "；".join(str(e) for es in form.errors.values() for e in es))
        return redirect(reverse("inspections:points"))
    upload = form.cleaned_data["file"]
    result = io.import_points(actor=request.user, scope=scope, data=upload.read(),  # type: ignore[arg-type]
                              filename=upload.name)
    if not result.ok:
        qs = selectors.points(scope=scope)
        page = Paginator(qs, 50).get_page(1)
        return render(request, "inspections/points.html", {
            "page": page, "types": PointType.choices, "import_errors": result.errors,
            "can_manage": True, "import_form": forms.ImportForm(), "tab": "points"}, status=400)
    messages.success(request, _("导入成功：新增 %(c)d 个点位，更新 %(u)d 个") % {
        "c": result.created, "u": result.updated})
    return redirect(reverse("inspections:points"))
