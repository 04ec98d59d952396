"""Drawing points for a round (抽样): by type, with a minimum count per type.

Deterministic: the same points, quotas and seed always draw the same points, so a
drawing can be recomputed and checked later from what the round records.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Draw:
    chosen: list[int]
    available: dict[str, int] = field(default_factory=dict)
    drawn: dict[str, int] = field(default_factory=dict)
    short: dict[str, int] = field(default_factory=dict)  # type → how many were missing


def draw(points: Iterable[tuple[int, str]], quotas: Mapping[str, int], seed: int) -> Draw:
    """Pick ``quotas[type]`` points of each type (all of them when fewer exist)."""
    by_type: dict[str, list[int]] = {}
    for pk, kind in points:
        by_type.setdefault(kind, []).append(pk)
    chosen: list[int] = []
    available: dict[str, int] = {}
    drawn: dict[str, int] = {}
    short: dict[str, int] = {}
    for kind in sorted(quotas):
        wanted = int(quotas[kind])
        if wanted <= 0:
            continue
        candidates = sorted(by_type.get(kind, []))
        available[kind] = len(candidates)
        # One generator per type, so changing one quota never reshuffles the others.
        rng = random.Random(f"{seed}:{kind}")  # noqa: S311 - a reproducible draw, not a secret
        picked = sorted(rng.sample(candidates, min(wanted, len(candidates))))
        chosen.extend(picked)
        drawn[kind] = len(picked)
        if len(picked) < wanted:
            short[kind] = wanted - len(picked)
    return Draw(chosen, available, drawn, short)
