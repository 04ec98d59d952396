"""Bringing results up to date after their sources changed (decision 0033).

Writers (a submission, an import, a register or a case) only mark what changed
(``sources.changed`` → ``sources.models.Change``) in their own short transaction.
After commit one refresh job is queued (debounced, coalesced: ``sources.request_refresh``);
it runs ``refresh_stale``, which reads every mark, finds the current runs whose figures
they move, reads and scores the affected units and their ancestors once for all runs of
a standard, year and kind (``runner.compute_many``), then writes every run — one
standard × root × year × kind — in one short transaction, a savepoint per run, each row
once however many marks touch it (decision 0044). A run that fails leaves its stored
rows as they were; the marks stay, the error is recorded on the ticket and logged, and
the job is queued again with a back-off.

While marks are pending, a page showing a result of the run says 「数据更新中」 with
the time of the data it shows (``freshness``).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from chuangjian import sources
from chuangjian.assessment.compute import (
    RememberedFigures,
    UnitTree,
    figures_read_afresh,
    figures_remembered,
    forget_figures,
    keep_own_figures,
    remembered_figures,
    trees_shared,
)
from chuangjian.assessment.models import AssessmentRun, RunStatus, UnitResult
from chuangjian.assessment.runner import batch_key, compute_many, write_many
from chuangjian.assessment.spec import StandardSpec, spec_for
from chuangjian.lib.writelock import atomic_promptly
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.sources.models import Change, Refresh

log = logging.getLogger(__name__)


@dataclass
class RefreshReport:
    marks: int = 0
    runs: int = 0
    rows: int = 0
    failed: list[str] = field(default_factory=list)
    reading: float = 0.0  # seconds reading and scoring (no lock held)
    writing: float = 0.0  # seconds writing, waits for the write lock included


def refresh_stale(*, scope: Scope, now: dt.datetime | None = None) -> RefreshReport:
    """Recompute every result a pending mark makes stale; delete the marks handled.

    Run by the queue worker (``assessment.tasks.refresh_results``), by the demo and by
    tests; only the system scope may (it writes results of every unit).
    """
    if not scope.is_global:
        raise PermissionDenied
    began = time.perf_counter()
    now = now or timezone.now()
    # Released first: a change committed from here on queues the next refresh itself.
    # Every write of a refresh asks for SQLite's lock promptly (``atomic_promptly``).
    with atomic_promptly():
        Refresh.objects.filter(key=sources.REFRESH_KEY).update(queued=False, started_at=now)
    report = RefreshReport()
    remembered = remembered_figures()
    if remembered is not None:
        _agree(remembered, _handled())
    upto = Change.objects.aggregate(top=Max("pk"))["top"]
    if upto is None:
        with atomic_promptly():
            _finished(report, now, handled=0)
        return report
    marks = list(Change.objects.filter(pk__lte=upto)
                 .values_list("pk", "unit_id", "element_codes", "day"))
    report.marks = len(marks)
    by_unit: dict[int, list[tuple[frozenset[str], int]]] = defaultdict(list)
    for _pk, unit_id, codes, day in marks:
        by_unit[unit_id].append((frozenset(codes), day.year))
    # Inside a drain: these units' own figures of the elements marked are read again.
    forget_figures({unit_id: {c for codes, _year in changes for c in codes}
                    for unit_id, changes in by_unit.items()})
    units = list(Unit.objects.filter(pk__in=list(by_unit)))
    years = {y for changes in by_unit.values() for _c, y in changes}
    runs = list(AssessmentRun.objects.filter(
        status=RunStatus.DONE, current=True, published_at__isnull=True,
        year__gte=min(years), year__lte=max(years) + 10).select_related("standard", "root")
        .order_by("pk"))
    # Runs of one standard, year, kind and day of data read the same figures for a unit:
    # they are read and scored together (``compute_many``), then written run by run.
    batches: dict[tuple[object, ...], tuple[list[AssessmentRun], dict[int, Unit]]] = {}
    for run in runs:
        spec = spec_for(run.standard)
        affected = [u for u in units if u.path.startswith(run.root.path) and any(
            0 <= run.year - year <= spec.years_back and spec.uses(codes)
            for codes, year in by_unit[u.pk])]
        if affected:
            batch = batches.setdefault(batch_key(run), ([], {}))
            batch[0].append(run)
            batch[1].update((u.pk, u) for u in affected)
    started = time.perf_counter()
    with trees_shared():  # the standards of a report mostly read the same subtrees
        read = [got for batch_runs, batch_units in batches.values()
                if (got := _read_batch(batch_runs, list(batch_units.values()), report))]
    report.reading = time.perf_counter() - started
    started = time.perf_counter()
    _write_all(read, report)
    report.writing = time.perf_counter() - started
    with atomic_promptly():
        if report.failed:
            _failed(report, now)
        else:
            # Exactly the marks read: on PostgreSQL a writer that took a lower id may
            # commit after ``upto`` was read, and its mark must wait for the next refresh.
            Change.objects.filter(pk__ids_in=[m[0] for m in marks]).delete()
            total = _finished(report, now, handled=len(marks))
            if remembered is not None:
                # Anyone else's marks handled meanwhile: what was kept may miss them.
                _agree(remembered, total - len(marks))
                remembered.handled = total
    log.info("refreshed %s marks: %s runs, %s rows; reading %.3f s, writing %.3f s, "
             "%.3f s in all", report.marks, report.runs, report.rows, report.reading,
             report.writing, time.perf_counter() - began)
    return report


DRAIN_KEY = "results:drain"  # the ticket of the one job draining a rush
DRAIN_STALE = dt.timedelta(seconds=60)  # a drain with no round for this long has died


def refresh_until_quiet(*, scope: Scope, longest: float | None = None,
                        sleep: Callable[[float], None] = time.sleep) -> list[RefreshReport]:
    """``refresh_stale``, then again while marks keep arriving, for up to ``longest``
    seconds (``SOURCES_REFRESH_DRAIN``): what the queued job runs (decision 0045).

    Under a stream of reports a refresh ends with new marks waiting. Leaving them to the
    job queued meanwhile costs the queue's poll and, on SQLite, a wait for the write lock
    to claim that job (0.2 s at the median, up to 1.4 s, at 50 reports a second at L);
    here the next round begins once the oldest waiting mark is ``SOURCES_REFRESH_DELAY``
    old, the debounce a queued job would have had. A round that fails ends it (the failure
    queues its own retry); so does a quiet moment with nothing marked.

    One job drains at a time (``DRAIN_KEY``): a job that another worker runs meanwhile
    (the writers still queue one a round) returns at once and leaves its marks to the
    drain's next round. Each releases before it looks — the queue's ticket before the
    drain's, the drain's before the marks left — so a mark is never left without a job."""
    if not scope.is_global:
        raise PermissionDenied
    with atomic_promptly():
        # Released first, as a refresh does: a change from here on queues the next job.
        Refresh.objects.filter(key=sources.REFRESH_KEY).update(queued=False)
    if not _claim_drain():
        log.info("another job is draining the refreshes; this one leaves its marks to it")
        return []
    reports: list[RefreshReport] = []
    try:
        limit = settings.SOURCES_REFRESH_DRAIN if longest is None else longest
        deadline = time.monotonic() + limit
        # The rounds keep the units' own figures and read again those of the units
        # marked since (decision 0046), carried from this process's last drain (0050).
        with figures_remembered(_carried_figures()):
            reports.append(refresh_stale(scope=scope))
            while not reports[-1].failed and time.monotonic() < deadline:
                oldest = (Change.objects.order_by("marked_at")
                          .values_list("marked_at", flat=True).first())
                if oldest is None:
                    break
                age = (timezone.now() - oldest).total_seconds()
                delay = settings.SOURCES_REFRESH_DELAY
                if age < delay:
                    sleep(min(delay - age, delay))
                with atomic_promptly():  # still draining (``DRAIN_STALE``)
                    Refresh.objects.filter(key=DRAIN_KEY).update(started_at=timezone.now())
                reports.append(refresh_stale(scope=scope))
    finally:
        with atomic_promptly():
            Refresh.objects.filter(key=DRAIN_KEY).update(queued=False,
                                                         finished_at=timezone.now())
        if reports and not reports[-1].failed and Change.objects.exists():
            sources.request_refresh()  # marked after the last round: the next job takes it
    return reports


# The own figures this process's drains keep between them (decision 0050): carried
# while no other process handles marks (``_agree``) and for at most SOURCES_FIGURES_KEPT
# seconds; read ahead by the queue worker when it is idle (``keep_figures_warm``).
_carried: RememberedFigures | None = None


def _young(figures: RememberedFigures) -> bool:
    return time.monotonic() - figures.since <= settings.SOURCES_FIGURES_KEPT


def _carried_figures() -> RememberedFigures:
    """The figures the next drain starts from: those carried, unless too old."""
    global _carried
    if _carried is None or not _young(_carried):
        _carried = RememberedFigures()
    return _carried


def drop_carried_figures() -> None:
    """Forget the figures carried between drains (tests begin without them)."""
    global _carried
    _carried = None


def keep_figures_warm(*, scope: Scope) -> bool:
    """Read ahead, into the figures carried between drains, every unit's own figures that
    a refresh of the current runs reads, unless they are already carried and young
    enough: the queue worker's errand while it is idle (``JOBS_WORKER_IDLE``), so that
    the first round of a 16:00 rush reads only what was marked. Read again once they were
    dropped (another process handled marks). True when it read.

    The count of handled marks is taken before anything is read: a mark handled by
    another process from then on is seen by the next round (``_agree``); one handled by
    nobody yet is read again by the round that handles it."""
    global _carried
    if not scope.is_global:
        raise PermissionDenied
    if _carried is not None and _carried.whole and _young(_carried):
        return False
    began = time.perf_counter()
    figures = RememberedFigures(handled=_handled())
    runs = list(AssessmentRun.objects.filter(
        status=RunStatus.DONE, current=True, published_at__isnull=True)
        .select_related("standard", "root").order_by("pk"))
    roots: dict[tuple[int, int], tuple[StandardSpec, int, dict[int, Unit]]] = {}
    for run in runs:
        roots.setdefault((run.standard_id, run.year),
                         (spec_for(run.standard), run.year, {}))[2][run.root_id] = run.root
    with figures_remembered(figures), trees_shared():
        for spec, year, of_runs in roots.values():
            keep_own_figures(spec, UnitTree.forest(list(of_runs.values())), year)
    figures.whole = True
    _carried = figures
    log.info("kept the units' own figures of %s standard-years for the refreshes (%.3f s)",
             len(roots), time.perf_counter() - began)
    return True


def _claim_drain() -> bool:
    """Take the drain ticket: free, or held by a drain without a round for
    ``DRAIN_STALE`` (its worker died)."""
    now = timezone.now()
    with atomic_promptly():
        Refresh.objects.get_or_create(key=DRAIN_KEY)
        return bool(Refresh.objects.filter(key=DRAIN_KEY).filter(
            Q(queued=False) | Q(started_at__lt=now - DRAIN_STALE) | Q(started_at__isnull=True))
            .update(queued=True, started_at=now))


@dataclass
class _Read:
    """A batch's runs recomputed before the write lock: what each run's rows became, and
    when each run had last been refreshed when they were read."""

    spec: StandardSpec
    runs: Sequence[AssessmentRun]
    affected: Sequence[Unit]
    read_at: dict[int, dt.datetime | None]
    rows: dict[int, list[UnitResult]]


def _read_batch(batch_runs: Sequence[AssessmentRun], affected: Sequence[Unit],
                report: RefreshReport) -> _Read | None:
    """Recompute the affected units of runs that share a ``batch_key``, nothing written;
    a failure is logged and reported and leaves the other batches alone."""
    spec = spec_for(batch_runs[0].standard)
    try:
        read_at = {run.pk: run.refreshed_at for run in batch_runs}
        return _Read(spec, batch_runs, affected, read_at,
                     compute_many(spec, batch_runs, affected))
    except Exception as error:
        log.exception("refreshing %s %s failed", spec.version.code, batch_runs[0].year)
        report.failed.extend(f"{run.standard_code} {run.year} {run.root.name}: {error}"[:500]
                             for run in batch_runs)
        return None


def _write_all(read: Sequence[_Read], report: RefreshReport) -> None:
    """Every run's rows in one transaction, runs in id order: all of them at once, or,
    when that fails, one by one, a savepoint each.

    Read and scored before, without the lock: on SQLite the write lock stops every
    submission, and scoring is most of a refresh's time. One transaction takes that lock
    once: a transaction per run waited for it once per run behind the submissions
    (SQLite's busy handler sleeps between tries), 0.7–2 s of a 1–2.5 s refresh of 30–50
    runs under 50 reports a second, against ~0.1 s of writing. Written together, a round's
    runs cost a handful of statements instead of ~7 each (a round trip each to
    PostgreSQL). A run that fails is found by writing them again one by one: it rolls back
    to its savepoint and is reported; the others are written (decision 0046)."""
    todo = sorted(((run, batch) for batch in read for run in batch.runs), key=lambda rb: rb[0].pk)
    if not todo:
        return
    runs, rows = report.runs, report.rows
    try:
        with atomic_promptly():
            try:
                with transaction.atomic():
                    written = _write_runs(todo)
            except Exception:
                log.warning("writing %s refreshed runs together failed; writing them one by "
                            "one", len(todo), exc_info=True)
                written = _write_one_by_one(todo, report)
            report.runs += written[0]
            report.rows += written[1]
    except Exception as error:
        # The transaction itself: its lock not had in time, or its commit refused.
        # Nothing of it is stored; the marks stay for the retry.
        log.exception("writing the refreshed runs failed")
        report.runs, report.rows = runs, rows
        report.failed.append(f"写入考核结果失败：{error}"[:500])


def _write_runs(todo: Sequence[tuple[AssessmentRun, _Read]]) -> tuple[int, int]:
    """Store the runs' recomputed rows with one lock, one update of the rows, one
    re-ranking and one stamp; the runs written and the rows."""
    # Locked, in id order, so that two refreshes of a run write in the order they read.
    locked = {run.pk: run for run in AssessmentRun.objects.select_for_update().filter(
        pk__in=[run.pk for run, _batch in todo], current=True, published_at__isnull=True)
        .order_by("pk")}
    written: list[tuple[AssessmentRun, Sequence[UnitResult]]] = []
    for run, batch in todo:
        now = locked.get(run.pk)
        if now is None:
            continue  # published or replaced meanwhile
        rows = batch.rows.get(run.pk, [])
        if now.refreshed_at != batch.read_at[run.pk]:
            # Another refresh wrote since: read again under the lock, every figure (what
            # this process kept may be older than what the other one read).
            with figures_read_afresh():
                rows = compute_many(batch.spec, [now], batch.affected).get(now.pk, [])
        written.append((now, rows))
    count = write_many(written)
    AssessmentRun.objects.filter(pk__in=[run.pk for run, _rows in written]).update(
        refreshed_at=timezone.now())
    return len(written), count


def _write_one_by_one(todo: Sequence[tuple[AssessmentRun, _Read]], report: RefreshReport
                      ) -> tuple[int, int]:
    """``_write_runs`` run by run, a savepoint each: a run that fails is rolled back and
    reported, the others are written."""
    runs = rows = 0
    for run, batch in todo:
        try:
            with transaction.atomic():
                one_run, its_rows = _write_runs([(run, batch)])
        except Exception as error:
            log.exception("refreshing run %s (%s %s) failed", run.pk, run.standard_code,
                          run.year)
            report.failed.append(f"{run.standard_code} {run.year} {run.root.name}: {error}"[:500])
            continue
        runs, rows = runs + one_run, rows + its_rows
    return runs, rows


def _finished(report: RefreshReport, now: dt.datetime, *, handled: int) -> int:
    """Record a refresh that handled ``handled`` marks; the marks every refresh has
    handled so far (the ticket's count, read under the ticket's lock just taken)."""
    ticket = Refresh.objects.filter(key=sources.REFRESH_KEY)
    fields = {"finished_at": timezone.now(), "attempts": 0, "last_error": ""}
    if not ticket.update(**fields, handled=F("handled") + handled):
        # No change has queued a job yet (a refresh run by hand): the count begins here.
        Refresh.objects.get_or_create(key=sources.REFRESH_KEY)
        ticket.update(**fields, handled=F("handled") + handled)
    return _handled()


def _handled() -> int:
    """The marks every refresh has handled so far (0 before the first)."""
    return (Refresh.objects.filter(key=sources.REFRESH_KEY)
            .values_list("handled", flat=True).first() or 0)


def _agree(remembered: RememberedFigures, handled: int) -> None:
    """Forget every kept figure unless no process but this one has handled marks since
    they were last known to agree with the database (the count is then as it left it)."""
    if remembered.handled != handled:
        remembered.kept.clear()
        remembered.whole = False  # the idle worker reads them ahead again
    remembered.handled = handled


def _failed(report: RefreshReport, now: dt.datetime) -> None:
    """Record the failure on the ticket and queue another attempt after a back-off."""
    ticket, _created = Refresh.objects.get_or_create(key=sources.REFRESH_KEY)
    ticket.attempts += 1
    ticket.last_error = "; ".join(report.failed)[:500]
    ticket.failed_at = now
    ticket.finished_at = timezone.now()
    ticket.save(update_fields=["attempts", "last_error", "failed_at", "finished_at"])
    log.error("result refresh failed (attempt %s): %s", ticket.attempts, ticket.last_error)
    if ticket.attempts >= settings.SOURCES_REFRESH_ATTEMPTS:
        return  # left stale and reported; the next change or `refresh_results` tries again
    taken = Refresh.objects.filter(key=sources.REFRESH_KEY, queued=False).update(
        queued=True, queued_at=timezone.now())
    if taken:
        transaction.on_commit(lambda: sources.enqueue_refresh(
            delay=10.0 * 2 ** (ticket.attempts - 1)))


@dataclass(frozen=True)
class Freshness:
    stale: bool
    data_at: dt.datetime | None  # the time of the figures shown


def pending(unit: Unit | Sequence[str], year: int, years_back: int = 10) -> bool:
    """Whether a change is marked in ``unit``'s subtree (or under any of these paths) in
    ``year`` or the years before it that a standard may read (one query)."""
    paths = [unit.path] if isinstance(unit, Unit) else list(unit)
    if not paths:
        return False
    under = Q()
    for path in paths:
        under |= Q(unit__path__startswith=path)
    return Change.objects.filter(under, day__gte=dt.date(year - years_back, 1, 1),
                                 day__lte=dt.date(year, 12, 31)).exists()


def freshness(run: AssessmentRun, unit: Unit | Sequence[str]) -> Freshness:
    """Whether a unit's result in ``run`` waits for a refresh, and the time of its data.

    Stale while a change is marked in the unit's subtree in a year the run reads.
    A published run's results are frozen and never stale.
    """
    data_at = run.refreshed_at or run.finished_at
    if run.published_at is not None or not run.current:
        return Freshness(False, data_at)
    return Freshness(pending(unit, run.year, spec_for(run.standard).years_back), data_at)
