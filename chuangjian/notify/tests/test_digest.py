"""The daily digest: exactly what the inbox shows as overdue or due today, once a day per
channel, by e-mail (locmem) and to 企业微信 / 钉钉 group robots (a local HTTP server)."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from chuangjian.engine.periods import SHANGHAI
from chuangjian.notify.digest import digest_for, send_digests
from chuangjian.notify.models import Delivery
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader
from chuangjian.tasks import actions
from chuangjian.web.inbox import collect

NOW = dt.datetime(2026, 3, 16, 8, 0, tzinfo=SHANGHAI)  # a Monday morning


class Robot:
    """A group robot on 127.0.0.1: records each JSON body; answers as told."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.status = 200
        self.delay = 0.0
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                robot.bodies.append(json.loads(self.rfile.read(length)))
                time.sleep(robot.delay)
                try:
                    self.send_response(robot.status)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')
                except BrokenPipeError:
                    pass  # the client gave up (the time-out test)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/send?key=test"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def robot() -> Iterator[Robot]:
    r = Robot()
    yield r
    r.close()


@pytest.fixture
def owing(world: World) -> World:
    """The worker owes: a task overdue since last week, one due today, one next month;
    and the community's reports (the 16:00 daily report among them)."""
    standards_actions.load_standards(actor=None, scope=Scope.system(),
                                     result=loader.load_builtin().raise_for_errors())
    leader = Scope.for_user(world.street_leader)
    for title, start, deadline in (("清理楼道堆物", dt.date(2026, 3, 2), dt.date(2026, 3, 10)),
                                   ("更新宣传栏", dt.date(2026, 3, 9), dt.date(2026, 3, 16)),
                                   ("季度自查", dt.date(2026, 3, 9), dt.date(2026, 4, 20))):
        actions.create_task(actor=world.street_leader, scope=leader, unit=world.community,
                            title=title, start=start, deadline=deadline,
                            direct_responsible=world.community_worker)
    world.community_worker.email = "xiaoyan@example.org"
    world.community_worker.phone = "13800000001"
    world.community_worker.save()
    return world


def test_the_digest_lists_exactly_the_inbox_items_overdue_or_due_today(owing: World) -> None:
    worker = owing.community_worker
    scope = Scope.for_user(worker)
    digest = digest_for(scope=scope, user=worker, now=NOW)
    box = collect(scope=scope, user=worker, now=NOW)
    expected = [i for i in [*box.red, *box.owe] if i.overdue or (
        i.due and timezone.localtime(i.due, SHANGHAI).date() == NOW.date())]
    assert digest.items == expected
    titles = [i.title for i in digest.items]
    assert "清理楼道堆物" in titles and "更新宣传栏" in titles and "季度自查" not in titles


def test_an_area_workers_digest_has_todays_16_00_report(owing: World) -> None:
    from chuangjian.org import actions as org_actions
    from chuangjian.org.models import Role

    clerk = org_actions.create_user_with_membership(
        actor=None, scope=Scope.system(), username="area_clerk", full_name="管区文书",
        password=None, unit=owing.area, role=Role.WORKER)
    digest = digest_for(scope=Scope.for_user(clerk), user=clerk, now=NOW)
    assert any(i.kind == "数据上报" and i.due is not None
               and timezone.localtime(i.due, SHANGHAI).strftime("%m-%d %H:%M") == "03-16 16:00"
               for i in digest.due_today)


def test_one_email_a_day_and_the_overdue_task_again_tomorrow(owing: World, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_EMAIL = True
    worker = [owing.community_worker]
    send_digests(scope=Scope.system(), now=NOW, users=worker)
    send_digests(scope=Scope.system(), now=NOW + dt.timedelta(hours=2), users=worker)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["xiaoyan@example.org"]
    assert "清理楼道堆物" in mail.outbox[0].body
    send_digests(scope=Scope.system(), now=NOW + dt.timedelta(days=1), users=worker)
    assert len(mail.outbox) == 2 and "清理楼道堆物" in mail.outbox[1].body


def test_the_robots_receive_the_digest_as_markdown(owing: World, robot: Robot, settings: Any
                                                   ) -> None:
    settings.NOTIFY_WECOM_WEBHOOK = robot.url
    settings.NOTIFY_DINGTALK_WEBHOOK = robot.url
    results = send_digests(scope=Scope.system(), now=NOW, users=[owing.community_worker])
    assert [r.status for r in results] == ["sent", "sent"]
    wecom, dingtalk = robot.bodies
    assert wecom["msgtype"] == "markdown"
    assert wecom["markdown"]["content"].startswith("### 每日提醒 · 张小燕")
    overdue = len(digest_for(scope=Scope.for_user(owing.community_worker),
                             user=owing.community_worker, now=NOW).overdue)
    assert f"**已逾期 {overdue} 项**" in wecom["markdown"]["content"]
    assert "[清理楼道堆物](http://127.0.0.1:8000/tasks/" in wecom["markdown"]["content"]
    assert dingtalk["msgtype"] == "markdown" and dingtalk["markdown"]["title"].startswith("每日提醒")
    assert dingtalk["at"] == {"isAtAll": False, "atMobiles": ["13800000001"]}
    assert dingtalk["markdown"]["text"].endswith("@13800000001")


def test_a_robot_answering_500_is_retried_then_recorded_and_retried_next_run(
        owing: World, robot: Robot, settings: Any) -> None:
    settings.NOTIFY_WECOM_WEBHOOK = robot.url
    settings.NOTIFY_WEBHOOK_RETRIES = 2
    settings.NOTIFY_WEBHOOK_BACKOFF = 0
    robot.status = 500
    [result] = send_digests(scope=Scope.system(), now=NOW, users=[owing.community_worker])
    assert result.status == "failed" and result.error == "HTTP 500"
    assert len(robot.bodies) == 3
    row = Delivery.objects.get()
    assert (row.status, row.attempts) == ("failed", 3)
    robot.status = 200
    [again] = send_digests(scope=Scope.system(), now=NOW + dt.timedelta(hours=1),
                           users=[owing.community_worker])
    assert again.status == "sent"
    assert Delivery.objects.get().status == "sent"


def test_a_robot_that_times_out_is_recorded_without_hanging(owing: World, robot: Robot,
                                                            settings: Any) -> None:
    settings.NOTIFY_DINGTALK_WEBHOOK = robot.url
    settings.NOTIFY_WEBHOOK_TIMEOUT = 0.2
    settings.NOTIFY_WEBHOOK_RETRIES = 1
    settings.NOTIFY_WEBHOOK_BACKOFF = 0
    robot.delay = 5.0  # a robot that never answers in time: the timeout, not the robot, ends it
    started = time.monotonic()
    [result] = send_digests(scope=Scope.system(), now=NOW, users=[owing.community_worker])
    assert time.monotonic() - started < robot.delay / 2
    assert result.status == "failed" and "连接失败" in result.error


def test_the_dry_run_sends_and_records_nothing(owing: World, settings: Any, capsys: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.NOTIFY_EMAIL = True
    call_command("notify", "digest", "--dry-run", "--now", "2026-03-16T08:00")
    out = capsys.readouterr().out
    assert "张小燕（community_worker）" in out and "将发送" in out
    assert mail.outbox == [] and not Delivery.objects.exists()
