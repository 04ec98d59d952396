"""The one task the queue runs: execute a registered job and keep its row current."""

from __future__ import annotations

import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import override
from django_tasks import task

from chuangjian.jobs.models import Job, JobStatus
from chuangjian.jobs.registry import JobError, kind

log = logging.getLogger(__name__)


@task()
def run_job(job_id: int) -> None:
    job = Job.objects.get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return  # already taken by another worker, or cancelled
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
    job.save(update_fields=["status", "started_at"])

    def progress(percent: int, message: str | Promise = "") -> None:
        # Written outside any transaction so the polling page sees it at once.
        Job.objects.filter(pk=job_id).update(progress=max(0, min(100, int(percent))),
                                             message=str(message)[:500])

    language = job.params.get("language", "zh-hans")
    try:
        with override(language):
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
