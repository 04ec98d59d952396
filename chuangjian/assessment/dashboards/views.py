"""Assessment dashboards (考核看板): scorecard, league, heat map, trend, early warning and
the kinds side by side. Views read through ``assessment.selectors`` and only shape the
results for the page and its charts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chuangjian.assessment import selectors
from chuangjian.assessment.dashboards import charts
from chuangjian.assessment.dashboards.picker import Picker, pick
from chuangjian.assessment.exports import layout
from chuangjian.assessment.exports.layout import sheet_rows
from chuangjian.assessment.verdicts import judge, pass_mark_of
from chuangjian.assessment.wording import target_words
from chuangjian.engine.targets import TargetStatus
from chuangjian.jobs.actions import start_job

TABS = [
    ("scorecard", gettext_lazy("评分卡"), "bi-card-checklist"),
    ("league", gettext_lazy("排名与达标率"), "bi-bar-chart-line"),
    ("heatmap", gettext_lazy("热力图"), "bi-grid-3x3-gap"),
    ("trend", gettext_lazy("指标趋势"), "bi-graph-up"),
    ("risk", gettext_lazy("预警"), "bi-exclamation-triangle"),
    ("compare", gettext_lazy("自查·考核·抽查"), "bi-layout-three-columns"),
]

EXPORTS = [
    ("scoresheet", "xlsx", gettext_lazy("考核评分表（Excel）"), "bi-file-earmark-spreadsheet"),
    ("report", "pdf", gettext_lazy("考核报告（PDF）"), "bi-file-earmark-pdf"),
    ("report", "docx", gettext_lazy("考核报告（Word）"), "bi-file-earmark-word"),
]


def _page(request: HttpRequest, template: str, tab: str, p: Picker, **context: Any
          ) -> HttpResponse:
    tabs = [(name, label, icon, f"{reverse(f'dashboards:{name}')}?{p.query()}")
            for name, label, icon in TABS]
    fresh = (selectors.dashboard_freshness(
        scope=request.scope, unit=p.unit, standard_code=p.standard_code,  # type: ignore[attr-defined]
        year=p.year, kind=p.kind) if p.ready and p.year else None)
    return render(request, f"dashboards/{template}", {
        "p": p, "tab": tab, "tabs": tabs, "exports": EXPORTS,
        "ancestor_links": [(u, f"?{p.query(unit=u.code)}") for u in p.ancestors],
        "child_links": [(u, f"?{p.query(unit=u.code)}") for u in p.children],
        "tab_label": next(label for name, label, _i in TABS if name == tab), "fresh": fresh,
        **context})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The reader's own unit: its scorecard when it is assessed, else its units' ranking."""
    p = pick(request.scope, request.GET)  # type: ignore[attr-defined]
    card = (selectors.scorecard(scope=request.scope, unit=p.unit, standard_code=p.standard_code,  # type: ignore[attr-defined]
                                year=p.year, kind=p.kind) if p.ready and p.year else None)
    name = "scorecard" if card is not None or not p.ready else "league"
    return HttpResponseRedirect(f"{reverse(f'dashboards:{name}')}?{p.query()}")


@login_required
def scorecard(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    p = pick(scope, request.GET)
    card = (selectors.scorecard(scope=scope, unit=p.unit, standard_code=p.standard_code, year=p.year,
                                kind=p.kind) if p.ready and p.year else None)
    context: dict[str, Any] = {"card": card}
    if card is not None:
        spec = selectors.spec_of(card.run)
        rows = sheet_rows(card)
        context.update(
            judged=judge(card.result, run=card.run),
            rows=rows, chart=charts.item_scores(card),
            lights={c: sum(1 for r in rows if r.light == c)
                    for c in ("green", "amber", "red", "grey")},
            risks=[r.row for r in rows if r.row.risk],
            veto_links=[(r.name, r.explain_url) for r in card.rows if r.code in card.veto_items],
            # A veto item that cannot be judged keeps the unit from passing whatever its score.
            veto_unknown=[(r.name, r.explain_url) for r in card.rows
                          if r.veto and r.status == TargetStatus.UNKNOWN],
            pass_mark=pass_mark_of(card.result, card.run.standard), tiers=spec.tiers,
            parent=p.ancestors[-1] if p.ancestors else None)
    return _page(request, "scorecard.html", "scorecard", p, **context)


@login_required
def league(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    p = pick(scope, request.GET)
    context: dict[str, Any] = {"rows": [], "rate": None}
    if p.ready and p.year:
        run = selectors.current_run(scope=scope, unit=p.unit, standard_code=p.standard_code,
                                    year=p.year, kind=p.kind)
        rows = selectors.league(scope=scope, parent=p.unit, standard_code=p.standard_code,
                                year=p.year, kind=p.kind)
        rate = selectors.child_pass_rate(scope=scope, unit=p.unit, standard_code=p.standard_code,
                                         year=p.year, kind=p.kind)
        tiers = selectors.spec_of(run).tiers if run else []
        pass_mark = run.standard.pass_mark if run else None
        share = _share_row(scope, p, run) if run is not None and rate.target is not None else None
        context.update(
            run=run, rows=rows, rate=rate, pass_mark=pass_mark,
            table=[(r, None if r.total is None or r.previous_total is None
                    else round(r.total - r.previous_total, 2)) for r in rows],
            chart=charts.league_bars(rows, pass_mark=pass_mark, tiers=tiers) if rows else None,
            share=share,
            # The standard's own 下级达标率 may count differently from the overall verdicts
            # (篇2 counts towns hitting no failing criterion); say so when the numbers differ.
            share_differs=(share is not None and share.value is not None
                           and rate.rate is not None and abs(share.value - rate.rate) > 0.005),
            gauge=charts.pass_gauge(rate, share) if rate.children else None,
            counts={"passed": sum(1 for r in rows if r.passed),
                    "vetoed": sum(1 for r in rows if r.vetoed),
                    "risk": len(selectors.warned(scope=scope, run=run, parent=p.unit,
                                                 below=[r.result for r in rows]))
                    if run is not None and rows else 0})
    return _page(request, "league.html", "league", p, **context)


def _share_row(scope: Any, p: Picker, run: Any) -> selectors.ScoreRow | None:
    """The standard's own 下级合格率 indicator on the unit's card (e.g. 篇2's 乡镇考核总合格率,
    the share of towns hitting no failing criterion), which is what its target measures."""
    card = selectors.scorecard(scope=scope, unit=p.unit, standard_code=p.standard_code,
                               year=run.year, kind=run.kind, run=run)
    if card is None:
        return None
    spec = selectors.spec_of(run)
    codes = {i.code for i in spec.indicators if i.expression_text.startswith("share_of_children")}
    return next((r for r in card.rows if r.code in codes), None)


@login_required
def heatmap(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    p = pick(scope, request.GET)
    context: dict[str, Any] = {"hm": None}
    if p.ready and p.year:
        hm = selectors.heatmap(scope=scope, parent=p.unit, standard_code=p.standard_code, year=p.year,
                               kind=p.kind)
        if hm.run is not None and hm.units:
            spec = selectors.spec_of(hm.run)
            targets = {ind.code: target_words(ind.target, ind.unit) for ind in spec.indicators}
            table = [(unit, [(code, hm.cells.get((unit.pk, code))) for code, _n, _m in hm.indicators])
                     for unit in hm.units]
            run_pk = hm.run.pk

            def explain(unit_id: int, code: str) -> str:
                return reverse("assessment:explain", args=[run_pk, unit_id, code])

            context.update(hm=hm, chart=charts.heatmap(hm, targets, explain), table=table,
                           height=max(260, 34 * len(hm.units) + 150), targets=targets)
    return _page(request, "heatmap.html", "heatmap", p, **context)


@login_required
def trend(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    p = pick(scope, request.GET)
    context: dict[str, Any] = {"points": []}
    run = (selectors.current_run(scope=scope, unit=p.unit, standard_code=p.standard_code, year=p.year,
                                 kind=p.kind) if p.ready and p.year else None)
    if run is not None and p.year:
        spec = selectors.spec_of(run)
        choices = [i for i in spec.indicators if i.expression is not None] or spec.indicators
        wanted = request.GET.get("ind", "")
        ind = next((i for i in choices if i.code == wanted), choices[0] if choices else None)
        if ind is not None:
            years = sorted(y for y in p.years if y <= p.year)[-6:]
            points = selectors.trend(scope=scope, unit=p.unit, indicator_code=ind.code,
                                     standard_code=p.standard_code, years=years, kind=p.kind)
            targets = [selectors.target_threshold(ind, y, p.unit) for y in years]
            # Month by month where the indicator's data are monthly (or quarterly): a
            # trend inside the year rather than one dot per year.
            months = selectors.within_year(scope=scope, unit=p.unit, spec=spec,
                                           indicator_code=ind.code, year=p.year,
                                           as_of=run.as_of)
            target = selectors.target_threshold(ind, p.year, p.unit)
            context.update(ind=ind, target=target_words(ind.target, ind.unit), choices=choices,
                           points=list(zip(points, targets, strict=True)),
                           assessed=any(pt.score is not None or pt.value is not None
                                        for pt in points),
                           months=months,
                           chart=(charts.within_year(months, target, name=ind.name,
                                                     unit_label=ind.unit) if months
                                  else charts.trend(points, targets, name=ind.name,
                                                    unit_label=ind.unit)))
    return _page(request, "trend.html", "trend", p, **context)


@login_required
def risk(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    p = pick(scope, request.GET)
    rows = (selectors.at_risk(scope=scope, root=p.unit, standard_code=p.standard_code, year=p.year,
                              kind=p.kind) if p.ready and p.year else [])
    return _page(request, "risk.html", "risk", p, rows=rows,
                 units=len({r.unit.pk for r in rows}), indicators=len({r.code for r in rows}),
                 chart=charts.risk_bars(rows) if rows else None)


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    p = pick(scope, request.GET)
    cmp = (selectors.compare_kinds(scope=scope, unit=p.unit, standard_code=p.standard_code, year=p.year)
           if p.ready and p.year else None)
    have = bool(cmp and any(card for _k, _l, _r, card in cmp.columns))
    context: dict[str, Any] = {"cmp": cmp if have else None}
    if cmp is not None and have:
        table = []
        for code, name, cells in cmp.rows:
            shown_cells = []
            for kind, _l, _r, _c in cmp.columns:
                cell = cells.get(kind)
                shown_cells.append(None if cell is None
                                   else (cell, layout.light(cell), layout.shown(cell)))
            table.append((name, cmp.differs(code), shown_cells))
        context.update(table=table, differing=sum(1 for _n, d, _c in table if d))
    return _page(request, "compare.html", "compare", p, **context)


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponse:
    """Start a background export of what the dashboard shows; the job page follows it."""
    scope = request.scope  # type: ignore[attr-defined]
    p = pick(scope, request.POST)
    what, fmt = request.POST.get("what", ""), request.POST.get("format", "")
    if (what, fmt) not in {(w, f) for w, f, _l, _i in EXPORTS} or not p.ready:
        messages.error(request, _("无法导出：请先选择有考核结果的标准、年度和单位"))
        return redirect(f"{reverse('dashboards:scorecard')}?{p.query()}")
    job = start_job(kind_code=f"assessment.{what}", user=request.user, scope=scope,
                    params={"user": request.user.pk, "standard": p.standard_code,
                            "year": p.year, "kind": p.kind, "unit": p.unit.code,
                            "format": fmt})
    return redirect(reverse("jobs:detail", args=[job.pk]))
