"""Writes of the resident register (实有人口): residents, households, moving in and out,
and revealing a full ID or phone number (decision 0020).

A person is one row however many registers name them: the keyed hash of the ID number is
unique, and registering a number that is already on file refuses with
``AlreadyRegistered`` (the caller offers to link the existing row, never a duplicate).
Edits carry the version the form was opened at (decision 0015).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.lib import personal
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.registers.models import Household, Person

REVEALABLE = {"id_number": "公民身份号码", "phone": "联系电话"}


class AlreadyRegistered(ValidationError):
    """The ID number is on file already. ``visible`` says whether the caller may see that
    row (then the page offers to open or move in that person); otherwise the message
    says only that it is registered elsewhere, never where."""

    def __init__(self, person: Person, *, scope: Scope) -> None:
        self.person = person
        self.visible = scope.allows(person.unit, Cap.VIEW_PERSONS)
        if self.visible:
            message = _("此人已在「%(unit)s」登记为「%(name)s」，请关联已有记录，不要重复登记。") % {
                "unit": person.unit.name, "name": person.name}
        else:
            message = _("该公民身份号码已在其他单位登记。如此人已迁入本社区，"
                        "请原社区办理迁出后再迁入，不要重复登记。")
        super().__init__({"id_number": [message]}, code="already_registered")


class StaleRecord(Exception):
    """The row changed since the form was opened: ``current`` is what is on file now."""

    def __init__(self, current: Any) -> None:
        super().__init__("stale")
        self.current = current


def require_keeper(*, scope: Scope, unit: Unit) -> None:
    """Only who keeps residents here writes them: entering data and seeing names."""
    if not (scope.allows(unit, Cap.ENTER_DATA) and scope.allows(unit, Cap.VIEW_PERSONS)):
        raise PermissionDenied


def household_at(*, scope: Scope, actor: Any, unit: Unit, address: str) -> Household | None:
    """The household at ``address`` in ``unit``, made when there is none yet."""
    require_keeper(scope=scope, unit=unit)
    address = " ".join(address.split())
    if not address:
        return None
    household = Household.objects.filter(unit=unit, address=address).first()
    if household is None:
        household = Household(unit=unit, address=address, created_by=_user(actor))
        household.full_clean()
        household.save()
    return household


def _tell_sources(unit_id: int, day: dt.date) -> None:
    """Residents moving in or out change the figures computed from the register (35+ on
    the register, households, migrants …: decision 0021)."""
    from chuangjian import sources
    from chuangjian.registers.sources import ELEMENTS_OF_KIND

    sources.changed(unit_id=unit_id, element_codes=ELEMENTS_OF_KIND["residents"], day=day)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _apply_numbers(person: Person, id_number: str, phone: str) -> None:
    number = personal.normalise_id_number(id_number)
    facts = personal.id_facts(number)
    person.id_number = number
    person.id_number_hash = personal.id_hash(number)
    person.sex, person.birth_date = facts.sex, facts.birth_date
    person.phone = personal.normalise_phone(phone) if phone else None
    person.phone_hash = personal.phone_hash(phone) if phone else ""


def _refuse_duplicate(scope: Scope, number: str, *, exclude: int | None = None) -> None:
    existing = Person.objects.select_related("unit").filter(
        id_number_hash=personal.id_hash(number))
    if exclude is not None:
        existing = existing.exclude(pk=exclude)
    found = existing.first()
    if found is not None:
        raise AlreadyRegistered(found, scope=scope)


@transaction.atomic
def create_person(*, scope: Scope, actor: Any, unit: Unit, name: str, id_number: str,
                  phone: str = "", residence: str = "registered", address: str = "",
                  relation: str = "", moved_in_on: dt.date | None = None,
                  note: str = "") -> Person:
    require_keeper(scope=scope, unit=unit)
    person = Person(unit=unit, name=" ".join(name.split()), residence=residence,
                    relation=relation, moved_in_on=moved_in_on, note=note,
                    created_by=_user(actor))
    _apply_numbers(person, id_number, phone)
    _refuse_duplicate(scope, person.id_number or "")
    person.household = household_at(scope=scope, actor=actor, unit=unit, address=address)
    person.full_clean(exclude=["id_number_hash", "phone_hash"])
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        # Registered by someone else in the same moment: the unique hash caught it.
        _refuse_duplicate(scope, person.id_number or "")
        raise
    _set_head_if_first(person)
    log_action(action="registers.person.created", actor=actor, obj=person, unit=unit)
    _tell_sources(unit.pk, moved_in_on or timezone.localdate())
    return person


def _set_head_if_first(person: Person) -> None:
    household = person.household
    if household is not None and (household.head_id is None or person.relation == "户主"):
        household.head = person
        household.save(update_fields=["head", "updated_at"])


def _locked(model: type[Any], pk: int, expected_version: int | None) -> Any:
    row = model.objects.select_for_update().select_related("unit").get(pk=pk)
    if expected_version is not None and row.version != expected_version:
        raise StaleRecord(row)
    return row


@transaction.atomic
def update_person(*, scope: Scope, actor: Any, person: Person, expected_version: int | None,
                  name: str, id_number: str, phone: str = "", residence: str = "registered",
                  address: str = "", relation: str = "", moved_in_on: dt.date | None = None,
                  note: str = "") -> Person:
    """Change a resident; ``expected_version`` is the version the form was opened at."""
    require_keeper(scope=scope, unit=person.unit)
    row: Person = _locked(Person, person.pk, expected_version)
    changed = [f for f, new in (("name", name), ("residence", residence), ("relation", relation),
                                ("moved_in_on", moved_in_on), ("note", note))
               if getattr(row, f) != new]
    old_number, old_phone = row.id_number, row.phone or ""
    row.name, row.residence, row.relation = " ".join(name.split()), residence, relation
    row.moved_in_on, row.note = moved_in_on, note
    _apply_numbers(row, id_number, phone)
    if row.id_number != old_number:
        _refuse_duplicate(scope, row.id_number or "", exclude=row.pk)
        changed.append("id_number")
    if (row.phone or "") != old_phone:
        changed.append("phone")
    household = household_at(scope=scope, actor=actor, unit=row.unit, address=address)
    if household != row.household:
        changed.append("household")
        row.household = household
    row.full_clean(exclude=["id_number_hash", "phone_hash"])
    row.version += 1
    row.save()
    _set_head_if_first(row)
    # Which fields changed, never their values: the log holds no personal data.
    log_action(action="registers.person.updated", actor=actor, obj=row, unit=row.unit,
               data={"fields": changed})
    _tell_sources(row.unit_id, timezone.localdate())
    return row


@transaction.atomic
def move_out_person(*, scope: Scope, actor: Any, person: Person, on: dt.date,
                    expected_version: int | None = None, note: str = "") -> Person:
    """迁出: the row stays (registers still name the person); the community stops counting
    them from ``on``."""
    require_keeper(scope=scope, unit=person.unit)
    row: Person = _locked(Person, person.pk, expected_version)
    if row.moved_out_on is not None:
        raise ValidationError({"moved_out_on": _("此人已于 %(d)s 迁出。") % {
            "d": row.moved_out_on.isoformat()}})
    if row.moved_in_on and on < row.moved_in_on:
        raise ValidationError({"moved_out_on": _("迁出日期早于迁入日期。")})
    row.moved_out_on = on
    if note:
        row.note = note[:200]
    row.version += 1
    row.save(update_fields=["moved_out_on", "note", "version", "updated_at"])
    if row.household is not None and row.household.head_id == row.pk:
        Household.objects.filter(pk=row.household.pk).update(head=None)
    log_action(action="registers.person.moved_out", actor=actor, obj=row, unit=row.unit,
               data={"on": on.isoformat()})
    _tell_sources(row.unit_id, on)
    return row


@transaction.atomic
def move_in_person(*, scope: Scope, actor: Any, person: Person, unit: Unit, on: dt.date,
                   address: str = "", relation: str = "") -> Person:
    """迁入 (the "link" offered when a number is already registered): the one row of a
    person moves to ``unit``. Allowed when the person has moved out of their former
    community, or when the actor keeps both."""
    require_keeper(scope=scope, unit=unit)
    row: Person = _locked(Person, person.pk, None)
    if row.unit_id != unit.pk and row.moved_out_on is None and not (
            scope.allows(row.unit, Cap.ENTER_DATA) and scope.allows(row.unit, Cap.VIEW_PERSONS)):
        raise ValidationError({"id_number": _(
            "此人尚未从原登记单位迁出，请原单位先办理迁出。")})
    former = row.unit
    row.unit, row.moved_in_on, row.moved_out_on = unit, on, None
    row.relation = relation
    row.household = household_at(scope=scope, actor=actor, unit=unit, address=address)
    row.version += 1
    row.save()
    _set_head_if_first(row)
    log_action(action="registers.person.moved_in", actor=actor, obj=row, unit=unit,
               data={"from_unit": former.pk})
    _tell_sources(unit.pk, on)
    _tell_sources(former.pk, on)
    return row


@transaction.atomic
def create_household(*, scope: Scope, actor: Any, unit: Unit, address: str,
                     building: str = "", grid: str = "", note: str = "") -> Household:
    require_keeper(scope=scope, unit=unit)
    address = " ".join(address.split())
    if Household.objects.filter(unit=unit, address=address).exists():
        raise ValidationError({"address": _("本社区已有住址为「%(a)s」的户。") % {"a": address}})
    household = Household(unit=unit, address=address, building=building, grid=grid, note=note,
                          created_by=_user(actor))
    household.full_clean()
    household.save()
    log_action(action="registers.household.created", actor=actor, obj=household, unit=unit)
    return household


@transaction.atomic
def update_household(*, scope: Scope, actor: Any, household: Household,
                     expected_version: int | None, address: str, building: str = "",
                     grid: str = "", note: str = "", head: Person | None = None) -> Household:
    require_keeper(scope=scope, unit=household.unit)
    row: Household = _locked(Household, household.pk, expected_version)
    address = " ".join(address.split())
    if Household.objects.filter(unit=row.unit, address=address).exclude(pk=row.pk).exists():
        raise ValidationError({"address": _("本社区已有住址为「%(a)s」的户。") % {"a": address}})
    if head is not None and head.household_id != row.pk:
        raise ValidationError({"head": _("户主须是本户的成员。")})
    row.address, row.building, row.grid, row.note = address, building, grid, note
    row.head = head if head is not None else row.head
    row.full_clean()
    row.version += 1
    row.save()
    log_action(action="registers.household.updated", actor=actor, obj=row, unit=row.unit)
    return row


@transaction.atomic
def reveal_personal(*, scope: Scope, actor: Any, person: Person, field: str) -> str:
    """The full ID or phone number of one person, for who may reveal it; every reveal is
    in the audit log (which field, never the value)."""
    if field not in REVEALABLE:
        raise ValidationError(_("不能查看这一项。"))
    if not scope.allows(person.unit, Cap.REVEAL_PERSONAL):
        raise PermissionDenied
    log_action(action="registers.person.revealed", actor=actor, obj=person, unit=person.unit,
               data={"field": field})
    return str(getattr(person, field) or "")


@transaction.atomic
def log_personal_read(*, scope: Scope, actor: Any, person: Person, what: str) -> None:
    """Record a read of a person's data (their page, a search by number) — 等保: every read
    of personal data is in the audit log."""
    if not scope.allows(person.unit, Cap.VIEW_PERSONS):
        raise PermissionDenied
    log_action(action="registers.person.viewed", actor=actor, obj=person, unit=person.unit,
               data={"what": what})


def rekey_personal_data(*, scope: Scope, batch: int = 500) -> int:
    """Re-encrypt every number with the newest key and recompute the keyed hashes with the
    current hash key (key rotation, decision 0020). Command line only."""
    if not (scope.is_global and scope.user_id is None):
        raise PermissionDenied
    done = 0
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            rows = list(Person.objects.select_for_update().filter(pk__in=ids[start:start + batch]))
            for row in rows:
                row.id_number_hash = personal.id_hash(row.id_number) if row.id_number else None
                row.phone_hash = personal.phone_hash(row.phone) if row.phone else ""
            Person.objects.bulk_update(rows, ["id_number", "id_number_hash", "phone",
                                              "phone_hash"])
            done += len(rows)
    return done
