"""The case register as a source of the 无毒 standards' 帮教 elements (篇2, 篇6, 篇9).

帮教率, 尿检率, 脱毒认定, 复吸, new users and 领导包帮 used to be typed into the
quarterly and annual reports; they are now counted from the cases (``figures.py``),
so the report forms no longer ask for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from chuangjian.cases import figures
from chuangjian.cases.models import Case
from chuangjian.engine.periods import Period
from chuangjian.sources import Record, Source, register


@register
class CaseSource(Source):
    key = "cases"
    label = _("帮教对象名册")
    elements = {
        "supervision_due": _("期内在帮教的案件数"),
        "supervision_implemented": _("期内至少谈心一次的在帮教案件数"),
        "urine_tests_due": _("期内应检的尿检人次"),
        "urine_tests_done": _("期内应检且已检出结果（阴性或阳性）的尿检人次"),
        "detox_certified": _("期内以脱毒认定结案的案件数"),
        "relapsed_drug_users": _("期内发现复吸的案件数"),
        "new_drug_users": _("首次立案在期内的人数"),
        "drug_users_with_leader": _("期末在帮教且落实包帮领导的人数"),
    }

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        got = figures.values(element_code, period.start, period.end, unit_ids)
        return {u: float(n) for u, n in got.items()}

    def values_of(self, element_codes: Sequence[str], periods: Sequence[Period],
                  unit_ids: Sequence[int]) -> dict[str, list[dict[int, float]]]:
        """Every element asked from one read of each table (``figures.values_many``)."""
        got = figures.values_many(element_codes, [(p.start, p.end) for p in periods], unit_ids)
        return {code: [{u: float(n) for u, n in span.items()} for span in spans]
                for code, spans in got.items()}

    def records(self, element_code: str, period: Period, unit_id: int) -> list[Record]:
        # Explanations name no person: the case register is shown by number only.
        n = figures.values(element_code, period.start, period.end, [unit_id])[unit_id]
        total = Case.objects.filter(unit_id=unit_id).count()
        return [Record(label=str(_("帮教对象名册计数：%(n)d（本单位案件共 %(t)d 件）"))
                       % {"n": n, "t": total}, value=float(n))]
