"""The activity register as a source of data elements (篇1: 小型文体活动一年不少于4次).

Each activity type names the elements it counts toward; an element's value for a
unit and period is the number of that unit's own activities of those types in the
period (the assessment aggregates the tree). The register is kept by the product,
so a unit with no activity recorded has a true zero.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from chuangjian.engine.periods import Period
from chuangjian.evidence.builtin_types import ACTIVITY_ELEMENTS
from chuangjian.evidence.models import Activity, ActivityType
from chuangjian.sources import Record, Source, register


def types_counting(element_code: str) -> list[int]:
    """Ids of the activity types that count toward ``element_code``."""
    # JSON containment is not portable to SQLite; the type table is small.
    return [t.pk for t in ActivityType.objects.only("pk", "elements")
            if element_code in (t.elements or [])]


@register
class ActivitySource(Source):
    key = "activities"
    label = _("活动台账")
    elements = ACTIVITY_ELEMENTS

    def _activities(self, element_code: str, period: Period) -> QuerySet[Activity]:
        return Activity.objects.filter(type_id__in=types_counting(element_code),
                                       date__gte=period.start, date__lte=period.end)

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        return self.values_of([element_code], [period], unit_ids)[element_code][0]

    def values_of(self, element_codes: Sequence[str], periods: Sequence[Period],
                  unit_ids: Sequence[int]) -> dict[str, list[dict[int, float]]]:
        """Every element asked from one count a period, by unit and activity type (the
        types read once), each element adding up the types that count toward it."""
        types = {t.pk: set(t.elements or []) for t in ActivityType.objects.only("pk", "elements")}
        counting = {c: {pk for pk, elements in types.items() if c in elements}
                    for c in element_codes}
        wanted = sorted(set().union(*counting.values())) if counting else []
        out: dict[str, list[dict[int, float]]] = {c: [] for c in element_codes}
        for period in periods:
            by_type: dict[int, dict[int, int]] = {}
            if wanted:
                for unit_id, type_id, n in (
                        Activity.objects.filter(type_id__in=wanted, date__gte=period.start,
                                                date__lte=period.end, unit_id__ids_in=unit_ids)
                        .values("unit_id", "type_id").annotate(n=Count("pk"))
                        .values_list("unit_id", "type_id", "n").order_by()):
                    by_type.setdefault(int(unit_id), {})[type_id] = n
            for code in element_codes:
                out[code].append({int(u): float(sum(n for t, n in by_type.get(int(u), {}).items()
                                                    if t in counting[code]))
                                  for u in unit_ids})
        return out

    def records(self, element_code: str, period: Period, unit_id: int) -> list[Record]:
        from django.urls import reverse

        rows = (self._activities(element_code, period).filter(unit_id=unit_id)
                .select_related("type").order_by("-date", "-id")[:200])
        return [Record(label=f"{a.title}（{a.type.name}，{a.place}，{a.participants_count}人）",
                       date=a.date, url=reverse("evidence:activity", args=[a.pk]), value=1.0)
                for a in rows]
