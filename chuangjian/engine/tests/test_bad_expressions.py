"""Bad-input corpus of indicator expressions: each refused with a Chinese message and the
column of the fault — never a crash, a RecursionError or a silent result."""

from __future__ import annotations

import pytest

from chuangjian.engine.expressions import ExpressionError, parse

CASES: list[tuple[str, str]] = [
    ("", "表达式为空"),
    ("   ", "表达式为空"),
    ("a +", "表达式不完整"),
    ("(a + b", "缺少右括号"),
    ("a + b)", "多余的右括号"),
    ("a = b", "比较是否相等请用 =="),
    ("a < b < c", "比较不能连写"),
    ("1a", "数字后不能紧跟字母或数字"),
    ("Abc", "只能由小写字母、数字和下划线组成"),
    ("a（b）", "中文标点请改用英文标点"),
    ("a ＋ b", "中文标点请改用英文标点"),
    ("a $ b", "无法识别的字符「$」"),
    ("a ; b", "无法识别的字符「;」"),
    ("a ** b", "此处不应出现「*」"),
    ("nosuch(a)", "未知的函数「nosuch」"),
    ("ratio(a b)", "函数参数之间应以逗号分隔"),
    ("ratio(a,", "表达式不完整"),
    ("ratio(x=a, b)", "位置参数不能写在关键字参数之后"),
    ("and", "此处不应出现「and」"),
    ("a and", "表达式不完整"),
    ("not", "表达式不完整"),
    ("a b", "此处不应出现「b」"),
    (",", "此处不应出现「,」"),
    ("a + 12345678901234567890", "数字位数过多"),
    ("1" * 19, "数字位数过多"),
    ("0." + "0" * 30 + "1", "数字位数过多"),
    ("x" * 2001, "表达式过长"),
    (" + ".join(f"e{n}" for n in range(10_000)), "表达式过长"),
    (" + ".join(["a"] * 150), "表达式过长或嵌套过深"),
    (" * ".join(["a"] * 150), "表达式过长或嵌套过深"),
    (" and ".join(["a > 1"] * 120), "表达式过长或嵌套过深"),
    ("(" * 65 + "a" + ")" * 65, "嵌套过深"),
    ("(" * 10_000 + "a" + ")" * 10_000, "表达式过长"),
    ("-" * 70 + "a", "嵌套过深"),
    ("not " * 70 + "a", "嵌套过深"),
    ("not " * 5_000 + "a", "表达式过长"),
    ("ratio(" * 70 + "a" + ")" * 70, "嵌套过深"),
    ("\x00", "无法识别的字符"),
    ("a\u2028b", "此处不应出现「b」"),
    ("a + \ud800", "无法识别的字符"),
]


@pytest.mark.parametrize(("text", "message"), CASES, ids=[str(n) for n in range(len(CASES))])
def test_a_malformed_expression_is_refused_in_chinese(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert message in str(caught.value)
    assert str(caught.value).startswith("第 ")
