"""Every write to the org tree and its people goes through these actions.

Each action is atomic, validates with ``full_clean`` before saving, and writes its
audit entry in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Length, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.lib.versions import bump, check_version, lock_version
from chuangjian.org.levels import LEVEL_ORDER, Kind, level_label
from chuangjian.org.models import Membership, Role, Unit, UnitSuccession, UnitVersion, User
from chuangjian.org.models.units import path_segment
from chuangjian.org.scope import Cap, Scope
from chuangjian.org.selectors import people_for


def today() -> dt.date:
    """Today's date in Asia/Shanghai (the product's time zone), never the server's."""
    return timezone.localdate()


def _open_version(unit: Unit, on: dt.date) -> None:
    UnitVersion.objects.create(unit=unit, parent=unit.parent, name=unit.name, path=unit.path,
                               valid_from=on)


def _require_units(scope: Scope, unit: Unit | None) -> None:
    """Units are managed where ``MANAGE_UNITS`` holds; only the operator adds a root."""
    allowed = scope.is_global if unit is None else scope.allows(unit, Cap.MANAGE_UNITS)
    if not allowed:
        raise PermissionDenied(_("无权管理该单位"))


def _require_person(scope: Scope, user: User) -> None:
    if not scope.may_change_person(user):
        raise PermissionDenied(_("无权更改「%(name)s」：其任职不全在您的下级单位") % {
            "name": user.full_name or user.username})


def _require_grant(scope: Scope, user: User, unit: Unit, role: str) -> None:
    if not scope.may_grant(unit, role, to_self=user.pk == scope.user_id):
        raise PermissionDenied(_("无权在「%(unit)s」授予「%(role)s」角色") % {
            "unit": unit.name, "role": Role(role).label})


def _close_versions(unit_ids: list[int], on: dt.date) -> None:
    UnitVersion.objects.filter(unit_id__in=unit_ids, valid_to__isnull=True).update(valid_to=on)


@transaction.atomic
def create_unit(
    *,
    actor: User | None,
    scope: Scope,
    code: str,
    name: str,
    level: str,
    parent: Unit | None,
    kind: str = Kind.AREA,
    category: str = "城镇",
    department_type: str = "",
    division_code: str = "",
    opened_on: dt.date | None = None,
) -> Unit:
    _require_units(scope, parent)
    code = code.strip()
    if Unit.objects.filter(code=code).exists():
        raise ValidationError({"code": _("编码「%(code)s」已被使用") % {"code": code}})
    if parent is not None and parent.is_closed:
        raise ValidationError({"parent": _("上级单位「%(name)s」已撤销") % {"name": parent.name}})
    unit = Unit(code=code, name=name.strip(), level=level, parent=parent, kind=kind,
                category=category, department_type=department_type.strip(),
                division_code=division_code.strip(), opened_on=opened_on)
    unit.path = "pending"
    unit.full_clean(exclude=["path"])
    unit.save()
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    unit.depth = (parent.depth + 1) if parent else 1
    unit.save(update_fields=["path", "depth"])
    _open_version(unit, opened_on or today())
    log_action(action="org.unit.created", actor=actor, obj=unit,
               data={"code": code, "name": unit.name, "level": level,
                     "parent": parent.code if parent else None})
    return unit


@transaction.atomic
def update_unit(*, actor: User | None, scope: Scope, unit: Unit,
                effective: dt.date | None = None, expected_version: int | None = None,
                **changes: Any) -> Unit:
    """Change a unit's attributes. A rename is kept in the unit's history.

    ``expected_version``: the version the edit form was opened at; ``StaleEdit`` when
    someone else saved the unit since (decision 0025)."""
    _require_units(scope, unit)
    allowed = {"name", "category", "department_type", "division_code", "opened_on"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unsupported fields: {sorted(unknown)}")
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    check_version(unit, expected_version)
    before = {k: getattr(unit, k) for k in changes}
    for key, value in changes.items():
        setattr(unit, key, value.strip() if isinstance(value, str) else value)
    unit.full_clean()
    diff = {k: [str(before[k]), str(getattr(unit, k))] for k in changes
            if before[k] != getattr(unit, k)}
    if not diff:
        return unit
    unit.version += 1
    unit.save(update_fields=[*changes, "sort_key", "version"])
    if "name" in diff:
        on = effective or today()
        _close_versions([unit.pk], on)
        _open_version(unit, on)
    log_action(action="org.unit.updated", actor=actor, obj=unit, data={"changes": diff})
    return unit


@transaction.atomic
def move_unit(*, actor: User | None, scope: Scope, unit: Unit, new_parent: Unit,
              effective: dt.date | None = None) -> Unit:
    """Move ``unit`` with its subtree under ``new_parent``; history keeps the old place."""
    _require_units(scope, unit)
    _require_units(scope, new_parent)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    new_parent = Unit.objects.get(pk=new_parent.pk)
    if new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("不能把单位移到它自己或它的下级之下")})
    if unit.kind == Kind.AREA and LEVEL_ORDER[unit.level] <= LEVEL_ORDER[new_parent.level]:
        raise ValidationError({"parent": _("层级「%(child)s」不能位于「%(parent)s」之下") % {
            "child": level_label(unit.level), "parent": level_label(new_parent.level)}})
    if new_parent.is_closed:
        raise ValidationError({"parent": _("目标单位「%(name)s」已撤销") % {"name": new_parent.name}})
    if unit.parent_id == new_parent.pk:
        return unit
    old_parent = unit.parent
    old_prefix, new_prefix = unit.path, new_parent.path + path_segment(unit.pk)
    depth_delta = new_parent.depth + 1 - unit.depth
    subtree_ids = list(Unit.objects.filter(path__startswith=old_prefix).values_list("pk", flat=True))
    # One UPDATE rewrites the paths of the whole subtree; Substr is 1-based.
    Unit.objects.filter(pk__in=subtree_ids).update(
        path=Concat(Value(new_prefix), Substr("path", len(old_prefix) + 1, Length("path"))),
        depth=F("depth") + depth_delta,
    )
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent, version=F("version") + 1)
    on = effective or today()
    _close_versions(subtree_ids, on)
    for moved in Unit.objects.filter(pk__in=subtree_ids):
        _open_version(moved, on)
    unit.refresh_from_db()
    log_action(action="org.unit.moved", actor=actor, obj=unit,
               data={"from": old_parent.code if old_parent else None, "to": new_parent.code,
                     "effective": on.isoformat(), "subtree_size": len(subtree_ids)})
    return unit


@transaction.atomic
def close_unit(*, actor: User | None, scope: Scope, unit: Unit, on: dt.date,
               reason: str = "") -> Unit:
    _require_units(scope, unit)
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.is_closed:
        raise ValidationError({"closed_on": _("单位已于 %(date)s 撤销") % {"date": unit.closed_on}})
    open_children = Unit.objects.filter(parent=unit, closed_on__isnull=True)
    if open_children.exists():
        raise ValidationError({"closed_on": _("还有 %(n)d 个下级单位未撤销或迁出") % {
            "n": open_children.count()}})
    unit.closed_on = on
    unit.full_clean()
    unit.version += 1
    unit.save(update_fields=["closed_on", "version"])
    _close_versions([unit.pk], on)
    log_action(action="org.unit.closed", actor=actor, obj=unit,
               data={"on": on.isoformat(), "reason": reason})
    return unit


@transaction.atomic
def split_unit(*, actor: User | None, scope: Scope, unit: Unit, on: dt.date,
               parts: list[dict[str, str]]) -> list[Unit]:
    """Split ``unit`` into new units (code, name, category each); the old one closes.

    Children of the old unit must be moved to the new units first, so the caller
    decides where each belongs.
    """
    if len(parts) < 2:
        raise ValidationError({"parts": _("拆分至少需要两个新单位")})
    new_units = [
        create_unit(actor=actor, scope=scope, code=p["code"], name=p["name"], level=unit.level,
                    parent=unit.parent, kind=unit.kind, category=p.get("category", unit.category),
                    department_type=unit.department_type, opened_on=on)
        for p in parts
    ]
    close_unit(actor=actor, scope=scope, unit=unit, on=on, reason=_("拆分"))
    for new in new_units:
        UnitSuccession.objects.create(predecessor=unit, successor=new,
                                      change=UnitSuccession.Change.SPLIT, on=on)
    log_action(action="org.unit.split", actor=actor, obj=unit,
               data={"into": [u.code for u in new_units], "on": on.isoformat()})
    return new_units


@transaction.atomic
def create_user(*, actor: User | None, scope: Scope, username: str, full_name: str,
                password: str | None, phone: str = "", title: str = "",
                is_superuser: bool = False) -> User:
    if not scope.allows_any(Cap.MANAGE_PEOPLE) or (is_superuser and not scope.is_global):
        raise PermissionDenied(_("无权新建用户"))
    username = username.strip()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名「%(u)s」已存在") % {"u": username}})
    user = User(username=username, full_name=full_name.strip(), phone=phone.strip(),
                title=title.strip(), is_superuser=is_superuser, is_staff=is_superuser,
                # A password an administrator chose must be replaced at first login;
                # the demo and test personas (no actor) keep theirs.
                must_change_password=bool(password) and actor is not None)
    if password:
        from django.contrib.auth.password_validation import validate_password

        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    log_action(action="org.user.created", actor=actor, obj=user,
               data={"username": username, "full_name": user.full_name})
    return user


@transaction.atomic
def update_user(*, actor: User | None, scope: Scope, user: User,
                expected_version: int | None = None, **changes: Any) -> User:
    """Change a person's name, phone, title or activation; ``expected_version`` as in
    ``update_unit``."""
    _require_person(scope, user)
    allowed = {"full_name", "phone", "title", "is_active"}
    if set(changes) - allowed:
        raise ValueError(f"unsupported fields: {sorted(set(changes) - allowed)}")
    lock_version(user, expected_version)
    before = {k: getattr(user, k) for k in changes}
    for key, value in changes.items():
        setattr(user, key, value.strip() if isinstance(value, str) else value)
    user.full_clean()
    diff = {k: [str(before[k]), str(getattr(user, k))] for k in changes
            if before[k] != getattr(user, k)}
    if diff:
        user.version += 1
        user.save(update_fields=[*changes, "version"])
        log_action(action="org.user.updated", actor=actor, obj=user, data={"changes": diff})
    return user


@transaction.atomic
def reveal_user_phone(*, actor: User | None, scope: Scope, user: User) -> str:
    """A person's full phone number for a people manager who can see them; the reveal (not
    the number) goes into the audit log, like the registers' numbers (decision 0020)."""
    if not people_for(scope=scope).filter(pk=user.pk).exists():
        raise PermissionDenied
    log_action(action="org.user.phone_revealed", actor=actor, obj=user,
               data={"field": "phone"})
    return user.phone


@transaction.atomic
def set_user_password(*, actor: User | None, scope: Scope, user: User, password: str) -> None:
    _require_person(scope, user)
    from django.contrib.auth.password_validation import validate_password

    validate_password(password, user)
    user.set_password(password)
    # Someone else chose this password: the person must replace it at the next login.
    user.must_change_password = actor is None or actor.pk != user.pk
    user.save(update_fields=["password", "must_change_password"])
    bump(User, user.pk)
    log_action(action="org.user.password_set", actor=actor, obj=user)


@transaction.atomic
def add_membership(*, actor: User | None, scope: Scope, user: User, unit: Unit,
                   role: str, expected_version: int | None = None) -> Membership:
    _require_person(scope, user)
    lock_version(user, expected_version)
    return _add_membership(actor=actor, scope=scope, user=user, unit=unit, role=role)


def _add_membership(*, actor: User | None, scope: Scope, user: User, unit: Unit,
                    role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": _("未知的角色「%(r)s」") % {"r": role}})
    _require_grant(scope, user, unit, role)
    if unit.is_closed:
        raise ValidationError({"unit": _("单位「%(name)s」已撤销") % {"name": unit.name}})
    membership, created = Membership.objects.get_or_create(user=user, unit=unit, role=role)
    if created:
        bump(User, user.pk)
        log_action(action="org.membership.added", actor=actor, obj=membership, unit=unit,
                   data={"user": user.username, "role": role})
    return membership


@transaction.atomic
def remove_membership(*, actor: User | None, scope: Scope, membership: Membership) -> None:
    _require_person(scope, membership.user)
    log_action(action="org.membership.removed", actor=actor, obj=membership,
               unit=membership.unit,
               data={"user": membership.user.username, "role": membership.role})
    membership.delete()
    bump(User, membership.user_id)


@transaction.atomic
def create_user_with_membership(*, actor: User | None, scope: Scope, username: str,
                                full_name: str, password: str | None, unit: Unit, role: str,
                                phone: str = "", title: str = "") -> User:
    """Create a user and their first role in one step, so a manager never leaves behind a
    user outside every scope (nobody but a superuser could find them again)."""
    user = create_user(actor=actor, scope=scope, username=username, full_name=full_name,
                       password=password, phone=phone, title=title)
    # The new user holds nothing yet, so only the grant itself is checked.
    _add_membership(actor=actor, scope=scope, user=user, unit=unit, role=role)
    return user
