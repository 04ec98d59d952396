"""Reporting pages (数据上报): inbox, the unit × period form, review, the 16:00 missing
list, xlsx in and out, 信息报送. Views parse input and call actions and selectors; the
rules live there."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chuangjian.engine.periods import SHANGHAI, Period, PeriodError, PeriodType
from chuangjian.org.scope import Cap, Scope
from chuangjian.reporting import actions, selectors, xlsx
from chuangjian.reporting.datasets import catalog, dataset_name
from chuangjian.reporting.labels import period_error, report_kind_label
from chuangjian.reporting.models import Channel, LateRequestState, NewsItem, Status

MAX_UPLOAD = xlsx.MAX_IMPORT_BYTES


def _scope(request: HttpRequest) -> Scope:
    return request.scope  # type: ignore[attr-defined]


def _now() -> dt.datetime:
    return timezone.now()


def _require_any(request: HttpRequest, cap: Cap) -> Scope:
    scope = _scope(request)
    if not scope.allows_any(cap):
        raise PermissionDenied
    return scope


def _form_url(code: str, dataset: str, period: str) -> str:
    return reverse("reporting:form", args=[code, dataset, period])


# -- inbox ------------------------------------------------------------------------------


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    now = _now()
    rows = selectors.inbox(scope=scope, now=now)
    queue = selectors.review_queue(scope=scope, limit=20) if scope.allows_any(Cap.APPROVE) else []
    late = selectors.pending_late_requests(scope=scope) if scope.allows_any(Cap.APPROVE) else []
    return render(request, "reporting/inbox.html", {
        "rows": rows, "queue": queue, "now": now, "late_requests": late,
        "counts": {s: sum(r.state == s for r in rows) for s in ("overdue", "returned", "draft",
                                                                  "due", "done")},
        "can_approve": scope.allows_any(Cap.APPROVE),
    })


# -- the form ---------------------------------------------------------------------------


def _neighbours(state: selectors.FormState) -> dict[str, str]:
    prev, nxt = state.period.previous(), state.period.next()
    result = {"prev": _form_url(state.unit.code, state.dataset.code, str(prev))}
    if nxt.start_instant() <= state.now:
        result["next"] = _form_url(state.unit.code, state.dataset.code, str(nxt))
    return result


@login_required
@require_http_methods(["GET", "POST"])
def report_form(request: HttpRequest, code: str, dataset: str, period: str) -> HttpResponse:
    scope = _scope(request)
    unit = selectors.unit_for(scope=scope, code=code)
    errors: dict[str, str] = {}
    general: list[str] = []
    posted: dict[str, str] | None = None
    warnings: dict[str, str] = {}
    stale = ask_reason = False
    if request.method == "POST":
        # A submission reads only what it stores; the page (``form_state``) is read when
        # it is shown: after the redirect, or here when the submission was refused.
        ds, _period = selectors.form_dataset(scope=scope, unit=unit, dataset_code=dataset,
                                             period_text=period)
        posted = {e.code: request.POST.get(f"v_{e.code}", "") for e in ds.elements}
        try:
            if request.POST.get("action") == "draft":
                _sub, errors = actions.save_draft(actor=request.user, unit=unit,  # type: ignore[arg-type]
                                                  dataset_code=dataset, period=period,
                                                  values=posted, scope=scope)
                messages.success(request, _("已暂存。") + (
                    ngettext("有 %(n)d 项待修正，上报前请改正。", "有 %(n)d 项待修正，上报前请改正。",
                             len(errors)) % {"n": len(errors)}
                    if errors else _("确认无误后请点“上报”。")))
                return redirect(_form_url(code, dataset, period))
            result = actions.submit_values(actor=request.user, unit=unit,  # type: ignore[arg-type]
                                           dataset_code=dataset, period=period, values=posted,
                                           channel=Channel.WEB, scope=scope,
                                           expected_version=_posted_version(request),
                                           warning_reason=request.POST.get("warning_reason", "")[:1000])
        except actions.StaleReport as error:
            # The page shows both: the figures just typed in the fields, and beside each
            # the one now on file; the form carries the new version (read below, after
            # the refusal), so submitting again keeps the typed figures and reloading
            # keeps theirs.
            stale, general = True, list(error.messages)
        except actions.ReasonRequired as error:
            warnings, general, ask_reason = error.warnings, list(error.messages), True
        except actions.ReportInvalid as error:
            errors, general = error.fields, error.general
        except ValidationError as error:
            general = list(error.messages)
        else:
            sub = result.submission
            text = (_("已上报（第 %(version)d 版）") % {"version": sub.version}
                    if result.new_version else _("数据与已上报的相同，无需重复上报"))
            if sub.late:
                text += _("；本期为迟报")
            if result.warnings:
                n = len(result.warnings)
                text += ngettext("；有 %(n)d 项与以往差异较大，请核实",
                                 "；有 %(n)d 项与以往差异较大，请核实", n) % {"n": n}
            messages.success(request, text)
            return redirect(_form_url(code, dataset, period))
    state = selectors.form_state(scope=scope, unit=unit, dataset_code=dataset,
                                 period_text=period, now=_now())
    for row in state.rows:
        c = row.element.code  # type: ignore[attr-defined]
        if posted is not None:
            row.draft = posted.get(c, "")
        row.error = errors.get(c, "")
        if c in warnings:
            row.warning = warnings[c]
    late = selectors.late_request_for(state.unit, state.dataset.code, str(state.period),
                                      scope=scope)
    context: dict[str, Any] = {"s": state, "general": general, "stale": stale,
                               "ask_reason": ask_reason,
                               "warning_reason": request.POST.get("warning_reason", "")[:300],
                               **_neighbours(state),
                               "late": late,
                               "can_ask_late": bool(state.lock_reason) and state.overdue
                               and state.dataset.lock_after_deadline
                               and not (state.submission and state.submission.locked)
                               and scope.allows(state.unit, Cap.ENTER_DATA)
                               and not (late and late.state == LateRequestState.PENDING),
                               "exceptions": selectors.exceptions_for(
                                   scope=scope, unit=state.unit, dataset_code=state.dataset.code,
                                   period=str(state.period))
                               if state.can_review else []}
    status = 409 if stale else 400 if (errors or general) else 200
    return render(request, "reporting/form.html", context, status=status)


def _posted_version(request: HttpRequest) -> int | None:
    """The report version the form was opened at; ``None`` when the form sent none."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdecimal() and len(raw) <= 9 else None


@login_required
@require_POST
def check_field(request: HttpRequest, code: str, dataset: str, period: str,
                element: str) -> HttpResponse:
    """htmx: check one field as it is typed, with the rest of the form for cross rules."""
    scope = _scope(request)
    unit = selectors.unit_for(scope=scope, code=code, cap=Cap.ENTER_DATA)
    try:
        ds, p = actions.resolve(unit, dataset, period, now=_now())
    except ValidationError:
        raise Http404 from None
    if element not in ds.element_by_code:
        raise Http404
    raw = {c: request.POST.get(f"v_{c}", "") for c in ds.element_by_code
           if f"v_{c}" in request.POST}
    checked = actions.check_values(unit, ds, p, raw, complete=False)
    error = checked.errors.get(element, "")
    if not error:
        error = next((m for c, m in checked.errors.items() if c != element and any(
            element in r.names and c in r.names and r.message == m for r in ds.rules)), "")
    return render(request, "reporting/_feedback.html", {
        "error": error, "warning": checked.warnings.get(element, ""), "code": element,
        "ok": bool(raw.get(element, "").strip()) and not error})


@login_required
@require_GET
def value_history(request: HttpRequest, code: str, dataset: str, period: str,
                  element: str) -> HttpResponse:
    scope = _scope(request)
    unit = selectors.unit_for(scope=scope, code=code)
    changes = list(selectors.value_history(scope=scope, unit=unit, element_code=element,
                                            period=period)[:50])
    return render(request, "reporting/_history.html", {"changes": changes})


# -- review -----------------------------------------------------------------------------


REVIEW_PAGE = 30


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    """The review list at scale: filters (unit, data set, period, state), pages, the
    clean reports ticked for one batch approval, j/k/x/o on a keyboard."""
    scope = _require_any(request, Cap.APPROVE)
    status = request.GET.get("status", Status.SUBMITTED)
    if status not in (Status.SUBMITTED, Status.ACCEPTED, Status.RETURNED):
        status = Status.SUBMITTED
    everything = selectors.review_queryset(scope=scope, status=status)
    units = dict(everything.order_by("unit__path").values_list("unit__code", "unit__name").distinct())
    datasets = sorted({c: dataset_name(c) for c in everything.values_list("dataset_code", flat=True)
                       .distinct()}.items(), key=lambda kv: kv[1])
    unit_code = request.GET.get("unit", "")
    unit = selectors.unit_for(scope=scope, code=unit_code) if unit_code in units else None
    dataset = request.GET.get("dataset", "")
    dataset = dataset if dataset in dict(datasets) else ""
    period_text, error = request.GET.get("period", "").strip()[:16], ""
    if period_text:
        try:
            period_text = str(Period.parse(period_text))
        except PeriodError:
            error = _("期间「%(p)s」无法识别，请写成 2026-11、2026-11-02、2026Q4 或 2026") % {
                "p": period_text}
            period_text = ""
    rows = selectors.review_queryset(scope=scope, status=status, unit=unit, dataset_code=dataset,
                                     period=period_text)
    page = Paginator(rows, REVIEW_PAGE).get_page(request.GET.get("page"))
    query = {k: v for k, v in (("status", status), ("unit", unit.code if unit else ""),
                               ("dataset", dataset), ("period", period_text)) if v}
    return render(request, "reporting/review_list.html", {
        "rows": page.object_list, "page": page, "status": status, "units": sorted(
            units.items(), key=lambda kv: kv[1]), "datasets": datasets,
        "unit_code": unit.code if unit else "", "dataset": dataset, "period": period_text,
        "error": error, "back_query": urlencode(query),
        "statuses": [(Status.SUBMITTED, _("待审核")), (Status.RETURNED, _("已退回")),
                     (Status.ACCEPTED, _("已审核"))],
        "batch": status == Status.SUBMITTED and any(not s.warnings for s in page.object_list)})


@login_required
@require_POST
def review_batch(request: HttpRequest) -> HttpResponse:
    """批量审核通过: the ticked clean reports, all or none."""
    scope = _require_any(request, Cap.APPROVE)
    pks = [int(x) for x in request.POST.getlist("pk")[:REVIEW_PAGE] if x.isdecimal() and len(x) < 10]
    subs = list(selectors.review_queryset(scope=scope).filter(pk__in=pks))
    try:
        if len(subs) != len(set(pks)):
            raise ValidationError(_("有报表已被他人审核或不在您的审核范围内，请刷新后再试"))
        n = actions.accept_clean(actor=request.user, submissions=subs, scope=scope)  # type: ignore[arg-type]
        messages.success(request, ngettext("已审核通过 %(n)d 份报表", "已审核通过 %(n)d 份报表", n) % {"n": n})
    except ValidationError as error:
        messages.error(request, _("；").join(error.messages) + _("（本次没有审核任何报表）"))
    back = request.POST.get("back", "")
    return redirect(reverse("reporting:review_list") + (f"?{back}" if back and len(back) < 300
                                                        and "//" not in back else ""))


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    sub = selectors.submission_for(scope=scope, pk=pk)
    decision = request.POST.get("decision")
    try:
        if decision == "unlock":
            actions.unlock_submission(actor=request.user, submission=sub,  # type: ignore[arg-type]
                                      reason=request.POST.get("reason", ""), scope=scope)
            messages.success(request, _("已解锁，填报单位可以修改后重新上报"))
        elif decision in ("accept", "return"):
            actions.review_submission(actor=request.user, submission=sub,  # type: ignore[arg-type]
                                      accept=decision == "accept",
                                      comment=request.POST.get("comment", ""), scope=scope)
            messages.success(request, _("已审核通过，数据已锁定") if decision == "accept"
                             else _("已退回，填报单位会在待办中看到意见"))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, _("；").join(error.messages))
    else:
        if request.POST.get("next") == "1" and decision in ("accept", "return"):
            nxt = selectors.next_to_review(scope=scope, after=sub)
            if nxt is None:
                messages.info(request, _("待审核的报表都已处理完"))
                return redirect("reporting:review_list")
            return redirect(_form_url(nxt.unit.code, nxt.dataset_code, nxt.period))
    return redirect(_form_url(sub.unit.code, sub.dataset_code, sub.period))


@login_required
@require_POST
def grant_exception(request: HttpRequest, code: str, dataset: str, period: str) -> HttpResponse:
    scope = _scope(request)
    unit = selectors.unit_for(scope=scope, code=code)
    try:
        hours = int(request.POST.get("hours", "24"))
    except ValueError:
        hours = 24
    hours = max(1, min(hours, 24 * 30))
    try:
        actions.grant_exception(actor=request.user, unit=unit, dataset_code=dataset,  # type: ignore[arg-type]
                                period=period, until=_now() + dt.timedelta(hours=hours),
                                reason=request.POST.get("reason", ""), scope=scope)
        messages.success(request, ngettext("已批准例外：%(n)d 小时内可以补报",
                                           "已批准例外：%(n)d 小时内可以补报", hours) % {"n": hours})
    except ValidationError as error:
        messages.error(request, _("；").join(error.messages))
    return redirect(_form_url(code, dataset, period))


@login_required
@require_POST
def request_late(request: HttpRequest, code: str, dataset: str, period: str) -> HttpResponse:
    """The filler asks the level above to let a locked report be filed late (申请补报)."""
    scope = _scope(request)
    unit = selectors.unit_for(scope=scope, code=code, cap=Cap.ENTER_DATA)
    try:
        actions.request_late_filing(actor=request.user, unit=unit, dataset_code=dataset,  # type: ignore[arg-type]
                                    period=period, reason=request.POST.get("reason", "")[:1000],
                                    scope=scope)
        messages.success(request, _("补报申请已提交，上级批准后即可填报"))
    except ValidationError as error:
        messages.error(request, _("；").join(error.messages))
    return redirect(_form_url(code, dataset, period))


@login_required
@require_POST
def decide_late(request: HttpRequest, pk: int) -> HttpResponse:
    """The level above grants (for so many hours) or refuses a late-filing request."""
    scope = _scope(request)
    row = selectors.late_request_of(pk, scope=scope)
    grant = request.POST.get("decision") == "grant"
    try:
        hours = int(request.POST.get("hours", "24"))
    except ValueError:
        hours = 0
    try:
        actions.decide_late_filing(actor=request.user, request=row, grant=grant, hours=hours,  # type: ignore[arg-type]
                                   note=request.POST.get("note", "")[:1000], scope=scope)
        messages.success(request, ngettext("已批准补报：%(n)d 小时内可以填报",
                                           "已批准补报：%(n)d 小时内可以填报", hours) % {"n": hours}
                         if grant else _("已回复不批准补报"))
    except ValidationError as error:
        messages.error(request, _("；").join(error.messages))
    nxt = request.POST.get("next", "")
    if nxt == "inbox":
        return redirect("reporting:inbox")
    return redirect(_form_url(row.unit.code, row.dataset_code, row.period))


# -- the 16:00 missing list ---------------------------------------------------------------


@login_required
@require_GET
def missing(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    now = _now()
    today = now.astimezone(SHANGHAI).date()
    error = ""
    try:
        day = dt.date.fromisoformat(request.GET.get("date") or today.isoformat())
    except ValueError:
        day, error = today, _("日期无效，已显示今天")
    try:
        ptype = PeriodType(request.GET.get("type") or "day")
    except ValueError:
        ptype = PeriodType.DAY
    root = selectors.unit_for(scope=scope, code=request.GET["unit"]) if request.GET.get("unit") else None
    period = Period.containing(ptype, day)
    report = selectors.timeliness(scope=scope, period=period, root=root)
    return render(request, "reporting/missing.html", {
        "report": report, "day": day, "root": root, "error": error, "now": now,
        "period_types": [(t.value, report_kind_label(t)) for t in PeriodType
                         if t is not PeriodType.WEEK],
        "ptype": ptype.value, "is_today": day == today,
        "show_all": request.GET.get("all") == "1",
    })


# -- xlsx -------------------------------------------------------------------------------


def _dataset_choices(scope: Scope, year: int) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for _category, _probe, ds in catalog().profiles(year):
        seen.setdefault(ds.code, ds.name)
    return sorted(seen.items(), key=lambda kv: kv[1])


@login_required
@require_http_methods(["GET", "POST"])
def xlsx_page(request: HttpRequest) -> HttpResponse:
    scope = _require_any(request, Cap.ENTER_DATA)
    today = _now().astimezone(SHANGHAI).date()
    result = None
    upload_error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            upload_error = _("请选择要上传的 xlsx 文件")
        elif upload.size and upload.size > MAX_UPLOAD:
            result = xlsx.ImportResult(errors=[xlsx.CellError(
                0, "", "", xlsx.too_large_text(upload.size))])
        else:
            result = xlsx.import_workbook(upload.read(), actor=request.user,  # type: ignore[arg-type]
                                          scope=scope)
            if result.ok:
                messages.success(request, xlsx.imported_text(result))
                return redirect("reporting:xlsx")
    return render(request, "reporting/xlsx.html", {
        "datasets": _dataset_choices(scope, today.year), "today": today, "result": result,
        "upload_error": upload_error,
        "units": list(scope.units(Cap.ENTER_DATA).filter(closed_on__isnull=True,
                                                         kind="area",
                                                         level__in=["district", "street", "area"])
                      .order_by("path")[:200]),
    }, status=400 if (result and not result.ok) or upload_error else 200)


@login_required
@require_GET
def xlsx_template(request: HttpRequest) -> HttpResponseBase:
    scope = _require_any(request, Cap.ENTER_DATA)
    code = request.GET.get("dataset", "")
    text = request.GET.get("period", "")
    try:
        period = Period.parse(text)
    except PeriodError as error:
        messages.error(request, period_error(text, error))
        return redirect("reporting:xlsx")
    under = selectors.unit_for(scope=scope, code=request.GET["unit"]) if request.GET.get("unit") else None
    try:
        content = xlsx.build_template(code, period, scope=scope, under=under)
    except xlsx.TemplateError as error:
        messages.error(request, str(error))
        return redirect("reporting:xlsx")
    import io

    name = f"{code}_{period}{'_' + under.code if under else ''}.xlsx"
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=name,
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


# -- 信息报送 ---------------------------------------------------------------------------


@login_required
@require_GET
def news_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    qs = selectors.news_items(scope=scope)
    state = request.GET.get("state", "")
    if state in NewsItem.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    for item in page:
        item.can_decide = actions.can_review(scope=scope, unit=item.unit)  # type: ignore[attr-defined]
    return render(request, "reporting/news_list.html", {
        "page": page, "state": state, "states": NewsItem.State.choices,
        "can_submit": scope.allows_any(Cap.ENTER_DATA)})


@login_required
@require_http_methods(["GET", "POST"])
def news_new(request: HttpRequest) -> HttpResponse:
    scope = _require_any(request, Cap.ENTER_DATA)
    units = list(scope.units(Cap.ENTER_DATA).filter(closed_on__isnull=True).order_by("path")[:300])
    errors: list[str] = []
    data = request.POST if request.method == "POST" else None
    if data is not None:
        unit = next((u for u in units if u.code == data.get("unit")), None)
        if unit is None:
            errors.append(_("请选择报送单位"))
        else:
            # Parsed uploads always carry a name and a size; an unknown size is refused.
            files = [(f.name or "", f.read()) for f in request.FILES.getlist("files")
                     if f.size is not None and f.size <= actions.MAX_ATTACHMENT_BYTES]
            if len(files) != len(request.FILES.getlist("files")):
                errors.append(_("附件不能超过 20 MB"))
            else:
                try:
                    actions.submit_news(actor=request.user, unit=unit,  # type: ignore[arg-type]
                                        kind=data.get("kind", "news"), title=data.get("title", ""),
                                        body=data.get("body", ""), files=files, scope=scope)
                except ValidationError as error:
                    errors.extend(error.messages)
                else:
                    messages.success(request, _("已报送，等待上级采用"))
                    return redirect("reporting:news")
    return render(request, "reporting/news_new.html", {
        "units": units, "kinds": NewsItem.Kind.choices, "errors": errors, "data": data or {}},
        status=400 if errors else 200)


@login_required
@require_POST
def news_decide(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    item = selectors.news_item_for(scope=scope, pk=pk)
    try:
        actions.decide_news(actor=request.user, item=item,  # type: ignore[arg-type]
                            adopt=request.POST.get("decision") == "adopt",
                            comment=request.POST.get("comment", ""), scope=scope)
        messages.success(request, _("已采用") if request.POST.get("decision") == "adopt"
                         else _("已标记为未采用"))
    except ValidationError as error:
        messages.error(request, _("；").join(error.messages))
    return redirect("reporting:news")


@login_required
@require_GET
def news_attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    scope = _scope(request)
    from chuangjian.reporting.models import NewsAttachment

    attachment = NewsAttachment.objects.select_related("item__unit").filter(pk=pk).first()
    if attachment is None or not scope.allows(attachment.item.unit):
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
