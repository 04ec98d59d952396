"""Pages of the case register (帮教对象). Views parse, ask ``access`` and call actions;
every read of a case leaves a row in the case access log before the page is shown."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangjian.cases import actions, selectors
from chuangjian.cases import exports as case_exports
from chuangjian.cases.access import Access
from chuangjian.cases.forms import (
    CloseForm,
    DecideForm,
    EmploymentForm,
    NewCaseForm,
    ReferralForm,
    RelapseForm,
    SearchForm,
    TestForm,
    TransferForm,
    VisitForm,
)
from chuangjian.cases.models import AccessKind, Case, TeamRole, TransferState, UrineTest
from chuangjian.lib.personal import id_hash, is_valid_id_number, mask_id_number, mask_phone
from chuangjian.org.models import Membership, Unit, User
from chuangjian.org.scope import ROLE_CAPS, Cap, Scope
from chuangjian.registers.models import Person, Placement
from chuangjian.web.forms import apply_errors
from chuangjian.web.views.common import scope_of


def _today() -> Any:
    return timezone.localdate()


def _holders(unit: Unit, cap: Cap) -> QuerySet[User]:
    """Users whose roles carry ``cap`` at ``unit`` (held there or above): the choices of
    a 社工 or a leader, found by capability, never by role name."""
    roles = [r for r, caps in ROLE_CAPS.items() if cap in caps]
    ancestors = [unit.path[:i] for i in range(len(unit.path), 0, -1)]
    ids = Membership.objects.filter(role__in=roles, unit__path__in=ancestors,
                                    user__is_active=True).values("user_id")
    return User.objects.filter(pk__in=ids).order_by("full_name", "username")


def _tabs(scope: Scope) -> dict[str, bool]:
    """Which tabs of the register the reader gets: the work ones only to case workers."""
    uid = scope.user_id
    named = uid is not None and Case.objects.filter(
        Q(caseworker_id=uid) | Q(team__user_id=uid) | Q(leader_id=uid)).exists()
    return {"log_reader": scope.allows_any(Cap.VIEW_CASE_LOG),
            "case_worker": scope.allows_any(Cap.VIEW_CASES), "named": named}


def _log(request: HttpRequest, case: Case | None, kind: str, detail: str = "",
         reason: str = "") -> None:
    actions.record_access(scope=scope_of(request), user=request.user,  # type: ignore[arg-type]
                          case=case, kind=kind, detail=detail, reason=reason)


# -- the register: counts for everyone, my cases for those who work them --------------------
@login_required
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    today = _today()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year)
    counts = selectors.counts(scope=scope, year=year, today=today)
    cases = selectors.visible_cases(scope=scope, today=today)
    works = cases.exists() or scope.allows_any(Cap.VIEW_CASES)
    form = SearchForm(request.GET or None)
    found: list[Case] | None = None
    if works and form.is_valid() and form.cleaned_data["q"].strip():
        q = form.cleaned_data["q"].strip()
        if is_valid_id_number(q):
            found = list(selectors.search(scope=scope, today=today, id_hash=id_hash(q)))
            detail = _("身份证号 %(n)s") % {"n": mask_id_number(q)}
        else:
            found = list(selectors.search(scope=scope, today=today, name=q))
            # The log keeps the first character only: its readers need not learn the name.
            detail = _("姓名 %(q)s") % {"q": q[:1] + "*" * (len(q) - 1)}
        # One row per case found (its leader sees the search), or one for a search in vain.
        for case in found or [None]:  # type: ignore[list-item]
            _log(request, case, AccessKind.SEARCH, detail=detail)
    listed = found if found is not None else list(cases.filter(closed_on__isnull=True)[:200])
    return render(request, "cases/index.html", {
        "counts": counts, "year": year, "years": range(today.year, today.year - 5, -1),
        "works": works, "form": form, "cases": listed, "searched": found is not None,
        "may_open": scope.allows_any(Cap.VIEW_CASES),
        "alerts": selectors.alert_count(scope=scope, user=request.user),  # type: ignore[arg-type]
        **_tabs(scope),
    })


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("alert") if x.isdigit()][:200]
        actions.mark_alerts_read(scope=scope, user=request.user,  # type: ignore[arg-type]
                                 alert_ids=ids)
        return redirect("cases:inbox")
    box = selectors.inbox(scope=scope, user=request.user, today=_today())  # type: ignore[arg-type]
    return render(request, "cases/inbox.html", {"box": box, "today": _today(), **_tabs(scope)})


@login_required
def new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not scope.allows_any(Cap.VIEW_CASES):
        raise PermissionDenied
    units = scope.units(Cap.VIEW_CASES)
    unit_ids = list(units.values_list("pk", flat=True))
    anchor = units.order_by("-depth").first()
    if anchor is None:
        raise PermissionDenied
    caseworkers = User.objects.filter(
        Q(pk__in=Membership.objects.filter(unit_id__in=unit_ids).values("user_id"))
        | Q(pk=request.user.pk)).filter(is_active=True).order_by("full_name")
    caseworkers = caseworkers.filter(pk__in=[u.pk for u in caseworkers
                                             if Scope.for_user(u).allows_any(Cap.VIEW_CASES)])
    form = NewCaseForm(request.POST or None, caseworkers=caseworkers,
                       people=User.objects.filter(
                           pk__in=Membership.objects.filter(unit_id__in=unit_ids)
                           .values("user_id")).order_by("full_name"),
                       initial={"caseworker": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = (Person.objects.filter(id_number_hash=id_hash(data["id_number"]))
                  .select_related("unit").first())
        if person is None or not scope.allows(person.unit, Cap.VIEW_CASES):
            form.add_error("id_number", _("在您负责范围的居民名册中找不到这个身份证号，请先登记居民。"))
        else:
            team = [actions.MemberIn(role=role, user=data[f]) for f, role in
                    (("police", TeamRole.POLICE), ("cadre", TeamRole.CADRE)) if data[f]]
            team += [actions.MemberIn(role=role, name=data[f]) for f, role in
                     (("family", TeamRole.FAMILY), ("volunteer", TeamRole.VOLUNTEER))
                     if data[f].strip()]
            try:
                case = actions.open_case(
                    actor=request.user, scope=scope, person=person,  # type: ignore[arg-type]
                    unit=person.unit, kind=data["kind"], order_start=data["order_start"],
                    order_end=data["order_end"], risk=data["risk"],
                    caseworker=data["caseworker"], leader=data["leader"], team=team,
                    today=_today())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已立案，尿检计划已按决定书排好。"))
                return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/new.html", {"form": form})


# -- one case -------------------------------------------------------------------------------
def _context(request: HttpRequest, case: Case, access: Access) -> dict[str, Any]:
    today = _today()
    person = case.person
    ctx: dict[str, Any] = {
        "case": case, "access": access, "today": today,
        "masked_id": mask_id_number(person.id_number if person else ""),
        "masked_phone": mask_phone(person.phone if person else ""),
        "team": list(case.team.select_related("user")) if not access.referral_only else [],
        "referrals": [r for r in case.referrals.all() if r.recipient_id == request.user.pk]
        if access.referral_only else list(case.referrals.select_related("recipient")),
        "transfers": list(case.transfers.select_related("from_unit", "to_unit", "requested_by")),
    }
    if access.referral_only:
        ctx["transfers"] = []
        return ctx
    tests = list(case.tests.order_by("due_on"))
    last_visit = case.visits.order_by("-date").values_list("date", flat=True).first()
    ctx.update({
        "visit_count": case.visits.count(), "tests_due": sum(t.due_on <= today for t in tests),
        "tests_recorded": sum(t.recorded for t in tests),
        "next_visit": selectors.next_visit_due(case, last_visit, scope=scope_of(request)),
        "next_test": next((t.due_on for t in tests if not t.recorded), None),
    })
    if access.notes:
        ctx.update({"visits": list(case.visits.all()),
                    "tests": [t for t in tests if t.recorded or t.due_on <= today],
                    "relapses": list(case.relapses.all()),
                    "employment": list(case.employment.select_related("placement"))})
    if access.work and case.is_open:
        pending = UrineTest.objects.filter(case=case, recorded=False).order_by("due_on")
        ctx.update({
            "visit_form": VisitForm(initial={"date": today}, prefix="visit"),
            "test_form": TestForm(tests=pending, prefix="test",
                                  initial={"tested_on": today}),
            "relapse_form": RelapseForm(prefix="relapse", initial={"found_on": today}),
            "employment_form": EmploymentForm(
                prefix="job", initial={"date": today},
                placements=Placement.objects.filter(person=person) if person
                else Placement.objects.none()),
        })
    if access.manage and case.is_open:
        ctx.update({
            "close_form": CloseForm(prefix="close", initial={"on": today}),
            "transfer_form": TransferForm(prefix="transfer"),
            "referral_form": ReferralForm(prefix="refer"),
            "detox_ready_on": actions.detox_ready_on(case, scope=scope_of(request)),
        })
    return ctx


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    case, access = selectors.case_for(scope=scope, pk=pk, today=_today())
    _log(request, case, AccessKind.OPEN)
    return render(request, "cases/detail.html", _context(request, case, access))


@login_required
def print_case(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    case, access = selectors.case_for(scope=scope, pk=pk, today=_today())
    if access.referral_only:
        raise PermissionDenied
    _log(request, case, AccessKind.PRINT)
    ctx = _context(request, case, access)
    ctx["printed_at"] = timezone.localtime()
    return render(request, "cases/print.html", ctx)


FORMS = {"visit", "test", "relapse", "job", "close", "transfer", "refer", "reveal",
         "revoke_referral"}


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = scope_of(request)
    today = _today()
    if action not in FORMS:
        raise Http404
    case, access = selectors.case_for(scope=scope, pk=pk, today=today)
    user: User = request.user  # type: ignore[assignment]
    if action == "reveal":
        if not access.reveal:
            raise PermissionDenied
        _log(request, case, AccessKind.REVEAL)
        ctx = _context(request, case, access)
        ctx["revealed_id"] = case.person.id_number if case.person else ""
        ctx["revealed_phone"] = case.person.phone if case.person else ""
        return render(request, "cases/detail.html", ctx)
    if not access.work:
        raise PermissionDenied
    form: Any
    try:
        if action == "visit":
            form = VisitForm(request.POST, prefix="visit")
            if form.is_valid():
                actions.record_visit(actor=user, scope=scope, case=case, today=today,
                                     **form.cleaned_data)
                messages.success(request, _("谈心记录已保存。"))
        elif action == "test":
            form = TestForm(request.POST, prefix="test",
                            tests=UrineTest.objects.filter(case=case, recorded=False))
            if form.is_valid():
                actions.record_test(actor=user, scope=scope, today=today, **form.cleaned_data)
                messages.success(request, _("尿检结果已登记。"))
        elif action == "relapse":
            form = RelapseForm(request.POST, prefix="relapse")
            if form.is_valid():
                actions.record_relapse(actor=user, scope=scope, case=case, today=today,
                                       **form.cleaned_data)
                messages.success(request, _("复吸情况已登记。"))
        elif action == "job":
            form = EmploymentForm(request.POST, prefix="job",
                                  placements=Placement.objects.filter(person=case.person))
            if form.is_valid():
                actions.record_employment(actor=user, scope=scope, case=case, today=today,
                                          **form.cleaned_data)
                messages.success(request, _("就业帮扶已登记。"))
        else:
            if not access.manage:
                raise PermissionDenied
            if action == "close":
                form = CloseForm(request.POST, prefix="close")
                if form.is_valid():
                    actions.close_case(actor=user, scope=scope, case=case, today=today,
                                       **form.cleaned_data)
                    messages.success(request, _("已结案。"))
            elif action == "transfer":
                form = TransferForm(request.POST, prefix="transfer")
                if form.is_valid():
                    to_unit = Unit.objects.filter(code=form.cleaned_data["to_unit"].strip(),
                                                  closed_on__isnull=True).first()
                    if to_unit is None:
                        form.add_error("to_unit", _("没有这个单位编码。"))
                    else:
                        actions.request_transfer(actor=user, scope=scope, case=case,
                                                 to_unit=to_unit, today=today,
                                                 reason=form.cleaned_data["reason"])
                        messages.success(request, _("已发出委托，待受托单位接收。"))
            elif action == "refer":
                form = ReferralForm(request.POST, prefix="refer")
                if form.is_valid():
                    actions.refer(actor=user, scope=scope, case=case, today=today,
                                  **form.cleaned_data)
                    messages.success(request, _("已转介。"))
            else:  # revoke_referral
                form = None
                referral = case.referrals.filter(pk=request.POST.get("referral") or 0).first()
                if referral is None:
                    raise Http404
                actions.revoke_referral(actor=user, scope=scope, referral=referral,
                                        today=today)
                messages.success(request, _("转介已撤回。"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("cases:detail", pk=case.pk)
    if form is not None and form.errors:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}：{error}" if label else error)
    return redirect("cases:detail", pk=case.pk)


# -- transfers ------------------------------------------------------------------------------
@login_required
def transfers(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not scope.allows_any(Cap.VIEW_CASES):
        raise PermissionDenied
    rows = selectors.transfer_history(scope=scope)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "cases/transfers.html", {"page": page, **_tabs(scope)})


@login_required
def transfer(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    today = _today()
    t = selectors.transfer_for(scope=scope, pk=pk)
    incoming = scope.allows(t.to_unit, Cap.VIEW_CASES)
    form = DecideForm(request.POST or None, caseworkers=_holders(t.to_unit, Cap.VIEW_CASES),
                      initial={"caseworker": request.user.pk})
    if request.method == "POST":
        decision = request.POST.get("decision")
        user: User = request.user  # type: ignore[assignment]
        try:
            if decision == "accept" and form.is_valid():
                if form.cleaned_data["caseworker"] is None:
                    form.add_error("caseworker", _("请选择接收后的责任社工。"))
                else:
                    actions.accept_transfer(actor=user, scope=scope, transfer=t, today=today,
                                            caseworker=form.cleaned_data["caseworker"])
                    messages.success(request, _("已接收，案件已转入本单位。"))
                    return redirect("cases:detail", pk=t.case_id)
            elif decision == "reject" and form.is_valid():
                actions.reject_transfer(actor=user, scope=scope, transfer=t, today=today,
                                        note=form.cleaned_data["note"])
                messages.success(request, _("已拒收。"))
                return redirect("cases:transfers")
            elif decision == "revoke":
                actions.revoke_transfer(actor=user, scope=scope, transfer=t, today=today)
                messages.success(request, _("委托已撤回。"))
                return redirect("cases:transfers")
            elif decision not in ("accept", "reject"):
                raise PermissionDenied
        except ValidationError as exc:
            apply_errors(form, exc)
    return render(request, "cases/transfer.html", {
        "t": t, "form": form, "incoming": incoming and t.state == TransferState.REQUESTED,
        "masked_id": mask_id_number(t.case.person.id_number if t.case.person else ""),
    })


# -- the access log -------------------------------------------------------------------------
@login_required
def looks(request: HttpRequest) -> HttpResponse:
    """Who looked at my cases: for the 包帮领导 and the 社工 of each case."""
    scope = scope_of(request)
    rows = selectors.looks_at_my_cases(scope=scope, user=request.user)  # type: ignore[arg-type]
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "cases/log.html", {"page": page, "mine": True, **_tabs(scope)})


@login_required
def log(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not scope.allows_any(Cap.VIEW_CASE_LOG):
        raise PermissionDenied
    page = Paginator(selectors.access_log(scope=scope), 50).get_page(request.GET.get("page"))
    return render(request, "cases/log.html", {"page": page, "mine": False, **_tabs(scope)})


# -- exports ----------------------------------------------------------------------------------
@login_required
def exports_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not scope.allows_any(Cap.VIEW_CASES):
        raise PermissionDenied
    units = list(scope.units(Cap.VIEW_CASES).order_by("path")[:200])
    error = ""
    if request.method == "POST":
        unit = next((u for u in units if str(u.pk) == request.POST.get("unit")), None)
        if unit is None:
            error = _("请选择导出范围。")
        else:
            try:
                export = case_exports.request_export(actor=request.user,  # type: ignore[arg-type]
                                                     scope=scope, unit=unit,
                                                     reason=request.POST.get("reason", "")[:200])
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, _("已提交导出申请，待帮教督导批准。"))
                return redirect("cases:export", pk=export.pk)
    return render(request, "cases/exports.html", {
        "exports": case_exports.exports_for(scope=scope), "units": units, "error": error,
        "reason": request.POST.get("reason", "")[:200], **_tabs(scope)})


@login_required
def export_page(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    export = case_exports.export_for(scope=scope, pk=pk)
    user: User = request.user  # type: ignore[assignment]
    password = ""
    if request.method == "POST":
        decision = request.POST.get("decision")
        now = timezone.now()
        try:
            if decision in ("approve", "reject"):
                case_exports.decide_export(actor=user, scope=scope, export=export, now=now,
                                           approve=decision == "approve")
                messages.success(request, _("已审批。"))
                return redirect("cases:exports")
            if decision == "make":
                export, password = case_exports.make_export(actor=user, scope=scope,
                                                            export=export, now=now)
            else:
                raise PermissionDenied
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("cases:exports")
    return render(request, "cases/export.html", {
        "export": export, "password": password, "mine": export.requested_by_id == user.pk,
        "approver": export.requested_by_id != user.pk
        and scope.allows(export.unit, Cap.SUPERVISE_CASES)})


@login_required
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    export = case_exports.export_for(scope=scope, pk=pk)
    data = case_exports.export_file(scope=scope, export=export, now=timezone.now())
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="case-export-{export.pk}.zip"'
    return response
