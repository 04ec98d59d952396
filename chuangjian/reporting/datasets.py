"""Merged data sets (合并数据集): one form per unit and period, computed from the standards.

Several campaigns may ask the same unit for the same element in the same period;
the unit still enters it once. So the data set a unit fills is not a standard's
``Dataset`` row but the union of every applicable standard's data sets for the
unit's level and one period type, keyed ``<level>-<period type>`` (``community-day``,
``area-month``). Its deadline is the strictest of the contributors', and it locks
after the deadline when any contributor says so. Nothing here is stored: it is
computed from the standards tables and cached until the standards change.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangjian.engine import expressions
from chuangjian.engine.periods import Period, PeriodError, PeriodType, deadline
from chuangjian.lib.lookups import Ids
from chuangjian.org.levels import Kind, level_label
from chuangjian.org.models import Unit
from chuangjian.reporting.labels import period_type_label
from chuangjian.sources import computed_elements
from chuangjian.standards.models import DataElement, Dataset, StandardVersion
from chuangjian.standards.selectors import unit_matches

PERIOD_ORDER = [PeriodType.DAY, PeriodType.WEEK, PeriodType.MONTH, PeriodType.QUARTER,
                PeriodType.YEAR]
# The name of a merged data set: the level, then the kind of report (社区/村日报).
_REPORT_NAMES = {PeriodType.DAY: gettext_lazy("%(level)s日报"),
                 PeriodType.WEEK: gettext_lazy("%(level)s周报"),
                 PeriodType.MONTH: gettext_lazy("%(level)s月报"),
                 PeriodType.QUARTER: gettext_lazy("%(level)s季报（自查）"),
                 PeriodType.YEAR: gettext_lazy("%(level)s年报")}


@dataclass(frozen=True)
class Rule:
    """A cross-element validation rule of a standard (``validations:`` in its YAML), as the
    loader parsed and stored it (``standards.ValidationRule``)."""

    code: str
    text: str
    message: str
    names: frozenset[str]
    tree: Any = field(compare=False, hash=False)
    # Set when the stored rule no longer parses (a database edited by hand, or an engine
    # whose grammar changed): the rule then refuses every submission instead of vanishing.
    broken: str = ""
    standard: str = ""

    def fails(self, values: dict[str, float | None]) -> bool:
        """True when every named value is present and the rule does not hold."""
        if self.broken:
            return True
        if any(values.get(name) is None for name in self.names):
            return False
        env = expressions.DictEnvironment({k: values.get(k) for k in self.names}, n=1)
        result = expressions.evaluate(self.tree, env)
        if result.missing[0]:
            return False
        return not bool(result.value[0])

    @property
    def refusal(self) -> str:
        """The Chinese sentence a submission gets when this rule cannot be checked."""
        return _("标准「%(standard)s」的校验规则「%(code)s」无法解析（%(error)s），"
                 "报表暂不能提交，请管理员重新载入该标准") % {
            "standard": self.standard, "code": self.code, "error": self.broken}


@dataclass(frozen=True)
class MergedDataset:
    code: str
    level_key: str
    period_type: PeriodType
    elements: tuple[DataElement, ...]
    day_offset: int
    due_time: dt.time
    lock_after_deadline: bool
    sources: tuple[str, ...]          # "标准名 · 数据集名" of each contributor
    rules: tuple[Rule, ...]
    # Elements the contributors list that a source computes (registers, activities …):
    # never typed in, shown read-only beside the form with the rows behind them.
    computed: tuple[DataElement, ...] = ()
    # Rules naming a typed element and a computed one (参与文化活动的户数 ≤ 居民户总数 from
    # the household register): checked against the computed figure of the unit's subtree.
    cross_rules: tuple[Rule, ...] = ()

    @property
    def name(self) -> str:
        return dataset_name(self.code)

    @cached_property
    def element_by_code(self) -> dict[str, DataElement]:
        return {e.code: e for e in self.elements}

    def deadline_for(self, period: Period) -> dt.datetime:
        return deadline(period, day_offset=self.day_offset, at=self.due_time)

    @property
    def deadline_label(self) -> str:
        args = {"time": self.due_time.strftime("%H:%M"), "n": self.day_offset}
        same = self.day_offset == 0
        if self.period_type is PeriodType.DAY:
            return (_("当日 %(time)s 前") if same else _("次日起第 %(n)d 天 %(time)s 前")) % args
        if self.period_type is PeriodType.WEEK:
            return (_("周日 %(time)s 前") if same else _("下周第 %(n)d 天 %(time)s 前")) % args
        if self.period_type is PeriodType.MONTH:
            return (_("月末 %(time)s 前") if same else _("次月 %(n)d 日 %(time)s 前")) % args
        if self.period_type is PeriodType.QUARTER:
            return (_("季末 %(time)s 前") if same else _("季后第 %(n)d 天 %(time)s 前")) % args
        return (_("12 月 31 日 %(time)s 前") if same
                else _("次年 1 月 %(n)d 日 %(time)s 前")) % args

    def parse_period(self, text: str) -> Period:
        period = Period.parse(text)
        if period.type is not self.period_type:
            raise PeriodError(_("「%(text)s」是%(type)s，本数据集按%(own)s报送") % {
                "text": text, "type": period_type_label(period.type),
                "own": period_type_label(self.period_type)})
        return period


def level_key(unit: Unit) -> str:
    return "department" if unit.kind == Kind.DEPARTMENT else unit.level


def level_label_of(key: str) -> str:
    return _("职能部门") if key == "department" else level_label(key)


def dataset_name(code: str) -> str:
    """The display name of a merged data set code (``community-day`` → 社区/村日报)."""
    parts = split_code(code)
    if parts is None:
        return code
    key, period_type = parts
    return str(_REPORT_NAMES[period_type]) % {"level": level_label_of(key)}


def dataset_code(key: str, period_type: PeriodType | str) -> str:
    return f"{key}-{PeriodType(period_type).value}"


def split_code(code: str) -> tuple[str, PeriodType] | None:
    key, _, kind = code.rpartition("-")
    try:
        return key, PeriodType(kind)
    except ValueError:
        return None


_parsed_cache: dict[tuple[Any, ...], tuple[Rule, ...]] = {}


def rules_of(version: StandardVersion) -> tuple[Rule, ...]:
    """The version's stored validation rules, each parsed once per process.

    The loader refused any rule that did not parse, so a failure here means the stored
    text changed since; the rule is kept, marked broken, and refuses submissions.
    """
    rows = list(version.validation_rules.all())
    key = (version.content_hash, *((r.code, r.expression) for r in rows))
    cached = _parsed_cache.get(key)
    if cached is not None:
        return cached
    rules: list[Rule] = []
    for row in rows:
        try:
            tree = expressions.parse(row.expression)
        except expressions.ExpressionError as error:
            rules.append(Rule(code=row.code, text=row.expression, message=row.message,
                              names=frozenset(), tree=None, broken=error.message,
                              standard=version.name))
            continue
        rules.append(Rule(code=row.code, text=row.expression, message=row.message,
                          names=frozenset(expressions.names_used(tree)), tree=tree,
                          standard=version.name))
    _parsed_cache[key] = tuple(rules)
    return _parsed_cache[key]


def element_order_of(dataset: Dataset) -> list[str]:
    """Element codes of a data set in the order the file lists them (stored at load)."""
    return list(dataset.element_order)


class Catalog:
    """Every stored standard with its data sets, and the merged data sets per unit profile."""

    def __init__(self, versions: list[StandardVersion]) -> None:
        self.versions = versions
        self._cache: dict[tuple[str, str, str, int], dict[str, MergedDataset]] = {}
        self._lock = threading.Lock()

    def for_unit(self, unit: Unit, year: int) -> dict[str, MergedDataset]:
        """Code → merged data set for ``unit`` in ``year``, in period order."""
        key = (unit.kind, unit.level, unit.category, year)
        found = self._cache.get(key)
        if found is None:
            found = self._build(unit, year)
            with self._lock:
                self._cache[key] = found
        return found

    def in_force(self, year: int) -> list[StandardVersion]:
        """The latest version of each standard in force in ``year``."""
        latest: dict[str, StandardVersion] = {}
        for sv in self.versions:
            if sv.year_from <= year and (sv.year_to is None or year <= sv.year_to) and (
                    sv.code not in latest or (sv.version, sv.overlay_version)
                    > (latest[sv.code].version, latest[sv.code].overlay_version)):
                latest[sv.code] = sv
        return sorted(latest.values(), key=lambda v: (v.campaign, v.code))

    def dataset(self, unit: Unit, code: str, year: int) -> MergedDataset | None:
        return self.for_unit(unit, year).get(code)

    def _build(self, unit: Unit, year: int) -> dict[str, MergedDataset]:
        by_type: dict[PeriodType, list[tuple[StandardVersion, Dataset]]] = {}
        for sv in self.in_force(year):
            for ds in sv.datasets.all():
                # A data set may name its own levels (the 创城 daily report is the
                # 管区's although the standard applies to communities); otherwise it
                # is asked of the levels the standard applies to.
                if not unit_matches(ds.levels or sv.levels, sv.categories, unit):
                    continue
                by_type.setdefault(PeriodType(ds.period), []).append((sv, ds))
        result: dict[str, MergedDataset] = {}
        key = level_key(unit)
        computed = computed_elements()
        for period_type in PERIOD_ORDER:
            contributors = by_type.get(period_type)
            if not contributors:
                continue
            elements: dict[str, DataElement] = {}
            computed_here: dict[str, DataElement] = {}
            rules: dict[str, Rule] = {}
            for _sv, ds in contributors:
                order = {c: i for i, c in enumerate(element_order_of(ds))}

                def by_order(e: DataElement, o: dict[str, int] = order) -> tuple[int, str]:
                    return (o.get(e.code, len(o)), e.code)

                for element in sorted(ds.elements.all(), key=by_order):
                    # Elements a source computes (信息报送 counts …) are never typed in.
                    if element.code not in computed:
                        elements.setdefault(element.code, element)
                    else:
                        computed_here.setdefault(element.code, element)
            if not elements:
                continue
            codes = set(elements)
            cross: dict[str, Rule] = {}
            for sv, _ds in contributors:
                for rule in rules_of(sv):
                    if rule.broken or rule.names <= codes:
                        rules.setdefault(rule.text, rule)
                    elif rule.names & codes and rule.names <= codes | set(computed_here):
                        cross.setdefault(rule.text, rule)
            strictest = min(contributors, key=lambda c: (c[1].day_offset, c[1].due_time))[1]
            code = dataset_code(key, period_type)
            result[code] = MergedDataset(
                code=code, level_key=key, period_type=period_type,
                elements=tuple(elements.values()), day_offset=strictest.day_offset,
                due_time=strictest.due_time,
                lock_after_deadline=any(ds.lock_after_deadline for _sv, ds in contributors),
                sources=tuple(f"{sv.name} · {ds.name}" for sv, ds in contributors),
                rules=tuple(rules.values()), computed=tuple(computed_here.values()),
                cross_rules=tuple(cross.values()))
        return result

    def profiles(self, year: int) -> list[tuple[str, Unit, MergedDataset]]:
        """Every distinct merged data set in ``year`` with the kind of unit it is for."""
        seen: dict[tuple[str, tuple[str, ...], str, dt.time], int] = {}
        rows: list[tuple[str, Unit, MergedDataset]] = []
        for kind in (Kind.AREA, Kind.DEPARTMENT):
            levels = ["district", "street", "area", "community", "grid", "building"]
            if kind == Kind.DEPARTMENT:
                levels = ["area"]
            for level in levels:
                for category in ("城镇", "农村"):
                    probe = Unit(kind=kind, level=level, category=category)
                    for ds in self.for_unit(probe, year).values():
                        sig = (ds.code, tuple(e.code for e in ds.elements), ds.deadline_label,
                               ds.due_time)
                        if sig in seen:
                            continue
                        seen[sig] = len(rows)
                        rows.append((category, probe, ds))
        return rows


_catalog: tuple[tuple[tuple[int, str], ...], Catalog] | None = None
_catalog_lock = threading.Lock()


def catalog() -> Catalog:
    """The catalog for the standards stored now (one small query to check it is fresh)."""
    global _catalog
    fingerprint = tuple(StandardVersion.objects.order_by("pk").values_list("pk", "content_hash"))
    current = _catalog
    if current is not None and current[0] == fingerprint:
        return current[1]
    versions = list(StandardVersion.objects.filter(pk__in=[pk for pk, _h in fingerprint])
                    .prefetch_related(Prefetch("datasets", queryset=Dataset.objects.order_by("code")
                                               .prefetch_related("elements")),
                                      "validation_rules"))
    fresh = Catalog(versions)
    with _catalog_lock:
        _catalog = (fingerprint, fresh)
    return fresh


def period_is_open(period: Period, now: dt.datetime) -> bool:
    """A period may be reported once it has begun (Shanghai time), never in advance."""
    return period.start_instant() <= now


def unit_open_during(unit: Unit, period: Period) -> bool:
    """Expected only while open: opened on or before the period's end, not closed before it began."""
    return (unit.opened_on is None or unit.opened_on <= period.end) and (
        unit.closed_on is None or unit.closed_on > period.start)


def computed_values(unit: Unit, ds: MergedDataset, period: Period,
                    only: Collection[str] | None = None) -> dict[str, float | None]:
    """The computed elements of ``ds`` for ``unit``'s subtree over ``period``, added up over
    the tree as each element says: the figures the form shows and the assessment reads.
    ``only`` limits them to those codes (a submission's cross rules read a few: asking
    every source was most of a submission's time at L)."""
    from chuangjian import sources

    wanted = [e for e in ds.computed if only is None or e.code in only]
    if not wanted:
        return {}
    ids = Ids(Unit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True))
    # Each source asked once for its elements over the subtree, and once for those that
    # count the unit alone (``values_of``: a source may answer them from one query).
    asked: dict[tuple[str, bool], tuple[sources.Source, list[str]]] = {}
    for element in wanted:
        source = sources.source_for(element.code)
        if source is not None:
            asked.setdefault((source.key, element.tree_agg == "none"),
                             (source, []))[1].append(element.code)
    answers: dict[str, dict[int, float]] = {}
    for (_key, alone), (source, codes) in asked.items():
        for code, spans in source.values_of(codes, [period],
                                            [unit.pk] if alone else ids).items():
            answers[code] = spans[0]
    out: dict[str, float | None] = {}
    for element in wanted:
        if element.code not in answers:
            continue
        got = [float(v) for v in answers[element.code].values() if v is not None]
        if not got:
            out[element.code] = None
        elif element.tree_agg == "max":
            out[element.code] = max(got)
        elif element.tree_agg == "mean":
            out[element.code] = sum(got) / len(got)
        else:
            out[element.code] = sum(got)
    return out
