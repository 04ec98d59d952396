"""Reviewer scores, publication and closed years, bad input, the CLI."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from chuangjian.assessment import actions
from chuangjian.assessment.models import AssessmentRun, ReviewerScore, UnitResult
from chuangjian.assessment.tests.conftest import Small
from chuangjian.audit.models import AuditEntry
from chuangjian.org.models import Unit, User
from chuangjian.org.scope import Scope

TODAY = dt.date(2027, 1, 5)


def _score(small: Small, **kw: object) -> ReviewerScore:
    args: dict[str, object] = {"actor": small.world.street_leader, "standard_code": "test_small",
                               "year": 2026, "kind": "考核", "unit": small.world.community,
                               "indicator_code": "rules_review", "score": 30}
    args.update(kw)
    args["scope"] = Scope.for_user(args["actor"])
    return actions.set_reviewer_score(**args)  # type: ignore[arg-type]


def test_a_score_above_the_maximum_is_refused_in_chinese(small: Small) -> None:
    with pytest.raises(ValidationError) as info:
        _score(small, score=31)
    assert "超过满分 30" in str(info.value)


def test_a_score_below_the_maximum_needs_a_comment(small: Small) -> None:
    with pytest.raises(ValidationError) as info:
        _score(small, score=25)
    assert "须填写评审意见" in str(info.value)
    row = _score(small, score=25, comment="制度上墙但记录不全",
                 evidence=[{"label": "会议纪要", "url": "/evidence/1/"}])
    assert row.evidence == [{"label": "会议纪要", "url": "/evidence/1/"}]


def test_only_the_level_above_scores_a_review(small: Small) -> None:
    w = small.world
    with pytest.raises(PermissionDenied):
        _score(small, actor=w.community_worker)
    with pytest.raises(PermissionDenied):
        _score(small, actor=w.outsider)
    # 自查 is the unit's own.
    _score(small, actor=w.community_worker, kind="自查")


def test_a_data_indicator_cannot_be_scored_by_hand(small: Small) -> None:
    with pytest.raises(ValidationError) as info:
        _score(small, indicator_code="done_rate")
    assert "不能人工评分" in str(info.value)


def test_a_published_year_is_closed_until_an_admin_reopens_it(small: Small) -> None:
    w = small.world
    run = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    actions.publish_run(actor=None, run=run, scope=Scope.system())
    with pytest.raises(ValidationError) as info:
        actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    assert "年度已关闭" in str(info.value)
    with pytest.raises(PermissionDenied):
        actions.start_run(actor=w.street_leader, standard_code="test_small", year=2026,
                          unit=w.street, reopen_reason="数据更正", today=TODAY, scope=Scope.for_user(w.street_leader))
    again = actions.start_run(actor=w.district_admin, standard_code="test_small", year=2026,
                              unit=w.district, reopen_reason="数据更正", today=TODAY, scope=Scope.for_user(w.district_admin))
    assert again.current and again.reopen_reason == "数据更正"
    assert AuditEntry.objects.filter(action="assessment.run.completed",
                                     data__reopen_reason="数据更正").exists()


def test_a_reviewer_score_is_refused_once_the_year_is_closed(small: Small) -> None:
    run = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    actions.publish_run(actor=None, run=run, scope=Scope.system())
    with pytest.raises(ValidationError) as info:
        _score(small)
    assert "已公布" in str(info.value)


def test_the_cli_prints_a_chinese_summary(small: Small, capsys: pytest.CaptureFixture[str]) -> None:
    small.report(small.world.community, t_done=45, t_total=50, t_events=2)
    call_command("assess", "--standard", "test_small", "--year", "2026", "--kind", "自查")
    out = capsys.readouterr().out
    assert "2026 年自查「测试用小标准」" in out and "考核单位" in out and "用时" in out


@pytest.mark.parametrize(("args", "message"), [
    (["--standard", "nope", "--year", "2026"], "未知的标准「nope」"),
    (["--standard", "test_small", "--year", "2030"], "在 2030 年不适用"),
    (["--standard", "test_small", "--year", "2026", "--unit", "XX"], "未知的单位「XX」"),
    (["--standard", "test_small", "--year", "2026", "--kind", "年终"], "未知的考核类型"),
    (["--standard", "test_small", "--year", "2026", "--unit", "T-01-D1"], "不适用于"),
])
def test_the_cli_refuses_bad_input_in_chinese(small: Small, args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as info:
        call_command("assess", *args)
    assert message in str(info.value)


def test_the_cli_refuses_a_closed_year_without_reopen(small: Small) -> None:
    run = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    actions.publish_run(actor=None, run=run, scope=Scope.system())
    with pytest.raises(CommandError) as info:
        call_command("assess", "--standard", "test_small", "--year", "2026")
    assert "--reopen" in str(info.value)
    call_command("assess", "--standard", "test_small", "--year", "2026", "--reopen", "补录数据")


def _rows(run: AssessmentRun) -> dict[str, tuple[object, ...]]:
    return {r.unit.code: (r.total, r.passed, r.tier, r.rank, r.siblings, r.above_id,
                          r.parent_id_at_run, r.items, r.reasons)
            for r in UnitResult.objects.filter(run=run).select_related("unit")}


@pytest.mark.parametrize("codes", [
    ["T-01-A-01", "T-01-A-02", "T-02-A-01"],  # siblings: each alone is ranked 1 of 1
    ["T-01", "T-02", "T-03"],                 # the streets' subtrees read as one forest
])
def test_units_assessed_together_get_the_rows_each_gets_alone(small: Small, codes: list[str]
                                                              ) -> None:
    w = small.world
    small.report(w.community, t_done=45, t_total=50, t_events=2)
    small.report(w.community2, t_done=20, t_total=80, t_events=5, t_problems=1)
    small.report(w.other_community, t_done=99, t_total=120, t_events=1)
    units = [Unit.objects.get(code=c) for c in codes]
    together = actions.start_runs(actor=None, standard_code="test_small", year=2026, units=units,
                                  today=TODAY, scope=Scope.system())
    assert [r.root.code for r in together] == codes
    assert all(r.status == "done" and r.current for r in together)
    rows_together = {r.root.code: _rows(r) for r in together}
    assert sum(len(rows) for rows in rows_together.values()) >= 3
    for unit in units:
        alone = actions.start_run(actor=None, standard_code="test_small", year=2026, unit=unit,
                                  today=TODAY, scope=Scope.system())
        assert _rows(alone) == rows_together[unit.code]
        assert alone.units_assessed == len(rows_together[unit.code])


def test_units_assessed_together_are_stored_together_or_not_at_all(
        small: Small, monkeypatch: pytest.MonkeyPatch) -> None:
    # The second district's rows cannot be written: the first's are not kept either, both
    # runs are failed with the reason, and the runs current before stay current.
    units = [Unit.objects.get(code=c) for c in ("T-01", "T-02")]
    before = actions.start_runs(actor=None, standard_code="test_small", year=2026, units=units,
                                today=TODAY, scope=Scope.system())
    real, written = actions.insert_results, list[int]()

    def full_disk(run: AssessmentRun, computed: Any) -> int:
        if written:
            raise OSError("磁盘已满")
        written.append(run.pk)
        return real(run, computed)

    monkeypatch.setattr(actions, "insert_results", full_disk)
    with pytest.raises(OSError):
        actions.start_runs(actor=None, standard_code="test_small", year=2026, units=units,
                           today=TODAY, scope=Scope.system())
    failed = AssessmentRun.objects.exclude(pk__in=[r.pk for r in before])
    assert [(r.status, r.error, r.current) for r in failed] == [
        ("failed", "计算失败：磁盘已满", False)] * 2
    assert not UnitResult.objects.filter(run__in=failed).exists()
    assert set(AssessmentRun.objects.filter(current=True).values_list("pk", flat=True)) == {
        r.pk for r in before}


def test_units_assessed_together_are_checked_before_any_run_starts(small: Small) -> None:
    w = small.world
    before = AssessmentRun.objects.count()

    def start(units: list[Unit], actor: User | None = None, **kw: Any) -> list[AssessmentRun]:
        scope = Scope.system() if actor is None else Scope.for_user(actor)
        return actions.start_runs(actor=actor, standard_code="test_small", year=2026,
                                  units=units, today=TODAY, scope=scope, **kw)

    refusals: list[tuple[list[Unit], str]] = [
        ([], "没有选择要考核的单位"),
        ([w.street, w.community], "「幸福里社区」属于「城关街道」，不能与它同时考核"),
        ([w.community, w.community], "「幸福里社区」选了两次"),
        ([w.other_street, w.department], "不适用于「城关街道城管办」"),
    ]
    for units, message in refusals:
        with pytest.raises(ValidationError) as info:
            start(units)
        assert message in str(info.value)
    with pytest.raises(ValidationError) as info:
        start([w.street, w.other_street], sample=[w.community.pk], kind="抽查")
    assert "只能考核一个单位" in str(info.value)
    # A street's leader may assess their own street, not the next one.
    with pytest.raises(PermissionDenied):
        start([w.street, w.other_street], actor=w.street_leader)
    assert AssessmentRun.objects.count() == before
    # A computation that fails fails every run of the batch, and none becomes current.
    with pytest.raises(RuntimeError):
        start([w.street, w.other_street], fail_after=0)
    failed = AssessmentRun.objects.filter(root__in=[w.street, w.other_street])
    assert [r.status for r in failed] == ["failed", "failed"]
    assert not UnitResult.objects.filter(run__in=failed).exists()
    assert not failed.filter(current=True).exists()


def test_the_cli_assesses_every_top_level_unit_the_standard_applies_to(
        small: Small, capsys: pytest.CaptureFixture[str]) -> None:
    from chuangjian.org import actions as org_actions

    second = org_actions.create_unit(actor=None, scope=Scope.system(), code="U", name="青山区",
                                     level="district", parent=None, category="城镇",
                                     opened_on=dt.date(2020, 1, 1))
    for code, name, level, parent in (("U-01", "青山街道", "street", second),
                                      ("U-01-A", "青山管区", "area", None),
                                      ("U-01-A-01", "青山社区", "community", None)):
        parent = parent or Unit.objects.get(code=code.rsplit("-", 1)[0])
        org_actions.create_unit(actor=None, scope=Scope.system(), code=code, name=name,
                                level=level, parent=parent, category="城镇",
                                opened_on=dt.date(2020, 1, 1))
    # A top-level unit with nobody the standard assesses is left out, and said so.
    org_actions.create_unit(actor=None, scope=Scope.system(), code="V", name="开发区管委会",
                            level="district", parent=None, category="城镇",
                            opened_on=dt.date(2020, 1, 1))
    call_command("assess", "--standard", "test_small", "--year", "2026")
    printed = capsys.readouterr()
    assert "（清源区）" in printed.out and "（青山区）" in printed.out
    assert "「开发区管委会」：不适用" in printed.err
    roots = set(AssessmentRun.objects.filter(current=True).values_list("root__code", flat=True))
    assert roots == {"T", "U"}
    assert UnitResult.objects.filter(run__root__code="U", unit__code="U-01-A-01").exists()


def test_a_spot_check_of_several_units_draws_a_sample_in_each(small: Small) -> None:
    w = small.world
    runs = actions.start_runs(actor=None, standard_code="test_small", year=2026, kind="抽查",
                              units=[w.street, w.other_street], today=TODAY,
                              scope=Scope.system())
    for run in runs:
        assert run.status == "done" and run.sample
        inside = set(Unit.objects.filter(path__startswith=run.root.path)
                     .values_list("pk", flat=True))
        assert set(run.sample) <= inside
        assert set(UnitResult.objects.filter(run=run).values_list("unit_id", flat=True)) == set(
            run.sample)


def test_the_cli_prints_every_run_as_json_when_it_assesses_several_top_level_units(
        small: Small, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from chuangjian.org import actions as org_actions

    on = dt.date(2020, 1, 1)
    parent = None
    for code, name, level in (("U", "青山区", "district"), ("U-01", "青山街道", "street"),
                              ("U-01-A", "青山管区", "area"), ("U-01-A-01", "青山社区", "community")):
        parent = org_actions.create_unit(actor=None, scope=Scope.system(), code=code, name=name,
                                         level=level, parent=parent, category="城镇", opened_on=on)
    call_command("assess", "--standard", "test_small", "--year", "2026", "--json")
    printed = json.loads(capsys.readouterr().out)
    by_unit = {r["unit"]: r for r in printed}
    assert {(r["unit"], r["unit_name"]) for r in printed} == {("T", "清源区"), ("U", "青山区")}
    # Each run's results are its own subtree's.
    assert "U-01-A-01" in {u["unit"] for u in by_unit["U"]["results"]}
    assert all(u["unit"].startswith("U") for u in by_unit["U"]["results"])
    assert {u["unit"] for u in by_unit["T"]["results"]} >= {"T-01-A-01", "T-01-A-02"}
    assert all(u["unit"].startswith("T") for u in by_unit["T"]["results"])
