"""Writing standards into the metadata tables, and placing units in classes."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.engine import expressions
from chuangjian.engine.periods import Period, PeriodError, PeriodType
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope, require
from chuangjian.standards import models as m
from chuangjian.standards.loader import LoadResult, StandardsInvalid
from chuangjian.standards.plans import drafting
from chuangjian.standards.plans.drafting import Row
from chuangjian.standards.schema import Element, ProblemCategory, Standard


@dataclass
class LoadSummary:
    created: list[str] = field(default_factory=list)      # "code v1"
    unchanged: list[str] = field(default_factory=list)
    elements_created: int = 0
    elements_unchanged: int = 0


def _element_hash(element: Element) -> str:
    payload = element.model_dump(mode="json", by_alias=True)
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
                          ).hexdigest()


@transaction.atomic
def _require_operator(scope: Scope) -> None:
    """Standards are national text: only the operator (or the command line) stores them."""
    if not scope.is_global:
        raise PermissionDenied


@transaction.atomic
def load_standards(*, actor: User | None, scope: Scope, result: LoadResult) -> LoadSummary:
    """Store a validated load. All or nothing; loading the same files again is a no-op.

    A standard version already stored with different content is refused: a changed
    standard must carry a new version number, so results computed under the old one
    never change meaning.
    """
    _require_operator(scope)
    result.raise_for_errors()
    summary = LoadSummary()
    stored = {e.code: e for e in m.DataElement.objects.filter(code__in=list(result.elements))}
    conflicts: list[str] = []
    for code, element in result.elements.items():
        digest = _element_hash(element)
        existing = stored.get(code)
        if existing is None:
            stored[code] = m.DataElement.objects.create(
                code=code, name=element.name, type=element.type.value, unit=element.unit,
                period=element.period.value, time_agg=element.time_agg.value,
                tree_agg=element.tree_agg.value, min_value=element.min,
                max_value=element.max, description=element.description,
                definition_hash=digest)
            summary.elements_created += 1
        elif existing.definition_hash != digest:
            conflicts.append(f"数据元素「{code}」的定义与已载入的不同（{result.element_origins[code]}）："
                             "一数一源，已有数据依赖原定义，请改用新的编码")
        else:
            summary.elements_unchanged += 1
    for standard in result.standards:
        source = Path(result.standard_files[standard.key])
        text = source.read_text(encoding="utf-8")
        digest = hashlib.sha256(text.encode()).hexdigest()
        label = f"{standard.code} v{standard.version}"
        existing_version = m.StandardVersion.objects.filter(
            code=standard.code, version=standard.version, overlay_version=0).first()
        if existing_version is not None:
            if existing_version.content_hash == digest:
                summary.unchanged.append(label)
            else:
                conflicts.append(f"{source.name}：标准「{standard.code}」第 {standard.version} 版"
                                 "已载入且内容不同；修改后的标准请提高 version")
            continue
        _store_standard(standard, source_name=source.name, text=text, digest=digest,
                        used=[stored[c] for c in result.elements_of(standard)],
                        elements=stored, rule_lines=result.rule_lines.get(standard.key, ()))
        summary.created.append(label)
    if conflicts:
        # Raising rolls back everything this call wrote: nothing is half-loaded.
        raise ValidationError(conflicts)
    if summary.created or summary.elements_created:
        log_action(action="standards.loaded", actor=actor,
                   data={"created": summary.created, "elements_created": summary.elements_created})
    return summary


def _store_standard(standard: Standard, *, source_name: str, text: str, digest: str,
                    used: list[m.DataElement], elements: Mapping[str, m.DataElement],
                    rule_lines: tuple[int | None, ...],
                    overlay: Mapping[str, Any] | None = None) -> m.StandardVersion:
    version = m.StandardVersion.objects.create(
        code=standard.code, version=standard.version, name=standard.name,
        campaign=standard.campaign, description=standard.description,
        year_from=standard.years.start, year_to=standard.years.to,
        levels=[level.value for level in standard.applies_to.levels],
        categories=[c.value for c in standard.applies_to.categories],
        plans=list(standard.plans), total=standard.total, pass_mark=standard.pass_mark,
        bonus_cap=standard.bonus_cap,
        tiers=[{"name": t.name.value, "min": t.min} for t in standard.tiers],
        source_file=source_name, source_text=text, content_hash=digest, **(overlay or {}))
    version.elements.set(used)
    rows = []
    order = 0
    for item in standard.items:
        for content in item.contents:
            for ind in content.indicators:
                order += 1
                rows.append(m.Indicator(
                    standard=version, order=order, item_code=item.code, item_name=item.name,
                    content_code=content.code, content_name=content.name, code=ind.code,
                    name=ind.name, description=ind.description, method=ind.method.value,
                    expression=str(ind.expression or ""), unit=ind.unit,
                    target_text=ind.target.describe_zh(ind.unit) if ind.target else "",
                    score_rule=ind.score.rule.value, max_score=ind.score.max,
                    deduct_per=ind.score.per, deduct_cap=ind.score.cap,
                    missing=ind.missing.value, veto=ind.veto, bonus=ind.bonus,
                    evidence=list(ind.evidence), level=ind.level.value if ind.level else "",
                    source_plan=ind.source.plan, source_quote=ind.source.quote))
    m.Indicator.objects.bulk_create(rows)
    m.UnitClassDefinition.objects.bulk_create([
        m.UnitClassDefinition(standard=version, code=c.code, name=c.name, rule=str(c.rule),
                              order=c.order, description=c.description)
        for c in standard.classes])
    for ds in standard.datasets:
        dataset = m.Dataset.objects.create(
            standard=version, code=ds.code, name=ds.name, period=ds.period.value,
            day_offset=ds.deadline.day_offset, due_time=ds.deadline.time,
            lock_after_deadline=ds.lock_after_deadline,
            levels=[level.value for level in ds.levels], element_order=list(ds.elements))
        dataset.elements.set([elements[c] for c in ds.elements])
    # The rules as the loader parsed and type-checked them; submissions read these rows.
    m.ValidationRule.objects.bulk_create([
        m.ValidationRule(standard=version, code=v.code, expression=v.expression.text,
                         message=v.message, order=i,
                         line=rule_lines[i - 1] if i - 1 < len(rule_lines) else None)
        for i, v in enumerate(standard.validations, 1)])
    counter = iter(range(1, 100_000))

    def store_category(node: ProblemCategory, parent: m.ProblemCategory | None) -> None:
        row = m.ProblemCategory.objects.create(
            standard=version, parent=parent, code=node.code, name=node.name,
            severity=node.severity.value, deadline_days=node.deadline_days, order=next(counter))
        for child in node.children:
            store_category(child, row)

    for category in standard.problem_categories:
        store_category(category, None)
    return version


@dataclass
class OverlaySummary:
    version: m.StandardVersion
    created: bool


@transaction.atomic
def load_overlay(*, actor: User | None, scope: Scope, path: str | Path) -> OverlaySummary:
    """Store an office's overlay (本地设定) as a version of its standard of its own.

    All or nothing, like a standard: the file is validated against the base version it
    names (``StandardsInvalid`` with file and line); loading it again is a no-op; the same
    overlay version with other content is refused (raise its ``version``).
    """
    from chuangjian.standards import overlays

    if not scope.is_global:
        # An overlay changes the verdicts of every unit of the deployment.
        raise PermissionDenied("只有全区（县）范围的管理员可以载入本地设定")
    overlay, _document, errors = overlays.read_overlay(path)
    if overlay is None:
        raise StandardsInvalid(errors)
    base = m.StandardVersion.objects.filter(code=overlay.overlay, version=overlay.standard_version,
                                            overlay_version=0).first()
    if base is None:
        raise ValidationError(f"{Path(path).name}：没有已载入的标准「{overlay.overlay}」"
                              f"第 {overlay.standard_version} 版，请先载入标准")
    result = overlays.apply_overlay(path, base.source_text).raise_for_errors()
    assert result.standard is not None and result.overlay is not None  # noqa: S101 - checked above
    digest = overlays.text_hash(result.merged_text)
    existing = m.StandardVersion.objects.filter(code=base.code, version=base.version,
                                                overlay_version=overlay.version).first()
    if existing is not None:
        if existing.overlay_text == result.text:
            return OverlaySummary(existing, created=False)
        raise ValidationError(f"{Path(path).name}：「{base.name}」的本地设定第 {overlay.version} 版"
                              "已载入且内容不同；修改后的本地设定请提高 version")
    used = list(base.elements.all())
    lines = tuple(base.validation_rules.values_list("line", flat=True))
    elements = {e.code: e for e in m.DataElement.objects.filter(
        code__in={c for ds in result.standard.datasets for c in ds.elements})}
    version = _store_standard(
        result.standard, source_name=Path(path).name, text=result.merged_text, digest=digest,
        used=used, elements=elements, rule_lines=lines,
        overlay={"overlay_version": overlay.version, "overlay_name": overlay.name,
                 "overlay_office": overlay.office, "overlay_reason": overlay.reason,
                 "overlay_text": result.text})
    log_action(action="standards.overlay.loaded", actor=actor, obj=version,
               data={"standard": base.code, "version": base.version,
                     "overlay_version": overlay.version, "parts": overlay.parts()})
    return OverlaySummary(version, created=True)


@dataclass(frozen=True)
class ClassDecision:
    unit: Unit
    unit_class: m.UnitClassDefinition | None
    reason: str


def _decide(standard: m.StandardVersion, values: Mapping[int, Mapping[str, float | None]]
            ) -> list[tuple[int, m.UnitClassDefinition | None, str]]:
    """Each unit's first class (by ``order``) whose rule holds for ``values``, and why."""
    classes = list(standard.unit_classes.order_by("order"))
    if not classes:
        raise ValidationError(f"标准「{standard.name}」没有定义单位类别")
    unit_ids = list(values)
    codes = {code for unit_values in values.values() for code in unit_values}
    # One evaluation per class rule over all units at once (arrays, not a unit loop).
    env = expressions.DictEnvironment(
        {code: [values[u].get(code) for u in unit_ids] for code in codes}, n=len(unit_ids))
    outcomes = [(c, expressions.evaluate(expressions.parse(c.rule), env)) for c in classes]
    decided: list[tuple[int, m.UnitClassDefinition | None, str]] = []
    for i, unit_id in enumerate(unit_ids):
        chosen: m.UnitClassDefinition | None = None
        reason = "没有符合的类别"
        for definition, outcome in outcomes:
            if outcome.missing[i]:
                reason = (f"无法判断是否属于「{definition.name}」："
                          f"{expressions.reason_text(int(outcome.missing[i]))}")
                continue
            if outcome.value[i]:
                chosen, reason = definition, f"符合「{definition.name}」的条件：{definition.rule}"
                break
        decided.append((unit_id, chosen, reason))
    return decided


@transaction.atomic
def assign_unit_classes(
    *,
    actor: User | None,
    scope: Scope,
    standard: m.StandardVersion,
    period: str,
    values: Mapping[int, Mapping[str, float | None]],
) -> list[ClassDecision]:
    """Place each unit in the first class (by ``order``) whose rule holds for ``period``.

    ``values`` maps unit id → element code → the period's value. The decision is stored
    per period, so earlier periods keep theirs: a unit moving from 创无毒 to 保无毒 is the
    动态升降 of 篇9, visible as history. Missing data places the unit in no class and
    says why, rather than guessing.
    """
    units = {u.pk: u for u in Unit.objects.filter(pk__in=list(values))}
    decisions: list[ClassDecision] = []
    for unit_id, chosen, reason in _decide(standard, values):
        m.UnitClassAssignment.objects.update_or_create(
            unit_id=unit_id, standard_code=standard.code, period=period,
            defaults={"unit_class": chosen, "reason": reason,
                      "assigned_by": actor if actor is not None and actor.pk else None})
        decisions.append(ClassDecision(units[unit_id], chosen, reason))
    log_action(action="standards.classes.assigned", actor=actor,
               data={"standard": standard.code, "period": period, "units": len(decisions)})
    return decisions


@dataclass(frozen=True)
class PlanDraft:
    """A draft standard written from reviewed plan targets, and the loader's verdict."""

    yaml: str
    errors: tuple[str, ...]
    plan: str


@transaction.atomic
def draft_standard_from_plan(*, scope: Scope, actor: User | None, rows: Sequence[Row],
                             name: str, campaign: str, year: int) -> PlanDraft:
    """Write the draft standard for reviewed targets and check it with the loader.

    The draft cites the packaged plan (篇N) that holds every quote; a text that is
    not one of the packaged plans gets a draft the loader refuses, with its reasons.
    """
    if not scope.allows_any(Cap.AUTHOR_STANDARDS):
        raise PermissionDenied
    plan = drafting.seed_plan_of(row.quote for row in rows) or "篇0"
    text = drafting.draft_yaml(rows=rows, name=name, campaign=campaign, plan=plan, year=year)
    errors = tuple(drafting.check_draft(text))
    if plan == "篇0":
        errors = ("引文不全在已收录的十三篇计划中：草稿只能引用已收录的计划（篇1至篇13）",
                  *errors)
    log_action(action="standards.draft.written", actor=actor,
               data={"plan": plan, "name": name, "indicators": len(rows), "valid": not errors})
    return PlanDraft(yaml=text, errors=errors, plan=plan)


def class_standard(standard_code: str) -> m.StandardVersion:
    """The newest stored version of a standard that defines unit classes."""
    version = (m.StandardVersion.objects.filter(code=standard_code, unit_classes__isnull=False)
               .order_by("-version").first())
    if version is None:
        raise ValidationError({"standard": _("标准「%(code)s」不存在或没有定义单位类别")
                               % {"code": standard_code}})
    return version


def class_period(text: str) -> str:
    """A year (``2026``) or a quarter (``2026Q2``) from which a class holds."""
    try:
        period = Period.parse(str(text))
    except PeriodError as error:
        raise ValidationError({"period": _("起始期间「%(text)s」无法识别：%(error)s")
                               % {"text": text, "error": error}}) from None
    if period.type not in (PeriodType.YEAR, PeriodType.QUARTER):
        raise ValidationError({"period": _("起始期间「%(text)s」应为年度（如 2026）或季度（如 2026Q2）")
                               % {"text": text}})
    return str(period)


def class_named(standard: m.StandardVersion, text: str) -> m.UnitClassDefinition:
    """The class of ``standard`` whose name or code is ``text``."""
    text = str(text).strip()
    for definition in standard.unit_classes.all():
        if text in (definition.name, definition.code):
            return definition
    names = "、".join(standard.unit_classes.values_list("name", flat=True))
    raise ValidationError({"unit_class": _("「%(standard)s」没有类别「%(text)s」（可选：%(names)s）")
                           % {"standard": standard.name, "text": text, "names": names}})


@transaction.atomic
def set_unit_class(*, actor: User | None, scope: Scope, unit: Unit, standard_code: str,
                   period: str, unit_class: str, reason: str = "") -> m.UnitClassAssignment:
    """Put ``unit`` in a class from ``period`` on (a person's decision, 人工评定).

    The class holds for later periods until another row changes it; earlier periods keep
    theirs. Re-setting the same period replaces its class, and the audit log keeps both.
    """
    require(scope, unit, Cap.MANAGE_UNITS)
    standard = class_standard(standard_code)
    period = class_period(period)
    definition = class_named(standard, unit_class)
    reason = reason.strip()[:300] or "人工评定"
    before = (m.UnitClassAssignment.objects.filter(unit=unit, standard_code=standard.code,
                                                   period=period)
              .values_list("unit_class__name", flat=True).first())
    row, _created = m.UnitClassAssignment.objects.update_or_create(
        unit=unit, standard_code=standard.code, period=period,
        defaults={"unit_class": definition, "reason": reason,
                  "assigned_by": actor if actor is not None and actor.pk else None})
    log_action(action="standards.classes.set", actor=actor, obj=row, unit=unit,
               data={"standard": standard.code, "period": period, "class": definition.name,
                     "before": before, "reason": reason})
    return row


@transaction.atomic
def propose_unit_classes(*, actor: User | None, scope: Scope, standard: m.StandardVersion,
                         period: str, values: Mapping[int, Mapping[str, float | None]],
                         based_on: str) -> list[ClassDecision]:
    """动态升降 (篇9): suggest each unit's class for ``period`` from ``based_on``'s results.

    Only a suggestion: the unit's class changes when a person confirms it
    (``confirm_unit_classes``); until then the class it already has still holds.
    """
    period = class_period(period)
    units = {u.pk: u for u in Unit.objects.filter(pk__in=list(values))}
    for unit in units.values():
        require(scope, unit, Cap.MANAGE_UNITS)
    decisions: list[ClassDecision] = []
    for unit_id, chosen, reason in _decide(standard, values):
        text = f"据 {based_on} 年结果：{reason}"[:300]
        m.UnitClassAssignment.objects.update_or_create(
            unit_id=unit_id, standard_code=standard.code, period=period,
            defaults={"proposed_class": chosen, "proposal_reason": text},
            create_defaults={"proposed_class": chosen, "proposal_reason": text, "reason": ""})
        decisions.append(ClassDecision(units[unit_id], chosen, text))
    log_action(action="standards.classes.proposed", actor=actor,
               data={"standard": standard.code, "period": period, "based_on": based_on,
                     "units": len(decisions)})
    return decisions


@transaction.atomic
def confirm_unit_classes(*, actor: User | None, scope: Scope, standard_code: str, period: str,
                         units: Sequence[Unit] | None = None) -> int:
    """Make the suggested classes of ``period`` the units' classes (all, or ``units``).

    A unit with no class suggested (its data did not say) keeps the class it had.
    """
    standard = class_standard(standard_code)
    period = class_period(period)
    rows = (m.UnitClassAssignment.objects.select_for_update(of=("self",))
            .filter(standard_code=standard.code, period=period, proposed_class__isnull=False)
            .select_related("unit", "proposed_class", "unit_class"))
    if units is not None:
        rows = rows.filter(unit__in=[u.pk for u in units])
    confirmed = 0
    for row in rows:
        require(scope, row.unit, Cap.MANAGE_UNITS)
        before = row.unit_class.name if row.unit_class else None
        row.unit_class = row.proposed_class
        row.reason = f"确认动态升降建议：{row.proposal_reason}"[:300]
        row.assigned_by = actor if actor is not None and actor.pk else None
        row.save(update_fields=["unit_class", "reason", "assigned_by", "evaluated_at"])
        log_action(action="standards.classes.confirmed", actor=actor, obj=row, unit=row.unit,
                   data={"standard": standard.code, "period": period,
                         "class": row.unit_class.name if row.unit_class else None,
                         "before": before})
        confirmed += 1
    return confirmed
