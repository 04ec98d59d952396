"""What an export holds, read through the assessment selectors within the reader's scope.

For a unit that is scored itself (a community) the export is its own score sheet;
for a unit above (a street) it is a summary of the units under it plus one score
sheet per unit; a unit that is both (a street scored on street-level items) gets
its own sheet first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.assessment import selectors
from chuangjian.assessment.models import AssessmentRun, Kind
from chuangjian.assessment.models.results import KIND_ALIASES
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.standards.models import StandardVersion

Report = Callable[[int, str], None]


class ExportError(Exception):
    """An export that cannot be made; the message is Chinese and names what is wrong."""


@dataclass
class ExportData:
    unit: Unit
    standard: StandardVersion
    run: AssessmentRun
    year: int
    kind: str
    own: selectors.Scorecard | None
    league: list[selectors.LeagueRow]
    cards: list[selectors.Scorecard]          # the units under ``unit``, in league order
    pass_rate: selectors.PassRate | None
    risks: list[selectors.RiskRow]
    generated_at: dt.datetime

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def all_cards(self) -> list[selectors.Scorecard]:
        return ([self.own] if self.own else []) + self.cards

    @property
    def title(self) -> str:
        return _("%(year)s 年度%(standard)s%(kind)s") % {
            "year": self.year, "standard": self.standard.name, "kind": self.kind_label}

    def filename(self, what: str, suffix: str) -> str:
        return f"{self.year}年{self.unit.name}{self.standard.name}{self.kind_label}{what}.{suffix}"


def parse_kind(text: str | None) -> str:
    if not text:
        return Kind.REVIEW.value
    kind = KIND_ALIASES.get(text.strip())
    if kind is None:
        raise ExportError(_("未知的考核类型「%(k)s」，应为 自查、考核 或 抽查") % {"k": text})
    return kind.value


def collect(scope: Scope, *, unit_code: str, standard_code: str, year: int, kind: str | None,
            progress: Report | None = None) -> ExportData:
    """Everything an export shows, or ``ExportError`` with the reason in Chinese."""
    kind = parse_kind(kind)
    standard = StandardVersion.objects.filter(code=standard_code).order_by("-version", "-overlay_version").first()
    if standard is None:
        raise ExportError(_("未知的标准「%(code)s」") % {"code": standard_code})
    unit = scope.units().filter(code=unit_code).first()
    if unit is None:
        raise ExportError(_("未知的单位「%(code)s」，或不在您的权限范围内") % {"code": unit_code})
    try:
        run = selectors.current_run(scope=scope, unit=unit, standard_code=standard_code, year=year,
                                    kind=kind)
        if run is None:
            raise ExportError(_("「%(unit)s」没有 %(year)s 年度「%(standard)s」的%(kind)s结果") % {
                "unit": unit.name, "year": year, "standard": standard.name,
                "kind": Kind(kind).label})
        own = selectors.scorecard(scope=scope, unit=unit, standard_code=standard_code, year=year,
                                  kind=kind, run=run)
        league = selectors.league(scope=scope, parent=unit, standard_code=standard_code, year=year,
                                  kind=kind)
        cards: list[selectors.Scorecard] = []
        for n, row in enumerate(league, start=1):
            if progress and (n == 1 or n % 5 == 0):
                progress(10 + int(50 * n / max(1, len(league))),
                         _("正在读取各单位评分（%(n)s/%(total)s）") % {"n": n, "total": len(league)})
            card = selectors.scorecard(scope=scope, unit=row.unit, standard_code=standard_code,
                                       year=year, kind=kind, run=run)
            if card is not None:
                cards.append(card)
        if own is None and not cards:
            raise ExportError(_("「%(unit)s」及其下级在 %(year)s 年度没有「%(standard)s」的%(kind)s结果") % {
                "unit": unit.name, "year": year, "standard": run.standard.name,
                "kind": Kind(kind).label})
        rate = (selectors.child_pass_rate(scope=scope, unit=unit, standard_code=standard_code,
                                          year=year, kind=kind) if league else None)
        risks = selectors.at_risk(scope=scope, root=unit, standard_code=standard_code, year=year,
                                  kind=kind)
    except Http404:
        raise ExportError(_("无权查看「%(unit)s」的考核结果") % {"unit": unit.name}) from None
    return ExportData(unit=unit, standard=run.standard, run=run, year=year, kind=kind, own=own,
                      league=league, cards=cards, pass_rate=rate, risks=risks,
                      generated_at=timezone.localtime())
