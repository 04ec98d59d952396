"""Structured reasons (理由): what the engine concluded, as a code and its figures.

The engine says *what* happened — 「item X could not be computed」, 「total 78 against a
pass mark of 80」 — as a ``Reason`` with a ``kind`` and plain parameters (numbers,
item codes, names from the standard). The sentences people read, in Chinese or in
English, are made from these above the engine, in a translatable layer
(``chuangjian.assessment.wording``), which also turns item codes into item names.

A reason is stored as JSON (``as_json``) with the result it explains, so a page can
word it in the reader's language long after the run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ITEM_KINDS", "KINDS", "RULE_KINDS", "TARGET_KINDS", "TOTAL_KINDS", "WHY_KINDS",
           "Reason", "total_reasons"]

# The kinds of reason behind a unit's total, in the order they are told, with their
# parameters. Item lists hold item codes.
TOTAL_KINDS: Mapping[str, tuple[str, ...]] = {
    "base_score": ("points", "max"),
    "rescaled": ("excluded", "points", "included_max", "base_total", "max"),
    "nothing_computable": (),
    "zeroed": ("items",),
    "bonus": ("points",),
    "bonus_capped": ("points", "counted"),
    "veto_failed": ("items",),
    "veto_unknown": ("items",),
    "veto_missing": ("items",),
    "passed": ("total", "pass_mark"),
    "passed_with_tier": ("total", "pass_mark", "tier"),
    "failed": ("total", "pass_mark"),
    "undecidable": (),
}

# How an item is scored (计分规则).
RULE_KINDS: Mapping[str, tuple[str, ...]] = {
    "all_or_nothing": ("max",),
    "proportional": ("max",),
    "deduct": ("max", "per"),
    "deduct_capped": ("max", "per", "cap"),
    "reviewer": ("max",),
}

# What a target asks (目标). A leaf's ``unit`` is the indicator's unit (%, 次, 平方米);
# ``per`` a period type (day … year). ``cases`` holds ``[key, target]`` pairs, the target
# itself a reason of this table; ``by`` is category, year or class.
TARGET_KINDS: Mapping[str, tuple[str, ...]] = {
    "compare": ("op", "value", "unit"),
    "range": ("low", "high", "unit"),
    "is_true": (),
    "per_period": ("count", "per", "share", "unit"),
    "zero_for_years": ("years",),
    "change": ("percent", "down", "strict"),
    "cases": ("by", "cases", "default"),
    # The target that applied to a unit: the choices made (``path``) and the leaf.
    "applied": ("path", "target"),
    "none_applied": ("path",),
    # A choice on the way to the leaf.
    "chose_case": ("by", "key"),
    "default_unset": ("by",),
    "default_no_case": ("by", "key"),
}

# Why an item could not be judged (its ``why``).
WHY_KINDS: Mapping[str, tuple[str, ...]] = {
    "missing": ("code",),  # a missing-value code (engine.values.Missing)
    "value_missing": ("code",),  # the indicator has no value, for that reason
    "no_value": (),
    "no_period_data": ("per",),
    "missing_years": ("years",),
    "no_previous_year": (),
    "unset": ("by",),  # the unit has no category / year / class
    "no_case": ("by", "key"),  # no target for that category / year / class
    "not_reviewed": (),
}

# How an item was scored (its note); ``applied`` and ``why`` are reasons of the tables
# above, ``status`` a TargetStatus number, ``periods`` period keys (2026-01-05).
ITEM_KINDS: Mapping[str, tuple[str, ...]] = {
    "unknown_zero": ("why",),
    "unknown_excluded": ("why", "max"),
    "judged": ("applied", "status", "points"),
    "judged_partly": ("applied", "status", "done", "points"),
    "deducted": ("occurrences", "deducted", "points"),
    "reviewed": ("points", "max", "note"),
    # Per-period counts (每天…不少于): how many periods made it, which did not.
    "periods_none": ("per",),
    "periods_all": ("periods", "done", "per", "count"),
    "periods_failed": ("periods", "done", "per", "count", "stretches", "more"),
}

KINDS: Mapping[str, tuple[str, ...]] = {**TOTAL_KINDS, **RULE_KINDS, **TARGET_KINDS,
                                        **WHY_KINDS, **ITEM_KINDS}


_KEYS = {kind: frozenset(names) for kind, names in KINDS.items()}  # checked per reason made
_AS_IS = frozenset({str, int, bool})


@dataclass(frozen=True)
class Reason:
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        wanted = _KEYS.get(self.kind)
        if wanted is None:
            raise ValueError(f"unknown reason kind {self.kind!r}")
        if self.params.keys() != wanted:
            raise ValueError(f"reason {self.kind!r} takes {KINDS[self.kind]}, "
                             f"not {tuple(self.params)}")

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **{k: _plain(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reason:
        return cls(str(data["kind"]), {k: v for k, v in data.items() if k != "kind"})


def _plain(v: Any) -> Any:
    t = type(v)
    if v is None or t in _AS_IS:  # the common cases first, by exact type: ABC checks are slow
        return v
    if t is float:
        return int(v) if v == int(v) and abs(v) < 1e15 else v
    if t is tuple or t is list:
        return [_plain(x) for x in v]
    if isinstance(v, Reason):
        return v.as_json()
    if isinstance(v, Mapping):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, tuple | list):
        return [_plain(x) for x in v]
    if isinstance(v, float) and v == int(v) and abs(v) < 1e15:
        return int(v)
    return v


def total_reasons(
    *,
    has_items: bool,
    base_max: float,
    raw: float,
    included_max: float,
    base_total: float | None,
    excluded: Sequence[str],
    zeroed: Sequence[str],
    bonus_raw: float | None,
    bonus: float,
    total: float | None,
    veto_items: Sequence[str],
    veto_unknown: Sequence[str],
    missing_veto: Sequence[str],
    pass_mark: float,
    passed: bool,
    tier: str | None,
) -> tuple[Reason, ...]:
    """Why a unit's total and verdict are what they are (both scoring paths call this).

    ``bonus_raw`` is None when the standard has no bonus items for the unit.
    """
    out: list[Reason] = []
    if included_max > 0:
        assert base_total is not None  # noqa: S101 - set whenever something was included
        if excluded:
            out.append(Reason("rescaled", {"excluded": tuple(excluded), "points": raw,
                                           "included_max": included_max,
                                           "base_total": base_total, "max": base_max}))
        else:
            out.append(Reason("base_score", {"points": raw, "max": base_max}))
    elif has_items and base_max > 0:
        out.append(Reason("nothing_computable"))
    if zeroed:
        out.append(Reason("zeroed", {"items": tuple(zeroed)}))
    if bonus_raw is not None:
        out.append(Reason("bonus_capped", {"points": bonus_raw, "counted": bonus})
                   if bonus < bonus_raw else Reason("bonus", {"points": bonus_raw}))
    for kind, items in (("veto_failed", veto_items), ("veto_unknown", veto_unknown),
                        ("veto_missing", missing_veto)):
        if items:
            out.append(Reason(kind, {"items": tuple(items)}))
    if total is not None:
        if not passed:
            out.append(Reason("failed", {"total": total, "pass_mark": pass_mark}))
        elif tier:
            out.append(Reason("passed_with_tier", {"total": total, "pass_mark": pass_mark,
                                                   "tier": tier}))
        else:
            out.append(Reason("passed", {"total": total, "pass_mark": pass_mark}))
    elif not veto_items:
        out.append(Reason("undecidable"))
    return tuple(out)
