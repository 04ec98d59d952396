"""Scoped reads of assessment results, for pages, dashboards and exports.

Every function takes the reader's scope first; a unit or run outside it is a 404.
Each runs a small, fixed number of queries whatever the number of units or
indicators (pinned in tests/test_selectors.py): results are one row per unit
with the indicator figures in JSON, and indicator names come from the parsed
standard held in memory.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from chuangjian.assessment.compute import MAIN, projection_parts
from chuangjian.assessment.freshness import Freshness, freshness, pending
from chuangjian.assessment.items import Items, items_of
from chuangjian.assessment.models import AssessmentRun, Kind, ReviewerScore, RunStatus, UnitResult
from chuangjian.assessment.models.results import KIND_ALIASES
from chuangjian.assessment.spec import IndicatorSpec, StandardSpec, spec_for
from chuangjian.assessment.verdicts import pass_mark_of
from chuangjian.assessment.wording import (
    item_note,
    item_target,
    missing_text,
    period_label,
    projection_words,
    status_label,
    target_words,
    total_sentence,
    unit_word,
)
from chuangjian.engine.targets import TargetStatus
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope


def _kind(kind: str) -> str:
    found = KIND_ALIASES.get(kind)
    if found is None:
        raise Http404
    return found.value


# -- runs ---------------------------------------------------------------------------------


def runs(*, scope: Scope, standard_code: str | None = None, year: int | None = None,
         kind: str | None = None, current_only: bool = False) -> QuerySet[AssessmentRun]:
    """Runs that cover some unit the reader may see: runs inside the reader's scope,
    and runs of a wider scope (the district's 考核) that include it. Their result rows
    are filtered again by the scope (``run_rows``)."""
    qs = AssessmentRun.objects.select_related("standard", "root", "created_by")
    if not scope.is_global:
        cond = Q(pk__in=[])
        for prefix in scope.prefixes(Cap.VIEW):
            cond |= Q(root__path__startswith=prefix) | Q(root__path__in=_prefixes(prefix))
        qs = qs.filter(cond)
    if standard_code:
        qs = qs.filter(standard_code=standard_code)
    if year:
        qs = qs.filter(year=year)
    if kind:
        qs = qs.filter(kind=_kind(kind))
    if current_only:
        qs = qs.filter(current=True, status=RunStatus.DONE)
    return qs


def run_for(*, scope: Scope, pk: int) -> AssessmentRun:
    run = runs(scope=scope).filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def current_run(*, scope: Scope, unit: Unit, standard_code: str, year: int,
                kind: str = Kind.REVIEW) -> AssessmentRun | None:
    """The newest current run of that kind whose scope contains ``unit`` (one query)."""
    if not scope.allows(unit):
        raise Http404
    prefixes = _prefixes(unit.path)
    return (AssessmentRun.objects.select_related("standard", "root")
            .filter(standard_code=standard_code, year=year, kind=_kind(kind), current=True,
                    status=RunStatus.DONE, root__path__in=prefixes)
            .order_by("-root__depth", "-created_at").first())


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


# -- scorecard ---------------------------------------------------------------------------


_LIGHT = {TargetStatus.MET: "green", TargetStatus.NOT_MET: "red", TargetStatus.UNKNOWN: "grey"}


def _fmt(x: float | None, unit: str = "") -> str:
    if x is None:
        return ""
    text = str(round(x)) if abs(x - round(x)) < 1e-9 else f"{x:.2f}".rstrip("0").rstrip(".")
    unit = unit_word(unit)  # the standard's 户, 平方米 in the reader's language
    if not unit:
        return text
    return f"{text}{unit}" if unit in ("%", "‰") else f"{text} {unit}"


@dataclass
class ScoreRow:
    code: str
    item_code: str
    item_name: str
    content_name: str
    name: str
    method: str
    rule: str
    unit_label: str
    value: float | None
    display: str
    missing: int
    missing_reason: str | None
    status: TargetStatus
    attainment: float | None
    score: float | None
    max_score: float
    target_text: str
    note: str
    veto: bool
    bonus: bool
    risk: bool
    projected: float | None
    projection_method: str
    evidence: list[dict[str, str]] = field(default_factory=list)
    review_comment: str = ""
    explain_url: str = ""
    reviewed: bool = False

    @property
    def status_label(self) -> str:
        return str(_("待评审")) if self.pending else status_label(self.status)

    @property
    def light(self) -> str:
        if self.pending:
            return "grey"
        if self.is_reviewer and self.score is not None:
            return "green" if self.score >= self.max_score else "amber"
        return _LIGHT[self.status]

    @property
    def is_reviewer(self) -> bool:
        return self.rule == "reviewer"

    @property
    def pending(self) -> bool:
        """A reviewer item nobody has scored yet: 待评审 (grey), not a partial score (amber).
        评审打分 requires a comment below full marks, so a scored item has points or a
        comment."""
        return self.is_reviewer and not self.review_comment and not (self.score or 0) > 0

    @property
    def score_display(self) -> str:
        return "—" if self.score is None else _fmt(self.score)

    @property
    def projected_display(self) -> str:
        return _fmt(self.projected, self.unit_label)


def _row(ind: IndicatorSpec, data: dict[str, Any], run: AssessmentRun, unit_id: int,
         review: ReviewerScore | None) -> ScoreRow:
    value = data.get("v")
    missing = int(data.get("m") or 0)
    if ind.expression is None:
        display = ""
    elif value is None:
        display = missing_text(missing) if missing else _("缺少数据")
    elif ind.target is not None and type(ind.target).__name__ == "IsTrue":
        display = _("是") if value else _("否")
    else:
        display = _fmt(value, ind.unit)
    return ScoreRow(
        code=ind.code, item_code=ind.item_code, item_name=ind.item_name,
        content_name=ind.content_name, name=ind.name, method=ind.method, rule=ind.rule,
        unit_label=ind.unit, value=value, display=display, missing=missing,
        missing_reason=missing_text(missing) if missing else None,
        status=TargetStatus(int(data.get("s") or 0)), attainment=data.get("a"),
        score=data.get("p"), max_score=float(data.get("x") or ind.max_score),
        target_text=item_target(ind, data), note=item_note(data), veto=ind.veto,
        bonus=ind.bonus, risk=bool(data.get("r")), projected=data.get("pv"),
        projection_method=_projection(run, ind, data),
        evidence=list(review.evidence) if review else [],
        review_comment=review.comment if review else "", reviewed=review is not None,
        explain_url=reverse("assessment:explain", args=[run.pk, unit_id, ind.code]))


@dataclass
class Scorecard:
    unit: Unit
    run: AssessmentRun
    result: UnitResult
    sheet: str
    total: float | None
    base_total: float | None
    base_max: float
    bonus: float
    passed: bool
    vetoed: bool
    veto_items: list[str]
    veto_names: list[str]
    tier: str
    rank: int | None
    siblings: int
    previous_total: float | None
    explanation: str
    at_risk: int
    rows: list[ScoreRow]

    @property
    def items(self) -> list[tuple[str, float, list[ScoreRow]]]:
        """Rows grouped by 测评项目: (name, max points, rows)."""
        groups: list[tuple[str, float, list[ScoreRow]]] = []
        for row in self.rows:
            if not groups or groups[-1][0] != row.item_name:
                groups.append((row.item_name, 0.0, []))
            name, points, members = groups[-1]
            members.append(row)
            groups[-1] = (name, points + (0 if row.bonus else row.max_score), members)
        return groups

    @property
    def total_display(self) -> str:
        return "—" if self.total is None else _fmt(self.total)

    @property
    def change(self) -> float | None:
        if self.total is None or self.previous_total is None:
            return None
        return round(self.total - self.previous_total, 2)


def _scorecard(run: AssessmentRun, result: UnitResult, reviews: Iterable[ReviewerScore],
               previous_total: float | None) -> Scorecard:
    spec = spec_for(run.standard)
    by_code = {r.indicator_code: r for r in reviews}
    rows = [_row(spec.by_code[code], data, run, result.unit_id, by_code.get(code))
            for code, data in sorted(items_of(result, spec).items(),
                                     key=lambda kv: spec.by_code[kv[0]].order
                                     if kv[0] in spec.by_code else 10**6)
            if code in spec.by_code]
    return Scorecard(
        unit=result.unit, run=run, result=result, sheet=result.sheet, total=result.total,
        base_total=result.base_total, base_max=result.base_max, bonus=result.bonus,
        passed=result.passed, vetoed=result.vetoed, veto_items=list(result.veto_items),
        veto_names=[spec.by_code[c].name for c in result.veto_items if c in spec.by_code],
        tier=result.tier, rank=result.rank, siblings=result.siblings,
        previous_total=previous_total, explanation=_total_text(spec, result),
        at_risk=result.at_risk,
        rows=rows)


def _total_text(spec: StandardSpec, result: UnitResult) -> str:
    """The total's explanation in the reader's language, from the stored reasons; a run
    stored before reasons were kept shows its Chinese text."""
    if result.reasons:
        return total_sentence(result.reasons, {c: i.name for c, i in spec.by_code.items()})
    return readable(spec, result.explanation)


def readable(spec: StandardSpec, text: str) -> str:
    """The engine names items by code; people read their names (「…」)."""
    for code in sorted(spec.by_code, key=len, reverse=True):
        if code in text:
            text = re.sub(rf"(?<![a-z0-9_]){re.escape(code)}(?![a-z0-9_])",
                          f"「{spec.by_code[code].name}」", text)
    return text


def _previous_total(run: AssessmentRun, unit: Unit) -> float | None:
    return (UnitResult.objects.filter(run__standard_code=run.standard_code, run__year=run.year - 1,
                                      run__kind=run.kind, run__current=True,
                                      run__status=RunStatus.DONE, unit=unit)
            .order_by("-run__created_at").values_list("total", flat=True).first())


def scorecard(*, scope: Scope, unit: Unit, standard_code: str, year: int,
              kind: str = Kind.REVIEW, run: AssessmentRun | None = None) -> Scorecard | None:
    """One unit's score sheet in the current run (5 queries), or None when not assessed."""
    run = run or current_run(scope=scope, unit=unit, standard_code=standard_code, year=year, kind=kind)
    if run is None:
        return None
    if not scope.allows(unit):
        raise Http404
    result = (UnitResult.objects.select_related("unit").filter(run=run, unit=unit).first())
    if result is None:
        return None
    reviews = ReviewerScore.objects.filter(standard_code=run.standard_code, year=run.year,
                                           kind=run.kind, unit=unit)
    return _scorecard(run, result, reviews, _previous_total(run, unit))


def scorecard_in_run(*, scope: Scope, run: AssessmentRun, unit: Unit) -> Scorecard:
    sc = scorecard(scope=scope, unit=unit, standard_code=run.standard_code, year=run.year,
                   kind=run.kind, run=run)
    if sc is None:
        raise Http404
    return sc


# -- league, heat map, pass rate, risks ------------------------------------------------


@dataclass
class LeagueRow:
    unit: Unit
    result: UnitResult
    total: float | None
    tier: str
    passed: bool
    vetoed: bool
    rank: int
    at_risk: int
    previous_total: float | None
    url: str
    run: AssessmentRun | None = None

    @property
    def total_display(self) -> str:
        return "—" if self.total is None else _fmt(self.total)


def _below(*, scope: Scope, run: AssessmentRun, parent: Unit) -> list[UnitResult]:
    """Result rows directly under ``parent`` in the run: its children when assessed,
    else the nearest assessed descendants; all visible to the reader."""
    qs = scope.filter(UnitResult.objects.select_related("unit").filter(run=run),
                      field_name="unit__path")
    direct = list(qs.filter(parent_id_at_run=parent.pk).order_by("unit__path"))
    if direct:
        return direct
    rows = list(qs.filter(unit__path__startswith=parent.path, sheet=MAIN)
                .exclude(unit=parent).order_by("unit__path"))
    return rows


def league(*, scope: Scope, parent: Unit, standard_code: str, year: int,
           kind: str = Kind.REVIEW) -> list[LeagueRow]:
    """The units under ``parent`` ranked by total (3 queries)."""
    run = current_run(scope=scope, unit=parent, standard_code=standard_code, year=year, kind=kind)
    if run is None:
        return []
    rows = _below(scope=scope, run=run, parent=parent)
    previous = dict(UnitResult.objects.filter(
        run__standard_code=run.standard_code, run__year=run.year - 1, run__kind=run.kind,
        run__current=True, run__status=RunStatus.DONE, unit_id__in=[r.unit_id for r in rows])
        .values_list("unit_id", "total"))
    from chuangjian.engine.scoring import rank

    ranks = rank({str(r.unit_id): r.total for r in rows})
    out = [LeagueRow(unit=r.unit, result=r, total=r.total, tier=r.tier, passed=r.passed,
                     vetoed=r.vetoed, rank=ranks[str(r.unit_id)], at_risk=r.at_risk,
                     previous_total=previous.get(r.unit_id),
                     url=reverse("assessment:unit", args=[run.pk, r.unit_id]), run=run)
           for r in rows]
    out.sort(key=lambda row: (row.rank, row.unit.path))
    return out


@dataclass
class HeatCell:
    status: TargetStatus
    attainment: float | None
    score: float | None
    max_score: float
    display: str
    target: str = ""  # the target applied to this unit this year (class, year, level)


@dataclass
class Heatmap:
    run: AssessmentRun | None
    units: list[Unit]
    indicators: list[tuple[str, str, float]]
    cells: dict[tuple[int, str], HeatCell]


def heatmap(*, scope: Scope, parent: Unit, standard_code: str, year: int,
            kind: str = Kind.REVIEW) -> Heatmap:
    """Units under ``parent`` × indicators of the main sheet (2 queries)."""
    run = current_run(scope=scope, unit=parent, standard_code=standard_code, year=year, kind=kind)
    if run is None:
        return Heatmap(None, [], [], {})
    spec = spec_for(run.standard)
    rows = _below(scope=scope, run=run, parent=parent)
    inds = [i for i in spec.indicators if i.level is None]
    cells: dict[tuple[int, str], HeatCell] = {}
    for r in rows:
        items = items_of(r, spec)
        for ind in inds:
            data = items.get(ind.code)
            if data is None:
                continue
            row = _row_light(ind, data)
            cells[(r.unit_id, ind.code)] = row
    return Heatmap(run, [r.unit for r in rows], [(i.code, i.name, i.max_score) for i in inds],
                   cells)


def _row_light(ind: IndicatorSpec, data: dict[str, Any]) -> HeatCell:
    value = data.get("v")
    missing = int(data.get("m") or 0)
    display = (_fmt(value, ind.unit) if value is not None
               else (missing_text(missing) if ind.expression is not None else ""))
    return HeatCell(TargetStatus(int(data.get("s") or 0)), data.get("a"), data.get("p"),
                    float(data.get("x") or ind.max_score), display, item_target(ind, data))


def _projection(run: AssessmentRun, ind: IndicatorSpec, data: dict[str, Any]) -> str:
    """How the year-end figure was projected, in the reader's language; empty when the
    run projected none for the item (no projected figure, no risk)."""
    if not data.get("r") and data.get("pv") is None:
        return ""
    return projection_words(projection_parts(spec_for(run.standard), ind.code, run.as_of,
                                             run.year))


@dataclass
class TrendPoint:
    year: int
    value: float | None
    display: str
    status: TargetStatus
    score: float | None


def trend(*, scope: Scope, unit: Unit, indicator_code: str, standard_code: str,
          years: Sequence[int], kind: str = Kind.REVIEW) -> list[TrendPoint]:
    """One indicator of one unit over several years (1 query + the parsed standards)."""
    if not scope.allows(unit):
        raise Http404
    rows = (UnitResult.objects.filter(run__standard_code=standard_code, run__year__in=list(years),
                                      run__kind=_kind(kind), run__current=True,
                                      run__status=RunStatus.DONE, unit=unit)
            .select_related("run__standard").order_by("run__year", "-run__created_at"))
    by_year: dict[int, UnitResult] = {}
    for r in rows:
        by_year.setdefault(r.run.year, r)
    out = []
    for year in years:
        found = by_year.get(year)
        spec = spec_for(found.run.standard) if found else None
        data = items_of(found, spec).get(indicator_code) if found else None
        if found is None or data is None or spec is None:
            out.append(TrendPoint(year, None, "", TargetStatus.UNKNOWN, None))
            continue
        ind = spec.by_code.get(indicator_code)
        cell = _row_light(ind, data) if ind else None
        out.append(TrendPoint(year, data.get("v"), cell.display if cell else "",
                              TargetStatus(int(data.get("s") or 0)), data.get("p")))
    return out


@dataclass(frozen=True)
class MonthPoint:
    """An indicator in one month (quarter) of the year and from January to its end."""

    label: str  # 「3月」, 「第1季度」
    value: float | None
    shown: str
    to_date: float | None
    to_date_shown: str


def within_year(*, scope: Scope, unit: Unit, spec: StandardSpec, indicator_code: str,
                year: int, as_of: dt.date) -> list[MonthPoint]:
    """One indicator of one unit month by month (quarter by quarter) in ``year``, for the
    months ended by ``as_of``; empty when its data are yearly (``assessment.months``).
    One query over the unit's subtree's rollups."""
    from chuangjian.assessment import months

    if not scope.allows(unit):
        raise Http404
    ind = spec.by_code[indicator_code]
    return [MonthPoint(period_label(f.period, year=False), f.value, _fmt(f.value, ind.unit),
                       f.to_date, _fmt(f.to_date, ind.unit))
            for f in months.within_year(spec, indicator_code, unit, year, as_of=as_of)]


@dataclass
class PassRate:
    unit: Unit
    year: int
    children: int
    passed: int
    rate: float | None
    target: float | None
    target_text: str
    met: bool | None


def child_pass_rate(*, scope: Scope, unit: Unit, standard_code: str, year: int,
                    kind: str = Kind.REVIEW) -> PassRate:
    """Share of the units under ``unit`` that passed, against the standard's own
    share_of_children target for the unit's level when it has one (3 queries)."""
    run = current_run(scope=scope, unit=unit, standard_code=standard_code, year=year, kind=kind)
    if run is None:
        return PassRate(unit, year, 0, 0, None, None, "", None)
    rows = _below(scope=scope, run=run, parent=unit)
    passed = sum(1 for r in rows if r.passed)
    rate = round(100.0 * passed / len(rows), 2) if rows else None
    target: float | None = None
    text = ""
    met: bool | None = None
    spec = spec_for(run.standard)
    stored = UnitResult.objects.filter(run=run, unit=unit).values_list("items", flat=True).first()
    own = Items(stored, spec) if stored else None
    for ind in spec.indicators:
        if ind.expression_text.startswith("share_of_children") and own and ind.code in own:
            text = item_target(ind, own[ind.code]) or target_words(ind.target, ind.unit)
            met = own[ind.code].get("s") == TargetStatus.MET
            target = _threshold(ind, year, unit)
            break
    return PassRate(unit, year, len(rows), passed, rate, target, text, met)


def _threshold(ind: IndicatorSpec, year: int, unit: Unit) -> float | None:
    from chuangjian.engine import targets

    if ind.target is None:
        return None
    leaf, _path, _reason = ind.target.resolve(targets.TargetContext(year=year, category=unit.category))
    if isinstance(leaf, targets.AtLeastPerPeriod) and not leaf.periodic:
        return float(leaf.count)  # 一年不少于 4 次 reads as a line at 4 on the year's count
    return float(leaf.value) if isinstance(leaf, targets.Compare) else None


@dataclass
class RiskRow:
    unit: Unit
    code: str
    name: str
    value: float | None
    display: str
    projected: float | None
    projected_display: str
    target_text: str
    method: str
    url: str


def warned(*, scope: Scope, run: AssessmentRun, parent: Unit,
           below: list[UnitResult] | None = None) -> list[UnitResult]:
    """The units a reader of ``parent``'s dashboards is warned about (有预警): those the
    league ranks (directly below, or the nearest assessed ones) with an indicator
    projected to miss its target, or ``parent`` itself when nothing below is assessed.
    The league's count and the warning page's list both come from here, so they agree;
    units further down are warned about on their own parent's pages. ``below``: the
    league's rows when the caller has them already."""
    rows = below if below is not None else _below(scope=scope, run=run, parent=parent)
    if not rows:
        rows = list(scope.filter(UnitResult.objects.select_related("unit").filter(
            run=run, unit=parent), field_name="unit__path"))
    return [r for r in rows if r.at_risk]


def at_risk(*, scope: Scope, root: Unit, standard_code: str, year: int,
            kind: str = Kind.REVIEW, limit: int = 500) -> list[RiskRow]:
    """Units × indicators projected to miss their target by year end, for the units
    `warned` names (2–3 queries)."""
    run = current_run(scope=scope, unit=root, standard_code=standard_code, year=year, kind=kind)
    if run is None:
        return []
    spec = spec_for(run.standard)
    rows = warned(scope=scope, run=run, parent=root)
    out: list[RiskRow] = []
    for r in rows:
        for code, data in items_of(r, spec).items():
            if not data.get("r") or code not in spec.by_code:
                continue
            ind = spec.by_code[code]
            out.append(RiskRow(
                unit=r.unit, code=code, name=ind.name, value=data.get("v"),
                display=_fmt(data.get("v"), ind.unit) or missing_text(int(data.get("m") or 1)),
                projected=data.get("pv"), projected_display=_fmt(data.get("pv"), ind.unit),
                target_text=item_target(ind, data), method=_projection(run, ind, data),
                url=reverse("assessment:explain", args=[run.pk, r.unit_id, code])))
            if len(out) >= limit:
                return out
    return out


# -- kinds side by side -------------------------------------------------------------------


@dataclass
class KindComparison:
    unit: Unit
    columns: list[tuple[str, str, AssessmentRun | None, Scorecard | None]]  # kind, label, run, card
    rows: list[tuple[str, str, dict[str, ScoreRow | None]]]

    def differs(self, code: str) -> bool:
        for c, _name, cells in self.rows:
            if c == code:
                scores = {None if cell is None else cell.score for cell in cells.values() if cell}
                return len(scores) > 1
        return False


def compare_kinds(*, scope: Scope, unit: Unit, standard_code: str, year: int) -> KindComparison:
    """自查, 考核 and 抽查 of one unit side by side (a fixed number of queries)."""
    columns = []
    for kind in Kind:
        card = scorecard(scope=scope, unit=unit, standard_code=standard_code, year=year, kind=kind.value)
        columns.append((kind.value, str(kind.label), card.run if card else None, card))
    order: list[tuple[str, str]] = []
    seen: set[str] = set()
    for _k, _l, _r, card in columns:
        for row in card.rows if card else []:
            if row.code not in seen:
                seen.add(row.code)
                order.append((row.code, row.name))
    rows = []
    for code, name in order:
        cells: dict[str, ScoreRow | None] = {}
        for kind_code, _label, _run, card in columns:
            cells[kind_code] = next((r for r in card.rows if r.code == code), None) if card else None
        rows.append((code, name, cells))
    return KindComparison(unit, columns, rows)


def reviewable(*, scope: Scope, run: AssessmentRun, unit: Unit) -> bool:
    from chuangjian.assessment.actions import can_review

    return not run.is_published and can_review(scope=scope, unit=unit, kind=run.kind)


def unit_in_run(*, scope: Scope, run: AssessmentRun, unit_id: int) -> Unit:
    unit = scope.filter(Unit.objects.select_related("parent"), Cap.VIEW).filter(pk=unit_id).first()
    if unit is None or not unit.path.startswith(run.root.path):
        raise Http404
    return unit


def run_rows(*, scope: Scope, run: AssessmentRun) -> list[UnitResult]:
    return list(run_rows_query(scope=scope, run=run))


def run_rows_query(*, scope: Scope, run: AssessmentRun, search: str = "") -> QuerySet[UnitResult]:
    """The run's rows visible to the reader, in tree order, optionally those whose unit's
    name or code contains ``search`` (items and texts deferred: a page of a city run)."""
    qs = scope.filter(UnitResult.objects.select_related("unit").filter(run=run)
                      .defer("items", "explanation"), field_name="unit__path")
    search = search.strip()
    if search:
        qs = qs.filter(Q(unit__name__icontains=search) | Q(unit__code__icontains=search))
    return qs.order_by("unit__path")


@dataclass
class RunSummary:
    units: int
    passed: int
    vetoed: int
    at_risk: int


def run_summary(*, scope: Scope, run: AssessmentRun) -> RunSummary:
    """Counts over the rows the reader may see, in one query."""
    got = run_rows_query(scope=scope, run=run).aggregate(
        units=Count("pk"), passed=Count("pk", filter=Q(passed=True)),
        vetoed=Count("pk", filter=Q(vetoed=True)), at_risk=Count("pk", filter=Q(at_risk__gt=0)))
    return RunSummary(**{k: int(v or 0) for k, v in got.items()})


def spec_of(run: AssessmentRun) -> StandardSpec:
    return spec_for(run.standard)


def target_threshold(ind: IndicatorSpec, year: int, unit: Unit) -> float | None:
    """The numeric threshold of ``ind``'s target for ``unit`` in ``year`` (e.g. 90 for
    ≥ 90%), or None when the target is not a plain comparison (dashboards' target line)."""
    return _threshold(ind, year, unit)


_STATUS = {int(TargetStatus.MET): "met", int(TargetStatus.NOT_MET): "not_met",
           int(TargetStatus.UNKNOWN): "unknown"}


def run_results(*, scope: Scope, run: AssessmentRun) -> list[dict[str, Any]]:
    """The run's results as plain data, one object per unit the scope sees, in tree order:
    what ``chuangjian assess --json`` prints and the API returns.

    ``status`` of an indicator is met / not_met / unknown (no value or no target applies);
    ``met`` is the same as true / false / null. ``target`` is the target that applied, in
    words; ``pass_mark`` is the mark the unit's total was compared with.
    """
    spec = spec_for(run.standard)
    rows = list(scope.filter(UnitResult.objects.filter(run=run), field_name="unit__path")
                .select_related("unit").order_by("unit__path"))
    parents = dict(Unit.objects.filter(pk__in={r.parent_id_at_run for r in rows
                                               if r.parent_id_at_run})
                   .values_list("pk", "code"))
    standard = run.standard
    out: list[dict[str, Any]] = []
    for r in rows:
        indicators = []
        items = items_of(r, spec)
        for ind in spec.indicators:
            data = items.get(ind.code)
            if data is None:
                continue
            status = _STATUS.get(int(data.get("s", 0)), "unknown")
            indicators.append({
                "code": ind.code, "name": ind.name, "value": data.get("v"),
                "target": item_target(ind, data) or None,
                "met": {"met": True, "not_met": False}.get(status),
                "score": data.get("p"), "max_score": data.get("x", ind.max_score),
                "status": status})
        out.append({
            "unit": r.unit.code, "name": r.unit.name, "level": r.unit.level,
            "parent": parents.get(r.parent_id_at_run) if r.parent_id_at_run else None,
            "total": r.total, "pass_mark": pass_mark_of(r, standard),
            "passed": r.passed, "tier": r.tier or None, "veto": r.vetoed,
            "veto_items": list(r.veto_items), "indicators": indicators})
    return out


def result_freshness(*, scope: Scope, run: AssessmentRun, unit: Unit | None = None
                     ) -> Freshness:
    """Whether ``unit``'s result in ``run`` waits for the refresh job (「数据更新中」) and
    the time of the data it shows. Without a unit: the run's rows the reader sees (the
    run's root, or the top units of the reader's scope inside the run)."""
    if unit is not None:
        if not scope.allows(unit):
            raise Http404
        return freshness(run, unit)
    if scope.allows(run.root):
        return freshness(run, run.root)
    return freshness(run, [p for p in scope.prefixes(Cap.VIEW) if p.startswith(run.root.path)])


def dashboard_freshness(*, scope: Scope, unit: Unit, standard_code: str, year: int,
                        kind: str) -> Freshness | None:
    """The freshness of ``unit``'s figures on a dashboard: one query when nothing is
    pending (the usual case); the run is read only when something is."""
    if not scope.allows(unit):
        raise Http404
    if not pending(unit, year):
        return None
    run = current_run(scope=scope, unit=unit, standard_code=standard_code, year=year, kind=kind)
    return freshness(run, unit) if run is not None else None
