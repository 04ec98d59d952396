"""What the case register asks of a 社工 on the home page (see `chuangjian.web.inbox`):
visits and tests overdue or due within a week, transfers waiting for their unit.

The home page's items also go out in the daily digest (e-mail, group robots), so an item
names the case by number and never the person or a test result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.cases import selectors
from chuangjian.org.models import User
from chuangjian.org.scope import Cap, Scope
from chuangjian.web.inbox import Item, Section, provider


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


@provider("cases")
def case_items(*, scope: Scope, user: User, now: dt.datetime) -> Iterator[Item]:
    # Only people who work cases are asked anything (and nobody else pays a query).
    if not scope.allows_any(Cap.VIEW_CASES):
        return
    kind = _("帮教")
    box = selectors.inbox(scope=scope, user=user, today=timezone.localdate(now))
    for item in [*box.overdue, *box.upcoming]:
        what = _("谈心") if item.what == "visit" else _("尿检")
        yield Item(Section.OWE, kind, _("%(what)s · 案件 #%(n)d") % {"what": what,
                                                                   "n": item.case.pk},
                   reverse("cases:detail", args=[item.case.pk]), _("办理"),
                   unit=item.case.unit.name, due=_end_of(item.due_on), overdue=item.overdue)
    for transfer in box.incoming:
        yield Item(Section.DECIDE, kind, _("委托管理 · 案件 #%(n)d") % {"n": transfer.case_id},
                   reverse("cases:transfer", args=[transfer.pk]), _("处理"),
                   unit=transfer.from_unit.name, at=transfer.requested_at)
