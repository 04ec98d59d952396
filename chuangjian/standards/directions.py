"""Which way a target points, and which way its plan quote points.

零增长 was once written as an increase target and loaded without complaint
(issue 11). The plans say the direction in plain words: 零增长、下降、不超过、
控制在 … 以下 ask for a ceiling (上限); 不低于、不少于、达到 … 以上 ask for a
floor (下限). The loader compares the two and refuses a target that points
against its own quote.

A quote naming both directions, or neither, is not judged: a person must read
it. Words that only look like a direction are masked first (以下简称 is "called
hereafter", 35岁以上 is an age band, not a threshold).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator

from chuangjian.engine import targets

__all__ = ["Direction", "contradictions", "quote_directions", "target_directions"]


class Direction(enum.Enum):
    UPPER = "upper"  # 上限: the value must stay at or below something
    LOWER = "lower"  # 下限: the value must reach at least something

    @property
    def label(self) -> str:
        return {"upper": "上限（不超过）", "lower": "下限（不低于）"}[self.value]


# Phrases that contain a direction word but state none.
_NOISE = re.compile(r"以下简称|以下几|以下方面|如下|\d+\s*(?:周?岁|年)以上|以上级|以上各")
_UPPER = re.compile(r"零增长|下降|减少|不超过|不高于|不多于|以下|控制在|不发生|遏制")
_LOWER = re.compile(r"不低于|不少于|(?<!不)超过|以上|达到|至少|增加|提升|提高|(?<!零)增长")


def quote_directions(quote: str) -> frozenset[Direction]:
    """The directions a plan quote asks for (empty when it names none)."""
    text = _NOISE.sub("", quote)
    found = set()
    if _UPPER.search(text):
        found.add(Direction.UPPER)
    # Take 不超过 / 不低于 out before looking for the other side's shorter words.
    if _LOWER.search(re.sub(r"不超过|不高于|不多于", "", text)):
        found.add(Direction.LOWER)
    return frozenset(found)


def _leaves(target: targets.Target) -> Iterator[targets.Target]:
    if isinstance(target, targets.ByCategory | targets.ByYear | targets.ByClass):
        for case in target.cases.values():
            yield from _leaves(case)
        if target.default is not None:
            yield from _leaves(target.default)
    else:
        yield target


def _leaf_direction(leaf: targets.Target, unit: str) -> Direction | None:
    if isinstance(leaf, targets.Compare):
        if leaf.op in (">=", ">"):
            return Direction.LOWER
        if leaf.op in ("<=", "<"):
            return Direction.UPPER
        # "== 0" of a count cannot be undershot, "== 100" of a rate cannot be
        # overshot: each is really a one-sided bound.
        if leaf.value == 0:
            return Direction.UPPER
        if unit.strip() == "%" and leaf.value == 100:
            return Direction.LOWER
        return None
    if isinstance(leaf, targets.ChangeFromPrevious):
        return Direction.UPPER if leaf.decreasing else Direction.LOWER
    if isinstance(leaf, targets.AtLeastPerPeriod):
        return Direction.LOWER
    if isinstance(leaf, targets.ZeroForYears):
        return Direction.UPPER
    return None  # ranges and yes/no targets bound both sides or none


def target_directions(target: targets.Target, unit: str = "") -> list[tuple[targets.Target, Direction]]:
    """Every leaf of a target (each class, category, year) with the way it points."""
    found = []
    for leaf in _leaves(target):
        direction = _leaf_direction(leaf, unit)
        if direction is not None:
            found.append((leaf, direction))
    return found


def contradictions(target: targets.Target, unit: str, quote: str) -> list[str]:
    """Chinese sentences, one per leaf that points against an unambiguous quote."""
    said = quote_directions(quote)
    if len(said) != 1:
        return []
    (wanted,) = said
    return [
        f"目标「{leaf.describe_zh(unit)}」是{direction.label}，"
        f"与引文要求的{wanted.label}相反"
        for leaf, direction in target_directions(target, unit)
        if direction is not wanted
    ]
