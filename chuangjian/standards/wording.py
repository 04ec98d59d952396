"""Formulas in words (公式的文字表述): what a page shows instead of ``ratio(a, b)``.

An indicator's formula is stored in the expression language; people read it as a
sentence made of the data elements' names: 「已调解纠纷数 ÷ 纠纷总数 × 100%」. The same
walk, given the unit's numbers instead of names, writes the substituted line of an
explanation. The words are translated here, above the engine, which stays free of
Django and of any language.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from chuangjian.engine import expressions as ex
from chuangjian.engine.syntax import COMPARISONS, PREC, PREC_ATOM, PREC_COMPARE, PREC_NEG

# (code, kind, years_back) -> the words for one input: a name, or the unit's value.
# kind is "value", "count" (how many reports) or "share_of_children".
Label = Callable[[str, str, int], str]

_OPS = {"+": "+", "-": "−", "*": "×", "/": "÷", ">=": "≥", "<=": "≤", ">": ">", "<": "<",
        "==": "=", "!=": "≠"}


def _prec(expr: ex.Expr) -> int:
    if isinstance(expr, ex.Binary):
        return PREC_COMPARE if expr.op in COMPARISONS else PREC[expr.op]
    if isinstance(expr, ex.Unary):
        return PREC["not"] if expr.op == "not" else PREC_NEG
    if isinstance(expr, ex.Call) and expr.func == "ratio":
        return PREC["*"]  # written as a ÷ b × 100%
    return PREC_ATOM


def _number(value: object) -> str:
    text = format(value, "f") if not isinstance(value, str) else value
    return text.rstrip("0").rstrip(".") if "." in text else text


def formula_in_words(expr: ex.Expr, label: Label) -> str:
    """The formula as a sentence, each input written by ``label``."""

    def words(e: ex.Expr, back: int, min_prec: int = 0) -> str:
        text = bare(e, back)
        return f"（{text}）" if _prec(e) < min_prec else text

    def bare(e: ex.Expr, back: int) -> str:
        if isinstance(e, ex.Number):
            return _number(e.value)
        if isinstance(e, ex.Bool):
            return _("是") if e.value else _("否")
        if isinstance(e, ex.Name):
            return label(e.name, "value", back)
        if isinstance(e, ex.Unary):
            if e.op == "not":
                return _("并非%(x)s") % {"x": words(e.operand, back, PREC["not"])}
            return "−" + words(e.operand, back, PREC_NEG)
        if isinstance(e, ex.Binary):
            p = _prec(e)
            if e.op in ("and", "or"):
                joiner = _("并且") if e.op == "and" else _("或者")
                return f"{words(e.left, back, p)}{joiner}{words(e.right, back, p + 1)}"
            left_min = p + 1 if e.op in COMPARISONS else p
            return f"{words(e.left, back, left_min)} {_OPS[e.op]} {words(e.right, back, p + 1)}"
        return call(e, back)

    def call(e: ex.Call, back: int) -> str:
        args = e.args
        if e.func == "ratio":
            return f"{words(args[0], back, PREC['*'])} ÷ {words(args[1], back, PREC['*'] + 1)} × 100%"
        if e.func == "sum":
            return " + ".join(words(a, back, PREC["+"]) for a in args)
        if e.func in ("min", "max"):
            listed = "、".join(words(a, back) for a in args)
            if len(args) == 1:
                return listed
            return (_("%(items)s中的较小者") if e.func == "min"
                    else _("%(items)s中的较大者")) % {"items": listed}
        if e.func == "if":
            return _("如果%(cond)s，取%(yes)s，否则取%(no)s") % {
                "cond": words(args[0], back), "yes": words(args[1], back),
                "no": words(args[2], back)}
        if e.func == "previous":
            return words(args[0], back + 1, PREC_ATOM)
        if e.func == "count" and isinstance(args[0], ex.Name):
            return label(args[0].name, "count", back)
        if e.func == "share_of_children" and isinstance(args[0], ex.Name):
            return label(args[0].name, "share_of_children", back)
        if e.func == "streak_zero":
            years = e.kwarg("years")
            n = _number(years.value) if isinstance(years, ex.Number) else "?"
            return _("连续 %(n)s 年%(x)s为 0") % {"n": n, "x": words(args[0], back, PREC_ATOM)}
        return ex.to_text(e)  # pragma: no cover - every function is worded above

    return bare(expr, 0)


def names_label(names: dict[str, str]) -> Label:
    """Write each input by its name: 「纠纷总数」, 「上年纠纷总数」, 「下级单位中…达标的比例」."""

    def label(code: str, kind: str, back: int) -> str:
        name = names.get(code, code)
        if kind == "count":
            name = _("%(x)s的报送次数") % {"x": name}
        elif kind == "share_of_children" and code == ex.PASSED:
            return _("考核合格的下级单位比例")
        elif kind == "share_of_children":
            return _("下级单位中「%(x)s」达标的比例") % {"x": name}
        if back == 1:
            return _("上年%(x)s") % {"x": name}
        if back > 1:
            return _("%(n)s 年前%(x)s") % {"n": back, "x": name}
        return name

    return label


def method_words(method: str) -> str:
    """测评方法 in the reader's language (the standard files write it in Chinese)."""
    from django.utils.translation import pgettext

    words = {"数据": pgettext("测评方法", "数据"), "实地考察": pgettext("测评方法", "实地考察"),
             "材料审核": pgettext("测评方法", "材料审核"),
             "问卷调查": pgettext("测评方法", "问卷调查")}
    return words.get(str(method), str(method))
