"""The problem list, the inbox (我的待办) and the rectification order page with its
timeline and the actions of the loop."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chuangjian.files import pending
from chuangjian.inspections import forms, policy, selectors
from chuangjian.inspections.actions import rectification as act
from chuangjian.inspections.models import RUNNING_STATES, ExtensionRequest, Severity, State
from chuangjian.inspections.views.common import error_text, now, scope_of, show_errors
from chuangjian.org.models import Membership, User
from chuangjian.org.scope import Cap

TIMELINE = {
    "inspections.finding.created": (_("发现问题，立案"), "bi-camera", "found"),
    "inspections.report.submitted": (_("群众随手拍"), "bi-phone", "found"),
    "inspections.report.accepted": (_("随手拍立案"), "bi-check2-square", "found"),
    "inspections.order.dispatched": (_("派单"), "bi-send", "dispatch"),
    "inspections.order.accepted": (_("接单"), "bi-hand-thumbs-up", "accept"),
    "inspections.order.rejected": (_("退回（非本单位职责）"), "bi-arrow-return-left", "warn"),
    "inspections.order.submitted": (_("提交整改"), "bi-tools", "accept"),
    "inspections.order.closed": (_("复核通过，销号"), "bi-patch-check", "done"),
    "inspections.order.sent_back": (_("复核未通过，返工"), "bi-arrow-counterclockwise", "warn"),
    "inspections.order.reopened": (_("问题复发，重新派单"), "bi-exclamation-octagon", "danger"),
    "inspections.order.cancelled": (_("撤销"), "bi-x-circle", "muted"),
    "inspections.order.extension_requested": (_("申请延期"), "bi-hourglass-split", "warn"),
    "inspections.order.extension_approved": (_("同意延期"), "bi-calendar-plus", "dispatch"),
    "inspections.order.extension_refused": (_("不同意延期"), "bi-calendar-x", "warn"),
    "inspections.order.escalated": (_("逾期督办"), "bi-megaphone", "danger"),
}


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.is_empty:
        raise PermissionDenied
    at = now()
    qs = selectors.orders(scope=scope)
    state = request.GET.get("state", "")
    severity = request.GET.get("severity", "")
    q = request.GET.get("q", "").strip()
    if state == "overdue":
        qs = qs.filter(state__in=RUNNING_STATES, deadline__lte=at)
    elif state == "open":
        qs = qs.exclude(state__in=(State.CLOSED, State.CANCELLED))
    elif state in State.values:
        qs = qs.filter(state=state)
    if severity in Severity.values:
        qs = qs.filter(finding__severity=severity)
    if q:
        qs = qs.filter(Q(finding__description__icontains=q) | Q(finding__unit__name__icontains=q)
                       | Q(finding__address__icontains=q) | Q(assignee_unit__name__icontains=q))
    page = Paginator(qs.order_by("-finding__found_at", "-pk"), 30).get_page(request.GET.get("page"))
    return render(request, "inspections/index.html", {
        "page": page, "counts": selectors.counts(scope=scope, now=at), "now": at, "state": state,
        "severity": severity, "q": q, "states": State.choices, "severities": Severity.choices,
        "can_inspect": scope.allows_any(Cap.INSPECT), "tab": "index",
    })


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    at = now()
    box = selectors.inbox(scope=scope, user=request.user, now=at)  # type: ignore[arg-type]
    return render(request, "inspections/inbox.html", {"box": box, "now": at, "tab": "inbox"})


def _dispatch_form(scope: Any, order: Any, data: Any = None) -> forms.DispatchForm:
    at = now()
    form = forms.DispatchForm(data, initial={
        "version": order.version, "unit": order.assignee_unit_id or order.finding.unit_id,
        "user": order.assignee_user_id,
        "deadline": forms.as_shanghai(act.default_deadline(order, at).replace(tzinfo=None))})
    form.fields["unit"].queryset = scope.units(Cap.INSPECT).filter(  # type: ignore[attr-defined]
        closed_on__isnull=True).order_by("path")
    unit_ids = list(scope.units(Cap.INSPECT).values_list("pk", flat=True)[:2000])
    form.fields["user"].queryset = User.objects.filter(  # type: ignore[attr-defined]
        pk__in=Membership.objects.filter(unit_id__in=unit_ids).values("user_id"),
        is_active=True).order_by("full_name")
    form.fields["user"].label_from_instance = lambda u: (  # type: ignore[attr-defined]
        f"{u.display_name}（{u.title}）" if u.title else u.display_name)
    return form


def _page(request: HttpRequest, order: Any, bound: dict[str, Any] | None = None,
          status: int = 200) -> HttpResponse:
    scope = scope_of(request)
    at = now()
    allowed = policy.allowed_for(scope, request.user, order)
    v = {"version": order.version}
    ctx: dict[str, Any] = {
        "order": order, "finding": order.finding, "now": at, "allowed": allowed,
        "overdue": order.is_overdue(at),
        "photos": selectors.finding_photos(order.finding),
        "after_photos": list(order.photo_links.select_related("file")),
        "timeline": [(e, TIMELINE.get(e.action, (e.action, "bi-dot", "muted")))
                     for e in selectors.timeline(order)],
        "escalations": list(selectors.escalations_of(order)),
        "extensions": list(selectors.extensions_of(order)),
        "can_supervise": policy.may_supervise(scope, order),
        "can_extend": policy.may_request_extension(scope, order),
        "dispatch_form": _dispatch_form(scope, order) if "dispatch" in allowed else None,
        "reason_form": forms.ReasonForm(initial=v),
        "rectify_form": forms.RectifyForm(initial=v),
        "verify_form": forms.VerifyForm(initial={**v, "passed": "1"}),
        "extension_form": forms.ExtensionForm(initial=v),
        "reopen_form": forms.ReopenForm(initial=v),
        "labels": policy.TRANSITION_LABELS, "tab": "index",
        "report": getattr(order.finding, "report", None),
        "same_person": (order.state == State.SUBMITTED
                        and order.rectified_by_id == request.user.pk
                        and policy.may_supervise(scope, order)),
    }
    ctx.update(bound or {})
    return render(request, "inspections/order.html", ctx, status=status)


@login_required
@require_GET
def order_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, selectors.order_for(scope=scope_of(request), pk=pk))


# The context name of each action's form on the order page.
FORM_NAMES = {"dispatch": "dispatch_form", "accept": "reason_form", "reject": "reason_form",
              "cancel": "reason_form", "submit": "rectify_form", "verify": "verify_form",
              "extend": "extension_form", "reopen": "reopen_form"}


@login_required
@require_POST
def order_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One endpoint per transition; a refusal re-renders the page with the reason."""
    scope = scope_of(request)
    order = selectors.order_for(scope=scope, pk=pk)
    user = request.user
    at = now()
    post, files = request.POST, request.FILES
    key = f"order:{order.pk}:{action}"
    photos: list[Any] = []
    form: Any = None
    try:
        if action == "dispatch":
            form = _dispatch_form(scope, order, post)
            if not form.is_valid():
                return _page(request, order, {"dispatch_form": form, "open": "dispatch"}, 400)
            d = form.cleaned_data
            act.dispatch_order(actor=user, scope=scope, order=order, unit=d["unit"],  # type: ignore[arg-type]
                               user=d["user"], deadline=forms.as_shanghai(d["deadline"]),
                               note=d["note"], version=d["version"], now=at)
            messages.success(request, _("已派单给「%(u)s」") % {"u": d["unit"].name})
        elif action in ("accept", "reject", "cancel"):
            form = forms.ReasonForm(post)
            if not form.is_valid():
                raise ValidationError(_("表单已过期，请刷新页面"))
            d = form.cleaned_data
            if action == "accept":
                act.accept_order(actor=user, scope=scope, order=order, version=d["version"],  # type: ignore[arg-type]
                                 now=at)
                messages.success(request, _("已接单，请在期限内完成整改"))
            elif action == "reject":
                act.reject_order(actor=user, scope=scope, order=order, reason=d["reason"],  # type: ignore[arg-type]
                                 version=d["version"], now=at)
                messages.success(request, _("已退回，等待重新派单"))
            else:
                act.cancel_order(actor=user, scope=scope, order=order, reason=d["reason"],  # type: ignore[arg-type]
                                 version=d["version"])
                messages.success(request, _("已撤销"))
        elif action == "submit":
            form = forms.RectifyForm(post, files)
            photos = pending.chosen(request, key) + files.getlist("photos")
            if not form.is_valid():
                return _page(request, order, {"rectify_form": form, "open": "submit",
                                              "pending_files": pending.keep(request, key, photos)}, 400)
            d = form.cleaned_data
            act.submit_rectification(actor=user, scope=scope, order=order, note=d["note"],  # type: ignore[arg-type]
                                     photos=photos, version=d["version"], now=at)
            pending.forget(request, key)
            messages.success(request, _("整改情况已提交，等待复核"))
        elif action == "verify":
            form = forms.VerifyForm(post)
            if not form.is_valid():
                return _page(request, order, {"verify_form": form, "open": "verify"}, 400)
            d = form.cleaned_data
            act.verify_rectification(actor=user, scope=scope, order=order, passed=d["passed"],  # type: ignore[arg-type]
                                     note=d["note"], version=d["version"], now=at)
            messages.success(request, _("已销号") if d["passed"] else _("已退回返工"))
        elif action == "extend":
            form = forms.ExtensionForm(post)
            if not form.is_valid():
                return _page(request, order, {"extension_form": form, "open": "extend"}, 400)
            d = form.cleaned_data
            act.request_extension(actor=user, scope=scope, order=order,  # type: ignore[arg-type]
                                  new_deadline=forms.as_shanghai(d["new_deadline"]),  # type: ignore[arg-type]
                                  reason=d["reason"], version=d["version"], now=at)
            messages.success(request, _("延期申请已提交，等待审批"))
        elif action == "reopen":
            form = forms.ReopenForm(post, files)
            photos = pending.chosen(request, key) + files.getlist("photos")
            if not form.is_valid():
                return _page(request, order, {"reopen_form": form, "open": "reopen",
                                              "pending_files": pending.keep(request, key, photos)}, 400)
            d = form.cleaned_data
            act.reopen_order(actor=user, scope=scope, order=order, note=d["note"],  # type: ignore[arg-type]
                             photos=photos, version=d["version"], now=at)
            pending.forget(request, key)
            messages.success(request, _("已重新派单"))
        else:
            raise PermissionDenied
    except ValidationError as error:
        # The refused form comes back with what was typed and the photos chosen (kept as
        # pending uploads), the reason beside its field.
        bound: dict[str, Any] = {"open": action}
        name = FORM_NAMES.get(action)
        if form is not None and name and form.is_bound:
            bound[name] = form
        if (name in bound and hasattr(error, "error_dict")
                and all(f in form.fields for f in error.error_dict)):
            show_errors(form, error)
        else:
            messages.error(request, error_text(error))
        if photos:
            bound["pending_files"] = pending.keep(request, key, photos)
        return _page(request, selectors.order_for(scope=scope, pk=pk), bound, 409)
    return redirect(reverse("inspections:order", args=[order.pk]))


@login_required
@require_POST
def decide_extension(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    item = ExtensionRequest.objects.filter(pk=pk).select_related("order").first()
    if item is None:
        raise PermissionDenied
    order = selectors.order_for(scope=scope, pk=item.order_id)
    form = forms.DecideExtensionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意或不同意"))
        return redirect(reverse("inspections:order", args=[order.pk]))
    try:
        act.decide_extension(actor=request.user, scope=scope, request=item,  # type: ignore[arg-type]
                             approve=form.cleaned_data["approve"], note=form.cleaned_data["note"],
                             now=now())
        messages.success(request, _("已同意延期") if form.cleaned_data["approve"] else _("已不同意延期"))
    except ValidationError as error:
        messages.error(request, error_text(error))
    return redirect(reverse("inspections:order", args=[order.pk]))
