"""Writes of the registers that name residents or places: volunteers and their service,
family honours, BP readings, mediation cases, placements, facilities.

The rules of each kind live in its form (``registers/forms.py``), shared with the
spreadsheet import and the API; an action saves a form that validated, in one
transaction, with the version the form was opened at (decision 0015), writes the audit
log and tells the assessment which figures changed (``sources.changed``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model

from chuangjian import sources
from chuangjian.audit.log import log_action
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.registers.actions.people import StaleRecord
from chuangjian.registers.forms import RegisterForm
from chuangjian.registers.models import (
    BPReading,
    Facility,
    FamilyHonour,
    MediationCase,
    MediationParty,
    Placement,
    ServiceRecord,
    Volunteer,
)
from chuangjian.registers.sources import ELEMENTS_OF_KIND, day_of

MODELS: dict[str, type[Model]] = {
    "volunteers": Volunteer, "service": ServiceRecord, "families": FamilyHonour,
    "bp": BPReading, "mediation": MediationCase, "placements": Placement,
    "facilities": Facility,
}
# The path from a row to the unit that keeps it.
UNIT_OF: dict[str, str] = {
    "volunteers": "unit", "service": "volunteer__unit", "families": "household__unit",
    "bp": "person__unit", "mediation": "unit", "placements": "unit", "facilities": "unit",
}
# Kinds whose rows name residents (or their address): only who sees names keeps them.
PERSONAL = frozenset({"volunteers", "service", "families", "bp", "mediation", "placements"})


def _unit_of(kind: str, row: Any) -> Unit:
    target = row
    for part in UNIT_OF[kind].split("__"):
        target = getattr(target, part)
    return target


def require_keeper(*, scope: Scope, kind: str, unit: Unit) -> None:
    """Who enters data at the unit, and for registers naming residents sees names there."""
    if not scope.allows(unit, Cap.ENTER_DATA) or (
            kind in PERSONAL and not scope.allows(unit, Cap.VIEW_PERSONS)):
        raise PermissionDenied


def _day(kind: str, row: Any) -> dt.date:
    return day_of(kind, row)


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def save_record(*, scope: Scope, actor: Any, kind: str, form: RegisterForm,
                expected_version: int | None = None) -> Any:
    """Save a register row from its validated form: new, or an edit at
    ``expected_version`` (``StaleRecord`` when someone changed it meanwhile)."""
    require_keeper(scope=scope, kind=kind, unit=form.unit)
    row = form.instance
    model = MODELS[kind]
    if row.pk:
        current = model.objects.select_for_update().get(pk=row.pk)  # type: ignore[attr-defined]
        if expected_version is not None and current.version != expected_version:
            raise StaleRecord(current)
        old_day = _day(kind, current)
        row.version = current.version + 1
    else:
        row.created_by = _user(actor)
        old_day = None
    if kind == "volunteers" and row.team is not None and row.team.pk is None:
        row.team.created_by = _user(actor)
        row.team.save()
        row.team = row.team
    unit = _unit_of(kind, row)
    require_keeper(scope=scope, kind=kind, unit=unit)
    form.save()
    if kind == "mediation":
        links = {p.name: p.person for p in MediationParty.objects.filter(case=row)}
        MediationParty.objects.filter(case=row).delete()
        MediationParty.objects.bulk_create(
            MediationParty(case=row, name=name, person=person or links.get(name))
            for name, person in form.cleaned_data["parties"])
    log_action(action=f"registers.{kind}.{'updated' if old_day else 'created'}", actor=actor,
               obj=row, unit=unit)
    for day in {d for d in (old_day, _day(kind, row)) if d is not None}:
        sources.changed(unit_id=unit.pk, element_codes=ELEMENTS_OF_KIND.get(kind, ()), day=day)
    return row


@transaction.atomic
def delete_record(*, scope: Scope, actor: Any, kind: str, row: Any) -> None:
    unit = _unit_of(kind, row)
    require_keeper(scope=scope, kind=kind, unit=unit)
    day = _day(kind, row)
    log_action(action=f"registers.{kind}.deleted", actor=actor, obj=row, unit=unit,
               data={"row": str(row)})
    row.delete()
    sources.changed(unit_id=unit.pk, element_codes=ELEMENTS_OF_KIND.get(kind, ()), day=day)
