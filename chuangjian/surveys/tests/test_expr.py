"""The XLSForm expression language: parsed into a tree, evaluated without eval, bounded."""

from __future__ import annotations

import pytest

from chuangjian.surveys import expr


def ev(text: str, answers: dict[str, object] | None = None, dot: object = "") -> object:
    return expr.evaluate(expr.parse(text), expr.lookup_in(answers or {}), dot=dot)


def test_it_evaluates_the_operators_people_write_in_xlsform() -> None:
    assert ev(". >= 6 and . <= 100", dot=30) is True
    assert ev(". >= 6 and . <= 100", dot=3) is False
    assert ev("${a} + ${b} * 2", {"a": 1, "b": "3"}) == 7.0
    assert ev("${a} div 4", {"a": 10}) == 2.5
    assert ev("${a} mod 4", {"a": 10}) == 2.0
    assert ev("-${a} < 0 or ${b} = 'x'", {"a": 2, "b": "y"}) is True


def test_it_knows_the_select_functions() -> None:
    assert ev("selected(${s}, 'other')", {"s": "board other"}) is True
    assert ev("selected(${s}, 'oth')", {"s": "board other"}) is False
    assert ev("count-selected(${s}) >= 2", {"s": "a b"}) is True
    assert ev("if(${x} > 1, 'big', 'small')", {"x": 5}) == "big"
    assert ev("string-length(concat(${a}, 'bc'))", {"a": "a"}) == 3.0


def test_an_unanswered_number_compares_false_not_as_zero() -> None:
    assert ev("${s_overall} < 4", {}) is False
    assert ev("${s_overall} != 4", {}) is True


def test_dates_compare_as_dates() -> None:
    assert ev(". <= '2026-12-31'", dot="2026-05-01") is True
    assert ev(". > '2026-12-31'", dot="2027-01-01") is True


def test_refs_lists_every_question_read() -> None:
    assert sorted(expr.refs(expr.parse("selected(${a}, 'x') and ${b} > ${a}"))) == ["a", "a", "b"]


@pytest.mark.parametrize("text, words", [
    ("__import__('os')", "不支持的函数"),
    ("${a} >", "不完整"),
    ("${a} ) ", "多出"),
    ("open", "不是函数调用"),
    ("${a b}", "不是有效的题目名称"),
    ("1 ; 2", "无法识别"),
    ("", "为空"),
])
def test_it_refuses_bad_expressions_in_chinese(text: str, words: str) -> None:
    with pytest.raises(expr.ExprError) as caught:
        expr.parse(text)
    assert words in caught.value.message


def test_it_is_bounded_in_length_and_depth() -> None:
    with pytest.raises(expr.ExprError, match="超过"):
        expr.parse("1" + " + 1" * 400)
    with pytest.raises(expr.ExprError, match="嵌套"):
        expr.parse("(" * 60 + "1" + ")" * 60)
    with pytest.raises(expr.ExprError, match="字符"):
        expr.parse("'" + "x" * 2000 + "'")


def test_a_choice_filter_reads_the_choices_columns() -> None:
    tree = expr.parse("county = ${county}", columns=True)
    look = expr.lookup_in({"county": "a"}, choice={"county": "a"})
    assert expr.evaluate(tree, look) is True
