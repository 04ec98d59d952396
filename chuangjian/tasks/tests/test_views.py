"""The pages: 我的任务, a plan with every target's responsible person and progress (overdue
in red), a task with its buttons, a meeting whose decisions become tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.tasks import actions
from chuangjian.tasks.models import MeetingKind, Plan, Task, TaskState


def _past_task(world: World, plan: Plan) -> Task:
    """A task of the plan's first target that fell due last week (overdue now)."""
    today = timezone.localdate()
    return actions.create_task(actor=world.street_leader, scope=Scope.for_user(world.street_leader),
                               unit=world.community, title="逾期的目标任务",
                               start=today - dt.timedelta(days=30),
                               deadline=today - dt.timedelta(days=7), item=plan.items.first(),
                               direct_responsible=world.community_worker)


def test_a_street_leader_sees_every_target_with_its_person_and_the_overdue_in_red(
        world: World, plan: Plan, django_assert_max_num_queries: object) -> None:
    _past_task(world, plan)
    client = world.client_for(world.street_leader)
    with django_assert_max_num_queries(25):  # type: ignore[operator]
        response = client.get(reverse("tasks:plan", args=[plan.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('<tr class="overdue">') == 1
    assert body.count('<tr class="unassigned">') == plan.items.count() - 1
    assert "张小燕" in body and "plan-timeline-data" in body
    assert "fonts.googleapis" not in body and "cdn" not in body.lower()


def test_my_tasks_lists_the_overdue_first(world: World, plan: Plan) -> None:
    task = _past_task(world, plan)
    body = world.client_for(world.community_worker).get(reverse("tasks:mine")).content.decode()
    assert "已逾期" in body and task.title in body


def test_the_worker_reports_progress_and_hands_in_from_the_task_page(world: World,
                                                                      plan: Plan) -> None:
    task = _past_task(world, plan)
    client = world.client_for(world.community_worker)
    page = client.get(reverse("tasks:task", args=[task.pk])).content.decode()
    assert "记录进展" in page and "核验通过" not in page
    client.post(reverse("tasks:task_action", args=[task.pk, "progress"]),
                {"progress": "50", "note": "过半", "version": task.version})
    task.refresh_from_db()
    assert task.progress == 50
    client.post(reverse("tasks:task_action", args=[task.pk, "done"]),
                {"note": "完成", "version": task.version})
    task.refresh_from_db()
    assert task.state == TaskState.DONE
    leader_page = world.client_for(world.street_leader).get(reverse("tasks:task", args=[task.pk]))
    assert "核验通过" in leader_page.content.decode()


def test_a_bad_progress_is_refused_with_a_message(world: World, plan: Plan) -> None:
    task = _past_task(world, plan)
    client = world.client_for(world.community_worker)
    response = client.post(reverse("tasks:task_action", args=[task.pk, "progress"]),
                           {"progress": "abc"}, follow=True)
    assert "请填写进度" in response.content.decode()
    task.refresh_from_db()
    assert task.progress == 0


@pytest.mark.parametrize("name", ["tasks:mine", "tasks:plans", "tasks:meetings", "tasks:task_new",
                                  "notify:list"])
def test_the_list_pages_open(world: World, plan: Plan, name: str) -> None:
    assert world.client_for(world.street_leader).get(reverse(name)).status_code == 200


def test_a_decision_becomes_a_task_from_the_meeting_page(world: World, plan: Plan) -> None:
    scope = Scope.for_user(world.community_worker)
    meeting = actions.schedule_meeting(actor=world.community_worker, scope=scope,
                                       unit=world.community, kind=MeetingKind.SPECIAL,
                                       title="六乱整治专题会", day=timezone.localdate(),
                                       place="会议室", agenda="部署")
    client = world.client_for(world.community_worker)
    client.post(reverse("tasks:meeting", args=[meeting.pk]),
                {"attended": [world.community_worker.pk], "minutes": "纪要",
                 "decisions": "清理乱堆乱放\n更新宣传栏"})
    decision = meeting.decision_rows.first()
    assert decision is not None and meeting.decision_rows.count() == 2
    response = client.post(reverse("tasks:decision_task", args=[decision.pk]),
                           {"unit": world.community.pk,
                            "direct_responsible": world.community_worker.pk, "working_days": 3})
    task = Task.objects.get(decision=decision)
    assert response.status_code == 302 and response["Location"].endswith(f"/tasks/{task.pk}/")


def test_the_bell_shows_the_unread_count_and_mark_read_clears_it(world: World, plan: Plan) -> None:
    _past_task(world, plan)
    client = world.client_for(world.community_worker)
    assert ">1<" in client.get(reverse("notify:badge")).content.decode()
    client.post(reverse("notify:read_all"))
    assert "badge" not in client.get(reverse("notify:badge")).content.decode()


def test_an_inspection_finding_becomes_a_task_from_its_order(world: World, plan: Plan) -> None:
    from chuangjian.inspections.actions.findings import create_finding
    from chuangjian.standards.models import ProblemCategory

    finding = create_finding(actor=world.inspector, scope=Scope.for_user(world.inspector),
                             unit=world.community, description="楼道堆放杂物",
                             category=ProblemCategory.objects.filter(code="disorderly_parking").first(),
                             photos=[_jpeg()], dispatch=True)[0]
    leader = world.client_for(world.street_leader)
    order_page = leader.get(reverse("inspections:order", args=[finding.order.pk])).content.decode()
    assert f"/tasks/new/?finding={finding.pk}" in order_page
    form = leader.get(reverse("tasks:task_new") + f"?finding={finding.pk}").content.decode()
    assert "楼道堆放杂物" in form
    leader.post(reverse("tasks:task_new"), {
        "finding": finding.pk, "title": "清理楼道", "unit": world.community.pk,
        "direct_responsible": world.community_worker.pk, "start": timezone.localdate(),
        "working_days": 3, "priority": 1})
    task = Task.objects.get(finding=finding)
    assert task.origin == "finding" and task.direct_responsible == world.community_worker
    outsider = world.client_for(world.outsider)
    assert outsider.get(reverse("tasks:task_new") + f"?finding={finding.pk}").status_code == 404


def _jpeg() -> object:
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(out, "JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")
