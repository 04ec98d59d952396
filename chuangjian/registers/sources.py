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

from django.db.models import Aggregate, Count, Exists, Model, OuterRef, Q, QuerySet, Sum
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


def _present(day: dt.date) -> Q:
    return ((Q(moved_in_on__isnull=True) | Q(moved_in_on__lte=day))
            & (Q(moved_out_on__isnull=True) | Q(moved_out_on__gt=day)))


def present_on(day: dt.date) -> QuerySet[Person]:
    """Residents registered in their community on ``day``: moved in by then, not yet out."""
    return Person.objects.filter(_present(day))


def _aged_35_plus(period: Period) -> Q:
    return _present(period.end) & Q(birth_date__lte=years_before(period.end, 35))


def aged_35_plus(period: Period) -> QuerySet[Person]:
    return Person.objects.filter(_aged_35_plus(period))


def _bp_measured(period: Period) -> Q:
    readings = BPReading.objects.filter(person=OuterRef("pk"), measured_on__gte=period.start,
                                        measured_on__lte=period.end)
    return _aged_35_plus(period) & Q(Exists(readings))


def _households_living(period: Period) -> Q:
    """Households with at least one member living there at the period's end (居民户)."""
    return Q(Exists(present_on(period.end).filter(household=OuterRef("pk"))))


def _standing(period: Period, *kinds: str) -> Q:
    return (Q(removed_on__isnull=True) | Q(removed_on__gt=period.end)) & Q(kind__in=kinds)


def _healthy(period: Period) -> Q:
    return Q(kind=FamilyKind.HEALTHY, year=period.end.year)


def _volunteers_standing(period: Period) -> Q:
    return ((Q(left_on__isnull=True) | Q(left_on__gt=period.end))
            & Q(registered_on__lte=period.end))


def _cases_received(period: Period) -> Q:
    return Q(received_on__gte=period.start, received_on__lte=period.end)


@dataclass(frozen=True)
class Element:
    """One data element a register computes: the register's rows it counts (those of
    ``model`` that ``where`` keeps), whose unit, how they add up."""

    code: str
    kind: str           # the register (the rows page's kind)
    how: str | Promise  # shown in the explanation of a score
    model: type[Model]
    where: Callable[[Period], Q]
    unit_field: str = "unit_id"
    total: type[Aggregate] = Count  # of ``of``; Count of "pk" counts the rows
    of: str = "pk"
    distinct: bool = False

    def rows(self, period: Period) -> QuerySet[Any]:
        return self.model._default_manager.filter(self.where(period))

    def aggregate(self, period: Period) -> Aggregate:
        """The element's figure for ``period`` over all of a unit's rows of ``model``: the
        aggregate of those it counts (so that one query answers several elements)."""
        return self.total(self.of, distinct=self.distinct, filter=self.where(period))


def _facilities(code: str, how: str | Promise, *kinds: str, extra: Q | None = None,
                total: type[Aggregate] = Count, of: str = "pk") -> Element:
    return Element(code, "facilities", how, Facility,
                   lambda p: _standing(p, *kinds) & (extra or Q()), total=total, of=of)


def _families(code: str, how: str | Promise, extra: Q | None = None) -> Element:
    return Element(code, "families", how, FamilyHonour, lambda p: _healthy(p) & (extra or Q()),
                   "household__unit_id", of="household", distinct=True)


ELEMENTS: dict[str, Element] = {e.code: e for e in [
    Element("residents_total", "residents", _("期末在册的居民数（居民名册）"), Person,
            lambda p: _present(p.end)),
    Element("residents_35plus", "residents", _("期末在册、年满35岁的居民数（居民名册）"),
            Person, _aged_35_plus),
    Element("residents_35plus_bp_measured", "bp",
            _("其中期内至少测量过1次血压的居民数（血压测量登记）"), Person, _bp_measured),
    Element("migrants_total", "residents", _("期末在册的流动人口数（居民名册）"), Person,
            lambda p: _present(p.end) & Q(residence=ResidenceType.MIGRANT)),
    Element("households_total", "households", _("期末至少有一名在册成员的居民户数（户籍名册）"),
            Household, _households_living),
    _families("healthy_family_participants", _("当年参加健康家庭创建的居民户数（家庭创建登记）")),
    _families("healthy_families_awarded",
              _("当年被街道（镇）及以上命名为健康家庭的户数（家庭创建登记）"),
              Q(awarded=True, level__in=AWARD_LEVELS)),
    _families("city_level_healthy_families", _("当年被命名为市级及以上健康家庭的户数（家庭创建登记）"),
              Q(awarded=True, level__in=CITY_LEVELS)),
    Element("registered_volunteers", "volunteers", _("期末在册的注册志愿者数（志愿者名册）"),
            Volunteer, _volunteers_standing),
    Element("volunteer_service_hours", "service", _("期内志愿服务时长合计（志愿服务记录）"),
            ServiceRecord, lambda p: Q(date__gte=p.start, date__lte=p.end),
            "volunteer__unit_id", Sum, "hours"),
    Element("disputes_total", "mediation", _("期内受理的民间纠纷数（调解登记）"), MediationCase,
            _cases_received),
    Element("disputes_mediated", "mediation", _("其中调解成功的纠纷数（调解登记）"), MediationCase,
            lambda p: _cases_received(p) & Q(outcome=MediationOutcome.SUCCEEDED)),
    Element("laid_off_reemployed", "placements", _("期内安置上岗的人数（再就业登记）"), Placement,
            lambda p: Q(placed_on__gte=p.start, placed_on__lte=p.end), of="person",
            distinct=True),
    _facilities("fire_required_sites", _("期末登记的车栅、门面房数（设施登记“消防器材”，每处一行）"),
                FacilityKind.FIRE_EQUIPMENT),
    _facilities("fire_equipped_sites", _("其中配有完好防火器材的处数"), FacilityKind.FIRE_EQUIPMENT,
                extra=Q(quantity__gt=0, working=True)),
    _facilities("corridors_total", _("期末登记的楼房公共走道数（设施登记“楼道灯”，每条走道一行）"),
                FacilityKind.CORRIDOR_LIGHT),
    _facilities("corridor_lights_installed", _("其中已安装走道灯的走道数"),
                FacilityKind.CORRIDOR_LIGHT, extra=Q(quantity__gt=0)),
    _facilities("sanitation_facilities_total", _("期末登记的环卫点、公共厕所数量合计（设施登记）"),
                *SANITATION_KINDS, total=Sum, of="quantity"),
    _facilities("sanitation_facilities_intact", _("其中完好的数量"), *SANITATION_KINDS,
                extra=Q(working=True), total=Sum, of="quantity"),
    _facilities("green_area", _("期末登记的绿地面积合计（设施登记）"), FacilityKind.GREEN_AREA,
                total=Sum, of="area_m2"),
    _facilities("activity_space_area", _("期末登记的活动场地面积合计（设施登记）"),
                FacilityKind.ACTIVITY_SPACE, total=Sum, of="area_m2"),
    _facilities("key_places_total", _("期末登记的重点场所数（设施登记）"), FacilityKind.KEY_PLACE),
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
    return elements_values([code], period, unit_ids)[code]


def elements_values(codes: Sequence[str], period: Period, unit_ids: Sequence[int]
                    ) -> dict[str, dict[int, float]]:
    """``element_values`` of several elements: one grouped query per register (model and
    unit) whatever the number of its elements, each counted with its own filter."""
    ids = [int(u) for u in unit_ids]
    groups: dict[tuple[type[Model], str], list[Element]] = {}
    for code in codes:
        element = ELEMENTS[code]
        groups.setdefault((element.model, element.unit_field), []).append(element)
    out: dict[str, dict[int, float]] = {}
    for (model, unit_field), elements in groups.items():
        found: dict[str, dict[int, float]] = {e.code: {} for e in elements}
        names = {f"e{k}": e.code for k, e in enumerate(elements)}
        rows = (model._default_manager.filter(**{f"{unit_field}__ids_in": Ids(ids)})
                .order_by().values(unit_field)
                .annotate(**{name: ELEMENTS[code].aggregate(period)
                             for name, code in names.items()}))
        for row in rows:
            for name, code in names.items():
                found[code][int(row[unit_field])] = float(row[name] or 0)
        for e in elements:
            out[e.code] = {u: found[e.code].get(u, 0.0) for u in ids}
    return out


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

    def values_of(self, element_codes: Sequence[str], periods: Sequence[Period],
                  unit_ids: Sequence[int]) -> dict[str, list[dict[int, float]]]:
        by_period = [elements_values(element_codes, period, unit_ids) for period in periods]
        return {code: [got[code] for got in by_period] for code in element_codes}

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
