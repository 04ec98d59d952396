"""Sources the reporting app computes for the assessment (see chuangjian/sources).

信息报送 (篇4: 做好信息把关、汇总、上报工作): the number of news and experience items a
unit sent upward is counted from the items themselves, so nobody types it into a
report form (一数一源).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chuangjian.engine.periods import Period
from chuangjian.reporting.models import NewsItem
from chuangjian.sources import Record, Source, register

NEWS_ELEMENT = "info_items_submitted"


@register
class NewsSource(Source):
    key = "news"
    label = _("信息报送")
    elements = {NEWS_ELEMENT: _("期内报送的信息条数（工作动态与经验做法）")}

    def _items(self, period: Period) -> QuerySet[NewsItem]:
        return NewsItem.objects.filter(submitted_at__gte=period.start_instant(),
                                       submitted_at__lt=period.end_instant())

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        # Every unit asked is a true zero until it sends something: the count is kept
        # by the product, not reported, so no item means none was sent.
        counts = dict(self._items(period).filter(unit_id__in=list(unit_ids))
                      .values_list("unit_id").annotate(n=Count("pk")).values_list("unit_id", "n"))
        return {unit_id: float(counts.get(unit_id, 0)) for unit_id in unit_ids}

    def records(self, element_code: str, period: Period, unit_id: int) -> list[Record]:
        rows = self._items(period).filter(unit_id=unit_id).order_by("-submitted_at")[:200]
        return [Record(label=f"{item.title}（{item.get_kind_display()}，{item.get_state_display()}）",
                       date=timezone.localtime(item.submitted_at).date(),
                       url=reverse("reporting:news"), value=1.0)
                for item in rows]
