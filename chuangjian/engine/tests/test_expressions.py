from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangjian.engine.expressions import (
    FUNCTIONS,
    KEYWORDS,
    Binary,
    Bool,
    Call,
    DictEnvironment,
    Expr,
    ExpressionError,
    Keyword,
    Name,
    Number,
    Unary,
    ValueType,
    check,
    evaluate,
    explain,
    indicators_used,
    names_used,
    parse,
)
from chuangjian.engine.values import Missing, Values, reason_text

N, B = ValueType.NUMBER, ValueType.BOOLEAN
NAMES = {
    "fire_equipped": N,
    "fire_required": N,
    "fire_major": N,
    "new_users": N,
    "area": N,
    "activities": N,
    "has_plan": B,
    "address": ValueType.TEXT,
}


def error_of(text: str, names: dict[str, ValueType] | None = None, indicators: tuple[str, ...] = ()) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        check(parse(text), NAMES if names is None else names, indicators=indicators)
    return info.value


def values(expr: str, env: DictEnvironment) -> list[float | None]:
    result = evaluate(parse(expr), env)
    return [result.get(i) for i in range(result.n)]


def codes(expr: str, env: DictEnvironment) -> list[int]:
    return [int(c) for c in evaluate(parse(expr), env).missing]


# -- parsing ------------------------------------------------------------------


def test_it_parses_precedence_like_arithmetic() -> None:
    assert parse("1 + 2 * 3") == Binary("+", Number(Decimal(1)), Binary("*", Number(Decimal(2)), Number(Decimal(3))))
    assert parse("a - b - c") == Binary("-", Binary("-", Name("a"), Name("b")), Name("c"))
    assert parse("-a * b") == Binary("*", Unary("-", Name("a")), Name("b"))


def test_not_binds_looser_than_comparison_and_tighter_than_and() -> None:
    assert parse("not a > 1 and b") == Binary(
        "and", Unary("not", Binary(">", Name("a"), Number(Decimal(1)))), Name("b")
    )


def test_it_parses_calls_with_keyword_arguments() -> None:
    assert parse("streak_zero(fire_major, years=3)") == Call(
        "streak_zero", (Name("fire_major"),), (Keyword("years", Number(Decimal(3))),)
    )


def test_it_parses_decimals_and_booleans() -> None:
    assert parse("0.5") == Number(Decimal("0.5"))
    assert parse("true or false") == Binary("or", Bool(True), Bool(False))


def test_positions_are_zero_based_columns() -> None:
    expr = parse("a + fire_major")
    assert isinstance(expr, Binary)
    assert expr.pos == 2
    assert expr.right.pos == 4


def test_printing_uses_only_the_parentheses_needed() -> None:
    assert str(parse("((a + b)) * (c)")) == "(a + b) * c"
    assert str(parse("a - (b - c)")) == "a - (b - c)"
    assert str(parse("(a - b) - c")) == "a - b - c"
    assert str(parse("(a < b) == true")) == "(a < b) == true"
    assert str(parse("- (-a)")) == "--a"


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("(a + b", 0, "第 1 列：缺少右括号"),
        ("ratio(a, b", 5, "第 6 列：缺少右括号"),
        ("a +", 3, "第 4 列：表达式不完整"),
        ("a)", 1, "第 2 列：多余的右括号"),
        ("a < b < c", 6, "第 7 列：比较不能连写，请用 and 连接两个比较"),
        ("Fire", 0, "第 1 列：名称「Fire」只能由小写字母、数字和下划线组成"),
        ("foo(a)", 0, "第 1 列：未知的函数「foo」"),
        ("a = 1", 2, "第 3 列：比较是否相等请用 =="),
        ("a # b", 2, "第 3 列：无法识别的字符「#」"),
        ("ratio（a, b)", 5, "中文标点"),
        ("ratio(a b)", 8, "第 9 列：函数参数之间应以逗号分隔"),
        ("max(years=1, a)", 13, "位置参数不能写在关键字参数之后"),
        ("12ab", 2, "数字后不能紧跟字母"),
        ("", 0, "表达式为空"),
    ],
)
def test_syntax_errors_give_the_column_and_a_chinese_message(text: str, position: int, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        parse(text)
    assert info.value.position == position
    assert message in info.value.message
    assert str(info.value) == info.value.message


def test_absurdly_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(ExpressionError, match="嵌套过深"):
        parse("(" * 500 + "a" + ")" * 500)


# -- checking -----------------------------------------------------------------


def test_it_types_a_rate_comparison_as_boolean() -> None:
    assert check(parse("ratio(fire_equipped, fire_required) >= 90"), NAMES) is ValueType.BOOLEAN
    assert check(parse("area + 1"), NAMES) is ValueType.NUMBER


def test_an_unknown_name_is_reported_at_its_column() -> None:
    err = error_of("area + 1 > fire_majr")
    assert err.position == 11
    assert err.message == "第 12 列：未知的名称「fire_majr」"


def test_wrong_arity_is_reported_at_the_function() -> None:
    err = error_of("area + ratio(fire_major)")
    assert err.message == "第 8 列：函数 ratio 需要 2 个参数"
    assert "至少需要 1 个参数" in error_of("sum()").message
    assert "需要 3 个参数" in error_of("if(has_plan, 1)").message


def test_unknown_keyword_arguments_are_rejected() -> None:
    err = error_of("ratio(area, area, scale=2)")
    assert "函数 ratio 没有名为「scale」的参数" in err.message
    assert err.position == 18


def test_streak_zero_needs_a_whole_number_of_years() -> None:
    assert "需要参数 years" in error_of("streak_zero(fire_major)").message
    assert "years 应为" in error_of("streak_zero(fire_major, years=2.5)").message
    assert "years 应为" in error_of("streak_zero(fire_major, years=area)").message


def test_ratio_of_a_boolean_is_a_type_error() -> None:
    err = error_of("ratio(has_plan, area)")
    assert err.position == 6
    assert "需要数值，这里是布尔值" in err.message


def test_if_needs_a_boolean_condition_and_matching_branches() -> None:
    assert "if 的条件需要布尔值" in error_of("if(area, 1, 2)").message
    err = error_of("if(has_plan, 1, true)")
    assert err.position == 16
    assert check(parse("if(has_plan, area, 0)"), NAMES) is ValueType.NUMBER


def test_booleans_and_numbers_do_not_mix() -> None:
    err = error_of("area + has_plan")
    assert err.position == 7
    assert "运算符 + 需要数值" in err.message
    assert "两边类型不同" in error_of("area == has_plan").message
    assert "需要布尔值" in error_of("area and has_plan").message
    assert "需要布尔值" in error_of("not area").message
    assert "负号需要数值" in error_of("-has_plan").message


def test_text_elements_cannot_enter_a_formula() -> None:
    assert "「address」是文本数据，不能参与计算" in error_of("address + 1").message


def test_share_of_children_must_name_a_known_indicator() -> None:
    assert check(parse("share_of_children(no_drugs) >= 85"), NAMES, indicators=["no_drugs"]) is ValueType.BOOLEAN
    err = error_of("share_of_children(no_drug)", indicators=("no_drugs",))
    assert err.message == "第 19 列：未知的指标「no_drug」"
    assert "应为指标代码" in error_of("share_of_children(1)", indicators=("no_drugs",)).message


def test_count_and_share_of_children_cannot_be_read_for_earlier_years() -> None:
    assert "不能用于往年数据" in error_of("previous(count(activities))").message


def test_names_and_indicators_used_are_listed_for_cycle_detection() -> None:
    expr = parse("ratio(a, b) + share_of_children(x) + previous(c) + count(d)")
    assert names_used(expr) == {"a", "b", "c", "d"}
    assert indicators_used(expr) == {"x"}


# -- evaluation ---------------------------------------------------------------


def test_it_evaluates_a_rate_for_all_units_at_once() -> None:
    env = DictEnvironment({"fire_equipped": [45, 50, 30], "fire_required": [50, 50, 40]})
    assert values("ratio(fire_equipped, fire_required)", env) == [90, 100, 75]
    assert values("ratio(fire_equipped, fire_required) >= 90", env) == [1, 1, 0]


def test_division_by_zero_is_missing_with_its_own_reason() -> None:
    env = DictEnvironment({"a": [1, 1], "b": [0, 2]})
    assert values("ratio(a, b)", env) == [None, 50]
    assert codes("ratio(a, b)", env) == [Missing.DIVISION_BY_ZERO, 0]
    assert codes("a / b", env) == [Missing.DIVISION_BY_ZERO, 0]
    assert reason_text(Missing.DIVISION_BY_ZERO) == "除数为零"


def test_missing_data_never_becomes_zero() -> None:
    env = DictEnvironment({"a": [1, None, np.nan], "b": [2, 2, 2]})
    for expr in ("a + b", "sum(a, b)", "a * 0", "min(a, b)", "max(a, b)", "a - a", "a >= 0"):
        result = evaluate(parse(expr), env)
        assert list(result.missing[1:]) == [Missing.NO_DATA, Missing.NO_DATA], expr
        assert np.isnan(result.value[1:]).all(), expr
    assert reason_text(Missing.NO_DATA) == "缺少数据"


def test_a_name_nobody_reported_is_missing() -> None:
    assert codes("ghost + 1", DictEnvironment({"a": [1, 2]})) == [1, 1]


def test_if_takes_only_the_chosen_branch_and_the_condition_missing() -> None:
    env = DictEnvironment({"c": [1, 0, None], "a": [5, None, 5], "b": [None, 7, 7]})
    assert values("if(c > 0, a, b)", env) == [5, 7, None]
    assert codes("if(c > 0, a, b)", env) == [0, 0, Missing.NO_DATA]


def test_and_or_are_decided_by_a_known_operand_even_if_the_other_is_missing() -> None:
    env = DictEnvironment({"t": [1, 1, 0], "m": [None, None, None]})
    assert values("t > 0 and m > 0", env) == [None, None, 0]
    assert values("t > 0 or m > 0", env) == [1, 1, None]
    assert values("not t > 0", env) == [0, 0, 1]


def test_previous_reads_last_year_and_says_so_when_missing() -> None:
    env = DictEnvironment({"new_users": [8, 10]}, previous={"new_users": [10, None]})
    assert values("new_users <= previous(new_users) * 0.8", env) == [1, None]
    assert codes("previous(new_users)", env) == [0, Missing.NO_PREVIOUS_YEAR]
    assert reason_text(Missing.NO_PREVIOUS_YEAR) == "缺少上年数据"


def test_previous_of_a_formula_shifts_every_input() -> None:
    env = DictEnvironment(history={"a": [[1], [2], [3]], "b": [[10], [20], [30]]})
    assert values("previous(a + b)", env) == [22]
    assert values("previous(previous(a)) + a", env) == [4]


def test_streak_zero_needs_every_year_zero_and_a_known_fire_breaks_it() -> None:
    env = DictEnvironment(
        history={"fire_major": [[0, 0, 1, None, None], [0, 0, 0, 1, 0], [0, 1, 0, 0, 0]]}
    )
    result = evaluate(parse("streak_zero(fire_major, years=3)"), env)
    assert [result.get(i) for i in range(5)] == [1, 0, 0, 0, None]
    assert result.missing[4] == Missing.NO_HISTORY


def test_count_and_share_of_children_come_from_the_environment() -> None:
    env = DictEnvironment(counts={"activities": [4, 2]}, shares={"no_drugs": [90, None]})
    assert values("count(activities) >= 4", env) == [1, 0]
    assert values("share_of_children(no_drugs)", env) == [90, None]


def test_a_whole_percentage_is_exact() -> None:
    env = DictEnvironment({"a": [7, 29], "b": [100, 100]})
    assert values("ratio(a, b) >= 7", env) == [1, 1]
    assert values("ratio(a, b) == 29", env)[1] == 1


def test_values_hold_nan_and_a_reason_wherever_missing() -> None:
    v = Values(np.array([1.0, 2.0]), np.array([0, 2], dtype=np.int8))
    assert np.isnan(v.value[1])
    assert v.get(0) == 1.0
    assert v.get(1) is None
    assert "除数为零" in repr(v)
    assert reason_text(99) == "无法计算（原因代码 99）"


# -- explanation --------------------------------------------------------------


def test_explain_shows_the_formula_with_the_units_numbers() -> None:
    env = DictEnvironment({"fire_equipped": 45, "fire_required": 50})
    explanation = explain(parse("ratio(fire_equipped, fire_required)"), env)
    assert explanation.render_zh() == "ratio(fire_equipped, fire_required) = 100 × 45 / 50 = 90"
    assert explanation.value == 90
    assert [(i.name, i.role, i.value) for i in explanation.inputs] == [
        ("fire_equipped", "current", 45),
        ("fire_required", "current", 50),
    ]


def test_explain_says_why_a_value_cannot_be_computed() -> None:
    explanation = explain(parse("ratio(a, b)"), DictEnvironment({"a": 3, "b": 0}))
    assert explanation.value is None
    assert explanation.render_zh().endswith("= 无法计算（除数为零）")
    missing = explain(parse("a + b"), DictEnvironment({"a": 3}))
    assert missing.render_zh() == "a + b = 3 + 〔缺少数据〕 = 无法计算（缺少数据）"
    assert missing.inputs[1].reason == "缺少数据"


def test_explain_names_the_year_of_each_input() -> None:
    env = DictEnvironment(history={"fire_major": [0, 0, 0]})
    explanation = explain(parse("streak_zero(fire_major, years=3)"), env)
    assert explanation.render_zh() == "streak_zero(fire_major, years=3) = streak_zero([0, 0, 0], years=3) = 是"
    assert {i.role for i in explanation.inputs} == {"current", "previous", "history-year-2"}
    assert {i.role_zh for i in explanation.inputs} == {"本期", "上年", "2 年前"}


def test_explain_renders_booleans_and_negative_numbers_readably() -> None:
    env = DictEnvironment({"has_plan": 1, "a": -2})
    assert explain(parse("has_plan"), env, names=NAMES).render_zh() == "has_plan = 是"
    assert explain(parse("a * 3"), env).render_zh() == "a * 3 = (-2) × 3 = -6"


def test_explain_is_for_one_unit_only() -> None:
    with pytest.raises(ValueError, match="单个单位"):
        explain(parse("a"), DictEnvironment({"a": [1, 2]}))


# -- properties ---------------------------------------------------------------

names = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(lambda s: s not in KEYWORDS)
numbers = st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False)
leaves = st.one_of(
    st.builds(Number, numbers),
    st.builds(Bool, st.booleans()),
    st.builds(Name, names),
)


def extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    keywords = st.lists(
        st.tuples(names, children), max_size=2, unique_by=lambda kv: kv[0]
    ).map(lambda kvs: tuple(Keyword(k, v) for k, v in kvs))
    return st.one_of(
        st.builds(Unary, st.sampled_from(["-", "not"]), children),
        st.builds(
            Binary,
            st.sampled_from(["+", "-", "*", "/", ">=", "<=", ">", "<", "==", "!=", "and", "or"]),
            children,
            children,
        ),
        st.builds(
            Call,
            st.sampled_from(sorted(FUNCTIONS)),
            st.lists(children, max_size=3).map(tuple),
            keywords,
        ),
    )


trees = st.recursive(leaves, extend, max_leaves=15)


@settings(max_examples=400)
@given(trees)
def test_every_tree_prints_and_parses_back_to_itself(tree: Expr) -> None:
    assert parse(str(tree)) == tree


@settings(max_examples=100)
@given(trees)
def test_printing_is_canonical(tree: Expr) -> None:
    text = str(tree)
    assert str(parse(text)) == text


@settings(max_examples=200)
@given(
    st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=1, max_size=6),
    st.lists(st.one_of(st.none(), st.floats(-1e6, 1e6)), min_size=1, max_size=6),
    st.sampled_from(["a + b", "a - b", "a * b", "a / b", "ratio(a, b)", "min(a, b)", "max(a, b)", "sum(a, b)"]),
)
def test_arithmetic_is_missing_exactly_where_an_input_is_missing_or_a_divisor_is_zero(
    a: list[float | None], b: list[float | None], expr: str
) -> None:
    n = min(len(a), len(b))
    env = DictEnvironment({"a": a[:n], "b": b[:n]})
    result = evaluate(parse(expr), env)
    for i in range(n):
        divides = expr in ("a / b", "ratio(a, b)") and b[i] == 0
        expect_missing = a[i] is None or b[i] is None or divides
        assert bool(result.missing[i]) == expect_missing
        assert np.isnan(result.value[i]) == expect_missing


@pytest.mark.parametrize(("text", "message"), [
    (" + ".join(f"e{n}" for n in range(10_000)), "表达式过长"),
    (" + ".join(["a"] * 300), "表达式过长或嵌套过深"),
    ("not " * 5_000 + "a", "表达式过长"),
    ("not " * 100 + "a", "嵌套过深"),
    ("-" * 100 + "a", "嵌套过深"),
    ("a + " + "9" * 19, "数字位数过多"),
    ("a + " + "1" * 1_000_000, "表达式过长"),
])
def test_long_deep_or_huge_expressions_are_refused_in_chinese(text: str, message: str) -> None:
    with pytest.raises(ExpressionError, match=message):
        parse(text)
