"""The one task the queue runs: execute a registered job and keep its row current."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, connections, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from chuangjian.jobs.models import Job, JobStatus
from chuangjian.jobs.registry import JobError, kind

log = logging.getLogger(__name__)


def claim(job_id: int) -> Job | None:
    """Take a queued job for this worker, or ``None`` if another worker took it first.

    One conditional UPDATE: of two workers that pick up the same job at once, exactly
    one changes the row from queued to running (a read-then-save would let both run it).
    """
    now = timezone.now()
    taken = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now)
    return Job.objects.get(pk=job_id) if taken else None


class Heartbeat:
    """Touches the job's ``heartbeat_at`` from a side thread while the job runs, so a
    job that stops beating can be told from one that is only slow."""

    def __init__(self, job_id: int, interval: float) -> None:
        self.job_id, self.interval = job_id, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat",
                                        daemon=True)

    def __enter__(self) -> Heartbeat:
        if self.interval > 0:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=self.interval + 5)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    touch(self.job_id)
                except DatabaseError:
                    # One missed beat (a lock, a dropped connection) is not a dead worker:
                    # the sweep waits for many. Beat again next time, on a new connection.
                    log.warning("heartbeat of job %s missed a beat", self.job_id, exc_info=True)
                    connections.close_all()
        except Exception:
            log.exception("heartbeat of job %s stopped", self.job_id)
        finally:
            connections.close_all()


def touch(job_id: int) -> None:
    """One beat: the running job's ``heartbeat_at`` is now."""
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(heartbeat_at=timezone.now())


def sweep() -> None:
    """Mark jobs of dead workers failed; the worker does this before every job it takes,
    so a killed worker's job is failed as soon as any worker runs again."""
    from chuangjian.jobs.actions import fail_stale_jobs
    from chuangjian.org.scope import Scope

    try:
        fail_stale_jobs(actor=None, scope=Scope.system())
    except Exception:
        log.exception("sweeping stale jobs failed")


@task()
def run_job(job_id: int) -> None:
    sweep()
    job = claim(job_id)
    if job is None:
        return  # already taken by another worker, or cancelled

    def progress(percent: int, message: str | Promise = "") -> None:
        # Written outside any transaction so the polling page sees it at once.
        Job.objects.filter(pk=job_id).update(progress=max(0, min(100, int(percent))),
                                             message=str(message)[:500],
                                             heartbeat_at=timezone.now())

    language = job.params.get("language", "zh-hans")
    try:
        with override(language), Heartbeat(job_id, settings.JOBS_HEARTBEAT_SECONDS):
            output = kind(job.kind).run(job.params, progress)
    except JobError as error:
        _fail(job, str(error))
        return
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        with override(language):
            _fail(job, _("生成失败，请稍后重试；如仍失败请联系管理员。"))
        return
    with transaction.atomic():
        job.file.save(output.filename, ContentFile(output.content), save=False)
        job.filename = output.filename
        job.content_type = output.content_type
        job.status = JobStatus.DONE
        job.progress = 100
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "content_type", "status", "progress",
                                "finished_at"])


def _fail(job: Job, message: str) -> None:
    job.status = JobStatus.FAILED
    job.message = message[:500]
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])
