"""Titles as the source of the title-based elements (一数一源).

篇13's “2211” (市级先进: 1—2 健康单位, 3 志愿者, 30—40 户健康家庭; 区级按 1:1) and
篇12's 市级创建命名 (文明社区, 学习型小区 …) were typed counts; they are now the titles
held in the year, counted for the holder's unit (a unit's own title, a volunteer's
community). A title counts in the years it covers (``valid_years`` of its scheme) unless
withdrawn (摘牌) before the year's end. 健康家庭 titles are written into the families
register when named or withdrawn, and the registers' source counts them there
(``healthy_families_awarded``, ``city_level_healthy_families``: decision 0021).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from chuangjian.awards.models import Level, Title
from chuangjian.awards.selectors import held_q
from chuangjian.engine.periods import Period
from chuangjian.lib.lookups import Ids
from chuangjian.org.scope import Scope
from chuangjian.sources import Record, Source, register

CITY_UP = (Level.CITY, Level.PROVINCE, Level.NATIONAL)
HEALTH_2211 = ("jiankang_shequ", "jiankang_danwei", "jiankang_zhiyuanzhe")
CITY_NAMINGS = ("wenming_shequ", "xuexixing_xiaoqu")


@dataclass(frozen=True)
class Element:
    code: str
    how: str | Promise
    q: Q


ELEMENTS: dict[str, Element] = {e.code: e for e in [
    Element("city_level_healthy_units", _("当年有效的建设健康单位市级先进称号数（称号登记）"),
            Q(scheme_code="jiankang_danwei", level__in=CITY_UP)),
    Element("city_level_health_volunteers", _("当年有效的健康城市志愿者市级先进称号数（称号登记）"),
            Q(scheme_code="jiankang_zhiyuanzhe", level__in=CITY_UP)),
    Element("city_level_health_awards",
            _("当年有效的健康社区、健康单位、健康志愿者市级先进称号合计（称号登记）"),
            Q(scheme_code__in=HEALTH_2211, level__in=CITY_UP)),
    Element("district_level_health_awards",
            _("当年有效的健康社区、健康单位、健康志愿者区级先进称号合计（称号登记）"),
            Q(scheme_code__in=HEALTH_2211, level=Level.COUNTY)),
    Element("city_level_titles", _("当年有效的市级文明社区、学习型小区等创建命名数（称号登记）"),
            Q(scheme_code__in=CITY_NAMINGS, level__in=CITY_UP)),
]}


def held(code: str, period: Period) -> QuerySet[Title]:
    year = period.end.year
    return Title.objects.filter(ELEMENTS[code].q, held_q(scope=Scope.system(), year=year))


@register
class TitleSource(Source):
    key = "awards"
    label = _("称号登记")
    elements = {code: e.how for code, e in ELEMENTS.items()}

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        ids = [int(u) for u in unit_ids]
        found = {int(u): float(n) for u, n in (
            held(element_code, period).filter(unit_id__ids_in=Ids(ids)).order_by()
            .values("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))}
        return {u: found.get(u, 0.0) for u in ids}

    def records(self, element_code: str, period: Period, unit_id: int) -> list[Record]:
        from chuangjian.org.models import Unit

        unit = Unit.objects.filter(pk=unit_id).only("path").first()
        if unit is None:
            return []
        rows = held(element_code, period).filter(unit__path__startswith=unit.path)
        return [Record(label=str(_("%(y)d年%(l)s%(t)s：%(n)s"))
                       % {"y": t.year, "l": t.get_level_display(), "t": t.title,
                          # Records are read above the community: only a unit is named.
                          "n": t.name if t.nominee == "unit" else t.get_nominee_display()},
                       date=t.named_on, value=1.0)
                for t in rows.order_by("-named_on")[:200]]
