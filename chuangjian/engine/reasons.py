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

__all__ = ["KINDS", "RULE_KINDS", "TOTAL_KINDS", "Reason", "total_reasons"]

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

KINDS: Mapping[str, tuple[str, ...]] = {**TOTAL_KINDS, **RULE_KINDS}


@dataclass(frozen=True)
class Reason:
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        wanted = KINDS.get(self.kind)
        if wanted is None:
            raise ValueError(f"unknown reason kind {self.kind!r}")
        if set(self.params) != set(wanted):
            raise ValueError(f"reason {self.kind!r} takes {wanted}, not {tuple(self.params)}")

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, **{k: _plain(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Reason:
        return cls(str(data["kind"]), {k: v for k, v in data.items() if k != "kind"})


def _plain(v: Any) -> Any:
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
