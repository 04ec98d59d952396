"""Gather a ledger's contents: the standard's table, scores, and the evidence of every item."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from chuangjian.evidence import selectors
from chuangjian.evidence.models import ActivityFile, EvidenceLink
from chuangjian.files.models import FileKind, StoredFile
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.standards.models import Indicator, StandardVersion

# Photos shown per record in the ledger; the rest are counted ("另有 N 张").
THUMBS_PER_ENTRY = 4

Progress = Callable[[int, str], None]


@dataclass
class Entry:
    label: str
    date: dt.date | None
    kind: str
    detail: str = ""
    photos: list[StoredFile] = field(default_factory=list)
    more_photos: int = 0
    documents: list[str] = field(default_factory=list)


@dataclass
class Requirement:
    text: str
    entries: list[Entry]

    @property
    def missing(self) -> bool:
        return not self.entries


@dataclass
class IndicatorPage:
    number: str
    anchor: str
    indicator: Indicator
    target: str
    value: str
    status: str
    status_key: str  # met / not_met / unknown
    score: str
    requirements: list[Requirement]
    others: list[Entry]

    @property
    def missing(self) -> list[str]:
        return [r.text for r in self.requirements if r.missing]


@dataclass
class ContentSection:
    number: str
    anchor: str
    name: str
    indicators: list[IndicatorPage] = field(default_factory=list)


@dataclass
class ItemSection:
    number: str
    anchor: str
    name: str
    contents: list[ContentSection] = field(default_factory=list)

    @property
    def indicators(self) -> list[IndicatorPage]:
        return [i for c in self.contents for i in c.indicators]


@dataclass
class Ledger:
    unit: Unit
    standard: StandardVersion
    year: int
    start: dt.date
    end: dt.date
    compiler: str
    compiled_on: dt.date
    assessed: bool
    total: str
    tier: str
    passed: str
    items: list[ItemSection]

    @property
    def indicators(self) -> list[IndicatorPage]:
        return [i for item in self.items for i in item.indicators]

    @property
    def photos(self) -> dict[str, StoredFile]:
        """Every photo the ledger shows, by content hash (the key its pages refer to)."""
        return {photo.sha256: photo for ind in self.indicators
                for entries in (*(r.entries for r in ind.requirements), ind.others)
                for entry in entries for photo in entry.photos}

    @property
    def required(self) -> int:
        return sum(len(i.requirements) for i in self.indicators)

    @property
    def missing(self) -> int:
        return sum(len(i.missing) for i in self.indicators)

    @property
    def title(self) -> str:
        return _("%(unit)s %(year)s 年度%(campaign)s台账") % {
            "unit": self.unit.name, "year": self.year, "campaign": self.standard.campaign}

    @property
    def filename_stem(self) -> str:
        return f"{self.unit.name}{self.year}年度{self.standard.campaign}台账"


def _score(scope: Scope, unit: Unit, code: str, year: int) -> Any:
    """The unit's score sheet from the assessment (考核, else 自查), or None when not assessed."""
    try:
        from chuangjian.assessment import selectors as assessment
    except ImportError:  # pragma: no cover - the assessment app is always installed
        return None
    for kind in ("review", "self"):
        card = assessment.scorecard(scope=scope, unit=unit, standard_code=code, year=year, kind=kind)
        if card is not None:
            return card
    return None


def _status_key(row: Any) -> str:
    light = getattr(row, "light", "grey")
    return {"green": "met", "red": "not_met", "amber": "partial"}.get(light, "unknown")


def _entries_for(links: list[EvidenceLink], photos: dict[int, list[StoredFile]],
                 documents: dict[int, list[str]]) -> list[Entry]:
    entries: list[Entry] = []
    for link in links:
        if link.activity is not None:
            activity = link.activity
            images = photos.get(activity.pk, [])
            detail = _("%(place)s · %(n)s 人参加 · 组织：%(organiser)s") % {
                "place": activity.place, "n": activity.participants_count,
                "organiser": activity.organiser}
            entries.append(Entry(label=activity.title, date=activity.date,
                                 kind=activity.type.name, detail=detail,
                                 photos=images[:THUMBS_PER_ENTRY],
                                 more_photos=max(0, len(images) - THUMBS_PER_ENTRY),
                                 documents=documents.get(activity.pk, [])))
        elif link.document is not None:
            document = link.document
            stored = document.file
            entries.append(Entry(label=document.title, date=document.date, kind=_("材料"),
                                 detail=document.note,
                                 photos=[stored] if stored.kind == FileKind.IMAGE else [],
                                 documents=[] if stored.kind == FileKind.IMAGE else [stored.name]))
        else:
            kind = link.content_type.name if link.content_type else _("记录")
            entries.append(Entry(label=link.label, date=link.record_date, kind=str(kind)))
    return entries


def collect(scope: Scope, *, unit: Unit, standard: StandardVersion, year: int,
            compiler: str = "", progress: Progress | None = None) -> Ledger:
    """Everything the ledger shows; the caller has checked that the scope sees ``unit``."""
    start, end = selectors.window(standard.code, year)
    card = _score(scope, unit, standard.code, year)
    rows = {r.code: r for r in card.rows} if card is not None else {}
    links = list(selectors.links(scope=scope, unit=unit, standard_code=standard.code, year=year)
                 .select_related("activity__type", "document__file", "content_type"))
    activity_ids = {link.activity_id for link in links if link.activity_id}
    photos: dict[int, list[StoredFile]] = defaultdict(list)
    documents: dict[int, list[str]] = defaultdict(list)
    for af in (ActivityFile.objects.filter(activity_id__in=activity_ids)
               .select_related("file").order_by("activity_id", "order", "id")):
        if af.file.kind == FileKind.IMAGE:
            photos[af.activity_id].append(af.file)
        else:
            documents[af.activity_id].append(af.file.name)
    by_target: dict[tuple[str, str], list[EvidenceLink]] = defaultdict(list)
    for link in links:
        by_target[(link.indicator_code, link.requirement)].append(link)

    items: list[ItemSection] = []
    indicators = selectors.indicators_for(standard, unit)
    for n, indicator in enumerate(indicators):
        if progress and n % 10 == 0:
            progress(10 + int(30 * n / max(1, len(indicators))), _("正在汇总指标与佐证"))
        if not items or items[-1].name != indicator.item_name:
            number = str(len(items) + 1)
            items.append(ItemSection(number, f"item-{number}", indicator.item_name))
        item = items[-1]
        if not item.contents or item.contents[-1].name != indicator.content_name:
            number = f"{item.number}.{len(item.contents) + 1}"
            item.contents.append(ContentSection(number, f"content-{number}", indicator.content_name))
        content = item.contents[-1]
        number = f"{content.number}.{len(content.indicators) + 1}"
        row = rows.get(indicator.code)
        if row is not None:
            value = row.display
            status = row.status_label if not getattr(row, "is_reviewer", False) else (
                _("已评分") if row.score is not None else _("待评审"))
            score = f"{row.score_display} / {row.max_score:g}"
            target = row.target_text or indicator.target_text
            key = _status_key(row)
        else:
            value, status, key = "—", _("尚未考核"), "unknown"
            score = f"— / {indicator.max_score:g}"
            target = indicator.target_text
        requirements = [Requirement(text, _entries_for(by_target.get((indicator.code, text), []),
                                                       photos, documents))
                        for text in indicator.evidence]
        content.indicators.append(IndicatorPage(
            number=number, anchor=f"ind-{indicator.code}", indicator=indicator,
            target=target or _("见测评标准"), value=value, status=status, status_key=key,
            score=score, requirements=requirements,
            others=_entries_for(by_target.get((indicator.code, ""), []), photos, documents)))
    total = tier = passed = ""
    if card is not None:
        total = card.total_display
        tier = card.tier or ""
        passed = _("合格") if card.passed else (_("一票否决") if card.vetoed else _("不合格"))
    return Ledger(unit=unit, standard=standard, year=year, start=start, end=end,
                  compiler=compiler or unit.name, compiled_on=timezone.localdate(),
                  assessed=card is not None, total=total, tier=tier, passed=passed, items=items)
