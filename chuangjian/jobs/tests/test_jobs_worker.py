"""``chuangjian jobs_worker`` runs the queued jobs as ``db_worker`` does, and looks for one
without taking the database's write lock while none is ready."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from chuangjian.jobs.management.commands.jobs_worker import Worker

ran: list[str] = []


@task()
def note(text: str) -> None:
    ran.append(text)


@pytest.fixture
def queue(settings: Any) -> None:
    """The product's queue: jobs stored in the database for a worker to take."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    ran.clear()


def _worker() -> Worker:
    return Worker(queue_names=["default"], interval=0, batch=True, backend_name="default",
                  startup_delay=False, max_tasks=None, worker_id="w1",
                  excluded_queue_names=[])


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_every_ready_job_and_leaves_the_later_one(queue: None) -> None:
    note.enqueue("甲")
    note.enqueue("乙")
    later = note.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue("丙")
    call_command("jobs_worker", "--batch", "--no-startup-delay", "--interval", "0",
                 "--no-reload", verbosity=0)
    assert sorted(ran) == ["乙", "甲"]
    assert DBTaskResult.objects.get(pk=later.id).status == "READY"
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2


@pytest.mark.django_db(transaction=True)
def test_looking_while_nothing_is_ready_takes_no_lock_and_writes_nothing(queue: None) -> None:
    note.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue("丙")
    with CaptureQueriesContext(connection) as looked:
        claimed, could_look = _worker().claim()
    assert claimed is None and could_look
    statements = [q["sql"].split()[0].upper() for q in looked.captured_queries]
    assert statements == ["SELECT"]  # no BEGIN, no FOR UPDATE, no UPDATE

    job = note.enqueue("丁")
    claimed, could_look = _worker().claim()
    assert claimed is not None and str(claimed.pk) == job.id and could_look
    assert DBTaskResult.objects.get(pk=job.id).status == "RUNNING"


errands: list[str] = []
served: list[list[str]] = []  # the queues each call of ``tidy`` was told


def tidy(*, queues: list[str]) -> None:
    errands.append("tidy")
    served.append(queues)


def broken(*, queues: list[str]) -> None:
    errands.append("broken")
    raise RuntimeError("磁盘已满")


@pytest.mark.django_db
def test_while_idle_the_worker_runs_its_errands_and_leaves_a_failing_one_alone_a_while(
        settings: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from chuangjian.jobs.management.commands import jobs_worker

    settings.JOBS_WORKER_IDLE = [f"{__name__}.broken", f"{__name__}.tidy"]
    errands.clear()
    served.clear()
    clock = [1000.0]
    monkeypatch.setattr(jobs_worker.time, "monotonic", lambda: clock[0])
    worker = _worker()
    worker.idle()
    assert errands == ["broken", "tidy"]  # the failure stops neither the worker nor the next
    assert "idle errand" in caplog.text and "磁盘已满" in caplog.text
    clock[0] += jobs_worker.IDLE_BACKOFF - 1
    worker.idle()
    assert errands == ["broken", "tidy", "tidy"]
    clock[0] += 2
    worker.idle()
    assert errands == ["broken", "tidy", "tidy", "broken", "tidy"]
    assert served[0] == ["default"]  # each errand is told the queues the worker serves
    every = Worker(queue_names=["*"], interval=0, batch=True, backend_name="default",
                   startup_delay=False, max_tasks=None, worker_id="w2",
                   excluded_queue_names=[])
    every.idle()
    assert served[-1] == ["*"]
