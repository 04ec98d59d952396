"""Submitting a report: deadlines in Shanghai time, idempotence, rules, locks, review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chuangjian.audit.models import AuditEntry
from chuangjian.org import actions as org_actions
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions, rollups
from chuangjian.reporting.models import DataValue, Rollup, Status, Submission, ValueChange

from .conftest import shanghai

DAILY = {"t_patrols": 3, "t_found": 2, "t_fixed": 1, "t_note": "正常"}
MONTHLY = {"t_households": 1200, "t_satisfaction": "92.5", "t_disputes": 10, "t_mediated": 9}


def submit(world: World, at: dt.datetime, *, unit=None, code="community-day",
           period="2026-03-16", values=None, user=None):
    return actions.submit_values(actor=user or world.community_worker,
                                 unit=unit or world.community, dataset_code=code, period=period,
                                 values=DAILY if values is None else values, now=at, scope=Scope.for_user(user or world.community_worker))


def test_a_daily_report_at_15_59_59_shanghai_time_is_on_time(world: World, standards: object) -> None:
    result = submit(world, shanghai(2026, 3, 16, 15, 59, 59))
    assert result.submission.late is False
    assert result.submission.status == Status.SUBMITTED


def test_a_daily_report_at_16_00_00_shanghai_time_is_late_but_accepted(world: World,
                                                                       standards: object) -> None:
    result = submit(world, shanghai(2026, 3, 16, 16, 0, 0))
    assert result.submission.late is True
    assert DataValue.objects.filter(unit=world.community, period="2026-03-16").count() == 4


def test_the_deadline_is_16_00_shanghai_which_is_08_00_utc(world: World, standards: object) -> None:
    utc = dt.UTC
    assert submit(world, dt.datetime(2026, 3, 16, 7, 59, 59, tzinfo=utc)).submission.late is False
    other = submit(world, dt.datetime(2026, 3, 16, 8, 0, 0, tzinfo=utc), unit=world.community2,
                   user=world.street_leader)
    assert other.submission.late is True


def test_todays_report_opens_at_shanghai_midnight_not_utc_midnight(world: World,
                                                                   standards: object) -> None:
    utc = dt.UTC
    # 2026-03-16 15:59:59 UTC is 23:59:59 on the 16th in Shanghai: the 17th has not begun.
    with pytest.raises(ValidationError, match="尚未开始"):
        submit(world, dt.datetime(2026, 3, 16, 15, 59, 59, tzinfo=utc), period="2026-03-17")
    # One second later it is the 17th in Shanghai, though still the 16th in UTC.
    result = submit(world, dt.datetime(2026, 3, 16, 16, 0, 0, tzinfo=utc), period="2026-03-17")
    assert result.submission.period == "2026-03-17" and result.submission.late is False


def test_a_resubmission_of_the_same_values_changes_nothing(world: World, standards: object,
                                                           noon: dt.datetime) -> None:
    first = submit(world, noon)
    again = submit(world, noon + dt.timedelta(minutes=5))
    assert again.new_version is False
    assert Submission.objects.count() == 1
    assert Submission.objects.get().version == first.submission.version == 1
    assert ValueChange.objects.count() == 4


def test_a_resubmission_with_a_change_makes_a_new_version_not_a_second_report(
        world: World, standards: object, noon: dt.datetime) -> None:
    submit(world, noon)
    result = submit(world, noon + dt.timedelta(minutes=5), values={"t_patrols": 5})
    assert result.new_version and result.changed == {"t_patrols": ("3", "5")}
    sub = Submission.objects.get()
    assert sub.version == 2
    assert DataValue.objects.get(element__code="t_patrols").number == 5
    change = ValueChange.objects.filter(element__code="t_patrols").first()
    assert change is not None
    assert (change.old, change.new, change.channel, change.user) == (
        "3", "5", "web", world.community_worker)
    # Timeliness is that of the first submission.
    assert sub.late is False


def test_a_rule_from_the_standard_refuses_the_report_and_saves_nothing(
        world: World, standards: object, noon: dt.datetime) -> None:
    with pytest.raises(actions.ReportInvalid) as info:
        submit(world, noon, values={**DAILY, "t_fixed": 5})
    assert info.value.fields == {"t_found": "整改问题数不能多于发现问题数"}
    assert not DataValue.objects.exists() and not Submission.objects.exists()


@pytest.mark.parametrize(("field", "raw", "message"), [
    ("t_patrols", "abc", "不是数字"),
    ("t_patrols", "-1", "不能为负数"),
    ("t_patrols", "1.5", "应为整数"),
])
def test_wrong_types_and_ranges_are_refused(world: World, standards: object, noon: dt.datetime,
                                            field: str, raw: str, message: str) -> None:
    with pytest.raises(actions.ReportInvalid) as info:
        submit(world, noon, values={**DAILY, field: raw})
    assert message in info.value.fields[field]


def test_a_percent_above_100_is_refused(world: World, standards: object) -> None:
    with pytest.raises(actions.ReportInvalid) as info:
        submit(world, shanghai(2026, 4, 1, 9), code="community-month", period="2026-03",
               values={**MONTHLY, "t_satisfaction": "101"})
    assert "最大值 100" in info.value.fields["t_satisfaction"]


def test_every_element_is_required_on_submit(world: World, standards: object,
                                             noon: dt.datetime) -> None:
    with pytest.raises(actions.ReportInvalid) as info:
        submit(world, noon, values={"t_patrols": 1})
    assert info.value.fields == {"t_found": "必填", "t_fixed": "必填", "t_note": "必填"}


def test_an_unknown_element_is_refused(world: World, standards: object, noon: dt.datetime) -> None:
    with pytest.raises(actions.ReportInvalid, match="没有数据元素「nope」"):
        submit(world, noon, values={**DAILY, "nope": 1})


def test_the_outsider_cannot_report_for_another_streets_community(world: World, standards: object,
                                                                  noon: dt.datetime) -> None:
    with pytest.raises(PermissionDenied):
        submit(world, noon, user=world.outsider)
    assert not Submission.objects.exists()


def test_a_locking_report_is_refused_after_its_deadline(world: World, standards: object) -> None:
    # community-month is due on the 3rd at 12:00 and locks (t_wenming says so).
    submit(world, shanghai(2026, 4, 3, 11, 59, 59), code="community-month", period="2026-03",
           values=MONTHLY)
    with pytest.raises(ValidationError, match="按标准规定锁定"):
        submit(world, shanghai(2026, 4, 3, 12, 0, 0), unit=world.community2,
               user=world.street_leader, code="community-month", period="2026-03",
               values=MONTHLY)


def test_the_level_above_can_grant_an_exception_to_a_locked_report(world: World,
                                                                   standards: object) -> None:
    late = shanghai(2026, 4, 4, 9)
    with pytest.raises(PermissionDenied):
        actions.grant_exception(actor=world.community_worker, unit=world.community,
                                dataset_code="community-month", period="2026-03",
                                until=late + dt.timedelta(days=1), reason="系统故障", now=late, scope=Scope.for_user(world.community_worker))
    actions.grant_exception(actor=world.street_leader, unit=world.community,
                            dataset_code="community-month", period="2026-03",
                            until=late + dt.timedelta(days=1), reason="系统故障", now=late, scope=Scope.for_user(world.street_leader))
    result = submit(world, late + dt.timedelta(hours=1), code="community-month", period="2026-03",
                    values=MONTHLY)
    assert result.submission.late is True
    # The exception expires.
    with pytest.raises(ValidationError, match="锁定"):
        submit(world, late + dt.timedelta(days=2), code="community-month", period="2026-03",
               values={**MONTHLY, "t_households": 1201})


def test_a_unit_closed_before_the_period_is_not_expected_and_cannot_report(
        world: World, standards: object) -> None:
    org_actions.close_unit(actor=None, unit=world.community2, on=dt.date(2026, 3, 10), scope=Scope.system())
    world.community2.refresh_from_db()
    with pytest.raises(ValidationError, match="未设立或已撤销"):
        submit(world, shanghai(2026, 3, 16, 10), unit=world.community2, user=world.street_leader)
    # Still expected for a day it was open.
    submit(world, shanghai(2026, 3, 16, 10), unit=world.community2, user=world.street_leader,
           period="2026-03-09")


def test_accepting_locks_the_data_and_shows_why(world: World, standards: object,
                                                noon: dt.datetime) -> None:
    sub = submit(world, noon).submission
    with pytest.raises(PermissionDenied):
        actions.review_submission(actor=world.community_worker, submission=sub, accept=True,
                                  now=noon, scope=Scope.for_user(world.community_worker))
    sub = actions.review_submission(actor=world.street_leader, submission=sub, accept=True,
                                    now=noon + dt.timedelta(hours=1), scope=Scope.for_user(world.street_leader))
    assert sub.locked and "李卫东 审核通过" in sub.locked_reason and "2026-03-16 13:00" in sub.locked_reason
    with pytest.raises(ValidationError, match="已锁定"):
        submit(world, noon + dt.timedelta(hours=2), values={"t_patrols": 9})
    assert AuditEntry.objects.filter(action="reporting.submission.accepted").count() == 1


def test_unlocking_needs_the_approver_and_a_reason(world: World, standards: object,
                                                   noon: dt.datetime) -> None:
    sub = submit(world, noon).submission
    actions.review_submission(actor=world.street_leader, submission=sub, accept=True, now=noon, scope=Scope.for_user(world.street_leader))
    with pytest.raises(PermissionDenied):
        actions.unlock_submission(actor=world.community_worker, submission=sub, reason="要改",
                                  now=noon, scope=Scope.for_user(world.community_worker))
    with pytest.raises(ValidationError, match="理由"):
        actions.unlock_submission(actor=world.street_leader, submission=sub, reason=" ", now=noon, scope=Scope.for_user(world.street_leader))
    sub = actions.unlock_submission(actor=world.street_leader, submission=sub,
                                    reason="巡查次数填错", now=noon, scope=Scope.for_user(world.street_leader))
    assert sub.status == Status.RETURNED and not sub.locked and "巡查次数填错" in sub.comment
    assert submit(world, noon, values={"t_patrols": 4}).submission.version == 2


def test_returning_needs_a_comment(world: World, standards: object, noon: dt.datetime) -> None:
    sub = submit(world, noon).submission
    with pytest.raises(ValidationError, match="意见"):
        actions.review_submission(actor=world.street_leader, submission=sub, accept=False,
                                  now=noon, scope=Scope.for_user(world.street_leader))
    sub = actions.review_submission(actor=world.street_leader, submission=sub, accept=False,
                                    comment="说明写具体些", now=noon, scope=Scope.for_user(world.street_leader))
    assert sub.status == Status.RETURNED


def test_an_outlier_against_the_units_own_history_is_flagged_not_refused(
        world: World, standards: object) -> None:
    for day in range(1, 8):
        submit(world, shanghai(2026, 3, day, 10), period=f"2026-03-{day:02d}",
               values={**DAILY, "t_patrols": 3 + day % 2})
    result = submit(world, shanghai(2026, 3, 8, 10), period="2026-03-08",
                    values={**DAILY, "t_patrols": 90})
    assert "差异较大" in result.warnings["t_patrols"]
    assert result.submission.status == Status.SUBMITTED
    # The submission keeps the figures, not a sentence, so each reader gets their language.
    from django.utils import translation

    from chuangjian.reporting.values import outlier_text

    facts = result.submission.warnings["t_patrols"]
    assert facts == {"n": "7", "mean": "3.571", "value": "90"}
    with translation.override("en"):
        assert outlier_text(facts) == ("Far from this unit’s earlier figures (average of the "
                                       "last 7 periods 3.571, this period 90); please check")


def test_the_peers_of_a_figure_are_the_units_beside_it_not_their_cousins(
        world: World, standards: object) -> None:
    from chuangjian.org.levels import Level

    siblings = [world.community2, *(org_actions.create_unit(
        actor=None, scope=Scope.system(), code=f"T-01-A-0{n}", name=f"第{n}社区",
        level=Level.COMMUNITY, parent=world.area, category="城镇", opened_on=dt.date(2020, 1, 1))
        for n in (3, 4, 5))]
    for n, sibling in enumerate(siblings):
        submit(world, shanghai(2026, 3, 16, 10), unit=sibling, user=world.superuser,
               values={**DAILY, "t_patrols": 2 + n})
    # A cousin under another street, filing huge figures, is not a peer.
    submit(world, shanghai(2026, 3, 16, 10), unit=world.other_community, user=world.superuser,
           values={**DAILY, "t_patrols": 5000})
    result = submit(world, shanghai(2026, 3, 16, 11), values={**DAILY, "t_patrols": 60})
    assert result.submission.warnings["t_patrols"] == {
        "value": "60", "peers": "4", "low": "2", "high": "5"}


def test_a_draft_keeps_what_was_typed_even_when_invalid(world: World, standards: object,
                                                        noon: dt.datetime) -> None:
    sub, errors = actions.save_draft(actor=world.community_worker, unit=world.community,
                                     dataset_code="community-day", period="2026-03-16",
                                     values={"t_patrols": "abc", "t_found": "2"}, now=noon, scope=Scope.for_user(world.community_worker))
    assert sub.draft == {"t_patrols": "abc", "t_found": "2"} and sub.status == Status.DRAFT
    assert "不是数字" in errors["t_patrols"]
    assert not DataValue.objects.exists()


def test_rollups_follow_every_submission_and_verify_equal(world: World, standards: object) -> None:
    for day, patrols in ((1, 3), (2, 5), (3, 4)):
        submit(world, shanghai(2026, 3, day, 10), period=f"2026-03-0{day}",
               values={**DAILY, "t_patrols": patrols})
    submit(world, shanghai(2026, 3, 3, 11), period="2026-03-02", values={"t_patrols": 1})
    from chuangjian.reporting.models import Rollup

    month = Rollup.objects.get(unit=world.community, element__code="t_patrols", period="2026-03")
    assert (month.total, month.count, month.maximum, month.last_value, month.last_period) == (
        8, 3, 4, 4, "2026-03-03")
    assert Rollup.objects.filter(element__code="t_patrols").values_list(
        "period", flat=True).count() == 3  # month, quarter, year
    assert rollups.verify() == []


def _statements(world: World, at: dt.datetime, period: str, values: dict) -> dict[str, int]:
    """Run one submission; how many SQL statements it sent to each reporting table."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as asked:
        submit(world, at, period=period, values=values)
    tables = ("reporting_datavalue", "reporting_valuechange", "reporting_rollup")
    return {t: sum(f'"{t}"' in q["sql"] for q in asked.captured_queries) for t in tables}


def test_a_report_writes_its_values_trail_and_rollups_in_a_few_statements(
        world: World, standards: object) -> None:
    # Whatever the number of figures, filed first or corrected: the values read once
    # (and twice more for the outlier check), then inserted at once or updated at once;
    # the trail inserted at once; the month, quarter and year rollups of every element
    # read (locked) at once, then inserted at once or updated at once. Never a
    # statement per value.
    at = shanghai(2026, 3, 16, 12)
    first = _statements(world, at, "2026-03-16", DAILY)
    assert first == {"reporting_datavalue": 4, "reporting_valuechange": 1, "reporting_rollup": 2}
    one = _statements(world, at, "2026-03-16", {**DAILY, "t_patrols": 9})
    three = _statements(world, at, "2026-03-16", {**DAILY, "t_patrols": 10, "t_found": 3,
                                                 "t_fixed": 2})
    assert one == three == first
    assert ValueChange.objects.count() == 4 + 1 + 3
    month = Rollup.objects.get(unit=world.community, element__code="t_patrols", period="2026-03")
    assert (month.total, month.count, month.maximum, month.last_period) == (10, 1, 10, "2026-03-16")
    # Only a figure that lowers a maximum has the month's, quarter's and year's maximum
    # read again from the values (one read each).
    lowered = _statements(world, at, "2026-03-16", {**DAILY, "t_patrols": 8, "t_found": 3,
                                                   "t_fixed": 2})
    assert lowered == {**first, "reporting_datavalue": 4 + 3}
    month.refresh_from_db()
    assert (month.total, month.count, month.maximum) == (8, 1, 8)
    assert rollups.verify() == []


def test_a_rollup_row_another_report_created_first_gets_this_reports_figures_too(
        world: World, standards: object, monkeypatch: pytest.MonkeyPatch) -> None:
    # Two reports of one unit for days of one month, at once: both find no month row and
    # both insert it. The loser's insert fails on the unique key; its figures are then
    # added to the winner's row, and nothing is counted twice or lost.
    submit(world, shanghai(2026, 3, 16, 12), period="2026-03-16")
    real = rollups._locked_rows
    calls: list[object] = []

    def first_finds_none(*args: object) -> dict:
        calls.append(args)
        return {} if len(calls) == 1 else real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(rollups, "_locked_rows", first_finds_none)
    submit(world, shanghai(2026, 3, 17, 12), period="2026-03-17", values={**DAILY, "t_patrols": 5})
    assert len(calls) == 2
    month = Rollup.objects.get(unit=world.community, element__code="t_patrols", period="2026-03")
    assert (month.total, month.count, month.maximum, month.last_value) == (8, 2, 5, 5)
    assert rollups.verify() == []


def test_a_stored_rule_that_no_longer_parses_refuses_the_report_and_names_the_rule(
        world: World, standards: object, noon: dt.datetime) -> None:
    from chuangjian.reporting import datasets
    from chuangjian.standards.models import ValidationRule

    rule = ValidationRule.objects.get(message="整改问题数不能多于发现问题数")
    # A rule is never skipped: one whose stored text no longer parses refuses every report.
    ValidationRule.objects.filter(pk=rule.pk).update(expression="t_fixed <= (t_found")
    datasets._catalog = None  # a process started after the edit
    with pytest.raises(actions.ReportInvalid) as info:
        submit(world, noon)
    assert any(f"校验规则「{rule.code}」无法解析" in g and "重新载入" in g
               for g in info.value.general), info.value.general
    assert not DataValue.objects.exists() and not Submission.objects.exists()
    datasets._catalog = None


def test_an_outlier_must_be_out_of_line_with_both_its_history_and_its_peers() -> None:
    from decimal import Decimal as D

    from chuangjian.reporting.values import outlier_facts, outlier_text

    history = [D(n) for n in (3, 4, 3, 4, 3)]
    peers = [D(n) for n in (2, 9, 14, 6)]
    # Far from its own history but like its peers (a unit catching up): no warning.
    assert outlier_facts(D(12), history, peers) is None
    # Like its history, whatever the peers: no warning.
    assert outlier_facts(D(4), history, [D(100)] * 4) is None
    # Out of line with both: flagged, with both yardsticks in the note.
    facts = outlier_facts(D(99_999_999_999), history, peers)
    assert facts == {"value": "99999999999", "n": "5", "mean": "3.4", "peers": "4",
                     "low": "2", "high": "14"}
    assert outlier_text(facts).endswith("；4 个同级单位为 2–14")
    # No history yet: the peers alone decide; fewer than four peers say nothing.
    assert outlier_facts(D(60), [], peers) == {"value": "60", "peers": "4", "low": "2",
                                               "high": "14"}
    assert "与同级单位差异较大" in outlier_text(outlier_facts(D(60), [], peers) or {})
    assert outlier_facts(D(60), [], peers[:3]) is None
    assert outlier_facts(D(30), [], peers) is None
