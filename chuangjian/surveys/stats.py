"""Rates with honest intervals, sample sizes, and the verdict against a target.

A rate from a survey is an estimate: 45 of 48 (93.8%) and 450 of 480 are not the
same evidence. Every rate is therefore shown with its Wilson 95% interval and n
(Wilson rather than the textbook ±1.96·√(p(1−p)/n), which collapses to a zero-width
interval at 100% and leaves [0, 1] for small n). A rate below its target whose
interval still reaches the target is 「未达标（差异不显著）」, not a plain failure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054  # the 97.5% quantile of the standard normal distribution

MET = "达标"
NOT_MET = "未达标"
NOT_SIGNIFICANT = "未达标（差异不显著）"
NO_DATA = "无样本"


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of k successes in n trials, as fractions in [0, 1]."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= k <= n:
        raise ValueError("k must lie between 0 and n")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def sample_size(*, margin: float, population: int | None = None, p: float = 0.5,
                z: float = Z95) -> int:
    """Respondents needed for a ± ``margin`` (a fraction) at 95%, with the finite
    population correction when the group's size is known (n = n0 / (1 + (n0 − 1)/N))."""
    if not 0 < margin < 1:
        raise ValueError("margin must lie between 0 and 1")
    n0 = z * z * p * (1 - p) / (margin * margin)
    if population is not None and population > 0:
        return min(population, math.ceil(n0 / (1 + (n0 - 1) / population)))
    return math.ceil(n0)


@dataclass(frozen=True)
class Rate:
    n: int
    k: int
    target: float | None  # percent, e.g. 80.0

    @property
    def rate(self) -> float | None:
        return 100.0 * self.k / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        if not self.n:
            return None
        low, high = wilson(self.k, self.n)
        return 100.0 * low, 100.0 * high

    @property
    def status(self) -> str:
        return verdict(self.k, self.n, self.target)


def verdict(k: int, n: int, target: float | None) -> str:
    """达标 / 未达标 / 未达标（差异不显著） / 无样本 for k of n against a target in percent."""
    if n == 0:
        return NO_DATA
    if target is None:
        return ""
    # The comparison is made on counts, so 100% against a target of 100 is exact.
    if k * 100 >= target * n - 1e-9:
        return MET
    high = wilson(k, n)[1] * 100
    return NOT_SIGNIFICANT if high >= target - 1e-9 else NOT_MET


def combined(parts: Sequence[tuple[int, int, float]]) -> tuple[float, tuple[float, float]] | None:
    """A unit's rate from its groups' (k, n, weight): Σ wᵢ·pᵢ / Σ wᵢ, with a 95% interval
    from the stratified variance Σ (wᵢ/W)²·pᵢ(1−pᵢ)/nᵢ (normal approximation, clipped to
    [0, 100]). Groups without respondents are left out; None when none has any."""
    used = [(k, n, w) for k, n, w in parts if n > 0 and w > 0]
    total = sum(w for _k, _n, w in used)
    if not used or total <= 0:
        return None
    rate = sum(w * k / n for k, n, w in used) / total
    variance = sum((w / total) ** 2 * (k / n) * (1 - k / n) / n for k, n, w in used)
    half = Z95 * math.sqrt(variance)
    return 100 * rate, (100 * max(0.0, rate - half), 100 * min(1.0, rate + half))
