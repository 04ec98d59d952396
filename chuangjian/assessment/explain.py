"""What one number on a scorecard was made of (指标说明): inputs, formula, target, rule, sources."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from django.urls import reverse
from django.utils.translation import gettext as _

from chuangjian import sources as registry
from chuangjian.assessment.compute import (
    Evaluation,
    UnitContext,
    _Env,
    unit_classes,
    unit_inputs,
)
from chuangjian.assessment.items import items_of, states_of
from chuangjian.assessment.models import AssessmentRun, ReviewerScore, UnitResult
from chuangjian.assessment.selectors import ScoreRow, _fmt, _row
from chuangjian.assessment.spec import IndicatorSpec, spec_for
from chuangjian.assessment.wording import (
    aggregation_words,
    missing_text,
    rule_sentence,
    status_label,
)
from chuangjian.engine import expressions
from chuangjian.engine.periods import Period
from chuangjian.engine.targets import TargetStatus
from chuangjian.engine.values import Missing, Values
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.reporting.datasets import dataset_name
from chuangjian.reporting.labels import period_label
from chuangjian.reporting.models import DataValue, Submission
from chuangjian.standards.schema import ElementType
from chuangjian.standards.wording import Label, formula_in_words, names_label


@dataclass
class InputLine:
    code: str
    name: str
    period: str
    value: str
    how: str
    source: str
    records: list[registry.Record] = field(default_factory=list)


@dataclass
class SubmissionLine:
    unit_name: str
    dataset: str
    period: str
    status: str
    version: int
    submitted_at: object
    url: str


@dataclass
class Explained:
    run: AssessmentRun
    unit: Unit
    indicator: IndicatorSpec
    row: ScoreRow
    formula: str
    substituted: str
    inputs: list[InputLine]
    target_why: list[str]
    rule: str
    submissions: list[SubmissionLine]
    children: list[tuple[Unit, str]]  # for share_of_children: child and its verdict
    result: UnitResult


def _values_label(explained: expressions.Explanation) -> Label:
    """Write each input of a formula as the unit's number (缺少数据 where there is none)."""
    values = {(i.name, i.kind, i.years_back): i.value for i in explained.inputs}

    def label(code: str, kind: str, back: int) -> str:
        value = values.get((code, kind, back))
        return _fmt(value) if value is not None else _("缺少数据")

    return label


def _result(explained: expressions.Explanation) -> str:
    """The formula's result for the unit: a number, 是 / 否, or why there is none."""
    if explained.value is None:
        return _("无法计算（%(why)s）") % {"why": missing_text(explained.missing)}
    if explained.boolean:
        return _("是") if explained.value else _("否")
    return _fmt(explained.value)


def explain(scope: Scope, *, run: AssessmentRun, unit: Unit, code: str) -> Explained | None:
    spec = spec_for(run.standard)
    ind = spec.by_code.get(code)
    result = UnitResult.objects.filter(run=run, unit=unit).first()
    if ind is None or result is None:
        return None
    items = items_of(result, spec)
    if code not in items:
        return None
    review = ReviewerScore.objects.filter(standard_code=run.standard_code, year=run.year,
                                          kind=run.kind, unit=unit, indicator_code=code).first()
    row = _row(ind, items[code], run, unit.pk, review)
    year = run.year
    codes = spec.elements_for({code})
    inputs = unit_inputs(spec, unit, year, codes, spec.years_back)
    classes = unit_classes(run.standard_code, year, unit_ids=[unit.pk])
    ctx = UnitContext(year, unit.category, classes.get(unit.pk))
    children: list[tuple[Unit, str]] = []
    kids = list(UnitResult.objects.filter(run=run, above_id=unit.pk).select_related("unit")
                .order_by("unit__path"))
    kid_states = [states_of(k.items) for k in kids]

    def share(share_code: str, ev: Evaluation) -> Values:
        if share_code == expressions.PASSED:
            if not kids:
                return Values.all_missing(1, Missing.NO_CHILDREN)
            ok = sum(1 for k in kids if k.passed)
            return Values(np.array([100.0 * ok / len(kids)]), np.zeros(1, dtype=np.int8))
        member = [states[share_code] for states in kid_states if share_code in states]
        if not member:
            return Values.all_missing(1, Missing.NO_CHILDREN)
        met = sum(1 for st in member if st == TargetStatus.MET)
        return Values(np.array([100.0 * met / len(member)]), np.zeros(1, dtype=np.int8))

    for used in expressions.indicators_used(ind.expression) if ind.expression is not None else ():
        for k, states in zip(kids, kid_states, strict=True):
            if used in states:
                children.append((k.unit, status_label(int(states[used]))))
    if ind.expression is not None and expressions.reads_children_verdicts(ind.expression):
        for k in kids:
            if k.total is None:
                verdict = _("合格") if k.passed else _("不合格")
            elif k.passed:
                verdict = _("合格（总分 %(total)s）") % {"total": _fmt(k.total, _("分"))}
            else:
                verdict = _("不合格（总分 %(total)s）") % {"total": _fmt(k.total, _("分"))}
            children.append((k.unit, verdict))
    formula = substituted = ""
    if ind.expression is not None:
        ev = Evaluation(spec, inputs, [ctx], share)  # the per-day detail is in the stored note
        names = {c: (expressions.ValueType.BOOLEAN if e.type == ElementType.BOOLEAN
                     else expressions.ValueType.NUMBER) for c, e in spec.elements.items()}
        explained = expressions.explain(ind.expression, _Env(ev, 0), names=names)
        # In words, never in code: 「已调解纠纷数 ÷ 纠纷总数 × 100%」, then the unit's numbers.
        labels = {c: e.name for c, e in spec.elements.items()}
        labels.update((i.code, i.name) for i in spec.indicators)
        formula = formula_in_words(ind.expression, names_label(labels))
        with_values = formula_in_words(ind.expression, _values_label(explained))
        outcome = _result(explained)
        # A formula that is one figure reads 「0」, not 「0 = 0」.
        substituted = outcome if with_values == outcome else f"{with_values} = {outcome}"
    lines: list[InputLine] = []
    for element_code in sorted(codes):
        element = spec.elements[element_code]
        source = registry.source_for(element_code)
        for back in range(spec.years_back + 1):
            arr = inputs.values.get((element_code, back))
            if arr is None and back:
                continue
            value = _fmt(float(arr[0]), element.unit) if arr is not None else _("缺少数据")
            records: list[registry.Record] = []
            if source is not None:
                records = source.records(element_code, Period.year(year - back), unit.pk)
                how = str(source.elements.get(element_code, ""))
                origin = str(source.label)
            else:
                n = inputs.counts.get((element_code, back))
                count = int(n[0]) if n is not None else 0
                how = aggregation_words(element.time_agg, element.tree_agg, count)
                origin = _("单位上报（汇总表）")
            lines.append(InputLine(element_code, element.name,
                                   _("%(year)s 年") % {"year": year - back}, value, how,
                                   origin, records))
    why = [_("考核年度：%(year)s 年") % {"year": year},
           _("城乡类别：%(category)s") % {"category": unit.category}]
    if ctx.unit_class:
        why.append(_("单位类别：%(name)s（%(year)s 年划分）") % {"name": ctx.unit_class,
                                                               "year": year})
    why.append(row.target_text or "—")
    subs = _submissions(unit, year, codes)
    return Explained(run=run, unit=unit, indicator=ind, row=row, formula=formula,
                     substituted=substituted, inputs=lines, target_why=why,
                     rule=rule_sentence(ind.scorer.describe()), submissions=subs, children=children,
                     result=result)


def _submissions(unit: Unit, year: int, codes: set[str], limit: int = 40) -> list[SubmissionLine]:
    if not codes:
        return []
    ids = (DataValue.objects.filter(unit__path__startswith=unit.path, element__code__in=sorted(codes),
                                    period_start__year=year, submission__isnull=False)
           .values_list("submission_id", flat=True).distinct()[:500])
    subs = (Submission.objects.filter(pk__in=list(ids)).select_related("unit")
            .order_by("-period", "unit__path")[:limit])
    return [SubmissionLine(unit_name=s.unit.name, dataset=dataset_name(s.dataset_code),
                           period=period_label(Period.parse(s.period)),
                           status=str(s.get_status_display()), version=s.version,
                           submitted_at=s.submitted_at,
                           url=reverse("reporting:form", args=[s.unit.code, s.dataset_code, s.period]))
            for s in subs]
