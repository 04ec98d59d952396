"""通报 numbering and 问责 records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.inspections.actions.common import deny_unless
from chuangjian.inspections.models import Accountability, Bulletin, Finding, Round
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope


def default_issuer(unit: Unit) -> str:
    return _("%(u)s创建全国文明城市工作领导小组办公室") % {"u": unit.name}


def short_issuer(unit: Unit) -> str:
    name = unit.name
    for suffix in ("街道", "镇", "区", "县"):
        if name.endswith(suffix) and len(name) > len(suffix):
            name = name[: -len(suffix)]
            break
    return name


@transaction.atomic
def create_bulletin(*, actor: User | None, scope: Scope, unit: Unit, kind: str,
                    round_: Round | None = None, month: str = "", issued_on: dt.date,
                    issuer: str = "", title: str = "") -> Bulletin:
    """A bulletin with its 文号 (〔year〕N号, numbered per issuing unit and year)."""
    deny_unless(scope.allows(unit, Cap.INSPECT))
    if kind == Bulletin.Kind.ROUND:
        if round_ is None:
            raise ValidationError({"round": _("请选择督查轮次")})
        if round_.is_hidden:
            raise ValidationError({"round": _("明察暗访结果尚未公布，不能通报")})
        if not round_.unit.path.startswith(unit.path):
            raise ValidationError({"round": _("只能通报本单位组织的督查")})
        title = title or _("关于%(t)s情况的通报") % {"t": round_.title}
    else:
        try:
            year, mon = (int(x) for x in month.split("-"))
            dt.date(year, mon, 1)
        except ValueError:
            raise ValidationError({"month": _("月份格式应为 2026-03")}) from None
        title = title or _("关于%(y)d年%(m)d月创城督查整改情况的通报") % {"y": year, "m": mon}
    bulletin = Bulletin(unit=unit, kind=kind, round=round_, month=month,
                        issuer=(issuer.strip() or default_issuer(unit))[:100],
                        title=title[:200], issued_on=issued_on, created_by=actor)
    _save_numbered(bulletin)
    log_action(action="inspections.bulletin.created", actor=actor, obj=bulletin, unit=unit,
               data={"number": bulletin.number, "title": bulletin.title})
    return bulletin


NUMBER_ATTEMPTS = 5


def _save_numbered(bulletin: Bulletin) -> None:
    """Give the bulletin the next free 文号 of its unit and year, and save it.

    The next number is the highest so far plus one; two bulletins issued at once may
    both pick it, so the unique constraint decides and the loser takes the next one.
    """
    year = bulletin.issued_on.year
    for _attempt in range(NUMBER_ATTEMPTS):
        top = (Bulletin.objects.filter(unit=bulletin.unit, year=year)
               .aggregate(top=Max("seq"))["top"]) or 0
        bulletin.year, bulletin.seq = year, top + 1
        bulletin.number = _("%(s)s创城办〔%(y)d〕%(n)d号") % {
            "s": short_issuer(bulletin.unit), "y": year, "n": bulletin.seq}
        bulletin.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                bulletin.save(force_insert=True)
        except IntegrityError:
            bulletin.pk = None
            continue
        return
    raise ValidationError(_("文号分配冲突，请稍后重试"))


@transaction.atomic
def record_accountability(*, actor: User, scope: Scope, unit: Unit, person: str, measure: str,
                          reason: str, decided_on: dt.date, findings: Iterable[Finding]
                          ) -> Accountability:
    """问责, linked to the problems behind it (which must concern the unit)."""
    findings = list(findings)
    errors: dict[str, str] = {}
    if not scope.allows(unit, Cap.INSPECT):
        raise ValidationError({"unit": _("「%(u)s」不在您的督查范围内") % {"u": unit.name}})
    if not person.strip():
        errors["person"] = _("请填写问责对象（姓名、职务）")
    if measure not in Accountability.Measure.values:
        errors["measure"] = _("请选择问责方式")
    if not reason.strip():
        errors["reason"] = _("请填写问责事由")
    if not findings:
        errors["findings"] = _("请选择问责所依据的问题")
    unrelated = [f.number for f in findings
                 if not (f.unit.path.startswith(unit.path)
                         or getattr(getattr(f, "order", None), "assignee_unit_id", None) == unit.pk)]
    if unrelated:
        errors["findings"] = _("这些问题与「%(u)s」无关：%(f)s") % {"u": unit.name,
                                                            "f": "、".join(unrelated)}
    if errors:
        raise ValidationError(errors)
    record = Accountability.objects.create(unit=unit, person=person.strip()[:60], measure=measure,
                                           reason=reason.strip(), decided_on=decided_on,
                                           decided_by=actor)
    record.findings.set(findings)
    log_action(action="inspections.accountability.recorded", actor=actor, obj=record, unit=unit,
               data={"person": record.person, "measure": record.get_measure_display(),
                     "findings": [f.number for f in findings]})
    return record
