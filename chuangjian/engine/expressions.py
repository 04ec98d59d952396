"""The indicator expression language (指标计算公式): the public face.

Formulas such as ``ratio(fire_equipped, fire_required)`` are parsed
(`syntax`), type-checked when a standard loads (`checking`) and evaluated for
all units at once (`evaluation`). Import from here; the split is internal.
"""

from __future__ import annotations

from chuangjian.engine.checking import ValueType, check
from chuangjian.engine.evaluation import (
    DictEnvironment,
    Environment,
    ExplainedInput,
    Explanation,
    evaluate,
    explain,
)
from chuangjian.engine.syntax import (
    FUNCTIONS,
    KEYWORDS,
    PASSED,
    Binary,
    Bool,
    Call,
    Expr,
    ExpressionError,
    Keyword,
    Name,
    Number,
    Unary,
    indicators_used,
    names_used,
    parse,
    reads_children_verdicts,
    to_text,
    walk,
)
from chuangjian.engine.values import Missing, Values, reason_text

__all__ = [
    "FUNCTIONS",
    "KEYWORDS",
    "PASSED",
    "Binary",
    "Bool",
    "Call",
    "DictEnvironment",
    "Environment",
    "ExplainedInput",
    "Explanation",
    "Expr",
    "ExpressionError",
    "Keyword",
    "Missing",
    "Name",
    "Number",
    "Unary",
    "ValueType",
    "Values",
    "check",
    "evaluate",
    "explain",
    "indicators_used",
    "names_used",
    "parse",
    "reads_children_verdicts",
    "reason_text",
    "to_text",
    "walk",
]
