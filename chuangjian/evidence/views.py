"""Pages of activities, evidence checklists and ledgers. Views parse, ask the scope, call actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangjian.evidence import actions, checklist, selectors
from chuangjian.evidence.forms import (
    ActivityFilterForm,
    ActivityForm,
    ActivityTypeForm,
    DocumentForm,
    WindowForm,
)
from chuangjian.evidence.jobs import LEDGER_JOB
from chuangjian.evidence.ledger.build import LedgerError, resolve
from chuangjian.evidence.models import (
    Activity,
    ActivityFile,
    ActivityType,
    EvidenceDocument,
    EvidenceWindow,
)
from chuangjian.files import pending
from chuangjian.files.models import FileKind
from chuangjian.jobs.actions import start_job
from chuangjian.lib.versions import StaleEdit, show_stale
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.standards.models import StandardVersion
from chuangjian.standards.selectors import current_standards, unit_matches
from chuangjian.web.forms import apply_errors
from chuangjian.web.views.common import require_any, scope_of


def _year(value: str | None) -> int:
    try:
        year = int(value or "")
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# -- activities ---------------------------------------------------------------------------


@login_required
def index(request: HttpRequest) -> HttpResponse:
    scope = require_any(request, Cap.VIEW)
    form = ActivityFilterForm(request.GET or None)
    unit: Unit | None = None
    filters: dict[str, Any] = {}
    if form.is_valid():
        code = form.cleaned_data["unit"].strip()
        if code:
            unit = selectors.unit_for(scope=scope, code=code)
        filters = {"type_code": form.cleaned_data["type"], "q": form.cleaned_data["q"].strip(),
                   "date_from": form.cleaned_data["date_from"],
                   "date_to": form.cleaned_data["date_to"]}
    qs = selectors.activities(scope=scope, unit=unit, **filters)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    ids = [a.pk for a in page.object_list]
    covers: dict[int, Any] = {}
    for af in (ActivityFile.objects.filter(activity_id__in=ids, file__kind=FileKind.IMAGE)
               .select_related("file").order_by("activity_id", "order", "id")):
        covers.setdefault(af.activity_id, af.file.url("thumb"))
    rows = [(a, covers.get(a.pk)) for a in page.object_list]
    year = timezone.localdate().year
    base = selectors.activities(scope=scope, unit=unit)
    stats = {"total": page.paginator.count,
             "year": base.filter(date__year=year).count(),
             "meetings": base.filter(date__year=year, type__is_meeting=True).count(),
             "units": base.filter(date__year=year).values("unit_id").distinct().count()}
    return render(request, "evidence/list.html", {
        "form": form, "page": page, "rows": rows, "unit": unit, "stats": stats, "year": year,
        "can_enter": scope.allows_any(Cap.ENTER_DATA), "is_admin": scope.is_global})


def _activity_form_page(request: HttpRequest, scope: Scope, activity: Activity | None
                        ) -> HttpResponse:
    units = selectors.entry_units(scope=scope)
    initial: dict[str, Any] = {"date": timezone.localdate()}
    if activity is None:
        code = request.GET.get("unit")
        preset = units.filter(code=code).first() if code else None
        if preset is None:
            # A community worker's own community comes first; grids below it follow.
            preset = units.filter(level="community").first() or units.first()
        initial["unit"] = preset
    else:
        initial = {f: getattr(activity, f) for f in actions.ACTIVITY_FIELDS}
        initial.update(unit=activity.unit, type=activity.type, version=activity.version)
    form = ActivityForm(request.POST or None, units=units, initial=initial)
    status = 200
    key = f"activity:{activity.pk if activity else 'new'}"
    kept: list[Any] = []
    if request.method == "POST":
        # Files chosen on a refused try come back as pending uploads, still ticked.
        uploads = pending.chosen(request, key) + request.FILES.getlist("files")
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version", None)
            try:
                if activity is None:
                    activity = actions.create_activity(actor=request.user,  # type: ignore[arg-type]
                                                       scope=scope, uploads=uploads, **data)
                    messages.success(request, _("活动已登记"))
                else:
                    remove = [int(x) for x in request.POST.getlist("remove") if x.isdigit()]
                    actions.update_activity(actor=request.user,  # type: ignore[arg-type]
                                            activity=activity, scope=scope, uploads=uploads,
                                            remove_files=remove, expected_version=version,
                                            **data)
                    messages.success(request, _("活动已保存"))
                pending.forget(request, key)
                return redirect("evidence:activity", activity.pk)
            except StaleEdit as stale:
                show_stale(form, stale)
            except ValidationError as error:
                apply_errors(form, error)
                if hasattr(error, "error_dict") and "files" in error.error_dict:
                    form.file_errors = error.message_dict["files"]  # type: ignore[attr-defined]
        kept = pending.keep(request, key, uploads, kinds=(FileKind.IMAGE, FileKind.DOCUMENT))
        status = 409 if getattr(form, "stale", False) else 400
    types = {str(t.pk): t.is_meeting for t in ActivityType.objects.filter(active=True)}
    return render(request, "evidence/form.html", {
        "form": form, "activity": activity, "meeting_types": [k for k, v in types.items() if v],
        "file_errors": getattr(form, "file_errors", []), "pending_files": kept}, status=status)


@login_required
def activity_new(request: HttpRequest) -> HttpResponse:
    scope = require_any(request, Cap.ENTER_DATA)
    return _activity_form_page(request, scope, None)


@login_required
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    activity = selectors.activity_for(scope=scope, pk=pk)
    if not scope.allows(activity.unit, Cap.ENTER_DATA):
        raise PermissionDenied
    return _activity_form_page(request, scope, activity)


@login_required
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    activity = selectors.activity_for(scope=scope, pk=pk)
    files = [af.file for af in activity.attachments.all()]
    can_edit = scope.allows(activity.unit, Cap.ENTER_DATA)
    links = list(activity.links.select_related("unit").order_by("standard_code", "indicator_code"))
    names = _standard_names({link.standard_code for link in links})
    indicator_names = _indicator_names(links)
    proposals = checklist.proposals_for_activity(scope, activity) if can_edit else []
    return render(request, "evidence/detail.html", {
        "activity": activity,
        "photos": [(f, f.url("thumb"), f.url("display")) for f in files if f.kind == FileKind.IMAGE],
        "documents": [(f, f.url("original")) for f in files if f.kind == FileKind.DOCUMENT],
        "can_edit": can_edit,
        "links": [(link, names.get(link.standard_code, link.standard_code),
                   indicator_names.get((link.standard_code, link.indicator_code),
                                       link.indicator_code)) for link in links],
        "proposals": proposals[:12], "year": activity.date.year})


def _standard_names(codes: set[str]) -> dict[str, str]:
    return {sv.code: sv.name for sv in StandardVersion.objects.filter(code__in=codes)}


def _indicator_names(links: list[Any]) -> dict[tuple[str, str], str]:
    from chuangjian.standards.models import Indicator

    wanted = {(link.standard_code, link.indicator_code) for link in links}
    q = Q(pk__in=[])
    for code, ind in wanted:
        q |= Q(standard__code=code, code=ind)
    return {(i.standard.code, i.code): i.name
            for i in Indicator.objects.filter(q).select_related("standard")}


@login_required
@require_POST
def activity_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    activity = selectors.activity_for(scope=scope, pk=pk)
    try:
        actions.delete_activity(actor=request.user, activity=activity, scope=scope)  # type: ignore[arg-type]
    except ValidationError as error:
        raise PermissionDenied(error.messages[0]) from None
    messages.success(request, _("活动已删除"))
    return redirect("evidence:index")


@login_required
@require_POST
def activity_link(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    activity = selectors.activity_for(scope=scope, pk=pk)
    try:
        actions.link_evidence(actor=request.user, scope=scope, unit=activity.unit,  # type: ignore[arg-type]
                              standard_code=request.POST.get("standard", ""),
                              indicator_code=request.POST.get("indicator", ""),
                              year=_year(request.POST.get("year")),
                              requirement=request.POST.get("requirement", ""), activity=activity)
        messages.success(request, _("已用作佐证"))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect("evidence:activity", activity.pk)


# -- checklist and links ------------------------------------------------------------------


def _target(request: HttpRequest, scope: Scope, params: Any
            ) -> tuple[Unit, StandardVersion, int]:
    year = _year(params.get("year"))
    unit = selectors.unit_for(scope=scope, code=params.get("unit", ""))
    code = params.get("standard", "")
    standard = selectors.standard_in_force(code, year) if code else None
    if standard is None or not unit_matches(standard.levels, standard.categories, unit):
        raise Http404
    return unit, standard, year


def _checklist_url(unit: Unit, standard_code: str, year: int, anchor: str = "") -> str:
    query = urlencode({"unit": unit.code, "standard": standard_code, "year": str(year)})
    return f"{reverse('evidence:checklist')}?{query}" + (f"#{anchor}" if anchor else "")


@login_required
def checklist_page(request: HttpRequest) -> HttpResponse:
    scope = require_any(request, Cap.VIEW)
    year = _year(request.GET.get("year"))
    code = request.GET.get("unit", "").strip()
    if not code:
        # A community worker goes straight to their own community.
        roots = [u for u in scope.root_units() if selectors.standards_for_unit(u, year)]
        if len(roots) == 1 and not scope.is_global:
            code = roots[0].code
    if not code:
        units = list(scope.units().filter(closed_on__isnull=True, level="community")
                 .order_by("path")[:300])
        return render(request, "evidence/checklist_choose.html", {"units": units, "year": year})
    unit = selectors.unit_for(scope=scope, code=code)
    applicable = selectors.standards_for_unit(unit, year)
    error = ""
    standard = None
    wanted = request.GET.get("standard", "")
    if wanted:
        standard = next((s for s in applicable if s.code == wanted), None)
        if standard is None:
            error = _("创建标准「%(code)s」在 %(year)s 年不适用于「%(unit)s」") % {
                "code": wanted, "year": year, "unit": unit.name}
    elif applicable:
        standard = applicable[0]
    sheet = checklist.build_checklist(scope, unit=unit, standard=standard, year=year) \
        if standard else None
    return render(request, "evidence/checklist.html", {
        "unit": unit, "year": year, "standards": applicable, "standard": standard,
        "sheet": sheet, "error": error, "can_edit": scope.allows(unit, Cap.ENTER_DATA),
        "years": list(range(timezone.localdate().year, timezone.localdate().year - 4, -1))},
        status=400 if error else 200)


@login_required
def link_page(request: HttpRequest) -> HttpResponse:
    """Pick or upload the record that proves one required item (the checklist's "更多")."""
    scope = scope_of(request)
    params = request.POST if request.method == "POST" else request.GET
    unit, standard, year = _target(request, scope, params)
    if not scope.allows(unit, Cap.ENTER_DATA):
        raise PermissionDenied
    indicator = standard.indicators.filter(code=params.get("indicator", "")).first()
    requirement = params.get("requirement", "")
    if indicator is None or (requirement and requirement not in indicator.evidence):
        raise Http404
    back = _checklist_url(unit, standard.code, year, f"ind-{indicator.code}")
    start, end = selectors.window(standard.code, year)
    doc_form = DocumentForm(request.POST if params.get("kind") == "upload" else None,
                            initial={"title": requirement, "date": min(end, timezone.localdate())})
    error = ""
    if request.method == "POST":
        kind = params.get("kind")
        common: dict[str, Any] = {"actor": request.user, "scope": scope, "unit": unit,
                                  "standard_code": standard.code, "indicator_code": indicator.code,
                                  "year": year, "requirement": requirement}
        try:
            if kind == "activity":
                activity = selectors.activity_for(scope=scope, pk=int(params.get("activity") or 0))
                actions.link_evidence(activity=activity, **common)
            elif kind == "document":
                document = selectors.document_for(scope=scope, pk=int(params.get("document") or 0))
                actions.link_evidence(document=document, **common)
            elif kind == "submission":
                submission = _submissions(scope, unit, start, end).filter(
                    pk=int(params.get("submission") or 0)).first()
                if submission is None:
                    raise Http404
                actions.link_evidence(record=submission, label=_submission_label(submission),
                                      url=reverse("reporting:review", args=[submission.pk]),
                                      record_date=timezone.localtime(submission.submitted_at).date(),
                                      **common)
            elif kind == "upload":
                if not doc_form.is_valid():
                    raise ValidationError(_("请填写材料名称和日期"))
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError({"file": _("请选择要上传的文件")})
                document = actions.upload_document(
                    actor=request.user, scope=scope, unit=unit,  # type: ignore[arg-type]
                    title=doc_form.cleaned_data["title"], date=doc_form.cleaned_data["date"],
                    note=doc_form.cleaned_data["note"], upload=upload)
                actions.link_evidence(document=document, **common)
            else:
                raise Http404
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, _("已关联到「%(name)s」") % {"name": indicator.name})
            return redirect(back)
    activities = checklist.window_activities(scope, unit, start, end)
    types = {t.pk: t for t in ActivityType.objects.all()}
    proposed = checklist.candidates_for(indicator, requirement, activities, types)[:20] \
        if requirement else []
    q = request.GET.get("q", "").strip()
    others = [a for a in activities
              if not q or q in a.title or q in a.place or q in a.type.name][:40]
    documents = list(EvidenceDocument.objects.filter(unit__path__startswith=unit.path,
                                                     date__gte=start, date__lte=end)
                     .select_related("file")[:40])
    return render(request, "evidence/link.html", {
        "unit": unit, "standard": standard, "year": year, "indicator": indicator,
        "requirement": requirement, "proposed": proposed, "others": others, "q": q,
        "documents": documents, "submissions": list(_submissions(scope, unit, start, end)[:30]),
        "doc_form": doc_form, "error": error, "back": back, "start": start, "end": end},
        status=400 if error else 200)


def _submissions(scope: Scope, unit: Unit, start: dt.date, end: dt.date) -> Any:
    from chuangjian.engine.periods import SHANGHAI
    from chuangjian.reporting.models import Submission

    first = dt.datetime.combine(start, dt.time(0), tzinfo=SHANGHAI)
    last = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=SHANGHAI)
    qs = scope.filter(Submission.objects.filter(unit=unit, status__in=["submitted", "accepted"],
                                                submitted_at__gte=first, submitted_at__lt=last),
                      Cap.VIEW, field_name="unit__path")
    return qs.order_by("-submitted_at")


def _submission_label(submission: Any) -> str:
    from chuangjian.engine.periods import Period

    try:
        period = Period.parse(submission.period).label_zh
    except ValueError:
        period = submission.period
    return _("%(period)s %(dataset)s（%(status)s）") % {
        "period": period, "dataset": submission.dataset_code,
        "status": submission.get_status_display()}


@login_required
@require_POST
def link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    link = selectors.link_for(scope=scope, pk=pk)
    fallback = _checklist_url(link.unit, link.standard_code, int(link.period or 0) or
                              timezone.localdate().year, f"ind-{link.indicator_code}")
    try:
        actions.unlink_evidence(actor=request.user, link=link, scope=scope)  # type: ignore[arg-type]
    except ValidationError as error:
        raise PermissionDenied(error.messages[0]) from None
    messages.success(request, _("已取消关联"))
    return redirect(_safe_next(request, fallback))


@login_required
@require_POST
def ledger_start(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    year = _year(request.POST.get("year"))
    fmt = request.POST.get("format", "pdf")
    code, standard = request.POST.get("unit", ""), request.POST.get("standard", "")
    try:
        unit, _standard = resolve(scope, unit_code=code, standard_code=standard, year=year)
    except LedgerError as error:
        messages.error(request, str(error))
        return redirect("evidence:checklist")
    if fmt not in ("pdf", "docx"):
        messages.error(request, _("台账只能生成 PDF 或 Word"))
        return redirect(_checklist_url(unit, standard, year))
    job = start_job(kind_code=LEDGER_JOB, user=request.user, scope=scope,
                    title=_("%(unit)s %(year)s 年度台账（%(fmt)s）") % {
                        "unit": unit.name, "year": year, "fmt": "PDF" if fmt == "pdf" else "Word"},
                    params={"unit": unit.code, "standard": standard, "year": year, "format": fmt,
                            "user_id": request.user.pk})
    return redirect("jobs:detail", job.pk)


# -- settings (system administrators) ------------------------------------------------------


@login_required
def types_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    editing = ActivityType.objects.filter(code=request.GET.get("edit", "")).first()
    form: ActivityTypeForm | None = None
    if scope.is_global:
        initial = ({"name": editing.name, "code": editing.code, "is_meeting": editing.is_meeting,
                    "elements": editing.elements, "keywords": "、".join(editing.keywords),
                    "active": editing.active} if editing else {"active": True})
        form = ActivityTypeForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            words = data["keywords"].replace(",", "、").replace("，", "、").split("、")
            try:
                actions.save_activity_type(actor=request.user, scope=scope,  # type: ignore[arg-type]
                                           name=data["name"], code=data["code"],
                                           is_meeting=data["is_meeting"], elements=data["elements"],
                                           keywords=words, active=data["active"], instance=editing)
            except ValidationError as error:
                apply_errors(form, error)
            else:
                messages.success(request, _("活动类型已保存"))
                return redirect("evidence:types")
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "evidence/types.html", {
        "types": ActivityType.objects.all(), "form": form, "editing": editing},
        status=400 if form is not None and form.errors else 200)


@login_required
def windows_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    standards = list(current_standards())
    windows = {w.standard_code: w for w in EvidenceWindow.objects.all()}
    error = ""
    if request.method == "POST":
        if not scope.is_global:
            raise PermissionDenied
        form = WindowForm(request.POST)
        code = request.POST.get("standard", "")
        if code not in {s.code for s in standards}:
            raise Http404
        if form.is_valid():
            try:
                actions.set_window(actor=request.user, scope=scope,  # type: ignore[arg-type]
                                   standard_code=code, **form.cleaned_data)
            except ValidationError as exc:
                error = "；".join(exc.messages)
            else:
                messages.success(request, _("佐证时间范围已保存"))
                return redirect("evidence:windows")
        else:
            error = "；".join(f"{form.fields[k].label}：{'；'.join(str(e) for e in v)}"
                            for k, v in form.errors.items())
    year = timezone.localdate().year
    rows = []
    for sv in standards:
        w = windows.get(sv.code)
        start, end = selectors.window(sv.code, year)
        rows.append((sv, w, start, end))
    return render(request, "evidence/windows.html", {
        "rows": rows, "year": year, "error": error, "can_edit": scope.is_global},
        status=400 if error else 200)
