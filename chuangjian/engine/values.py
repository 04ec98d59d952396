"""Vectors of indicator values with a reason code wherever a value is missing.

The assessment evaluates one expression for all units at once, so values
travel as numpy arrays. A missing value is never a number: its slot holds NaN
and a reason code (缺失原因) says why, so no sum or average can quietly treat
it as zero.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = [
    "FloatArray",
    "Int8Array",
    "Missing",
    "Values",
    "close",
    "compare",
    "reason_text",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
Int8Array: TypeAlias = npt.NDArray[np.int8]


class Missing(enum.IntEnum):
    """Why a value is absent; 0 means it is present."""

    PRESENT = 0
    NO_DATA = 1
    DIVISION_BY_ZERO = 2
    NO_PREVIOUS_YEAR = 3
    NO_HISTORY = 4
    NO_CHILDREN = 5
    NOT_APPLICABLE = 6

    @property
    def label(self) -> str:
        return _REASONS[self]


_REASONS = {
    Missing.PRESENT: "有数据",
    Missing.NO_DATA: "缺少数据",
    Missing.DIVISION_BY_ZERO: "除数为零",
    Missing.NO_PREVIOUS_YEAR: "缺少上年数据",
    Missing.NO_HISTORY: "缺少往年数据",
    Missing.NO_CHILDREN: "没有下级单位",
    Missing.NOT_APPLICABLE: "不适用",
}


def reason_text(code: int) -> str:
    """The Chinese reason for a missing code (unknown codes are named, not hidden)."""
    try:
        return Missing(int(code)).label
    except ValueError:
        return f"无法计算（原因代码 {int(code)}）"


@dataclass(frozen=True, eq=False)
class Values:
    """`value[i]` for unit i, meaningful only where `missing[i] == 0`.

    Booleans are stored as 1.0 / 0.0. Where a value is missing the slot holds
    NaN, so a forgotten mask shows up as NaN rather than a plausible number.
    """

    value: FloatArray
    missing: Int8Array

    def __post_init__(self) -> None:
        value = np.asarray(self.value, dtype=np.float64)
        missing = np.asarray(self.missing, dtype=np.int8)
        if value.shape != missing.shape or value.ndim != 1:
            raise ValueError("value 与 missing 必须是等长的一维数组")
        # Any NaN that arrives without a reason is data nobody reported.
        missing = np.where((missing == 0) & np.isnan(value), np.int8(Missing.NO_DATA), missing)
        missing = missing.astype(np.int8)
        value = np.where(missing == 0, value, np.nan)
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "missing", missing)

    @property
    def n(self) -> int:
        return int(self.value.shape[0])

    @property
    def present(self) -> npt.NDArray[np.bool_]:
        mask: npt.NDArray[np.bool_] = self.missing == 0
        return mask

    @classmethod
    def of(cls, data: Sequence[float | bool | None] | FloatArray | float | None, n: int = 1) -> Values:
        """Values from numbers, where None or NaN means not reported; a scalar is repeated n times."""
        if isinstance(data, np.ndarray):
            arr = np.asarray(data, dtype=np.float64)
        elif data is None or isinstance(data, (int, float, np.floating, np.integer)):
            arr = np.full(n, np.nan if data is None else float(data), dtype=np.float64)
        else:
            arr = np.array([np.nan if x is None else float(x) for x in data], dtype=np.float64)
        return cls(arr, np.zeros(arr.shape, dtype=np.int8))

    @classmethod
    def all_missing(cls, n: int, code: int = Missing.NO_DATA) -> Values:
        return cls(np.full(n, np.nan), np.full(n, code, dtype=np.int8))

    def with_missing_code(self, old: int, new: int) -> Values:
        """Relabel a reason, e.g. plain "no data" for last year becomes 缺少上年数据."""
        missing = np.where(self.missing == old, np.int8(new), self.missing).astype(np.int8)
        return Values(self.value, missing)

    def get(self, i: int = 0) -> float | None:
        """One unit's value, or None when missing."""
        return None if self.missing[i] else float(self.value[i])

    def __repr__(self) -> str:
        shown = [
            reason_text(int(m)) if m else _short(float(v))
            for v, m in zip(self.value[:8], self.missing[:8], strict=True)
        ]
        more = "…" if self.n > 8 else ""
        return f"Values([{', '.join(shown)}{more}])"


def _short(x: float) -> str:
    return f"{x:g}"


# Float arithmetic makes 100 × 0.07 come out as 7.000000000000001; comparisons
# treat such near-ties as equal so a target of 7% is met by exactly 7%.
_RTOL = 1e-9
_ATOL = 1e-12


def close(a: FloatArray, b: FloatArray) -> npt.NDArray[np.bool_]:
    near: npt.NDArray[np.bool_] = np.isclose(a, b, rtol=_RTOL, atol=_ATOL)
    return near


def compare(op: str, a: FloatArray, b: FloatArray) -> npt.NDArray[np.bool_]:
    """Elementwise `a op b` for the six comparison operators, with near-ties counted as equal."""
    near = close(a, b)
    if op == ">=":
        return (a > b) | near
    if op == "<=":
        return (a < b) | near
    if op == ">":
        return (a > b) & ~near
    if op == "<":
        return (a < b) & ~near
    if op == "==":
        return near
    return ~near
