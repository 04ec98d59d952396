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
