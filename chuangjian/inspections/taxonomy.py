"""The problem taxonomy that ships with the standards, and the rules built on it:
which categories a round offers, deadlines and deductions by tier."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from chuangjian.engine.periods import SHANGHAI
from chuangjian.inspections.models import TIER_DEADLINE_DAYS, TIER_DEDUCTION, Severity
from chuangjian.standards.models import ProblemCategory, StandardVersion
from chuangjian.standards.selectors import current_standards

DEFAULT_STANDARD = "chuangcheng"
# Orders fall due at the end of the working day, Shanghai time.
DUE_CLOCK = dt.time(18, 0)

# Element codes counted from categories (the category and everything under it).
ELEMENT_CATEGORIES: dict[str, tuple[str, ...]] = {
    "six_disorder_problems": ("six_disorders",),
    "sanitation_problems": ("residential_sanitation",),
    "key_road_stall_clusters": ("road_markets",),
    "new_illegal_buildings": ("illegal_construction", "illegal_structures_small"),
}


def default_standard() -> StandardVersion | None:
    """The standard a round uses unless told otherwise: 创城 when it is loaded."""
    latest = list(current_standards())
    for standard in latest:
        if standard.code == DEFAULT_STANDARD:
            return standard
    for standard in latest:
        if standard.problem_categories.exists():
            return standard
    return None


def categories_of(standards: Iterable[StandardVersion]) -> list[ProblemCategory]:
    return list(ProblemCategory.objects.filter(standard__in=list(standards))
                .select_related("parent", "standard").order_by("standard__code", "order"))


def current_categories() -> list[ProblemCategory]:
    return categories_of(current_standards())


@dataclass
class CategoryGroup:
    label: str
    options: list[ProblemCategory] = field(default_factory=list)


def grouped(categories: Iterable[ProblemCategory]) -> list[CategoryGroup]:
    """Categories for a select: parents become option groups of their children; categories
    without children are options of their standard's group."""
    categories = list(categories)
    parents = {c.parent_id for c in categories if c.parent_id is not None}
    groups: dict[str, CategoryGroup] = {}
    for category in categories:
        if category.pk in parents:
            continue
        if category.parent_id is not None:
            label = category.parent.name  # type: ignore[union-attr]
        else:
            label = str(category.standard.campaign)
        groups.setdefault(label, CategoryGroup(label)).options.append(category)
    return list(groups.values())


def deadline_days(category: ProblemCategory | None, severity: str) -> int:
    if category is not None:
        return int(category.deadline_days)
    return TIER_DEADLINE_DAYS.get(Severity(severity), 5)


def default_deduction(severity: str) -> Decimal:
    return TIER_DEDUCTION.get(Severity(severity), Decimal("1"))


def due_at(now: dt.datetime, days: int) -> dt.datetime:
    """``days`` working-day ends from now (18:00 Shanghai); never in the past."""
    local = timezone.localtime(now, SHANGHAI)
    due = dt.datetime.combine(local.date() + dt.timedelta(days=days), DUE_CLOCK, tzinfo=SHANGHAI)
    while due <= now:
        due += dt.timedelta(days=1)
    return due


def codes_under(roots: Iterable[str]) -> frozenset[str]:
    """Every category code at or below ``roots``, across all loaded standards."""
    wanted = set(roots)
    rows = list(ProblemCategory.objects.values_list("pk", "parent_id", "code"))
    by_pk = {pk: (parent, code) for pk, parent, code in rows}
    found: set[str] = set()
    for pk, (_parent, code) in by_pk.items():
        current: int | None = pk
        while current is not None:
            parent, c = by_pk[current]
            if c in wanted:
                found.add(code)
                break
            current = parent
    return frozenset(found)
