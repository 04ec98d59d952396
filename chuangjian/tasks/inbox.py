"""What plans and tasks ask of a person on the home page (see `chuangjian.web.inbox`):
the tasks they are responsible for, the ones waiting for their verification, the overdue
ones escalated to them, and what was decided about their tasks lately."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from chuangjian.org.models import User
from chuangjian.org.scope import Scope
from chuangjian.tasks import selectors
from chuangjian.tasks.models import Task, TaskUpdate
from chuangjian.web.inbox import Item, Section, provider

CHANGES_SINCE = dt.timedelta(days=7)


def _url(task: Task) -> str:
    return reverse("tasks:task", args=[task.pk])


def _note(task: Task) -> str:
    note = _("进度 %(p)d%%") % {"p": task.progress}
    if task.last_reason:
        note += _(" · 退回：%(r)s") % {"r": task.last_reason}
    return note


@provider("tasks")
def task_items(*, scope: Scope, user: User, now: dt.datetime) -> Iterator[Item]:
    kind = _("任务")
    box = selectors.my_tasks(scope=scope, user=user, now=now)
    for task in [*box.overdue, *box.today, *box.week, *box.later]:
        yield Item(Section.OWE, kind, task.title, _url(task), _("办理"), unit=task.unit.name,
                   note=_note(task), due=task.deadline, overdue=task.is_overdue(now))
    for task in box.to_verify:
        yield Item(Section.DECIDE, kind, _("待核验：%(t)s") % {"t": task.title}, _url(task),
                   _("核验"), unit=task.unit.name,
                   note=_("%(p)s 已提交完成") % {"p": task.done_by.display_name if task.done_by else ""},
                   at=task.done_at)
    for task in selectors.escalated_to(scope=scope, user=user):
        yield Item(Section.RED, kind, _("逾期督办：%(t)s") % {"t": task.title}, _url(task),
                   _("查看"), unit=task.unit.name, note=_note(task), due=task.deadline,
                   overdue=True)
    for update in (TaskUpdate.objects.filter(task__direct_responsible=user,
                                             kind__in=("verified", "returned"),
                                             at__gte=now - CHANGES_SINCE)
                   .select_related("task", "task__unit", "author").order_by("-at")[:20]):
        who = update.author.display_name if update.author else ""
        note = (_("%(who)s 核验通过") if update.kind == "verified" else _("%(who)s 退回")) % {"who": who}
        if update.note:
            note += _("：%(n)s") % {"n": update.note}
        yield Item(Section.CHANGED, kind, update.task.title, _url(update.task), _("查看"),
                   unit=update.task.unit.name, note=note, at=update.at)



