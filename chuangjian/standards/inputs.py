"""Which indicators can get a value: every data element an indicator reads must be asked
for in some report form (a data set) or computed by a registered source.

Those that cannot yet wait for a module the product does not have; each is named in
``WAITING`` with what it waits for, and ``docs/indicator-inputs.md`` says the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from chuangjian import sources
from chuangjian.engine.syntax import names_used
from chuangjian.standards.loader import LoadResult

# (standard, indicator) → what its inputs wait for.
# Empty since the awards app computes the titles (市级文明社区等称号, issue 20).
WAITING: dict[tuple[str, str], str] = {}


@dataclass(frozen=True)
class Unfed:
    standard: str
    indicator: str
    name: str
    elements: tuple[str, ...]   # the inputs nobody asks for and no source computes
    waiting_for: str | None     # from WAITING, None when nobody has said why


def unfed_indicators(result: LoadResult) -> list[Unfed]:
    """Indicators of the loaded standards that read an element no form asks for and no
    source computes, in file order."""
    asked = {code for s in result.standards for d in s.datasets for code in d.elements}
    computed = sources.computed_elements()
    out: list[Unfed] = []
    for standard in result.standards:
        indicators = standard.all_indicators()
        own = {i.code for i in indicators}
        for ind in indicators:
            if ind.expression is None:
                continue
            missing = sorted(n for n in names_used(ind.expression.tree)
                             if n not in asked and n not in computed and n not in own)
            if missing:
                out.append(Unfed(standard.code, ind.code, ind.name, tuple(missing),
                                 WAITING.get((standard.code, ind.code))))
    return out


@dataclass(frozen=True)
class Computed:
    element: str
    name: str
    source: str     # the source's label (名册登记, 督查整改 …)
    how: str        # how the source counts it
    standards: tuple[str, ...]


def computed_inputs(result: LoadResult) -> list[Computed]:
    """Elements the loaded standards' report forms list that a source computes instead:
    nobody is asked for them (一数一源); the form shows them read-only."""
    listed: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for standard in result.standards:
        for dataset in standard.datasets:
            for code in dataset.elements:
                if standard.code not in listed.setdefault(code, []):
                    listed[code].append(standard.code)
    for code, element in result.elements.items():
        names[code] = element.name
    out: list[Computed] = []
    for code in sorted(listed):
        source = sources.source_for(code)
        if source is not None:
            out.append(Computed(code, names.get(code, code), str(source.label),
                                str(source.elements.get(code, "")), tuple(listed[code])))
    return out
