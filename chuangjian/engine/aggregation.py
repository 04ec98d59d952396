"""How figures add up over time and up the tree (汇总规则), defined once.

Every data element says how its values of shorter periods make the value of a
longer one (``time_agg``: months → year) and how units' figures make their
parent's (``tree_agg``: communities → street). Three paths compute these: the
assessment's numpy arrays, its one grouped SQL query for a single unit, and the
reporting rollups read in Python. They are tested equal to the functions here
(``engine/tests/test_aggregation.py`` and ``assessment/tests/test_aggregation_paths.py``).

The rules, missing values included:

Over time (one unit's own values in a window, in period order)
    sum   the total of the reported values;
    mean  the total divided by the number of reported values (not of periods:
          a unit that reported 10 of 12 months is averaged over those 10);
    max   the largest reported value;
    last  the value of the latest reported period (a stock at the window's end).
    A period nobody reported adds nothing and is never read as zero. A window
    with no reported value has no figure (missing, 缺少数据).

Over the tree (a unit and everything below it, as the tree stood then)
    sum   the total of the figures of the subtree's units that have one;
    mean  their plain average, each unit counting once whatever it reported;
    max   the largest of them;
    none  the unit's own figure only (a figure that does not add up, such as a
          rate a unit reports for itself).
    A unit without a figure is left out (neither zero nor a member of the
    average). A subtree where no unit has a figure has no figure.

The number of reports behind a figure (shown as 「n 期数据」) is the sum of the
subtree's report counts, or the unit's own count under ``none``.

Pure Python and numpy; the functions take Decimals or floats alike.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "Summary",
    "TimeAgg",
    "TreeAgg",
    "over_time",
    "over_time_arrays",
    "over_tree",
    "over_tree_arrays",
]

N = TypeVar("N", Decimal, float)


class TimeAgg(enum.StrEnum):
    """How values of shorter periods add up to a longer one (e.g. months → year)."""

    SUM = "sum"
    LAST = "last"
    MAX = "max"
    MEAN = "mean"


class TreeAgg(enum.StrEnum):
    """How child units' values add up to their parent's."""

    SUM = "sum"
    MEAN = "mean"
    MAX = "max"
    NONE = "none"


@dataclass(frozen=True)
class Summary(Generic[N]):
    """A unit's own reported values over a window, kept so that every ``TimeAgg`` can be
    read from it: what the reporting rollups store per month, quarter and year."""

    total: N
    count: int
    maximum: N | None
    last: N | None

    @classmethod
    def of(cls, values: Iterable[N | None], zero: N) -> Summary[N]:
        """The summary of values in period order; None is a period nobody reported."""
        total, count = zero, 0
        maximum: N | None = None
        last: N | None = None
        for v in values:
            if v is None:
                continue
            total += v
            count += 1
            maximum = v if maximum is None or v > maximum else maximum
            last = v
        return cls(total, count, maximum, last)

    def then(self, later: Summary[N]) -> Summary[N]:
        """This window followed by a later one (their union, in time order)."""
        if not later.count:
            return self
        if not self.count:
            return later
        assert self.maximum is not None and later.maximum is not None  # noqa: S101 - count > 0
        return Summary(self.total + later.total, self.count + later.count,
                       max(self.maximum, later.maximum), later.last)


def over_time(summary: Summary[N], agg: str) -> N | None:
    """One unit's figure for the window under ``agg``; None when nothing was reported."""
    if summary.count == 0:
        return None
    agg = TimeAgg(agg)
    if agg is TimeAgg.SUM:
        return summary.total
    if agg is TimeAgg.MAX:
        return summary.maximum
    if agg is TimeAgg.MEAN:
        return summary.total / summary.count
    return summary.last


def over_tree(own: N | None, below: Iterable[N | None], agg: str) -> N | None:
    """The subtree's figure from the unit's own figure and those of every unit below it
    (not only its children: each unit counts once); None when none of them has one."""
    agg = TreeAgg(agg)
    if agg is TreeAgg.NONE:
        return own
    present: list[N] = [] if own is None else [own]
    present.extend(v for v in below if v is not None)
    if not present:
        return None
    if agg is TreeAgg.MAX:
        return max(present)
    total: N = present[0]
    for v in present[1:]:
        total = total + v
    if agg is TreeAgg.SUM:
        return total
    return total / len(present)


# -- the same rules over arrays (many units and columns at once) ------------------------

FloatArray = npt.NDArray[np.float64]


def over_time_arrays(aggs: Sequence[str] | npt.NDArray[np.str_], total: FloatArray,
                     count: FloatArray, maximum: FloatArray, last: FloatArray) -> FloatArray:
    """``over_time`` element-wise: ``aggs[i]`` for row i; NaN where count is 0."""
    agg = np.asarray(aggs)
    with np.errstate(all="ignore"):
        mean = total / count
    value = np.where(agg == TimeAgg.SUM.value, total,
                     np.where(agg == TimeAgg.MAX.value, maximum,
                              np.where(agg == TimeAgg.MEAN.value, mean, last)))
    result: FloatArray = np.where(count > 0, value, np.nan).astype(np.float64)
    return result


def _levels(parent: npt.NDArray[np.int64], depth: npt.NDArray[np.int64]
            ) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """The tree's levels, deepest first, each as its units with a parent ordered by parent,
    the distinct parents, and where each parent's run of children starts."""
    levels = []
    for d in sorted(set(depth.tolist()), reverse=True):
        rows = np.flatnonzero((depth == d) & (parent >= 0))
        if not len(rows):
            continue
        rows = rows[np.argsort(parent[rows], kind="stable")]
        up = parent[rows]
        starts = np.flatnonzero(np.concatenate(([True], up[1:] != up[:-1])))
        levels.append((rows, up[starts], starts))
    return levels


def over_tree_arrays(own: FloatArray, own_count: FloatArray, parent: npt.NDArray[np.int64],
                     depth: npt.NDArray[np.int64], aggs: Sequence[str]
                     ) -> tuple[FloatArray, FloatArray]:
    """``over_tree`` for every unit (row) and column at once.

    ``own`` holds each unit's own figure (NaN when it has none) and ``own_count`` the
    reports behind it; ``parent`` is the row of each unit's parent (-1 at a root) and
    ``depth`` its depth, so sums move up one level at a time. Returns the subtree
    figures and the numbers of reports behind them.
    """
    for a in aggs:
        TreeAgg(a)  # an unknown rule is an error, not a silent "own figure"
    present = ~np.isnan(own)
    total = np.where(present, own, 0.0)
    number = present.astype(np.float64)
    maximum = np.where(present, own, -np.inf)
    count = np.array(own_count, dtype=np.float64, copy=True)
    for rows, parents, starts in _levels(parent, depth):
        # A level's units ordered by parent: each parent's children are one run of rows,
        # reduced at once (``ufunc.at`` went row by row: 0.12 s for a year of days at L).
        for summed in (total, number, count):
            summed[parents] += np.add.reduceat(summed[rows], starts, axis=0)
        maximum[parents] = np.maximum(maximum[parents],
                                      np.maximum.reduceat(maximum[rows], starts, axis=0))
    result = np.full(own.shape, np.nan)
    counts = count
    with np.errstate(all="ignore"):
        for k, agg in enumerate(aggs):
            if agg == TreeAgg.NONE.value:
                result[:, k] = own[:, k]
                counts[:, k] = own_count[:, k]
                continue
            col = (total[:, k] if agg == TreeAgg.SUM.value else
                   maximum[:, k] if agg == TreeAgg.MAX.value else total[:, k] / number[:, k])
            result[:, k] = np.where(number[:, k] > 0, col, np.nan)
    return result, counts
