"""Reading rounds, nominations and titles within a scope, and the yearly re-check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from chuangjian.awards import eligibility
from chuangjian.awards.models import (
    Nomination,
    NominationState,
    Round,
    Stage,
    Title,
    TitleState,
    Voter,
)
from chuangjian.awards.schemes import scheme_for
from chuangjian.org.scope import Cap, Scope


def held_q(*, scope: Scope, year: int) -> Q:
    """Titles held in ``year``: named for a year they cover, not withdrawn before its end
    (the filter itself; callers apply the scope)."""
    return (Q(year__lte=year, valid_until_year__gte=year)
            & (Q(state=TitleState.ACTIVE) | Q(withdrawn_on__gt=dt.date(year, 12, 31))))


def rounds(*, scope: Scope, year: int | None = None) -> QuerySet[Round]:
    """Rounds organised in scope, and rounds whose organiser is above a unit in scope
    (a community sees the street's round it nominates to)."""
    visible = scope.filter(Round.objects.all(), Cap.VIEW, field_name="organiser__path")
    if not scope.is_global:
        above = Q(pk__in=[])
        for unit in scope.units(Cap.ENTER_DATA).only("path")[:200]:
            above |= Q(organiser__path__in=[unit.path[:i] for i in range(8, len(unit.path) + 1, 8)])
        visible = visible | Round.objects.filter(above)
    rows = visible.select_related("organiser").distinct()
    return rows.filter(year=year) if year else rows


def round_for(*, scope: Scope, pk: int) -> Round:
    found = rounds(scope=scope).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def ballot_round(*, scope: Scope, user: Any, pk: int) -> tuple[Round, Voter]:
    """A round the user sits on the panel of (a voter need not see the organiser)."""
    voter = (Voter.objects.select_related("round__organiser").filter(round_id=pk, user=user)
             .first() if getattr(user, "is_authenticated", False) else None)
    if voter is None:
        raise Http404
    return voter.round, voter


def my_ballots(*, scope: Scope, user: Any) -> QuerySet[Voter]:
    if not getattr(user, "is_authenticated", False):
        return Voter.objects.none()
    return Voter.objects.filter(user=user, round__stage=Stage.VOTING).select_related("round")


def nominations(*, scope: Scope, round: Round) -> QuerySet[Nomination]:
    """The organiser sees every nomination; a nominating unit sees its own."""
    rows = round.nominations.select_related("unit").order_by("rank", "id")
    if scope.allows(round.organiser, Cap.VIEW):
        return rows
    return scope.filter(rows, Cap.ENTER_DATA, field_name="unit__path")


def nomination_for(*, scope: Scope, pk: int) -> Nomination:
    n = Nomination.objects.select_related("round__organiser", "unit").filter(pk=pk).first()
    if n is None or not (scope.allows(n.round.organiser, Cap.VIEW)
                         or scope.allows(n.unit, Cap.ENTER_DATA)):
        raise Http404
    return n


def titles(*, scope: Scope, year: int | None = None) -> QuerySet[Title]:
    rows = scope.filter(Title.objects.select_related("unit"), Cap.VIEW, field_name="unit__path")
    return rows.filter(held_q(scope=scope, year=year)) if year else rows


def title_for(*, scope: Scope, pk: int) -> Title:
    t = titles(scope=scope).filter(pk=pk).first()
    if t is None:
        raise Http404
    return t


def history(*, scope: Scope, title: Title) -> QuerySet[Title]:
    """Every title of the same holder, newest first (history per unit and per person)."""
    holder = {f: getattr(title, f"{f}_id") for f in ("holder_unit", "household", "volunteer",
                                                      "person") if getattr(title, f"{f}_id")}
    return titles(scope=scope).filter(**holder).order_by("-year", "-id")


def awaiting_withdrawal(*, scope: Scope) -> QuerySet[Title]:
    """Titles the re-check flagged, named (or recorded) where the person may withdraw
    them: each waits for a decision, 摘牌 or keep."""
    rows = Title.objects.filter(state=TitleState.ACTIVE, recheck_year__isnull=False)
    return scope.filter(rows.select_related("unit"), Cap.NAME_AWARDS,
                        field_name="organiser__path").order_by("recheck_at", "id")


def holder_news(*, scope: Scope, since: dt.datetime) -> QuerySet[Title]:
    """Titles held by the units the person works in (a membership there, not above)
    that the re-check flagged or that were withdrawn since ``since``: the holder's
    people learn of it, the levels above read the titles pages."""
    own = {g.unit_id for g in scope.grants if Cap.VIEW in g.caps}
    lately = (Q(state=TitleState.ACTIVE, recheck_at__gte=since)
              | Q(state=TitleState.WITHDRAWN, withdrawn_on__gte=timezone.localdate(since)))
    return (Title.objects.filter(unit_id__in=own).filter(lately).select_related("unit")
            .order_by("-id"))


# -- public pages (no login) -------------------------------------------------------------

def public_round(*, scope: Scope, code: str) -> Round:
    """A round in or after 公示, by its public code; others do not exist for the public."""
    found = (Round.objects.select_related("organiser")
             .filter(public_code=str(code)[:16].upper(),
                     stage__in=[Stage.PUBLICISING, Stage.NAMED]).first())
    if found is None:
        raise Http404
    return found


def public_list(*, scope: Scope, round: Round) -> QuerySet[Nomination]:
    return (round.nominations.filter(state__in=[NominationState.SHORTLISTED,
                                                NominationState.NAMED])
            .select_related("unit").order_by("rank", "id"))


def title_by_code(*, scope: Scope, code: str) -> Title | None:
    text = str(code or "").strip().upper()[:16]
    return Title.objects.filter(code=text).first() if text else None


# -- the yearly re-check -----------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    title: Title
    reasons: list[str]


def recheck(*, scope: Scope, year: int, now: dt.datetime | None = None) -> list[Finding]:
    """Titles held in ``year`` whose holder no longer meets the scheme's rules."""
    now = now or timezone.now()
    out: list[Finding] = []
    rows = titles(scope=scope).filter(held_q(scope=scope, year=year), state=TitleState.ACTIVE)
    for title in rows.select_related("holder_unit", "household", "volunteer__person", "person"):
        scheme = scheme_for(title.scheme_code)
        if scheme is None or not scheme.recheck:
            continue
        failing = eligibility.failing(eligibility.checks(scheme, title, year=year, now=now))
        if failing:
            out.append(Finding(title, failing))
    return out
