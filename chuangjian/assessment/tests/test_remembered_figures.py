"""The rounds of a refresh drain keep the units' own figures and read again only those
of the units marked since; the sources that read the clock are read whole each round;
the results equal a full recomputation (decision 0046). The queue worker carries them
to its next drain and reads them ahead while idle, unless another process handled marks
meanwhile or they are older than ``SOURCES_FIGURES_KEPT`` (decision 0050)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from chuangjian import sources
from chuangjian.assessment import actions
from chuangjian.assessment.compute import (
    figures_read_afresh,
    figures_remembered,
    remembered_figures,
)
from chuangjian.assessment.freshness import (
    RefreshReport,
    keep_figures_warm,
    refresh_stale,
    refresh_until_quiet,
)
from chuangjian.assessment.items import items_of
from chuangjian.assessment.models import UnitResult
from chuangjian.engine.periods import Period
from chuangjian.org.models import Unit
from chuangjian.org.scope import Scope
from chuangjian.org.testing import World
from chuangjian.reporting import actions as reporting
from chuangjian.reporting import datasets
from chuangjian.standards import actions as standards_actions
from chuangjian.standards import loader

TODAY = dt.date(2027, 1, 5)


class _Ledger(sources.Source):
    """A register kept in memory: each unit's problems of 2026 (``rf_problems``)."""

    key = "test_ledger"
    label = "测试台账"
    elements = {"rf_problems": "测试台账里的问题数"}
    counts: ClassVar[dict[int, float]] = {}
    asked: ClassVar[list[int]] = []  # how many units each call asked for

    def values(self, element_code: str, period: Period, unit_ids: list[int]  # type: ignore[override]
               ) -> dict[int, float]:
        type(self).asked.append(len(unit_ids))
        return {i: self.counts[i] for i in unit_ids if i in self.counts}


class _Clocked(_Ledger):
    """The same register, but what it counts changes with the time of day alone."""

    key = "test_clocked"
    clock_elements = frozenset({"rf_problems"})


def _registered(cls: type[_Ledger]) -> Iterator[type[_Ledger]]:
    cls.counts, cls.asked = {}, []
    sources.register(cls)
    datasets._catalog = None
    yield cls
    sources._SOURCES.pop(cls.key, None)
    sources._BY_ELEMENT.pop("rf_problems", None)
    datasets._catalog = None


@pytest.fixture
def standard(world: World) -> World:
    result = loader.load_paths([Path(__file__).with_name("remembered_standard.yaml")])
    assert result.ok, result.errors
    standards_actions.load_standards(actor=None, result=result, scope=Scope.system())
    return world


@pytest.fixture
def ledger() -> Iterator[type[_Ledger]]:
    yield from _registered(_Ledger)


@pytest.fixture
def clocked() -> Iterator[type[_Ledger]]:
    yield from _registered(_Clocked)


def _report(unit: Unit, done: int) -> None:
    reporting.submit_values(
        actor=None, unit=unit, dataset_code="community-year", period="2026",
        values={"rf_done": done}, now=dt.datetime(2026, 12, 30, 10, tzinfo=dt.UTC),
        scope=Scope.system())


def _record(register: type[_Ledger], unit: Unit, problems: int, *, marked: bool = True) -> None:
    register.counts[unit.pk] = problems
    if marked:  # as a register's action does, in the transaction that changes the records
        sources.changed(unit_id=unit.pk, element_codes=["rf_problems"], day=dt.date(2026, 6, 1))


def _results(run_pk: int) -> dict[int, tuple[object, ...]]:
    return {r.unit_id: (r.total, r.passed, r.rank, r.siblings,
                        tuple(sorted((c, d["v"]) for c, d in items_of(r).items())))
            for r in UnitResult.objects.filter(run_id=run_pk)}


def refresh() -> RefreshReport:
    report = refresh_stale(scope=Scope.system())
    assert not report.failed
    return report


def _runs_of(w: World) -> list[tuple[int, Unit]]:
    return [(actions.start_run(actor=None, standard_code="test_remembered", year=2026,
                               today=TODAY, unit=root, scope=Scope.system()).pk, root)
            for root in (w.district, w.street)]


def _two_communities_refreshed(w: World, register: type[_Ledger]) -> list[tuple[int, Unit]]:
    """幸福里 and 南门 with 10 done and 1 problem each, the runs made and up to date."""
    for unit in (w.community, w.community2):
        _report(unit, 10)
        _record(register, unit, 1)
    runs = _runs_of(w)
    refresh()
    return runs


def _while_the_first_round_reads(monkeypatch: pytest.MonkeyPatch, register: type[_Ledger],
                                 meanwhile: Callable[[], None], *,
                                 after_reading: bool = False) -> None:
    """``meanwhile`` happens once, while a refresh's first round reads (before or after
    it reads its figures); the register's calls are counted afresh for each later read."""
    from chuangjian.assessment import freshness as module

    real, calls = module.compute_many, []

    def reading(*args: object) -> object:
        calls.append(1)
        first = len(calls) == 1
        if first and not after_reading:
            meanwhile()
        register.asked.clear()
        rows = real(*args)  # type: ignore[arg-type]
        if first and after_reading:
            meanwhile()
            register.asked.clear()
        return rows

    monkeypatch.setattr(module, "compute_many", reading)


def _equal_to_a_full_recomputation(runs: list[tuple[int, Unit]]) -> None:
    kept = {pk: _results(pk) for pk, _root in runs}
    for pk, root in runs:
        fresh = actions.start_run(actor=None, standard_code="test_remembered", year=2026,
                                  today=TODAY, unit=root, scope=Scope.system())
        assert _results(fresh.pk) == kept[pk]


def test_a_drains_rounds_read_again_only_the_units_marked_and_equal_a_full_recomputation(
        standard: World, ledger: type[_Ledger]) -> None:
    w = standard
    units = [w.community, w.community2, w.village, w.other_community]
    for unit in units:
        _report(unit, 10)
        _record(ledger, unit, 1)
    runs = _runs_of(w)
    refresh()
    tree = Unit.objects.filter(path__startswith=w.district.path).count()
    _record(ledger, w.community, 2)
    ledger.asked.clear()
    refresh()
    assert max(ledger.asked) == tree  # outside a drain: the district's whole tree

    rng = random.Random(20261205)
    with figures_remembered():
        ledger.asked.clear()
        _record(ledger, w.village, 3)
        refresh()  # the first round reads the tree and keeps what it read
        assert max(ledger.asked) == tree
        for _round in range(10):
            ledger.asked.clear()
            changed = rng.sample(units, 2)
            _record(ledger, changed[0], rng.randint(0, 6))
            _report(changed[1], rng.randint(0, 20))
            refresh()
            # The register asked again for its one unit marked; the report's unit is
            # read again for the reported figure its mark names, not the register's.
            assert set(ledger.asked) == {1}
    _equal_to_a_full_recomputation(runs)


def test_a_source_that_reads_the_clock_is_read_for_every_unit_each_round(
        standard: World, clocked: type[_Ledger]) -> None:
    w = standard
    runs = _two_communities_refreshed(w, clocked)
    tree = Unit.objects.filter(path__startswith=w.district.path).count()
    with figures_remembered():
        _report(w.community, 12)
        refresh()
        clocked.asked.clear()
        # 南门's count changes with no record changing (a deadline passed): the figures
        # of 城东管区 and above, recomputed for 幸福里's report, count it.
        _record(clocked, w.community2, 4, marked=False)
        _report(w.community, 15)
        refresh()
        assert clocked.asked and min(clocked.asked) == tree
    street = UnitResult.objects.get(run_id=runs[0][0], unit=w.street)
    assert items_of(street)["problems"]["v"] == 1 + 4


def test_the_queued_jobs_rounds_keep_the_figures_of_the_units_not_marked(
        standard: World, ledger: type[_Ledger], monkeypatch: pytest.MonkeyPatch) -> None:
    w = standard
    runs = _two_communities_refreshed(w, ledger)
    _record(ledger, w.community, 2)
    # 南门's register changes while the first round reads.
    _while_the_first_round_reads(monkeypatch, ledger, lambda: _record(ledger, w.community2, 5))
    reports = refresh_until_quiet(scope=Scope.system(), longest=60, sleep=lambda _s: None)
    assert [r.marks for r in reports] == [1, 1]
    assert ledger.asked == [1]  # the second round: 南门 alone
    _equal_to_a_full_recomputation(runs)


def test_figures_read_halfway_when_a_read_fails_are_dropped_and_read_afresh(
        standard: World, ledger: type[_Ledger], monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import OperationalError

    w = standard
    runs = _two_communities_refreshed(w, ledger)
    real, failing = _Ledger.values, [True]

    def once_broken(self: _Ledger, *args: Any) -> dict[int, float]:
        if failing:
            failing.clear()
            raise OperationalError("连接中断")
        return real(self, *args)

    monkeypatch.setattr(_Ledger, "values", once_broken)
    with figures_remembered():
        _record(ledger, w.community, 3)
        assert refresh_stale(scope=Scope.system()).failed  # the marks stay for the retry
        refresh()
    _equal_to_a_full_recomputation(runs)


# -- carried between drains (decision 0050) --------------------------------------------


def _drain() -> list[RefreshReport]:
    reports = refresh_until_quiet(scope=Scope.system(), longest=60, sleep=lambda _s: None)
    assert reports and not any(r.failed for r in reports)
    return reports


def _elsewhere() -> RefreshReport:
    """A refresh in another process: it keeps nothing, and counts the marks it handles."""
    with figures_read_afresh():
        return refresh()


def test_the_next_drain_of_the_worker_reads_again_only_the_units_marked_since_the_last(
        standard: World, ledger: type[_Ledger]) -> None:
    w = standard
    runs = _two_communities_refreshed(w, ledger)
    tree = Unit.objects.filter(path__startswith=w.district.path).count()
    _record(ledger, w.community, 2)
    ledger.asked.clear()
    _drain()
    assert max(ledger.asked) == tree  # the worker's first drain reads the tree
    _record(ledger, w.community2, 4)
    _report(w.village, 7)
    ledger.asked.clear()
    _drain()
    assert ledger.asked == [1]  # 南门 alone; 农庄村's report is not the register's
    _equal_to_a_full_recomputation(runs)


def test_marks_another_process_handled_between_drains_make_the_next_read_everything(
        standard: World, ledger: type[_Ledger]) -> None:
    w = standard
    runs = _two_communities_refreshed(w, ledger)
    _record(ledger, w.community, 2)
    _drain()
    _record(ledger, w.community2, 5)
    _elsewhere()  # 南门's mark handled by another process: the worker never sees it
    _record(ledger, w.community, 3)
    ledger.asked.clear()
    _drain()
    # Carried, 南门's figure would be the 1 the worker read before: 城东管区 would count
    # 3 + 1 problems, not 3 + 5.
    tree = Unit.objects.filter(path__startswith=w.district.path).count()
    assert max(ledger.asked) == tree
    street = UnitResult.objects.get(run_id=runs[0][0], unit=w.street)
    assert items_of(street)["problems"]["v"] == 3 + 5
    _equal_to_a_full_recomputation(runs)


def test_marks_another_process_handles_between_two_rounds_make_the_next_round_read_everything(
        standard: World, ledger: type[_Ledger], monkeypatch: pytest.MonkeyPatch) -> None:
    w = standard
    runs = _two_communities_refreshed(w, ledger)
    _record(ledger, w.community, 2)

    def handled_elsewhere() -> None:  # 南门 changes and is refreshed elsewhere …
        _record(ledger, w.community2, 5)
        _elsewhere()
        _record(ledger, w.village, 2)  # … and a mark is left for the drain's next round

    _while_the_first_round_reads(monkeypatch, ledger, handled_elsewhere, after_reading=True)
    _drain()
    assert max(ledger.asked) == Unit.objects.filter(path__startswith=w.district.path).count()
    _equal_to_a_full_recomputation(runs)


def test_figures_kept_longer_than_the_setting_are_read_afresh_by_the_next_drain(
        standard: World, ledger: type[_Ledger], settings: Any) -> None:
    w = standard
    runs = _two_communities_refreshed(w, ledger)
    _record(ledger, w.community, 2)
    _drain()
    settings.SOURCES_FIGURES_KEPT = 0
    _record(ledger, w.community2, 4, marked=False)  # a change nobody marked …
    _record(ledger, w.community, 3)
    ledger.asked.clear()
    _drain()
    assert max(ledger.asked) == Unit.objects.filter(path__startswith=w.district.path).count()
    street = UnitResult.objects.get(run_id=runs[0][0], unit=w.street)
    assert items_of(street)["problems"]["v"] == 3 + 4  # … is read once the figures expire


def test_the_idle_worker_reads_the_figures_ahead_so_the_first_round_reads_only_the_marked(
        standard: World, ledger: type[_Ledger]) -> None:
    from django.core.exceptions import PermissionDenied

    w = standard
    runs = _two_communities_refreshed(w, ledger)
    with pytest.raises(PermissionDenied):
        keep_figures_warm(scope=Scope.for_user(w.community_worker))
    ledger.asked.clear()
    assert keep_figures_warm(scope=Scope.system())
    tree = Unit.objects.filter(path__startswith=w.district.path).count()
    assert ledger.asked == [tree]  # the district's run's tree once; the street's is inside it
    assert not keep_figures_warm(scope=Scope.system())  # warm already: nothing read
    _record(ledger, w.community, 6)
    ledger.asked.clear()
    _drain()
    assert ledger.asked == [1]
    _equal_to_a_full_recomputation(runs)
    assert not keep_figures_warm(scope=Scope.system())  # still whole after the drain
    _record(ledger, w.community2, 1)
    _elsewhere()  # dropped at the next round: read ahead again
    _record(ledger, w.community, 2)
    _drain()
    assert keep_figures_warm(scope=Scope.system())


def test_the_idle_errand_reads_ahead_on_a_worker_of_the_refresh_queue_only(
        standard: World, ledger: type[_Ledger], settings: Any) -> None:
    from django.utils.module_loading import import_string

    _two_communities_refreshed(standard, ledger)
    settings.SOURCES_REFRESH_QUEUE = "refresh"
    (errand,) = (import_string(path) for path in settings.JOBS_WORKER_IDLE)
    ledger.asked.clear()
    errand(queues=["default"])  # a worker of exports and ledgers: it never refreshes
    assert ledger.asked == []
    errand(queues=["refresh"])
    assert ledger.asked  # the figures were read ahead
    ledger.asked.clear()
    errand(queues=["*"])  # already warm
    assert ledger.asked == []


def test_inside_figures_read_afresh_nothing_is_kept() -> None:
    with figures_remembered():
        kept = remembered_figures()
        assert kept is not None
        with figures_read_afresh():
            assert remembered_figures() is None
        assert remembered_figures() is kept
