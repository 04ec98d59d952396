"""The queue task that brings results up to date after their sources changed."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_results() -> None:
    """Named by ``SOURCES_REFRESH_TASK``; queued by ``sources.request_refresh`` after
    commit. Refreshes while reports keep coming, up to ``SOURCES_REFRESH_DRAIN`` seconds."""
    from chuangjian.assessment.freshness import refresh_until_quiet
    from chuangjian.org.scope import Scope

    refresh_until_quiet(scope=Scope.system())


def keep_figures_warm(*, queues: list[str]) -> None:
    """Named in ``JOBS_WORKER_IDLE``: while a queue worker that takes the refresh job
    (``SOURCES_REFRESH_QUEUE``) has nothing to run, it reads ahead the units' own figures
    its refreshes will read (decision 0050). Workers of other queues never refresh."""
    from django.conf import settings

    from chuangjian.assessment.freshness import keep_figures_warm as keep
    from chuangjian.org.scope import Scope

    if "*" in queues or settings.SOURCES_REFRESH_QUEUE in queues:
        keep(scope=Scope.system())
