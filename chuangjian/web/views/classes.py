"""The unit classes page (单位类别): what class each unit is in, set it, import a file,
and run and confirm 动态升降 (篇9)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from chuangjian.assessment.classes import propose_next_year_classes
from chuangjian.org import selectors
from chuangjian.org.scope import Cap, require
from chuangjian.standards import actions as standards_actions
from chuangjian.standards.classes_io import MAX_FILE_SIZE, import_unit_classes
from chuangjian.standards.models import StandardVersion
from chuangjian.standards.selectors import class_rows
from chuangjian.web.views.common import AuthedRequest, scope_of


def _class_standards() -> list[StandardVersion]:
    seen: dict[str, StandardVersion] = {}
    for v in (StandardVersion.objects.filter(unit_classes__isnull=False).distinct()
              .order_by("code", "-version")):
        seen.setdefault(v.code, v)
    return list(seen.values())


@login_required
@require_http_methods(["GET", "POST"])
def unit_classes(request: AuthedRequest, code: str) -> HttpResponse:
    scope = scope_of(request)
    unit = selectors.unit_for(scope=scope, code=code)
    standards = _class_standards()
    if not standards:
        return render(request, "web/unit_classes.html", {"unit": unit, "standards": []})
    codes = [s.code for s in standards]
    asked = request.GET.get("standard") or ""
    standard: str = asked if asked in codes else codes[0]
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    version = next(s for s in standards if s.code == standard)
    can_manage = scope.allows(unit, Cap.MANAGE_UNITS)
    if request.method == "POST":
        require(scope, unit, Cap.MANAGE_UNITS)
        action = request.POST.get("action")
        try:
            if action == "set":
                target = selectors.unit_for(scope=scope, code=request.POST.get("unit", "")[:64])
                row = standards_actions.set_unit_class(
                    actor=request.user, scope=scope, unit=target, standard_code=standard,
                    period=request.POST.get("period", "")[:16],
                    unit_class=request.POST.get("unit_class", "")[:50],
                    reason=request.POST.get("reason", "")[:300])
                messages.success(request, _("「%(unit)s」自 %(period)s 起为「%(cls)s」") % {
                    "unit": target.name, "period": row.period, "cls": row.unit_class})
            elif action == "propose":
                decisions = propose_next_year_classes(actor=request.user, scope=scope,
                                                      standard_code=standard, year=year,
                                                      unit=unit)
                messages.success(request, _("已按 %(year)d 年结果为 %(n)d 个单位提出下一年度类别建议，"
                                            "确认后生效") % {"year": year, "n": len(decisions)})
            elif action == "confirm":
                under = [r.unit for r in class_rows(scope=scope, standard_code=standard,
                                                    year=year, root=unit)]
                n = standards_actions.confirm_unit_classes(
                    actor=request.user, scope=scope, standard_code=standard,
                    period=str(year + 1), units=under)
                messages.success(request, _("已确认 %(n)d 个单位自 %(year)d 年起的类别") % {
                    "n": n, "year": year + 1})
            elif action == "import":
                upload = request.FILES.get("file")
                if upload is None:
                    raise ValidationError(_("请选择要导入的 xlsx 文件"))
                if upload.size is not None and upload.size > MAX_FILE_SIZE:
                    raise ValidationError(_("文件超过 5 MB，请拆分后分批导入"))
                result = import_unit_classes(actor=request.user, scope=scope,
                                             data=upload.read(), filename=upload.name or "")
                if not result.ok:
                    raise ValidationError([str(e) for e in result.errors[:50]])
                messages.success(request, _("导入完成：设置类别 %(n)d 条") % {"n": result.saved})
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect(f"{request.path}?standard={standard}&year={year}")
    rows = class_rows(scope=scope, standard_code=standard, year=year, root=unit)
    return render(request, "web/unit_classes.html", {
        "unit": unit, "standards": standards, "standard": version, "year": year,
        "rows": rows, "can_manage": can_manage,
        "class_names": list(version.unit_classes.values_list("name", flat=True)),
        "pending": sum(1 for r in rows if r.proposed),
        "unset": sum(1 for r in rows if not r.unit_class)})
