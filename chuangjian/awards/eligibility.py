"""Eligibility of a nominee or a holder, read from the product (资格核验).

Each rule of a scheme becomes one ``Check``: whether it holds and, in a sentence, why
(the assessment's verdict, the year the family joined the register, the rectification
orders still open). The nomination refuses an ineligible nominee naming the reason, the
初审 page shows every check, and the yearly re-check lists holders who no longer pass.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.awards.schemes import Rule, Scheme


@dataclass(frozen=True)
class Check:
    rule: str
    ok: bool
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def holder_unit(holder: Any) -> Any:
    """The unit a nominee or title belongs to (a unit is its own)."""
    if holder.nominee == "unit":
        return holder.holder_unit
    row = holder.household or holder.volunteer or holder.person
    return row.unit


def _assessment(rule: Rule, holder: Any, year: int) -> Check:
    from chuangjian.assessment.models import Kind, UnitResult
    from chuangjian.standards.models import StandardVersion

    unit = holder_unit(holder)
    name = (StandardVersion.objects.filter(code=rule.standard).values_list("name", flat=True)
            .first() or rule.standard)
    result = (UnitResult.objects.filter(run__standard_code=rule.standard, run__year=year,
                                        run__kind=Kind.REVIEW, run__current=True, unit=unit)
              .order_by("-run__created_at").first())
    if result is None:
        return Check(rule.rule, False, _("%(u)s %(y)d年度《%(s)s》考核尚无结果")
                     % {"u": unit.name, "y": year, "s": name})
    if result.vetoed:
        return Check(rule.rule, False, _("%(u)s %(y)d年度《%(s)s》考核被一票否决")
                     % {"u": unit.name, "y": year, "s": name})
    if not result.passed:
        return Check(rule.rule, False, _("%(u)s %(y)d年度《%(s)s》考核未通过（%(t)s分）")
                     % {"u": unit.name, "y": year, "s": name,
                        "t": f"{result.total or 0:g}"})
    return Check(rule.rule, True, _("%(u)s %(y)d年度《%(s)s》考核通过，未被一票否决")
                 % {"u": unit.name, "y": year, "s": name})


def _family(rule: Rule, holder: Any, year: int) -> Check:
    from chuangjian.registers.models import FamilyHonour, FamilyKind

    kind = FamilyKind(rule.kind or "healthy").label
    first = (FamilyHonour.objects.filter(household=holder.household, kind=rule.kind)
             .order_by("year").values_list("year", flat=True).first())
    years = rule.years or 1
    if first is None:
        return Check(rule.rule, False, _("该户不在%(k)s创建登记中") % {"k": kind})
    if first > year - years:
        return Check(rule.rule, False, _("该户%(f)d年起登记参加%(k)s创建，不满%(n)d年")
                     % {"f": first, "k": kind, "n": years})
    return Check(rule.rule, True, _("该户%(f)d年起登记参加%(k)s创建，已满%(n)d年")
                 % {"f": first, "k": kind, "n": years})


def _volunteer(rule: Rule, holder: Any, today: dt.date) -> Check:
    from chuangjian.registers.sources import years_before

    v = holder.volunteer
    years = rule.years or 1
    if v.left_on is not None and v.left_on <= today:
        return Check(rule.rule, False, _("已于%(d)s退出志愿者队伍") % {"d": v.left_on})
    if v.registered_on > years_before(today, years):
        return Check(rule.rule, False, _("%(d)s注册为志愿者，不满%(n)d年")
                     % {"d": v.registered_on, "n": years})
    return Check(rule.rule, True, _("%(d)s注册为志愿者，已满%(n)d年")
                 % {"d": v.registered_on, "n": years})


def _rectification(rule: Rule, holder: Any, now: dt.datetime) -> Check:
    from chuangjian.inspections.models import RectificationOrder
    from chuangjian.inspections.models.rectification import OPEN_STATES

    unit = holder_unit(holder)
    days = rule.days or 30
    old = RectificationOrder.objects.filter(
        assignee_unit__path__startswith=unit.path, state__in=OPEN_STATES,
        created_at__lt=now - dt.timedelta(days=days))
    n = old.count()
    if n:
        return Check(rule.rule, False, _("%(u)s有%(n)d张整改单下达超过%(d)d天仍未销号")
                     % {"u": unit.name, "n": n, "d": days})
    return Check(rule.rule, True, _("%(u)s没有下达超过%(d)d天仍未销号的整改单")
                 % {"u": unit.name, "d": days})


def _living(rule: Rule, holder: Any, today: dt.date) -> Check:
    from chuangjian.registers.sources import present_on

    if holder.nominee == "unit":
        unit = holder.holder_unit
        if unit.closed_on and unit.closed_on <= today:
            return Check(rule.rule, False, _("%(u)s已撤销") % {"u": unit.name})
        return Check(rule.rule, True, _("%(u)s仍在运行") % {"u": unit.name})
    if holder.household is not None:
        here = present_on(today).filter(household=holder.household).exists()
        what = _("该户仍有成员在册居住") if here else _("该户已无成员在册居住")
        return Check(rule.rule, here, what)
    person = holder.person or holder.volunteer.person
    here = present_on(today).filter(pk=person.pk).exists()
    return Check(rule.rule, here, _("仍在册居住") if here else _("已迁出"))


def checks(scheme: Scheme, holder: Any, *, year: int, now: dt.datetime | None = None
           ) -> list[Check]:
    """Every eligibility rule of ``scheme`` for ``holder`` (a nomination or a title)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    out: list[Check] = []
    for rule in scheme.eligibility:
        if rule.rule == "assessment_passed":
            out.append(_assessment(rule, holder, year))
        elif rule.rule == "in_family_register":
            out.append(_family(rule, holder, year))
        elif rule.rule == "volunteer_registered":
            out.append(_volunteer(rule, holder, today))
        elif rule.rule == "no_overdue_rectification":
            out.append(_rectification(rule, holder, now))
        elif rule.rule == "living_here":
            out.append(_living(rule, holder, today))
    return out


def failing(found: list[Check]) -> list[str]:
    return [c.reason for c in found if not c.ok]
