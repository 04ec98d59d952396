"""A submission marks the results stale in its own short transaction and touches no
result row; the refresh job queued after commit brings them up to date, exactly as a
full recomputation would, all runs in one transaction with a savepoint each (decisions
0033, 0044)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chuangjian import sources
from chuangjian.assessment import actions, selectors
from chuangjian.assessment.freshness import (
    Freshness,
    RefreshReport,
    freshness,
    refresh_stale,
    refresh_until_quiet,
)
from chuangjian.assessment.items import items_of
from chuangjian.assessment.models import AssessmentRun, UnitResult
from chuangjian.assessment.tests.conftest import Small
from chuangjian.org.scope import Scope
from chuangjian.sources.models import Change, Refresh

TODAY = dt.date(2027, 1, 5)


def _items(run_pk: int) -> dict[int, tuple[object, ...]]:
    out: dict[int, tuple[object, ...]] = {}
    for r in UnitResult.objects.filter(run_id=run_pk):
        items = {code: (round(d["v"], 6) if d["v"] is not None else None, d["m"], d["s"],
                        round(d["p"], 6) if d["p"] is not None else None)
                 for code, d in items_of(r).items()}
        out[r.unit_id] = (r.total if r.total is None else round(r.total, 6), r.passed, r.vetoed,
                          r.tier, r.rank, r.siblings, tuple(sorted(items.items())))
    return out


def refresh() -> RefreshReport:
    """What the queue worker does when the refresh job queued after commit runs."""
    report = refresh_stale(scope=Scope.system())
    assert not report.failed
    return report


def _refreshed_then_reported(small: Small) -> AssessmentRun:
    """A run brought up to date with 幸福里 at 30 of 50 done; then 幸福里 reports 50 of 50,
    which marks it stale (the stored rows stay as they were until a refresh)."""
    w = small.world
    small.report(w.community, t_done=30, t_total=50)
    run = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY,
                            scope=Scope.system())
    refresh()
    small.report(w.community, t_done=50, t_total=50)
    return run


def _queued(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The delays of the refresh jobs queued from now on (none reaches the queue)."""
    queued: list[float] = []
    monkeypatch.setattr(sources, "enqueue_refresh", lambda *, delay: queued.append(delay))
    return queued


def _another_report_while_the_first_refresh_reads(small: Small,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """南门 reports 50 of 50 while the next refresh reads: its mark comes after that
    refresh's, as in a stream."""
    from chuangjian.assessment import freshness as module

    real, filed = module.compute_many, [False]

    def meanwhile(*args: object, **kwargs: object) -> object:
        if not filed[0]:
            small.report(small.world.community2, t_done=50, t_total=50)
            filed[0] = True
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "compute_many", meanwhile)


def test_a_submission_changes_the_scorecard_figure_once_the_refresh_has_run(small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=30, t_total=50, t_events=2)
    actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    card = selectors.scorecard(scope=Scope.system(), unit=w.community, standard_code="test_small",
                               year=2026)
    assert card is not None
    rate = next(r for r in card.rows if r.code == "done_rate")
    assert rate.value == 60
    small.report(w.community, t_done=50, t_total=50, t_events=2)
    refresh()
    card = selectors.scorecard(scope=Scope.system(), unit=w.community, standard_code="test_small",
                               year=2026)
    assert card is not None
    rate = next(r for r in card.rows if r.code == "done_rate")
    assert rate.value == 100 and rate.score == 30
    street = selectors.scorecard(scope=Scope.system(), unit=w.street, standard_code="test_small",
                                 year=2026)
    # The ancestor followed: 幸福里 now meets its target, 南门 (no data) does not.
    assert street is not None and street.rows[0].value == 50


def test_a_reviewer_score_changes_the_total_immediately(small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=50, t_total=50, t_events=2)
    actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    before = selectors.scorecard(scope=Scope.system(), unit=w.community, standard_code="test_small",
                                 year=2026)
    actions.set_reviewer_score(actor=None, standard_code="test_small", year=2026, kind="review",
                               unit=w.community, indicator_code="rules_review", score=30, scope=Scope.system())
    after = selectors.scorecard(scope=Scope.system(), unit=w.community, standard_code="test_small",
                                year=2026)
    assert before is not None and after is not None
    assert after.total == pytest.approx((before.total or 0) + 30)


def test_incremental_updates_equal_a_full_recomputation(small: Small) -> None:
    w = small.world
    units = [w.community, w.community2, w.village, w.other_community]
    rng = random.Random(20261129)
    for unit in units[:2]:
        small.report(unit, t_done=10, t_total=20)
    run = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    for _step in range(12):
        unit = rng.choice(units)
        total = rng.randint(0, 120)
        small.report(unit, t_done=rng.randint(0, total), t_total=total,
                     t_events=rng.randint(0, 5), t_problems=rng.randint(0, 4),
                     t_fires=rng.choice([0, 0, 0, 1]), t_bonus=rng.randint(0, 2))
        if rng.random() < 0.5:  # sometimes one refresh per submission, sometimes coalesced
            refresh()
    refresh()
    incremental = _items(run.pk)
    fresh = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    assert _items(fresh.pk) == incremental


def test_a_rounds_runs_are_written_together_each_ranked_in_its_own_run(small: Small) -> None:
    w = small.world
    units = [w.community, w.community2, w.village, w.other_community]
    for unit in units:
        small.report(unit, t_done=10, t_total=20)
    roots = (w.district, w.street, w.area)
    runs = [actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY,
                              unit=root, scope=Scope.system()) for root in roots]
    rng = random.Random(20261205)
    for unit in units:  # moves the ranks among siblings: 幸福里 and 南门 share 城东管区
        total = rng.randint(10, 120)
        small.report(unit, t_done=rng.randint(0, total), t_total=total,
                     t_events=rng.randint(0, 5), t_problems=rng.randint(0, 4))
    with CaptureQueriesContext(connection) as round_:
        report = refresh()
    assert report.runs == 3 and report.rows > 3
    sqls = [q["sql"] for q in round_.captured_queries]
    # One stamp of the three runs and at most two updates of their rows (the figures, the
    # ranks), not one of each per run.
    assert sum(s.startswith('UPDATE "assessment_assessmentrun"') for s in sqls) == 1
    assert sum(s.startswith('UPDATE "assessment_unitresult"') for s in sqls) <= 2
    incremental = {run.pk: _items(run.pk) for run in runs}
    for run, root in zip(runs, roots, strict=True):
        fresh = actions.start_run(actor=None, standard_code="test_small", year=2026,
                                  today=TODAY, unit=root, scope=Scope.system())
        assert _items(fresh.pk) == incremental[run.pk]


def test_a_published_run_no_longer_changes(small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=30, t_total=50)
    run = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY, scope=Scope.system())
    actions.publish_run(actor=None, run=run, scope=Scope.system())
    before = _items(run.pk)
    small.report(w.community, t_done=50, t_total=50)
    refresh()
    assert _items(run.pk) == before
    assert not freshness(AssessmentRun.objects.get(pk=run.pk), w.community).stale


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def test_a_submissions_transaction_touches_no_result_row(small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=30, t_total=50, t_events=2)
    actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY,
                      scope=Scope.system())
    refresh()
    with CaptureQueriesContext(connection) as queries:
        small.report(w.community, t_done=50, t_total=50, t_events=2)
    statements = [q["sql"] for q in queries.captured_queries]
    assert any('"reporting_datavalue"' in sql for sql in statements)  # the capture works
    assert not [sql for sql in statements if "assessment_" in sql]
    writes = [sql for sql in statements if sql.lstrip().upper().startswith(_WRITES)]
    assert any('"sources_change"' in sql for sql in writes)
    # The result still shows the old figure until the refresh has run.
    card = selectors.scorecard(scope=Scope.system(), unit=w.community,
                               standard_code="test_small", year=2026)
    assert card is not None and next(r for r in card.rows if r.code == "done_rate").value == 60


def test_a_page_knows_a_result_is_stale_and_the_time_of_its_data(small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=30, t_total=50)
    run = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY,
                            scope=Scope.system())
    refresh()
    run.refresh_from_db()
    shown = run.refreshed_at or run.finished_at
    assert freshness(run, w.community) == Freshness(False, shown)
    small.report(w.community, t_done=40, t_total=50)
    run.refresh_from_db()
    # The community and every ancestor wait; a sibling's figures do not change.
    assert freshness(run, w.community).stale and freshness(run, w.street).stale
    assert freshness(run, w.district).stale and not freshness(run, w.community2).stale
    assert freshness(run, w.community).data_at == shown
    refresh()
    run.refresh_from_db()
    assert run.refreshed_at is not None and shown is not None and run.refreshed_at > shown
    assert freshness(run, w.community) == Freshness(False, run.refreshed_at)
    assert not Change.objects.exists()


def test_after_commit_one_coalesced_refresh_is_queued_and_run(
        small: Small, django_capture_on_commit_callbacks: object) -> None:
    w = small.world
    small.report(w.community, t_done=30, t_total=50)
    run = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY,
                            scope=Scope.system())
    refresh()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:  # type: ignore[operator]
        small.report(w.community, t_done=50, t_total=50)
    assert sources.request_refresh in callbacks
    # The tests' queue runs jobs at once: the result is fresh after the commit.
    assert not Change.objects.exists()
    row = UnitResult.objects.get(run=run, unit=w.community)
    assert items_of(row)["done_rate"]["v"] == 100


def test_the_refresh_job_goes_to_the_queue_the_site_names_for_it(
        small: Small, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.SOURCES_REFRESH_QUEUE = "refresh"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default", "refresh"]}}
    assert sources.request_refresh()
    job = DBTaskResult.objects.get()
    assert job.queue_name == "refresh" and job.task_path.endswith("refresh_results")
    assert job.run_after is not None  # deferred by the debounce


def test_a_thousand_commits_inside_the_window_queue_one_refresh(
        small: Small, monkeypatch: pytest.MonkeyPatch) -> None:
    queued = _queued(monkeypatch)
    assert [sources.request_refresh() for _ in range(1000)].count(True) == 1
    assert len(queued) == 1 and Refresh.objects.get().queued
    refresh()  # the job releases the ticket before it reads the marks
    assert sources.request_refresh() and len(queued) == 2


def test_a_failing_refresh_leaves_the_results_whole_keeps_the_marks_and_is_retried(
        small: Small, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: object) -> None:
    from chuangjian.assessment import runner

    w = small.world
    run = _refreshed_then_reported(small)
    before = _items(run.pk)
    queued = _queued(monkeypatch)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("磁盘已满")

    # The rows are rewritten, then re-ranking fails: the run's transaction rolls back.
    monkeypatch.setattr(runner, "_rerank", broken)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        report = refresh_stale(scope=Scope.system())
    assert report.failed and "磁盘已满" in report.failed[0]
    assert _items(run.pk) == before
    assert Change.objects.exists() and freshness(run, w.community).stale
    ticket = Refresh.objects.get()
    assert ticket.attempts == 1 and "磁盘已满" in ticket.last_error
    assert ticket.queued and queued == [10.0]  # queued again after a back-off
    monkeypatch.undo()
    refresh()
    ticket.refresh_from_db()
    assert ticket.attempts == 0 and ticket.last_error == ""
    assert items_of(UnitResult.objects.get(run=run, unit=w.community))["done_rate"]["v"] == 100


def test_a_run_that_fails_to_write_is_rolled_back_alone_and_the_others_are_written(
        small: Small, monkeypatch: pytest.MonkeyPatch) -> None:
    from chuangjian.assessment import runner

    w = small.world
    small.report(w.community, t_done=30, t_total=50)
    district, street = (actions.start_run(actor=None, standard_code="test_small", year=2026,
                                          today=TODAY, unit=unit, scope=Scope.system())
                        for unit in (w.district, w.street))
    refresh()
    before = _items(street.pk)
    small.report(w.community, t_done=50, t_total=50)
    real = runner._rerank

    def broken_for_the_street(written: list[tuple[AssessmentRun, object]]) -> None:
        if any(run.pk == street.pk for run, _rows in written):
            raise RuntimeError("磁盘已满")
        real(written)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "_rerank", broken_for_the_street)
    report = refresh_stale(scope=Scope.system())
    assert len(report.failed) == 1 and "城关街道" in report.failed[0]
    assert report.runs == 1 and _items(street.pk) == before
    written = items_of(UnitResult.objects.get(run=district, unit=w.community))["done_rate"]["v"]
    assert written == 100
    assert Change.objects.exists()  # kept for the retry, which writes the street's run
    monkeypatch.undo()
    refresh()
    assert items_of(UnitResult.objects.get(run=street, unit=w.community))["done_rate"]["v"] == 100


def test_a_write_that_cannot_begin_stores_nothing_keeps_the_marks_and_is_retried(
        small: Small, monkeypatch: pytest.MonkeyPatch,
        django_capture_on_commit_callbacks: object) -> None:
    from django.db import OperationalError

    from chuangjian.assessment import freshness as module

    run = _refreshed_then_reported(small)
    before = _items(run.pk)
    queued = _queued(monkeypatch)
    real, calls = module.atomic_promptly, []

    def locked_for_the_runs() -> object:
        calls.append(1)
        if len(calls) == 2:  # the ticket first, then the runs' write
            raise OperationalError("database is locked")
        return real()

    monkeypatch.setattr(module, "atomic_promptly", locked_for_the_runs)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        report = refresh_stale(scope=Scope.system())
    assert report.failed == ["写入考核结果失败：database is locked"]
    assert report.runs == 0 and report.rows == 0
    assert _items(run.pk) == before and Change.objects.exists()
    assert queued == [10.0]


def test_while_reports_keep_coming_the_job_refreshes_again_after_the_debounce(
        small: Small, settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
    w = small.world
    run = _refreshed_then_reported(small)
    _another_report_while_the_first_refresh_reads(small, monkeypatch)
    slept: list[float] = []
    reports = refresh_until_quiet(scope=Scope.system(), longest=60, sleep=slept.append)
    # Round 1 takes 幸福里's report; the next mark (南门's, filed while round 1 ran) is
    # taken once it is the debounce old; then nothing is marked and the job ends.
    assert [r.marks for r in reports] == [1, 1]
    assert len(slept) == 1 and 0 < slept[0] <= settings.SOURCES_REFRESH_DELAY  # type: ignore[attr-defined]
    assert not Change.objects.exists() and not freshness(run, w.district).stale
    assert items_of(UnitResult.objects.get(run=run, unit=w.community2))["done_rate"]["v"] == 100


def test_the_job_refreshes_once_when_it_may_not_wait_or_when_a_round_fails(
        small: Small, monkeypatch: pytest.MonkeyPatch) -> None:
    from chuangjian.assessment import runner

    _refreshed_then_reported(small)

    def never(seconds: float) -> None:
        raise AssertionError("no second round")

    _another_report_while_the_first_refresh_reads(small, monkeypatch)
    queued = _queued(monkeypatch)
    assert len(refresh_until_quiet(scope=Scope.system(), longest=0, sleep=never)) == 1
    # The mark filed meanwhile is left to the next job, which the drain queues as it ends.
    assert Change.objects.exists() and len(queued) == 1
    Refresh.objects.filter(key=sources.REFRESH_KEY).update(queued=False)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("磁盘已满")

    monkeypatch.setattr(runner, "_rerank", broken)
    reports = refresh_until_quiet(scope=Scope.system(), longest=60, sleep=never)
    assert len(reports) == 1 and reports[0].failed and Change.objects.exists()


def test_one_job_drains_at_a_time_and_a_mark_is_never_left_without_a_job(
        small: Small, monkeypatch: pytest.MonkeyPatch) -> None:
    from chuangjian.assessment.freshness import DRAIN_KEY

    w = small.world
    actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY,
                      scope=Scope.system())
    small.report(w.community, t_done=40, t_total=50)
    queued = _queued(monkeypatch)
    # Another worker's job is draining: this one returns at once, refreshing nothing, and
    # frees the queue's ticket so that the next change queues a job again.
    Refresh.objects.create(key=DRAIN_KEY, queued=True, started_at=timezone.now())
    Refresh.objects.update_or_create(key=sources.REFRESH_KEY, defaults={"queued": True})
    assert refresh_until_quiet(scope=Scope.system(), longest=60) == []
    assert Change.objects.exists()
    assert not Refresh.objects.get(key=sources.REFRESH_KEY).queued
    # A drain with no round for a minute has died: the next job takes over.
    Refresh.objects.filter(key=DRAIN_KEY).update(
        started_at=timezone.now() - dt.timedelta(seconds=61))
    reports = refresh_until_quiet(scope=Scope.system(), longest=60)
    assert [r.marks for r in reports] == [1] and not Change.objects.exists()
    assert not Refresh.objects.get(key=DRAIN_KEY).queued and queued == []


def test_only_the_system_refreshes_results(small: Small) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        refresh_stale(scope=Scope.for_user(small.world.community_worker))


def test_the_pages_say_the_figures_are_being_updated_until_the_refresh_has_run(
        small: Small) -> None:
    w = small.world
    small.report(w.community, t_done=30, t_total=50)
    run = actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY,
                            scope=Scope.system())
    refresh()
    client = w.client_for(w.street_leader)
    pages = [f"/assessment/runs/{run.pk}/", f"/assessment/runs/{run.pk}/u/{w.community.pk}/",
             f"/dashboards/scorecard/?unit={w.community.code}&standard=test_small&year=2026"]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200 and "数据更新中" not in page.content.decode()
    small.report(w.community, t_done=50, t_total=50)
    for url in pages:
        body = client.get(url).content.decode()
        assert "数据更新中：当前显示的是" in body, url
    refresh()
    for url in pages:
        assert "数据更新中" not in client.get(url).content.decode()


def test_a_refresh_overtaken_between_its_reading_and_its_lock_reads_again_under_the_lock(
        small: Small, monkeypatch: pytest.MonkeyPatch) -> None:
    from chuangjian.assessment import freshness as module

    w = small.world
    run = _refreshed_then_reported(small)
    real, overtake = module.compute_many, [True]
    calls: list[int] = []

    def overtaken(spec: object, runs: list[AssessmentRun], changed: object) -> object:
        calls.extend(r.pk for r in runs)
        rows = real(spec, runs, changed)  # type: ignore[arg-type]
        if overtake.pop() if overtake else False:  # another refresh writes meanwhile
            AssessmentRun.objects.filter(pk__in=[r.pk for r in runs]).update(
                refreshed_at=timezone.now())
        return rows

    monkeypatch.setattr(module, "compute_many", overtaken)
    report = refresh_stale(scope=Scope.system())
    assert calls == [run.pk, run.pk] and report.runs == 1 and not report.failed
    assert items_of(UnitResult.objects.get(run=run, unit=w.community))["done_rate"]["v"] == 100

    # Not overtaken: read once, before the lock.
    small.report(w.community, t_done=40, t_total=50)
    calls.clear()
    refresh_stale(scope=Scope.system())
    assert calls == [run.pk]
    assert items_of(UnitResult.objects.get(run=run, unit=w.community))["done_rate"]["v"] == 80


def test_a_mark_committed_late_with_a_lower_id_waits_for_the_next_refresh(
        small: Small, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt_

    from chuangjian.assessment import freshness as module

    w = small.world
    small.report(w.community, t_done=30, t_total=50)
    actions.start_run(actor=None, standard_code="test_small", year=2026, today=TODAY,
                      scope=Scope.system())
    refresh()
    small.report(w.community, t_done=40, t_total=50)
    small.report(w.community2, t_done=10, t_total=50)
    first, second = Change.objects.order_by("pk").values_list("pk", flat=True)[:2]
    Change.objects.filter(pk=first).delete()  # its id is free: a writer holds it, uncommitted
    real = module.compute_many

    def with_a_late_commit(spec: object, runs: list[AssessmentRun], changed: object) -> object:
        if not Change.objects.filter(pk=first).exists():
            # On PostgreSQL ids are taken before commit: this mark has a lower id than
            # those the refresh read, and becomes visible only now.
            Change.objects.create(pk=first, unit=w.community, element_codes=["t_done"],
                                  day=dt_.date(2026, 12, 30))
        return real(spec, runs, changed)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "compute_many", with_a_late_commit)
    report = refresh_stale(scope=Scope.system())
    assert report.marks == 1 and not report.failed
    assert list(Change.objects.values_list("pk", flat=True)) == [first]  # not lost
    assert not Change.objects.filter(pk=second).exists()
