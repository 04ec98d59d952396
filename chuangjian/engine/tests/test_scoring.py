from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangjian.engine.scoring import (
    AllOrNothing,
    DeductPerOccurrence,
    ItemArrays,
    ItemScore,
    MissingPolicy,
    Proportional,
    Reviewer,
    ScoringError,
    rank,
    score_many,
    score_standard,
    score_standard_many,
)
from chuangjian.engine.targets import (
    Compare,
    TargetContext,
    TargetResult,
    TargetStatus,
    ZeroForYears,
)

CTX = TargetContext(2026)
MET, NOT_MET, UNKNOWN = TargetStatus.MET, TargetStatus.NOT_MET, TargetStatus.UNKNOWN
TIERS = [("达标", 60), ("先进", 85), ("示范", 95)]


def item(code: str, score: float | None, max_score: float = 10, status: TargetStatus = MET) -> ItemScore:
    return ItemScore(code, score, max_score, status)


# -- item rules ---------------------------------------------------------------


def test_all_or_nothing_gives_full_marks_only_when_met() -> None:
    rule = AllOrNothing(10)
    met = rule.score("fire_rate", Compare(">=", 90).evaluate(95, CTX))
    missed = rule.score("fire_rate", Compare(">=", 90).evaluate(89, CTX))
    assert (met.score, met.status) == (10, MET)
    assert (missed.score, missed.status) == (0, NOT_MET)
    assert "未达标，得 0 分" in missed.explanation


def test_proportional_scores_by_attainment() -> None:
    result = Proportional(10).score("green", Compare(">=", 20).evaluate(15, CTX))
    assert result.score == pytest.approx(7.5)
    assert "完成 75%" in result.explanation


def test_missing_data_scored_zero_says_so() -> None:
    unknown = Compare(">=", 90).evaluate(None, CTX)
    result = Proportional(10).score("fire_rate", unknown, missing_policy=MissingPolicy.ZERO)
    assert result.score == 0
    assert result.status is UNKNOWN
    assert result.explanation == "无法计算（缺少指标数值），按 0 分计"


def test_missing_data_excluded_is_taken_out_of_the_denominator() -> None:
    unknown = Compare(">=", 90).evaluate(None, CTX)
    result = AllOrNothing(10).score("fire_rate", unknown, missing_policy=MissingPolicy.EXCLUDE)
    assert result.score is None
    assert result.excluded
    assert "从总分基数中扣除" in result.explanation


def test_each_occurrence_deducts_until_the_cap() -> None:
    rule = DeductPerOccurrence(10, per=2, cap=6)
    assert rule.score("six_chaos", 0).score == 10
    assert rule.score("six_chaos", 2).score == 6
    assert rule.score("six_chaos", 20).score == 4
    assert rule.score("six_chaos", 2).explanation == "发生 2 次，扣 4 分，得 6 分"
    assert rule.describe_zh() == "满分 10 分，每发生 1 次扣 2 分，最多扣 6 分"


def test_deduction_without_cap_stops_at_zero() -> None:
    assert DeductPerOccurrence(5, per=2).score("x", 10).score == 0


def test_a_negative_occurrence_count_is_refused() -> None:
    with pytest.raises(ScoringError, match="非负数"):
        DeductPerOccurrence(5, per=1).score("x", -1)


def test_a_reviewer_score_above_max_is_refused_in_chinese() -> None:
    rule = Reviewer(10)
    assert rule.score("ledger", 8, note="台账齐全").explanation == "评审给 8 分（满分 10）：台账齐全"
    with pytest.raises(ScoringError, match="评分 12 超过满分 10"):
        rule.score("ledger", 12)
    with pytest.raises(ScoringError, match="不能为负数"):
        rule.score("ledger", -1)


def test_a_review_not_yet_done_is_missing_not_zero() -> None:
    result = Reviewer(10).score("ledger", None)
    assert result.status is UNKNOWN
    assert "尚未评审" in result.explanation


def test_an_item_score_outside_its_range_is_refused() -> None:
    with pytest.raises(ScoringError, match="不在 0–10 之间"):
        ItemScore("x", 11, 10, MET)


# -- the standard -------------------------------------------------------------


def test_a_standard_totals_items_and_picks_the_highest_tier() -> None:
    items = [item("a", 40, 40), item("b", 30, 40), item("c", 18, 20)]
    result = score_standard(items, pass_mark=60, tiers=TIERS)
    assert result.total == 88
    assert result.passed
    assert result.tier == "先进"
    assert "总分 88 分，合格线 60 分，合格，等次：先进" in result.explanation


def test_bonus_points_are_capped() -> None:
    items = [item("a", 90, 100)]
    bonus = [item("award", 20, 20), item("media", 15, 20)]
    result = score_standard(items, pass_mark=60, tiers=TIERS, bonus_items=bonus, bonus_cap=30)
    assert result.bonus == 30
    assert result.total == 120
    assert result.tier == "示范"
    assert "超过上限，按 30 分计" in result.explanation


def test_a_veto_item_fails_the_unit_whatever_its_score() -> None:
    fire = AllOrNothing(0).score("no_major_fire", ZeroForYears(3).evaluate(1, TargetContext(2026, history=[0, 0, 1])))
    result = score_standard([item("a", 100, 100), fire], pass_mark=60, tiers=TIERS, veto_codes={"no_major_fire"})
    assert result.total == 100
    assert result.vetoed
    assert result.veto_items == ("no_major_fire",)
    assert not result.passed
    assert result.tier is None
    assert "一票否决：no_major_fire 未达标" in result.explanation


def test_a_veto_item_that_cannot_be_computed_withholds_the_pass() -> None:
    fire = AllOrNothing(0).score("no_major_fire", ZeroForYears(3).evaluate(0, TargetContext(2026)))
    result = score_standard([item("a", 100, 100), fire], pass_mark=60, veto_codes={"no_major_fire"})
    assert not result.vetoed
    assert not result.passed
    assert result.veto_unknown == ("no_major_fire",)
    assert "核实前不能判定达标" in result.explanation


def test_an_item_can_trigger_its_own_veto() -> None:
    vetoing = ItemScore("family_planning", 0, 0, NOT_MET, veto_triggered=True)
    assert score_standard([item("a", 100, 100), vetoing], pass_mark=60).vetoed


def test_excluded_items_are_rescaled_to_the_full_base() -> None:
    items = [
        item("a", 40, 50),
        ItemScore("b", None, 50, UNKNOWN, missing_policy=MissingPolicy.EXCLUDE),
    ]
    result = score_standard(items, pass_mark=60)
    assert result.base_total == pytest.approx(80)
    assert result.excluded == ("b",)
    assert "折算为 80 / 100 分" in result.explanation


def test_zero_policy_items_are_named_in_the_explanation() -> None:
    items = [item("a", 50, 50), ItemScore("b", 0, 50, UNKNOWN)]
    result = score_standard(items, pass_mark=60)
    assert result.total == 50
    assert "b 缺少数据，按 0 分计" in result.explanation


def test_when_everything_is_excluded_there_is_no_total() -> None:
    items = [ItemScore("a", None, 50, UNKNOWN, missing_policy=MissingPolicy.EXCLUDE)]
    result = score_standard(items, pass_mark=60)
    assert result.total is None
    assert not result.passed


def test_duplicate_item_codes_are_refused() -> None:
    with pytest.raises(ScoringError, match="重复"):
        score_standard([item("a", 1), item("a", 2)], pass_mark=1)


# -- ranking ------------------------------------------------------------------


def test_ranking_is_competition_style_with_missing_last() -> None:
    scores = {"东城": 90.0, "西城": 85.0, "南城": 85.0, "北城": 70.0, "新区": None}
    assert rank(scores) == {"东城": 1, "西城": 2, "南城": 2, "北城": 4, "新区": 5}


def test_float_noise_does_not_break_a_tie() -> None:
    assert rank({"a": 0.1 + 0.2, "b": 0.3}) == {"a": 1, "b": 1}


# -- properties ---------------------------------------------------------------


def cents(low: float, high: float) -> st.SearchStrategy[float]:
    """Scores as standards write them: at most two decimals."""
    return st.integers(int(low * 100), int(high * 100)).map(lambda c: c / 100)


@settings(max_examples=300)
@given(
    cents(0, 100),
    st.floats(0.01, 50),
    st.one_of(st.none(), cents(0, 200)),
    st.floats(0, 1000),
)
def test_deduction_never_falls_below_max_minus_cap_nor_zero(
    max_score: float, per: float, cap: float | None, occurrences: float
) -> None:
    points = DeductPerOccurrence(max_score, per, cap).points(occurrences)
    assert points >= 0
    assert points <= max_score
    if cap is not None:
        assert points >= max_score - cap - 1e-9


@settings(max_examples=200)
@given(st.floats(0.01, 50), st.floats(0, 100), st.floats(0, 100))
def test_more_occurrences_never_score_more(per: float, a: float, b: float) -> None:
    rule = DeductPerOccurrence(10, per, 6)
    low, high = sorted((a, b))
    assert rule.points(high) <= rule.points(low)


@settings(max_examples=200)
@given(st.dictionaries(st.text(max_size=3), st.one_of(st.none(), st.integers(0, 5).map(float)), max_size=8))
def test_a_higher_score_never_ranks_below_a_lower_one(scores: dict[str, float | None]) -> None:
    ranks = rank(scores)
    for a, sa in scores.items():
        for b, sb in scores.items():
            if sa is not None and (sb is None or sa > sb):
                assert ranks[a] < ranks[b]
            if sa == sb:
                assert ranks[a] == ranks[b]


@settings(max_examples=200)
@given(st.lists(st.tuples(cents(0, 20), st.floats(0, 1)), min_size=1, max_size=8), st.floats(0, 100))
def test_a_passing_unit_always_reaches_the_pass_mark(rows: list[tuple[float, float]], pass_mark: float) -> None:
    items = [ItemScore(f"i{k}", mx * share, mx, MET) for k, (mx, share) in enumerate(rows)]
    result = score_standard(items, pass_mark=pass_mark)
    assert result.total is not None
    assert result.passed == (result.total >= pass_mark - 1e-9)


def test_result_text_mentions_the_target_that_applied() -> None:
    result = TargetResult(MET, 1.0, "适用「农村」目标：≥ 80%")
    assert "适用「农村」目标" in AllOrNothing(5).score("aware", result).explanation


# -- many units at once ----------------------------------------------------------------

_STATUS = st.sampled_from([UNKNOWN, MET, NOT_MET])
_MAYBE = st.one_of(st.none(), st.floats(0, 1.5, allow_nan=False))


@st.composite
def _item_case(draw: st.DrawFn, code: str, n: int) -> tuple[object, list[object], bool, MissingPolicy]:
    kind = draw(st.sampled_from(["all", "prop", "deduct", "review"]))
    mx = draw(st.sampled_from([0.0, 1.0, 2.5, 5.0, 10.0]))
    policy = draw(st.sampled_from(list(MissingPolicy)))
    veto = draw(st.booleans())
    if kind == "all":
        rule: object = AllOrNothing(mx)
        inputs: list[object] = draw(st.lists(_STATUS, min_size=n, max_size=n))
    elif kind == "prop":
        rule = Proportional(mx)
        inputs = draw(st.lists(st.tuples(_STATUS, _MAYBE), min_size=n, max_size=n))
    elif kind == "deduct":
        rule = DeductPerOccurrence(mx, per=draw(st.sampled_from([0.5, 1.0, 2.0])),
                                   cap=draw(st.sampled_from([None, 0.0, 3.0, 20.0])))
        inputs = draw(st.lists(st.one_of(st.none(), st.integers(0, 12).map(float)),
                               min_size=n, max_size=n))
    else:
        rule = Reviewer(mx)
        inputs = draw(st.lists(st.one_of(st.none(), st.sampled_from([0.0, mx / 2, mx])),
                               min_size=n, max_size=n))
    return rule, inputs, veto, policy


def _one(rule: object, code: str, x: object, veto: bool, policy: MissingPolicy) -> ItemScore:
    if isinstance(rule, AllOrNothing | Proportional):
        status, att = x if isinstance(x, tuple) else (x, None)
        result = TargetResult(status, att, "目标：≥ 90", None if status is not UNKNOWN else "缺少数据")
        return rule.score(code, result, missing_policy=policy, veto=veto)
    if isinstance(rule, DeductPerOccurrence):
        return rule.score(code, x, missing_policy=policy, veto=veto)  # type: ignore[arg-type]
    assert isinstance(rule, Reviewer)
    return rule.score(code, x, missing_policy=policy)  # type: ignore[arg-type]


def _many(rule: object, code: str, xs: list[object], veto: bool, policy: MissingPolicy) -> ItemArrays:
    if isinstance(rule, AllOrNothing | Proportional):
        pairs = [x if isinstance(x, tuple) else (x, None) for x in xs]
        return score_many(rule, code, status=np.array([int(s) for s, _a in pairs]),
                          attainment=np.array([np.nan if a is None else a for _s, a in pairs]),
                          missing_policy=policy, veto=veto)
    return score_many(rule, code, value=np.array([np.nan if x is None else x for x in xs]),  # type: ignore[arg-type]
                      missing_policy=policy, veto=veto)


@settings(max_examples=150, deadline=None)
@given(st.data(), st.integers(1, 6), st.integers(0, 6), st.integers(0, 2),
       st.sampled_from([0.0, 30.0, 60.0]), st.sampled_from([None, 0.0, 2.0, 5.0]))
def test_the_vectorised_scores_equal_the_per_unit_scores(
        data: st.DataObject, n: int, n_items: int, n_bonus: int, pass_mark: float,
        bonus_cap: float | None) -> None:
    codes = [f"i{k}" for k in range(n_items + n_bonus)]
    cases = [data.draw(_item_case(c, n)) for c in codes]
    veto_codes = data.draw(st.sets(st.sampled_from([*codes, "absent"]), max_size=3)) if codes else set()
    tiers = [("达标", pass_mark), ("先进", pass_mark + 10), ("示范", pass_mark + 10)]
    arrays = [_many(rule, c, xs, veto, policy) for c, (rule, xs, veto, policy) in zip(codes, cases, strict=True)]
    many = score_standard_many(arrays[:n_items], n, pass_mark=pass_mark, tiers=tiers,
                               bonus_items=arrays[n_items:], bonus_cap=bonus_cap, veto_codes=veto_codes)
    for j in range(n):
        singles = [_one(rule, c, xs[j], veto, policy)
                   for c, (rule, xs, veto, policy) in zip(codes, cases, strict=True)]
        for single, arr in zip(singles, arrays, strict=True):
            got = float(arr.points[j])
            assert (None if got != got else got) == single.score
            assert int(arr.status[j]) == int(single.status)
            assert bool(arr.veto[j]) == single.veto_triggered
        one = score_standard(singles[:n_items], pass_mark=pass_mark, tiers=tiers,
                             bonus_items=singles[n_items:], bonus_cap=bonus_cap, veto_codes=veto_codes)
        total = float(many.total[j])
        base_total = float(many.base_total[j])
        assert (None if total != total else total) == one.total
        assert (None if base_total != base_total else base_total) == one.base_total
        assert many.base_max == one.base_max
        assert float(many.bonus[j]) == one.bonus
        assert bool(many.vetoed[j]) == one.vetoed
        assert many.veto_items(j) == one.veto_items
        assert bool(many.passed[j]) == one.passed
        assert many.tier[j] == one.tier
        assert many.explanation(j) == one.explanation
        assert many.reasons(j) == one.reasons
        assert many.reasons_json(j) == [r.as_json() for r in one.reasons]


def test_units_with_the_same_facts_share_one_list_of_total_reasons() -> None:
    rule = AllOrNothing(10)
    status = np.array([MET, MET, NOT_MET], dtype=np.int64)
    arrays = [score_many(rule, "a", status=status, attainment=np.full(3, np.nan)),
              score_many(rule, "b", status=np.array([MET, MET, MET], dtype=np.int64),
                         attainment=np.full(3, np.nan))]
    many = score_standard_many(arrays, 3, pass_mark=15)
    assert many.reasons_json(0) is many.reasons_json(1)
    assert many.reasons_json(2) is not many.reasons_json(0)
    for j, (total, passed) in enumerate([(20.0, True), (20.0, True), (10.0, False)]):
        assert float(many.total[j]) == total and bool(many.passed[j]) == passed
        assert many.reasons_json(j) == [r.as_json() for r in many.reasons(j)]


def test_the_vectorised_rules_refuse_what_the_per_unit_rules_refuse() -> None:
    with pytest.raises(ScoringError, match="非负数"):
        score_many(DeductPerOccurrence(10, per=1), "x", value=np.array([1.0, -1.0]))
    with pytest.raises(ScoringError, match="超过满分"):
        score_many(Reviewer(5), "r", value=np.array([np.nan, 6.0]))
    with pytest.raises(ScoringError, match="评分项重复"):
        item_arrays = score_many(AllOrNothing(5), "a", status=np.array([1]))
        score_standard_many([item_arrays, item_arrays], 1, pass_mark=0)


# -- decimal scores: the number shown is the number compared -------------------


def test_a_total_shown_as_90_is_compared_as_90() -> None:
    # Once printed 「总分 90 分，合格线 90 分，不合格」 for a total of 89.996.
    total = score_standard([item("a", 89.996, 100)], pass_mark=90)
    assert total.total == 90
    assert total.passed
    assert "总分 90 分，合格线 90 分，合格" in total.explanation


def test_scores_are_rounded_half_up_to_two_decimals_before_they_are_summed() -> None:
    # 29.996 and 59.996 are shown as 30 and 60, so they add up to 90, not 89.99.
    total = score_standard([item("a", 29.996, 30), item("b", 59.996, 60)], pass_mark=90)
    assert total.total == 90 and total.passed
    below = score_standard([item("a", 89.994, 100)], pass_mark=90)
    assert below.total == 89.99 and not below.passed
    assert "总分 89.99 分，合格线 90 分，不合格" in below.explanation


def test_a_maximum_finer_than_the_shown_precision_is_refused() -> None:
    with pytest.raises(ScoringError, match="满分最多两位小数"):
        Proportional(2.675)


def test_half_a_hundredth_rounds_up_as_a_person_would() -> None:
    from chuangjian.engine.scoring import quantize

    assert quantize(2.675) == 2.68  # the float is 2.67499…, the decimal shown is 2.675
    assert quantize(0.125) == 0.13
    assert quantize(89.995) == 90.0
    assert quantize(1 / 3) == 0.33


def test_a_proportional_item_keeps_the_points_it_shows() -> None:
    result = Proportional(10).score("green", Compare(">=", 30).evaluate(20, CTX))
    assert result.score == 6.67
    assert "得 6.67 分" in result.explanation


def test_the_vectorised_total_rounds_like_the_per_unit_total() -> None:
    arrays = [ItemArrays("a", 30, np.array([29.996, 29.994]), np.array([MET, MET], dtype=np.int8),
                         np.zeros(2, dtype=bool)),
              ItemArrays("b", 60, np.array([59.996, 59.994]), np.array([MET, MET], dtype=np.int8),
                         np.zeros(2, dtype=bool))]
    many = score_standard_many(arrays, 2, pass_mark=90)
    assert many.total.tolist() == [90.0, 59.99 + 29.99]
    assert many.passed.tolist() == [True, False]
    one = score_standard([item("a", 29.994, 30), item("b", 59.994, 60)], pass_mark=90)
    assert one.total == many.total[1]
