"""The registers as sources of data elements (一数一源: entered once, feeding every standard).

A clerk used to type how many disputes were mediated, how many residents aged 35+ had
their blood pressure taken, how many households are 健康家庭. Those figures now come out
of the registers the community keeps anyway: each element below is one grouped query
over one register, each unit's own rows (the assessment adds up the tree), and the
report form shows it read-only with a link to the rows behind it.

How each element is counted (decision 0021):

- Stocks (户数、居民数、志愿者数、设施数) are the rows standing at the period's end: a
  resident who moved in on or before the last day and had not moved out by then, a
  facility not removed by then, a volunteer registered and not left.
- Flows (纠纷、安置、服务时长) are the rows dated inside the period.
- 调解率 is 调解成功 ÷ 受理: both count the cases received in the period, so a case
  still being mediated lowers the rate until it succeeds (篇1: 能及时调解民间纠纷).
- Coverage of 35+ residents by a BP reading is computed against the resident register:
  the residents aged 35 or more on the period's last day, of whom those with at least
  one reading dated in the period.
- A row belongs to the unit that keeps it (a resident's community for readings and
  households, the case's 受理单位, the facility's unit).

Records never carry names or ID numbers: the explanation of a score is read by levels
above the community, so a record is a row's date and kind, or a link to the register
page, which decides who may see names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chuangjian.engine.periods import Period
from chuangjian.lib.lookups import Ids
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
from chuangjian.sources import Record, Source, UnitRef, register

# 被评为市、区、镇健康家庭 (篇13): an honour named by a street (镇) or above counts.
AWARD_LEVELS = (HonourLevel.STREET, HonourLevel.COUNTY, HonourLevel.CITY,
                HonourLevel.PROVINCE, HonourLevel.NATIONAL)
CITY_LEVELS = (HonourLevel.CITY, HonourLevel.PROVINCE, HonourLevel.NATIONAL)
SANITATION_KINDS = (FacilityKind.SANITATION_POINT, FacilityKind.PUBLIC_TOILET)


def years_before(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def present_on(day: dt.date) -> QuerySet[Person]:
    """Residents registered in their community on ``day``: moved in by then, not yet out."""
    return Person.objects.filter(Q(moved_in_on__isnull=True) | Q(moved_in_on__lte=day),
                                 Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=day))


def aged_35_plus(period: Period) -> QuerySet[Person]:
    return present_on(period.end).filter(birth_date__lte=years_before(period.end, 35))


def bp_measured(period: Period) -> QuerySet[Person]:
    readings = BPReading.objects.filter(person=OuterRef("pk"), measured_on__gte=period.start,
                                        measured_on__lte=period.end)
    return aged_35_plus(period).filter(Exists(readings))


def households_living(period: Period) -> QuerySet[Household]:
    """Households with at least one member living there at the period's end (居民户)."""
    members = present_on(period.end).filter(household=OuterRef("pk"))
    return Household.objects.filter(Exists(members))


def standing(period: Period, *kinds: str) -> QuerySet[Facility]:
    return Facility.objects.filter(Q(removed_on__isnull=True) | Q(removed_on__gt=period.end),
                                   kind__in=kinds)


def healthy(period: Period) -> QuerySet[FamilyHonour]:
    return FamilyHonour.objects.filter(kind=FamilyKind.HEALTHY, year=period.end.year)


def volunteers_standing(period: Period) -> QuerySet[Volunteer]:
    return Volunteer.objects.filter(Q(left_on__isnull=True) | Q(left_on__gt=period.end),
                                    registered_on__lte=period.end)


def cases_received(period: Period) -> QuerySet[MediationCase]:
    return MediationCase.objects.filter(received_on__gte=period.start, received_on__lte=period.end)


@dataclass(frozen=True)
class Element:
    """One data element a register computes: its rows, whose unit, how they add up."""

    code: str
    kind: str           # the register (the rows page's kind)
    how: str | Promise  # shown in the explanation of a score
    rows: Callable[[Period], QuerySet[Any]]
    unit_field: str = "unit_id"
    total: Any = None   # an aggregate; None counts the rows


ELEMENTS: dict[str, Element] = {e.code: e for e in [
    Element("residents_total", "residents", _("期末在册的居民数（居民名册）"),
            lambda p: present_on(p.end)),
    Element("residents_35plus", "residents", _("期末在册、年满35岁的居民数（居民名册）"),
            aged_35_plus),
    Element("residents_35plus_bp_measured", "bp",
            _("其中期内至少测量过1次血压的居民数（血压测量登记）"), bp_measured),
    Element("migrants_total", "residents", _("期末在册的流动人口数（居民名册）"),
            lambda p: present_on(p.end).filter(residence=ResidenceType.MIGRANT)),
    Element("households_total", "households", _("期末至少有一名在册成员的居民户数（户籍名册）"),
            households_living),
    Element("healthy_family_participants", "families",
            _("当年参加健康家庭创建的居民户数（家庭创建登记）"), healthy,
            "household__unit_id", Count("household", distinct=True)),
    Element("healthy_families_awarded", "families",
            _("当年被街道（镇）及以上命名为健康家庭的户数（家庭创建登记）"),
            lambda p: healthy(p).filter(awarded=True, level__in=AWARD_LEVELS),
            "household__unit_id", Count("household", distinct=True)),
    Element("city_level_healthy_families", "families",
            _("当年被命名为市级及以上健康家庭的户数（家庭创建登记）"),
            lambda p: healthy(p).filter(awarded=True, level__in=CITY_LEVELS),
            "household__unit_id", Count("household", distinct=True)),
    Element("registered_volunteers", "volunteers", _("期末在册的注册志愿者数（志愿者名册）"),
            volunteers_standing),
    Element("volunteer_service_hours", "service", _("期内志愿服务时长合计（志愿服务记录）"),
            lambda p: ServiceRecord.objects.filter(date__gte=p.start, date__lte=p.end),
            "volunteer__unit_id", Sum("hours")),
    Element("disputes_total", "mediation", _("期内受理的民间纠纷数（调解登记）"), cases_received),
    Element("disputes_mediated", "mediation", _("其中调解成功的纠纷数（调解登记）"),
            lambda p: cases_received(p).filter(outcome=MediationOutcome.SUCCEEDED)),
    Element("laid_off_reemployed", "placements", _("期内安置上岗的人数（再就业登记）"),
            lambda p: Placement.objects.filter(placed_on__gte=p.start, placed_on__lte=p.end),
            total=Count("person", distinct=True)),
    Element("fire_required_sites", "facilities",
            _("期末登记的车栅、门面房数（设施登记“消防器材”，每处一行）"),
            lambda p: standing(p, FacilityKind.FIRE_EQUIPMENT)),
    Element("fire_equipped_sites", "facilities", _("其中配有完好防火器材的处数"),
            lambda p: standing(p, FacilityKind.FIRE_EQUIPMENT).filter(quantity__gt=0,
                                                                       working=True)),
    Element("corridors_total", "facilities",
            _("期末登记的楼房公共走道数（设施登记“楼道灯”，每条走道一行）"),
            lambda p: standing(p, FacilityKind.CORRIDOR_LIGHT)),
    Element("corridor_lights_installed", "facilities", _("其中已安装走道灯的走道数"),
            lambda p: standing(p, FacilityKind.CORRIDOR_LIGHT).filter(quantity__gt=0)),
    Element("sanitation_facilities_total", "facilities",
            _("期末登记的环卫点、公共厕所数量合计（设施登记）"),
            lambda p: standing(p, *SANITATION_KINDS), total=Sum("quantity")),
    Element("sanitation_facilities_intact", "facilities", _("其中完好的数量"),
            lambda p: standing(p, *SANITATION_KINDS).filter(working=True),
            total=Sum("quantity")),
    Element("green_area", "facilities", _("期末登记的绿地面积合计（设施登记）"),
            lambda p: standing(p, FacilityKind.GREEN_AREA), total=Sum("area_m2")),
    Element("activity_space_area", "facilities", _("期末登记的活动场地面积合计（设施登记）"),
            lambda p: standing(p, FacilityKind.ACTIVITY_SPACE), total=Sum("area_m2")),
    Element("key_places_total", "facilities", _("期末登记的重点场所数（设施登记）"),
            lambda p: standing(p, FacilityKind.KEY_PLACE)),
]}

# Which elements a change to each register can move (for ``sources.changed``).
ELEMENTS_OF_KIND: dict[str, frozenset[str]] = {}
for _e in ELEMENTS.values():
    ELEMENTS_OF_KIND[_e.kind] = ELEMENTS_OF_KIND.get(_e.kind, frozenset()) | {_e.code}
# A reading moves the coverage; a resident moving in or out moves every count of people.
ELEMENTS_OF_KIND["residents"] |= ELEMENTS_OF_KIND["bp"] | ELEMENTS_OF_KIND["households"]
ELEMENTS_OF_KIND["households"] |= ELEMENTS_OF_KIND["families"]
ELEMENTS_OF_KIND["volunteers"] |= ELEMENTS_OF_KIND["service"]


# The date that places a row in a period (for ``sources.changed``); stocks change today.
DATE_OF: dict[str, str] = {
    "volunteers": "registered_on", "service": "date", "bp": "measured_on",
    "mediation": "received_on", "placements": "placed_on", "residents": "moved_in_on",
}


def day_of(kind: str, row: Any) -> dt.date:
    from django.utils import timezone

    today = timezone.localdate()
    if kind in DATE_OF:
        return getattr(row, DATE_OF[kind], None) or today
    if kind == "families":
        return min(today, dt.date(row.year, 12, 31))
    return today


def element_values(code: str, period: Period, unit_ids: Sequence[int]) -> dict[int, float]:
    """Each unit's own value: a true zero where the register holds nothing."""
    element = ELEMENTS[code]
    ids = [int(u) for u in unit_ids]
    rows = (element.rows(period).filter(**{f"{element.unit_field}__ids_in": Ids(ids)})
            .order_by().values(element.unit_field)
            .annotate(n=element.total if element.total is not None else Count("pk"))
            .values_list(element.unit_field, "n"))
    found = {int(u): float(n or 0) for u, n in rows}
    return {u: found.get(u, 0.0) for u in ids}


def element_rows(code: str, period: Period, unit_ids: Sequence[int]) -> QuerySet[Any]:
    element = ELEMENTS[code]
    return element.rows(period).filter(**{f"{element.unit_field}__ids_in": unit_ids})


def rows_url(code: str, period: Period, unit_code: str) -> str:
    return reverse("registers:rows", args=[code, unit_code, str(period)])


@register
class RegisterSource(Source):
    key = "registers"
    label = _("名册登记")
    elements = {code: e.how for code, e in ELEMENTS.items()}

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        return element_values(element_code, period, unit_ids)

    def rows_url(self, element_code: str, period: Period, unit: UnitRef) -> str | None:
        return rows_url(element_code, period, unit.code)

    def records(self, element_code: str, period: Period, unit_id: int) -> list[Record]:
        from chuangjian.org.models import Unit

        unit = Unit.objects.filter(pk=unit_id).only("code", "name", "path").first()
        if unit is None:
            return []
        # The unit's whole subtree: the rows behind a street's figure are its communities'.
        ids = list(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
        got = element_values(element_code, period, ids)
        total = sum(got.values())
        value = int(total) if float(total).is_integer() else round(total, 1)
        return [Record(label=str(_("%(unit)s：%(how)s %(value)s")
                                 % {"unit": unit.name, "how": self.elements[element_code],
                                    "value": value}),
                       date=period.end, url=rows_url(element_code, period, unit.code),
                       value=float(total))]
