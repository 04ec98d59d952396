"""What plans feed to the assessment (数据来源): the 文明单位 decomposition indicator.

篇3: 把社区年度的各项目标任务量化、细化,并分解到责任人 — scored by
``ratio(plan_tasks_assigned, plan_tasks_total)``. A unit's targets for a year are the
items of its work plans of that year; a target counts as decomposed when it has at least
one live task (not cancelled) with a 直接责任人 — every task has a deadline. A unit with
no plan for the year has no value (nothing was planned: the indicator cannot be computed),
not zero.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chuangjian.engine.periods import Period
from chuangjian.sources import Record, Source, register
from chuangjian.tasks.models import PlanItem, TaskState


def _assigned() -> Q:
    return Q(tasks__direct_responsible__isnull=False) & ~Q(tasks__state=TaskState.CANCELLED)


@register
class PlanSource(Source):
    key = "plans"
    label = _("年度工作计划")
    elements = {
        "plan_tasks_total": _("本年度工作计划中的目标任务数"),
        "plan_tasks_assigned": _("其中已分解为任务、明确直接责任人和完成期限的目标数"),
    }

    def values(self, element_code: str, period: Period, unit_ids: Sequence[int]
               ) -> dict[int, float]:
        items = PlanItem.objects.filter(plan__unit_id__ids_in=unit_ids,
                                        plan__year=period.start.year)
        totals = dict(items.order_by().values_list("plan__unit_id").annotate(n=Count("pk")))
        if element_code == "plan_tasks_total":
            return {int(u): float(n) for u, n in totals.items()}
        if element_code == "plan_tasks_assigned":
            done = dict(items.filter(_assigned()).order_by().values_list("plan__unit_id")
                        .annotate(n=Count("pk", distinct=True)))
            return {int(u): float(done.get(u, 0)) for u in totals}
        raise KeyError(element_code)

    def records(self, element_code: str, period: Period, unit_id: int) -> list[Record]:
        items = (PlanItem.objects.filter(plan__unit_id=unit_id, plan__year=period.start.year)
                 .select_related("plan").order_by("plan_id", "order"))
        if element_code == "plan_tasks_assigned":
            items = items.filter(_assigned()).distinct()
        return [Record(label=f"{i.plan.title} · {i.name[:40]}",
                       url=reverse("tasks:plan", args=[i.plan_id])) for i in items[:500]]
