"""Reviewer scores, publication and closed years, bad input, the CLI."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from chuangjian.assessment import actions
from chuangjian.assessment.models import ReviewerScore
from chuangjian.assessment.tests.conftest import Small
from chuangjian.audit.models import AuditEntry
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
