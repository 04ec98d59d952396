"""The total's sentence, made from the engine's reasons: the same Chinese as before, and
English from the same stored result."""

from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace
from typing import Any

import numpy as np
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangjian.assessment.compute import _elapsed, elapsed_text
from chuangjian.assessment.periodic import failures_reason, summarize_failures
from chuangjian.assessment.selectors import readable
from chuangjian.assessment.wording import (
    _SENTENCES,
    aggregation_words,
    missing_text,
    note_sentence,
    period_label,
    projection_words,
    rule_sentence,
    status_label,
    target_sentence,
    total_sentence,
    why_sentence,
)
from chuangjian.engine import targets as t
from chuangjian.engine.periods import Period, PeriodType
from chuangjian.engine.reasons import TOTAL_KINDS, Reason
from chuangjian.engine.scoring import (
    AllOrNothing,
    DeductPerOccurrence,
    MissingPolicy,
    Proportional,
    Reviewer,
    score_standard,
    score_standard_many,
)
from chuangjian.engine.targets import TargetContext, TargetStatus
from chuangjian.engine.tests.test_scoring import _item_case, _many, _one
from chuangjian.engine.values import reason_text
from chuangjian.standards import loader

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_kind_of_reason_has_a_sentence() -> None:
    assert set(_SENTENCES) == set(TOTAL_KINDS)


@settings(max_examples=80, deadline=None)
@given(st.data(), st.integers(1, 4), st.integers(0, 5), st.integers(0, 2),
       st.sampled_from([0.0, 30.0, 60.0]), st.sampled_from([None, 0.0, 2.0]))
def test_the_sentence_from_reasons_is_the_engines_sentence_with_item_names(
        data: st.DataObject, n: int, n_items: int, n_bonus: int, pass_mark: float,
        bonus_cap: float | None) -> None:
    codes = [f"i{k}" for k in range(n_items + n_bonus)]
    cases = [data.draw(_item_case(c, n)) for c in codes]
    veto_codes = data.draw(st.sets(st.sampled_from([*codes, "absent"]), max_size=2)) if codes else set()
    tiers = [("达标", pass_mark), ("先进", pass_mark + 10)]
    names = {c: f"指标{c}" for c in [*codes, "absent"]}
    spec = SimpleNamespace(by_code={c: SimpleNamespace(name=v) for c, v in names.items()})
    arrays = [_many(rule, c, xs, veto, policy) for c, (rule, xs, veto, policy) in zip(codes, cases, strict=True)]
    many = score_standard_many(arrays[:n_items], n, pass_mark=pass_mark, tiers=tiers,
                               bonus_items=arrays[n_items:], bonus_cap=bonus_cap,
                               veto_codes=veto_codes)
    for j in range(n):
        singles = [_one(rule, c, xs[j], veto, policy)
                   for c, (rule, xs, veto, policy) in zip(codes, cases, strict=True)]
        one = score_standard(singles[:n_items], pass_mark=pass_mark, tiers=tiers,
                             bonus_items=singles[n_items:], bonus_cap=bonus_cap,
                             veto_codes=veto_codes)
        stored = [r.as_json() for r in many.reasons(j)]
        with translation.override("zh-hans"):
            assert total_sentence(stored, names) == readable(spec, one.explanation)  # type: ignore[arg-type]
        with translation.override("en"):
            english = total_sentence(stored, names)
        # Only the items' and tiers' own (Chinese) names remain in the English sentence.
        assert not CJK.search(re.sub(r"指标(i\d|absent)|达标|先进", "", english)), english


def test_a_failed_total_reads_in_english() -> None:
    stored: list[dict[str, Any]] = [{"kind": "base_score", "points": 78, "max": 100},
              {"kind": "zeroed", "items": ["visits"]},
              {"kind": "failed", "total": 78, "pass_mark": 80}]
    with translation.override("en"):
        text = total_sentence(stored, {"visits": "入户走访率"})
    assert text == ("Base score 78 / 100 points; “入户走访率”: no data, counted as 0 points; "
                    "Total 78 points against a pass mark of 80: not passed.")
    with translation.override("zh-hans"):
        assert total_sentence(stored, {"visits": "入户走访率"}) == (
            "基本分 78 / 100 分；「入户走访率」 缺少数据，按 0 分计；总分 78 分，合格线 80 分，不合格。")


def test_an_empty_list_of_reasons_is_no_sentence() -> None:
    assert total_sentence([], {}) == ""


def test_how_a_figure_was_added_up_reads_in_both_languages() -> None:
    with translation.override("zh-hans"):
        assert aggregation_words("sum", "sum", 12) == "期内合计，本单位及下级单位合计（12 期数据）"
        assert aggregation_words("last", "none", 1) == "期末最新值，仅本单位（1 期数据）"
    with translation.override("en"):
        assert aggregation_words("mean", "mean", 4) == (
            "Average over the reported periods, averaged over the unit and all units below it "
            "(4 reports)")


@given(st.sampled_from(["all", "prop", "deduct", "capped", "review"]),
       st.integers(1, 400).map(lambda c: c / 4), st.integers(1, 40).map(lambda c: c / 4))
def test_a_scoring_rule_reads_as_the_engine_wrote_it_and_in_english(
        kind: str, max_score: float, per: float) -> None:
    rules: dict[str, AllOrNothing | Proportional | DeductPerOccurrence | Reviewer] = {
        "all": AllOrNothing(max_score), "prop": Proportional(max_score),
        "deduct": DeductPerOccurrence(max_score, per=per),
        "capped": DeductPerOccurrence(max_score, per=per, cap=per * 2),
        "review": Reviewer(max_score)}
    rule = rules[kind]
    with translation.override("zh-hans"):
        assert rule_sentence(rule.describe()) == rule.describe_zh()
    with translation.override("en"):
        assert not CJK.search(rule_sentence(rule.describe()))


# -- targets, item notes, missing figures and periods -------------------------------------
# The engine gives each as a structured reason beside its Chinese text; the sentence made
# here in Chinese is that text, and in English it holds no Chinese but names and units.


_UNITS = st.sampled_from(["", "%", "‰", "次", "平方米"])
_FIGURES = st.integers(0, 4000).map(lambda c: c / 8)
_PERIODIC = st.sampled_from([PeriodType.DAY, PeriodType.WEEK, PeriodType.MONTH,
                             PeriodType.QUARTER, PeriodType.YEAR])


def _leaves() -> st.SearchStrategy[t.Target]:
    return st.one_of(
        st.builds(t.Compare, st.sampled_from([">=", "<=", ">", "<", "=="]), _FIGURES),
        st.builds(lambda a, b: t.Range(min(a, b), max(a, b)), _FIGURES, _FIGURES),
        st.just(t.IsTrue()),
        st.builds(t.AtLeastPerPeriod, st.integers(1, 5), _PERIODIC,
                  st.sampled_from([100.0, 90.0, 62.5])),
        st.builds(t.ZeroForYears, st.integers(1, 4)),
        st.builds(lambda p, d, s: t.ChangeFromPrevious(-p if d else p, decrease=d, strict=s),
                  st.sampled_from([0.0, 5.0, 12.5, 20.0]), st.booleans(), st.booleans()),
    )


def _targets() -> st.SearchStrategy[t.Target]:
    leaf = _leaves()
    return st.one_of(
        leaf,
        st.builds(lambda cases, default: t.ByCategory(cases, default),
                  st.dictionaries(st.sampled_from(["城镇", "农村"]), leaf, max_size=2),
                  st.one_of(st.none(), leaf)),
        st.builds(lambda cases, default: t.ByYear(cases, default),
                  st.dictionaries(st.integers(2024, 2027), leaf, max_size=3),
                  st.one_of(st.none(), leaf)),
        st.builds(lambda cases, default: t.ByClass(cases, default),
                  st.dictionaries(st.sampled_from(["保无毒", "创无毒"]),
                                  st.one_of(leaf, st.builds(lambda c: t.ByYear(c),
                                            st.dictionaries(st.integers(2025, 2026), leaf,
                                                            max_size=1))),
                                  max_size=2),
                  st.one_of(st.none(), leaf)),
    )


_CONTEXTS = st.builds(
    TargetContext, st.integers(2024, 2027), st.sampled_from([None, "城镇", "农村"]),
    st.sampled_from([None, "保无毒", "创无毒"]), st.one_of(st.none(), _FIGURES),
    st.lists(st.one_of(st.none(), _FIGURES), max_size=4))


def _english_has_no_chinese(text: str) -> bool:
    # Units, category and class keys are the standard's own names.
    return not CJK.search(re.sub(r"城镇|农村|保无毒|创无毒", "", text))


@settings(max_examples=300, deadline=None)
@given(_targets(), _CONTEXTS, st.one_of(st.none(), _FIGURES), _UNITS, st.booleans(),
       st.sampled_from([MissingPolicy.ZERO, MissingPolicy.EXCLUDE]))
def test_a_target_and_its_verdict_read_as_the_engine_wrote_them_and_in_english(
        target: t.Target, ctx: TargetContext, value: float | None, unit: str,
        proportional: bool, policy: MissingPolicy) -> None:
    result = target.evaluate(value, ctx, unit=unit)
    rule = Proportional(5) if proportional else AllOrNothing(5)
    item = rule.score("x", result, missing_policy=policy)
    with translation.override("zh-hans"):
        assert target_sentence(target.describe(unit)) == target.describe_zh(unit)
        assert target_sentence(result.applied_reason) == result.applied  # type: ignore[arg-type]
        if result.status is TargetStatus.UNKNOWN:
            assert why_sentence(result.why) == (result.reason or "缺少数据")
        assert note_sentence(item.reasons) == item.explanation
        assert status_label(result.status) == result.status.label
    with translation.override("en"):
        for text in (target_sentence(target.describe(unit)),
                     target_sentence(result.applied_reason),  # type: ignore[arg-type]
                     note_sentence(item.reasons)):
            assert _english_has_no_chinese(text), text


def test_every_built_in_target_reads_in_chinese_as_the_engine_wrote_it() -> None:
    years, categories, classes = range(2022, 2028), (None, "城镇", "农村"), (None, "保无毒",
                                                                           "创无毒", "甲类")
    checked = 0
    for standard in loader.load_builtin().standards:
        for ind in standard.all_indicators():
            if ind.target is None:
                continue
            with translation.override("zh-hans"):
                assert target_sentence(ind.target.describe(ind.unit)) == \
                    ind.target.describe_zh(ind.unit)
            for year in years:
                for category in categories:
                    for unit_class in classes:
                        found = ind.target.applied(TargetContext(year, category, unit_class),
                                                   ind.unit)
                        with translation.override("zh-hans"):
                            assert target_sentence(found.reason) == found.text
                            if found.why is not None:
                                assert why_sentence(found.why) == found.none_reason
                        with translation.override("en"):
                            assert _english_has_no_chinese(target_sentence(found.reason))
                        checked += 1
    assert checked > 1000


def test_deductions_reviews_and_missing_figures_read_as_the_engine_wrote_them() -> None:
    deduct = DeductPerOccurrence(10, per=2.5, cap=7.5)
    reviewer = Reviewer(4)
    items = [deduct.score("d", 0), deduct.score("d", 2), deduct.score("d", 9),
             deduct.score("d", None, reason=reason_text(2),
                          why=Reason("missing", {"code": 2})),
             deduct.score("d", None, missing_policy=MissingPolicy.EXCLUDE),
             reviewer.score("r", None), reviewer.score("r", 3.5, note="台账缺两个月"),
             reviewer.score("r", 4)]
    with translation.override("zh-hans"):
        for item in items:
            assert note_sentence(item.reasons) == item.explanation
        for code in range(9):
            assert missing_text(code) == reason_text(code)
    with translation.override("en"):
        assert note_sentence(items[2].reasons) == (
            "Happened 9 times: 7.5 points deducted, 2.5 points")
        assert note_sentence(items[5].reasons) == (
            "Cannot be computed (not reviewed yet), counted as 0 points")
        assert missing_text(3) == "no figure for last year"


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([PeriodType.DAY, PeriodType.WEEK, PeriodType.MONTH,
                        PeriodType.QUARTER]), st.integers(1, 3), st.data())
def test_the_periods_that_failed_read_as_before_and_in_english(
        per: PeriodType, count: int, data: st.DataObject) -> None:
    periods = Period.year(2026).subperiods(per)[:data.draw(st.integers(0, 40))]
    counts = np.array(data.draw(st.lists(st.one_of(st.none(), st.integers(0, 4)),
                                         min_size=len(periods), max_size=len(periods))),
                      dtype=float) if periods else np.zeros(0)
    target = t.AtLeastPerPeriod(count, per)
    reason = failures_reason(target, periods, counts)
    with translation.override("zh-hans"):
        assert note_sentence([reason]) == summarize_failures(target, periods, counts)
        for p in periods:
            assert period_label(p) == p.label_zh
    with translation.override("en"):
        assert not CJK.search(note_sentence([reason]))


def test_a_day_a_quarter_and_a_week_read_in_english() -> None:
    with translation.override("en"):
        assert period_label("2026-03-05") == "5 Mar 2026"
        assert period_label("2026-03-05", year=False) == "5 Mar"
        assert period_label("2026Q2") == "Q2 2026"
        assert period_label("2026W12") == "week 12 of 2026"
        assert period_label("2026-11") == "November 2026"
        applied = t.ByClass({"创无毒": t.Compare("<=", 2, )}).applied(
            TargetContext(2026, unit_class="创无毒"), "%")
        assert target_sentence(applied.reason) == "target for the class “创无毒”: at most 2%"
        assert target_sentence(t.Compare("==", 100).applied(TargetContext(2026), "%").reason) \
            == "Target: exactly 100%"


@given(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 30)),
       st.sets(st.sampled_from(["day", "week", "month", "quarter"]), max_size=3))
def test_how_a_year_end_figure_is_projected_reads_as_stored_and_in_english(
        as_of: dt.date, kinds: set[str]) -> None:
    parts = sorted({part for k in kinds
                    if (part := _elapsed(k, as_of, 2026)[1]) is not None}, key=elapsed_text)
    stored = "；".join(elapsed_text(p) for p in parts) or "按年内已有数据判断（无可推算的累计数）"
    with translation.override("zh-hans"):
        assert projection_words(parts) == stored
    with translation.override("en"):
        assert not CJK.search(projection_words(parts))
