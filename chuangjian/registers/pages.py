"""Pages of the resident register a clerk uses on a phone: the residents of a community
with search and filters, a person's page with every register that names them, a
household, revealing a number, the spreadsheets in and out.

Personal data never travels in a URL (decision 0020): a search is a POST, a person is
addressed by the row id; the views that receive numbers hide them from error reports
(``sensitive_post_parameters``). Whoever sees the unit but not the names (the street,
the district) gets the counts page instead of the list.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangjian.audit.log import log_action
from chuangjian.files.storing import XLSX_MIME, read_checked
from chuangjian.lib import personal
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.org.selectors import unit_for
from chuangjian.registers import io as rio
from chuangjian.registers import selectors
from chuangjian.registers.actions import people
from chuangjian.registers.forms import PersonForm
from chuangjian.registers.models import Person, ResidenceType
from chuangjian.web.forms import DateInput, Styled

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PER_PAGE = 30


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _keeps(scope: Scope, unit: Unit) -> bool:
    return scope.allows(unit, Cap.ENTER_DATA) and scope.allows(unit, Cap.VIEW_PERSONS)


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


class FilterForm(Styled, forms.Form):
    residence = forms.ChoiceField(label=gettext_lazy("人口类型"), required=False,
                                  choices=[("", gettext_lazy("全部类型")), *ResidenceType.choices])
    status = forms.ChoiceField(label=gettext_lazy("状态"), required=False, choices=[
        ("", gettext_lazy("在册")), ("out", gettext_lazy("已迁出")), ("all", gettext_lazy("全部"))])
    age = forms.ChoiceField(label=gettext_lazy("年龄"), required=False, choices=[
        ("", gettext_lazy("全部年龄")), ("35", gettext_lazy("35岁以上")),
        ("60", gettext_lazy("60岁以上"))])


class SearchForm(Styled, forms.Form):
    q = forms.CharField(label=gettext_lazy("姓名或公民身份号码"), max_length=30, required=False)


class MoveOutForm(Styled, forms.Form):
    on = forms.DateField(label=gettext_lazy("迁出日期"), widget=DateInput())
    version = forms.IntegerField(widget=forms.HiddenInput)


class ImportForm(Styled, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("登记表"))
    file = forms.FileField(label=gettext_lazy("文件（.xlsx）"),
                           help_text=gettext_lazy("不超过 10 MB、20000 行；请使用下载的模板"))
    skip_bad = forms.BooleanField(label=gettext_lazy("跳过有错误的行，只导入正确的行"),
                                  required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, k.label) for k in rio.kinds()]  # type: ignore[attr-defined]


class ExportForm(Styled, forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("登记表"))
    full = forms.BooleanField(label=gettext_lazy("导出完整的身份证号和电话（记入操作日志）"),
                              required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.code, k.label) for k in rio.kinds()]  # type: ignore[attr-defined]


def _looks_like_id(text: str) -> bool:
    cleaned = "".join(text.split()).upper()
    return len(cleaned) >= 15 and cleaned[:-1].isdigit()


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The first unit of the user's scope: its residents, or its counts."""
    roots = _scope(request).root_units()
    if not roots:
        raise Http404
    return redirect("residents:unit", code=roots[0].code)


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("q")
def unit_residents(request: HttpRequest, code: str) -> HttpResponse:
    scope = _scope(request)
    unit = unit_for(scope=scope, code=code)
    children = scope.filter(Unit.objects.filter(parent=unit, closed_on__isnull=True)
                            ).order_by("sort_key")
    if not scope.allows(unit, Cap.VIEW_PERSONS):
        counts = selectors.resident_counts(scope=scope, unit=unit)
        return render(request, "registers/residents/counts.html",
                      {"unit": unit, "counts": counts})
    filters = FilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    present = {"": True, "out": False, "all": None}[data.get("status", "")]
    search = SearchForm(request.POST or None)
    query = ""
    if request.method == "POST" and search.is_valid():
        query = search.cleaned_data["q"].strip()
    by_number = bool(query) and _looks_like_id(query)
    rows = selectors.residents(
        scope=scope, unit=unit, residence=data.get("residence", ""), present=present,
        age_from=int(data["age"]) if data.get("age") else None,
        id_number=query if by_number else "", name="" if by_number else query)
    if by_number:
        with transaction.atomic():
            log_action(action="registers.person.searched", actor=request.user, unit=unit,
                       data={"by": "id_number", "found": rows.count()})
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    response = render(request, "registers/residents/list.html", {
        "unit": unit, "children": children, "filters": filters, "search": search,
        "query": query, "by_number": by_number, "page": page, "keeps": _keeps(scope, unit),
        "may_export": True, "kinds": list(rio.kinds())})
    return _no_store(response) if query else response


def _person_context(request: HttpRequest, person: Person, **extra: Any) -> dict[str, Any]:
    scope = _scope(request)
    return {
        "person": person, "registers": selectors.person_registers(scope=scope, person=person),
        "keeps": _keeps(scope, person.unit),
        "may_reveal": scope.allows(person.unit, Cap.REVEAL_PERSONAL),
        "masked_id": personal.mask_id_number(person.id_number),
        "masked_phone": personal.mask_phone(person.phone),
        "age": _age(person.birth_date),
        "move_out": MoveOutForm(initial={"on": timezone.localdate(), "version": person.version}),
        **extra}


def _age(born: dt.date | None) -> int | None:
    if born is None:
        return None
    today = timezone.localdate()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


@login_required
@require_GET
def person_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    person = selectors.person_for(scope=scope, pk=pk)
    people.log_personal_read(scope=scope, actor=request.user, person=person, what="page")
    return _no_store(render(request, "registers/residents/person.html",
                            _person_context(request, person)))


@login_required
@require_POST
@never_cache
def person_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """One full number, for who may reveal it; the audit log records the reveal."""
    scope = _scope(request)
    person = selectors.person_for(scope=scope, pk=pk)
    field = request.POST.get("field", "")
    try:
        value = people.reveal_personal(scope=scope, actor=request.user, person=person,
                                       field=field)
    except ValidationError as exc:
        return HttpResponse(exc.messages[0], status=400)
    if request.headers.get("HX-Request"):
        return render(request, "registers/residents/_revealed.html",
                      {"value": value, "field": field})
    return render(request, "registers/residents/person.html",
                  _person_context(request, person, revealed={field: value}))


def _save_form(request: HttpRequest, form: PersonForm, unit: Unit,
               person: Person | None) -> tuple[Person | None, Any]:
    scope = _scope(request)
    data = form.cleaned_data
    values = {"name": data["name"], "id_number": data["id_number"],
              "phone": data.get("phone") or "", "residence": data["residence"],
              "address": data.get("address") or "", "relation": data.get("relation") or "",
              "moved_in_on": data.get("moved_in_on"), "note": data.get("note") or ""}
    try:
        if person is None:
            return people.create_person(scope=scope, actor=request.user, unit=unit,
                                        **values), None
        version = int(request.POST.get("version", "-1"))
        return people.update_person(scope=scope, actor=request.user, person=person,
                                    expected_version=version, **values), None
    except people.AlreadyRegistered as exc:
        form.add_error("id_number", exc.messages[0])
        return None, exc
    except people.StaleRecord as exc:
        return None, exc
    except ValidationError as exc:
        for field, errors in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            form.add_error(field if field in form.fields else None, errors)
        return None, None


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("id_number", "phone")
def person_create(request: HttpRequest, code: str) -> HttpResponse:
    scope = _scope(request)
    unit = unit_for(scope=scope, code=code)
    if not _keeps(scope, unit):
        raise PermissionDenied
    form = PersonForm(request.POST or None, unit=unit, scope=scope)
    existing = None
    if request.method == "POST" and form.is_valid():
        person, problem = _save_form(request, form, unit, None)
        if person is not None:
            messages.success(request, _("已登记居民「%(n)s」。") % {"n": person.name})
            return redirect("residents:person", pk=person.pk)
        if isinstance(problem, people.AlreadyRegistered) and problem.visible:
            existing = problem.person
    status = 422 if request.method == "POST" else 200
    return render(request, "registers/residents/person_form.html",
                  {"unit": unit, "form": form, "existing": existing}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("id_number", "phone")
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    person = selectors.person_for(scope=scope, pk=pk)
    # The form shows the full numbers: only who may reveal them edits (and it is logged).
    if not (_keeps(scope, person.unit) and scope.allows(person.unit, Cap.REVEAL_PERSONAL)):
        raise PermissionDenied
    if request.method == "GET":
        form = PersonForm(instance=person, unit=person.unit, scope=scope,
                          initial={"id_number": person.id_number, "phone": person.phone or ""})
        people.log_personal_read(scope=scope, actor=request.user, person=person, what="edit")
        return _no_store(render(request, "registers/residents/person_form.html",
                                {"unit": person.unit, "form": form, "person": person,
                                 "version": person.version}))
    form = PersonForm(request.POST, instance=Person.objects.get(pk=person.pk), unit=person.unit,
                      scope=scope)
    stale = None
    if form.is_valid():
        saved, problem = _save_form(request, form, person.unit, person)
        if saved is not None:
            messages.success(request, _("已保存。"))
            return redirect("residents:person", pk=saved.pk)
        if isinstance(problem, people.StaleRecord):
            stale = problem.current
    return _no_store(render(request, "registers/residents/person_form.html", {
        "unit": person.unit, "form": form, "person": person, "stale": stale,
        "version": stale.version if stale else request.POST.get("version", person.version),
        "stale_masked_id": personal.mask_id_number(stale.id_number) if stale else "",
        "stale_masked_phone": personal.mask_phone(stale.phone) if stale else ""},
        status=409 if stale else 422))


@login_required
@require_POST
def person_move_out(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    person = selectors.person_for(scope=scope, pk=pk)
    if not _keeps(scope, person.unit):
        raise PermissionDenied
    form = MoveOutForm(request.POST)
    if form.is_valid():
        try:
            people.move_out_person(scope=scope, actor=request.user, person=person,
                                   on=form.cleaned_data["on"],
                                   expected_version=form.cleaned_data["version"])
            messages.success(request, _("已办理迁出。"))
        except people.StaleRecord:
            messages.error(request, _("此人的信息刚被别人修改过，请核对后再办理迁出。"))
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    else:
        messages.error(request, _("请填写迁出日期。"))
    return redirect("residents:person", pk=person.pk)


@login_required
@require_POST
def person_move_in(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """迁入: the link offered when a number is already registered — the one row moves."""
    scope = _scope(request)
    person = selectors.person_for(scope=scope, pk=pk)
    unit = unit_for(scope=scope, code=code)
    if not _keeps(scope, unit):
        raise PermissionDenied
    try:
        people.move_in_person(scope=scope, actor=request.user, person=person, unit=unit,
                              on=timezone.localdate(), address=request.POST.get("address", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("residents:person_create", code=unit.code)
    messages.success(request, _("已迁入「%(u)s」。") % {"u": unit.name})
    return redirect("residents:person", pk=person.pk)


@login_required
@require_GET
def household_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    household = selectors.household_for(scope=scope, pk=pk)
    members = selectors.residents(scope=scope, unit=household.unit, household=household,
                                  present=None)
    return render(request, "registers/residents/household.html", {
        "household": household, "members": members,
        "honours": household.honours.all()})


@login_required
@require_http_methods(["GET", "POST"])
def unit_import(request: HttpRequest, code: str) -> HttpResponse:
    scope = _scope(request)
    unit = unit_for(scope=scope, code=code)
    if not scope.allows(unit, Cap.ENTER_DATA):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    status = 200
    if request.method == "POST" and form.is_valid():
        kind = rio.kind_for(form.cleaned_data["kind"])
        if not kind.cap_ok(scope, unit):
            raise PermissionDenied
        try:
            data = read_checked(form.cleaned_data["file"], mimes={XLSX_MIME},
                                max_bytes=rio.MAX_FILE_SIZE)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            result = rio.import_rows(kind, data, scope=scope, actor=request.user, unit=unit,
                                     skip_bad=form.cleaned_data["skip_bad"])
            if result.created:
                messages.success(request, _("已导入「%(k)s」%(n)d 行。") % {
                    "k": kind.label, "n": result.created})
    if request.method == "POST" and (not form.is_valid() or (result and result.errors)):
        status = 422
    return render(request, "registers/residents/import.html", {
        "unit": unit, "form": form, "result": result, "export": ExportForm(),
        "kinds": list(rio.kinds())}, status=status)


@login_required
@require_GET
def template_download(request: HttpRequest, kind: str) -> FileResponse:
    try:
        chosen = rio.kind_for(kind)
    except ValidationError:
        raise Http404 from None
    return FileResponse(io.BytesIO(rio.template(chosen)), as_attachment=True,
                        filename=f"{chosen.label}导入模板.xlsx", content_type=XLSX)


@login_required
@require_POST
def unit_export(request: HttpRequest, code: str) -> HttpResponse | FileResponse:
    scope = _scope(request)
    unit = unit_for(scope=scope, code=code)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("请选择登记表。"), status=400)
    kind = rio.kind_for(form.cleaned_data["kind"])
    data = rio.export_rows(kind, scope=scope, actor=request.user, unit=unit,
                           reveal=form.cleaned_data["full"])
    stamp = timezone.localtime().strftime("%Y%m%d%H%M")
    response = FileResponse(io.BytesIO(data), as_attachment=True,
                            filename=f"{unit.name}{kind.label}{stamp}.xlsx", content_type=XLSX)
    response["Cache-Control"] = "no-store"
    return response
