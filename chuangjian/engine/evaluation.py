"""Vectorised evaluation of indicator expressions, and the explanation of one unit's value.

The assessment evaluates each formula once for all units, over numpy arrays
(DESIGN.md, "Fast assessment"). Missing inputs propagate with a reason code;
nothing missing is ever turned into 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeAlias

import numpy as np

from chuangjian.engine.checking import ValueType
from chuangjian.engine.syntax import (
    COMPARISONS,
    LOGICAL,
    PREC,
    PREC_ATOM,
    PREC_NEG,
    Binary,
    Bool,
    Call,
    Expr,
    ExpressionError,
    Name,
    Number,
    Unary,
    prec,
    streak_years,
    to_text,
)
from chuangjian.engine.values import FloatArray, Missing, Values, compare, reason_text

__all__ = [
    "DictEnvironment",
    "Environment",
    "ExplainedInput",
    "Explanation",
    "evaluate",
    "explain",
]


# -- evaluation ---------------------------------------------------------------


class Environment(Protocol):
    """Where an expression's inputs come from, for n units at once (index i = unit i)."""

    @property
    def n(self) -> int: ...

    def value(self, name: str) -> Values: ...

    def previous(self, name: str) -> Values: ...

    def history(self, name: str, years: int) -> list[Values]:
        """The last `years` yearly values, oldest first, current year last."""
        ...

    def count(self, name: str) -> Values: ...

    def share_of_children(self, indicator: str) -> Values: ...


ArrayInput: TypeAlias = "Values | FloatArray | Sequence[float | bool | None] | float | None"


class DictEnvironment:
    """An Environment from plain dicts, for tests and for explaining one unit.

    Arrays (or scalars, repeated n times) may hold None or NaN for "not
    reported". `history` lists yearly values oldest first, current last, and
    fills in `values` and `previous` where those are not given.
    """

    def __init__(
        self,
        values: Mapping[str, ArrayInput] | None = None,
        *,
        previous: Mapping[str, ArrayInput] | None = None,
        history: Mapping[str, Sequence[ArrayInput]] | None = None,
        counts: Mapping[str, ArrayInput] | None = None,
        shares: Mapping[str, ArrayInput] | None = None,
        n: int | None = None,
    ) -> None:
        raw: list[ArrayInput] = [
            *(values or {}).values(),
            *(previous or {}).values(),
            *(counts or {}).values(),
            *(shares or {}).values(),
            *(x for seq in (history or {}).values() for x in seq),
        ]
        if n is None:
            n = next((_length(x) for x in raw if _length(x) is not None), None) or 1
        self._n = n
        conv = self._convert
        self._values = {k: conv(v) for k, v in (values or {}).items()}
        self._previous = {k: conv(v) for k, v in (previous or {}).items()}
        self._history = {k: [conv(v) for v in seq] for k, seq in (history or {}).items()}
        self._counts = {k: conv(v) for k, v in (counts or {}).items()}
        self._shares = {k: conv(v) for k, v in (shares or {}).items()}

    @property
    def n(self) -> int:
        return self._n

    def _convert(self, data: ArrayInput) -> Values:
        vals = data if isinstance(data, Values) else Values.of(data, self._n)
        if vals.n != self._n:
            raise ValueError(f"数组长度 {vals.n} 与单位数 {self._n} 不一致")
        return vals

    def _year(self, name: str, back: int) -> Values:
        if back == 0 and name in self._values:
            return self._values[name]
        if back == 1 and name in self._previous:
            return self._previous[name]
        hist = self._history.get(name, [])
        if len(hist) > back:
            return hist[-1 - back]
        code = (Missing.NO_DATA, Missing.NO_PREVIOUS_YEAR)[back] if back < 2 else Missing.NO_HISTORY
        return Values.all_missing(self._n, code)

    def value(self, name: str) -> Values:
        return self._year(name, 0)

    def previous(self, name: str) -> Values:
        return self._year(name, 1)

    def history(self, name: str, years: int) -> list[Values]:
        return [self._year(name, back) for back in range(years - 1, -1, -1)]

    def count(self, name: str) -> Values:
        found = self._counts.get(name)
        return found if found is not None else Values.all_missing(self._n)

    def share_of_children(self, indicator: str) -> Values:
        found = self._shares.get(indicator)
        return found if found is not None else Values.all_missing(self._n)


def _length(data: ArrayInput) -> int | None:
    if isinstance(data, Values):
        return data.n
    if data is None or isinstance(data, (int, float)):
        return None
    return len(data)


def _first_missing(*parts: Values) -> np.ndarray:
    """Combined reason codes: the leftmost operand's reason wins, so messages are stable."""
    missing = parts[0].missing
    for part in parts[1:]:
        missing = np.where(missing != 0, missing, part.missing)
    return missing.astype(np.int8)


_ArithOp: TypeAlias = Callable[[FloatArray, FloatArray], FloatArray]
_ARITH: Mapping[str, _ArithOp] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
}


class _Evaluator:
    """Evaluates a tree over arrays; `back` is how many years earlier a subtree is read."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.n = env.n
        # Inputs fetched, keyed by (kind, name, years back): a cache and, for
        # explain(), the list of what the result rests on.
        self.inputs: dict[tuple[str, str, int], Values] = {}

    def fetch(self, kind: str, name: str, back: int) -> Values:
        key = (kind, name, back)
        if key in self.inputs:
            return self.inputs[key]
        if kind == "count":
            got = self.env.count(name)
        elif kind == "share_of_children":
            got = self.env.share_of_children(name)
        elif back == 0:
            got = self.env.value(name)
        elif back == 1:
            got = self.env.previous(name).with_missing_code(Missing.NO_DATA, Missing.NO_PREVIOUS_YEAR)
        else:
            got = self.env.history(name, back + 1)[0].with_missing_code(Missing.NO_DATA, Missing.NO_HISTORY)
        if got.n != self.n:
            raise ValueError(f"「{name}」返回 {got.n} 个值，应为 {self.n} 个")
        self.inputs[key] = got
        return got

    def eval(self, expr: Expr, back: int = 0) -> Values:
        n = self.n
        if isinstance(expr, Number):
            return Values(np.full(n, float(expr.value)), np.zeros(n, dtype=np.int8))
        if isinstance(expr, Bool):
            return Values(np.full(n, 1.0 if expr.value else 0.0), np.zeros(n, dtype=np.int8))
        if isinstance(expr, Name):
            return self.fetch("value", expr.name, back)
        if isinstance(expr, Unary):
            operand = self.eval(expr.operand, back)
            if expr.op == "-":
                return Values(-operand.value, operand.missing)
            return Values(1.0 - operand.value, operand.missing)
        if isinstance(expr, Binary):
            return self.binary(expr, back)
        return self.call(expr, back)

    def binary(self, expr: Binary, back: int) -> Values:
        a = self.eval(expr.left, back)
        b = self.eval(expr.right, back)
        if expr.op in LOGICAL:
            return _kleene(expr.op, a, b)
        missing = _first_missing(a, b)
        with np.errstate(all="ignore"):
            if expr.op == "/":
                return _divide(a.value, b, missing)
            if expr.op in COMPARISONS:
                return Values(compare(expr.op, a.value, b.value).astype(np.float64), missing)
            return Values(_ARITH[expr.op](a.value, b.value), missing)

    def call(self, expr: Call, back: int) -> Values:
        func = expr.func
        if func in ("count", "share_of_children"):
            arg = expr.args[0] if expr.args else None
            if not isinstance(arg, Name) or back:
                raise ExpressionError(expr.pos, f"函数 {func} 的用法不正确，请先检查表达式")
            return self.fetch(func, arg.name, 0)
        if func == "previous":
            return self.eval(expr.args[0], back + 1)
        if func == "streak_zero":
            years = [self.eval(expr.args[0], back + k) for k in range(streak_years(expr))]
            return _streak_zero(years)
        args = [self.eval(arg, back) for arg in expr.args]
        if func == "if":
            cond, then, other = args
            take = cond.present & (cond.value != 0)
            missing = np.where(cond.missing != 0, cond.missing, np.where(take, then.missing, other.missing))
            return Values(np.where(take, then.value, other.value), missing)
        if func == "ratio":
            a, b = args
            with np.errstate(all="ignore"):
                # Multiply first so that whole-number percentages come out exact.
                return _divide(a.value * 100.0, b, _first_missing(a, b))
        missing = _first_missing(*args)
        stacked = np.vstack([a.value for a in args])
        with np.errstate(all="ignore"):
            if func == "sum":
                return Values(stacked.sum(axis=0), missing)
            if func == "min":
                return Values(stacked.min(axis=0), missing)
            return Values(stacked.max(axis=0), missing)


def _divide(numerator: FloatArray, b: Values, missing: np.ndarray) -> Values:
    zero = (missing == 0) & (b.value == 0)
    missing = np.where(zero, np.int8(Missing.DIVISION_BY_ZERO), missing)
    with np.errstate(all="ignore"):
        return Values(numerator / b.value, missing)


def _kleene(op: str, a: Values, b: Values) -> Values:
    """Three-valued and/or: a known false decides `and`, a known true decides `or`.

    A missing input only makes the result missing when the answer depends on it.
    """
    decisive = 0.0 if op == "and" else 1.0
    decided = (a.present & (a.value == decisive)) | (b.present & (b.value == decisive))
    missing = np.where(decided, np.int8(0), _first_missing(a, b))
    other = a.value * b.value if op == "and" else np.maximum(a.value, b.value)
    return Values(np.where(decided, decisive, other), missing)


def _streak_zero(years: Sequence[Values]) -> Values:
    """True when every year is 0; a year known to be non-zero breaks the streak even if others are missing."""
    broken = np.zeros(years[0].n, dtype=bool)
    for year in years:
        broken |= year.present & (year.value != 0)
    missing = np.where(broken, np.int8(0), _first_missing(*years))
    return Values(np.where(broken, 0.0, 1.0), missing)


def evaluate(expr: Expr, env: Environment) -> Values:
    """The expression's value for every unit of `env` at once."""
    return _Evaluator(env).eval(expr)


# -- explanation --------------------------------------------------------------

_ROLE_ZH = {"count": "本期报送次数", "share_of_children": "下级单位达标占比"}


@dataclass(frozen=True)
class ExplainedInput:
    """One input a single unit's result rests on."""

    name: str
    kind: str  # "value", "count" or "share_of_children"
    years_back: int
    value: float | None
    missing: int

    @property
    def role(self) -> str:
        if self.kind != "value":
            return self.kind
        if self.years_back == 0:
            return "current"
        if self.years_back == 1:
            return "previous"
        return f"history-year-{self.years_back}"

    @property
    def role_zh(self) -> str:
        if self.kind != "value":
            return _ROLE_ZH[self.kind]
        return ("本期", "上年")[self.years_back] if self.years_back < 2 else f"{self.years_back} 年前"

    @property
    def reason(self) -> str | None:
        return reason_text(self.missing) if self.missing else None

    def render_zh(self) -> str:
        shown = _fmt(self.value) if self.value is not None else f"无（{self.reason}）"
        return f"{self.name}（{self.role_zh}）= {shown}"


@dataclass(frozen=True)
class Explanation:
    expression: Expr
    inputs: tuple[ExplainedInput, ...]
    value: float | None
    missing: int
    substituted: str
    boolean: bool

    @property
    def reason(self) -> str | None:
        return reason_text(self.missing) if self.missing else None

    def result_zh(self) -> str:
        if self.value is None:
            return f"无法计算（{self.reason}）"
        if self.boolean:
            return "是" if self.value else "否"
        return _fmt(self.value)

    def render_zh(self) -> str:
        """One line: the formula, the same with the unit's numbers put in, and the result."""
        text = to_text(self.expression)
        result = self.result_zh()
        steps = [text]
        if self.substituted not in (text, result):
            steps.append(self.substituted)
        steps.append(result)
        return " = ".join(steps)


def _fmt(x: float) -> str:
    if math.isfinite(x) and x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _is_boolean(expr: Expr, names: Mapping[str, ValueType]) -> bool:
    if isinstance(expr, Bool):
        return True
    if isinstance(expr, Number):
        return False
    if isinstance(expr, Name):
        return names.get(expr.name) is ValueType.BOOLEAN
    if isinstance(expr, Unary):
        return expr.op == "not"
    if isinstance(expr, Binary):
        return expr.op in COMPARISONS or expr.op in LOGICAL
    if expr.func == "streak_zero":
        return True
    if expr.func == "if" and len(expr.args) == 3:
        return _is_boolean(expr.args[1], names)
    if expr.func == "previous" and expr.args:
        return _is_boolean(expr.args[0], names)
    return False


class _Substituter:
    """Renders the formula with one unit's input values in place of the names."""

    def __init__(self, ev: _Evaluator, names: Mapping[str, ValueType]) -> None:
        self.ev = ev
        self.names = names

    def leaf(self, vals: Values, boolean: bool) -> tuple[str, int]:
        v = vals.get(0)
        if v is None:
            return f"〔{reason_text(int(vals.missing[0]))}〕", PREC_ATOM
        if boolean:
            return ("是" if v else "否"), PREC_ATOM
        # A negative number in the middle of a formula reads better bracketed.
        return (f"({_fmt(v)})" if v < 0 else _fmt(v)), PREC_ATOM

    def render(self, expr: Expr, back: int) -> tuple[str, int]:
        def wrap(e: Expr, min_prec: int, b: int = back) -> str:
            text, p = self.render(e, b)
            return f"({text})" if p < min_prec else text

        if isinstance(expr, Name):
            return self.leaf(self.ev.fetch("value", expr.name, back), _is_boolean(expr, self.names))
        if isinstance(expr, (Number, Bool)):
            return to_text(expr), PREC_ATOM
        if isinstance(expr, Unary):
            if expr.op == "not":
                return "not " + wrap(expr.operand, PREC["not"]), PREC["not"]
            return "-" + wrap(expr.operand, PREC_NEG), PREC_NEG
        if isinstance(expr, Binary):
            p = prec(expr)
            op = "×" if expr.op == "*" else expr.op
            left_min = p + 1 if expr.op in COMPARISONS else p
            return f"{wrap(expr.left, left_min)} {op} {wrap(expr.right, p + 1)}", p
        func = expr.func
        if func in ("count", "share_of_children") and expr.args and isinstance(expr.args[0], Name):
            return self.leaf(self.ev.fetch(func, expr.args[0].name, 0), False)
        if func == "ratio" and len(expr.args) == 2:
            a, b = expr.args
            return f"100 × {wrap(a, PREC['*'] + 1)} / {wrap(b, PREC['*'] + 1)}", PREC["*"]
        if func == "previous" and expr.args:
            inner = expr.args[0]
            if isinstance(inner, Name):
                return self.render(inner, back + 1)
            return f"上年({self.render(inner, back + 1)[0]})", PREC_ATOM
        if func == "streak_zero" and expr.args:
            years = streak_years(expr)
            shown = [self.render(expr.args[0], back + k)[0] for k in range(years - 1, -1, -1)]
            return f"streak_zero([{', '.join(shown)}], years={years})", PREC_ATOM
        parts = [self.render(a, back)[0] for a in expr.args]
        return f"{func}({', '.join(parts)})", PREC_ATOM


def explain(
    expr: Expr,
    env: Environment,
    *,
    names: Mapping[str, ValueType] | None = None,
) -> Explanation:
    """How one unit's value came about (env.n must be 1).

    `names`, when given, lets boolean inputs and results read 是/否 instead of 1/0.
    """
    if env.n != 1:
        raise ValueError(f"explain 只能用于单个单位，这里有 {env.n} 个")
    names = names or {}
    ev = _Evaluator(env)
    result = ev.eval(expr)
    substituted = _Substituter(ev, names).render(expr, 0)[0]
    inputs = tuple(
        ExplainedInput(name, kind, back, vals.get(0), int(vals.missing[0]))
        for (kind, name, back), vals in ev.inputs.items()
    )
    return Explanation(
        expression=expr,
        inputs=inputs,
        value=result.get(0),
        missing=int(result.missing[0]),
        substituted=substituted,
        boolean=_is_boolean(expr, names),
    )
