"""Recording a finding (立案): place, photos, category or checklist item, severity, deduction.

The form carries an idempotency key: the same finding submitted twice (a double tap, a
re-sent form on a bad connection) is stored once and the second call returns the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.files.storing import discarded_on_error
from chuangjian.inspections import policy, taxonomy
from chuangjian.inspections.actions.common import (
    FINDING_ELEMENTS,
    VISIT_ELEMENTS,
    coordinates,
    deny_unless,
    notify,
    store_photos,
)
from chuangjian.inspections.actions.rectification import dispatch_order
from chuangjian.inspections.models import (
    ChecklistItem,
    Finding,
    FindingPhoto,
    FindingSource,
    Point,
    RectificationOrder,
    Round,
    RoundPoint,
    Severity,
)
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope
from chuangjian.standards.models import ProblemCategory

MAX_DEDUCTION = Decimal("100")


def _deduction(value: Any, severity: str) -> Decimal:
    if value in (None, ""):
        return taxonomy.default_deduction(severity)
    try:
        number = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"deduction": _("扣分应为数字，如 0.5")}) from None
    if number < 0 or number > MAX_DEDUCTION:
        raise ValidationError({"deduction": _("扣分应在 0 到 100 之间")})
    return number


def create_finding(*, actor: User | None, scope: Scope, unit: Unit, description: str,
                   severity: str = Severity.ORDINARY, category: ProblemCategory | None = None,
                   checklist_item: ChecklistItem | None = None, round: Round | None = None,
                   round_point: RoundPoint | None = None, point: Point | None = None,
                   deduction: Any = None, address: str = "", latitude: Any = None,
                   longitude: Any = None, accuracy_m: int | None = None,
                   photos: Sequence[Any] = (), idempotency_key: str | None = None,
                   source: str = FindingSource.INSPECTION, dispatch: bool = False,
                   now: dt.datetime | None = None) -> tuple[Finding, bool]:
    """Record a finding and open its rectification order; returns (finding, created)."""
    key = (idempotency_key or "").strip()[:64] or None
    if key is not None:
        existing = Finding.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _same_submitter(existing, actor), False
    try:
        with discarded_on_error(), transaction.atomic():
            finding = _create(actor=actor, scope=scope, unit=unit, description=description,
                              severity=severity, category=category,
                              checklist_item=checklist_item, round_=round,
                              round_point=round_point, point=point, deduction=deduction,
                              address=address, latitude=latitude, longitude=longitude,
                              accuracy_m=accuracy_m, photos=photos, key=key, source=source,
                              dispatch=dispatch, now=now or timezone.now())
    except IntegrityError:
        # The same key committed by a parallel request a moment ago: that one stands.
        existing = Finding.objects.filter(idempotency_key=key).first() if key else None
        if existing is None:
            raise
        return _same_submitter(existing, actor), False
    return finding, True


def _same_submitter(finding: Finding, actor: User | None) -> Finding:
    if finding.found_by_id is not None and actor is not None and finding.found_by_id != actor.pk:
        raise ValidationError(_("表单已失效，请刷新页面后重新填写"), code="key_reused")
    return finding


def _create(*, actor: User | None, scope: Scope, unit: Unit, description: str, severity: str,
            category: ProblemCategory | None, checklist_item: ChecklistItem | None,
            round_: Round | None, round_point: RoundPoint | None, point: Point | None,
            deduction: Any, address: str, latitude: Any, longitude: Any,
            accuracy_m: int | None, photos: Sequence[Any], key: str | None, source: str,
            dispatch: bool, now: dt.datetime) -> Finding:
    if round_point is not None:
        round_ = round_ or round_point.round
        point = point or round_point.point
        if round_point.round_id != round_.pk:
            raise ValidationError({"round_point": _("点位不属于本轮督查")})
    if point is not None:
        unit = point.unit
        address = address or point.address
    deny_unless(policy.may_inspect(scope, unit))
    errors: dict[str, str] = {}
    description = description.strip()
    if not description:
        errors["description"] = _("请描述发现的问题")
    elif len(description) > 1000:
        errors["description"] = _("问题描述不能超过1000字")
    if severity not in Severity.values:
        errors["severity"] = _("问题等级只能是：简易、一般、突出、重大")
    if round_ is not None:
        if round_.status != Round.Status.ONGOING:
            errors["round"] = _("本轮督查已结束，不能再登记问题")
        elif not unit.path.startswith(round_.scope_unit.path):
            errors["unit"] = _("「%(u)s」不在本轮督查范围（%(s)s）内") % {
                "u": unit.name, "s": round_.scope_unit.name}
    if checklist_item is not None:
        if round_ is None or checklist_item.round_id != round_.pk:
            errors["checklist_item"] = _("检查项不属于本轮督查")
        elif category is None and checklist_item.category_id is not None:
            category = checklist_item.category
    if category is None and checklist_item is None:
        errors["category"] = _("请选择问题类别或检查项")
    if unit.closed_on is not None:
        errors["unit"] = _("单位「%(u)s」已撤销") % {"u": unit.name}
    if errors:
        raise ValidationError(errors)
    lat, lng = coordinates(latitude, longitude)
    amount = _deduction(deduction, severity)
    stored = store_photos(photos, user=actor)
    finding = Finding(round=round_, round_point=round_point, point=point, unit=unit,
                      category=category, checklist_item=checklist_item,
                      description=description, severity=severity, deduction=amount,
                      address=address.strip()[:200], latitude=lat, longitude=lng,
                      accuracy_m=accuracy_m, source=source,
                      hidden=bool(round_ and round_.is_hidden), found_by=actor, found_at=now,
                      idempotency_key=key)
    finding.full_clean(exclude=["idempotency_key"])
    finding.save()
    FindingPhoto.objects.bulk_create([FindingPhoto(finding=finding, file=f, order=i)
                                      for i, f in enumerate(stored)])
    assignee = point.responsible_unit if point is not None else unit
    order = RectificationOrder.objects.create(finding=finding, assignee_unit=assignee)
    if round_point is not None and round_point.visited_at is None:
        round_point.visited_at, round_point.visited_by = now, actor
        round_point.save(update_fields=["visited_at", "visited_by"])
        notify(round_.unit_id if round_ else None, now, VISIT_ELEMENTS)
    log_action(action="inspections.finding.created", actor=actor, obj=finding, unit=unit,
               data={"category": finding.category_label, "severity": severity,
                     "deduction": str(amount), "round": round_.title if round_ else "",
                     "source": source, "photos": [f.sha256 for f in stored],
                     "hidden": finding.hidden})
    notify(unit.pk, now, FINDING_ELEMENTS)
    if dispatch and not finding.hidden:
        # Hand back the dispatched order, not the stale one created above.
        finding.order = dispatch_order(actor=actor, scope=scope, order=order, now=now)
    return finding
