"""Scoped reads of activities, evidence and the standards that apply (outside scope → 404)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from chuangjian.evidence.models import (
    Activity,
    ActivityFile,
    ActivityType,
    EvidenceDocument,
    EvidenceLink,
    EvidenceWindow,
)
from chuangjian.evidence.models.links import window_bounds
from chuangjian.files.models import FileKind
from chuangjian.org.models import Unit
from chuangjian.org.scope import Cap, Scope
from chuangjian.standards.models import Indicator, StandardVersion
from chuangjian.standards.selectors import unit_matches


def activity_types(*, active_only: bool = True) -> QuerySet[ActivityType]:
    qs = ActivityType.objects.all()
    return qs.filter(active=True) if active_only else qs


def activities(*, scope: Scope, unit: Unit | None = None, type_code: str = "",
               date_from: dt.date | None = None, date_to: dt.date | None = None,
               subtree: bool = True, q: str = "") -> QuerySet[Activity]:
    """Activities the scope may see, newest first, with their type and unit joined."""
    qs = scope.filter(Activity.objects.all(), Cap.VIEW, field_name="unit__path")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path) if subtree else qs.filter(unit=unit)
    if type_code:
        qs = qs.filter(type__code=type_code)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(place__icontains=q) | Q(description__icontains=q))
    return (qs.select_related("type", "unit")
            .annotate(n_photos=Count("attachments", filter=Q(attachments__file__kind=FileKind.IMAGE)),
                      n_documents=Count("attachments",
                                        filter=Q(attachments__file__kind=FileKind.DOCUMENT)))
            .order_by("-date", "-id"))


def activity_for(*, scope: Scope, pk: int) -> Activity:
    found = (scope.filter(Activity.objects.all(), Cap.VIEW, field_name="unit__path")
             .select_related("type", "unit", "created_by")
             .prefetch_related(Prefetch("attachments",
                                        queryset=ActivityFile.objects.select_related("file")))
             .filter(pk=pk).first())
    if found is None:
        raise Http404
    return found


def document_for(*, scope: Scope, pk: int) -> EvidenceDocument:
    found = (scope.filter(EvidenceDocument.objects.all(), Cap.VIEW, field_name="unit__path")
             .select_related("file", "unit").filter(pk=pk).first())
    if found is None:
        raise Http404
    return found


def link_for(*, scope: Scope, pk: int) -> EvidenceLink:
    found = (scope.filter(EvidenceLink.objects.all(), Cap.VIEW, field_name="unit__path")
             .select_related("unit").filter(pk=pk).first())
    if found is None:
        raise Http404
    return found


def unit_for(*, scope: Scope, code: str, cap: Cap = Cap.VIEW) -> Unit:
    unit = Unit.objects.filter(code=code).first()
    if unit is None or not scope.allows(unit, cap):
        raise Http404
    return unit


def entry_units(*, scope: Scope) -> QuerySet[Unit]:
    """Open units where the scope may record activities, in tree order."""
    return scope.units(Cap.ENTER_DATA).filter(closed_on__isnull=True).order_by("path")


def standard_in_force(code: str, year: int) -> StandardVersion | None:
    """The newest version of standard ``code`` in force in ``year``."""
    return (StandardVersion.objects.filter(code=code, year_from__lte=year)
            .filter(Q(year_to__isnull=True) | Q(year_to__gte=year))
            .order_by("-version", "-overlay_version").first())


def standards_for_unit(unit: Unit, year: int) -> list[StandardVersion]:
    """The standards in force in ``year`` that apply to ``unit`` (newest version of each)."""
    found: dict[str, StandardVersion] = {}
    qs = (StandardVersion.objects.filter(year_from__lte=year)
          .filter(Q(year_to__isnull=True) | Q(year_to__gte=year)).order_by("code", "-version", "-overlay_version"))
    for sv in qs:
        if sv.code not in found and unit_matches(sv.levels, sv.categories, unit):
            found[sv.code] = sv
    return sorted(found.values(), key=lambda s: (s.campaign, s.code))


def indicators_for(standard: StandardVersion, unit: Unit) -> list[Indicator]:
    """The standard's indicators that apply to ``unit`` (an indicator may name its own level)."""
    return [i for i in standard.indicators.order_by("order")
            if not i.level or unit_matches([i.level], standard.categories, unit)]


def window(standard_code: str, year: int) -> tuple[dt.date, dt.date]:
    """The evidence window (佐证时间范围) of a standard for an assessment year."""
    configured = EvidenceWindow.objects.filter(standard_code=standard_code).first()
    return configured.bounds(year) if configured else window_bounds(year)


def links(*, scope: Scope, unit: Unit, standard_code: str, year: int) -> QuerySet[EvidenceLink]:
    return (scope.filter(EvidenceLink.objects.all(), Cap.VIEW, field_name="unit__path")
            .filter(unit=unit, standard_code=standard_code, period=str(year))
            .select_related("activity__type", "document__file", "content_type")
            .order_by("record_date", "id"))


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def expression_elements(expression: str) -> set[str]:
    """Identifiers in an indicator's expression (function names are filtered by the caller)."""
    return set(_IDENTIFIER.findall(expression or ""))


@dataclass(frozen=True)
class UnitChoice:
    unit: Unit
    standards: list[StandardVersion]
