"""The year's assessment of every standard (``actions.assess_year``, ``chuangjian assess
--all``): each standard in force over the top-level units it applies to, each run what
``start_runs`` makes of it alone, one standard refused without stopping the others.

Here the standards run one after another (the tests' database cannot be shared with forked
processes); ``test_demo_done_when`` runs the demo's nine over two processes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from chuangjian.assessment import actions
from chuangjian.assessment.models import AssessmentRun, UnitResult
from chuangjian.assessment.tests.conftest import Small
from chuangjian.org import actions as org_actions
from chuangjian.org.scope import Scope
from chuangjian.standards.models import StandardVersion

TODAY = dt.date(2027, 1, 5)


def _rows(run: AssessmentRun) -> dict[str, tuple[object, ...]]:
    return {r.unit.code: (r.total, r.passed, r.tier, r.rank, r.siblings, r.items, r.reasons)
            for r in UnitResult.objects.filter(run=run).select_related("unit")}


def _two_standards(small: Small, quarterly: StandardVersion) -> None:
    w = small.world
    small.report(w.community, t_done=45, t_total=50, t_events=2, t_problems=3, t_bonus=2)
    small.report(w.community2, t_done=160, t_total=200, t_events=3, t_fires=1)
    # A top-level unit neither standard assesses anyone under.
    org_actions.create_unit(actor=None, scope=Scope.system(), code="V", name="开发区管委会",
                            level="district", parent=None, category="城镇",
                            opened_on=dt.date(2020, 1, 1))


def test_every_standard_in_force_is_assessed_as_it_is_alone(
        small: Small, quarterly: StandardVersion) -> None:
    _two_standards(small, quarterly)
    outcomes = actions.assess_year(actor=None, year=2026, scope=Scope.system(), today=TODAY,
                                   processes=2)
    assert [o.version.code for o in outcomes] == ["test_small", "test_tree_as_of"]
    for outcome in outcomes:
        assert outcome.error == ""
        assert [r.root.code for r in outcome.runs] == ["T"]
        assert [u.code for u in outcome.left_out] == ["V"]
        assert outcome.seconds > 0
        (run,) = outcome.runs
        assert run.status == "done" and run.current and run.standard == outcome.version
        alone = actions.start_run(actor=None, standard_code=outcome.version.code, year=2026,
                                  unit=run.root, today=TODAY, scope=Scope.system())
        assert _rows(run) == _rows(alone) and _rows(run)


def test_a_standard_refused_is_said_and_the_others_still_run(
        small: Small, quarterly: StandardVersion, capsys: pytest.CaptureFixture[str]) -> None:
    _two_standards(small, quarterly)
    closing = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY,
                                scope=Scope.system())
    actions.publish_run(actor=None, run=closing, scope=Scope.system())
    outcomes = {o.version.code: o for o in actions.assess_year(
        actor=None, year=2026, scope=Scope.system(), today=TODAY)}
    assert "年度已关闭" in outcomes["test_small"].error and not outcomes["test_small"].runs
    assert outcomes["test_tree_as_of"].error == ""
    assert outcomes["test_tree_as_of"].runs[0].current
    assert AssessmentRun.objects.get(standard_code="test_small", current=True) == closing

    with pytest.raises(CommandError) as info:
        call_command("assess", "--all", "--year", "2026")
    printed = capsys.readouterr()
    assert "1 个标准未完成：测试用小标准" in str(info.value)
    assert "「测试用小标准」未完成" in printed.err
    assert "「开发区管委会」" in printed.err
    assert "共 2 个标准" in printed.out
    # The command's own advice: an admin reopens the closed year with a reason.
    assert "--reopen" in outcomes["test_small"].error
    call_command("assess", "--all", "--year", "2026", "--reopen", "补录数据")
    reopened = AssessmentRun.objects.get(standard_code="test_small", current=True)
    assert reopened != closing and reopened.reopen_reason == "补录数据"


def test_a_standard_whose_computation_fails_is_marked_failed_and_the_others_run(
        small: Small, quarterly: StandardVersion, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    _two_standards(small, quarterly)
    computing = actions.compute_runs

    def broken(runs: list[AssessmentRun], **kw: Any) -> object:
        if runs[0].standard_code == "test_small":
            raise RuntimeError("磁盘已满")
        return computing(runs, **kw)

    monkeypatch.setattr(actions, "compute_runs", broken)
    outcomes = {o.version.code: o for o in actions.assess_year(
        actor=None, year=2026, scope=Scope.system(), today=TODAY)}
    assert outcomes["test_small"].error == "计算失败：磁盘已满"
    failed = AssessmentRun.objects.get(standard_code="test_small")
    assert failed.status == "failed" and failed.error == "计算失败：磁盘已满" and not failed.current
    assert outcomes["test_tree_as_of"].runs[0].status == "done"
    assert "assessment of test_small failed" in caplog.text


def test_the_standards_can_be_named_and_a_wrong_name_is_refused(small: Small,
                                                                quarterly: StandardVersion) -> None:
    _two_standards(small, quarterly)
    (only,) = actions.assess_year(actor=None, year=2026, scope=Scope.system(), today=TODAY,
                                  standard_codes=["test_tree_as_of"])
    assert only.version.code == "test_tree_as_of" and only.runs
    with pytest.raises(actions.AssessmentError, match="未知的标准「nope」"):
        actions.assess_year(actor=None, year=2026, scope=Scope.system(),
                            standard_codes=["test_small", "nope"])
    with pytest.raises(actions.AssessmentError, match="2030 年没有有效的标准"):
        actions.assess_year(actor=None, year=2030, scope=Scope.system())


def test_a_user_assesses_only_what_they_may(small: Small, quarterly: StandardVersion) -> None:
    _two_standards(small, quarterly)
    w = small.world
    # A street's leader: the street, the top of their scope, under each standard.
    outcomes = actions.assess_year(actor=w.street_leader, year=2026, today=TODAY,
                                   scope=Scope.for_user(w.street_leader))
    assert [(o.error, [r.root for r in o.runs]) for o in outcomes] == [("", [w.street])] * 2
    assert not AssessmentRun.objects.filter(root=w.district).exists()
    # A read-only user may start none: each standard says so, none runs.
    refused = actions.assess_year(actor=w.readonly, year=2026, today=TODAY,
                                  scope=Scope.for_user(w.readonly))
    assert [(o.error, o.runs) for o in refused] == [("无权对该单位发起此类考核", [])] * 2
    assert AssessmentRun.objects.count() == 2


@pytest.mark.parametrize(("args", "message"), [
    (["--all", "--standard", "test_small", "--year", "2026"], "not allowed with argument"),
    (["--all", "--year", "2026", "--unit", "T"], "不能与 --unit 同用"),
    (["--all", "--year", "2026", "--processes", "0"], "--processes 至少为 1"),
])
def test_the_cli_refuses_bad_input(small: Small, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("assess", *args)
