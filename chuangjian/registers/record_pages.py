"""Pages of the registers a community clerk keeps on a phone: volunteers, service records,
family honours, BP readings, mediation cases, placements and facilities — a list with
search and filters, entry and edit forms, and quick entry of a BP reading or a service
record from a person's page.

As for residents (decision 0020), a search that may hold a name is a POST, never a URL;
whoever sees the unit but not the names gets how many rows each unit below keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.registers import forms as rforms
from chuangjian.registers import selectors
from chuangjian.registers.actions import records as actions
from chuangjian.registers.actions.people import StaleRecord
from chuangjian.registers.feeds import COLUMNS, _d
from chuangjian.registers.models import (
    BPReading,
    FacilityKind,
    FamilyKind,
    MediationOutcome,
    Person,
    ServiceRecord,
    Volunteer,
)

LABELS: dict[str, Any] = {
    "volunteers": gettext_lazy("志愿者"), "service": gettext_lazy("志愿服务记录"),
    "families": gettext_lazy("家庭创建"), "bp": gettext_lazy("血压测量"),
    "mediation": gettext_lazy("调解案件"), "placements": gettext_lazy("再就业安置"),
    "facilities": gettext_lazy("设施与场所"),
}
FORMS: dict[str, type[rforms.RegisterForm]] = {
    "volunteers": rforms.VolunteerForm, "service": rforms.ServiceRecordForm,
    "families": rforms.FamilyHonourForm, "bp": rforms.BPReadingForm,
    "mediation": rforms.MediationCaseForm, "placements": rforms.PlacementForm,
    "facilities": rforms.FacilityForm,
}
CHOICES: dict[str, Any] = {"families": FamilyKind.choices, "mediation": MediationOutcome.choices,
                           "facilities": FacilityKind.choices}
Column = tuple[Any, Callable[[Any], str]]
LIST_COLUMNS: dict[str, list[Column]] = {
    **COLUMNS,
    "bp": [(gettext_lazy("测量日期"), lambda r: _d(r.measured_on)),
           (gettext_lazy("姓名"), lambda r: r.person.name),
           (gettext_lazy("血压（mmHg）"), lambda r: f"{r.systolic}/{r.diastolic}"),
           (gettext_lazy("测量地点"), lambda r: r.place or "—"),
           (gettext_lazy("测量人"), lambda r: r.measured_by or "—")],
    "volunteers": [*COLUMNS["volunteers"],
                   (gettext_lazy("退出日期"), lambda v: _d(v.left_on))],
    "service": [*COLUMNS["service"], (gettext_lazy("服务内容"), lambda s: s.content or "—")],
    "facilities": COLUMNS["facilities"],
}
PER_PAGE = 30


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _kind(kind: str) -> str:
    if kind not in FORMS:
        raise Http404
    return kind


def _may_keep(scope: Scope, kind: str, unit: Unit) -> bool:
    try:
        actions.require_keeper(scope=scope, kind=kind, unit=unit)
    except PermissionDenied:
        return False
    return True


def _year(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdecimal() and len(raw) == 4 else None


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def record_list(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    kind = _kind(kind)
    scope = _scope(request)
    unit = selectors.unit_for(scope=scope, code=code)
    year = _year(request.GET.get("year"))
    choice = request.GET.get("choice", "")
    cap = Cap.VIEW_PERSONS if kind in actions.PERSONAL else Cap.VIEW
    context: dict[str, Any] = {
        "kind": kind, "label": LABELS[kind], "unit": unit, "year": year, "choice": choice,
        "choices": CHOICES.get(kind, []), "kinds": LABELS,
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
        "may_add": _may_keep(scope, kind, unit)}
    if not scope.allows(unit, cap):
        context["counts"] = selectors.record_counts(scope=scope, kind=kind, unit=unit, year=year)
        return render(request, "registers/records/list.html", context)
    query = request.POST.get("q", "")[:50] if request.method == "POST" else ""
    qs = selectors.records(scope=scope, kind=kind, unit=unit, q=query, year=year,
                           choice=choice).order_by("-pk")
    page = Paginator(qs, PER_PAGE).get_page(None if query else request.GET.get("page"))
    context.update({
        "query": query, "page": page, "headers": [h for h, _f in LIST_COLUMNS[kind]],
        "rows": [(row.pk, [fn(row) for _h, fn in LIST_COLUMNS[kind]]) for row in page]})
    return render(request, "registers/records/list.html", context)


def _edit_initial(kind: str, row: Any) -> dict[str, Any]:
    if kind == "families":
        return {"address": row.household.address}
    if kind == "mediation":
        return {"parties": "、".join(p.name for p in row.parties.all())}
    if kind == "volunteers" and row.team is not None:
        return {"team_name": row.team.name}
    return {}


def _form(kind: str, request: HttpRequest, unit: Unit, row: Any | None) -> rforms.RegisterForm:
    form_class = FORMS[kind]
    data = request.POST if request.method == "POST" else None
    form = form_class(data, instance=row, unit=unit, scope=_scope(request),
                      initial=_edit_initial(kind, row) if row is not None else None)
    if row is not None and "id_number" in form.fields:
        # The resident of a row is not changed by an edit (delete it and enter it again).
        del form.fields["id_number"]
    return form


def _save(request: HttpRequest, kind: str, form: rforms.RegisterForm,
          version: int | None) -> HttpResponse | None:
    if not form.is_valid():
        return None
    try:
        row = actions.save_record(scope=_scope(request), actor=request.user, kind=kind,
                                  form=form, expected_version=version)
    except StaleRecord:
        # Decision 0015: the page keeps what was typed; the version field now carries the
        # one on file, so saving again keeps these figures.
        form.add_error(None, _("这条记录已被他人修改，请核对后重新填写。"))
        return None
    messages.success(request, _("已保存：%(row)s") % {"row": row})
    return redirect(reverse("registers:list", args=[kind, actions._unit_of(kind, row).code]))


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest, kind: str, code: str) -> HttpResponse:
    kind = _kind(kind)
    scope = _scope(request)
    unit = selectors.unit_for(scope=scope, code=code)
    if not _may_keep(scope, kind, unit):
        raise PermissionDenied
    form = _form(kind, request, unit, None)
    if request.method == "POST" and (done := _save(request, kind, form, None)) is not None:
        return done
    return render(request, "registers/records/form.html",
                  {"kind": kind, "label": LABELS[kind], "unit": unit, "form": form, "row": None},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    kind = _kind(kind)
    scope = _scope(request)
    row = selectors.record_for(scope=scope, kind=kind, pk=pk)
    unit = actions._unit_of(kind, row)
    if not _may_keep(scope, kind, unit):
        raise PermissionDenied
    if request.method == "POST" and request.POST.get("action") == "delete":
        actions.delete_record(scope=scope, actor=request.user, kind=kind, row=row)
        messages.success(request, _("已删除。"))
        return redirect(reverse("registers:list", args=[kind, unit.code]))
    version = row.version
    raw = request.POST.get("version", "")
    if request.method == "POST":
        version = int(raw) if raw.isdecimal() and len(raw) < 10 else None
    form = _form(kind, request, unit, row)
    if request.method == "POST" and (done := _save(request, kind, form, version)) is not None:
        return done
    return render(request, "registers/records/form.html",
                  {"kind": kind, "label": LABELS[kind], "unit": unit, "form": form, "row": row},
                  status=400 if form.is_bound and form.errors else 200)


# -- quick entry from a person's page (≤ 3 taps after finding the person) ------------------
def quick_forms(request: HttpRequest, person: Person) -> dict[str, Any]:
    """What the quick-entry card of a person's page needs (``_quick_entry.html``)."""
    scope = _scope(request)
    today = timezone.localdate()
    context: dict[str, Any] = {"quick_bp": None, "quick_service": None}
    if person.moved_out_on is None and _may_keep(scope, "bp", person.unit):
        last = BPReading.objects.filter(person__unit=person.unit).order_by("-pk").first()
        context["quick_bp"] = {"today": today, "place": last.place if last else "",
                               "by": last.measured_by if last else ""}
    volunteer = (Volunteer.objects.filter(person=person, left_on__isnull=True)
                 .select_related("unit").order_by("pk").first())
    if volunteer is not None and _may_keep(scope, "service", volunteer.unit):
        last_service = ServiceRecord.objects.filter(volunteer=volunteer).order_by("-pk").first()
        context["quick_service"] = {
            "today": today, "place": last_service.place if last_service else "",
            "hours": last_service.hours if last_service else 2,
            "content": last_service.content if last_service else ""}
    return context


def _quick(request: HttpRequest, kind: str, person: Person, form: rforms.RegisterForm
           ) -> HttpResponse:
    url = reverse("residents:person", args=[person.pk])
    if form.is_valid():
        actions.save_record(scope=_scope(request), actor=request.user, kind=kind, form=form)
        messages.success(request, _("已登记%(what)s：%(row)s") % {"what": LABELS[kind],
                                                                "row": form.instance})
    else:
        problems = "；".join(f"{form.fields[f].label if f in form.fields else ''}"
                            f"{'：' if f in form.fields else ''}{e}"
                            for f, errs in form.errors.items() for e in errs)
        messages.error(request, _("未登记%(what)s：%(why)s") % {"what": LABELS[kind],
                                                              "why": problems})
    return redirect(f"{url}#quick-entry")


class _QuickBP(rforms.BPReadingForm):
    class Meta(rforms.BPReadingForm.Meta):
        fields = ["measured_on", "place", "systolic", "diastolic", "measured_by"]


class _QuickService(rforms.ServiceRecordForm):
    class Meta(rforms.ServiceRecordForm.Meta):
        fields = ["date", "place", "hours", "content"]


@login_required
@require_POST
def quick_bp(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    person = selectors.person_for(scope=scope, pk=pk)
    if not _may_keep(scope, "bp", person.unit) or person.moved_out_on is not None:
        raise PermissionDenied
    form = _QuickBP(request.POST, unit=person.unit, scope=scope, instance=BPReading(person=person))
    del form.fields["id_number"]
    return _quick(request, "bp", person, form)


@login_required
@require_POST
def quick_service(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    person = selectors.person_for(scope=scope, pk=pk)
    volunteer = Volunteer.objects.filter(person=person, left_on__isnull=True).order_by("pk").first()
    if volunteer is None or not _may_keep(scope, "service", volunteer.unit):
        raise PermissionDenied
    form = _QuickService(request.POST, unit=volunteer.unit, scope=scope,
                         instance=ServiceRecord(volunteer=volunteer))
    del form.fields["id_number"]
    return _quick(request, "service", person, form)
