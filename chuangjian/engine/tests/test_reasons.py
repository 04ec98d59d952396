"""Structured reasons: a kind and its figures, never prose."""

from __future__ import annotations

import pytest

from chuangjian.engine.reasons import TOTAL_KINDS, Reason
from chuangjian.engine.scoring import AllOrNothing, score_standard
from chuangjian.engine.targets import TargetResult, TargetStatus


def _item(code: str, status: TargetStatus, max_score: float = 10):
    rule = AllOrNothing(max_score)
    return rule.score(code, TargetResult(status, None, "目标：≥ 1"))


def test_a_total_below_the_pass_mark_is_a_failed_reason_with_its_figures() -> None:
    score = score_standard([_item("a", TargetStatus.MET), _item("b", TargetStatus.UNKNOWN)],
                           pass_mark=15)
    assert [r.kind for r in score.reasons] == ["base_score", "zeroed", "failed"]
    assert score.reasons[1].params == {"items": ("b",)}
    assert score.reasons[2].as_json() == {"kind": "failed", "total": 10, "pass_mark": 15}


def test_a_veto_names_the_item_and_gives_no_verdict_sentence() -> None:
    score = score_standard([_item("a", TargetStatus.NOT_MET)], pass_mark=0, veto_codes={"a"})
    assert [r.kind for r in score.reasons][-2:] == ["veto_failed", "failed"]


def test_reasons_survive_being_stored_as_json() -> None:
    for r in score_standard([_item("a", TargetStatus.MET)], pass_mark=5,
                            tiers=[("先进", 8)]).reasons:
        assert Reason.from_json(r.as_json()).as_json() == r.as_json()


def test_an_unknown_kind_or_wrong_figures_are_refused() -> None:
    with pytest.raises(ValueError):
        Reason("mystery", {})
    with pytest.raises(ValueError):
        Reason("failed", {"total": 1})
    assert set(TOTAL_KINDS) >= {"passed", "failed", "undecidable"}
