"""Reads of the stored standards. Standards are public to every signed-in user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import groupby
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from chuangjian.org.levels import Kind
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.standards.models import Indicator, StandardVersion

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _IndicatorCount(TypedDict):
    n_indicators: int


# A standard names levels the way the plans do (街道 and 镇, 社区 and 村); the tree keeps
# one level per rung and tells 镇 from 街道 and 村 from 社区 by the unit's category.
_LEVEL_MATCH: dict[str, tuple[str, str | None]] = {
    "district": ("district", None),
    "street": ("street", None),
    "town": ("street", "农村"),
    "area": ("area", None),
    "community": ("community", None),
    "village": ("community", "农村"),
    "grid": ("grid", None),
    "building": ("building", None),
}


def unit_matches(levels: Iterable[str], categories: Iterable[str], unit: Unit) -> bool:
    """Whether a standard (or indicator) for ``levels``/``categories`` applies to ``unit``."""
    if unit.category not in set(categories):
        return False
    for level in levels:
        if level == "department":
            if unit.kind == Kind.DEPARTMENT:
                return True
            continue
        tree_level, category = _LEVEL_MATCH.get(level, (level, None))
        if unit.kind == Kind.AREA and unit.level == tree_level and (
                category is None or unit.category == category):
            return True
    return False


def current_standards() -> QuerySet[WithAnnotations[StandardVersion, _IndicatorCount]]:
    """The latest version of every standard, with its indicator count."""
    latest_ids = []
    for _code, versions in groupby(
            StandardVersion.objects.order_by("code", "-version", "-overlay_version").values_list("code", "pk"),
            key=lambda row: row[0]):
        latest_ids.append(next(versions)[1])
    return (StandardVersion.objects.filter(pk__in=latest_ids)
            .annotate(n_indicators=Count("indicators")).order_by("campaign", "code"))


def standard_for(code: str, version: int | None = None) -> StandardVersion:
    qs = StandardVersion.objects.filter(code=code)
    found = (qs.filter(version=version) if version else qs).order_by(
        "-version", "-overlay_version").first()
    if found is None:
        raise Http404
    return found


@dataclass
class ContentRows:
    code: str
    name: str
    indicators: list[Indicator]


@dataclass
class ItemRows:
    code: str
    name: str
    max_score: float
    contents: list[ContentRows]

    @property
    def rowspan(self) -> int:
        return sum(len(c.indicators) for c in self.contents)


def standard_table(standard: StandardVersion) -> list[ItemRows]:
    """The 测评体系 table: 项目 → 内容 → 标准, in file order, ready for rowspans."""
    items: list[ItemRows] = []
    for indicator in standard.indicators.order_by("order"):
        if not items or items[-1].code != indicator.item_code:
            items.append(ItemRows(indicator.item_code, indicator.item_name, 0, []))
        item = items[-1]
        if not item.contents or item.contents[-1].code != indicator.content_code:
            item.contents.append(ContentRows(indicator.content_code, indicator.content_name, []))
        item.contents[-1].indicators.append(indicator)
        if not indicator.bonus:
            item.max_score += indicator.max_score
    return items


def search_indicators(query: str, *, scope: Scope, limit: int = 50) -> list[Indicator]:
    """Indicators of the current standards matching ``query`` by name, item or code.

    Standards are the plans' own text and every signed-in person may read them, so the
    scope filters nothing here; it is taken so that every selector has one contract.
    """
    query = query.strip()
    if not query:
        return []
    latest = current_standards().values("pk")
    qs = (Indicator.objects.filter(standard__in=latest).select_related("standard")
          .filter(Q(name__icontains=query) | Q(content_name__icontains=query) |
                  Q(item_name__icontains=query) | Q(code__iexact=query)))
    return list(qs.order_by("standard__campaign", "standard__code", "order")[:limit])


def search_standards(query: str, *, scope: Scope) -> list[StandardVersion]:
    """Current standards whose name, campaign or code matches ``query`` (readable by all)."""
    query = query.strip()
    if not query:
        return []
    return list(current_standards().filter(Q(name__icontains=query) |
                                           Q(campaign__icontains=query) |
                                           Q(code__iexact=query)))


def standard_parts(version: StandardVersion, *, scope: Scope) -> list[Any]:
    """合格分、等次、加分上限、分值、否决项: each with who set it (the plan, quoted, or our
    default and why) and, for an office's overlay, the built-in value it replaced.
    Standards are readable by every signed-in person; the scope filters nothing."""
    import yaml

    from chuangjian.standards import overlays
    from chuangjian.standards.loader import _class_keys
    from chuangjian.standards.schema import Standard

    def parse(text: str) -> Standard:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe
        return Standard.model_validate(data, context={"class_keys": _class_keys(data)})

    base = None
    if version.is_overlay:
        shipped = StandardVersion.objects.filter(code=version.code, version=version.version,
                                                 overlay_version=0).first()
        base = parse(shipped.source_text) if shipped is not None else None
    return overlays.part_rows(parse(version.source_text), base)


@dataclass(frozen=True)
class ClassRow:
    """One unit's class for a year: what holds, since when, and any suggestion pending."""

    unit: Unit
    unit_class: str | None
    since: str | None
    reason: str
    proposed: str | None
    proposal_reason: str


def class_rows(*, scope: Scope, standard_code: str, year: int, root: Unit) -> list[ClassRow]:
    """Every unit under ``root`` (that ``scope`` sees and the standard applies to) with the
    class holding in ``year`` and the 动态升降 suggestion for ``year + 1`` not yet confirmed."""
    from chuangjian.standards.models import UnitClassAssignment

    standard = (StandardVersion.objects.filter(code=standard_code, unit_classes__isnull=False)
                .order_by("-version").first())
    if standard is None:
        raise Http404
    units = [u for u in scope.filter(Unit.objects.filter(path__startswith=root.path,
                                                         closed_on__isnull=True))
             .order_by("path") if unit_matches(standard.levels, standard.categories, u)]
    ids = [u.pk for u in units]
    held: dict[int, UnitClassAssignment] = {}
    pending: dict[int, UnitClassAssignment] = {}
    for row in (UnitClassAssignment.objects
                .filter(standard_code=standard.code, unit_id__in=ids, period__lt=str(year + 2))
                .select_related("unit_class", "proposed_class").order_by("period")):
        if row.unit_class_id is not None and row.period < str(year + 1):
            held[row.unit_id] = row
        if (row.period.startswith(str(year + 1)) and row.proposed_class_id is not None
                and row.proposed_class_id != row.unit_class_id):
            pending[row.unit_id] = row
    out = []
    for u in units:
        h, p = held.get(u.pk), pending.get(u.pk)
        out.append(ClassRow(u, h.unit_class.name if h and h.unit_class else None,
                            h.period if h else None, h.reason if h else "",
                            p.proposed_class.name if p and p.proposed_class else None,
                            p.proposal_reason if p else ""))
    return out
