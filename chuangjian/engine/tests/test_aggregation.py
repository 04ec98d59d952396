"""The aggregation rules (汇总规则): over time and up the tree, missing values included."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chuangjian.engine.aggregation import (
    Summary,
    TimeAgg,
    TreeAgg,
    over_time,
    over_time_arrays,
    over_tree,
    over_tree_arrays,
)

maybe = st.one_of(st.none(), st.integers(min_value=-1000, max_value=1000).map(float))
series = st.lists(maybe, max_size=14)


def _summary(values: list[float | None]) -> Summary[float]:
    return Summary.of(values, 0.0)


def test_a_year_of_months_sums_only_what_was_reported() -> None:
    months = [3.0, None, 5.0, None]
    assert over_time(_summary(months), "sum") == 8
    # The mean is over the reported months, never over the twelve.
    assert over_time(_summary(months), "mean") == 4
    assert over_time(_summary(months), "max") == 5
    assert over_time(_summary(months), "last") == 5


def test_a_window_nobody_reported_has_no_figure_not_zero() -> None:
    for agg in TimeAgg:
        assert over_time(_summary([None, None]), agg) is None
        assert over_time(_summary([]), agg) is None


def test_a_unit_without_a_figure_is_left_out_of_the_tree_not_counted_as_zero() -> None:
    assert over_tree(None, [10.0, None, 20.0], "mean") == 15
    assert over_tree(None, [10.0, None, 20.0], "sum") == 30
    assert over_tree(None, [None, None], "sum") is None
    assert over_tree(4.0, [], "max") == 4


def test_a_figure_that_does_not_add_up_is_the_units_own() -> None:
    assert over_tree(70.0, [90.0, 100.0], "none") == 70
    assert over_tree(None, [90.0], "none") is None


def test_the_rules_take_decimals_as_well_as_floats() -> None:
    s = Summary.of([Decimal("1.5"), None, Decimal("2.5")], Decimal(0))
    assert over_time(s, "mean") == Decimal(2)
    assert over_tree(Decimal(1), [Decimal(2)], "mean") == Decimal("1.5")


def test_an_unknown_rule_is_an_error() -> None:
    with pytest.raises(ValueError):
        over_time(_summary([1.0]), "median")
    with pytest.raises(ValueError):
        over_tree(1.0, [], "share")


@given(series)
def test_over_time_reads_the_values_as_the_rules_say(values: list[float | None]) -> None:
    present = [v for v in values if v is not None]
    s = _summary(values)
    if not present:
        assert all(over_time(s, a) is None for a in TimeAgg)
        return
    assert over_time(s, "sum") == sum(present)
    assert over_time(s, "mean") == pytest.approx(sum(present) / len(present))
    assert over_time(s, "max") == max(present)
    assert over_time(s, "last") == present[-1]


@given(series, series)
def test_two_windows_joined_read_like_one(a: list[float | None], b: list[float | None]) -> None:
    # The rollups keep a month's summary and join months into quarters and years.
    joined, whole = _summary(a).then(_summary(b)), _summary(a + b)
    for agg in TimeAgg:
        assert over_time(joined, agg) == pytest.approx(over_time(whole, agg))


@given(st.lists(st.tuples(series, st.sampled_from(list(TimeAgg))), min_size=1, max_size=8))
def test_the_array_form_of_the_time_rule_is_the_rule(rows: list) -> None:
    summaries = [_summary(v) for v, _a in rows]
    aggs = [a.value for _v, a in rows]
    got = over_time_arrays(
        aggs, np.array([s.total for s in summaries]),
        np.array([s.count for s in summaries], dtype=float),
        np.array([math.nan if s.maximum is None else s.maximum for s in summaries]),
        np.array([math.nan if s.last is None else s.last for s in summaries]))
    for k, (s, agg) in enumerate(zip(summaries, aggs, strict=True)):
        want = over_time(s, agg)
        assert (math.isnan(got[k]) if want is None else got[k] == pytest.approx(want))


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[int], list[list[float | None]], list[str]]:
    """A random forest (each unit's parent comes before it) and figures per column."""
    n = draw(st.integers(min_value=1, max_value=12))
    parents = [-1] + [draw(st.integers(min_value=-1, max_value=i - 1)) for i in range(1, n)]
    aggs = draw(st.lists(st.sampled_from([a.value for a in TreeAgg]), min_size=1, max_size=4))
    own = [[draw(maybe) for _ in aggs] for _ in range(n)]
    return parents, own, aggs


def _depth(parents: list[int]) -> list[int]:
    depth: list[int] = []
    for p in parents:
        depth.append(0 if p < 0 else depth[p] + 1)
    return depth


def _below(parents: list[int], i: int) -> list[int]:
    out = []
    for j in range(len(parents)):
        p = parents[j]
        while p >= 0 and p != i:
            p = parents[p]
        if p == i:
            out.append(j)
    return out


@given(trees())
def test_the_array_form_of_the_tree_rule_is_the_rule(tree: tuple) -> None:
    parents, own, aggs = tree
    own_a = np.array([[math.nan if v is None else v for v in row] for row in own])
    counts = np.where(np.isnan(own_a), 0.0, 1.0)
    got, got_counts = over_tree_arrays(own_a, counts, np.array(parents), np.array(_depth(parents)),
                                       aggs)
    for i in range(len(parents)):
        below = _below(parents, i)
        for k, agg in enumerate(aggs):
            want = over_tree(own[i][k], [own[j][k] for j in below], agg)
            assert (math.isnan(got[i, k]) if want is None else got[i, k] == pytest.approx(want))
            reports = counts[i, k] + (0 if agg == "none" else sum(counts[j, k] for j in below))
            assert got_counts[i, k] == reports


@given(trees())
def test_sums_and_maxima_of_subtrees_equal_those_of_all_units_below(tree: tuple) -> None:
    # So a parent may add its children's subtree figures; a mean may not (each unit
    # counts once in the subtree's mean, whatever the size of its child's subtree).
    parents, own, aggs = tree
    for i in range(len(parents)):
        children = [j for j, p in enumerate(parents) if p == i]
        for k, agg in enumerate(aggs):
            if agg not in ("sum", "max"):
                continue
            direct = over_tree(own[i][k], [over_tree(own[c][k], [own[j][k] for j in
                                                                  _below(parents, c)], agg)
                                           for c in children], agg)
            whole = over_tree(own[i][k], [own[j][k] for j in _below(parents, i)], agg)
            assert direct == whole
