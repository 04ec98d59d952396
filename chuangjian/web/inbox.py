"""The one inbox (我的待办): what each app asks of the signed-in person, on the home page.

The web app knows no app's records. Each app that has work for people declares an
inbox provider in ``<app>/inbox.py`` (imported at start-up by ``WebConfig.ready``):

    from chuangjian.web.inbox import Item, Section, provider

    @provider("reporting")
    def reports(*, scope, user, now):
        for due in selectors.inbox(scope=scope, now=now):
            yield Item(section=Section.OWE, kind=_("数据上报"), title=..., unit=...,
                       due=due.due, overdue=..., url=..., action=_("填报"))

A provider yields `Item`s for four sections: 需要我办的 (what I owe: reports, orders to
rectify, later the registers' tasks and the cases' follow-ups), 等我审批的 (what waits for
my decision), 下级的红灯 (a leader's units with red items, shown on top) and 最近的变化
(decisions on my things in the last days). The home page sorts each section — overdue
first, then by deadline — and shows each item with its deadline in 北京时间 and one
button to act. A provider sees only what the scope lets it see; it is given the scope
and must use it (every selector it calls takes it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from chuangjian.org.models import User
from chuangjian.org.scope import Scope


class Section(StrEnum):
    RED = "red"          # a leader's units: overdue below me (a count with a link)
    OWE = "owe"          # what I must do
    DECIDE = "decide"    # what waits for my decision
    CHANGED = "changed"  # what others decided about my things lately


@dataclass(frozen=True)
class Item:
    section: Section
    kind: str                    # the app's name for the work, 数据上报 / 整改
    title: str                   # what: 社区/村日报 · 2026年12月2日
    url: str                     # one tap to act
    action: str                  # the button: 填报 / 审核 / 处理
    unit: str = ""               # whose
    note: str = ""               # a sentence: the reviewer's comment, the state
    due: dt.datetime | None = None
    overdue: bool = False
    at: dt.datetime | None = None  # when it happened (for 最近的变化)
    count: int | None = None     # how many things a summary line stands for


class Provider(Protocol):
    def __call__(self, *, scope: Scope, user: User, now: dt.datetime) -> Iterable[Item]: ...


_providers: dict[str, Provider] = {}


def provider(key: str) -> Callable[[Provider], Provider]:
    """Register an inbox provider under ``key`` (one per app, or per kind of work)."""
    def register(fn: Provider) -> Provider:
        if key in _providers and _providers[key] is not fn:
            raise ValueError(f"inbox provider {key!r} registered twice")
        _providers[key] = fn
        return fn
    return register


def providers() -> dict[str, Provider]:
    return dict(_providers)


_FAR = dt.datetime.max.replace(tzinfo=dt.UTC)
_PAST = dt.datetime.min.replace(tzinfo=dt.UTC)


@dataclass
class Inbox:
    red: list[Item] = field(default_factory=list)
    owe: list[Item] = field(default_factory=list)
    decide: list[Item] = field(default_factory=list)
    changed: list[Item] = field(default_factory=list)

    @property
    def overdue(self) -> int:
        """How many things I owe are overdue (a summary line counts its items)."""
        return sum(i.count or 1 for i in self.owe if i.overdue)

    @property
    def to_do(self) -> int:
        return sum(i.count or 1 for i in self.owe)

    @property
    def to_decide(self) -> int:
        """How many things wait for my decision (a summary line counts its items)."""
        return sum(i.count or 1 for i in self.decide)

    @property
    def empty(self) -> bool:
        return not (self.red or self.owe or self.decide or self.changed)


def collect(*, scope: Scope, user: User, now: dt.datetime) -> Inbox:
    """Every registered provider's items for this person, each section in the order a
    person works it: overdue first, then the nearest deadline; changes newest first."""
    box = Inbox()
    for fn in _providers.values():
        for item in fn(scope=scope, user=user, now=now):
            getattr(box, item.section.value).append(item)
    for items in (box.red, box.owe, box.decide):
        items.sort(key=lambda i: (not i.overdue, i.due or _FAR))
    box.changed.sort(key=lambda i: i.at or _PAST, reverse=True)
    return box
