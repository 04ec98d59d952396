"""The indicator expression language (指标计算公式): parsed, type-checked, evaluated over arrays.

Standards files state how an indicator is computed, e.g.
``ratio(fire_equipped, fire_required)`` or ``streak_zero(fire_major, years=3)``.
The text is parsed into an immutable tree and never handed to ``eval``, so a
standards file can only ever compute, not run code.

Grammar, loosest binding first::

    or_expr   := and_expr ("or" and_expr)*
    and_expr  := not_expr ("and" not_expr)*
    not_expr  := "not" not_expr | comparison
    comparison:= sum (("<" | "<=" | ">" | ">=" | "==" | "!=") sum)?
    sum       := product (("+" | "-") product)*
    product   := unary (("*" | "/") unary)*
    unary     := "-" unary | primary
    primary   := NUMBER | "true" | "false" | NAME | NAME "(" args ")" | "(" or_expr ")"

Comparisons do not chain (``a < b < c`` is an error rather than a surprise).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeAlias

__all__ = [
    "ARITHMETIC",
    "COMPARISONS",
    "FUNCTIONS",
    "KEYWORDS",
    "LOGICAL",
    "PASSED",
    "Binary",
    "Bool",
    "Call",
    "Expr",
    "ExpressionError",
    "Keyword",
    "Name",
    "Number",
    "Unary",
    "indicators_used",
    "names_used",
    "parse",
    "reads_children_verdicts",
    "streak_years",
    "to_text",
    "walk",
]


class ExpressionError(ValueError):
    """A fault in an expression, located by 0-based column; `message` is Chinese and 1-based."""

    def __init__(self, position: int, detail: str) -> None:
        self.position = position
        self.detail = detail
        # People count columns from 1; the attribute stays 0-based for code.
        self.message = f"第 {position + 1} 列：{detail}"
        super().__init__(self.message)


# -- the tree -----------------------------------------------------------------

_NAME_RE = re.compile(r"[a-z_][a-z0-9_]*")
KEYWORDS = frozenset({"and", "or", "not", "true", "false"})
COMPARISONS = frozenset({">=", "<=", ">", "<", "==", "!="})
ARITHMETIC = frozenset({"+", "-", "*", "/"})
LOGICAL = frozenset({"and", "or"})


@dataclass(frozen=True)
class Number:
    """A non-negative literal; a negative one is `Unary("-", Number(...))`, which keeps printing unambiguous."""

    value: Decimal
    pos: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        value = self.value if isinstance(self.value, Decimal) else Decimal(str(self.value))
        if not value.is_finite() or value < 0:
            raise ValueError("Number 只能是非负有限数")
        if value == 0:
            value = Decimal(0)  # drop the sign of -0 so it prints as "0"
        object.__setattr__(self, "value", value)

    def __str__(self) -> str:
        return to_text(self)


@dataclass(frozen=True)
class Bool:
    value: bool
    pos: int = field(default=0, compare=False)

    def __str__(self) -> str:
        return to_text(self)


@dataclass(frozen=True)
class Name:
    """A data element (数据元素) or indicator (指标) code."""

    name: str
    pos: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if not _NAME_RE.fullmatch(self.name) or self.name in KEYWORDS:
            raise ValueError(f"非法的名称「{self.name}」")

    def __str__(self) -> str:
        return to_text(self)


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: Expr
    pos: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.op not in ("-", "not"):
            raise ValueError(f"未知的一元运算符「{self.op}」")

    def __str__(self) -> str:
        return to_text(self)


@dataclass(frozen=True)
class Binary:
    op: str
    left: Expr
    right: Expr
    pos: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.op not in ARITHMETIC | COMPARISONS | LOGICAL:
            raise ValueError(f"未知的运算符「{self.op}」")

    def __str__(self) -> str:
        return to_text(self)


@dataclass(frozen=True)
class Keyword:
    """A keyword argument such as ``years=3``."""

    name: str
    value: Expr
    pos: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Expr, ...] = ()
    kwargs: tuple[Keyword, ...] = ()
    pos: int = field(default=0, compare=False)

    def __post_init__(self) -> None:
        if self.func not in FUNCTIONS:
            raise ValueError(f"未知的函数「{self.func}」")
        object.__setattr__(self, "args", tuple(self.args))
        object.__setattr__(self, "kwargs", tuple(self.kwargs))

    def kwarg(self, name: str) -> Expr | None:
        return next((k.value for k in self.kwargs if k.name == name), None)

    def __str__(self) -> str:
        return to_text(self)


Expr: TypeAlias = Number | Bool | Name | Unary | Binary | Call


@dataclass(frozen=True)
class _FunctionSpec:
    min_args: int
    max_args: int | None  # None: any number
    kwargs: frozenset[str] = frozenset()
    summary: str = ""


FUNCTIONS: Mapping[str, _FunctionSpec] = {
    "if": _FunctionSpec(3, 3, summary="if(条件, 成立时的值, 不成立时的值)"),
    "sum": _FunctionSpec(1, None, summary="sum(a, b, ...) 求和"),
    "count": _FunctionSpec(1, 1, summary="count(x) 本期已报送的次数"),
    "ratio": _FunctionSpec(2, 2, summary="ratio(a, b) = 100 × a / b，百分比"),
    "min": _FunctionSpec(1, None, summary="min(a, b, ...) 最小值"),
    "max": _FunctionSpec(1, None, summary="max(a, b, ...) 最大值"),
    "previous": _FunctionSpec(1, 1, summary="previous(x) 上年同期的值"),
    "streak_zero": _FunctionSpec(1, 1, frozenset({"years"}), "streak_zero(x, years=N) 连续 N 年为 0"),
    "share_of_children": _FunctionSpec(
        1, 1, summary="share_of_children(指标) 达标下级单位占比（%）；share_of_children(passed) 考核合格的下级单位占比"
    ),
}

# share_of_children(passed) reads each child's own overall verdict of the same run
# (总分达到合格线、未被一票否决), not one of its indicators: 考核总合格率 (issue 11).
PASSED = "passed"

MAX_STREAK_YEARS = 50


def walk(expr: Expr) -> Iterator[Expr]:
    """Every node of the tree, parents before children."""
    yield expr
    if isinstance(expr, Unary):
        yield from walk(expr.operand)
    elif isinstance(expr, Binary):
        yield from walk(expr.left)
        yield from walk(expr.right)
    elif isinstance(expr, Call):
        for arg in expr.args:
            yield from walk(arg)
        for kw in expr.kwargs:
            yield from walk(kw.value)


def indicators_used(expr: Expr) -> set[str]:
    """Indicator codes named by ``share_of_children``; the loader checks them for cycles."""
    return {
        node.args[0].name
        for node in walk(expr)
        if isinstance(node, Call)
        and node.func == "share_of_children"
        and len(node.args) == 1
        and isinstance(node.args[0], Name)
        and node.args[0].name != PASSED
    }


def reads_children_verdicts(expr: Expr) -> bool:
    """True when the expression uses share_of_children(passed)."""
    return any(
        isinstance(node, Call)
        and node.func == "share_of_children"
        and len(node.args) == 1
        and isinstance(node.args[0], Name)
        and node.args[0].name == PASSED
        for node in walk(expr)
    )


def names_used(expr: Expr) -> set[str]:
    """Data element or indicator codes read for the unit itself (not those of share_of_children)."""
    skip: set[int] = set()
    for node in walk(expr):
        if isinstance(node, Call) and node.func == "share_of_children":
            skip.update(id(arg) for arg in node.args)
    return {node.name for node in walk(expr) if isinstance(node, Name) and id(node) not in skip}


# -- printing -----------------------------------------------------------------

# Binding strength for printing; higher binds tighter. Parsing follows the
# same table, which is what makes print-then-parse return the same tree.
PREC = {"or": 1, "and": 2, "not": 3, "+": 5, "-": 5, "*": 6, "/": 6}
PREC_COMPARE = 4
PREC_NEG = 7
PREC_ATOM = 8


def prec(expr: Expr) -> int:
    if isinstance(expr, Binary):
        return PREC_COMPARE if expr.op in COMPARISONS else PREC[expr.op]
    if isinstance(expr, Unary):
        return PREC["not"] if expr.op == "not" else PREC_NEG
    return PREC_ATOM


def _number_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def to_text(expr: Expr) -> str:
    """Canonical text with only the parentheses the grammar needs."""

    def wrap(e: Expr, min_prec: int) -> str:
        text = to_text(e)
        return f"({text})" if prec(e) < min_prec else text

    if isinstance(expr, Number):
        return _number_text(expr.value)
    if isinstance(expr, Bool):
        return "true" if expr.value else "false"
    if isinstance(expr, Name):
        return expr.name
    if isinstance(expr, Unary):
        if expr.op == "not":
            return "not " + wrap(expr.operand, PREC["not"])
        return "-" + wrap(expr.operand, PREC_NEG)
    if isinstance(expr, Binary):
        p = prec(expr)
        # Comparisons do not chain, so even an equal-strength left side needs parentheses.
        left_min = p + 1 if expr.op in COMPARISONS else p
        return f"{wrap(expr.left, left_min)} {expr.op} {wrap(expr.right, p + 1)}"
    parts = [to_text(a) for a in expr.args] + [f"{k.name}={to_text(k.value)}" for k in expr.kwargs]
    return f"{expr.func}({', '.join(parts)})"


# -- parsing ------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: str  # NUM NAME KW OP LPAR RPAR COMMA ASSIGN END
    text: str
    pos: int


_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<num>\d+(?:\.\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>>=|<=|==|!=|[-+*/<>])
  | (?P<assign>=)
  | (?P<lpar>\()
  | (?P<rpar>\))
  | (?P<comma>,)
    """,
    re.VERBOSE,
)


def _tokenize(text: str) -> list[_Token]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(MAX_LENGTH, f"表达式过长（不超过 {MAX_LENGTH} 个字符）")
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            char = text[pos]
            hint = "；中文标点请改用英文标点" if char in "（），＝＋－×÷" else ""
            raise ExpressionError(pos, f"无法识别的字符「{char}」{hint}")
        kind = m.lastgroup or ""
        word = m.group()
        if kind == "num" and m.end() < len(text) and (text[m.end()].isalnum() or text[m.end()] == "_"):
            raise ExpressionError(m.end(), "数字后不能紧跟字母或数字")
        if kind == "name":
            if not _NAME_RE.fullmatch(word):
                raise ExpressionError(pos, f"名称「{word}」只能由小写字母、数字和下划线组成")
            kind = "kw" if word in KEYWORDS else "name"
        if kind == "num" and len(word.replace(".", "")) > MAX_DIGITS:
            raise ExpressionError(pos, f"数字位数过多（不超过 {MAX_DIGITS} 位）")
        if kind != "space":
            tokens.append(_Token(kind.upper(), word, pos))
            if len(tokens) > MAX_TOKENS:
                raise ExpressionError(pos, f"表达式过长（不超过 {MAX_TOKENS} 个符号）")
        pos = m.end()
    tokens.append(_Token("END", "", len(text)))
    return tokens


_MAX_DEPTH = 64
# Indicator formulas are short; these bounds keep hostile text from costing time or
# recursion anywhere downstream (checking, evaluation and printing walk the tree).
MAX_LENGTH = 2000
MAX_TOKENS = 1200
MAX_TREE_DEPTH = 100
MAX_DIGITS = 18


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.i = 0
        self.depth = 0

    @property
    def tok(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def at(self, kind: str, *texts: str) -> bool:
        return self.tok.kind == kind and (not texts or self.tok.text in texts)

    def unexpected(self) -> ExpressionError:
        tok = self.tok
        if tok.kind == "END":
            return ExpressionError(tok.pos, "表达式不完整")
        if tok.kind == "RPAR":
            return ExpressionError(tok.pos, "多余的右括号")
        if tok.kind == "ASSIGN":
            return ExpressionError(tok.pos, "比较是否相等请用 ==")
        return ExpressionError(tok.pos, f"此处不应出现「{tok.text}」")

    def parse(self) -> Expr:
        if self.tok.kind == "END":
            raise ExpressionError(0, "表达式为空")
        expr = self.or_expr()
        if self.tok.kind != "END":
            raise self.unexpected()
        return expr

    def or_expr(self) -> Expr:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise ExpressionError(self.tok.pos, "表达式嵌套过深")
        left = self.and_expr()
        while self.at("KW", "or"):
            op = self.advance()
            left = Binary("or", left, self.and_expr(), op.pos)
        self.depth -= 1
        return left

    def and_expr(self) -> Expr:
        left = self.not_expr()
        while self.at("KW", "and"):
            op = self.advance()
            left = Binary("and", left, self.not_expr(), op.pos)
        return left

    def not_expr(self) -> Expr:
        if self.at("KW", "not"):
            op = self.advance()
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise ExpressionError(op.pos, "表达式嵌套过深")
            operand = self.not_expr()
            self.depth -= 1
            return Unary("not", operand, op.pos)
        return self.comparison()

    def comparison(self) -> Expr:
        left = self.sum()
        if self.tok.kind == "OP" and self.tok.text in COMPARISONS:
            op = self.advance()
            left = Binary(op.text, left, self.sum(), op.pos)
            if self.tok.kind == "OP" and self.tok.text in COMPARISONS:
                raise ExpressionError(self.tok.pos, "比较不能连写，请用 and 连接两个比较")
        return left

    def sum(self) -> Expr:
        left = self.product()
        while self.at("OP", "+", "-"):
            op = self.advance()
            left = Binary(op.text, left, self.product(), op.pos)
        return left

    def product(self) -> Expr:
        left = self.unary()
        while self.at("OP", "*", "/"):
            op = self.advance()
            left = Binary(op.text, left, self.unary(), op.pos)
        return left

    def unary(self) -> Expr:
        if self.at("OP", "-"):
            op = self.advance()
            self.depth += 1
            if self.depth > _MAX_DEPTH:
                raise ExpressionError(op.pos, "表达式嵌套过深")
            operand = self.unary()
            self.depth -= 1
            return Unary("-", operand, op.pos)
        return self.primary()

    def primary(self) -> Expr:
        tok = self.tok
        if tok.kind == "NUM":
            self.advance()
            return Number(Decimal(tok.text), tok.pos)
        if tok.kind == "KW" and tok.text in ("true", "false"):
            self.advance()
            return Bool(tok.text == "true", tok.pos)
        if tok.kind == "NAME":
            self.advance()
            if self.at("LPAR"):
                return self.call(tok)
            return Name(tok.text, tok.pos)
        if tok.kind == "LPAR":
            self.advance()
            inner = self.or_expr()
            if not self.at("RPAR"):
                if self.tok.kind == "END":
                    raise ExpressionError(tok.pos, "缺少右括号")
                raise self.unexpected()
            self.advance()
            return inner
        raise self.unexpected()

    def call(self, name: _Token) -> Expr:
        if name.text not in FUNCTIONS:
            known = "、".join(FUNCTIONS)
            raise ExpressionError(name.pos, f"未知的函数「{name.text}」（可用：{known}）")
        lpar = self.advance()
        args: list[Expr] = []
        kwargs: list[Keyword] = []
        if not self.at("RPAR"):
            while True:
                if self.at("NAME") and self.tokens[self.i + 1].kind == "ASSIGN":
                    key = self.advance()
                    self.advance()
                    if any(k.name == key.text for k in kwargs):
                        raise ExpressionError(key.pos, f"参数 {key.text} 重复")
                    kwargs.append(Keyword(key.text, self.or_expr(), key.pos))
                else:
                    if kwargs:
                        raise ExpressionError(self.tok.pos, "位置参数不能写在关键字参数之后")
                    args.append(self.or_expr())
                if self.at("COMMA"):
                    self.advance()
                    continue
                if self.at("RPAR"):
                    break
                if self.tok.kind == "END":
                    raise ExpressionError(lpar.pos, "缺少右括号")
                raise ExpressionError(self.tok.pos, "函数参数之间应以逗号分隔")
        self.advance()
        return Call(name.text, tuple(args), tuple(kwargs), name.pos)


def parse(text: str) -> Expr:
    """Parse an expression; raises ExpressionError with the column of the first fault."""
    expr = _Parser(text).parse()
    _check_depth(expr)
    return expr


def _check_depth(expr: Expr) -> None:
    """Refuse a tree deeper than MAX_TREE_DEPTH (a long chain of + is left-deep)."""
    stack: list[tuple[Expr, int]] = [(expr, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            raise ExpressionError(getattr(node, "pos", 0),
                                  f"表达式过长或嵌套过深（不超过 {MAX_TREE_DEPTH} 层）")
        if isinstance(node, Unary):
            stack.append((node.operand, depth + 1))
        elif isinstance(node, Binary):
            stack.extend(((node.left, depth + 1), (node.right, depth + 1)))
        elif isinstance(node, Call):
            stack.extend((a, depth + 1) for a in node.args)
            stack.extend((k.value, depth + 1) for k in node.kwargs)


def streak_years(expr: Call) -> int:
    years = expr.kwarg("years")
    if years is None:
        raise ExpressionError(expr.pos, f"函数 {expr.func} 需要参数 years，例如 years=3")
    if (
        not isinstance(years, Number)
        or years.value != years.value.to_integral_value()
        or not 1 <= years.value <= MAX_STREAK_YEARS
    ):
        raise ExpressionError(years.pos, f"years 应为 1–{MAX_STREAK_YEARS} 之间的整数")
    return int(years.value)
