from __future__ import annotations

import pytest

from chuangjian.engine import targets
from chuangjian.standards.directions import Direction, contradictions, quote_directions

UPPER, LOWER = Direction.UPPER, Direction.LOWER


@pytest.mark.parametrize(
    ("quote", "wanted"),
    [
        ("逐步实现本地籍实有吸毒成瘾人员零增长的目标", {UPPER}),
        ("复吸人员绝对数逐年下降", {UPPER}),
        ("虫害密度控制在较低水平", {UPPER}),
        ("不超过5人", {UPPER}),
        ("总体尿检率80以上", {LOWER}),
        ("小区内有不少于400平方米的健身点", {LOWER}),
        ("城镇达到100%", {LOWER}),
        ("乡镇考核总合格率要超过85", {LOWER}),
        ("年度脱毒人数逐年增加", {LOWER}),
        ("以下简称创建工作", set()),
        ("倡导35岁以上居民每年测量血压", set()),
    ],
)
def test_a_quote_says_which_way_its_target_points(quote, wanted):
    assert quote_directions(quote) == wanted


def test_zero_growth_quote_refuses_a_floor_and_accepts_a_ceiling():
    quote = "逐步实现本地籍实有吸毒成瘾人员零增长的目标"
    assert contradictions(targets.ChangeFromPrevious(0, decrease=False), "人", quote)
    assert not contradictions(targets.ChangeFromPrevious(0, decrease=True), "人", quote)


def test_equal_to_zero_is_a_ceiling_and_a_full_rate_is_a_floor():
    assert not contradictions(targets.Compare("==", 0), "起", "确保不发生内源性血吸虫病病例")
    assert not contradictions(targets.Compare("==", 100), "%", "宣传面要达到100%")
    assert contradictions(targets.Compare("==", 0), "%", "宣传面要达到100%")


def test_a_quote_naming_both_directions_is_left_to_a_person():
    assert contradictions(targets.Compare(">=", 1), "", "新增人数下降，帮教率提高") == []
