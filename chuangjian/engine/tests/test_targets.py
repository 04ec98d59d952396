from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangjian.engine.periods import PeriodType
from chuangjian.engine.targets import (
    AtLeastPerPeriod,
    ByCategory,
    ByClass,
    ByYear,
    ChangeFromPrevious,
    Compare,
    IsTrue,
    Range,
    Target,
    TargetContext,
    TargetStatus,
    ZeroForYears,
    evaluate_many,
)
from chuangjian.engine.values import Values

MET, NOT_MET, UNKNOWN = TargetStatus.MET, TargetStatus.NOT_MET, TargetStatus.UNKNOWN
CTX = TargetContext(year=2026)


def test_statuses_have_chinese_labels() -> None:
    assert [MET.label, NOT_MET.label, UNKNOWN.label] == ["达标", "未达标", "无法计算"]


# -- thresholds ---------------------------------------------------------------


def test_a_rate_of_exactly_90_meets_a_90_percent_target() -> None:
    result = Compare(">=", 90).evaluate(90, CTX, unit="%")
    assert result.status is MET
    assert result.attainment == 1
    assert result.applied == "目标：≥ 90%"


def test_a_rate_below_target_reports_how_far_it_got() -> None:
    result = Compare(">=", 90).evaluate(72, CTX)
    assert result.status is NOT_MET
    assert result.attainment == pytest.approx(0.8)


def test_an_upper_limit_attains_in_inverse_proportion() -> None:
    target = Compare("<=", 5)
    assert target.evaluate(5, CTX).status is MET
    result = target.evaluate(10, CTX)
    assert (result.status, result.attainment) == (NOT_MET, 0.5)


def test_a_strict_target_is_not_met_at_the_boundary_and_does_not_score_full() -> None:
    result = Compare(">", 90).evaluate(90, CTX)
    assert result.status is NOT_MET
    assert result.attainment is not None and result.attainment < 1


def test_equality_is_all_or_nothing() -> None:
    assert Compare("==", 100).evaluate(100, CTX).attainment == 1
    assert Compare("==", 100).evaluate(99, CTX).attainment == 0


def test_a_missing_value_is_unknown_never_not_met() -> None:
    for value in (None, math.nan):
        result = Compare(">=", 90).evaluate(value, CTX)
        assert result.status is UNKNOWN
        assert result.attainment is None
        assert result.reason == "缺少指标数值"


def test_an_unknown_operator_is_refused() -> None:
    with pytest.raises(ValueError, match="未知的比较符"):
        Compare("=>", 90)


def test_a_range_is_inclusive() -> None:
    target = Range(20, 40)
    assert [target.evaluate(v, CTX).status for v in (19.9, 20, 40, 40.1)] == [NOT_MET, MET, MET, NOT_MET]
    assert target.describe_zh("%") == "20%–40%"


def test_activity_space_of_400_square_metres_describes_with_a_spaced_unit() -> None:
    assert Compare(">=", 400).describe_zh("平方米") == "≥ 400 平方米"


def test_four_events_a_year_meets_at_least_four_per_year() -> None:
    target = AtLeastPerPeriod(4, PeriodType.YEAR)
    assert target.describe_zh() == "每年不少于 4 次"
    assert AtLeastPerPeriod(1, PeriodType.MONTH).describe_zh("场") == "每月不少于 1 场"
    assert target.evaluate(4, CTX).status is MET
    result = target.evaluate(3, CTX)
    assert (result.status, result.attainment) == (NOT_MET, 0.75)


def test_a_yes_no_indicator_must_be_yes() -> None:
    assert IsTrue().evaluate(1, CTX).status is MET
    assert IsTrue().evaluate(0, CTX).status is NOT_MET


# -- over the years -----------------------------------------------------------


def test_three_years_without_a_major_fire() -> None:
    target = ZeroForYears(3)
    assert target.describe_zh() == "连续 3 年为 0"
    assert target.evaluate(0, TargetContext(2026, history=[0, 0, 0])).status is MET
    assert target.evaluate(0, TargetContext(2026, history=[1, 0, 0])).status is NOT_MET
    assert target.evaluate(1, TargetContext(2026, history=[0, 0, 1])).status is NOT_MET


def test_a_missing_year_leaves_the_fire_record_unknown_and_names_the_year() -> None:
    result = ZeroForYears(3).evaluate(0, TargetContext(2026, previous=0, history=[]))
    assert result.status is UNKNOWN
    assert result.reason == "缺少 2024 年数据"
    assert ZeroForYears(3).evaluate(None, TargetContext(2026)).reason == "缺少 2024、2025、2026 年数据"


def test_a_known_fire_fails_the_record_even_when_another_year_is_missing() -> None:
    assert ZeroForYears(3).evaluate(None, TargetContext(2026, history=[0, 1, None])).status is NOT_MET


def test_new_drug_users_down_20_percent_on_last_year() -> None:
    target = ChangeFromPrevious(-20)
    assert target.describe_zh() == "比上年下降 20% 以上"
    assert target.evaluate(8, TargetContext(2026, previous=10)).status is MET
    result = target.evaluate(9, TargetContext(2026, previous=10))
    assert result.status is NOT_MET
    assert result.attainment == pytest.approx(8 / 9)


def test_a_change_without_last_years_figure_is_unknown_with_that_reason() -> None:
    result = ChangeFromPrevious(-20).evaluate(8, TargetContext(2026))
    assert result.status is UNKNOWN
    assert result.reason == "缺少上年数据"


def test_last_years_figure_may_come_from_the_history() -> None:
    assert ChangeFromPrevious(-20).evaluate(8, TargetContext(2026, history=[10, 8])).status is MET


def test_an_increase_target_needs_the_value_to_grow() -> None:
    target = ChangeFromPrevious(10)
    assert target.describe_zh() == "比上年增长 10% 以上"
    assert target.evaluate(11, TargetContext(2026, previous=10)).status is MET
    assert target.evaluate(10.5, TargetContext(2026, previous=10)).status is NOT_MET


def test_falling_year_on_year_is_strict_but_staying_at_zero_counts() -> None:
    target = ChangeFromPrevious(0, decrease=True, strict=True)
    assert target.describe_zh() == "比上年下降"
    assert target.evaluate(4, TargetContext(2026, previous=5)).status is MET
    assert target.evaluate(5, TargetContext(2026, previous=5)).status is NOT_MET
    assert target.evaluate(0, TargetContext(2026, previous=0)).status is MET


def test_zero_growth_means_no_more_than_last_year() -> None:
    # 逐步实现本地籍实有吸毒成瘾人员零增长的目标 (篇2): rising is the failure.
    target = ChangeFromPrevious(0, decrease=True)
    assert target.describe_zh() == "不高于上年（零增长）"
    assert target.evaluate(120, TargetContext(2026, previous=100)).status is NOT_MET
    assert target.evaluate(80, TargetContext(2026, previous=100)).status is MET
    assert target.evaluate(100, TargetContext(2026, previous=100)).status is MET


def test_a_zero_change_without_a_direction_is_refused() -> None:
    with pytest.raises(ValueError, match="须写明方向"):
        ChangeFromPrevious(0)


def test_a_decrease_with_a_positive_percent_is_refused() -> None:
    with pytest.raises(ValueError, match="下降目标"):
        ChangeFromPrevious(20, decrease=True)


# -- targets that depend on the unit ------------------------------------------

AWARENESS = ByCategory({"城镇": Compare(">=", 100), "农村": Compare(">=", 80)})


def test_a_rural_unit_gets_the_rural_target_and_is_told_so() -> None:
    result = AWARENESS.evaluate(85, TargetContext(2026, category="农村"), unit="%")
    assert result.status is MET
    assert result.applied == "适用「农村」目标：≥ 80%"
    assert AWARENESS.evaluate(85, TargetContext(2026, category="城镇")).status is NOT_MET


def test_a_category_without_a_case_or_default_is_unknown_with_reason() -> None:
    result = AWARENESS.evaluate(85, TargetContext(2026, category="外来务工人员"))
    assert result.status is UNKNOWN
    assert result.reason == "未设置「外来务工人员」类别的目标"
    assert AWARENESS.evaluate(85, TargetContext(2026)).reason == "单位未设置城乡类别"


def test_the_default_applies_when_no_case_matches() -> None:
    target = ByCategory({"城镇": Compare(">=", 100)}, default=Compare(">=", 80))
    result = target.evaluate(85, TargetContext(2026, category="农村"), unit="%")
    assert result.status is MET
    assert result.applied == "无「农村」专门目标，适用默认目标：≥ 80%"
    assert target.describe_zh("%") == "城镇：≥ 100%；其他：≥ 80%"


def test_the_township_pass_rate_rises_85_90_95_over_three_years() -> None:
    target = ByYear({2026: Compare(">=", 85), 2027: Compare(">=", 90), 2028: Compare(">=", 95)})
    assert [target.evaluate(88, TargetContext(y)).status for y in (2026, 2027, 2028)] == [MET, NOT_MET, NOT_MET]
    assert target.evaluate(88, TargetContext(2027)).applied == "适用 2027 年目标：≥ 90"
    assert target.evaluate(88, TargetContext(2029)).reason == "未设置 2029 年的目标"


def test_drug_free_classes_have_their_own_targets() -> None:
    target = ByClass({"保无毒": Compare("==", 0), "创无毒": ChangeFromPrevious(-20)})
    keep = TargetContext(2026, unit_class="保无毒")
    build = TargetContext(2026, unit_class="创无毒", previous=50)
    assert target.evaluate(0, keep).status is MET
    assert target.evaluate(1, keep).status is NOT_MET
    assert target.evaluate(40, build).applied == "适用「创无毒」类目标：比上年下降 20% 以上"
    assert target.evaluate(40, build).status is MET


def test_selectors_nest_and_explain_each_choice() -> None:
    target = ByYear({2026: AWARENESS})
    result = target.evaluate(85, TargetContext(2026, category="农村"), unit="%")
    assert result.applied == "适用 2026 年目标，适用「农村」目标：≥ 80%"


# -- many units at once -------------------------------------------------------


def test_evaluate_many_agrees_with_evaluate_unit_by_unit() -> None:
    target = ByCategory({"城镇": Compare(">=", 100), "农村": ChangeFromPrevious(-20)})
    raw = [100, 99, 7, 9, None, 3]
    ctxs = [
        TargetContext(2026, category="城镇"),
        TargetContext(2026, category="城镇"),
        TargetContext(2026, category="农村", previous=10),
        TargetContext(2026, category="农村", previous=10),
        TargetContext(2026, category="农村", previous=10),
        TargetContext(2026, category=None),
    ]
    status, attainment = evaluate_many(target, Values.of(raw), ctxs)
    for i, (value, ctx) in enumerate(zip(raw, ctxs, strict=True)):
        single = target.evaluate(value, ctx)
        assert status[i] == single.status
        if single.attainment is None:
            assert np.isnan(attainment[i])
        else:
            assert attainment[i] == pytest.approx(single.attainment)
    assert list(status) == [MET, NOT_MET, MET, NOT_MET, UNKNOWN, UNKNOWN]


def test_evaluate_many_accepts_one_context_for_all() -> None:
    status, _ = evaluate_many(Compare(">=", 90), Values.of([95, 80, None]), CTX)
    assert list(status) == [MET, NOT_MET, UNKNOWN]
    assert status.dtype == np.int8


def test_evaluate_many_is_fast_for_a_city() -> None:
    n = 3000
    rng = np.random.default_rng(1)
    values = Values.of(rng.uniform(50, 100, n))
    ctxs = [TargetContext(2026, category=("城镇", "农村")[i % 2], previous=float(i)) for i in range(n)]
    status, attainment = evaluate_many(AWARENESS, values, ctxs)
    assert status.shape == (n,)
    assert ((attainment >= 0) & (attainment <= 1)).all()


# -- properties ---------------------------------------------------------------

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)


def _status(target: Target, value: float, previous: float | None = None) -> TargetStatus:
    return target.evaluate(value, TargetContext(2026, previous=previous)).status


@settings(max_examples=300)
@given(st.sampled_from([">=", ">"]), finite, finite, finite)
def test_a_larger_value_never_turns_met_into_not_met_for_at_least_targets(
    op: str, goal: float, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    target = Compare(op, goal)
    if _status(target, low) is MET:
        assert _status(target, high) is MET
    low_att = target.evaluate(low, CTX).attainment
    high_att = target.evaluate(high, CTX).attainment
    assert low_att is not None and high_att is not None
    assert 0 <= low_att <= high_att <= 1


@settings(max_examples=300)
@given(st.sampled_from(["<=", "<"]), finite, finite, finite)
def test_a_smaller_value_never_turns_met_into_not_met_for_at_most_targets(
    op: str, goal: float, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    target = Compare(op, goal)
    if _status(target, high) is MET:
        assert _status(target, low) is MET
    low_att = target.evaluate(low, CTX).attainment
    high_att = target.evaluate(high, CTX).attainment
    assert low_att is not None and high_att is not None
    assert 0 <= high_att <= low_att <= 1


@settings(max_examples=200)
@given(st.floats(min_value=-90, max_value=100), st.floats(0, 1e5), finite, finite)
def test_change_targets_are_monotone_in_the_value(percent: float, previous: float, a: float, b: float) -> None:
    low, high = sorted((a, b))
    target = ChangeFromPrevious(percent, decrease=percent < 0)
    if percent < 0:
        if _status(target, high, previous) is MET:
            assert _status(target, low, previous) is MET
    elif _status(target, low, previous) is MET:
        assert _status(target, high, previous) is MET


@settings(max_examples=200)
@given(st.floats(0, 1e6), st.floats(0, 1e6), finite)
def test_at_least_per_period_attainment_stays_between_0_and_1(count: float, value: float, other: float) -> None:
    target = AtLeastPerPeriod(count)
    result = target.evaluate(value, CTX)
    assert result.attainment is not None
    assert 0 <= result.attainment <= 1
    assert (result.attainment == 1) == (result.status is MET)
