"""The points register (点位台账): create, change, retire."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.inspections.actions.common import coordinates, deny_unless
from chuangjian.inspections.models import Point, PointType
from chuangjian.lib.versions import lock_version
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Cap, Scope

PHONE = re.compile(r"^(1\d{10}|0\d{2,3}-?\d{7,8}|\d{7,8})$")


def may_manage_points(*, scope: Scope, unit: Unit) -> bool:
    return scope.allows(unit, Cap.INSPECT) or scope.allows(unit, Cap.MANAGE_UNITS)


def next_code(unit: Unit) -> str:
    taken = set(Point.objects.filter(code__startswith=f"{unit.code}-P").values_list("code",
                                                                                   flat=True))
    n = len(taken) + 1
    while f"{unit.code}-P{n:03d}" in taken:
        n += 1
    return f"{unit.code}-P{n:03d}"


def check_point_fields(*, scope: Scope, unit: Unit, responsible_unit: Unit, name: str,
                       type: str, address: str, contact_phone: str) -> dict[str, str]:
    """Field errors (Chinese) of a point, shared by the form and the xlsx import."""
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("点位名称不能为空")
    if type not in PointType.values:
        errors["type"] = _("点位类型只能是：%(t)s") % {"t": "、".join(str(label) for label in
                                                            PointType.labels)}
    if not address.strip():
        errors["address"] = _("地址不能为空")
    if contact_phone and not PHONE.match(contact_phone):
        errors["contact_phone"] = _("联络电话格式不正确：「%(p)s」") % {"p": contact_phone}
    if not may_manage_points(scope=scope, unit=unit):
        errors["unit"] = _("「%(u)s」不在您的管理范围内") % {"u": unit.name}
    if unit.closed_on is not None:
        errors["unit"] = _("单位「%(u)s」已撤销") % {"u": unit.name}
    if not scope.allows(responsible_unit, Cap.VIEW) or responsible_unit.closed_on is not None:
        errors["responsible_unit"] = _("责任单位「%(u)s」不在您的范围内或已撤销") % {
            "u": responsible_unit.name}
    return errors


@transaction.atomic
def save_point(*, actor: User | None, scope: Scope, point: Point | None = None, unit: Unit,
               name: str, type: str, address: str,
               responsible_unit: Unit | None = None, latitude: Any = None,
               longitude: Any = None, contact_name: str = "", contact_phone: str = "",
               note: str = "", code: str = "", is_active: bool = True,
               expected_version: int | None = None) -> Point:
    """Create a point (``point`` None) or change one; ``expected_version`` is the version
    the edit form was opened at (``StaleEdit`` if someone saved the point since)."""
    responsible_unit = responsible_unit or unit
    contact_phone = contact_phone.strip()
    if point is not None:
        deny_unless(may_manage_points(scope=scope, unit=point.unit))
        lock_version(point, expected_version)
    errors = check_point_fields(scope=scope, unit=unit, responsible_unit=responsible_unit,
                                name=name, type=type, address=address,
                                contact_phone=contact_phone)
    if errors:
        raise ValidationError(errors)
    lat, lng = coordinates(latitude, longitude)
    code = code.strip() or (point.code if point else next_code(unit))
    taken = Point.objects.filter(code=code)
    if point is not None:
        taken = taken.exclude(pk=point.pk)
    if taken.exists():
        raise ValidationError({"code": _("点位编码「%(c)s」已被使用") % {"c": code}})
    creating = point is None
    point = point or Point(created_by=actor if getattr(actor, "is_authenticated", False)
                           else None)
    before = {} if creating else {f: str(getattr(point, f)) for f in
                                  ("name", "type", "address", "contact_name", "contact_phone")}
    point.unit, point.code, point.name, point.type = unit, code, name.strip(), type
    point.address, point.responsible_unit = address.strip(), responsible_unit
    point.latitude = Decimal(lat) if lat is not None else None
    point.longitude = Decimal(lng) if lng is not None else None
    point.contact_name, point.contact_phone = contact_name.strip(), contact_phone
    point.note, point.is_active = note.strip(), is_active
    point.full_clean()
    if not creating:
        point.version += 1
    point.save()
    log_action(action="inspections.point.created" if creating else "inspections.point.updated",
               actor=actor, obj=point, unit=unit,
               data={"code": code, "name": point.name, "type": type,
                     **({"before": before} if before else {})})
    return point
