"""Scoring (评分): item scores, the standard's total, veto (一票否决), tiers and ranking.

Missing data is never quietly scored as zero. Each item says what happens
when its value cannot be computed: ``zero`` scores it 0 and says so,
``exclude`` removes it from the denominator and rescales the total.
"""

from __future__ import annotations

import enum
import functools
import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from chuangjian.engine.reasons import Reason, total_reasons
from chuangjian.engine.targets import TargetResult, TargetStatus
from chuangjian.engine.values import Missing

__all__ = [
    "SCORE_DECIMALS",
    "AllOrNothing",
    "DeductPerOccurrence",
    "ItemArrays",
    "ItemScore",
    "MissingPolicy",
    "Proportional",
    "Reviewer",
    "ScoringError",
    "StandardArrays",
    "StandardScore",
    "explain_total",
    "quantize",
    "quantize_many",
    "rank",
    "score_many",
    "score_standard",
    "score_standard_many",
]


class ScoringError(ValueError):
    """An impossible score or rule; the message is Chinese."""


class MissingPolicy(enum.StrEnum):
    ZERO = "zero"
    EXCLUDE = "exclude"


def _num(x: float) -> str:
    rounded = round(x, 2)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"


# Scores are shown to two decimals, so they are kept to two decimals: every item's
# points, the base total, the bonus and the total are quantised (ROUND_HALF_UP, as a
# person rounds the decimal they read) before they are added up and compared. A
# total of 89.996 is 90.00 everywhere, never 「总分 90 分，合格线 90 分，不合格」.
SCORE_DECIMALS = 2
_SCALE = 10.0**SCORE_DECIMALS


def quantize_many(x: np.ndarray) -> np.ndarray:
    """Scores rounded half up to SCORE_DECIMALS places; NaN stays NaN.

    The decimal the float stands for is rounded, not its binary expansion:
    2.675 (stored as 2.67499…) becomes 2.68, as ``Decimal("2.675")`` would.
    """
    x = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore"):
        scaled = np.round(np.abs(x) * _SCALE, 6)  # drop the float's binary noise first
        return np.sign(x) * np.floor(scaled + 0.5) / _SCALE


def quantize(x: float) -> float:
    """``quantize_many`` for one score, so both scoring paths round alike."""
    return float(quantize_many(np.array([x]))[0])


@dataclass(frozen=True)
class ItemScore:
    """One scored item. `score` is None only when the item is excluded for missing data."""

    code: str
    score: float | None
    max_score: float
    status: TargetStatus
    veto_triggered: bool = False
    explanation: str = ""
    missing_policy: MissingPolicy = MissingPolicy.ZERO
    # The explanation as structured reasons (engine.reasons ITEM_KINDS), worded above.
    reasons: tuple[Reason, ...] = ()

    def __post_init__(self) -> None:
        if self.max_score < 0:
            raise ScoringError(f"「{self.code}」的满分不能为负数")
        if self.score is not None and not -1e-9 <= self.score <= self.max_score + 1e-9:
            raise ScoringError(f"「{self.code}」得分 {_num(self.score)} 不在 0–{_num(self.max_score)} 之间")

    @property
    def excluded(self) -> bool:
        return self.score is None


def _check_max(max_score: float, what: str = "满分") -> None:
    if not (max_score >= 0 and math.isfinite(max_score)):
        raise ScoringError(f"{what}应为非负数，而不是 {max_score}")
    if quantize(max_score) != max_score:
        # Points are kept to two decimals; a finer maximum could not be scored in full.
        raise ScoringError(f"{what}最多两位小数，而不是 {max_score}")


def _missing(code: str, max_score: float, reason: str | None, policy: MissingPolicy,
             why_reason: Reason | None = None) -> ItemScore:
    why = reason or "缺少数据"
    if why_reason is None:
        why_reason = Reason("missing", {"code": int(Missing.NO_DATA)})
    if policy is MissingPolicy.EXCLUDE:
        text = f"无法计算（{why}），不计分，满分 {_num(max_score)} 分从总分基数中扣除"
        return ItemScore(code, None, max_score, TargetStatus.UNKNOWN, False, text, policy,
                         (Reason("unknown_excluded", {"why": why_reason, "max": max_score}),))
    text = f"无法计算（{why}），按 0 分计"
    return ItemScore(code, 0.0, max_score, TargetStatus.UNKNOWN, False, text, policy,
                     (Reason("unknown_zero", {"why": why_reason}),))




@dataclass(frozen=True)
class AllOrNothing:
    """Full marks when the target is met, otherwise none."""

    max_score: float

    def __post_init__(self) -> None:
        _check_max(self.max_score)

    def describe(self) -> Reason:
        return Reason("all_or_nothing", {"max": self.max_score})

    def describe_zh(self) -> str:
        return f"达标得 {_num(self.max_score)} 分，否则不得分"

    def score(
        self,
        code: str,
        result: TargetResult,
        *,
        missing_policy: MissingPolicy = MissingPolicy.ZERO,
        veto: bool = False,
    ) -> ItemScore:
        if result.status is TargetStatus.UNKNOWN:
            return _missing(code, self.max_score, result.reason, missing_policy, result.why)
        met = result.status is TargetStatus.MET
        points = quantize(self.max_score) if met else 0.0
        text = f"{result.applied}；{result.status.label}，得 {_num(points)} 分"
        why = (Reason("judged", {"applied": result.applied_reason, "status": int(result.status),
                                 "points": points}),) if result.applied_reason else ()
        return ItemScore(code, points, self.max_score, result.status, veto and not met, text,
                         missing_policy, why)


@dataclass(frozen=True)
class Proportional:
    """Marks in proportion to how far the value got toward the target."""

    max_score: float

    def __post_init__(self) -> None:
        _check_max(self.max_score)

    def describe(self) -> Reason:
        return Reason("proportional", {"max": self.max_score})

    def describe_zh(self) -> str:
        return f"按完成程度得分，满分 {_num(self.max_score)} 分"

    def score(
        self,
        code: str,
        result: TargetResult,
        *,
        missing_policy: MissingPolicy = MissingPolicy.ZERO,
        veto: bool = False,
    ) -> ItemScore:
        if result.status is TargetStatus.UNKNOWN or result.attainment is None:
            return _missing(code, self.max_score, result.reason, missing_policy, result.why)
        attainment = min(max(result.attainment, 0.0), 1.0)
        points = quantize(self.max_score * attainment)
        text = (
            f"{result.applied}；{result.status.label}，完成 {_num(attainment * 100)}%，"
            f"得 {_num(points)} 分"
        )
        met = result.status is TargetStatus.MET
        why = (Reason("judged_partly", {"applied": result.applied_reason,
                                        "status": int(result.status),
                                        "done": attainment * 100, "points": points}),
               ) if result.applied_reason else ()
        return ItemScore(code, points, self.max_score, result.status, veto and not met, text,
                         missing_policy, why)


@dataclass(frozen=True)
class DeductPerOccurrence:
    """Start from full marks and deduct per occurrence (每发现一处扣 N 分), at most `cap` in all.

    The score never falls below max − cap, nor below 0.
    """

    max_score: float
    per: float
    cap: float | None = None  # None: may deduct down to 0

    def __post_init__(self) -> None:
        _check_max(self.max_score)
        if not self.per > 0:
            raise ScoringError("每次扣分应为正数")
        if self.cap is not None and self.cap < 0:
            raise ScoringError("扣分上限不能为负数")
        if self.cap is not None:
            _check_max(self.cap, "扣分上限")

    def describe(self) -> Reason:
        if self.cap is None:
            return Reason("deduct", {"max": self.max_score, "per": self.per})
        return Reason("deduct_capped", {"max": self.max_score, "per": self.per, "cap": self.cap})

    def describe_zh(self) -> str:
        cap = f"，最多扣 {_num(self.cap)} 分" if self.cap is not None else ""
        return f"满分 {_num(self.max_score)} 分，每发生 1 次扣 {_num(self.per)} 分{cap}"

    def points(self, occurrences: float) -> float:
        if occurrences < 0 or not math.isfinite(occurrences):
            raise ScoringError(f"发生次数应为非负数，而不是 {occurrences}")
        cap = self.max_score if self.cap is None else min(self.cap, self.max_score)
        return quantize(self.max_score - min(occurrences * self.per, cap))

    def score(
        self,
        code: str,
        occurrences: float | None,
        *,
        missing_policy: MissingPolicy = MissingPolicy.ZERO,
        reason: str | None = None,
        veto: bool = False,
        why: Reason | None = None,
    ) -> ItemScore:
        if occurrences is None or occurrences != occurrences:
            return _missing(code, self.max_score, reason, missing_policy, why)
        points = self.points(occurrences)
        status = TargetStatus.MET if occurrences == 0 else TargetStatus.NOT_MET
        text = f"发生 {_num(occurrences)} 次，扣 {_num(self.max_score - points)} 分，得 {_num(points)} 分"
        return ItemScore(
            code, points, self.max_score, status, veto and occurrences > 0, text, missing_policy,
            (Reason("deducted", {"occurrences": occurrences, "deducted": self.max_score - points,
                                 "points": points}),)
        )


@dataclass(frozen=True)
class Reviewer:
    """A score given by a reviewer who read the evidence (评审打分)."""

    max_score: float

    def __post_init__(self) -> None:
        _check_max(self.max_score)

    def describe(self) -> Reason:
        return Reason("reviewer", {"max": self.max_score})

    def describe_zh(self) -> str:
        return f"评审打分，满分 {_num(self.max_score)} 分"

    def validate(self, given: float) -> float:
        if given != given or given < 0:
            raise ScoringError(f"评分 {_num(given) if given == given else given} 无效：不能为负数")
        if given > self.max_score:
            raise ScoringError(f"评分 {_num(given)} 超过满分 {_num(self.max_score)}")
        return float(given)

    def score(
        self,
        code: str,
        given: float | None,
        *,
        missing_policy: MissingPolicy = MissingPolicy.ZERO,
        note: str = "",
    ) -> ItemScore:
        if given is None:
            return _missing(code, self.max_score, "尚未评审", missing_policy, Reason("not_reviewed"))
        points = quantize(self.validate(given))
        # Full marks is the only reviewer score that means "nothing wanting".
        status = TargetStatus.MET if points == self.max_score else TargetStatus.NOT_MET
        text = f"评审给 {_num(points)} 分（满分 {_num(self.max_score)}）" + (f"：{note}" if note else "")
        return ItemScore(code, points, self.max_score, status, False, text, missing_policy,
                         (Reason("reviewed", {"points": points, "max": self.max_score,
                                              "note": note}),))


# -- the standard's total -----------------------------------------------------


@dataclass(frozen=True)
class StandardScore:
    items: tuple[ItemScore, ...]
    bonus_items: tuple[ItemScore, ...]
    base_total: float | None  # rescaled to base_max when items were excluded
    base_max: float
    bonus: float
    total: float | None
    vetoed: bool
    veto_items: tuple[str, ...]  # codes that triggered the veto
    veto_unknown: tuple[str, ...]  # veto items that could not be computed
    excluded: tuple[str, ...]
    passed: bool
    tier: str | None
    explanation: str
    # The same as structured reasons, for the translatable layer above the engine.
    reasons: tuple[Reason, ...] = ()


def score_standard(
    items: Sequence[ItemScore],
    *,
    pass_mark: float,
    tiers: Sequence[tuple[str, float]] = (),
    bonus_items: Sequence[ItemScore] = (),
    bonus_cap: float | None = None,
    veto_codes: Collection[str] = (),
) -> StandardScore:
    """Total a unit's item scores against a standard.

    A veto item (一票否决) that is not met fails the unit whatever its score;
    one that cannot be computed withholds the pass until it is checked.
    """
    codes = [i.code for i in items] + [i.code for i in bonus_items]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise ScoringError(f"评分项重复：{'、'.join(dupes)}")
    base_max = sum(i.max_score for i in items)
    included = [i for i in items if not i.excluded]
    excluded = tuple(i.code for i in items if i.excluded)
    included_max = sum(i.max_score for i in included)
    raw = quantize(sum(quantize(i.score or 0.0) for i in included))
    base_total: float | None
    if included_max > 0:
        base_total = quantize(raw * base_max / included_max)
    elif items and base_max > 0:
        base_total = None
    else:
        base_total = 0.0
    zeroed = tuple(i.code for i in items if i.status is TargetStatus.UNKNOWN and not i.excluded)

    bonus_raw = quantize(sum(quantize(i.score or 0.0) for i in bonus_items))
    bonus = bonus_raw if bonus_cap is None else quantize(min(bonus_raw, bonus_cap))
    total = None if base_total is None else quantize(base_total + bonus)

    veto_set = set(veto_codes)
    everything = [*items, *bonus_items]
    veto_items = tuple(
        i.code
        for i in everything
        if i.veto_triggered or (i.code in veto_set and i.status is TargetStatus.NOT_MET)
    )
    veto_unknown = tuple(
        i.code for i in everything if i.code in veto_set and i.status is TargetStatus.UNKNOWN
    )
    missing_veto = tuple(sorted(veto_set - set(codes)))
    vetoed = bool(veto_items)

    settled = not vetoed and not veto_unknown and not missing_veto and total is not None
    passed = settled and total is not None and total >= pass_mark - 1e-9
    tier: str | None = None
    if settled and total is not None:
        reached = [(minimum, name) for name, minimum in tiers if total >= minimum - 1e-9]
        tier = max(reached)[1] if reached else None
    facts: dict[str, Any] = {
        "has_items": bool(items), "base_max": base_max, "raw": raw, "included_max": included_max,
        "base_total": base_total, "excluded": excluded, "zeroed": zeroed,
        "bonus_raw": bonus_raw if bonus_items else None, "bonus": bonus, "total": total,
        "veto_items": veto_items, "veto_unknown": veto_unknown, "missing_veto": missing_veto,
        "pass_mark": pass_mark, "passed": passed, "tier": tier}
    explanation = explain_total(**facts)
    return StandardScore(
        items=tuple(items),
        bonus_items=tuple(bonus_items),
        base_total=base_total,
        base_max=base_max,
        bonus=bonus,
        total=total,
        vetoed=vetoed,
        veto_items=veto_items,
        veto_unknown=veto_unknown + missing_veto,
        excluded=excluded,
        passed=passed,
        tier=tier,
        explanation=explanation,
        reasons=total_reasons(**facts),
    )


def rank(scores: Mapping[str, float | None]) -> dict[str, int]:
    """Competition ranking (1, 2, 2, 4), highest first; missing scores share the last place."""
    # Totals of float weights can differ in the last bit; round before tying.
    present = {k: round(v, 6) for k, v in scores.items() if v is not None and v == v}
    ordered = sorted(present.values(), reverse=True)
    first_place: dict[float, int] = {}
    for place, value in enumerate(ordered, start=1):
        first_place.setdefault(value, place)
    last = len(present) + 1
    return {k: first_place[present[k]] if k in present else last for k in scores}


def explain_total(
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
) -> str:
    """The Chinese sentence that explains a unit's total (shared by both scoring paths).

    ``bonus_raw`` is None when the standard has no bonus items for the unit.
    """
    lines: list[str] = []
    if included_max > 0:
        assert base_total is not None  # noqa: S101 - set whenever something was included
        if excluded:
            lines.append(
                f"{'、'.join(excluded)} 无法计算，不计入；其余各项得 {_num(raw)} / {_num(included_max)} 分，"
                f"折算为 {_num(base_total)} / {_num(base_max)} 分"
            )
        else:
            lines.append(f"基本分 {_num(raw)} / {_num(base_max)} 分")
    elif has_items and base_max > 0:
        lines.append("所有评分项均无法计算，无法得出总分")
    if zeroed:
        lines.append(f"{'、'.join(zeroed)} 缺少数据，按 0 分计")
    if bonus_raw is not None:
        capped = f"（超过上限，按 {_num(bonus)} 分计）" if bonus < bonus_raw else ""
        lines.append(f"加分 {_num(bonus_raw)} 分{capped}")
    if veto_items:
        lines.append(f"一票否决：{'、'.join(veto_items)} 未达标")
    if veto_unknown:
        lines.append(f"一票否决项 {'、'.join(veto_unknown)} 无法计算，核实前不能判定达标")
    if missing_veto:
        lines.append(f"一票否决项 {'、'.join(missing_veto)} 没有评分结果，核实前不能判定达标")
    if total is not None:
        verdict = "合格" if passed else "不合格"
        lines.append(
            f"总分 {_num(total)} 分，合格线 {_num(pass_mark)} 分，{verdict}"
            + (f"，等次：{tier}" if tier else "")
        )
    elif not veto_items:
        lines.append("无法判定是否合格")
    return "；".join(lines) + "。"


# -- many units at once ---------------------------------------------------------------
#
# The same rules over arrays: one call per item for every unit of a run instead of one
# ItemScore per unit and item. Equal to the per-unit functions above (property test in
# tests/test_scoring.py); the per-unit texts are built from these figures by
# ``item_note`` and ``StandardArrays.explanation``.

_UNKNOWN, _MET, _NOT_MET = int(TargetStatus.UNKNOWN), int(TargetStatus.MET), int(TargetStatus.NOT_MET)

Scorer = AllOrNothing | Proportional | DeductPerOccurrence | Reviewer


@dataclass(frozen=True)
class ItemArrays:
    """One item scored for n units. ``points`` is NaN where the item is excluded."""

    code: str
    max_score: float
    points: np.ndarray
    status: np.ndarray  # int8 TargetStatus
    veto: np.ndarray  # bool: this item triggers the veto
    missing_policy: MissingPolicy = MissingPolicy.ZERO

    @property
    def excluded(self) -> np.ndarray:
        return np.isnan(self.points)


def _as_float(x: np.ndarray | Sequence[float | None]) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in x], dtype=float) if not isinstance(
        x, np.ndarray) else x.astype(float)


def score_many(
    scorer: Scorer,
    code: str,
    *,
    status: np.ndarray | None = None,
    attainment: np.ndarray | None = None,
    value: np.ndarray | None = None,
    missing_policy: MissingPolicy = MissingPolicy.ZERO,
    veto: bool = False,
) -> ItemArrays:
    """Score one item for n units: ``status`` (and ``attainment``) for target rules, ``value``
    (occurrences, or the reviewer's score; NaN = none) for the others."""
    mx = scorer.max_score
    if isinstance(scorer, AllOrNothing | Proportional):
        if status is None:
            raise ScoringError(f"「{code}」按目标评分，需要达标状态")
        st_in = np.asarray(status).astype(np.int8)
        unknown = st_in == _UNKNOWN
        if isinstance(scorer, AllOrNothing):
            points = np.where(st_in == _MET, mx, 0.0)
        else:
            att = _as_float(attainment) if attainment is not None else np.full(len(st_in), np.nan)
            unknown = unknown | np.isnan(att)
            with np.errstate(invalid="ignore"):
                points = mx * np.clip(np.nan_to_num(att), 0.0, 1.0)
        out_status = np.where(unknown, _UNKNOWN, st_in).astype(np.int8)
        triggered = np.asarray(veto & ~unknown & (st_in != _MET), dtype=bool)
    else:
        given = _as_float(value) if value is not None else np.array([], dtype=float)
        unknown = np.isnan(given)
        present = given[~unknown]
        if isinstance(scorer, DeductPerOccurrence):
            bad = present[(present < 0) | ~np.isfinite(present)]
            if len(bad):
                raise ScoringError(f"发生次数应为非负数，而不是 {float(bad[0])}")
            cap = mx if scorer.cap is None else min(scorer.cap, mx)
            occ = np.nan_to_num(given)
            points = mx - np.minimum(occ * scorer.per, cap)
            out_status = np.where(occ == 0, _MET, _NOT_MET).astype(np.int8)
            triggered = np.asarray(veto & ~unknown & (occ > 0), dtype=bool)
        else:
            for bad in present[(present < 0) | (present > mx)][:1]:
                scorer.validate(float(bad))  # raises the Chinese error
            points = quantize_many(np.nan_to_num(given))
            out_status = np.where(points == mx, _MET, _NOT_MET).astype(np.int8)
            triggered = np.zeros(len(given), dtype=bool)
        out_status = np.where(unknown, _UNKNOWN, out_status).astype(np.int8)
    points = quantize_many(points)
    if missing_policy is MissingPolicy.EXCLUDE:
        points = np.where(unknown, np.nan, points)
    else:
        points = np.where(unknown, 0.0, points)
    return ItemArrays(code, mx, points.astype(float), out_status, triggered & ~unknown,
                      missing_policy)


@dataclass(frozen=True)
class StandardArrays:
    """``score_standard`` for n units; NaN totals where the per-unit total is None."""

    codes: tuple[str, ...]  # items then bonus items
    base_max: float
    raw: np.ndarray
    included_max: np.ndarray
    base_total: np.ndarray
    bonus_raw: np.ndarray
    bonus: np.ndarray
    total: np.ndarray
    excluded: np.ndarray  # n × items
    zeroed: np.ndarray  # n × items
    veto_matrix: np.ndarray  # n × (items + bonus items)
    veto_unknown_matrix: np.ndarray  # n × (items + bonus items)
    missing_veto: tuple[str, ...]
    vetoed: np.ndarray
    passed: np.ndarray
    tier: list[str | None]
    pass_mark: float
    n_items: int
    has_bonus: bool

    def veto_items(self, j: int) -> tuple[str, ...]:
        return tuple(self._named["veto"][j])

    def explanation(self, j: int) -> str:
        """The per-unit sentence, exactly as ``score_standard`` words it."""
        return explain_total(**self._facts(j))

    def reasons(self, j: int) -> tuple[Reason, ...]:
        """The per-unit reasons, exactly as ``score_standard`` gives them."""
        return total_reasons(**self._facts(j))

    def reasons_json(self, j: int) -> list[dict[str, Any]]:
        """``[r.as_json() for r in self.reasons(j)]``, made once for the units whose facts
        are the same (at L 19,226 totals have ~10 times fewer distinct facts): those units
        share one list, which nobody changes."""
        col = self._columns
        named = self._named
        bt, total = col["base_total"][j], col["total"][j]
        key = (col["raw"][j], col["included_max"][j], None if bt != bt else bt,
               col["bonus_raw"][j], col["bonus"][j], None if total != total else total,
               col["passed"][j], self.tier[j], tuple(named["excluded"][j]),
               tuple(named["zeroed"][j]), tuple(named["veto"][j]),
               tuple(named["veto_unknown"][j]))
        found = self._reasons_made.get(key)
        if found is None:
            found = self._reasons_made[key] = [r.as_json() for r in self.reasons(j)]
        return found

    @functools.cached_property
    def _reasons_made(self) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
        return {}

    @functools.cached_property
    def _named(self) -> dict[str, list[list[str]]]:
        """For each unit, the codes of the items set in each matrix (in item order), found
        once for all units: reading the matrices row by row was most of a total's reasons."""
        items = self.codes[:self.n_items]
        out: dict[str, list[list[str]]] = {}
        for name, matrix, codes in (("excluded", self.excluded, items),
                                    ("zeroed", self.zeroed, items),
                                    ("veto", self.veto_matrix, self.codes),
                                    ("veto_unknown", self.veto_unknown_matrix, self.codes)):
            rows: list[list[str]] = [[] for _ in range(len(self.raw))]
            at_row, at_col = np.nonzero(matrix)  # row-major: each row's codes in order
            for r, c in zip(at_row.tolist(), at_col.tolist(), strict=True):
                rows[r].append(codes[c])
            out[name] = rows
        return out

    @functools.cached_property
    def _columns(self) -> dict[str, list[Any]]:
        return {name: getattr(self, name).tolist()
                for name in ("raw", "included_max", "base_total", "bonus_raw", "bonus", "total",
                             "passed")}

    def _facts(self, j: int) -> dict[str, Any]:
        col = self._columns
        named = self._named
        bt = col["base_total"][j]
        total = col["total"][j]
        return {
            "has_items": bool(self.n_items), "base_max": self.base_max, "raw": col["raw"][j],
            "included_max": col["included_max"][j], "base_total": None if bt != bt else bt,
            "excluded": list(named["excluded"][j]), "zeroed": list(named["zeroed"][j]),
            "bonus_raw": col["bonus_raw"][j] if self.has_bonus else None,
            "bonus": col["bonus"][j], "total": None if total != total else total,
            "veto_items": self.veto_items(j),
            "veto_unknown": list(named["veto_unknown"][j]),
            "missing_veto": self.missing_veto, "pass_mark": self.pass_mark,
            "passed": bool(col["passed"][j]), "tier": self.tier[j]}


def score_standard_many(
    items: Sequence[ItemArrays],
    n: int,
    *,
    pass_mark: float,
    tiers: Sequence[tuple[str, float]] = (),
    bonus_items: Sequence[ItemArrays] = (),
    bonus_cap: float | None = None,
    veto_codes: Collection[str] = (),
) -> StandardArrays:
    """``score_standard`` for n units at once (same sums in the same order)."""
    codes = [i.code for i in items] + [i.code for i in bonus_items]
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    if dupes:
        raise ScoringError(f"评分项重复：{'、'.join(dupes)}")
    base_max = sum(i.max_score for i in items)
    raw = np.zeros(n)
    included_max = np.zeros(n)
    excluded = np.zeros((n, len(items)), dtype=bool)
    zeroed = np.zeros((n, len(items)), dtype=bool)
    for k, i in enumerate(items):
        inc = ~i.excluded
        excluded[:, k] = ~inc
        zeroed[:, k] = inc & (i.status == _UNKNOWN)
        raw = np.where(inc, raw + np.where(inc, quantize_many(i.points), 0.0), raw)
        included_max = np.where(inc, included_max + i.max_score, included_max)
    raw = quantize_many(raw)
    with np.errstate(all="ignore"):
        scaled = quantize_many(raw * base_max / included_max)
    if items and base_max > 0:
        base_total = np.where(included_max > 0, scaled, np.nan)
    else:
        base_total = np.where(included_max > 0, scaled, 0.0)
    bonus_raw = np.zeros(n)
    for i in bonus_items:
        bonus_raw = bonus_raw + np.where(i.excluded, 0.0, quantize_many(i.points))
    bonus_raw = quantize_many(bonus_raw)
    bonus = bonus_raw if bonus_cap is None else quantize_many(np.minimum(bonus_raw, bonus_cap))
    total = quantize_many(base_total + bonus)
    veto_set = set(veto_codes)
    everything = [*items, *bonus_items]
    veto_matrix = np.zeros((n, len(everything)), dtype=bool)
    unknown_matrix = np.zeros((n, len(everything)), dtype=bool)
    for k, i in enumerate(everything):
        inset = i.code in veto_set
        veto_matrix[:, k] = i.veto | (inset & (i.status == _NOT_MET))
        unknown_matrix[:, k] = inset & (i.status == _UNKNOWN)
    missing_veto = tuple(sorted(veto_set - set(codes)))
    vetoed = np.asarray(veto_matrix.any(axis=1), dtype=bool)
    settled = ~vetoed & ~unknown_matrix.any(axis=1) & (not missing_veto) & ~np.isnan(total)
    with np.errstate(invalid="ignore"):
        passed = settled & (total >= pass_mark - 1e-9)
    tier: list[str | None] = [None] * n
    for minimum, name in sorted((minimum, name) for name, minimum in tiers):
        with np.errstate(invalid="ignore"):
            reached = settled & (total >= minimum - 1e-9)
        for j in np.nonzero(reached)[0]:
            tier[int(j)] = name
    return StandardArrays(
        codes=tuple(codes), base_max=base_max, raw=raw, included_max=included_max,
        base_total=base_total, bonus_raw=bonus_raw, bonus=bonus, total=total, excluded=excluded,
        zeroed=zeroed, veto_matrix=veto_matrix, veto_unknown_matrix=unknown_matrix,
        missing_veto=missing_veto, vetoed=vetoed, passed=passed, tier=tier,
        pass_mark=pass_mark, n_items=len(items), has_bonus=bool(bonus_items))
