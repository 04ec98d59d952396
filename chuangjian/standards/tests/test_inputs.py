"""Every indicator of every built-in standard can get a value: the last ones waited for
surveys, tasks, awards and registers, each named (docs/indicator-inputs.md), and the
awards app fed the last of them (the 市级创建命名 bonus of 文明社区)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from chuangjian.standards.inputs import WAITING, unfed_indicators
from chuangjian.standards.loader import load_builtin

DOCS = Path(__file__).resolve().parents[3] / "docs" / "indicator-inputs.md"


def test_only_indicators_waiting_for_surveys_tasks_awards_and_registers_lack_inputs() -> None:
    unfed = unfed_indicators(load_builtin())
    assert {(u.standard, u.indicator) for u in unfed} == set(WAITING)
    assert all(u.waiting_for for u in unfed)
    assert {w.split("（")[0] for w in WAITING.values()} <= {"问卷调查", "任务分解", "荣誉登记",
                                                            "台账登记"}


def test_the_4pm_on_time_rate_and_the_supervision_count_are_computed_not_missing() -> None:
    unfed = {u.indicator for u in unfed_indicators(load_builtin())}
    # The surveys compute 知晓率 and 满意度 (issue 16).
    assert not unfed & {"awareness_residents", "awareness_migrants", "awareness_venue_staff",
                        "awareness_students", "resident_satisfaction",
                        "five_everyone_awareness_up"}
    assert "daily_report_on_time_rate" not in unfed
    assert "daily_supervision" not in unfed
    assert "rectified_on_time_rate" not in unfed


def test_each_waiting_indicator_is_named_in_the_docs() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for standard, indicator in WAITING:
        assert f"`{standard}` `{indicator}`" in text


def test_the_standards_inputs_command_lists_them(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("standards", "inputs")
    out = capsys.readouterr().out
    assert f"无法取得数值的指标 {len(WAITING)} 项" in out and not WAITING
    assert "city_level_health_awards" in out and "由称号登记计算" in out
    assert "未说明原因 0 项" in out
