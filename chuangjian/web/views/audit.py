"""The audit log browser (操作日志), within the user's VIEW_AUDIT scope."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from chuangjian.org import selectors
from chuangjian.org.scope import Cap
from chuangjian.web.forms import AuditFilterForm
from chuangjian.web.labels import ACTION_LABELS, ACTION_PREFIXES
from chuangjian.web.views.common import require_any


@login_required
def audit(request: HttpRequest) -> HttpResponse:
    scope = require_any(request, Cap.VIEW_AUDIT)
    entries = selectors.audit_entries(scope=scope)
    form = AuditFilterForm(request.GET or None)
    unit = None
    if form.is_valid():
        data = form.cleaned_data
        if data["unit"]:
            try:
                unit = selectors.unit_for(scope=scope, code=data["unit"].strip(), cap=Cap.VIEW_AUDIT)
            except Http404:
                form.add_error("unit", _("未找到该单位，或无权查看其日志"))
                entries = entries.none()
            else:
                entries = entries.filter(unit_path__startswith=unit.path)
        if data["user"]:
            entries = entries.filter(Q(actor__username=data["user"]) |
                                     Q(actor__full_name__icontains=data["user"]))
        if data["action"]:
            entries = entries.filter(action__startswith=data["action"])
        # __date compares in the current time zone (Asia/Shanghai), as users mean it.
        if data["start"]:
            entries = entries.filter(created_at__date__gte=data["start"])
        if data["end"]:
            entries = entries.filter(created_at__date__lte=data["end"])
    elif form.is_bound:
        entries = entries.none()
    page = Paginator(entries, 30).get_page(request.GET.get("page"))
    return render(request, "web/audit_list.html", {
        "form": form, "page": page, "filter_unit": unit,
        "action_choices": [*ACTION_PREFIXES, *ACTION_LABELS.items()],
    })
