"""Reads of the resident register, each through the reader's scope (decision 0020).

Rows that name residents are read only where the reader holds ``Cap.VIEW_PERSONS`` (the
community that keeps them, or a role whose work needs names); anyone who sees the unit
sees the counts (``resident_counts``). A person or household the reader may not see is a
404, never a hint that it exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from chuangjian.engine.periods import Period
from chuangjian.lib import personal
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope, require_visible
from chuangjian.registers import sources as feed
from chuangjian.registers.models import (
    BPReading,
    FamilyHonour,
    Household,
    MediationParty,
    Person,
    Placement,
    ResidenceType,
    ServiceRecord,
    Volunteer,
)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def residents(*, scope: Scope, unit: Unit, name: str = "", id_number: str = "",
              residence: str = "", present: bool | None = True, age_from: int | None = None,
              household: Household | None = None) -> QuerySet[Person]:
    """Residents of ``unit`` and the units below it, for a reader who may see names.

    ``id_number`` is an exact search through the keyed hash (an invalid number finds
    nobody); ``name`` matches part of the name."""
    require_visible(scope, unit, Cap.VIEW_PERSONS)
    qs = scope.filter(Person.objects.filter(unit__path__startswith=unit.path), Cap.VIEW_PERSONS,
                      field_name="unit__path").select_related("unit", "household")
    if id_number:
        try:
            qs = qs.filter(id_number_hash=personal.id_hash(personal.normalise_id_number(id_number)))
        except ValidationError:  # a malformed number matches nobody
            return qs.none()
    if name:
        qs = qs.filter(name__contains=name.strip())
    if residence:
        qs = qs.filter(residence=residence)
    if present is True:
        qs = qs.filter(moved_out_on__isnull=True)
    elif present is False:
        qs = qs.filter(moved_out_on__isnull=False)
    if age_from is not None:
        qs = qs.filter(birth_date__lte=_years_before(timezone.localdate(), age_from))
    if household is not None:
        qs = qs.filter(household=household)
    return qs.order_by("name", "pk")


@dataclass
class ResidentCounts:
    """What every reader of a unit may see: counts and shares, no names."""

    unit: Unit
    present: int = 0
    households: int = 0
    by_residence: dict[str, int] = field(default_factory=dict)
    aged_35_plus: int = 0
    aged_60_plus: int = 0
    moved_out_this_year: int = 0
    children: list[tuple[Unit, int, int]] = field(default_factory=list)  # unit, people, households
    # Residents kept by the unit itself, by the 网格 written on their household.
    by_grid: list[tuple[str, int]] = field(default_factory=list)


def resident_counts(*, scope: Scope, unit: Unit) -> ResidentCounts:
    require_visible(scope, unit)
    today = timezone.localdate()
    people = Person.objects.filter(unit__path__startswith=unit.path)
    present = people.filter(moved_out_on__isnull=True)
    agg = present.aggregate(
        total=Count("pk"),
        p35=Count("pk", filter=Q(birth_date__lte=_years_before(today, 35))),
        p60=Count("pk", filter=Q(birth_date__lte=_years_before(today, 60))))
    counts = ResidentCounts(unit=unit, present=agg["total"], aged_35_plus=agg["p35"],
                            aged_60_plus=agg["p60"])
    counts.households = Household.objects.filter(unit__path__startswith=unit.path,
                                                 members__moved_out_on__isnull=True
                                                 ).distinct().count()
    by = dict(present.values_list("residence").annotate(n=Count("pk")).values_list("residence", "n"))
    counts.by_residence = {str(label): by.get(code, 0) for code, label in ResidenceType.choices}
    counts.moved_out_this_year = people.filter(moved_out_on__year=today.year).count()
    for child in scope.filter(Unit.objects.filter(parent=unit, closed_on__isnull=True)
                              ).order_by("sort_key"):
        n = present.filter(unit__path__startswith=child.path).count()
        h = Household.objects.filter(unit__path__startswith=child.path).count()
        counts.children.append((child, n, h))
    if not any(n or h for _c, n, h in counts.children):
        counts.children = []
        rows = (present.filter(unit=unit).values_list("household__grid")
                .annotate(n=Count("pk")).order_by("household__grid"))
        counts.by_grid = [(grid or "", n) for grid, n in rows]
    return counts


def person_for(*, scope: Scope, pk: int) -> Person:
    person = Person.objects.select_related("unit", "household").filter(pk=pk).first()
    if person is None or not scope.allows(person.unit, Cap.VIEW_PERSONS):
        raise Http404
    return person


def household_for(*, scope: Scope, pk: int) -> Household:
    household = Household.objects.select_related("unit", "head").filter(pk=pk).first()
    if household is None or not scope.allows(household.unit, Cap.VIEW_PERSONS):
        raise Http404
    return household


def households(*, scope: Scope, unit: Unit, address: str = "") -> QuerySet[Household]:
    require_visible(scope, unit, Cap.VIEW_PERSONS)
    qs = scope.filter(Household.objects.filter(unit__path__startswith=unit.path),
                      Cap.VIEW_PERSONS, field_name="unit__path")
    if address:
        qs = qs.filter(address__contains=address.strip())
    return (qs.select_related("unit", "head")
            .annotate(n_members=Count("members", filter=Q(members__moved_out_on__isnull=True)))
            .order_by("building", "address", "pk"))


@dataclass
class PersonRegisters:
    """Every register row that names one person, as far as the reader may see them."""

    volunteering: list[Volunteer]
    services: list[ServiceRecord]
    bp_readings: list[BPReading]
    disputes: list[MediationParty]
    placements: list[Placement]
    honours: list[FamilyHonour]
    household_members: list[Person]

    @property
    def is_empty(self) -> bool:
        return not any((self.volunteering, self.services, self.bp_readings, self.disputes,
                        self.placements, self.honours))


def person_registers(*, scope: Scope, person: Person, limit: int = 20) -> PersonRegisters:
    if not scope.allows(person.unit, Cap.VIEW_PERSONS):
        raise Http404

    def seen(qs: QuerySet[Any], path: str) -> QuerySet[Any]:
        return scope.filter(qs, Cap.VIEW_PERSONS, field_name=path)

    members: list[Person] = []
    honours: list[FamilyHonour] = []
    if person.household_id:
        members = list(Person.objects.filter(household_id=person.household_id,
                                             moved_out_on__isnull=True)
                       .exclude(pk=person.pk).order_by("name"))
        honours = list(seen(FamilyHonour.objects.filter(household_id=person.household_id),
                            "household__unit__path")[:limit])
    return PersonRegisters(
        volunteering=list(seen(person.volunteering.select_related("unit", "team"),
                               "unit__path")),
        services=list(seen(ServiceRecord.objects.filter(volunteer__person=person)
                           .select_related("volunteer__unit"), "volunteer__unit__path")[:limit]),
        bp_readings=list(seen(person.bp_readings.all(), "person__unit__path")[:limit]),
        disputes=list(seen(person.disputes.select_related("case", "case__unit"),
                           "case__unit__path")[:limit]),
        placements=list(seen(person.placements.select_related("unit"), "unit__path")[:limit]),
        honours=honours,
        household_members=members,
    )


# -- the rows behind a computed figure (明细) ---------------------------------------------


def unit_for(*, scope: Scope, code: str, cap: Cap = Cap.VIEW) -> Unit:
    """The unit with ``code`` if the scope may ``cap`` it, else 404 (never leak existence)."""
    unit = scope.filter(Unit.objects.all(), cap).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


def sees_names(*, scope: Scope, unit: Unit) -> bool:
    """Whether the reader may see the names in ``unit``'s registers (``Cap.VIEW_PERSONS``,
    decision 0020): a street leader, a district officer and a department see counts."""
    return scope.allows(unit, Cap.VIEW_PERSONS)


@dataclass
class Breakdown:
    """One computed figure of a unit's subtree, and the same figure for each child."""

    unit: Unit
    element: feed.Element
    period: Period
    total: float
    children: list[tuple[Unit, float]]


def element_breakdown(*, scope: Scope, unit: Unit, code: str, period: Period) -> Breakdown:
    require_visible(scope, unit)
    if code not in feed.ELEMENTS:
        raise Http404
    subtree = list(Unit.objects.filter(path__startswith=unit.path)
                   .only("pk", "path", "parent_id", "kind"))
    own = feed.element_values(code, period, [u.pk for u in subtree])
    # Functional departments (条) keep no register of residents or places.
    children = sorted((u for u in subtree if u.parent_id == unit.pk and u.kind != "department"),
                      key=lambda u: u.path)
    by_child: list[tuple[Unit, float]] = []
    named = {u.pk: u for u in Unit.objects.filter(pk__in=[c.pk for c in children])}
    for child in children:
        total = sum(own.get(u.pk, 0.0) for u in subtree if u.path.startswith(child.path))
        by_child.append((named[child.pk], total))
    return Breakdown(unit=unit, element=feed.ELEMENTS[code], period=period,
                     total=sum(own.values()), children=by_child)


def element_rows(*, scope: Scope, unit: Unit, code: str, period: Period) -> QuerySet[Any]:
    """The rows behind a figure of ``unit``'s subtree, for a reader who may see names."""
    if not sees_names(scope=scope, unit=unit):
        raise Http404
    ids = list(scope.filter(Unit.objects.filter(path__startswith=unit.path), Cap.VIEW_PERSONS)
               .values_list("pk", flat=True))
    qs = feed.element_rows(code, period, ids)
    related = ROW_RELATED.get(feed.ELEMENTS[code].kind, ())
    return qs.select_related(*related) if related else qs


ROW_RELATED: dict[str, tuple[str, ...]] = {
    "residents": ("household",),
    "bp": ("household",),
    "households": ("head",),
    "families": ("household",),
    "volunteers": ("person", "team"),
    "service": ("volunteer__person", "activity"),
    "placements": ("person",),
}


# -- the lists of the other registers ------------------------------------------------------
RECORD_SEARCH: dict[str, tuple[str, ...]] = {
    "volunteers": ("person__name", "skills", "team__name"),
    "service": ("volunteer__person__name", "place", "content"),
    "families": ("household__address", "evaluation"),
    "bp": ("person__name", "place", "measured_by"),
    "mediation": ("kind", "summary", "mediator", "parties__name"),
    "placements": ("person__name", "employer", "placed_by"),
    "facilities": ("name", "address", "note"),
}
RECORD_YEAR: dict[str, str] = {
    "volunteers": "registered_on__year", "service": "date__year", "families": "year",
    "bp": "measured_on__year", "mediation": "received_on__year", "placements": "placed_on__year",
}
# The one choice each list filters by (类别, 调解结果 …).
RECORD_CHOICE: dict[str, str] = {"families": "kind", "mediation": "outcome",
                                 "facilities": "kind"}


def records(*, scope: Scope, kind: str, unit: Unit, q: str = "", year: int | None = None,
            choice: str = "") -> QuerySet[Any]:
    """Rows of one register kept in ``unit`` and below, for a reader allowed to see them
    (names need ``VIEW_PERSONS``; facilities only ``VIEW``)."""
    from chuangjian.registers.actions.records import MODELS, PERSONAL, UNIT_OF

    cap = Cap.VIEW_PERSONS if kind in PERSONAL else Cap.VIEW
    require_visible(scope, unit, cap)
    path = f"{UNIT_OF[kind]}__path"
    qs = scope.filter(MODELS[kind].objects.filter(**{f"{path}__startswith": unit.path}),  # type: ignore[attr-defined]
                      cap, field_name=path)
    if q:
        cond = Q()
        for name in RECORD_SEARCH[kind]:
            cond |= Q(**{f"{name}__contains": q.strip()})
        qs = qs.filter(cond).distinct()
    if year is not None and kind in RECORD_YEAR:
        qs = qs.filter(**{RECORD_YEAR[kind]: year})
    if choice and kind in RECORD_CHOICE:
        qs = qs.filter(**{RECORD_CHOICE[kind]: choice})
    related = {"volunteers": ("person", "team", "unit"), "service": ("volunteer__person", "activity"),
               "families": ("household",), "bp": ("person",), "placements": ("person",),
               "mediation": (), "facilities": ()}[kind]
    return qs.select_related(*related) if related else qs


def record_for(*, scope: Scope, kind: str, pk: int) -> Any:
    """One row of a register, 404 unless the reader may see it."""
    from chuangjian.registers.actions.records import MODELS, PERSONAL, UNIT_OF

    cap = Cap.VIEW_PERSONS if kind in PERSONAL else Cap.VIEW
    path = f"{UNIT_OF[kind]}__path"
    row = scope.filter(MODELS[kind].objects.filter(pk=pk), cap, field_name=path).first()  # type: ignore[attr-defined]
    if row is None:
        raise Http404
    return row


def record_counts(*, scope: Scope, kind: str, unit: Unit, year: int | None = None
                  ) -> list[tuple[Unit, int]]:
    """How many rows each unit below ``unit`` keeps: what a level above sees."""
    from chuangjian.registers.actions.records import MODELS, UNIT_OF

    require_visible(scope, unit)
    path = f"{UNIT_OF[kind]}__path"
    qs = MODELS[kind].objects.filter(**{f"{path}__startswith": unit.path})  # type: ignore[attr-defined]
    if year is not None and kind in RECORD_YEAR:
        qs = qs.filter(**{RECORD_YEAR[kind]: year})
    paths = list(qs.values_list(path, flat=True))
    children = scope.filter(Unit.objects.filter(parent=unit, closed_on__isnull=True)).order_by(
        "sort_key")
    return [(c, sum(1 for p in paths if p.startswith(c.path))) for c in children] or \
        [(unit, len(paths))]
