"""The picker shared by every dashboard: standard, year, kind and unit, within the reader's scope.

The defaults answer "how is my unit doing": the reader's own (top) unit, a standard
with current results covering it, the latest year with results and 考核 when it
exists. The picker costs at most four queries whatever the size of the tree: the
unit, the runs covering it, the standards it is itself scored on (only when no
standard is asked for), and its ancestors and children for the unit list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q
from django.http import Http404, QueryDict

from chuangjian.assessment.models import AssessmentRun, Kind, RunStatus, UnitResult
from chuangjian.assessment.models.results import KIND_ALIASES
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope


@dataclass(frozen=True)
class Available:
    """One (standard, year, kind) with a current run covering the picked unit."""

    standard_code: str
    standard_name: str
    year: int
    kind: str


@dataclass
class Picker:
    unit: Unit
    standard_code: str
    standard_name: str
    year: int | None
    kind: str
    available: list[Available]
    units: list[Unit] = field(default_factory=list)  # ancestors in scope, the unit, children

    @property
    def ready(self) -> bool:
        return bool(self.standard_code and self.year)

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label)

    @property
    def standards(self) -> list[tuple[str, str]]:
        seen: dict[str, str] = {}
        for a in self.available:
            seen.setdefault(a.standard_code, a.standard_name)
        return list(seen.items())

    @property
    def years(self) -> list[int]:
        return sorted({a.year for a in self.available if a.standard_code == self.standard_code},
                      reverse=True)

    @property
    def kinds(self) -> list[tuple[str, str, bool]]:
        """(value, label, has results) for the picked standard and year."""
        have = {a.kind for a in self.available
                if a.standard_code == self.standard_code and a.year == self.year}
        return [(k.value, str(k.label), k.value in have) for k in Kind]

    @property
    def ancestors(self) -> list[Unit]:
        return [u for u in self.units if u.depth < self.unit.depth]

    @property
    def children(self) -> list[Unit]:
        return [u for u in self.units if u.parent_id == self.unit.pk]

    def params(self, **override: object) -> dict[str, str]:
        values: dict[str, object] = {"standard": self.standard_code, "year": self.year or "",
                                     "kind": self.kind, "unit": self.unit.code}
        values.update(override)
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def query(self, **override: object) -> str:
        """The picker as a query string, e.g. for links to another tab or unit."""
        return urlencode(self.params(**override))


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["".join(f"{p}/" for p in parts[: i + 1]) for i in range(len(parts))]


def available_runs(unit: Unit) -> list[Available]:
    """Standards, years and kinds with a current run that covers ``unit`` or lies under it."""
    rows = (AssessmentRun.objects
            .filter(current=True, status=RunStatus.DONE)
            .filter(Q(root__path__in=_prefixes(unit.path)) | Q(root__path__startswith=unit.path))
            .values_list("standard_code", "standard__name", "year", "kind")
            .order_by("standard__campaign", "standard_code", "-year", "kind").distinct())
    return [Available(code, name, year, kind) for code, name, year, kind in rows]


def default_unit(scope: Scope) -> Unit:
    roots = scope.root_units()
    if not roots:
        raise Http404
    return roots[0]


def _unit(scope: Scope, code: str) -> Unit:
    unit = scope.units().filter(code=code.strip()).first()
    if unit is None:
        raise Http404
    return unit


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text else None
    except ValueError:
        return None


def pick(scope: Scope, data: QueryDict) -> Picker:
    """Read the picker from a query string; unknown values fall back to the defaults,
    a unit outside the reader's scope is a 404."""
    code = (data.get("unit") or "").strip()
    unit = _unit(scope, code) if code else default_unit(scope)
    available = available_runs(unit)
    standards = {a.standard_code: a.standard_name for a in available}
    standard_code = data.get("standard") or ""
    if standard_code not in standards:
        # Prefer a standard the unit itself is scored on, else one its units are.
        own = set(UnitResult.objects.filter(unit=unit, run__current=True,
                                            run__status=RunStatus.DONE)
                  .values_list("run__standard_code", flat=True))
        first = [a.standard_code for a in available if a.standard_code in own] or [
            a.standard_code for a in available]
        standard_code = first[0] if first else ""
    wanted_kind = KIND_ALIASES.get(data.get("kind") or "")
    of_standard = [a for a in available if a.standard_code == standard_code]
    years = sorted({a.year for a in of_standard}, reverse=True)
    year = _int(data.get("year"))
    if year not in years:
        year = years[0] if years else None
    kinds = {a.kind for a in of_standard if a.year == year}
    kind = wanted_kind.value if wanted_kind is not None else ""
    if kind not in kinds:
        kind = Kind.REVIEW.value if Kind.REVIEW.value in kinds or not kinds else sorted(kinds)[0]
    ancestor_ids = unit.ancestor_ids()
    near = (scope.units().filter(Q(pk__in=ancestor_ids) | Q(parent=unit) | Q(pk=unit.pk))
            .filter(Q(closed_on__isnull=True) | Q(pk=unit.pk)).order_by("depth", "sort_key"))
    return Picker(unit=unit, standard_code=standard_code,
                  standard_name=standards.get(standard_code, ""), year=year, kind=kind,
                  available=available, units=list(near))
