"""A job is run by one worker only, and a job whose worker died does not stay 「进行中」
forever: it is marked failed once its heartbeat stops, and can be retried."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from chuangjian.audit.models import AuditEntry
from chuangjian.jobs import tasks
from chuangjian.jobs.actions import fail_stale_jobs, start_job
from chuangjian.jobs.models import Job, JobStatus
from chuangjian.jobs.tests.test_jobs import echo  # noqa: F401 - registers tests.echo
from chuangjian.org.scope import Scope


def queued(world, **params) -> Job:
    return start_job(kind_code="tests.echo", params={"text": "x", **params},
                     user=world.street_leader, scope=Scope.system())


def killed(world, minutes: int = 10) -> Job:
    """A job left running by a worker that was killed ``minutes`` ago."""
    job = queued(world)
    long_ago = timezone.now() - dt.timedelta(minutes=minutes)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, started_at=long_ago,
                                         heartbeat_at=long_ago, progress=30)
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_a_job_is_claimed_once_even_if_two_workers_pick_it_up(world) -> None:
    job = queued(world)
    first, second = tasks.claim(job.pk), tasks.claim(job.pk)
    assert first is not None and first.status == JobStatus.RUNNING
    assert first.heartbeat_at is not None
    assert second is None


@pytest.mark.django_db
def test_a_job_taken_between_read_and_write_is_not_run_again(world, monkeypatch) -> None:
    # The other worker's claim lands just before ours: ours must change nothing.
    job = queued(world)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING and job.progress == 0


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_shown_as_failed_with_a_retry_button(
        client, world, django_capture_on_commit_callbacks) -> None:
    job = killed(world)
    client.force_login(world.street_leader)
    html = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "后台进程已中断" in html and "进行中" not in html
    assert reverse("jobs:retry", args=[job.pk]) in html
    assert AuditEntry.objects.filter(action="jobs.job.abandoned").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("jobs:retry", args=[job.pk]))
    again = Job.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[again.pk])
    assert again.retry_of == job and again.params == job.params
    assert again.status == JobStatus.DONE and again.file.read() == b"x"


@pytest.mark.django_db
def test_a_slow_job_that_still_beats_is_left_running(client, world) -> None:
    job = killed(world)
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
    client.force_login(world.street_leader)
    client.get(reverse("jobs:detail", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_the_system_sweep_fails_every_dead_job_and_nobody_else_may_sweep(world) -> None:
    dead, alive = killed(world), killed(world, minutes=0)
    assert fail_stale_jobs(actor=None, scope=Scope.system()) == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, alive.status) == (JobStatus.FAILED, JobStatus.RUNNING)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        fail_stale_jobs(actor=world.outsider, scope=Scope.for_user(world.outsider),
                        job=killed(world))


@pytest.mark.django_db
def test_the_jobs_list_shows_a_dead_job_as_failed_without_opening_it(client, world) -> None:
    mine = killed(world)
    theirs = start_job(kind_code="tests.echo", params={"text": "y"}, user=world.outsider,
                       scope=Scope.system())
    long_ago = timezone.now() - dt.timedelta(minutes=10)
    Job.objects.filter(pk=theirs.pk).update(status=JobStatus.RUNNING, started_at=long_ago,
                                            heartbeat_at=long_ago)
    client.force_login(world.street_leader)
    html = client.get(reverse("jobs:index")).content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == JobStatus.FAILED
    assert 'data-status="failed"' in html and "后台进程已中断" in html and "进行中" not in html
    # Another person's list is theirs to sweep (or the worker's): the page leaves it alone.
    assert theirs.status == JobStatus.RUNNING


@pytest.mark.django_db
def test_the_worker_fails_dead_jobs_before_it_takes_the_next_one(world) -> None:
    dead = killed(world)
    fresh = queued(world)
    tasks.run_job.call(fresh.pk)
    dead.refresh_from_db()
    fresh.refresh_from_db()
    assert dead.status == JobStatus.FAILED and fresh.status == JobStatus.DONE


@pytest.mark.django_db
def test_sweep_jobs_from_cron_fails_every_dead_job(world) -> None:
    from io import StringIO

    from django.core.management import call_command

    dead, alive = killed(world), killed(world, minutes=0)
    out = StringIO()
    call_command("sweep_jobs", stdout=out)
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, alive.status) == (JobStatus.FAILED, JobStatus.RUNNING)
    assert "1 个" in out.getvalue()


@pytest.mark.django_db
def test_only_a_failed_job_of_ones_own_can_be_retried(client, world) -> None:
    job = killed(world)
    client.force_login(world.street_leader)
    client.post(reverse("jobs:retry", args=[job.pk]))  # still running: refused
    assert Job.objects.count() == 1
    client.force_login(world.outsider)
    assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_running_job_beats_from_a_side_thread(world) -> None:
    job = killed(world)
    before = job.heartbeat_at
    assert before is not None
    assert _beaten(job) > before + dt.timedelta(minutes=9)


@pytest.mark.django_db(transaction=True)
def test_a_missed_beat_does_not_stop_the_heartbeat(world, monkeypatch) -> None:
    """A beat that meets a locked table or a dropped connection is only missed: the
    next one lands, so the sweep does not take a live job for a dead one."""
    from django.db import OperationalError

    job = killed(world)
    before = job.heartbeat_at
    real_touch, calls = tasks.touch, []

    def touch(job_id: int) -> None:
        calls.append(job_id)
        if len(calls) == 1:
            raise OperationalError("database table is locked: jobs_job")
        real_touch(job_id)

    monkeypatch.setattr(tasks, "touch", touch)
    assert before is not None
    assert _beaten(job) > before + dt.timedelta(minutes=9)
    assert len(calls) >= 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_run_the_job_once(world) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("SQLite begins every write with BEGIN IMMEDIATE: writers never overlap")
    # Made directly: start_job would run it at once here (immediate backend, autocommit).
    job = Job.objects.create(kind="tests.echo", title="回声", params={"text": "x"},
                             user=world.street_leader)
    barrier = threading.Barrier(2, timeout=10)
    claimed: list[bool] = []

    def work() -> None:
        try:
            barrier.wait()
            claimed.append(tasks.claim(job.pk) is not None)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(claimed) == [False, True]


def _beaten(job: Job) -> dt.datetime:
    """``job``'s heartbeat once a side thread beating every 50 ms has moved it."""
    before = job.heartbeat_at
    with tasks.Heartbeat(job.pk, 0.05):
        # Wait for a beat rather than a fixed time: a busy machine may start the thread late.
        for _ in range(400):
            time.sleep(0.05)
            job.refresh_from_db()
            if job.heartbeat_at != before:
                break
    assert job.heartbeat_at is not None
    return job.heartbeat_at
