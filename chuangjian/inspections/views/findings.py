"""登记问题: the phone page an inspector fills in on the spot."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chuangjian.files import pending
from chuangjian.inspections import forms, selectors, taxonomy
from chuangjian.inspections.actions.findings import create_finding
from chuangjian.inspections.models import ChecklistItem, Round, RoundPoint
from chuangjian.inspections.views.common import now, require_any, show_errors, units_with
from chuangjian.org.scope import Cap
from chuangjian.standards.models import ProblemCategory


def _context(request: HttpRequest) -> dict[str, Any]:
    scope = require_any(request, Cap.INSPECT)
    source = request.POST if request.method == "POST" else request.GET
    round_: Round | None = None
    round_point: RoundPoint | None = None
    if source.get("round"):
        round_ = selectors.round_for(scope=scope, pk=int(source["round"]))
    if source.get("round_point") and round_ is not None:
        round_point = round_.points.select_related("point", "point__unit").filter(
            pk=int(source["round_point"])).first()
    standards = [round_.standard] if round_ is not None and round_.standard else None
    categories = taxonomy.categories_of(standards) if standards else taxonomy.current_categories()
    units = units_with(scope, Cap.INSPECT)
    if round_ is not None:
        units = units.filter(path__startswith=round_.scope_unit.path)
    return {"scope": scope, "round": round_, "round_point": round_point,
            "groups": taxonomy.grouped(categories), "units": units,
            "checklist": list(round_.checklist.all()) if round_ else []}


def _form(ctx: dict[str, Any], data: Any = None, files: Any = None) -> forms.FindingForm:
    form = forms.FindingForm(data, files, initial={"key": forms.new_key(),
                                                   "dispatch": ctx["round"] is None
                                                   or not ctx["round"].covert})
    form.fields["unit"].queryset = ctx["units"]  # type: ignore[attr-defined]
    return form


def _refused(request: HttpRequest, ctx: dict[str, Any], form: forms.FindingForm, key: str,
             photos: list[Any]) -> HttpResponse:
    """The form again with everything typed, and the chosen photos kept (pending uploads)."""
    kept = pending.keep(request, key, photos)
    return render(request, "inspections/finding_form.html",
                  {**ctx, "form": form, "pending_files": kept}, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def new_finding(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    scope = ctx["scope"]
    key = f"finding:{ctx['round'].pk if ctx['round'] else ''}:{ctx['round_point'].pk if ctx['round_point'] else ''}"
    if request.method == "GET":
        return render(request, "inspections/finding_form.html", {**ctx, "form": _form(ctx)})
    form = _form(ctx, request.POST, request.FILES)
    photos = pending.chosen(request, key) + request.FILES.getlist("photos")
    if not form.is_valid():
        return _refused(request, ctx, form, key, photos)
    d = form.cleaned_data
    round_point: RoundPoint | None = ctx["round_point"]
    unit = round_point.point.unit if round_point else d["unit"]
    if unit is None:
        form.add_error("unit", _("请选择问题所在的属地单位"))
        return _refused(request, ctx, form, key, photos)
    category = None
    if d.get("category"):
        category = ProblemCategory.objects.filter(pk=d["category"]).first()
    item = None
    if d.get("checklist_item") and ctx["round"] is not None:
        item = ChecklistItem.objects.filter(pk=d["checklist_item"], round=ctx["round"]).first()
    try:
        finding, created = create_finding(
            actor=request.user, scope=scope, unit=unit, description=d["description"],  # type: ignore[arg-type]
            severity=d["severity"], category=category, checklist_item=item,
            round=ctx["round"], round_point=round_point, deduction=d.get("deduction"),
            address=d.get("address") or "", latitude=d.get("latitude"),
            longitude=d.get("longitude"), accuracy_m=d.get("accuracy_m"), photos=photos,
            idempotency_key=d["key"], dispatch=bool(d.get("dispatch")), now=now())
    except PermissionDenied:
        raise
    except ValidationError as error:
        show_errors(form, error, "description")
        return _refused(request, ctx, form, key, photos)
    pending.forget(request, key)
    if created:
        messages.success(request, _("问题 %(n)s 已登记") % {"n": finding.number})
    else:
        messages.info(request, _("这条问题已经登记过了（%(n)s），没有重复保存") % {"n": finding.number})
    if request.POST.get("next") == "again" and ctx["round"] is not None:
        url = reverse("inspections:finding_new") + f"?round={ctx['round'].pk}"
        if round_point is not None:
            url += f"&round_point={round_point.pk}"
        return redirect(url)
    return redirect(reverse("inspections:order", args=[finding.order.pk]))
