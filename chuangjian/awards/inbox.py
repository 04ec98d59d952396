"""What awards ask of a person on the home page (see `chuangjian.web.inbox`): the titles
the yearly re-check flagged, for the naming unit to confirm 摘牌 or keep; and, for the
people of the holder's unit, that their title was flagged or withdrawn."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.translation import gettext as _

from chuangjian.awards import selectors
from chuangjian.awards.models import Title, TitleState
from chuangjian.engine.periods import SHANGHAI
from chuangjian.org.models import User
from chuangjian.org.scope import Scope
from chuangjian.web.inbox import Item, Section, provider

# A re-check comes once a year: a holder's people may not look for weeks.
CHANGES_SINCE = dt.timedelta(days=30)
LIMIT = 50


def _what(title: Title) -> str:
    return f"{title.year}年{title.get_level_display()}{title.title} · {title.name}"


@provider("awards")
def award_items(*, scope: Scope, user: User, now: dt.datetime) -> Iterator[Item]:
    kind = _("称号复查")
    for title in selectors.awaiting_withdrawal(scope=scope)[:LIMIT]:
        yield Item(Section.DECIDE, kind, _("待确认摘牌：%(t)s") % {"t": _what(title)},
                   reverse("awards:title", args=[title.pk]), _("确认"), unit=title.unit.name,
                   note="；".join(title.recheck_reasons), at=title.recheck_at)
    for title in selectors.holder_news(scope=scope, since=now - CHANGES_SINCE)[:LIMIT]:
        url = reverse("awards:title", args=[title.pk])
        if title.state == TitleState.WITHDRAWN and title.withdrawn_on is not None:
            at = dt.datetime.combine(title.withdrawn_on, dt.time(0), tzinfo=SHANGHAI)
            yield Item(Section.CHANGED, kind, _("已摘牌：%(t)s") % {"t": _what(title)}, url,
                       _("查看"), unit=title.unit.name, note=title.withdrawn_reason, at=at)
        else:
            yield Item(Section.CHANGED, kind, _("复查不再符合条件：%(t)s") % {"t": _what(title)},
                       url, _("查看"), unit=title.unit.name,
                       note=_("%(r)s；待%(o)s确认是否摘牌")
                       % {"r": "；".join(title.recheck_reasons), "o": title.organiser_name},
                       at=title.recheck_at)
