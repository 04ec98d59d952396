from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic_core import PydanticCustomError

from chuangjian.engine import targets
from chuangjian.engine.periods import PeriodType
from chuangjian.standards.schema import parse_target, target_thresholds


def test_comparison_strings_become_compare_targets():
    assert parse_target(">= 90") == targets.Compare(">=", 90)
    assert parse_target("<= 0") == targets.Compare("<=", 0)
    assert parse_target("== 100") == targets.Compare("==", 100)
    assert parse_target("> 33.3") == targets.Compare(">", 33.3)
    assert parse_target("between 80 and 100") == targets.Range(80, 100)
    assert parse_target("is_true") == targets.IsTrue()


def test_every_mapping_form_becomes_its_engine_target():
    assert parse_target({"zero_for_years": 3}) == targets.ZeroForYears(3)
    assert parse_target({"change_from_previous": -20}) == targets.ChangeFromPrevious(-20)
    assert parse_target({"change_from_previous": 0, "decrease": True, "strict": True}) == (
        targets.ChangeFromPrevious(0, decrease=True, strict=True)
    )
    assert parse_target({"at_least": 4, "per": "year"}) == targets.AtLeastPerPeriod(4, PeriodType.YEAR)
    assert parse_target({"by_category": {"城镇": ">= 100", "农村": ">= 80"}, "default": ">= 80"}) == (
        targets.ByCategory(
            {"城镇": targets.Compare(">=", 100), "农村": targets.Compare(">=", 80)},
            targets.Compare(">=", 80),
        )
    )
    assert parse_target({"by_year": {2026: "> 85", 2027: "> 90"}}) == targets.ByYear(
        {2026: targets.Compare(">", 85), 2027: targets.Compare(">", 90)}
    )
    by_class = parse_target(
        {"by_class": {"bao_wudu": "== 0", "创无毒": {"change_from_previous": -20}}},
        {"bao_wudu": "保无毒", "保无毒": "保无毒", "创无毒": "创无毒"},
    )
    assert by_class == targets.ByClass(
        {"保无毒": targets.Compare("==", 0), "创无毒": targets.ChangeFromPrevious(-20)}
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("about 90", "看不懂目标「about 90」"),
        ("between 90 and 80", "目标区间的下限 90 大于上限 80"),
        ({"zero_for_years": 0}, "zero_for_years 应为不小于 1 的整数"),
        ({"change_from_previous": -120}, "目标超出范围：比上年下降不能超过 100%"),
        ({"change_from_previous": 0}, "比上年变化为 0 时须写明方向"),
        ({"at_least": 4, "per": "decade"}, "per 应为 day、week、month、quarter、year 之一"),
        ({"by_category": {"郊区": ">= 80"}}, "by_category 的类别应为 城镇 或 农村"),
        ({"by_year": {"明年": ">= 80"}}, "by_year 的键应为年份"),
        ({"by_year": {2026: ">= 80"}, "otherwise": ">= 70"}, "by_year 目标中有未知字段「otherwise」"),
        ({"most": 3}, "看不懂目标中的字段「most」"),
        (90, "目标应为文字或映射"),
    ],
)
def test_malformed_targets_are_explained_in_chinese(value, message):
    with pytest.raises(PydanticCustomError) as raised:
        parse_target(value)
    assert message in raised.value.message()


@given(st.integers(min_value=0, max_value=100), st.integers(min_value=0, max_value=100))
def test_a_range_within_percent_bounds_yields_both_bounds_as_thresholds(a, b):
    low, high = min(a, b), max(a, b)
    assert sorted(target_thresholds(parse_target(f"between {low} and {high}"))) == [low, high]


@given(st.sampled_from([">=", "<=", ">", "<", "=="]), st.integers(min_value=-1000, max_value=1000))
def test_every_comparison_string_round_trips_its_operator_and_number(op, number):
    target = parse_target(f"{op} {number}")
    assert target == targets.Compare(op, number)
    assert list(target_thresholds(target)) == [number]
