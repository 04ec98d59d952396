"""Surveys as a source of data elements: 知晓率 and 满意度 (篇2, 篇8, 篇10, 篇11).

Each built-in questionnaire says which elements its results feed (``feeds`` in its
YAML): for the respondent groups listed, the number of approved responses of the
year (``surveyed``) and how many of them were aware or satisfied (``positive``). The
value of a unit is its own places' responses; the assessment sums the tree, so a
street's 知晓率 is the pooled rate of its communities. Only approved responses count.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chuangjian.engine.periods import Period
from chuangjian.sources import Record, Source, register
from chuangjian.surveys.forms_io import builtin_feeds
from chuangjian.surveys.models import Group, Response

_FEEDS = builtin_feeds()
# element code → (questionnaire code, groups, counts the positive answers?)
ELEMENTS: dict[str, tuple[str, tuple[str, ...], bool]] = {}
for _code, _feed in _FEEDS:
    _groups = tuple(_feed.get("groups", ()))
    ELEMENTS[_feed["surveyed"]] = (_code, _groups, False)
    ELEMENTS[_feed["positive"]] = (_code, _groups, True)


def _describe(element: str) -> str:
    code, groups, positive = ELEMENTS[element]
    names = "、".join(str(dict(Group.choices)[g]) for g in groups)
    what = "知晓或满意的人数" if positive else "样本数"
    return f"问卷「{code}」中{names}已通过审核的答卷{what}"


@register
class SurveySource(Source):
    key = "surveys"
    label = _("问卷调查")
    elements = {code: _describe(code) for code in ELEMENTS}

    def _responses(self, element_code: str, period: Period) -> QuerySet[Response]:
        code, groups, positive = ELEMENTS[element_code]
        qs = Response.objects.filter(survey__questionnaire__code=code, group__in=groups,
                                     state=Response.State.APPROVED,
                                     survey__year__gte=period.start.year,
                                     survey__year__lte=period.end.year)
        return qs.filter(positive=True) if positive else qs

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        counts = dict(self._responses(element_code, period)
                      .filter(unit_id__ids_in=unit_ids).values("unit_id")
                      .annotate(n=Count("pk")).values_list("unit_id", "n"))
        return {int(u): float(n) for u, n in counts.items()}

    def values_of(self, element_codes: Sequence[str], periods: Sequence[Period],
                  unit_ids: Sequence[int]) -> dict[str, list[dict[int, float]]]:
        """Every element asked in one query: the approved responses counted by unit,
        questionnaire, group and year, with how many of them were positive, then summed
        per element and period as ``values`` counts them."""
        if not element_codes or not periods:
            return {code: [{} for _p in periods] for code in element_codes}
        first = min(p.start.year for p in periods)
        last = max(p.end.year for p in periods)
        wanted = Q()
        for code in element_codes:
            questionnaire, groups, _positive = ELEMENTS[code]
            wanted |= Q(survey__questionnaire__code=questionnaire, group__in=groups)
        by_group: dict[tuple[str, str], list[tuple[int, int, int, int]]] = {}
        for unit_id, asked, group, year, n, k in (
                Response.objects.filter(wanted, unit_id__ids_in=unit_ids,
                                        state=Response.State.APPROVED,
                                        survey__year__gte=first, survey__year__lte=last)
                .values_list("unit_id", "survey__questionnaire__code", "group", "survey__year")
                .annotate(n=Count("pk"), k=Count("pk", filter=Q(positive=True))).order_by()):
            by_group.setdefault((asked, group), []).append((int(unit_id), year, n, k))
        out: dict[str, list[dict[int, float]]] = {}
        for code in element_codes:
            questionnaire, groups, positive = ELEMENTS[code]
            answers: list[dict[int, float]] = []
            for period in periods:
                counted: dict[int, float] = {}
                for group in groups:
                    for unit_id, year, n, k in by_group.get((questionnaire, group), ()):
                        if period.start.year <= year <= period.end.year:
                            counted[unit_id] = counted.get(unit_id, 0.0) + (k if positive else n)
                answers.append({u: v for u, v in counted.items() if v})
            out[code] = answers
        return out

    def records(self, element_code: str, period: Period, unit_id: int) -> list[Record]:
        rows = (self._responses(element_code, period).filter(unit_id=unit_id)
                .values("survey__code", "survey__title", "group")
                .annotate(n=Count("pk"), k=Count("pk", filter=Q(positive=True))))
        labels = dict(Group.choices)
        return [Record(label=f"{r['survey__title']}：{labels.get(r['group'], r['group'])} "
                             f"{r['n']} 份已通过答卷",
                       url=reverse("surveys:detail", args=[r["survey__code"]]),
                       value=float(r["n"]))
                for r in rows]
