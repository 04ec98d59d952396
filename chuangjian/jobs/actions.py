"""Starting, retrying and giving up on long jobs. The work itself runs in the queue
(see tasks.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from chuangjian.audit.log import log_action
from chuangjian.jobs.models import Job, JobStatus
from chuangjian.jobs.registry import kind
from chuangjian.org.scope import Scope


def start_job(*, kind_code: str, params: Mapping[str, Any], user: Any, scope: Scope,
              title: str = "") -> Job:
    """Record a job and queue it once the surrounding transaction commits.

    ``params`` must be JSON; the job runs in the caller's language. A job is started by
    the scope's own user (or by the operator): nobody queues work in another's name.
    """
    if not scope.is_global and (scope.user_id is None or scope.user_id != getattr(user, "pk", None)):
        raise PermissionDenied
    from chuangjian.jobs.tasks import run_job

    registered = kind(kind_code)
    job = Job.objects.create(
        kind=kind_code,
        title=(title or str(registered.title))[:200],
        params={**params, "language": params.get("language") or get_language() or "zh-hans"},
        user=user if getattr(user, "is_authenticated", False) else None,
    )
    transaction.on_commit(lambda: run_job.enqueue(job.pk))
    return job


def stale_after() -> dt.timedelta:
    """How long a running job may go without a heartbeat before its worker counts as dead."""
    return dt.timedelta(seconds=settings.JOBS_STALE_AFTER_SECONDS)


def is_stale(job: Job, now: dt.datetime | None = None) -> bool:
    if job.status != JobStatus.RUNNING:
        return False
    last = job.heartbeat_at or job.started_at or job.created_at
    return last < (now or timezone.now()) - stale_after()


@transaction.atomic
def fail_stale_jobs(*, actor: Any, scope: Scope, now: dt.datetime | None = None,
                    job: Job | None = None) -> int:
    """Mark running jobs whose worker stopped beating (killed, machine restarted) as
    failed, so the page stops saying 「进行中」 and offers a retry. Returns how many.

    With the system scope and no ``job``, every running job is checked (the worker does
    this before each job it takes, and ``chuangjian sweep_jobs`` from cron). Anyone else
    checks only their own jobs: all of them (the /jobs/ list) or the one ``job``.
    """
    own = getattr(actor, "pk", None)
    if not scope.is_global and (scope.user_id is None or scope.user_id != own
                                or (job is not None and job.user_id != own)):
        raise PermissionDenied(_("无权处理他人的后台任务"))
    now = now or timezone.now()
    running = Job.objects.select_for_update().filter(status=JobStatus.RUNNING)
    if not scope.is_global and scope.user_id is not None:
        running = running.filter(user_id=scope.user_id)
    if job is not None:
        running = running.filter(pk=job.pk)
    # Only the rows that are late are locked and read: most running jobs are beating.
    running = running.filter(
        Q(heartbeat_at__lt=now - stale_after())
        | Q(heartbeat_at__isnull=True, started_at__lt=now - stale_after())
        | Q(heartbeat_at__isnull=True, started_at__isnull=True,
            created_at__lt=now - stale_after()))
    dead = [j for j in running if is_stale(j, now)]
    for j in dead:
        j.status, j.finished_at = JobStatus.FAILED, now
        j.message = _("后台进程已中断，任务未完成；请点击“重试”重新生成。")
        j.save(update_fields=["status", "finished_at", "message"])
        log_action(action="jobs.job.abandoned", actor=actor, obj=j,
                   data={"kind": j.kind, "title": j.title})
    return len(dead)


@transaction.atomic
def retry_job(*, actor: Any, scope: Scope, job: Job) -> Job:
    """Queue a failed job again with the same parameters (a new job, the old one kept)."""
    if not scope.is_global and job.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只能重试自己的后台任务"))
    if job.status != JobStatus.FAILED:
        raise ValidationError(_("只有失败的任务可以重试"))
    again = start_job(kind_code=job.kind, params=job.params, user=job.user, title=job.title,
                      scope=scope)
    again.retry_of = job
    again.save(update_fields=["retry_of"])
    log_action(action="jobs.job.retried", actor=actor, obj=again,
               data={"kind": job.kind, "title": job.title, "retry_of": job.pk})
    return again
