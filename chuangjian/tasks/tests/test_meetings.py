"""Meetings: held once as an evidence activity; decisions become tasks in one step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chuangjian.evidence.models import Activity
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.tasks import actions
from chuangjian.tasks.models import Meeting, MeetingKind, Origin


def _meeting(world: World) -> Meeting:
    return actions.schedule_meeting(actor=world.community_worker,
                                    scope=Scope.for_user(world.community_worker),
                                    unit=world.community, kind=MeetingKind.REGULAR,
                                    title="创建工作例会", day=dt.date(2026, 3, 2), place="社区会议室",
                                    agenda="一、通报进度\n二、部署六乱整治",
                                    invitees=[world.community_worker, world.street_leader])


def test_a_held_meeting_is_one_activity_of_the_evidence_app(world: World) -> None:
    meeting = _meeting(world)
    activity = actions.hold_meeting(actor=world.community_worker,
                                    scope=Scope.for_user(world.community_worker), meeting=meeting,
                                    attended=[world.community_worker], others="楼组长3人",
                                    minutes="会议通报了本月进度。",
                                    decisions=["清理楼道堆物", "", "更新宣传栏"])
    assert Activity.objects.count() == 1
    assert activity.type.code == "regular_meeting" and activity.type.is_meeting
    assert activity.attendance == "张小燕、楼组长3人"
    assert activity.decisions == "1. 清理楼道堆物\n2. 更新宣传栏"
    assert [d.text for d in meeting.decision_rows.all()] == ["清理楼道堆物", "更新宣传栏"]
    with pytest.raises(ValidationError, match="已经记录过"):
        actions.hold_meeting(actor=world.community_worker,
                             scope=Scope.for_user(world.community_worker), meeting=meeting,
                             attended=[world.community_worker], minutes="again", decisions=[])


def test_a_decision_becomes_a_task_in_one_step_and_only_once(world: World) -> None:
    meeting = _meeting(world)
    scope = Scope.for_user(world.community_worker)
    actions.hold_meeting(actor=world.community_worker, scope=scope, meeting=meeting,
                         attended=[world.community_worker], minutes="纪要", decisions=["清理楼道堆物"])
    decision = meeting.decision_rows.get()
    task = actions.decision_to_task(actor=world.community_worker, scope=scope, decision=decision,
                                    unit=world.community, start=dt.date(2026, 3, 2),
                                    working_days=5, direct_responsible=world.community_worker)
    assert task.origin == Origin.DECISION and task.title == "清理楼道堆物"
    assert task.decision == decision
    with pytest.raises(ValidationError, match="已经转为任务"):
        actions.decision_to_task(actor=world.community_worker, scope=scope, decision=decision,
                                 unit=world.community, start=dt.date(2026, 3, 2), working_days=5)


def test_a_meeting_without_minutes_writes_nothing(world: World) -> None:
    meeting = _meeting(world)
    with pytest.raises(ValidationError) as caught:
        actions.hold_meeting(actor=world.community_worker,
                             scope=Scope.for_user(world.community_worker), meeting=meeting,
                             attended=[], minutes=" ", decisions=["x"])
    assert set(caught.value.message_dict) == {"minutes", "attended"}
    assert Activity.objects.count() == 0 and not meeting.decision_rows.exists()
