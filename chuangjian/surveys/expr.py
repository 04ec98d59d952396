"""XLSForm expressions (relevant, constraint, calculation, choice_filter), never ``eval``.

The subset of ODK's XPath syntax that questionnaires use::

    ${name}   another question's answer      .   the answer being checked
    'text' "text" 12 3.5                      ( )
    or  and  =  !=  <  <=  >  >=  +  -  *  div  mod  unary -
    selected(${q}, 'a')  count-selected(${q})  string-length(s)  not(x)  if(c, a, b)
    coalesce(a, b)  number(x)  int(x)  round(x, n)  concat(a, …)  contains(s, t)
    starts-with(s, t)  true()  false()  count(${repeat})  sum(${q_in_repeat})

A text is parsed once into a small tree of JSON lists (``["ref", "q1"]``,
``["op", "and", a, b]``, ``["call", "selected", [a, b]]``) that is stored with the
form: the server evaluates it here, and the public page's own small script
evaluates the very same tree in the browser, so both sides agree.

Bounds: at most ``MAX_CHARS`` characters, ``MAX_NODES`` nodes and ``MAX_DEPTH``
levels; no function loops over more than the answers it is given, so evaluation
time is linear in the size of the tree and the answers.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

MAX_CHARS = 1000
MAX_NODES = 300
MAX_DEPTH = 30

Node = list[Any]

FUNCTIONS: dict[str, tuple[int, int]] = {  # name → (min args, max args)
    "selected": (2, 2), "count-selected": (1, 1), "string-length": (1, 1), "not": (1, 1),
    "if": (3, 3), "coalesce": (2, 2), "number": (1, 1), "int": (1, 1), "round": (1, 2),
    "concat": (1, 20), "contains": (2, 2), "starts-with": (2, 2), "true": (0, 0),
    "false": (0, 0), "count": (1, 1), "sum": (1, 1),
}
_BINARY = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
           "+": 5, "-": 5, "*": 6, "div": 6, "mod": 6}
_TOKEN = re.compile(r"""\s*(?:
    (?P<ref>\$\{(?P<refname>[^}]*)\})
  | (?P<num>\d+(?:\.\d+)?|\.\d+)
  | (?P<str>'[^']*'|"[^"]*")
  | (?P<op><=|>=|!=|=|<|>|\+|-|\*|\(|\)|,)
  | (?P<name>[A-Za-z_][A-Za-z0-9_\-]*)
  | (?P<dot>\.)
)""", re.VERBOSE)
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-.]*$")


class ExprError(ValueError):
    """A fault in an expression; ``message`` is Chinese and names the place."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _tokens(text: str) -> list[_Tok]:
    out: list[_Tok] = []
    pos = 0
    stripped = text.rstrip()
    while pos < len(stripped):
        m = _TOKEN.match(stripped, pos)
        if m is None or m.end() == pos:
            raise ExprError(f"第 {pos + 1} 个字符处无法识别：「{stripped[pos:pos + 10]}」")
        kind = next(k for k in ("ref", "num", "str", "op", "name", "dot")
                    if m.group(k) is not None)
        value = m.group("refname") if kind == "ref" else m.group(kind)
        if kind == "ref" and not NAME.match(value or ""):
            raise ExprError(f"引用「${{{value}}}」不是有效的题目名称")
        out.append(_Tok(kind, value, m.start(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, text: str, columns: bool) -> None:
        self.columns = columns
        self.toks = _tokens(text)
        self.i = 0
        self.nodes = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise ExprError("表达式不完整：结尾缺少内容")
        self.i += 1
        return tok

    def node(self, n: Node) -> Node:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise ExprError(f"表达式过长（超过 {MAX_NODES} 个部分）")
        return n

    def binary_op(self) -> str | None:
        tok = self.peek()
        if tok is None:
            return None
        if tok.kind == "op" and tok.text in _BINARY:
            return tok.text
        if tok.kind == "name" and tok.text in ("and", "or", "div", "mod"):
            return tok.text
        return None

    def expr(self, min_prec: int = 1, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise ExprError(f"表达式嵌套超过 {MAX_DEPTH} 层")
        left = self.unary(depth + 1)
        while (op := self.binary_op()) is not None and _BINARY[op] >= min_prec:
            self.take()
            right = self.expr(_BINARY[op] + 1, depth + 1)
            left = self.node(["op", op, left, right])
        return left

    def unary(self, depth: int) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "op" and tok.text == "-":
            self.take()
            return self.node(["neg", self.unary(depth + 1)])
        return self.primary(depth)

    def primary(self, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise ExprError(f"表达式嵌套超过 {MAX_DEPTH} 层")
        tok = self.take()
        if tok.kind == "num":
            return self.node(["num", float(tok.text)])
        if tok.kind == "str":
            return self.node(["str", tok.text[1:-1]])
        if tok.kind == "ref":
            return self.node(["ref", tok.text])
        if tok.kind == "dot":
            return self.node(["dot"])
        if tok.kind == "op" and tok.text == "(":
            inner = self.expr(1, depth + 1)
            self.expect(")")
            return inner
        if tok.kind == "name":
            nxt = self.peek()
            if (nxt is None or nxt.text != "(") and self.columns:
                return self.node(["col", tok.text])
            if nxt is None or nxt.text != "(":
                raise ExprError(f"「{tok.text}」不是函数调用，题目请写成 ${{名称}}")
            if tok.text not in FUNCTIONS:
                raise ExprError(f"不支持的函数「{tok.text}」")
            self.take()
            args: list[Node] = []
            if self.peek() is not None and self.peek().text != ")":  # type: ignore[union-attr]
                args.append(self.expr(1, depth + 1))
                while self.peek() is not None and self.peek().text == ",":  # type: ignore[union-attr]
                    self.take()
                    args.append(self.expr(1, depth + 1))
            self.expect(")")
            low, high = FUNCTIONS[tok.text]
            if not low <= len(args) <= high:
                raise ExprError(f"函数「{tok.text}」的参数个数不对")
            return self.node(["call", tok.text, args])
        raise ExprError(f"第 {tok.pos + 1} 个字符处不应出现「{tok.text}」")

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text != text:
            raise ExprError(f"第 {tok.pos + 1} 个字符处应为「{text}」")


def parse(text: str, *, columns: bool = False) -> Node:
    """The tree of an expression; raises ``ExprError`` (Chinese) for any fault.

    ``columns``: a bare name reads a column of the choice being filtered (choice_filter).
    """
    text = str(text or "")
    if len(text) > MAX_CHARS:
        raise ExprError(f"表达式超过 {MAX_CHARS} 个字符")
    if not text.strip():
        raise ExprError("表达式为空")
    parser = _Parser(text, columns)
    tree = parser.expr()
    if parser.peek() is not None:
        tok = parser.peek()
        raise ExprError(f"第 {tok.pos + 1} 个字符处多出「{tok.text}」")  # type: ignore[union-attr]
    return tree


def refs(tree: Node) -> Iterator[str]:
    """The names a tree reads with ``${name}``."""
    if tree[0] == "ref":
        yield tree[1]
    elif tree[0] == "op":
        yield from refs(tree[2])
        yield from refs(tree[3])
    elif tree[0] == "neg":
        yield from refs(tree[1])
    elif tree[0] == "call":
        for arg in tree[2]:
            yield from refs(arg)


# -- evaluation -------------------------------------------------------------------------

Lookup = Callable[[str], Any]


def _num(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, list):
        return float(len(v))
    try:
        return float(str(v).strip()) if str(v).strip() else math.nan
    except ValueError:
        return math.nan


def _bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int | float):
        return v != 0 and not math.isnan(v)
    if isinstance(v, list):
        return bool(v)
    return v is not None and str(v) != ""


def _str(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        if math.isnan(v):
            return "NaN"
        return str(int(v)) if v.is_integer() else repr(v)
    if isinstance(v, list):
        return " ".join(_str(x) for x in v)
    return str(v)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        a, b = _bool(a), _bool(b)
    elif (op in ("=", "!=") and isinstance(a, str) and isinstance(b, str)) or (
            isinstance(a, str) and isinstance(b, str) and _DATE.match(a) and _DATE.match(b)):
        pass
    else:
        a, b = _num(a), _num(b)
        if math.isnan(a) or math.isnan(b):
            return op == "!="
    if op == "=":
        return bool(a == b)
    if op == "!=":
        return bool(a != b)
    if op == "<":
        return bool(a < b)
    if op == "<=":
        return bool(a <= b)
    if op == ">":
        return bool(a > b)
    return bool(a >= b)


def evaluate(tree: Node, lookup: Lookup, dot: Any = "") -> Any:
    """The value of ``tree``; ``lookup(name)`` gives an answer ("" when unanswered)."""
    kind = tree[0]
    if kind == "num" or kind == "str":
        return tree[1]
    if kind == "ref":
        return lookup(tree[1])
    if kind == "dot":
        return dot
    if kind == "col":
        return lookup("@" + tree[1])
    if kind == "neg":
        return -_num(evaluate(tree[1], lookup, dot))
    if kind == "op":
        op = tree[1]
        if op == "or":
            return _bool(evaluate(tree[2], lookup, dot)) or _bool(evaluate(tree[3], lookup, dot))
        if op == "and":
            return _bool(evaluate(tree[2], lookup, dot)) and _bool(evaluate(tree[3], lookup, dot))
        a, b = evaluate(tree[2], lookup, dot), evaluate(tree[3], lookup, dot)
        if op in ("=", "!=", "<", "<=", ">", ">="):
            return _compare(op, a, b)
        x, y = _num(a), _num(b)
        if op == "+":
            return x + y
        if op == "-":
            return x - y
        if op == "*":
            return x * y
        if op == "div":
            return x / y if y else (math.nan if x == 0 or math.isnan(x) else math.copysign(math.inf, x))
        return math.fmod(x, y) if y else math.nan
    name, args = tree[1], tree[2]
    if name == "true":
        return True
    if name == "false":
        return False
    if name == "if":
        chosen = args[1] if _bool(evaluate(args[0], lookup, dot)) else args[2]
        return evaluate(chosen, lookup, dot)
    values = [evaluate(a, lookup, dot) for a in args]
    if name == "selected":
        return _str(values[1]) in _str(values[0]).split()
    if name == "count-selected":
        return float(len(_str(values[0]).split()))
    if name == "string-length":
        return float(len(_str(values[0])))
    if name == "not":
        return not _bool(values[0])
    if name == "coalesce":
        return values[0] if _str(values[0]) != "" else values[1]
    if name == "number":
        return _num(values[0])
    if name == "int":
        x = _num(values[0])
        return float(math.trunc(x)) if math.isfinite(x) else x
    if name == "round":
        x = _num(values[0])
        digits = int(_num(values[1])) if len(values) > 1 else 0
        if not math.isfinite(x):
            return x
        factor = 10.0 ** max(-10, min(10, digits))
        return math.floor(x * factor + 0.5) / factor
    if name == "concat":
        return "".join(_str(v) for v in values)
    if name == "contains":
        return _str(values[1]) in _str(values[0])
    if name == "starts-with":
        return _str(values[0]).startswith(_str(values[1]))
    if name == "count":
        return float(len(values[0])) if isinstance(values[0], list) else float(
            _str(values[0]) != "")
    if name == "sum":
        items = values[0] if isinstance(values[0], list) else [values[0]]
        return float(sum(x for x in (_num(i) for i in items) if not math.isnan(x)))
    raise ExprError(f"不支持的函数「{name}」")  # pragma: no cover - parse() refuses it


def truthy(value: Any) -> bool:
    return _bool(value)


def as_text(value: Any) -> str:
    return _str(value)


def lookup_in(answers: Mapping[str, Any], *inner: Mapping[str, Any],
              choice: Mapping[str, Any] | None = None) -> Lookup:
    """A lookup reading a repeat instance first, then the whole form; ``@col`` reads a
    column of the choice being filtered."""
    if not inner and choice is None:
        return lambda name: answers.get(name, "")

    def find(name: str) -> Any:
        if name.startswith("@"):
            return (choice or {}).get(name[1:], "")
        for scope in (*inner, answers):
            if name in scope:
                return scope[name]
        return ""
    return find
