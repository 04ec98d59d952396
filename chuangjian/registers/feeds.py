"""The rows behind a computed figure (明细): the page the report form and the explanation
of a score link to. The community that keeps a register sees the rows; a level above
sees the figure of each unit below it, never names."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from chuangjian.engine.periods import Period, PeriodError
from chuangjian.registers import selectors
from chuangjian.web.views.common import scope_of


def _d(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if value else "—"


def _n(value: Any) -> str:
    if value is None:
        return "—"
    f = float(value)
    return str(int(f)) if f.is_integer() else f"{f:.1f}"


Column = tuple[Any, Callable[[Any], str]]

COLUMNS: dict[str, list[Column]] = {
    "residents": [(_("姓名"), lambda p: p.name), (_("性别"), lambda p: p.get_sex_display() or "—"),
                  (_("出生年份"), lambda p: str(p.birth_date.year) if p.birth_date else "—"),
                  (_("人口类型"), lambda p: p.get_residence_display()),
                  (_("住址"), lambda p: p.household.address if p.household else "—"),
                  (_("期内最近一次测量血压"), lambda p: _d(getattr(p, "last_bp", None)))],
    "households": [(_("住址"), lambda h: h.address), (_("楼组"), lambda h: h.building or "—"),
                   (_("网格"), lambda h: h.grid or "—"),
                   (_("户主"), lambda h: h.head.name if h.head else "—")],
    "families": [(_("年度"), lambda f: str(f.year)), (_("类别"), lambda f: f.get_kind_display()),
                 (_("住址"), lambda f: f.household.address),
                 (_("已命名"), lambda f: str(_("是")) if f.awarded else str(_("否"))),
                 (_("命名级别"), lambda f: f.get_level_display() or "—")],
    "volunteers": [(_("姓名"), lambda v: v.person.name),
                   (_("志愿服务队"), lambda v: v.team.name if v.team else "—"),
                   (_("特长"), lambda v: v.skills or "—"), (_("注册日期"), lambda v: _d(v.registered_on))],
    "service": [(_("服务日期"), lambda s: _d(s.date)), (_("志愿者"), lambda s: s.volunteer.person.name),
                (_("服务地点"), lambda s: s.place), (_("时长（小时）"), lambda s: _n(s.hours)),
                (_("关联活动"), lambda s: s.activity.title if s.activity else "—")],
    "mediation": [(_("受理日期"), lambda c: _d(c.received_on)), (_("纠纷类型"), lambda c: c.kind),
                  (_("纠纷简况"), lambda c: c.summary), (_("调解结果"), lambda c: c.get_outcome_display()),
                  (_("结案日期"), lambda c: _d(c.closed_on)), (_("调解员"), lambda c: c.mediator or "—")],
    "placements": [(_("就业日期"), lambda p: _d(p.placed_on)), (_("姓名"), lambda p: p.person.name),
                   (_("就业单位"), lambda p: p.employer), (_("经办人"), lambda p: p.placed_by or "—")],
    "facilities": [(_("类别"), lambda f: f.get_kind_display()), (_("名称"), lambda f: f.name),
                   (_("位置"), lambda f: f.address or "—"), (_("数量"), lambda f: str(f.quantity)),
                   (_("面积（平方米）"), lambda f: _n(f.area_m2)),
                   (_("完好"), lambda f: str(_("是")) if f.working else str(_("否"))),
                   (_("最近检查日期"), lambda f: _d(f.inspected_on))],
}
COLUMNS["bp"] = COLUMNS["residents"]


@login_required
def element_rows(request: HttpRequest, element: str, unit_code: str, period: str) -> HttpResponse:
    scope = scope_of(request)
    unit = selectors.unit_for(scope=scope, code=unit_code)
    try:
        when = Period.parse(period)
    except PeriodError:
        raise Http404 from None
    breakdown = selectors.element_breakdown(scope=scope, unit=unit, code=element, period=when)
    names = selectors.sees_names(scope=scope, unit=unit)
    kind = breakdown.element.kind
    page = None
    rows: list[list[str]] = []
    if names:
        qs = selectors.element_rows(scope=scope, unit=unit, code=element, period=when)
        if kind in ("residents", "bp"):
            qs = qs.annotate(last_bp=Max("bp_readings__measured_on", filter=Q(
                bp_readings__measured_on__gte=when.start, bp_readings__measured_on__lte=when.end)))
        page = Paginator(qs.order_by("pk"), 100).get_page(request.GET.get("page"))
        rows = [[fn(obj) for _h, fn in COLUMNS[kind]] for obj in page]
    return render(request, "registers/rows.html", {
        "b": breakdown, "unit": unit, "period": when, "names": names, "page": page, "rows": rows,
        "headers": [h for h, _fn in COLUMNS[kind]], "total": _n(breakdown.total),
        "children": [(u, _n(v)) for u, v in breakdown.children if u.closed_on is None or v],
    })
