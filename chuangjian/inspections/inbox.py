"""What inspections asks of a person on the home page (see `chuangjian.web.inbox`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chuangjian.inspections import selectors
from chuangjian.inspections.models import RectificationOrder, State
from chuangjian.org.models import User
from chuangjian.org.scope import Cap, Scope
from chuangjian.web.inbox import Item, Section, provider

CHANGES_SINCE = dt.timedelta(days=7)

_DECIDE_ACTION = {State.PENDING: gettext_lazy("派单"), State.REJECTED: gettext_lazy("改派"),
                  State.SUBMITTED: gettext_lazy("复核")}


def _title(order: RectificationOrder) -> str:
    return order.finding.category_label


def _note(order: RectificationOrder) -> str:
    note = order.get_state_display()
    if order.state == State.REWORK and order.last_reason:
        note += _("：%(reason)s") % {"reason": order.last_reason}
    elif order.finding.description:
        note += " · " + order.finding.description[:60]
    return note


@provider("inspections")
def inspection_items(*, scope: Scope, user: User, now: dt.datetime) -> Iterator[Item]:
    kind = _("整改")
    box = selectors.inbox(scope=scope, user=user, now=now)
    escalated = {o.pk for o in box.escalated}
    for order in box.escalated:
        yield Item(Section.RED, kind, _("逾期督办：%(what)s") % {"what": _title(order)},
                   reverse("inspections:order", args=[order.pk]), _("查看"),
                   unit=order.assignee_unit.name if order.assignee_unit else "",
                   note=_note(order), due=order.deadline, overdue=True)
    for order in box.to_handle:
        if order.pk in escalated:   # already on top, in red
            continue
        yield Item(Section.OWE, kind, _title(order), reverse("inspections:order", args=[order.pk]),
                   _("接单") if order.state == State.DISPATCHED else _("处理"),
                   unit=order.finding.unit.name, note=_note(order), due=order.deadline,
                   overdue=order.is_overdue(now))
    for order in box.to_review:
        yield Item(Section.DECIDE, kind, _title(order), reverse("inspections:order", args=[order.pk]),
                   str(_DECIDE_ACTION.get(order.state, _("办理"))),
                   unit=(order.assignee_unit or order.finding.unit).name, note=_note(order),
                   due=order.deadline if order.state == State.SUBMITTED else None)
    for ext in box.extensions:
        yield Item(Section.DECIDE, kind, _("延期申请：%(what)s") % {"what": _title(ext.order)},
                   reverse("inspections:order", args=[ext.order_id]), _("审批"),
                   unit=ext.order.assignee_unit.name if ext.order.assignee_unit else "",
                   note=ext.reason, due=ext.old_deadline)
    if scope.allows_any(Cap.INSPECT):
        overdue = selectors.overdue_count(scope=scope, now=now)
        if overdue > len(escalated):
            yield Item(Section.RED, kind, ngettext("%(n)d 件整改单已逾期", "%(n)d 件整改单已逾期",
                                                   overdue) % {"n": overdue},
                       reverse("inspections:index") + "?state=overdue", _("逐件查看"),
                       count=overdue, overdue=True)
    for order in selectors.recent_closures(scope=scope, since=now - CHANGES_SINCE):
        yield Item(Section.CHANGED, kind, _title(order), reverse("inspections:order", args=[order.pk]),
                   _("查看"), unit=order.assignee_unit.name if order.assignee_unit else "",
                   note=_("已复核销号") + ("" if order.on_time is not False else _("（逾期完成）")),
                   at=order.closed_at)
