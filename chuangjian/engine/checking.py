"""Load-time type checking of indicator expressions (公式校验).

A standards file is rejected when a formula names an unknown element, calls a
function with the wrong arguments or mixes numbers with yes/no values, with
the column of the fault, before any assessment runs.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping

from chuangjian.engine.syntax import (
    ARITHMETIC,
    FUNCTIONS,
    LOGICAL,
    PASSED,
    Binary,
    Bool,
    Call,
    Expr,
    ExpressionError,
    Name,
    Number,
    Unary,
    streak_years,
)

__all__ = ["ValueType", "check"]


class ValueType(enum.StrEnum):
    NUMBER = "number"
    BOOLEAN = "boolean"
    # Text and date elements exist in reports but may not enter a formula;
    # naming them lets the checker say so instead of "unknown name".
    TEXT = "text"
    DATE = "date"

    @property
    def label(self) -> str:
        return {"number": "数值", "boolean": "布尔值", "text": "文本", "date": "日期"}[self.value]


# -- type checking ------------------------------------------------------------


def check(
    expr: Expr,
    names: Mapping[str, ValueType],
    *,
    indicators: Collection[str] = (),
) -> ValueType:
    """Type-check an expression at load time and return its result type.

    `names` gives the type of every data element and indicator the unit's
    formula may read; `indicators` lists codes usable in share_of_children.
    """
    return _Checker(names, indicators).check(expr, shifted=False)


class _Checker:
    def __init__(self, names: Mapping[str, ValueType], indicators: Collection[str]) -> None:
        self.names = names
        self.indicators = indicators

    def expect(self, expr: Expr, wanted: ValueType, what: str, *, shifted: bool) -> None:
        got = self.check(expr, shifted=shifted)
        if got is not wanted:
            raise ExpressionError(expr.pos, f"{what}需要{wanted.label}，这里是{got.label}")

    def check(self, expr: Expr, *, shifted: bool) -> ValueType:
        if isinstance(expr, Number):
            return ValueType.NUMBER
        if isinstance(expr, Bool):
            return ValueType.BOOLEAN
        if isinstance(expr, Name):
            if expr.name not in self.names:
                raise ExpressionError(expr.pos, f"未知的名称「{expr.name}」")
            vt = ValueType(self.names[expr.name])
            if vt in (ValueType.TEXT, ValueType.DATE):
                raise ExpressionError(expr.pos, f"「{expr.name}」是{vt.label}数据，不能参与计算")
            return vt
        if isinstance(expr, Unary):
            if expr.op == "-":
                self.expect(expr.operand, ValueType.NUMBER, "负号", shifted=shifted)
                return ValueType.NUMBER
            self.expect(expr.operand, ValueType.BOOLEAN, "not ", shifted=shifted)
            return ValueType.BOOLEAN
        if isinstance(expr, Binary):
            return self.binary(expr, shifted=shifted)
        return self.call(expr, shifted=shifted)

    def binary(self, expr: Binary, *, shifted: bool) -> ValueType:
        if expr.op in ARITHMETIC:
            for side in (expr.left, expr.right):
                self.expect(side, ValueType.NUMBER, f"运算符 {expr.op} ", shifted=shifted)
            return ValueType.NUMBER
        if expr.op in LOGICAL:
            for side in (expr.left, expr.right):
                self.expect(side, ValueType.BOOLEAN, f"运算符 {expr.op} ", shifted=shifted)
            return ValueType.BOOLEAN
        if expr.op in ("==", "!="):
            left = self.check(expr.left, shifted=shifted)
            right = self.check(expr.right, shifted=shifted)
            if left is not right:
                raise ExpressionError(
                    expr.pos, f"比较 {expr.op} 两边类型不同：{left.label}与{right.label}"
                )
            return ValueType.BOOLEAN
        for side in (expr.left, expr.right):
            self.expect(side, ValueType.NUMBER, f"比较 {expr.op} ", shifted=shifted)
        return ValueType.BOOLEAN

    def call(self, expr: Call, *, shifted: bool) -> ValueType:
        spec = FUNCTIONS[expr.func]
        n = len(expr.args)
        if spec.max_args is None and n < spec.min_args:
            raise ExpressionError(expr.pos, f"函数 {expr.func} 至少需要 {spec.min_args} 个参数")
        if spec.max_args is not None and not spec.min_args <= n <= spec.max_args:
            raise ExpressionError(expr.pos, f"函数 {expr.func} 需要 {spec.min_args} 个参数")
        for kw in expr.kwargs:
            if kw.name not in spec.kwargs:
                raise ExpressionError(kw.pos, f"函数 {expr.func} 没有名为「{kw.name}」的参数")
        what = f"函数 {expr.func} 的参数"
        if expr.func == "if":
            self.expect(expr.args[0], ValueType.BOOLEAN, "if 的条件", shifted=shifted)
            then = self.check(expr.args[1], shifted=shifted)
            other = self.check(expr.args[2], shifted=shifted)
            if then is not other:
                raise ExpressionError(
                    expr.args[2].pos, f"if 的两个分支类型不同：{then.label}与{other.label}"
                )
            return then
        if expr.func in ("sum", "ratio", "min", "max"):
            for arg in expr.args:
                self.expect(arg, ValueType.NUMBER, what, shifted=shifted)
            return ValueType.NUMBER
        if expr.func == "previous":
            return self.check(expr.args[0], shifted=True)
        if expr.func == "streak_zero":
            streak_years(expr)
            self.expect(expr.args[0], ValueType.NUMBER, what, shifted=True)
            return ValueType.BOOLEAN
        # count and share_of_children read this period's bookkeeping, which
        # has no earlier-year counterpart in the environment.
        arg = expr.args[0]
        if shifted:
            raise ExpressionError(expr.pos, f"函数 {expr.func} 不能用于往年数据（previous、streak_zero 之内）")
        if not isinstance(arg, Name):
            kind = "数据元素" if expr.func == "count" else "指标"
            raise ExpressionError(arg.pos, f"函数 {expr.func} 的参数应为{kind}代码")
        if expr.func == "count":
            if arg.name not in self.names:
                raise ExpressionError(arg.pos, f"未知的名称「{arg.name}」")
            return ValueType.NUMBER
        if arg.name not in self.indicators and arg.name != PASSED:
            raise ExpressionError(arg.pos, f"未知的指标「{arg.name}」")
        return ValueType.NUMBER
