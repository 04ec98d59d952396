"""Target shapes (目标): every kind of target the creation plans state.

A target judges an indicator's value as met, not met or unknown, and says how
far toward it the value got (attainment, 0–1) for proportional scoring. Some
targets depend on the unit: 城镇 100% but 农村 80%, 85/90/95% in years 1–3,
保无毒 or 创无毒 classes. Those are selectors that pick a case and say which.

Each shape has one vectorised implementation; the single-value `evaluate`
runs it on arrays of length one, so the fast path and the explanation agree.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from chuangjian.engine.periods import PeriodType
from chuangjian.engine.reasons import Reason
from chuangjian.engine.values import FloatArray, Int8Array, Values, compare

__all__ = [
    "Applied",
    "AtLeastPerPeriod",
    "ByCategory",
    "ByClass",
    "ByYear",
    "ChangeFromPrevious",
    "Compare",
    "IsTrue",
    "Range",
    "Target",
    "TargetContext",
    "TargetResult",
    "TargetStatus",
    "ZeroForYears",
    "evaluate_many",
]


class TargetStatus(enum.IntEnum):
    # UNKNOWN is 0 so that a freshly zeroed status array claims nothing.
    UNKNOWN = 0
    MET = 1
    NOT_MET = 2

    @property
    def label(self) -> str:
        return {0: "无法计算", 1: "达标", 2: "未达标"}[int(self)]


@dataclass(frozen=True)
class TargetContext:
    """What a target may depend on besides the value itself, for one unit."""

    year: int
    category: str | None = None  # 城镇 / 农村
    unit_class: str | None = None  # e.g. 保无毒 / 创无毒
    previous: float | None = None
    history: Sequence[float | None] = ()  # yearly values, oldest first, current last

    def years_back(self, back: int) -> float | None:
        """The value `back` years before the current one, if known."""
        if back == 1 and self.previous is not None:
            return _clean(self.previous)
        if len(self.history) > back:
            return _clean(self.history[-1 - back])
        return None


def _clean(x: float | None) -> float | None:
    return None if x is None or x != x else float(x)  # x != x only for NaN


@dataclass(frozen=True)
class TargetResult:
    status: TargetStatus
    attainment: float | None  # 0–1, 1 when met, None when unknown
    applied: str  # which target applied and why, in Chinese (kept for stored text)
    reason: str | None = None  # why the status is unknown, in Chinese
    # The same as structured reasons (engine.reasons), worded above the engine.
    applied_reason: Reason | None = None
    why: Reason | None = None

    @property
    def met(self) -> bool:
        return self.status is TargetStatus.MET


def _num(x: float) -> str:
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _with_unit(x: float, unit: str) -> str:
    """`90%` but `400 平方米`: percent signs hug the number, words keep a space."""
    unit = unit.strip()
    if not unit or unit in ("%", "‰"):
        return f"{_num(x)}{unit}"
    return f"{_num(x)} {unit}"


class _Columns:
    """Per-unit context columns for a subset of units, built only as far as needed."""

    def __init__(self, ctxs: Sequence[TargetContext]) -> None:
        self.ctxs = ctxs
        self._back: dict[int, FloatArray] = {}

    def back(self, years: int) -> FloatArray:
        if years not in self._back:
            vals = [self.ctxs[i].years_back(years) for i in range(len(self.ctxs))]
            self._back[years] = np.array([np.nan if v is None else v for v in vals], dtype=np.float64)
        return self._back[years]


_Arrays = tuple[Int8Array, FloatArray]
# The largest float below 1: attainment of a value that is not met stays
# strictly below "fully met" even at the boundary of a strict target.
_ALMOST_ONE = float(np.nextafter(1.0, 0.0))


def _status(met: npt.NDArray[np.bool_], known: npt.NDArray[np.bool_]) -> Int8Array:
    status = np.where(met, np.int8(TargetStatus.MET), np.int8(TargetStatus.NOT_MET))
    return np.where(known, status, np.int8(TargetStatus.UNKNOWN)).astype(np.int8)


def _finish(met: npt.NDArray[np.bool_], known: npt.NDArray[np.bool_], partial: FloatArray) -> _Arrays:
    """Status plus attainment: 1 when met, `partial` clipped below 1 when not, NaN when unknown."""
    with np.errstate(all="ignore"):
        partial = np.clip(np.nan_to_num(partial, nan=0.0, posinf=0.0, neginf=0.0), 0.0, _ALMOST_ONE)
    attainment = np.where(met, 1.0, partial)
    return _status(met, known), np.where(known, attainment, np.nan)


def _toward_at_least(value: FloatArray, goal: FloatArray | float) -> FloatArray:
    """Partial attainment of a floor; a value at or past it (yet not met, being strict) is almost 1."""
    goal = np.broadcast_to(np.asarray(goal, dtype=np.float64), value.shape)
    with np.errstate(all="ignore"):
        ratio = np.where(goal > 0, value / goal, 0.0)
    return np.where(value >= goal, _ALMOST_ONE, ratio)


def _toward_at_most(value: FloatArray, goal: FloatArray | float) -> FloatArray:
    """Partial attainment of a ceiling: goal / value when over it, so twice the limit is half way."""
    goal = np.broadcast_to(np.asarray(goal, dtype=np.float64), value.shape)
    with np.errstate(all="ignore"):
        ratio = np.where((value > 0) & (goal > 0), goal / value, 0.0)
    return np.where(value <= goal, _ALMOST_ONE, ratio)


class Target:
    """Base of all target shapes."""

    def describe_zh(self, unit: str = "") -> str:
        raise NotImplementedError

    def describe(self, unit: str = "") -> Reason:
        """What the target asks, as a structured reason (worded above the engine)."""
        raise NotImplementedError

    def resolve(self, ctx: TargetContext) -> tuple[Target | None, list[str], str | None]:
        """The leaf target that applies to `ctx`, the choices made, and a reason if none applies."""
        leaf, path, reason, _path, _why = self.resolve_full(ctx)
        return leaf, path, reason

    def resolve_full(self, ctx: TargetContext) -> _Resolved:
        """``resolve`` with the choices and the reason also as structured reasons."""
        return self, [], None, [], None

    def applied(self, ctx: TargetContext, unit: str = "") -> Applied:
        """The target that applies to `ctx`, in Chinese and as reasons, and why none does."""
        leaf, path, reason, path_r, why = self.resolve_full(ctx)
        steps = tuple(r.as_json() for r in path_r)
        if leaf is None:
            return Applied(None, "，".join(path) or "无适用目标", reason,
                           Reason("none_applied", {"path": steps}), why)
        text = "，".join(path) + "：" + leaf.describe_zh(unit) if path else "目标：" + leaf.describe_zh(unit)
        return Applied(leaf, text, None, Reason("applied", {"path": steps, "target": leaf.describe(unit)}),
                       None)

    def _many(self, value: FloatArray, cols: _Columns) -> _Arrays:
        raise NotImplementedError

    def _unknown_reason(self, value: float | None, ctx: TargetContext) -> str:
        return "缺少指标数值"

    def unknown_why(self, value: float | None, ctx: TargetContext) -> Reason:
        """Why a leaf could not judge `value` (``_unknown_reason`` as a reason)."""
        return Reason("no_value")

    def evaluate(self, value: float | None, ctx: TargetContext, *, unit: str = "") -> TargetResult:
        found = self.applied(ctx, unit)
        if found.leaf is None:
            return TargetResult(TargetStatus.UNKNOWN, None, found.text, found.none_reason,
                                found.reason, found.why)
        leaf = found.leaf
        x = _clean(value)
        status, attainment = leaf._many(np.array([np.nan if x is None else x]), _Columns([ctx]))
        st = TargetStatus(int(status[0]))
        if st is TargetStatus.UNKNOWN:
            return TargetResult(st, None, found.text, leaf._unknown_reason(x, ctx), found.reason,
                                leaf.unknown_why(x, ctx))
        return TargetResult(st, float(attainment[0]), found.text, None, found.reason)


_Resolved = tuple[Target | None, list[str], str | None, list[Reason], Reason | None]


@dataclass(frozen=True)
class Applied:
    """The target that applies to one unit (``Target.applied``)."""

    leaf: Target | None
    text: str  # in Chinese, e.g. 「适用「城镇」目标：≥ 90%」
    none_reason: str | None  # in Chinese, why no target applies
    reason: Reason  # ``applied`` or ``none_applied``
    why: Reason | None  # why no target applies


def evaluate_many(
    target: Target,
    values: Values,
    ctxs: Sequence[TargetContext] | TargetContext,
) -> tuple[Int8Array, FloatArray]:
    """Status codes (TargetStatus) and attainment for every unit at once.

    Units are grouped by what selects a case (year, category, class), so the
    Python loop runs over a handful of groups and numpy does the rest.
    """
    n = values.n
    if isinstance(ctxs, TargetContext):
        ctxs = [ctxs] * n
    if len(ctxs) != n:
        raise ValueError(f"上下文数 {len(ctxs)} 与单位数 {n} 不一致")
    status = np.zeros(n, dtype=np.int8)
    attainment = np.full(n, np.nan)
    groups: dict[tuple[int, str | None, str | None], list[int]] = {}
    for i, ctx in enumerate(ctxs):
        groups.setdefault((ctx.year, ctx.category, ctx.unit_class), []).append(i)
    by_leaf: dict[int, tuple[Target, list[int]]] = {}
    for members in groups.values():
        leaf, _, _ = target.resolve(ctxs[members[0]])
        if leaf is not None:
            by_leaf.setdefault(id(leaf), (leaf, []))[1].extend(members)
    for leaf, members in by_leaf.values():
        idx = np.array(members, dtype=np.intp)
        st, att = leaf._many(values.value[idx], _Columns([ctxs[i] for i in members]))
        status[idx] = st
        attainment[idx] = att
    return status, attainment


# -- leaves -------------------------------------------------------------------

_OP_SYMBOLS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "==": "="}


@dataclass(frozen=True)
class Compare(Target):
    """A threshold such as 防火设施器材配备率 ≥ 90%."""

    op: str
    value: float

    def __post_init__(self) -> None:
        if self.op not in _OP_SYMBOLS:
            raise ValueError(f"未知的比较符「{self.op}」，应为 >=、<=、>、< 或 ==")

    def describe_zh(self, unit: str = "") -> str:
        return f"{_OP_SYMBOLS[self.op]} {_with_unit(self.value, unit)}"

    def describe(self, unit: str = "") -> Reason:
        return Reason("compare", {"op": self.op, "value": self.value, "unit": unit.strip()})

    def _many(self, value: FloatArray, cols: _Columns) -> _Arrays:
        known = ~np.isnan(value)
        met = compare(self.op, value, np.full_like(value, self.value)) & known
        if self.op in (">=", ">"):
            partial = _toward_at_least(value, self.value)
        elif self.op in ("<=", "<"):
            partial = _toward_at_most(value, self.value)
        else:
            partial = np.zeros_like(value)
        return _finish(met, known, partial)


@dataclass(frozen=True)
class Range(Target):
    """Inclusive bounds, e.g. a density that must stay between two limits."""

    low: float
    high: float

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError(f"区间下限 {self.low} 大于上限 {self.high}")

    def describe_zh(self, unit: str = "") -> str:
        return f"{_with_unit(self.low, unit)}–{_with_unit(self.high, unit)}"

    def describe(self, unit: str = "") -> Reason:
        return Reason("range", {"low": self.low, "high": self.high, "unit": unit.strip()})

    def _many(self, value: FloatArray, cols: _Columns) -> _Arrays:
        known = ~np.isnan(value)
        low = compare(">=", value, np.full_like(value, self.low))
        high = compare("<=", value, np.full_like(value, self.high))
        partial = np.where(low, _toward_at_most(value, self.high), _toward_at_least(value, self.low))
        return _finish(low & high & known, known, partial)


@dataclass(frozen=True)
class IsTrue(Target):
    """For yes/no indicators such as 无计划外生育: the value must be true (1)."""

    def describe_zh(self, unit: str = "") -> str:
        return "须为「是」"

    def describe(self, unit: str = "") -> Reason:
        return Reason("is_true")

    def _many(self, value: FloatArray, cols: _Columns) -> _Arrays:
        known = ~np.isnan(value)
        return _finish(known & (value != 0), known, np.zeros_like(value))


@dataclass(frozen=True)
class AtLeastPerPeriod(Target):
    """A frequency such as 小型文体活动一年不少于4次 or 每天督查指导.

    With ``per`` a year the value is the year's count. With a finer ``per``
    (每天, 每周, 每月, 每季度) the count must be met in each period, not on
    average: nine inspections in a year are not 每天. The value judged is
    then the share (%) of the window's periods that met the count, which
    ``share_of_periods`` makes from one count per period, and the target is
    met when that share reaches ``share`` (100: every period).
    """

    count: float
    per: PeriodType = PeriodType.YEAR
    share: float = 100.0

    def __post_init__(self) -> None:
        if not 0 < self.share <= 100:
            raise ValueError(f"达标期数占比应在 0 到 100 之间，实际为 {self.share}")

    @property
    def periodic(self) -> bool:
        """True when the count is judged period by period within the year."""
        return self.per.rank < PeriodType.YEAR.rank

    @property
    def per_word(self) -> str:
        """天 / 周 / 月 / 季度 / 年, as in 每天 and 365 天."""
        return "天" if self.per is PeriodType.DAY else self.per.label

    def describe_zh(self, unit: str = "") -> str:
        text = f"每{self.per_word}不少于 {_with_unit(self.count, unit or '次')}"
        if self.periodic and self.share < 100:
            text += f"（{_num(self.share)}% 以上的{self.per_word}做到）"
        return text

    def describe(self, unit: str = "") -> Reason:
        return Reason("per_period", {"count": self.count, "per": self.per.value,
                                     "share": self.share if self.periodic else 100,
                                     "unit": unit.strip()})

    def share_of_periods(self, counts: FloatArray) -> FloatArray:
        """Per unit (row), the % of periods (columns) whose count reached the goal.

        A period without a figure counts as not met: nothing recorded is
        nothing done. No periods at all (a window not yet begun) is unknown.
        """
        counts = np.atleast_2d(np.asarray(counts, dtype=np.float64))
        periods = counts.shape[1]
        if periods == 0:
            return np.full(counts.shape[0], np.nan)
        met = compare(">=", np.nan_to_num(counts, nan=0.0), np.full_like(counts, self.count))
        return 100.0 * met.sum(axis=1) / periods

    def _many(self, value: FloatArray, cols: _Columns) -> _Arrays:
        known = ~np.isnan(value)
        goal = self.share if self.periodic else self.count
        met = compare(">=", value, np.full_like(value, goal)) & known
        return _finish(met, known, _toward_at_least(value, goal))

    def _unknown_reason(self, value: float | None, ctx: TargetContext) -> str:
        return f"缺少每{self.per_word}的数据" if self.periodic else "缺少指标数值"

    def unknown_why(self, value: float | None, ctx: TargetContext) -> Reason:
        return Reason("no_period_data", {"per": self.per.value}) if self.periodic else Reason("no_value")


@dataclass(frozen=True)
class ZeroForYears(Target):
    """No event for N consecutive years, this year included (连续3年无重大火灾事故).

    A year known to be non-zero fails the target even when another year is
    missing, because no missing figure could repair it; otherwise any missing
    year leaves it unknown.
    """

    years: int

    def __post_init__(self) -> None:
        if self.years < 1:
            raise ValueError("连续年数至少为 1")

    def describe_zh(self, unit: str = "") -> str:
        return f"连续 {self.years} 年为 0"

    def describe(self, unit: str = "") -> Reason:
        return Reason("zero_for_years", {"years": self.years})

    def _many(self, value: FloatArray, cols: _Columns) -> _Arrays:
        yearly = [value] + [cols.back(k) for k in range(1, self.years)]
        broken = np.zeros(value.shape, dtype=bool)
        known = np.ones(value.shape, dtype=bool)
        for year in yearly:
            present = ~np.isnan(year)
            broken |= present & ~compare("==", year, np.zeros_like(year))
            known &= present
        return _finish(~broken & known, known | broken, np.zeros_like(value))

    def _unknown_reason(self, value: float | None, ctx: TargetContext) -> str:
        gaps = [ctx.year] if value is None else []
        gaps += [ctx.year - k for k in range(1, self.years) if ctx.years_back(k) is None]
        return f"缺少 {'、'.join(str(y) for y in sorted(gaps))} 年数据"

    def unknown_why(self, value: float | None, ctx: TargetContext) -> Reason:
        gaps = [ctx.year] if value is None else []
        gaps += [ctx.year - k for k in range(1, self.years) if ctx.years_back(k) is None]
        return Reason("missing_years", {"years": tuple(sorted(gaps))})


@dataclass(frozen=True)
class ChangeFromPrevious(Target):
    """A change against last year: ``percent=-20`` is 比上年下降20%.

    A decrease target is met when value ≤ previous × (1 + percent/100), an
    increase target when value ≥ that. ``decrease`` defaults to the sign of
    `percent`; ``ChangeFromPrevious(0, decrease=True, strict=True)`` is
    逐年下降 (strictly lower than last year) and
    ``ChangeFromPrevious(0, decrease=True)`` is 零增长 (no more than last year).

    A zero change has no sign to default from, and guessing "increase" once
    turned 零增长 upside down (100 → 120 met, 100 → 80 not met), so a zero
    change must say its direction.
    """

    percent: float
    decrease: bool | None = None
    strict: bool = False
    _down: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        if self.decrease is None and self.percent == 0:
            raise ValueError(
                "比上年变化为 0 时须写明方向：decrease: true 为不高于上年（零增长），"
                "decrease: false 为不低于上年"
            )
        down = self.percent < 0 if self.decrease is None else self.decrease
        if down and self.percent > 0:
            raise ValueError("下降目标的百分比应为负数或 0")
        if not down and self.percent < 0:
            raise ValueError("增长目标的百分比应为正数或 0")
        object.__setattr__(self, "_down", down)

    @property
    def decreasing(self) -> bool:
        """True for a ceiling (下降, 零增长), False for a floor (增长)."""
        return self._down

    def describe_zh(self, unit: str = "") -> str:
        size = abs(self.percent)
        word = "下降" if self._down else "增长"
        if size == 0:
            if self.strict:
                return f"比上年{word}"
            return "不高于上年（零增长）" if self._down else "不低于上年"
        return f"比上年{word}{'超过' if self.strict else ''} {_num(size)}%{'' if self.strict else ' 以上'}"

    def describe(self, unit: str = "") -> Reason:
        return Reason("change", {"percent": abs(self.percent), "down": self._down,
                                 "strict": self.strict})

    def _many(self, value: FloatArray, cols: _Columns) -> _Arrays:
        previous = cols.back(1)
        known = ~np.isnan(value) & ~np.isnan(previous)
        goal = previous * (1.0 + self.percent / 100.0)
        if self._down:
            met = compare("<" if self.strict else "<=", value, goal)
            # Nothing can fall below zero: staying at zero counts as the decrease.
            met |= compare("==", value, np.zeros_like(value)) & compare("==", previous, np.zeros_like(previous))
            partial = _toward_at_most(value, goal)
        else:
            met = compare(">" if self.strict else ">=", value, goal)
            partial = _toward_at_least(value, goal)
        return _finish(met & known, known, partial)

    def _unknown_reason(self, value: float | None, ctx: TargetContext) -> str:
        if value is None:
            return "缺少指标数值"
        return "缺少上年数据"

    def unknown_why(self, value: float | None, ctx: TargetContext) -> Reason:
        return Reason("no_value") if value is None else Reason("no_previous_year")


# -- selectors ----------------------------------------------------------------


def _describe_cases(
    cases: Sequence[tuple[str, Target]], default: Target | None, unit: str
) -> str:
    parts = [f"{label}：{t.describe_zh(unit)}" for label, t in cases]
    if default is not None:
        parts.append(f"其他：{default.describe_zh(unit)}")
    return "；".join(parts)


def _describe_cases_reason(by: str, cases: Sequence[tuple[str | int, Target]],
                           default: Target | None, unit: str) -> Reason:
    return Reason("cases", {"by": by, "cases": tuple((k, t.describe(unit)) for k, t in cases),
                            "default": default.describe(unit) if default is not None else None})


def _pick(
    by: str,
    key: str | int | None,
    label: str,
    case: Target | None,
    default: Target | None,
    ctx: TargetContext,
    missing_key: str,
    no_case: str,
) -> _Resolved:
    if case is not None:
        leaf, path, reason, path_r, why = case.resolve_full(ctx)
        return (leaf, [f"适用{label}目标", *path], reason,
                [Reason("chose_case", {"by": by, "key": key}), *path_r], why)
    if default is not None:
        leaf, path, reason, path_r, why = default.resolve_full(ctx)
        text = f"{missing_key}，适用默认目标" if key is None else f"无{label}专门目标，适用默认目标"
        step = (Reason("default_unset", {"by": by}) if key is None
                else Reason("default_no_case", {"by": by, "key": key}))
        return leaf, [text, *path], reason, [step, *path_r], why
    if key is None:
        return None, [], missing_key, [], Reason("unset", {"by": by})
    return None, [], no_case, [], Reason("no_case", {"by": by, "key": key})


@dataclass(frozen=True)
class ByCategory(Target):
    """Different targets for 城镇 and 农村 units (知晓率 城镇100% 农村80%)."""

    cases: Mapping[str, Target]
    default: Target | None = None

    def describe_zh(self, unit: str = "") -> str:
        return _describe_cases(list(self.cases.items()), self.default, unit)

    def describe(self, unit: str = "") -> Reason:
        return _describe_cases_reason("category", list(self.cases.items()), self.default, unit)

    def resolve_full(self, ctx: TargetContext) -> _Resolved:
        key = ctx.category
        return _pick(
            "category", key, f"「{key}」", self.cases.get(key) if key is not None else None, self.default, ctx,
            "单位未设置城乡类别", f"未设置「{key}」类别的目标",
        )


@dataclass(frozen=True)
class ByYear(Target):
    """Targets that rise year by year (township pass rate 85% / 90% / 95%)."""

    cases: Mapping[int, Target]
    default: Target | None = None

    def describe_zh(self, unit: str = "") -> str:
        return _describe_cases([(f"{y} 年", t) for y, t in sorted(self.cases.items())], self.default, unit)

    def describe(self, unit: str = "") -> Reason:
        return _describe_cases_reason("year", sorted(self.cases.items()), self.default, unit)

    def resolve_full(self, ctx: TargetContext) -> _Resolved:
        return _pick(
            "year", ctx.year, f" {ctx.year} 年", self.cases.get(ctx.year), self.default, ctx,
            "未设置年度", f"未设置 {ctx.year} 年的目标",
        )


@dataclass(frozen=True)
class ByClass(Target):
    """Targets by unit class (保无毒 / 创无毒), which may change from year to year (动态升降)."""

    cases: Mapping[str, Target]
    default: Target | None = None

    def describe_zh(self, unit: str = "") -> str:
        return _describe_cases(list(self.cases.items()), self.default, unit)

    def describe(self, unit: str = "") -> Reason:
        return _describe_cases_reason("class", list(self.cases.items()), self.default, unit)

    def resolve_full(self, ctx: TargetContext) -> _Resolved:
        key = ctx.unit_class
        return _pick(
            "class", key, f"「{key}」类", self.cases.get(key) if key is not None else None, self.default, ctx,
            "单位未设置类别", f"未设置「{key}」类单位的目标",
        )
