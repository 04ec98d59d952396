"""A result row's items as pages read them: figures from their columns, reasons made here.

A run stores each unit's items as columns in the sheet's order (``compute._Columns``,
decision 0049), with the reviewers' comments, and keeps an item's reasons only when its
figures cannot give them again. ``items_of`` gives them back as they were stored before, one mapping per
indicator code — ``v`` value, ``m`` missing code, ``s`` verdict, ``p`` points, ``nr``
the note's reasons; ``a`` attainment, ``r`` risk and ``pv`` projected figure when there
are any; ``tr`` the target that applied when the note does not carry it — so that the
pages, the exports and the API read an item the same way for every run. Rows of runs
made before are already in that shape and read as they are.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from chuangjian.assessment.compute import (
    applied_json,
    context_of,
    note_reasons_of,
    stores_target,
)
from chuangjian.assessment.models import UnitResult
from chuangjian.assessment.spec import StandardSpec, spec_for

Item = dict[str, Any]


def is_columns(stored: Mapping[str, Any]) -> bool:
    """Whether a row's stored items are columns (runs since decision 0049)."""
    return isinstance(stored.get("k"), list)


class Items(Mapping[str, Item]):
    """One row's items by indicator code, from its stored JSON (``UnitResult.items``, or
    that column read alone); each item made when first asked for."""

    def __init__(self, stored: Mapping[str, Any], spec: StandardSpec) -> None:
        self._stored = stored
        self._spec = spec
        self._made: dict[str, Item] = {}
        self._columns = is_columns(stored)
        self._at = {code: c for c, code in enumerate(stored["k"])} if self._columns else {}

    def __getitem__(self, code: str) -> Item:
        if not self._columns:
            return self._stored[code]
        found = self._made.get(code)
        if found is None:
            found = self._made[code] = self._make(code, self._at[code])
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._at if self._columns else self._stored)

    def __len__(self) -> int:
        return len(self._at if self._columns else self._stored)

    def __contains__(self, code: object) -> bool:
        return code in (self._at if self._columns else self._stored)

    def _make(self, code: str, c: int) -> Item:
        stored = self._stored
        value, missing, status = stored["v"][c], stored["m"][c], stored["s"][c]
        attainment, points = stored["a"][c], stored["p"][c]
        ind = self._spec.by_code.get(code)
        ctx = context_of(stored["x"])
        note = stored.get("n", {}).get(code)
        if note is None and ind is not None:
            note = note_reasons_of(ind, value, missing, status, attainment, ctx, points=points,
                                   comment=stored.get("c", {}).get(code))
        note = note or []
        item: Item = {"v": value, "m": missing, "s": status, "p": points, "nr": note}
        if attainment is not None:
            item["a"] = attainment
        if stored["r"][c]:
            item["r"] = True
        if stored["pv"][c] is not None:
            item["pv"] = stored["pv"][c]
        if ind is not None and stores_target(ind):
            applied = applied_json(ind, ctx)
            if not any(r.get("applied") == applied for r in note):
                item["tr"] = applied
        return item


def items_of(result: UnitResult, spec: StandardSpec | None = None) -> Items:
    """``result``'s items by code; ``spec``: its run's standard, when the caller holds it
    (otherwise read through the row's run)."""
    return Items(result.items, spec or spec_for(result.run.standard))


def states_of(stored: Mapping[str, Any]) -> dict[str, int]:
    """Each item's verdict by code, straight from a row's stored JSON (no standard
    needed): what a parent's share of its children reads."""
    if is_columns(stored):
        return dict(zip(stored["k"], stored["s"], strict=True))
    return {code: int(item.get("s") or 0) for code, item in stored.items()}
