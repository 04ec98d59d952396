"""The daily digest (每日提醒): for each person, what they owe that is overdue or due
today — their tasks, the reports due by 16:00, the rectification orders — read from the
same inbox the home page shows (``chuangjian.web.inbox``), so the two never disagree.

基层减负: at most one digest a day per person and channel (``Delivery`` is unique on the
day); an overdue item stays in every day's digest until it is done; a person with nothing
overdue or due today gets nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from chuangjian.engine.periods import SHANGHAI
from chuangjian.notify import channels
from chuangjian.notify.models import Delivery
from chuangjian.org.models import User
from chuangjian.org.scope import Scope
from chuangjian.web.inbox import Item, collect


def _local(instant: dt.datetime) -> dt.datetime:
    return timezone.localtime(instant, SHANGHAI)


@dataclass
class Digest:
    user: User
    day: dt.date
    overdue: list[Item] = field(default_factory=list)
    due_today: list[Item] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return [*self.overdue, *self.due_today]

    @property
    def empty(self) -> bool:
        return not self.items

    def subject(self) -> str:
        return f"每日提醒：逾期 {len(self.overdue)} 项，今天到期 {len(self.due_today)} 项"

    @staticmethod
    def _line(item: Item, *, markdown: bool) -> str:
        when = f"期限 {_local(item.due):%m-%d %H:%M}" if item.due else ""
        where = f"（{item.unit}）" if item.unit else ""
        title = f"[{item.title}]({settings.SITE_URL}{item.url})" if markdown else item.title
        parts = [f"【{item.kind}】{title}{where}", when]
        if item.count and item.count > 1:
            parts.append(f"共 {item.count} 项")
        line = " · ".join(p for p in parts if p)
        return f"- {line}"

    def _sections(self, *, markdown: bool) -> Iterator[str]:
        if self.overdue:
            yield (f"**已逾期 {len(self.overdue)} 项**" if markdown
                   else f"已逾期 {len(self.overdue)} 项：")
            yield from (self._line(i, markdown=markdown) for i in self.overdue)
        if self.due_today:
            yield (f"**今天到期 {len(self.due_today)} 项**" if markdown
                   else f"今天到期 {len(self.due_today)} 项：")
            yield from (self._line(i, markdown=markdown) for i in self.due_today)

    def markdown(self) -> str:
        head = f"### 每日提醒 · {self.user.display_name} · {self.day.year}年{self.day.month}月{self.day.day}日"
        tail = f"[打开我的待办]({settings.SITE_URL}/)"
        return "\n".join([head, *self._sections(markdown=True), tail])

    def text(self) -> str:
        head = (f"{self.user.display_name}，您好：\n\n"
                f"{self.day.year}年{self.day.month}月{self.day.day}日的待办提醒如下。")
        tail = f"\n打开我的待办：{settings.SITE_URL}/\n（每天一封，办结后不再提醒）"
        return "\n".join([head, "", *self._sections(markdown=False), tail])


def digest_for(*, scope: Scope, user: User, now: dt.datetime) -> Digest:
    """One person's digest: the items of their inbox that they owe (or that were escalated
    to them) which are overdue or fall due today, in the inbox's own order."""
    box = collect(scope=scope, user=user, now=now)
    today = _local(now).date()
    digest = Digest(user=user, day=today)
    for item in [*box.red, *box.owe]:
        if item.overdue:
            digest.overdue.append(item)
        elif item.due is not None and _local(item.due).date() == today:
            digest.due_today.append(item)
    return digest


def recipients(*, scope: Scope) -> list[User]:
    """Everyone active who holds a post in an open unit."""
    return list(User.objects.filter(is_active=True, memberships__unit__closed_on__isnull=True)
                .distinct().order_by("username"))


@dataclass
class Sent:
    user: User
    channel: str
    items: int
    status: str  # sent / failed / skipped (already sent today) / dry-run
    error: str = ""


def _record(user: User, channel: str, day: dt.date, outcome: channels.Outcome, items: int,
            now: dt.datetime) -> None:
    status = Delivery.Status.SENT if outcome.ok else Delivery.Status.FAILED
    with transaction.atomic():
        row = Delivery.objects.select_for_update().filter(user=user, channel=channel, day=day).first()
        if row is None:
            try:
                with transaction.atomic():
                    Delivery.objects.create(user=user, channel=channel, day=day, status=status,
                                            attempts=outcome.attempts, items=items,
                                            error=outcome.error, at=now)
                return
            except IntegrityError:  # another run recorded it meanwhile
                row = Delivery.objects.select_for_update().get(user=user, channel=channel, day=day)
        row.status, row.items, row.error, row.at = status, items, outcome.error, now
        row.attempts += outcome.attempts
        row.save(update_fields=["status", "items", "error", "at", "attempts"])


def send_digests(*, scope: Scope, now: dt.datetime | None = None, dry_run: bool = False,
                 users: list[User] | None = None) -> list[Sent]:
    """Send today's digest to everyone with something overdue or due, once a day per
    channel: a second run the same day sends only what failed before."""
    now = now or timezone.now()
    day = _local(now).date()
    enabled = channels.enabled_channels()
    done = {(d.user_id, d.channel) for d in Delivery.objects.filter(day=day,
                                                                     status=Delivery.Status.SENT)}
    results: list[Sent] = []
    for user in users if users is not None else recipients(scope=scope):
        digest = digest_for(scope=Scope.for_user(user), user=user, now=now)
        if digest.empty:
            continue
        if dry_run:
            results.append(Sent(user, ",".join(enabled) or "-", len(digest.items), "dry-run"))
            continue
        for channel in enabled:
            if (user.pk, channel) in done:
                results.append(Sent(user, channel, len(digest.items), "skipped"))
                continue
            outcome = channels.deliver(channel, digest)
            if outcome is None:
                continue
            _record(user, channel, day, outcome, len(digest.items), now)
            results.append(Sent(user, channel, len(digest.items),
                                "sent" if outcome.ok else "failed", outcome.error))
    return results
