"""Enter once, feed every standard: the registers compute the figures clerks used to type."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from chuangjian import sources
from chuangjian.engine.periods import Period
from chuangjian.org.testing import World
from chuangjian.registers.models import (
    BPReading,
    Facility,
    FacilityKind,
    FamilyHonour,
    FamilyKind,
    HonourLevel,
    Household,
    MediationCase,
    MediationOutcome,
    Person,
    Placement,
    ResidenceType,
    ServiceRecord,
    Volunteer,
)
from chuangjian.registers.sources import ELEMENTS, element_values

YEAR = Period.year(2025)


def value(code: str, unit_id: int, period: Period = YEAR) -> float:
    source = sources.source_for(code)
    assert source is not None and source.key == "registers"
    return source.values(code, period, [unit_id])[unit_id]


def resident(unit, name: str, born: dt.date, **kw) -> Person:
    return Person.objects.create(unit=unit, name=name, birth_date=born, **kw)


def test_the_elements_clerks_typed_are_now_computed_by_the_registers() -> None:
    for code in ("disputes_mediated", "disputes_total", "laid_off_reemployed",
                 "residents_35plus_bp_measured", "residents_35plus", "healthy_families_awarded",
                 "healthy_family_participants", "households_total", "migrants_total",
                 "green_area", "activity_space_area", "corridor_lights_installed",
                 "fire_equipped_sites", "sanitation_facilities_intact", "key_places_total"):
        assert sources.source_key_for(code) == "registers", code


@pytest.mark.django_db
def test_bp_coverage_counts_residents_35_plus_on_the_register_against_readings_in_the_year(
        world: World) -> None:
    c = world.community
    measured = resident(c, "甲", dt.date(1960, 5, 1))
    resident(c, "乙", dt.date(1970, 1, 1))                       # 35+, never measured
    young = resident(c, "丙", dt.date(1995, 1, 1))                # under 35
    turns_35 = resident(c, "丁", dt.date(1990, 12, 31))           # 35 on the year's last day
    gone = resident(c, "戊", dt.date(1950, 1, 1), moved_out_on=dt.date(2025, 6, 1))
    later = resident(c, "己", dt.date(1950, 1, 1), moved_in_on=dt.date(2026, 2, 1))
    for person, day in [(measured, dt.date(2025, 3, 1)), (measured, dt.date(2025, 9, 1)),
                        (young, dt.date(2025, 3, 1)), (turns_35, dt.date(2024, 12, 31)),
                        (gone, dt.date(2025, 2, 1)), (later, dt.date(2025, 2, 1))]:
        BPReading.objects.create(person=person, measured_on=day, systolic=120, diastolic=80)
    assert value("residents_35plus", c.pk) == 3          # 甲 乙 丁
    assert value("residents_35plus_bp_measured", c.pk) == 1   # 甲 once, however many readings
    assert value("residents_total", c.pk) == 4


@pytest.mark.django_db
def test_the_mediation_rate_is_succeeded_over_received_in_the_period(world: World) -> None:
    c = world.community
    for received, outcome in [(dt.date(2025, 1, 5), MediationOutcome.SUCCEEDED),
                              (dt.date(2025, 4, 5), MediationOutcome.SUCCEEDED),
                              (dt.date(2025, 6, 5), MediationOutcome.FAILED),
                              (dt.date(2025, 12, 30), MediationOutcome.PENDING),
                              (dt.date(2024, 12, 30), MediationOutcome.SUCCEEDED)]:
        MediationCase.objects.create(unit=c, kind="邻里纠纷", summary="噪音", received_on=received,
                                     outcome=outcome)
    assert value("disputes_total", c.pk) == 4
    assert value("disputes_mediated", c.pk) == 2
    assert value("disputes_mediated", c.pk, Period.parse("2025-04")) == 1


@pytest.mark.django_db
def test_families_count_households_once_and_awards_from_the_street_up(world: World) -> None:
    c = world.community
    homes = [Household.objects.create(unit=c, address=f"幸福里{i}号") for i in range(4)]
    for home, awarded, level in [(homes[0], True, HonourLevel.CITY),
                                 (homes[1], True, HonourLevel.COMMUNITY),
                                 (homes[2], False, "")]:
        FamilyHonour.objects.create(household=home, kind=FamilyKind.HEALTHY, year=2025,
                                    awarded=awarded, level=level)
    FamilyHonour.objects.create(household=homes[3], kind=FamilyKind.LEARNING, year=2025,
                                awarded=True, level=HonourLevel.CITY)
    FamilyHonour.objects.create(household=homes[3], kind=FamilyKind.HEALTHY, year=2024,
                                awarded=True, level=HonourLevel.CITY)
    assert value("healthy_family_participants", c.pk) == 3
    assert value("healthy_families_awarded", c.pk) == 1
    assert value("city_level_healthy_families", c.pk) == 1


@pytest.mark.django_db
def test_households_count_only_where_someone_lives_at_the_end_of_the_period(world: World) -> None:
    c = world.community
    lived = Household.objects.create(unit=c, address="1号")
    empty = Household.objects.create(unit=c, address="2号")
    resident(c, "甲", dt.date(1980, 1, 1), household=lived)
    resident(c, "乙", dt.date(1980, 1, 1), household=empty, moved_out_on=dt.date(2025, 3, 1))
    assert value("households_total", c.pk) == 1
    assert value("households_total", c.pk, Period.year(2024)) == 2


@pytest.mark.django_db
def test_placements_volunteers_and_migrants(world: World) -> None:
    c = world.community
    a = resident(c, "甲", dt.date(1980, 1, 1), residence=ResidenceType.MIGRANT)
    b = resident(c, "乙", dt.date(1980, 1, 1))
    Placement.objects.create(unit=c, person=a, employer="超市", placed_on=dt.date(2025, 3, 1))
    Placement.objects.create(unit=c, person=b, employer="物业", placed_on=dt.date(2026, 1, 1))
    v = Volunteer.objects.create(unit=c, person=b, registered_on=dt.date(2024, 1, 1))
    Volunteer.objects.create(unit=c, person=a, registered_on=dt.date(2024, 1, 1),
                             left_on=dt.date(2025, 6, 1))
    for day, hours in [(dt.date(2025, 1, 1), "2.5"), (dt.date(2025, 7, 1), "3"),
                       (dt.date(2026, 1, 1), "4")]:
        ServiceRecord.objects.create(volunteer=v, date=day, place="社区", hours=Decimal(hours))
    assert value("laid_off_reemployed", c.pk) == 1
    assert value("migrants_total", c.pk) == 1
    assert value("registered_volunteers", c.pk) == 1
    assert value("volunteer_service_hours", c.pk) == 5.5


@pytest.mark.django_db
def test_facilities_count_what_stands_at_the_end_of_the_period(world: World) -> None:
    c = world.community

    def add(kind: str, **kw) -> None:
        Facility.objects.create(unit=c, kind=kind, name=kind, **kw)

    add(FacilityKind.FIRE_EQUIPMENT, quantity=2)
    add(FacilityKind.FIRE_EQUIPMENT, quantity=0)
    add(FacilityKind.FIRE_EQUIPMENT, quantity=1, working=False)
    add(FacilityKind.CORRIDOR_LIGHT, quantity=3)
    add(FacilityKind.CORRIDOR_LIGHT, quantity=0)
    add(FacilityKind.SANITATION_POINT, quantity=5)
    add(FacilityKind.PUBLIC_TOILET, quantity=2, working=False)
    add(FacilityKind.GREEN_AREA, area_m2=Decimal("1200.5"))
    add(FacilityKind.GREEN_AREA, area_m2=Decimal("800"), removed_on=dt.date(2025, 5, 1))
    add(FacilityKind.ACTIVITY_SPACE, area_m2=Decimal("450"))
    add(FacilityKind.KEY_PLACE)
    assert value("fire_required_sites", c.pk) == 3
    assert value("fire_equipped_sites", c.pk) == 1
    assert value("corridors_total", c.pk) == 2
    assert value("corridor_lights_installed", c.pk) == 1
    assert value("sanitation_facilities_total", c.pk) == 7
    assert value("sanitation_facilities_intact", c.pk) == 5
    assert value("green_area", c.pk) == 1200.5
    assert value("green_area", c.pk, Period.year(2024)) == 2000.5
    assert value("activity_space_area", c.pk) == 450
    assert value("key_places_total", c.pk) == 1


@pytest.mark.django_db
def test_every_unit_asked_gets_a_true_zero_and_only_its_own_rows(world: World) -> None:
    MediationCase.objects.create(unit=world.community, kind="邻里纠纷", summary="x",
                                 received_on=dt.date(2025, 2, 1))
    ids = [world.street.pk, world.community.pk, world.other_community.pk]
    for code in ELEMENTS:
        got = element_values(code, YEAR, ids)
        assert set(got) == set(ids), code
    assert element_values("disputes_total", YEAR, ids) == {
        world.street.pk: 0.0, world.community.pk: 1.0, world.other_community.pk: 0.0}


@pytest.mark.django_db
def test_the_assessment_asks_each_register_once_and_gets_what_each_element_alone_gives(
        world: World, django_assert_num_queries: Any) -> None:
    for unit, n in [(world.community, 3), (world.other_community, 1)]:
        home = Household.objects.create(unit=unit, address="1号")
        people = [resident(unit, f"居民{k}", dt.date(1950 + 20 * (k % 3), 1, 1), household=home,
                           residence=ResidenceType.MIGRANT if k % 2 else ResidenceType.REGISTERED)
                  for k in range(n)]
        BPReading.objects.create(person=people[0], measured_on=dt.date(2025, 3, 1),
                                 systolic=120, diastolic=80)
        FamilyHonour.objects.create(household=home, kind=FamilyKind.HEALTHY, year=2025,
                                    awarded=True, level=HonourLevel.CITY)
        v = Volunteer.objects.create(unit=unit, person=people[0], registered_on=dt.date(2024, 1, 1))
        ServiceRecord.objects.create(volunteer=v, date=dt.date(2025, 1, 1), place="社区",
                                     hours=Decimal("2.5"))
        MediationCase.objects.create(unit=unit, kind="邻里纠纷", summary="x",
                                     received_on=dt.date(2025, 2, 1),
                                     outcome=MediationOutcome.SUCCEEDED)
        Placement.objects.create(unit=unit, person=people[-1], employer="超市",
                                 placed_on=dt.date(2025, 3, 1))
        for kind, quantity in [(FacilityKind.FIRE_EQUIPMENT, n), (FacilityKind.CORRIDOR_LIGHT, 0),
                               (FacilityKind.SANITATION_POINT, 2 * n), (FacilityKind.KEY_PLACE, 1)]:
            Facility.objects.create(unit=unit, kind=kind, name=kind, quantity=quantity)
        Facility.objects.create(unit=unit, kind=FacilityKind.GREEN_AREA, name="绿地",
                                area_m2=Decimal(100 * n))
    source = sources.source_for("residents_total")
    assert source is not None
    codes = list(ELEMENTS)
    periods = [Period.year(2024), YEAR]
    ids = [world.street.pk, world.community.pk, world.other_community.pk]
    registers = len({(e.model, e.unit_field) for e in ELEMENTS.values()})
    with django_assert_num_queries(registers * len(periods)):
        together = source.values_of(codes, periods, ids)
    alone = {code: [source.values(code, p, ids) for p in periods] for code in codes}
    assert together == alone
    assert together["residents_total"][1][world.community.pk] == 3
    assert together["sanitation_facilities_total"][1][world.other_community.pk] == 2
