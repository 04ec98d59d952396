"""The total's sentence, made from the engine's reasons: the same Chinese as before, and
English from the same stored result."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from chuangjian.assessment.selectors import readable
from chuangjian.assessment.wording import (
    _SENTENCES,
    aggregation_words,
    rule_sentence,
    total_sentence,
)
from chuangjian.engine.reasons import TOTAL_KINDS
from chuangjian.engine.scoring import (
    AllOrNothing,
    DeductPerOccurrence,
    Proportional,
    Reviewer,
    score_standard,
    score_standard_many,
)
from chuangjian.engine.tests.test_scoring import _item_case, _many, _one

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
