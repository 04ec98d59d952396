"""What reporting asks of a person on the home page (see `chuangjian.web.inbox`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chuangjian.engine.periods import SHANGHAI, Period, PeriodType
from chuangjian.org.models import User
from chuangjian.org.scope import Cap, Scope
from chuangjian.reporting import selectors
from chuangjian.reporting.datasets import dataset_name
from chuangjian.reporting.labels import period_label
from chuangjian.web.inbox import Item, Section, provider

# Up to this many reports to review are listed one by one; more become one line with
# the count and a link to the review list, so a district's 190 do not bury the rest.
REVIEW_ONE_BY_ONE = 5
# More overdue periods than this of one report of one unit become one line.
GROUP_OVERDUE_FROM = 3
# More units than this owing the same report for the same period (not yet due) become one line.
GROUP_UNITS_FROM = 3
CHANGES_SINCE = dt.timedelta(days=7)


def _form(code: str, dataset: str, period: str) -> str:
    return reverse("reporting:form", args=[code, dataset, period])


def _period(text: str) -> str:
    return period_label(Period.parse(text))


@provider("reporting")
def reporting_items(*, scope: Scope, user: User, now: dt.datetime) -> Iterator[Item]:
    kind = _("数据上报")
    groups: dict[tuple[int, str], list[selectors.Due]] = {}
    for due in selectors.inbox(scope=scope, now=now):
        if due.state != "done":
            groups.setdefault((due.unit.pk, due.dataset.code), []).append(due)
    later: list[selectors.Due] = []
    for rows in groups.values():
        overdue = [d for d in rows if d.state == "overdue"]
        if len(overdue) > GROUP_OVERDUE_FROM:
            yield _overdue_group(overdue, kind)
            rows = [d for d in rows if d.state != "overdue"]
        later.extend(rows)
    # The same report for the same period owed by many units below (a street's offices'
    # quarterly self-checks) is one line that opens the reporting inbox.
    by_period: dict[tuple[str, str], list[selectors.Due]] = {}
    for due in later:
        by_period.setdefault((due.dataset.code, str(due.period)), []).append(due)
    for same in by_period.values():
        if len(same) > GROUP_UNITS_FROM and all(d.state == "due" for d in same):
            first = same[0]
            yield Item(Section.OWE, kind, f"{first.dataset.name} · {period_label(first.period)}",
                       reverse("reporting:inbox"), _("逐个填报"),
                       unit=ngettext("%(n)d 个单位待报", "%(n)d 个单位待报", len(same)) % {"n": len(same)},
                       note=_("%(names)s 等") % {"names": _("、").join(d.unit.name for d in same[:3])},
                       due=first.due, count=len(same))
        else:
            yield from (_owed(due, kind) for due in same)
    if scope.allows_any(Cap.APPROVE):
        yield from _decisions(scope=scope, now=now, kind=kind)
    yield from _changes(scope=scope, now=now, kind=kind)


def _owed(due: selectors.Due, kind: str) -> Item:
    note = due.state_label
    if due.state == "returned" and due.submission is not None and due.submission.comment:
        note = _("已退回：%(comment)s") % {"comment": due.submission.comment}
    return Item(Section.OWE, kind, f"{due.dataset.name} · {period_label(due.period)}",
                _form(due.unit.code, due.dataset.code, str(due.period)),
                _("修改") if due.state == "returned" else _("填报"),
                unit=due.unit.name, note=note, due=due.due, overdue=due.state == "overdue")


def _overdue_group(rows: list[selectors.Due], kind: str) -> Item:
    """Many overdue periods of one report of one unit (a month of 日报) as one line that
    opens the oldest: a phone's inbox stays short and the order of filing is kept."""
    rows = sorted(rows, key=lambda d: d.due)
    first, last = rows[0], rows[-1]
    return Item(Section.OWE, kind, ngettext("%(report)s：%(n)d 期逾期未报", "%(report)s：%(n)d 期逾期未报",
                                            len(rows)) % {"report": first.dataset.name, "n": len(rows)},
                _form(first.unit.code, first.dataset.code, str(first.period)), _("从最早一期补报"),
                unit=first.unit.name, note=_("%(first)s 至 %(last)s") % {
                    "first": period_label(first.period), "last": period_label(last.period)},
                due=first.due, overdue=True, count=len(rows))


def _decisions(*, scope: Scope, now: dt.datetime, kind: str) -> Iterator[Item]:
    waiting = selectors.review_queryset(scope=scope)
    queue = list(waiting[:REVIEW_ONE_BY_ONE + 1])
    if len(queue) > REVIEW_ONE_BY_ONE:
        total = waiting.count()
        oldest = waiting.order_by("submitted_at").values_list("submitted_at", flat=True).first()
        yield Item(Section.DECIDE, kind, ngettext("%(n)d 份报表待审核", "%(n)d 份报表待审核",
                                                  total) % {"n": total},
                   reverse("reporting:review_list"), _("去审核"), count=total,
                   note=_("最早的一份上报于 %(at)s") % {
                       "at": oldest.astimezone(SHANGHAI).strftime("%m-%d %H:%M")} if oldest else "")
    else:
        for sub in queue:
            yield Item(Section.DECIDE, kind,
                       f"{dataset_name(sub.dataset_code)} · {_period(sub.period)}",
                       _form(sub.unit.code, sub.dataset_code, sub.period), _("审核"),
                       unit=sub.unit.name,
                       note=_("%(who)s 上报") % {"who": sub.submitted_by.display_name}
                       if sub.submitted_by else "",
                       at=sub.submitted_at)
    for req in selectors.pending_late_requests(scope=scope):
        yield Item(Section.DECIDE, kind, _("补报申请：%(report)s · %(period)s") % {
                       "report": dataset_name(req.dataset_code), "period": _period(req.period)},
                   _form(req.unit.code, req.dataset_code, req.period) + "#late-request",
                   _("批复"), unit=req.unit.name, note=req.reason, at=req.requested_at)
    # The leader's red line: today's daily reports not yet in from the units below.
    today = now.astimezone(SHANGHAI).date()
    totals = selectors.timeliness(scope=scope, period=Period.containing(PeriodType.DAY, today)
                                  ).totals
    if totals["missing"]:
        yield Item(Section.RED, kind, ngettext(
            "今天还有 %(n)d 份日报未报（共 %(total)d 份）", "今天还有 %(n)d 份日报未报（共 %(total)d 份）",
            totals["missing"]) % {"n": totals["missing"], "total": totals["expected"]},
                   reverse("reporting:missing"), _("未报清单"), count=totals["missing"])


def _changes(*, scope: Scope, now: dt.datetime, kind: str) -> Iterator[Item]:
    for sub in selectors.recent_decisions(scope=scope, since=now - CHANGES_SINCE):
        who = sub.reviewed_by.display_name if sub.reviewed_by else _("上级")
        what = (_("%(who)s 审核通过") if sub.status == "accepted" else _("%(who)s 退回"))
        note = what % {"who": who}
        if sub.comment:
            note += _("：%(comment)s") % {"comment": sub.comment}
        yield Item(Section.CHANGED, kind, f"{dataset_name(sub.dataset_code)} · {_period(sub.period)}",
                   _form(sub.unit.code, sub.dataset_code, sub.period), _("查看"),
                   unit=sub.unit.name, note=note, at=sub.reviewed_at)
