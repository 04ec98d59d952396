"""A long job runs in the queue, saves its progress and its file, and only its owner sees it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from django.urls import reverse

from chuangjian.jobs.actions import start_job
from chuangjian.jobs.models import Job, JobStatus
from chuangjian.jobs.registry import JobError, JobOutput, Progress, job
from chuangjian.org.scope import Scope

seen: list[tuple[int, str]] = []


@job("tests.echo", title="回声")
def echo(params: Mapping[str, Any], progress: Progress) -> JobOutput:
    progress(40, "一半")
    seen.append((40, "一半"))
    if params.get("fail"):
        raise JobError("单位不在范围内")
    if params.get("crash"):
        raise ZeroDivisionError
    return JobOutput("结果.txt", params["text"].encode(), "text/plain")


pytestmark = pytest.mark.django_db


def test_a_job_runs_and_keeps_its_file(world, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        created = start_job(kind_code="tests.echo", params={"text": "你好"},
                            user=world.street_leader, scope=Scope.system())
    created.refresh_from_db()
    assert created.status == JobStatus.DONE
    assert created.progress == 100
    assert created.filename == "结果.txt"
    assert created.file.read() == "你好".encode()
    assert created.params["language"]


def test_a_job_error_is_shown_to_the_user_and_a_crash_is_not(world, django_capture_on_commit_callbacks
                                                             ) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        failed = start_job(kind_code="tests.echo", params={"fail": True}, user=world.street_leader, scope=Scope.system())
        crashed = start_job(kind_code="tests.echo", params={"crash": True},
                            user=world.street_leader, scope=Scope.system())
    failed.refresh_from_db()
    crashed.refresh_from_db()
    assert failed.status == crashed.status == JobStatus.FAILED
    assert failed.message == "单位不在范围内"
    assert "生成失败" in crashed.message
    assert "ZeroDivision" not in crashed.message


def test_an_unknown_job_is_refused_before_anything_is_stored(world) -> None:
    with pytest.raises(LookupError):
        start_job(kind_code="tests.nothing", params={}, user=world.street_leader, scope=Scope.system())
    assert not Job.objects.exists()


def test_only_the_owner_follows_and_downloads_a_job(client, world,
                                                    django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        done = start_job(kind_code="tests.echo", params={"text": "x"}, user=world.street_leader, scope=Scope.system())
    client.force_login(world.street_leader)
    page = client.get(reverse("jobs:detail", args=[done.pk]))
    assert page.status_code == 200
    assert "结果.txt" in page.content.decode()
    assert client.get(reverse("jobs:download", args=[done.pk])).status_code == 200
    client.force_login(world.outsider)
    assert client.get(reverse("jobs:detail", args=[done.pk])).status_code == 404
    assert client.get(reverse("jobs:download", args=[done.pk])).status_code == 404


def test_a_running_job_page_polls_until_it_is_finished(client, world) -> None:
    queued = start_job(kind_code="tests.echo", params={"text": "x"}, user=world.street_leader, scope=Scope.system())
    client.force_login(world.street_leader)
    html = client.get(reverse("jobs:detail", args=[queued.pk]), HTTP_HX_REQUEST="true"
                      ).content.decode()
    assert 'hx-trigger="every 1s"' in html
    assert "排队中" in html


def test_my_jobs_lists_only_my_own_with_their_state_and_download(
        client, world, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        done = start_job(kind_code="tests.echo", params={"text": "x"}, user=world.street_leader, scope=Scope.system())
        failed = start_job(kind_code="tests.echo", params={"fail": True}, user=world.street_leader, scope=Scope.system())
        start_job(kind_code="tests.echo", params={"text": "y"}, user=world.outsider, scope=Scope.system())
    client.force_login(world.street_leader)
    page = client.get(reverse("jobs:index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="list-group-item') == 2
    assert reverse("jobs:download", args=[done.pk]) in html
    assert reverse("jobs:download", args=[failed.pk]) not in html
    assert "单位不在范围内" in html  # a failed job says why
    assert "已完成" in html and "失败" in html


def test_my_jobs_is_empty_for_someone_who_started_none(client, world) -> None:
    client.force_login(world.community_worker)
    html = client.get(reverse("jobs:index")).content.decode()
    assert "您还没有提交过导出或台账" in html


def test_my_jobs_needs_a_login(client) -> None:
    response = client.get(reverse("jobs:index"))
    assert response.status_code == 302
