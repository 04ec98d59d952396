"""随手拍: the public pages (no login) and the inspectors' triage queue."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from chuangjian.inspections import forms, selectors, taxonomy
from chuangjian.inspections.actions import reports as act
from chuangjian.inspections.models import ReportStatus, State
from chuangjian.inspections.views.common import error_text, now, require_any, show_errors
from chuangjian.org.levels import Level
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap
from chuangjian.standards.models import ProblemCategory

# A resident files a few reports; a flood from one client is refused with the 429 page.
REPORT_RATE = "5/10m"
LOOKUP_RATE = "60/h"


def _ns(request: HttpRequest, name: str) -> str:
    """The public pages live at /suishoupai/ and under /inspections/suishoupai/ alike."""
    namespace = getattr(request.resolver_match, "namespace", "") or "suishoupai"
    return f"{namespace}:{name}"


def _public_context() -> dict[str, Any]:
    categories = taxonomy.current_categories()
    communities = Unit.objects.filter(level=Level.COMMUNITY, kind="area",
                                      closed_on__isnull=True).select_related("parent__parent")
    return {"groups": taxonomy.grouped(categories),
            "communities": sorted(communities, key=lambda u: u.path)}


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=REPORT_RATE, method="POST", block=True)
def public_new(request: HttpRequest) -> HttpResponse:
    ctx = _public_context()
    if request.method == "GET":
        form = forms.ReportForm(initial={"key": forms.new_key()})
        return render(request, "inspections/public/new.html", {**ctx, "form": form})
    form = forms.ReportForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "inspections/public/new.html", {**ctx, "form": form}, status=400)
    d = form.cleaned_data
    category = ProblemCategory.objects.filter(pk=d["category"],
                                              standard__in=[c.standard_id for c in
                                                            taxonomy.current_categories()]).first()
    unit = (Unit.objects.filter(pk=int(d["unit"]), level=Level.COMMUNITY).first()
            if d.get("unit") else None)
    try:
        report, _created = act.submit_report(
            category=category, description=d["description"], address=d["address"],
            latitude=d.get("latitude"), longitude=d.get("longitude"), unit=unit,
            phone=d.get("phone") or "", photos=d["photos"],
            client=request.META.get("REMOTE_ADDR", ""), idempotency_key=d["key"])
    except ValidationError as error:
        show_errors(form, error, "description")
        return render(request, "inspections/public/new.html", {**ctx, "form": form}, status=400)
    return redirect(reverse(_ns(request, "status"), args=[report.code]) + "?new=1")


@require_GET
@ratelimit(key="ip", rate=LOOKUP_RATE, block=True)
def public_lookup(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("code", "").strip()
    if code:
        try:
            report = selectors.report_by_code(code)
        except Http404:
            return render(request, "inspections/public/lookup.html", {
                "code": code, "error": _("没有找到回执码「%(c)s」，请核对后再试") % {"c": code}},
                status=404)
        return redirect(reverse(_ns(request, "status"), args=[report.code]))
    return render(request, "inspections/public/lookup.html", {"code": ""})


def _public_stage(report: Any) -> tuple[int, str]:
    """Where the report stands, in the resident's words: step number and label."""
    if report.status == ReportStatus.RECEIVED:
        return 1, _("已受理，等待核实")
    if report.status == ReportStatus.REJECTED:
        return 1, _("不予立案")
    order = report.finding.order if report.finding else None
    if order is None or order.state in (State.PENDING, State.REJECTED):
        return 2, _("已立案，正在派单")
    if order.state == State.CLOSED:
        return 4, _("已整改完毕")
    if order.state == State.CANCELLED:
        return 2, _("已撤销")
    return 3, _("正在整改")


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=LOOKUP_RATE, block=True)
def public_status(request: HttpRequest, code: str) -> HttpResponse:
    report = selectors.report_by_code(code)
    error = ""
    if request.method == "POST":
        fixed = request.POST.get("fixed")
        if fixed not in ("1", "0"):
            error = _("请选择问题是否已解决")
        else:
            try:
                act.answer_follow_up(report=report, fixed=fixed == "1",
                                     note=request.POST.get("note", ""), now=now())
            except ValidationError as err:
                error = error_text(err)
            else:
                return redirect(reverse(_ns(request, "status"), args=[report.code]) + "?thanks=1")
        report = selectors.report_by_code(code)
    step, label = _public_stage(report)
    order = report.finding.order if report.finding else None
    after = list(order.photo_links.select_related("file")) if order and order.state == State.CLOSED else []
    return render(request, "inspections/public/status.html", {
        "report": report, "step": step, "label": label, "order": order, "error": error,
        "after": after, "photos": list(report.photo_links.select_related("file")),
        "ask": order is not None and order.state == State.CLOSED and (
            not report.follow_up_at or (order.closed_at and report.follow_up_at < order.closed_at)),
        "new": request.GET.get("new"), "thanks": request.GET.get("thanks"),
    }, status=400 if error else 200)


@require_GET
@ratelimit(key="ip", rate="300/h", block=True)
def public_photo(request: HttpRequest, code: str, sha: str) -> FileResponse:
    """The reporter sees their own photos and the after-photos of the fix (EXIF-free)."""
    report = selectors.report_by_code(code)
    links = [link.file for link in report.photo_links.select_related("file")]
    order = report.finding.order if report.finding else None
    if order is not None and order.state == State.CLOSED:
        links += [link.file for link in order.photo_links.select_related("file")]
    stored = next((f for f in links if f.sha256 == sha), None)
    if stored is None or not stored.thumb:
        raise Http404
    response = FileResponse(stored.thumb.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# -- triage -----------------------------------------------------------------------------

@login_required
@require_GET
def triage(request: HttpRequest) -> HttpResponse:
    scope = require_any(request, Cap.INSPECT)
    pending = list(selectors.pending_reports(scope=scope)[:200])
    done = list(selectors.report_queue(scope=scope).exclude(status=ReportStatus.RECEIVED)
                .filter(needs_review=False).order_by("-triaged_at")[:30])
    return render(request, "inspections/triage.html", {"pending": pending, "done": done,
                                                       "tab": "reports"})


def _triage_form(request: HttpRequest, report: Any, data: Any = None) -> forms.TriageForm:
    scope = require_any(request, Cap.INSPECT)
    form = forms.TriageForm(data, initial={"decision": "accept", "unit": report.unit_id,
                                           "category": report.category_id,
                                           "severity": report.category.severity})
    form.fields["unit"].queryset = scope.units(Cap.INSPECT).filter(  # type: ignore[attr-defined]
        closed_on__isnull=True).order_by("path")
    return form


@login_required
@require_http_methods(["GET", "POST"])
def triage_report(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_any(request, Cap.INSPECT)
    report = selectors.report_queue(scope=scope).filter(pk=pk).first()
    if report is None:
        raise Http404
    form = _triage_form(request, report, request.POST if request.method == "POST" else None)
    ctx = {"report": report, "groups": taxonomy.grouped(taxonomy.current_categories()),
           "photos": [link.file for link in report.photo_links.all()], "tab": "reports"}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            if d["decision"] == "accept":
                category = ProblemCategory.objects.filter(pk=int(d.get("category") or 0)).first()
                finding = act.accept_report(actor=request.user, scope=scope, report=report,  # type: ignore[arg-type]
                                            unit=d["unit"], severity=d.get("severity") or "一般",
                                            category=category, now=now())
                messages.success(request, _("已立案为问题 %(n)s 并派单") % {"n": finding.number})
                return redirect(reverse("inspections:order", args=[finding.order.pk]))
            act.reject_report(actor=request.user, scope=scope, report=report,  # type: ignore[arg-type]
                              reason=d.get("reason") or "", now=now())
            messages.success(request, _("已不予立案，群众查询时可以看到理由"))
            return redirect(reverse("inspections:triage"))
        except PermissionDenied:
            raise
        except ValidationError as error:
            show_errors(form, error, "reason")
    return render(request, "inspections/triage_report.html", {**ctx, "form": form},
                  status=400 if form.is_bound else 200)


@login_required
@require_POST
def review_follow_up(request: HttpRequest, pk: int) -> HttpResponse:
    scope = require_any(request, Cap.INSPECT)
    report = selectors.report_queue(scope=scope).filter(pk=pk).first()
    if report is None:
        raise Http404
    try:
        act.review_follow_up(actor=request.user, scope=scope, report=report,  # type: ignore[arg-type]
                             reopen=request.POST.get("reopen") == "1",
                             note=request.POST.get("note", ""), now=now())
        messages.success(request, _("已处理群众反馈"))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect(reverse("inspections:triage"))
