"""A stored standard version read back into engine objects, once per content hash.

The metadata tables keep indicators for display; the exact targets (by category,
year and class), expressions and scoring rules are re-read from the version's
verbatim YAML with the standards schema, so a result always rests on the very
file that was loaded.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

import yaml

from chuangjian.engine import expressions, scoring, targets
from chuangjian.engine.syntax import Binary, Call, Expr, Unary, streak_years
from chuangjian.lib.collector import collector_paused
from chuangjian.standards import schema
from chuangjian.standards.loader import _class_keys
from chuangjian.standards.models import DataElement, StandardVersion

Scorer = scoring.AllOrNothing | scoring.Proportional | scoring.DeductPerOccurrence | scoring.Reviewer


@dataclass(frozen=True)
class IndicatorSpec:
    order: int
    code: str
    name: str
    item_code: str
    item_name: str
    content_name: str
    method: str
    unit: str
    expression: Expr | None
    expression_text: str
    target: targets.Target | None
    scorer: Scorer
    rule: str
    max_score: float
    missing: scoring.MissingPolicy
    veto: bool
    bonus: bool
    level: str | None
    evidence: tuple[str, ...]

    @cached_property
    def is_reviewer(self) -> bool:
        # Cached: asked for every unit and indicator of a run (700,000 times at L).
        return self.rule == schema.ScoreRule.REVIEWER

    @property
    def target_text(self) -> str:
        return self.target.describe_zh(self.unit) if self.target is not None else ""


def expression_depth(expr: Expr) -> int:
    """How many years back an expression reads (previous, streak_zero)."""
    def depth(node: Expr) -> int:
        if isinstance(node, Unary):
            return depth(node.operand)
        if isinstance(node, Binary):
            return max(depth(node.left), depth(node.right))
        if isinstance(node, Call):
            inner = max((depth(a) for a in node.args), default=0)
            if node.func == "previous":
                return inner + 1
            if node.func == "streak_zero":
                return inner + streak_years(node) - 1
            return inner
        return 0

    return depth(expr)


def target_depth(target: targets.Target | None) -> int:
    """How many earlier years of the indicator's own value a target compares against."""
    if target is None:
        return 0
    if isinstance(target, targets.ChangeFromPrevious):
        return 1
    if isinstance(target, targets.ZeroForYears):
        return target.years - 1
    if isinstance(target, targets.ByCategory | targets.ByYear | targets.ByClass):
        cases = [*target.cases.values(), *([target.default] if target.default else [])]
        return max((target_depth(c) for c in cases), default=0)
    return 0


@dataclass
class StandardSpec:
    version: StandardVersion
    standard: schema.Standard
    indicators: list[IndicatorSpec]
    elements: dict[str, DataElement]  # every element any indicator reads

    @cached_property
    def by_code(self) -> dict[str, IndicatorSpec]:
        return {i.code: i for i in self.indicators}

    @cached_property
    def indicator_codes(self) -> frozenset[str]:
        return frozenset(i.code for i in self.indicators if i.expression is not None)

    @cached_property
    def levels(self) -> tuple[str, ...]:
        return tuple(str(level) for level in self.standard.applies_to.levels)

    @cached_property
    def categories(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.standard.applies_to.categories)

    @cached_property
    def by_profile(self) -> dict[tuple[str, str, str, str], list[IndicatorSpec]]:
        """``compute.indicators_for``'s answers by sheet and the unit's kind, level and
        category (all it depends on), filled as units are met: one list per profile, shared
        by every unit of it, where a city's 19,000 unit-standards each filtered the
        indicators anew. Read only."""
        return {}

    @cached_property
    def extra_levels(self) -> tuple[str, ...]:
        return tuple(sorted({i.level for i in self.indicators if i.level}))

    @cached_property
    def tiers(self) -> list[tuple[str, float]]:
        return [(str(t.name), float(t.min)) for t in self.standard.tiers]

    @cached_property
    def years_back(self) -> int:
        """How many years before the run's year must be read, at most."""
        deepest = 0
        memo: dict[str, int] = {}

        def ind_depth(code: str, seen: frozenset[str] = frozenset()) -> int:
            if code in memo:
                return memo[code]
            spec = self.by_code[code]
            if spec.expression is None or code in seen:
                return 0
            base = expression_depth(spec.expression)
            refs = [n for n in expressions.names_used(spec.expression) if n in self.indicator_codes]
            value = base + max((ind_depth(r, seen | {code}) for r in refs), default=0)
            memo[code] = value
            return value

        for ind in self.indicators:
            if ind.expression is not None:
                deepest = max(deepest, ind_depth(ind.code) + target_depth(ind.target))
        return deepest

    @cached_property
    def element_depths(self) -> dict[str, int]:
        """How many years before the run's year each element is read, at most (0: only
        the run's year). An indicator evaluated ``b`` years back reads its names up to
        ``b + expression_depth`` years back, and its target asks for ``target_depth``
        earlier values of it; ``years_back`` is the deepest of these."""
        out: dict[str, int] = {}
        deepest: dict[str, int] = {}  # indicator code -> deepest year back it is evaluated

        def visit(code: str, back: int, seen: frozenset[str]) -> None:
            spec = self.by_code[code]
            if spec.expression is None or code in seen or deepest.get(code, -1) >= back:
                return
            deepest[code] = back
            reach = back + expression_depth(spec.expression)
            for name in expressions.names_used(spec.expression):
                if name in self.indicator_codes:
                    visit(name, reach, seen | {code})
                elif name in self.elements:
                    out[name] = max(out.get(name, 0), reach)

        for ind in self.indicators:
            if ind.expression is not None:
                visit(ind.code, target_depth(ind.target), frozenset())
        return out

    def elements_for(self, codes: set[str] | frozenset[str]) -> set[str]:
        """Element codes read (transitively through indicator names) by the given indicators."""
        found: set[str] = set()
        todo = list(codes)
        seen: set[str] = set()
        while todo:
            code = todo.pop()
            if code in seen:
                continue
            seen.add(code)
            spec = self.by_code.get(code)
            if spec is None or spec.expression is None:
                continue
            for name in expressions.names_used(spec.expression):
                if name in self.indicator_codes:
                    todo.append(name)
                elif name in self.elements:
                    found.add(name)
        return found

    def uses(self, element_codes: frozenset[str]) -> bool:
        return not element_codes or bool(element_codes & set(self.elements))


_cache: dict[str, StandardSpec] = {}
_lock = threading.Lock()


def spec_for(version: StandardVersion) -> StandardSpec:
    """The parsed standard for a stored version (cached by content hash)."""
    found = _cache.get(version.content_hash)
    if found is not None and found.version.pk == version.pk:
        return found
    spec = _parse(version)
    with _lock:
        _cache[version.content_hash] = spec
    return spec


@collector_paused()  # thousands of small objects, none in a cycle
def _parse(version: StandardVersion) -> StandardSpec:
    # The C loader when built: a standard file is read once per content hash, but
    # tests and demos read several, and the pure-Python loader takes ~0.3 s a file.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(version.source_text, Loader=loader)  # noqa: S506 - a safe loader
    standard = schema.Standard.model_validate(data, context={"class_keys": _class_keys(data)})
    indicators: list[IndicatorSpec] = []
    order = 0
    names: set[str] = set()
    for item in standard.items:
        for content in item.contents:
            for ind in content.indicators:
                order += 1
                expr = ind.expression.tree if ind.expression is not None else None
                if expr is not None:
                    names |= expressions.names_used(expr)
                indicators.append(IndicatorSpec(
                    order=order, code=ind.code, name=ind.name, item_code=item.code,
                    item_name=item.name, content_name=content.name, method=str(ind.method),
                    unit=ind.unit, expression=expr,
                    expression_text=ind.expression.text if ind.expression is not None else "",
                    target=ind.target, scorer=ind.score.to_engine(), rule=str(ind.score.rule),
                    max_score=float(ind.score.max), missing=ind.missing, veto=ind.veto,
                    bonus=ind.bonus, level=str(ind.level) if ind.level else None,
                    evidence=tuple(ind.evidence)))
    codes = {i.code for i in indicators}
    elements = {e.code: e for e in DataElement.objects.filter(code__in=sorted(names - codes))}
    return StandardSpec(version=version, standard=standard, indicators=indicators,
                        elements=elements)
