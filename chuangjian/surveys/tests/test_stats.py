"""Wilson intervals, sample sizes and the verdict against a target."""

from __future__ import annotations

from decimal import Decimal, getcontext

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chuangjian.surveys import stats


def reference_wilson(k: int, n: int) -> tuple[float, float]:
    """The Wilson bounds as the roots of (p̂ − p)² = z²·p(1 − p)/n, solved independently
    with the quadratic formula in 50-digit decimals (statsmodels is not installed here;
    this is the formula its ``proportion_confint(method="wilson")`` implements)."""
    getcontext().prec = 50
    z = Decimal("1.959963984540054")
    nn, ph = Decimal(n), Decimal(k) / Decimal(n)
    a = 1 + z * z / nn
    b = -(2 * ph + z * z / nn)
    c = ph * ph
    root = (b * b - 4 * a * c).sqrt()
    return float((-b - root) / (2 * a)), float((-b + root) / (2 * a))


@given(st.integers(min_value=1, max_value=100_000).flatmap(
    lambda n: st.tuples(st.integers(min_value=0, max_value=n), st.just(n))))
def test_wilson_bounds_match_the_reference_to_1e_9(kn: tuple[int, int]) -> None:
    k, n = kn
    low, high = stats.wilson(k, n)
    ref_low, ref_high = reference_wilson(k, n)
    assert abs(low - ref_low) < 1e-9 and abs(high - ref_high) < 1e-9


def test_known_values() -> None:
    # 45 of 50: the textbook Wilson interval is 78.6% – 95.7%.
    low, high = stats.wilson(45, 50)
    assert round(low * 100, 1) == 78.6 and round(high * 100, 1) == 95.7
    assert stats.wilson(50, 50)[1] == 1.0 and stats.wilson(50, 50)[0] < 1.0


def test_the_sample_size_shrinks_with_a_small_population() -> None:
    assert stats.sample_size(margin=0.05) == 385
    assert stats.sample_size(margin=0.05, population=1000) == 278
    assert stats.sample_size(margin=0.1, population=40) == 29
    with pytest.raises(ValueError):
        stats.sample_size(margin=0)


def test_a_rate_below_target_whose_interval_reaches_it_is_not_significantly_below() -> None:
    assert stats.verdict(45, 50, 95) == stats.NOT_SIGNIFICANT  # 90%, interval up to 95.7%
    # Against a 100% target (城镇 in 篇2) one respondent who does not know is a failure.
    assert stats.verdict(49, 50, 100) == stats.NOT_MET
    assert stats.verdict(30, 50, 100) == stats.NOT_MET
    assert stats.verdict(41, 50, 80) == stats.MET
    assert stats.verdict(50, 50, 100) == stats.MET
    assert stats.verdict(0, 0, 80) == stats.NO_DATA


def test_the_combined_rate_weights_the_groups() -> None:
    rate, (low, high) = stats.combined([(90, 100, 3.0), (50, 100, 1.0)])  # type: ignore[misc]
    assert rate == pytest.approx(80.0)
    assert low < 80 < high
    assert stats.combined([(0, 0, 1.0)]) is None
