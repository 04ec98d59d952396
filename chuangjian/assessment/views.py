"""Assessment pages: runs, a run's units, a unit's score sheet, explanations, reviewer scores.

Views parse input, ask the scope, call actions and selectors and render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from chuangjian.assessment import actions, selectors
from chuangjian.assessment.explain import explain
from chuangjian.assessment.forms import ReviewForm, RunForm
from chuangjian.assessment.models import Kind
from chuangjian.org.scope import Cap, Scope

RUN_PAGE_SIZE = 100  # result rows per page of a run (a city run has ~3,000)
INDEX_PAGE_SIZE = 50  # runs per page of the list


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _can_run(scope: Scope) -> bool:
    return scope.allows_any(Cap.APPROVE) or scope.allows_any(Cap.ENTER_DATA)


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = None
    if _can_run(scope):
        form = RunForm(request.POST or None, scope=scope,
                       initial={"year": timezone.localdate().year})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                run = actions.start_run(actor=request.user, scope=scope,  # type: ignore[arg-type]
                                        standard_code=data["standard"], year=data["year"],
                                        kind=data["kind"], unit=data["unit"],
                                        reopen_reason=data["reopen_reason"])
            except ValidationError as error:
                form.add_error(None, "；".join(error.messages))
            except PermissionDenied as error:
                form.add_error(None, str(error) or _("无权发起此类考核"))
            else:
                messages.success(request, _("考核完成：%(n)s 个单位，用时 %(ms)s 毫秒") % {
                    "n": run.units_assessed, "ms": run.duration_ms})
                return redirect("assessment:run", pk=run.pk)
    elif request.method == "POST":
        raise PermissionDenied
    kind = request.GET.get("kind") or None
    year = request.GET.get("year")
    qs = selectors.runs(scope=scope, kind=kind if kind in Kind.values else None,
                        year=int(year) if year and year.isdigit() else None)
    # The list never reads a standard's verbatim YAML (tens of KB a run).
    page = Paginator(qs.defer("standard__source_text"), INDEX_PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "assessment/index.html", {
        "form": form, "page": page, "runs": page.object_list,
        "kinds": Kind.choices, "kind": kind or "",
        "year": year or ""})


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    run = selectors.run_for(scope=scope, pk=pk)
    search = request.GET.get("q", "").strip()[:50]
    page = Paginator(selectors.run_rows_query(scope=scope, run=run, search=search),
                     RUN_PAGE_SIZE).get_page(request.GET.get("page"))
    summary = selectors.run_summary(scope=scope, run=run)
    return render(request, "assessment/run.html", {
        "run": run, "page": page, "rows": page.object_list, "q": search,
        "can_publish": run.current and not run.is_published and run.status == "done"
        and scope.allows(run.root, Cap.APPROVE) and actions.can_start(scope=scope, unit=run.root, kind=run.kind),
        "units": summary.units, "passed": summary.passed, "vetoed": summary.vetoed,
        "at_risk": summary.at_risk,
        "fresh": selectors.result_freshness(scope=scope, run=run)})


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    run = selectors.run_for(scope=scope, pk=pk)
    try:
        actions.publish_run(actor=request.user, run=run, scope=scope)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("考核结果已公布，结果不再随数据变化"))
    return redirect("assessment:run", pk=run.pk)


@login_required
def unit_card(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    scope = _scope(request)
    run = selectors.run_for(scope=scope, pk=pk)
    unit = selectors.unit_in_run(scope=scope, run=run, unit_id=unit_id)
    card = selectors.scorecard_in_run(scope=scope, run=run, unit=unit)
    return render(request, "assessment/unit.html", {
        "run": run, "unit": unit, "card": card,
        "fresh": selectors.result_freshness(scope=scope, run=run, unit=unit),
        "can_review": selectors.reviewable(scope=scope, run=run, unit=unit)})


@login_required
def explain_page(request: HttpRequest, pk: int, unit_id: int, code: str) -> HttpResponse:
    scope = _scope(request)
    run = selectors.run_for(scope=scope, pk=pk)
    unit = selectors.unit_in_run(scope=scope, run=run, unit_id=unit_id)
    found = explain(scope, run=run, unit=unit, code=code)
    if found is None:
        raise Http404
    return render(request, "assessment/explain.html", {
        "run": run, "unit": unit, "x": found,
        "can_review": found.row.is_reviewer and selectors.reviewable(scope=scope, run=run, unit=unit)})


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int, unit_id: int) -> HttpResponse:
    """Reviewer scores (评审打分) for one unit: one small form per 材料审核/实地考察 item."""
    scope = _scope(request)
    run = selectors.run_for(scope=scope, pk=pk)
    unit = selectors.unit_in_run(scope=scope, run=run, unit_id=unit_id)
    if not selectors.reviewable(scope=scope, run=run, unit=unit):
        raise PermissionDenied
    card = selectors.scorecard_in_run(scope=scope, run=run, unit=unit)
    rows = [r for r in card.rows if r.is_reviewer]
    if request.method == "POST":
        code = request.POST.get("indicator", "")
        row = next((r for r in rows if r.code == code), None)
        if row is None:
            raise Http404
        form = ReviewForm(request.POST, prefix=code)
        form.is_valid()
        try:
            actions.set_reviewer_score(
                actor=request.user, scope=scope, standard_code=run.standard_code,  # type: ignore[arg-type]
                year=run.year, kind=run.kind, unit=unit, indicator_code=code,
                score=form.cleaned_data.get("score"), comment=form.cleaned_data.get("comment", ""),
                evidence=form.evidence_links())
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errs in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errs)
            else:
                form.add_error(None, error.messages)
            saved = False
        else:
            saved = True
            card = selectors.scorecard_in_run(scope=scope, run=run, unit=unit)
            row = next(r for r in card.rows if r.code == code)
            form = ReviewForm(prefix=code, initial=_initial(row))
        context = {"run": run, "unit": unit, "row": row, "form": form, "saved": saved,
                   "card": card}
        if request.htmx:  # type: ignore[attr-defined]
            return render(request, "assessment/_review_item.html", context,
                          status=200)
        if saved:
            messages.success(request, _("评分已保存"))
            return redirect("assessment:review", pk=run.pk, unit_id=unit.pk)
        bound = {code: form}
    else:
        bound = {}
    forms_ = [(r, bound.get(r.code) or ReviewForm(prefix=r.code, initial=_initial(r)))
              for r in rows]
    return render(request, "assessment/review.html", {
        "run": run, "unit": unit, "card": card, "items": forms_})


def _initial(row: selectors.ScoreRow) -> dict[str, str]:
    return {"score": row.score_display if row.reviewed else "",
            "comment": row.review_comment,
            "evidence": "\n".join(f"{e.get('label', '')} {e.get('url', '')}".strip()
                                  for e in row.evidence)}
