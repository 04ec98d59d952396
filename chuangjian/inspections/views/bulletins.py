"""通报 (built as a background job, Word or PDF) and 问责 records."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chuangjian.inspections import forms, selectors
from chuangjian.inspections.actions import bulletins as act
from chuangjian.inspections.models import Accountability, Bulletin
from chuangjian.inspections.views.common import require_any, show_errors, units_with
from chuangjian.jobs.actions import start_job
from chuangjian.org.scope import Cap


def _bulletin_form(request: HttpRequest, data: Any = None) -> forms.BulletinForm:
    scope = require_any(request, Cap.INSPECT)
    today = timezone.localdate()
    form = forms.BulletinForm(data, initial={"issued_on": today, "month": f"{today:%Y-%m}",
                                             "format": "pdf"})
    form.fields["unit"].queryset = units_with(scope, Cap.INSPECT).exclude(  # type: ignore[attr-defined]
        level__in=("community", "grid", "building"))
    form.fields["round"].queryset = selectors.rounds(scope=scope).filter(  # type: ignore[attr-defined]
        Q(published_at__isnull=False) | Q(covert=False))
    return form


@login_required
@require_http_methods(["GET", "POST"])
def bulletins(request: HttpRequest) -> HttpResponse:
    scope = require_any(request, Cap.INSPECT)
    form = _bulletin_form(request, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if request.POST.get("again"):
            item = Bulletin.objects.filter(pk=request.POST["again"]).first()
            if item is not None and scope.allows(item.unit, Cap.INSPECT):
                fmt = "docx" if request.POST.get("format") == "docx" else "pdf"
                job = start_job(kind_code="inspections.bulletin", user=request.user, scope=scope,
                                params={"bulletin_id": item.pk, "format": fmt,
                                        "user_id": request.user.pk},
                                title=f"{item.number} {item.title}")
                return redirect(reverse("jobs:detail", args=[job.pk]))
        elif form.is_valid():
            d = form.cleaned_data
            try:
                item = act.create_bulletin(actor=request.user, scope=scope, unit=d["unit"],  # type: ignore[arg-type]
                                           kind=d["kind"], round_=d.get("round"),
                                           month=d.get("month") or "", issued_on=d["issued_on"],
                                           issuer=d.get("issuer") or "", title=d.get("title") or "")
            except ValidationError as error:
                show_errors(form, error, "title")
            else:
                job = start_job(kind_code="inspections.bulletin", user=request.user, scope=scope,
                                params={"bulletin_id": item.pk, "format": d["format"],
                                        "user_id": request.user.pk},
                                title=f"{item.number} {item.title}")
                return redirect(reverse("jobs:detail", args=[job.pk]))
    rows = list(Bulletin.objects.filter(scope.q(Cap.INSPECT, field_name="unit__path"))
                .select_related("unit", "round")[:100])
    records = list(Accountability.objects.filter(scope.q(field_name="unit__path"))
                   .select_related("unit", "decided_by").prefetch_related("findings")[:100])
    return render(request, "inspections/bulletins.html", {
        "form": form, "rows": rows, "records": records, "tab": "bulletins"},
        status=400 if form.is_bound and form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def accountability_new(request: HttpRequest) -> HttpResponse:
    scope = require_any(request, Cap.INSPECT)
    form = forms.AccountabilityForm(request.POST if request.method == "POST" else None,
                                    initial={"decided_on": timezone.localdate()})
    form.fields["unit"].queryset = units_with(scope, Cap.INSPECT)  # type: ignore[attr-defined]
    candidates = selectors.findings(scope=scope).filter(hidden=False).order_by("-found_at")[:300]
    form.fields["findings"].queryset = selectors.findings(scope=scope).filter(  # type: ignore[attr-defined]
        pk__in=[f.pk for f in candidates])
    form.fields["findings"].label_from_instance = lambda f: (  # type: ignore[attr-defined]
        f"{f.number} {f.unit.name} · {f.category_label} · {f.description[:30]}"
        f"（{f.order.get_state_display()}）")
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            act.record_accountability(actor=request.user, scope=scope, unit=d["unit"],  # type: ignore[arg-type]
                                      person=d["person"], measure=d["measure"],
                                      reason=d["reason"], decided_on=d["decided_on"],
                                      findings=d["findings"])
        except ValidationError as error:
            show_errors(form, error, "reason")
        else:
            messages.success(request, _("问责记录已保存"))
            return redirect(reverse("inspections:bulletins"))
    return render(request, "inspections/accountability_form.html", {"form": form,
                                                                     "tab": "bulletins"},
                  status=400 if form.is_bound else 200)
