"""Assessment results against hand-computed figures for a small world."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from chuangjian.assessment import actions, selectors
from chuangjian.assessment.items import items_of
from chuangjian.assessment.models import AssessmentRun, RunStatus, UnitResult
from chuangjian.assessment.spec import spec_for
from chuangjian.assessment.tests.conftest import Small
from chuangjian.assessment.wording import applied_reason, item_note, item_target
from chuangjian.engine.targets import TargetStatus
from chuangjian.engine.values import Missing
from chuangjian.org.scope import Scope
from chuangjian.standards import actions as standards_actions

TODAY = dt.date(2027, 1, 5)


def _world_data(small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=45, t_total=50, t_events=2, t_problems=3, t_bonus=2)
    small.report(w.community2, t_done=160, t_total=200, t_events=3, t_fires=1)
    small.report(w.village, t_done=41, t_total=50)
    standards_actions.assign_unit_classes(
        actor=None, standard=small.version, period="2026",
        values={w.community.pk: {"t_total": 50}, w.community2.pk: {"t_total": 200},
                w.village.pk: {"t_total": 50}}, scope=Scope.system())
    actions.set_reviewer_score(actor=None, standard_code="test_small", year=2026, kind="考核",
                               unit=w.community, indicator_code="rules_review", score=27,
                               comment="会议纪要缺两次", scope=Scope.system())


def _run(small: Small, **kw: object) -> tuple[AssessmentRun, dict[int, UnitResult]]:
    run = actions.start_run(actor=None, scope=Scope.system(), standard_code="test_small",
                            year=2026, today=TODAY, unit=small.world.district, **kw)  # type: ignore[arg-type]
    return run, {r.unit_id: r for r in UnitResult.objects.filter(run=run)}


def _target(run: AssessmentRun, row: UnitResult, code: str) -> str:
    """What the score sheet says an item is judged against (its target, or its rule)."""
    return item_target(spec_for(run.standard).by_code[code], items_of(row)[code])


def _note(row: UnitResult, code: str) -> str:
    """What the score sheet says of how an item was scored."""
    return item_note(items_of(row)[code])


def test_it_scores_every_shape_as_computed_by_hand(small: Small) -> None:
    _world_data(small)
    run, rows = _run(small)
    w = small.world
    good = rows[w.community.pk]
    # 90% ≥ 90 (城镇) 30 + 2 events ≥ 2 (小社区) 20 + 20 − min(3×5, 10) + reviewer 27 = 87,
    # bonus 8 capped at 5 → 92, 先进.
    assert items_of(good)["done_rate"]["v"] == 90
    assert items_of(good)["done_rate"]["p"] == 30
    assert items_of(good)["events"]["p"] == 20
    assert items_of(good)["problems"]["p"] == 10
    assert items_of(good)["rules_review"]["p"] == 27
    assert items_of(good)["extra"]["p"] == 8
    assert good.base_total == 87
    assert good.bonus == 5
    assert good.total == 92
    assert good.passed and not good.vetoed and good.tier == "先进"
    assert "最多扣 10 分" in _target(run, good, "problems")


def test_a_result_stores_figures_and_reasons_and_the_score_sheet_words_them(
        small: Small) -> None:
    """No sentence is stored for a unit: the score sheet words the stored reasons when it
    is read, in the reader's language."""
    _world_data(small)
    run, rows = _run(small)
    good = rows[small.world.community.pk]
    assert good.explanation == ""
    assert all(not {"t", "n", "pm", "x"} & set(item) for item in items_of(good).values())
    judged = items_of(good)["done_rate"]  # the target that applied is stored once, in the note
    assert "tr" not in judged and applied_reason(judged) is not None
    card = selectors.scorecard(scope=Scope.system(), unit=good.unit, standard_code="test_small",
                               year=2026, run=run)
    assert card is not None
    assert "先进" in card.explanation and "92" in card.explanation
    row = {r.code: r for r in card.rows}["problems"]
    assert "最多扣 10 分" in row.target_text and "发生 3 次" in row.note
    with translation.override("en"):
        card = selectors.scorecard(scope=Scope.system(), unit=good.unit,
                                   standard_code="test_small", year=2026, run=run)
    assert card is not None and "pass mark" in card.explanation


def test_a_veto_fails_the_unit_whatever_its_score(small: Small) -> None:
    _world_data(small)
    run, rows = _run(small)
    bad = rows[small.world.community2.pk]
    # 80% of a 90% target → 30 × 80/90; 大社区 needs 4 events, 3 → 0; no problems → 20.
    assert items_of(bad)["done_rate"]["p"] == 26.67  # 30 × 80/90, kept to the two decimals shown
    assert items_of(bad)["events"]["p"] == 0
    assert "大社区" in _target(run, bad, "events")
    assert items_of(bad)["rules_review"]["p"] == 0  # not yet reviewed: scored 0 and said so
    assert "尚未评审" in _note(bad, "rules_review")
    assert bad.vetoed and not bad.passed and bad.veto_items == ["no_fire"] and bad.tier == ""


def test_targets_differ_by_category_and_missing_data_shows_as_missing(small: Small) -> None:
    _world_data(small)
    run, rows = _run(small)
    village = rows[small.world.village.pk]
    assert items_of(village)["done_rate"]["v"] == 82
    assert items_of(village)["done_rate"]["s"] == TargetStatus.MET  # 农村 ≥ 80
    assert "农村" in _target(run, village, "done_rate")
    silent = rows[small.world.other_community.pk]
    assert items_of(silent)["done_rate"]["v"] is None
    assert items_of(silent)["done_rate"]["m"] == Missing.NO_DATA
    assert items_of(silent)["done_rate"]["s"] == TargetStatus.UNKNOWN
    assert "按 0 分计" in _note(silent, "done_rate")
    assert not silent.passed  # the veto item could not be checked


def test_parent_share_of_children_uses_the_years_target(small: Small) -> None:
    _world_data(small)
    _r, rows = _run(small)
    w = small.world
    street = rows[w.street.pk]
    assert street.sheet == "street"
    assert set(items_of(street)) == {"pass_share"}
    assert items_of(street)["pass_share"]["v"] == 50  # 1 of 2 communities met done_rate
    assert items_of(street)["pass_share"]["s"] == TargetStatus.MET  # 2026: ≥ 50
    assert street.passed
    assert items_of(rows[w.rural_town.pk])["pass_share"]["v"] == 100
    other = rows[w.other_street.pk]
    assert items_of(other)["pass_share"]["m"] == Missing.NO_DATA  # its only child has no data


def test_siblings_are_ranked(small: Small) -> None:
    _world_data(small)
    _r, rows = _run(small)
    w = small.world
    assert (rows[w.community.pk].rank, rows[w.community.pk].siblings) == (1, 2)
    assert rows[w.community2.pk].rank == 2


def test_a_failed_run_leaves_the_previous_results_intact(small: Small) -> None:
    _world_data(small)
    first, before = _run(small)
    with pytest.raises(RuntimeError):
        _run(small, fail_after=2)
    failed = AssessmentRun.objects.exclude(pk=first.pk).get()
    assert failed.status == RunStatus.FAILED and "计算失败" in failed.error
    assert not UnitResult.objects.filter(run=failed).exists()
    first.refresh_from_db()
    assert first.current
    after = {r.unit_id: r.total for r in UnitResult.objects.filter(run=first)}
    assert after == {k: r.total for k, r in before.items()}


def test_a_second_run_replaces_the_current_one(small: Small) -> None:
    _world_data(small)
    first, _rows = _run(small)
    second, _rows = _run(small)
    first.refresh_from_db()
    assert not first.current and second.current


def test_a_spot_check_assesses_only_its_sample(small: Small) -> None:
    _world_data(small)
    w = small.world
    run, rows = _run(small, kind="抽查", sample=[w.community.pk, w.village.pk])
    assert run.kind == "spot"
    assert set(rows) == {w.community.pk, w.village.pk}


def test_elapsed_share_scales_monthly_sums_by_months_over() -> None:
    from chuangjian.assessment.compute import elapsed_share

    share, note = elapsed_share("month", dt.date(2026, 11, 29), 2026)
    assert share == 10 / 12 and "10 个月" in note
    assert elapsed_share("month", dt.date(2026, 12, 31), 2026)[0] == 1
    assert elapsed_share("day", dt.date(2026, 1, 10), 2026)[0] == 10 / 365


def test_scoring_all_units_at_once_equals_scoring_unit_by_unit(small: Small) -> None:
    from chuangjian.assessment.runner import compute_full

    _world_data(small)
    run, _rows = _run(small)
    together = compute_full(run)
    one_by_one = compute_full(run, per_unit=True)
    assert len(together.scores) == len(one_by_one.scores) > 3
    assert together.scores == one_by_one.scores
