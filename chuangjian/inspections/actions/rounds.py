"""Supervision groups (督导组), rounds with their checklist and sampled points, visits,
publishing a 明察暗访 round."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.inspections import policy, sampling
from chuangjian.inspections.actions.common import (
    FINDING_ELEMENTS,
    VISIT_ELEMENTS,
    deny_unless,
    local_day,
    notify,
)
from chuangjian.inspections.actions.rectification import dispatch_order
from chuangjian.inspections.models import (
    ChecklistItem,
    Point,
    PointType,
    RectificationOrder,
    Round,
    RoundKind,
    RoundPoint,
    State,
    SupervisionGroup,
)
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope
from chuangjian.standards.models import ProblemCategory, StandardVersion

SITE_VISIT = "实地考察"


@transaction.atomic
def create_group(*, actor: User | None, scope: Scope, unit: Unit, name: str,
                 leader: User | None, members: Iterable[User], areas: Iterable[Unit]
                 ) -> SupervisionGroup:
    deny_unless(scope.allows(unit, Cap.INSPECT) or scope.allows(unit, Cap.MANAGE_UNITS))
    name = name.strip()
    areas = list(areas)
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("请填写督导组名称")
    elif SupervisionGroup.objects.filter(unit=unit, name=name).exists():
        errors["name"] = _("「%(n)s」已经有了") % {"n": name}
    if not areas:
        errors["areas"] = _("请选择督导组负责的片区")
    outside = [a.name for a in areas if not a.path.startswith(unit.path)]
    if outside:
        errors["areas"] = _("片区不在「%(u)s」之下：%(a)s") % {"u": unit.name,
                                                          "a": "、".join(outside)}
    if errors:
        raise ValidationError(errors)
    group = SupervisionGroup.objects.create(unit=unit, name=name, leader=leader)
    group.members.set(list(members))
    group.areas.set(areas)
    log_action(action="inspections.group.created", actor=actor, obj=group, unit=unit,
               data={"name": name, "areas": [a.name for a in areas],
                     "leader": leader.display_name if leader else ""})
    return group


def _checklist(round_: Round, standard: StandardVersion | None) -> None:
    if standard is None:
        return
    order = 0
    for indicator in standard.indicators.filter(method=SITE_VISIT).order_by("order"):
        order += 1
        ChecklistItem.objects.create(round=round_, order=order, indicator=indicator,
                                     text=indicator.name[:300])
    for category in ProblemCategory.objects.filter(standard=standard, parent__isnull=True):
        order += 1
        ChecklistItem.objects.create(round=round_, order=order, category=category,
                                     text=_("有无「%(c)s」问题") % {"c": category.name})


def _group_for(point: Point, groups: list[SupervisionGroup],
               areas: dict[int, list[Unit]]) -> SupervisionGroup | None:
    best: tuple[int, SupervisionGroup] | None = None
    for group in groups:
        for area in areas[group.pk]:
            if point.unit.path.startswith(area.path) and (best is None or
                                                          len(area.path) > best[0]):
                best = (len(area.path), group)
    return best[1] if best else None


@transaction.atomic
def create_round(*, actor: User | None, scope: Scope, unit: Unit, scope_unit: Unit, kind: str,
                 title: str, starts_on: dt.date, ends_on: dt.date,
                 standard: StandardVersion | None = None,
                 groups: Iterable[SupervisionGroup] = (),
                 quotas: Mapping[str, int] | None = None, seed: int | None = None) -> Round:
    """A round with its checklist (the standard's 实地考察 items and problem taxonomy) and
    points drawn by type with minimum counts (the seed is recorded)."""
    deny_unless(scope.allows(unit, Cap.INSPECT))
    title = title.strip()
    groups = list(groups)
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = _("请填写轮次名称")
    if kind not in RoundKind.values:
        errors["kind"] = _("未知的督查类型")
    if not scope_unit.path.startswith(unit.path):
        errors["scope_unit"] = _("检查范围应在「%(u)s」之下") % {"u": unit.name}
    if ends_on < starts_on:
        errors["ends_on"] = _("结束日期不能早于开始日期")
    if any(g.unit_id != unit.pk for g in groups):
        errors["groups"] = _("只能选择本单位组建的督导组")
    quotas = {k: int(v) for k, v in (quotas or {}).items() if int(v) > 0}
    unknown = [k for k in quotas if k not in PointType.values]
    if unknown:
        errors["quotas"] = _("未知的点位类型：%(t)s") % {"t": "、".join(unknown)}
    if any(v > 500 for v in quotas.values()):
        errors["quotas"] = _("每类点位最多抽取 500 个")
    if errors:
        raise ValidationError(errors)
    seed = seed if seed is not None else secrets.randbelow(1_000_000)
    round_ = Round(unit=unit, scope_unit=scope_unit, kind=kind, title=title, standard=standard,
                   starts_on=starts_on, ends_on=ends_on, covert=(kind == RoundKind.COVERT),
                   created_by=actor)
    round_.full_clean(exclude=["sampling"])
    round_.save()
    round_.groups.set(groups)
    _checklist(round_, standard)
    candidates = Point.objects.filter(unit__path__startswith=scope_unit.path, is_active=True,
                                      unit__closed_on__isnull=True).select_related("unit")
    by_pk = {p.pk: p for p in candidates}
    result = sampling.draw(((p.pk, p.type) for p in by_pk.values()), quotas, seed)
    areas = {g.pk: list(g.areas.all()) for g in groups}
    RoundPoint.objects.bulk_create([
        RoundPoint(round=round_, point=by_pk[pk], order=i,
                   group=_group_for(by_pk[pk], groups, areas))
        for i, pk in enumerate(sorted(result.chosen, key=lambda pk: (by_pk[pk].unit.path,
                                                                     by_pk[pk].type, pk)), 1)])
    round_.sampling = {"seed": seed, "quotas": quotas, "available": result.available,
                       "drawn": result.drawn, "short": result.short}
    round_.save(update_fields=["sampling"])
    log_action(action="inspections.round.created", actor=actor, obj=round_, unit=unit,
               data={"title": title, "kind": kind, "scope": scope_unit.name,
                     "sampling": round_.sampling, "groups": [g.name for g in groups]})
    return round_


@transaction.atomic
def record_visit(*, actor: User, scope: Scope, round_point: RoundPoint,
                 results: Mapping[int, str], now: dt.datetime | None = None) -> RoundPoint:
    """督查记录 of one point: each checklist item passed, failed or not applicable."""
    now = now or timezone.now()
    round_point = RoundPoint.objects.select_for_update(of=("self",)).select_related(
        "round", "round__unit", "point").get(pk=round_point.pk)
    deny_unless(policy.may_organise(scope, round_point.round)
                or policy.may_inspect(scope, round_point.point.unit))
    if round_point.round.status != Round.Status.ONGOING:
        raise ValidationError(_("本轮督查已结束"))
    valid = set(round_point.round.checklist.values_list("pk", flat=True))
    clean = {str(k): v for k, v in results.items() if int(k) in valid
             and v in ("pass", "fail", "na")}
    first = round_point.visited_at is None
    round_point.results = clean
    round_point.visited_at = round_point.visited_at or now
    round_point.visited_by = round_point.visited_by or actor
    round_point.save(update_fields=["results", "visited_at", "visited_by"])
    log_action(action="inspections.round.visited", actor=actor, obj=round_point.round,
               unit=round_point.point.unit,
               data={"point": round_point.point.name,
                     "failed": sum(v == "fail" for v in clean.values()),
                     "passed": sum(v == "pass" for v in clean.values())})
    if first:
        notify(round_point.round.unit_id, now, VISIT_ELEMENTS)
    return round_point


@transaction.atomic
def finish_round(*, actor: User, scope: Scope, round_: Round) -> Round:
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    deny_unless(policy.may_organise(scope, round_))
    if round_.status != Round.Status.ONGOING:
        raise ValidationError(_("本轮督查已经结束"))
    round_.status = Round.Status.FINISHED
    round_.save(update_fields=["status"])
    log_action(action="inspections.round.finished", actor=actor, obj=round_, unit=round_.unit)
    return round_


@transaction.atomic
def publish_round(*, actor: User | None, scope: Scope, round_: Round,
                  now: dt.datetime | None = None) -> int:
    """公布: the inspected units see the results and every pending order is dispatched to
    its responsible unit with the deadline of its tier. Returns the orders dispatched."""
    now = now or timezone.now()
    round_ = Round.objects.select_for_update(of=("self",)).select_related("unit").get(pk=round_.pk)
    deny_unless(policy.may_organise(scope, round_))
    if round_.published_at is not None:
        raise ValidationError(_("本轮督查结果已于 %(t)s 公布") % {
            "t": timezone.localtime(round_.published_at).strftime("%Y-%m-%d %H:%M")})
    round_.published_at = now
    round_.status = Round.Status.PUBLISHED
    round_.save(update_fields=["published_at", "status"])
    # The hidden findings now count in the assessment (they were left out until now).
    revealed = {(unit_id, local_day(found_at)): found_at for unit_id, found_at in
                round_.findings.filter(hidden=True).values_list("unit_id", "found_at")}
    round_.findings.update(hidden=False)
    for (unit_id, _day), found_at in revealed.items():
        notify(unit_id, found_at, FINDING_ELEMENTS)
    dispatched = 0
    for order in RectificationOrder.objects.filter(finding__round=round_, state=State.PENDING):
        dispatch_order(actor=actor, scope=scope, order=order, now=now)
        dispatched += 1
    log_action(action="inspections.round.published", actor=actor, obj=round_, unit=round_.unit,
               data={"findings": round_.findings.count(), "dispatched": dispatched})
    return dispatched
