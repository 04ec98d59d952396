"""Starting a long job. The work itself runs in the queue (see tasks.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import get_language

from chuangjian.jobs.models import Job
from chuangjian.jobs.registry import kind


def start_job(*, kind_code: str, params: Mapping[str, Any], user: Any, title: str = "") -> Job:
    """Record a job and queue it once the surrounding transaction commits.

    ``params`` must be JSON; the job runs in the caller's language.
    """
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
