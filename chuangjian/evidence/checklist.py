"""The evidence checklist (佐证清单): per unit, standard and year, what is there and what is missing.

Each indicator's required evidence (``Indicator.evidence``, e.g. 活动照片、活动签到表)
is one row. A row is met when a record is linked to it. For a missing row the
activities of the evidence window are proposed, best first:

1. the activity's type counts toward a data element of the indicator's expression
   (文体活动 → cultural_sports_activities → 小型文体活动次数);
2. a keyword of the type appears in the required text (例会 → 例会记录) or in the
   indicator's name (禁毒 → 禁赌、禁毒成效显著);
3. the core of the required text (例会记录 → 例会) appears in the activity's title or
   description.

A row asking for photos (照片) only proposes activities that have photos.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q

from chuangjian.evidence import selectors
from chuangjian.evidence.models import Activity, ActivityType, EvidenceLink
from chuangjian.files.models import FileKind
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.standards.models import Indicator, StandardVersion

# Words that say what form the evidence takes, not what it is about.
_GENERIC = ("照片", "记录", "签到表", "台账", "名册", "材料", "简报", "资料", "登记表", "登记册",
            "登记", "清单", "证明", "说明", "表", "册", "协议书", "协议", "报表", "统计")
_TOO_VAGUE = {"", "活动", "现场", "工作", "居民户参与", "值岗"}


def core_of(requirement: str) -> str:
    """What a required text is about: 例会记录 → 例会, 消防宣传活动照片 → 消防宣传活动."""
    text = requirement.strip()
    changed = True
    while changed:
        changed = False
        for word in _GENERIC:
            if text.endswith(word) and len(text) > len(word):
                text = text[: -len(word)]
                changed = True
    return "" if text in _TOO_VAGUE else text


# Required items that are registers or certificates rather than records of an event: an
# activity is proposed for them only when its type names them (消防 → 消防器材配备台账).
_DOCUMENT_WORDS = ("证明", "平面图", "名册", "登记", "台账", "协议", "说明", "报表", "清单",
                   "测量表", "统计", "公示", "分布图", "订阅")


def is_document(requirement: str) -> bool:
    return any(word in requirement for word in _DOCUMENT_WORDS)


def wants_photos(requirement: str) -> bool:
    return "照片" in requirement


@dataclass
class Candidate:
    activity: Activity
    score: int
    reason: str


@dataclass
class Requirement:
    text: str
    links: list[EvidenceLink] = field(default_factory=list)
    proposals: list[Candidate] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return bool(self.links)


@dataclass
class IndicatorRow:
    indicator: Indicator
    requirements: list[Requirement]
    other_links: list[EvidenceLink] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.requirements)

    @property
    def met(self) -> int:
        return sum(1 for r in self.requirements if r.met)

    @property
    def missing(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.met]

    @property
    def complete(self) -> bool:
        return self.met == self.total


@dataclass
class ItemGroup:
    code: str
    name: str
    rows: list[IndicatorRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(r.total for r in self.rows)

    @property
    def met(self) -> int:
        return sum(r.met for r in self.rows)

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 100


@dataclass
class Checklist:
    unit: Unit
    standard: StandardVersion
    year: int
    start: dt.date
    end: dt.date
    items: list[ItemGroup]

    @property
    def total(self) -> int:
        return sum(i.total for i in self.items)

    @property
    def met(self) -> int:
        return sum(i.met for i in self.items)

    @property
    def percent(self) -> int:
        return round(100 * self.met / self.total) if self.total else 100

    @property
    def missing_count(self) -> int:
        return self.total - self.met

    def row(self, indicator_code: str) -> IndicatorRow | None:
        for item in self.items:
            for row in item.rows:
                if row.indicator.code == indicator_code:
                    return row
        return None


def window_activities(scope: Scope, unit: Unit, start: dt.date, end: dt.date) -> list[Activity]:
    """The activities of ``unit`` and the units below it in the window, with photo counts."""
    return list(selectors.activities(scope=scope, unit=unit, date_from=start, date_to=end))


def _elements_of(indicator: Indicator) -> set[str]:
    return selectors.expression_elements(indicator.expression)


def candidates_for(indicator: Indicator, requirement: str, activities: list[Activity],
                   types: dict[int, ActivityType], exclude: set[int] = frozenset()  # type: ignore[assignment]
                   ) -> list[Candidate]:
    """Activities that could prove ``requirement`` of ``indicator``, best first."""
    elements = _elements_of(indicator)
    core = core_of(requirement)
    photos = wants_photos(requirement)
    document = is_document(requirement)
    found: list[Candidate] = []
    for activity in activities:
        if activity.pk in exclude:
            continue
        if photos and not getattr(activity, "n_photos", 0):
            continue
        kind = types.get(activity.type_id) or activity.type
        score, reason = 0, ""
        counted = elements.intersection(kind.elements)
        if counted:
            score, reason = 3, f"计入{indicator.name}"
        else:
            word = next((k for k in kind.keywords if k and k in requirement), None)
            if word:
                score, reason = 2, f"类型「{kind.name}」对应「{requirement}」"
            else:
                word = next((k for k in kind.keywords if k and k in indicator.name), None)
                if word:
                    score, reason = 1, f"类型「{kind.name}」与「{indicator.name}」相关"
        if not score and core and (core in activity.title or core in activity.description):
            score, reason = 1, f"活动名称或内容含「{core}」"
        if score and (score >= 2 or not document):
            found.append(Candidate(activity, score, reason))
    found.sort(key=lambda c: (-c.score, -c.activity.date.toordinal(), -c.activity.pk))
    return found


def build_checklist(scope: Scope, *, unit: Unit, standard: StandardVersion, year: int,
                    proposals: int = 3, with_proposals: bool = True) -> Checklist:
    """The checklist of ``unit`` for ``standard`` and ``year`` (the caller checked the scope)."""
    start, end = selectors.window(standard.code, year)
    indicators = [i for i in selectors.indicators_for(standard, unit) if i.evidence]
    by_target: dict[tuple[str, str], list[EvidenceLink]] = defaultdict(list)
    for link in selectors.links(scope=scope, unit=unit, standard_code=standard.code, year=year):
        by_target[(link.indicator_code, link.requirement)].append(link)
    activities = window_activities(scope, unit, start, end) if with_proposals else []
    types = {t.pk: t for t in ActivityType.objects.all()}
    items: list[ItemGroup] = []
    for indicator in indicators:
        if not items or items[-1].code != indicator.item_code:
            items.append(ItemGroup(indicator.item_code, indicator.item_name))
        requirements: list[Requirement] = []
        for text in indicator.evidence:
            linked = by_target.get((indicator.code, text), [])
            req = Requirement(text, list(linked))
            if with_proposals and not linked:
                req.proposals = candidates_for(indicator, text, activities, types)[:proposals]
            requirements.append(req)
        items[-1].rows.append(IndicatorRow(indicator, requirements,
                                           by_target.get((indicator.code, ""), [])))
    return Checklist(unit, standard, year, start, end, items)


def proposals_for_activity(scope: Scope, activity: Activity, year: int | None = None
                           ) -> list[tuple[StandardVersion, Indicator, str, int]]:
    """Where one activity could serve as evidence: (standard, indicator, requirement, score).

    Enter once, prove many: the activity's unit and the units above it are offered every
    applicable standard whose required evidence the activity matches.
    """
    year = year or activity.date.year
    activity_with_counts = (Activity.objects.filter(pk=activity.pk)
                            .annotate(n_photos=Count("attachments", filter=Q(
                                attachments__file__kind=FileKind.IMAGE)))
                            .select_related("type").first())
    if activity_with_counts is None:
        return []
    types = {activity.type_id: activity.type}
    found: list[tuple[StandardVersion, Indicator, str, int]] = []
    linked = set(EvidenceLink.objects.filter(activity=activity, unit=activity.unit)
                 .values_list("standard_code", "indicator_code", "requirement"))
    for standard in selectors.standards_for_unit(activity.unit, year):
        start, end = selectors.window(standard.code, year)
        if not start <= activity.date <= end:
            continue
        for indicator in selectors.indicators_for(standard, activity.unit):
            for text in indicator.evidence:
                if (standard.code, indicator.code, text) in linked:
                    continue
                hits = candidates_for(indicator, text, [activity_with_counts], types)
                if hits:
                    found.append((standard, indicator, text, hits[0].score))
    found.sort(key=lambda row: (-row[3], row[0].code, row[1].order))
    return found
